// What sits inside organizations, for the end-to-end tests of members and accounts: the truth
// read from the emulator (members through the API, accounts through its test hook), the
// emulator's request log (-v), and configs that declare members and accounts.
#pragma once

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/workspace.h"

namespace cforg::testing {

inline std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every member of an org, in creation order, read through `GET .../members` (all pages) with
// the global key, riding out faults, 429s and the post-create window as the dashboard would.
// Pages of 1000, or of 10 (the published default) where the emulator refuses 1000.
inline std::vector<nlohmann::json> members_of(const Emulator& e, const std::string& org_id) {
  std::vector<nlohmann::json> all;
  std::string token, page_size = "1000";
  for (int pages = 0; pages < 10000; ++pages) {
    std::string path = "/organizations/" + org_id + "/members?page_size=" + page_size;
    if (!token.empty()) path += "&page_token=" + token;
    HttpReply r = e.as_dashboard("GET", path);
    const bool page_refused =
        r.status == 400 && r.body.value("errors", nlohmann::json::array()).size() == 1 &&
        r.body["errors"][0].value("code", 0) == 1019;  // page_size over the maximum
    if (page_refused && page_size == "1000") {
      page_size = "10";
      continue;
    }
    if (r.status != 200) {
      throw std::runtime_error("listing the members of " + org_id + ": HTTP " +
                               std::to_string(r.status) + " " + r.body.dump());
    }
    for (const auto& m : r.body["result"]) all.push_back(m);
    // result_info.next_page_token (published), or under --pagination cursor a non-empty cursor.
    const auto info = r.body.value("result_info", nlohmann::json::object());
    if (info.contains("next_page_token") && info["next_page_token"].is_string()) {
      token = info["next_page_token"];
    } else if (info.contains("cursor") && info["cursor"].is_string() && info["cursor"] != "") {
      token = info["cursor"];
    } else {
      return all;
    }
  }
  throw std::runtime_error("the members of " + org_id + " never end");
}

// How many members each (lowercased) email has in the org: 1 everywhere, or a duplicate.
inline std::map<std::string, int> member_counts(const Emulator& e, const std::string& org_id) {
  std::map<std::string, int> out;
  for (const auto& m : members_of(e, org_id)) ++out[lowercase(m["user"]["email"])];
  return out;
}

// (lowercased) email -> status of the org's members; a duplicate email fails the test.
inline std::map<std::string, std::string> member_statuses(const Emulator& e,
                                                          const std::string& org_id) {
  std::map<std::string, std::string> out;
  for (const auto& m : members_of(e, org_id)) {
    std::string email = lowercase(m["user"]["email"]);
    EXPECT_FALSE(out.count(email)) << email << " is a member of " << org_id << " twice";
    out[email] = m["status"];
  }
  return out;
}

// The member id of `email` in the org ("" when it is not a member).
inline std::string member_id(const Emulator& e, const std::string& org_id,
                             const std::string& email) {
  for (const auto& m : members_of(e, org_id)) {
    if (lowercase(m["user"]["email"]) == lowercase(email)) return m["id"];
  }
  return "";
}

// GET /__emulator/accounts: every seeded account, in seeding order, with its organization_id
// (null: in none).
inline std::vector<nlohmann::json> all_accounts(const Emulator& e) {
  HttpReply r = e.request("GET", "/__emulator/accounts", "", {});
  if (r.status != 200)
    throw std::runtime_error("GET /__emulator/accounts: HTTP " + std::to_string(r.status));
  return r.body["accounts"].get<std::vector<nlohmann::json>>();
}

// The seeded accounts' ids, in seeding order.
inline std::vector<std::string> account_ids(const Emulator& e) {
  std::vector<std::string> out;
  for (const auto& a : all_accounts(e)) out.push_back(a["id"]);
  return out;
}

// account id -> the org it sits in ("" for none), from the test hook.
inline std::map<std::string, std::string> account_homes(const Emulator& e) {
  std::map<std::string, std::string> out;
  for (const auto& a : all_accounts(e)) {
    out[a["id"]] = a["organization_id"].is_string() ? a["organization_id"].get<std::string>() : "";
  }
  return out;
}

// One line of the emulator's request log (it runs with -v): `METHOD PATH -> STATUS (T ms)`.
struct LoggedRequest {
  std::string method, path;
  int status = 0;
};

// The API requests the emulator has logged so far, in the order it answered them. Needs the
// emulator started with -v; the line is written before the answer is sent, so a request
// that cforg has seen answered is in the log.
inline std::vector<LoggedRequest> request_log(Emulator& e) {
  static const std::regex line(R"(^([A-Z]+) (\S+) -> (\d+) \()");
  std::vector<LoggedRequest> out;
  std::istringstream in(e.process().err());
  std::string text;
  std::smatch m;
  while (std::getline(in, text)) {
    if (std::regex_search(text, m, line)) out.push_back({m[1], m[2], std::stoi(m[3])});
  }
  return out;
}

// How far the log has come: pass it as `from` to look only at what was logged after.
inline std::size_t log_size(Emulator& e) {
  return request_log(e).size();
}

// How many requests logged from position `from` on have this method, a path matching `path`
// (whole, a regex) and, when `status` is not 0, that status.
inline int logged(Emulator& e, const std::string& method, const std::string& path, int status = 0,
                  std::size_t from = 0) {
  const std::regex re(path);
  std::vector<LoggedRequest> log = request_log(e);
  int n = 0;
  for (std::size_t i = from; i < log.size(); ++i) {
    const LoggedRequest& r = log[i];
    if (r.method == method && std::regex_match(r.path, re) && (status == 0 || r.status == status))
      ++n;
  }
  return n;
}

// The position in the log of the first request from `from` on that matches method, path (a
// regex) and status (0: any), or -1.
inline int first_logged(Emulator& e, const std::string& method, const std::string& path,
                        int status = 0, std::size_t from = 0) {
  const std::regex re(path);
  std::vector<LoggedRequest> log = request_log(e);
  for (std::size_t i = from; i < log.size(); ++i) {
    if (log[i].method == method && std::regex_match(log[i].path, re) &&
        (status == 0 || log[i].status == status))
      return static_cast<int>(i);
  }
  return -1;
}

// One org of a config: `members` and `accounts` are YAML list items (an email, `{email: ...,
// status: canceled}`, an account id, `{id: ..., name: ...}`); nullopt leaves the key out (not
// managed), an empty list writes `[]`.
struct OrgYaml {
  std::string name, key, parent;
  std::optional<std::vector<std::string>> members;
  std::optional<std::vector<std::string>> accounts;
};

// An OrgYaml with every field given (designated initializers that leave some out warn).
inline OrgYaml org(std::string name, std::string key,
                   std::optional<std::vector<std::string>> members = std::nullopt,
                   std::optional<std::vector<std::string>> accounts = std::nullopt,
                   std::string parent = "") {
  return OrgYaml{std::move(name), std::move(key), std::move(parent), std::move(members),
                 std::move(accounts)};
}

inline std::string config_yaml(const std::vector<OrgYaml>& orgs) {
  if (orgs.empty()) return "organizations: []\n";
  std::string y = "organizations:\n";
  auto list = [&y](const char* key, const std::optional<std::vector<std::string>>& items) {
    if (!items) return;
    if (items->empty()) {
      y += std::string("    ") + key + ": []\n";
      return;
    }
    y += std::string("    ") + key + ":\n";
    for (const std::string& item : *items) y += "      - " + item + "\n";
  };
  for (const OrgYaml& o : orgs) {
    y += "  - name: " + o.name + "\n    key: " + o.key + "\n";
    if (!o.parent.empty()) y += "    parent: " + o.parent + "\n";
    list("members", o.members);
    list("accounts", o.accounts);
  }
  return y;
}

// `n` emails: prefix0@domain .. prefix<n-1>@domain.
inline std::vector<std::string> emails(const std::string& prefix, int n,
                                       const std::string& domain = "acme.example") {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i) + "@" + domain);
  return out;
}

}  // namespace cforg::testing
