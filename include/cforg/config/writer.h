// Writing a config: the YAML dialect load() reads, for configs cforg generates (export).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cforg/config/config.h"

namespace cforg::config {

// `s` as a YAML scalar that load() reads back as the same string: plain when that is safe
// (letters, digits, spaces and a few marks, not a word YAML reads as a boolean or null),
// otherwise double-quoted with JSON-style escapes.
std::string yaml_string(std::string_view s);

// One document `organizations:` listing `orgs` in the given order: name, key, parent (a key,
// or {id: ...}), profile when set, prevent_destroy when true, members and accounts when managed
// (`members: []` for none; an active member as its email, an account without a name as its id).
// `header` is written first as comment lines (each prefixed with "# "). Same input, same bytes.
std::string to_yaml(const std::vector<DesiredOrg>& orgs, std::string_view header = {});

}  // namespace cforg::config
