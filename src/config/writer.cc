#include "cforg/config/writer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "cforg/model/ascii.h"

namespace cforg::config {
namespace {

// Words YAML 1.1 or 1.2 resolves to a boolean or null when plain: quoted, so that neither
// this reader nor an editor's YAML 1.1 tooling reads them as anything but strings.
bool is_special_word(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", "inf"};
  return std::find(kWords.begin(), kWords.end(), ascii_lower(s)) != kWords.end();
}

// Plain only for the unambiguous: it starts with a letter (never a number, an indicator like
// `-`, `&`, `*`, `!`, `%`, `@` or a quote), and holds no `:` or `#` (a key or a comment).
bool plain_is_safe(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s.front()))) return false;
  if (s.back() == ' ') return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == ' ' || c == '.' || c == '_' || c == '-' || c == '/' || c == '@' ||
          c == ',' || c == '(' || c == ')' || c == '\'')) {
      return false;
    }
  }
  return !is_special_word(s);
}

void line(std::string& out, int indent, std::string_view text) {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += text;
  out += '\n';
}

}  // namespace

std::string yaml_string(std::string_view s) {
  if (plain_is_safe(s)) return std::string(s);
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[8];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // Control characters and DEL are not printable YAML: escaped. So are the C1 controls
        // (U+0080..U+009F, UTF-8 C2 80..C2 9F).
        if (c < 0x20 || c == 0x7f) {
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i + 1]));
          out += buf;
          ++i;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string to_yaml(const std::vector<DesiredOrg>& orgs, std::string_view header) {
  std::string out;
  while (!header.empty()) {
    std::size_t nl = header.find('\n');
    std::string_view l = header.substr(0, nl);
    out += l.empty() ? "#\n" : "# " + std::string(l) + "\n";
    header = nl == std::string_view::npos ? std::string_view{} : header.substr(nl + 1);
  }
  if (orgs.empty()) {
    out += "organizations: []\n";
    return out;
  }
  out += "organizations:\n";
  for (const DesiredOrg& o : orgs) {
    line(out, 2, "- name: " + yaml_string(o.spec.name));
    line(out, 4, "key: " + yaml_string(o.key));
    if (const std::string* key = o.spec.parent.key()) {
      line(out, 4, "parent: " + yaml_string(*key));
    } else if (const std::string* id = o.spec.parent.id()) {
      line(out, 4, "parent: {id: " + yaml_string(*id) + "}");
    }
    if (o.spec.profile) {
      line(out, 4, "profile:");
      for (std::string_view field : kProfileFields) {
        line(out, 6,
             std::string(field) + ": " + yaml_string(profile_field(*o.spec.profile, field)));
      }
    }
    if (o.spec.prevent_destroy) line(out, 4, "prevent_destroy: true");
    if (o.members) {
      line(out, 4, o.members->empty() ? "members: []" : "members:");
      for (const MemberSpec& m : *o.members) {
        if (m.status == MemberStatus::active) {
          line(out, 6, "- " + yaml_string(m.email));
        } else {
          line(out, 6, "- email: " + yaml_string(m.email));
          line(out, 8, "status: " + std::string(to_string(m.status)));
        }
      }
    }
    if (o.accounts) {
      line(out, 4, o.accounts->empty() ? "accounts: []" : "accounts:");
      for (const AccountSpec& a : *o.accounts) {
        if (a.name.empty()) {
          line(out, 6, "- " + yaml_string(a.id));
        } else {
          line(out, 6, "- id: " + yaml_string(a.id));
          line(out, 8, "name: " + yaml_string(a.name));
        }
      }
    }
  }
  return out;
}

}  // namespace cforg::config
