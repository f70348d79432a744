#include "pg_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>

#include "cforg/state/state.h"

namespace cforg::state {

std::vector<std::string> pg_secrets(const std::string& url) {
  std::vector<std::string> secrets;
  auto add = [&](std::string s) {
    if (s.empty()) return;
    secrets.push_back(s);
    // As libpq may print it: percent-decoded.
    std::string decoded;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        decoded += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
        i += 2;
      } else {
        decoded += s[i];
      }
    }
    if (decoded != s) secrets.push_back(decoded);
  };
  // postgres://user:PASSWORD@host/...: the authority's password, even in a URL libpq rejects.
  if (std::size_t scheme = url.find("://"); scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t at = url.find('@', start);
    std::size_t slash = url.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      std::string userinfo = url.substr(start, at - start);
      if (std::size_t colon = userinfo.find(':'); colon != std::string::npos) {
        add(userinfo.substr(colon + 1));
      }
    }
  }
  // ?password=... in a URL, password=... in a key=value connection string.
  for (std::size_t pos = 0; (pos = url.find("password=", pos)) != std::string::npos;) {
    pos += 9;
    std::size_t end = pos;
    if (end < url.size() && url[end] == '\'') {
      end = url.find('\'', pos + 1);
      if (end == std::string::npos) end = url.size();
      add(url.substr(pos + 1, end - pos - 1));
    } else {
      while (end < url.size() && url[end] != '&' && url[end] != ' ') ++end;
      add(url.substr(pos, end - pos));
    }
  }
  secrets.push_back(url);  // the whole URL, should libpq ever echo it
  return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  // Longest first: the whole URL before the password inside it.
  std::vector<std::string> sorted = secrets;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& s : sorted) {
    if (s.empty()) continue;
    for (std::size_t pos; (pos = text.find(s)) != std::string::npos;)
      text.replace(pos, s.size(), "****");
  }
  return text;
}

namespace {

// libpq's message on one line: it spans several ("FATAL:  terminating connection ...\nserver
// closed the connection unexpectedly\n\tThis probably means ..."), which would break the
// one-line-per-org report. Lines are joined with "; ", runs of blanks become one.
std::string one_line(const std::string& s) {
  std::string out;
  bool blank = false, line_break = false;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      line_break = true;
    } else if (c == ' ' || c == '\t') {
      blank = true;
    } else {
      if (!out.empty() && line_break) {
        out += "; ";
      } else if (!out.empty() && blank) {
        out += ' ';
      }
      blank = line_break = false;
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ';')) out.pop_back();
  return out;
}

}  // namespace

std::string pg_message(const std::string& raw, const std::vector<std::string>& secrets) {
  return one_line(redact(raw, secrets));
}

std::string describe_pg_url(const std::string& url, const std::vector<std::string>& secrets) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string why = err ? pg_message(err, secrets) : "out of memory";
    if (err) PQfreemem(err);
    throw StateError("the PostgreSQL URL (--state-url or CFORG_PG_URL) is not valid: " + why +
                     ". Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE");
  }
  std::string user, host, port, db;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    std::string k = o->keyword;
    if (k == "user") user = o->val;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
  }
  PQconninfoFree(opts);
  std::string d = "postgres://" + (user.empty() ? "" : user + "@") +
                  (host.empty() ? "localhost" : host) + (port.empty() ? "" : ":" + port) + "/" + db;
  return redact(d, secrets);
}

}  // namespace cforg::state
