// The desired state: organizations declared in YAML files, loaded and validated.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cforg/model/organization.h"

namespace cforg::config {

// A place in a config file, 1-based as editors show it. line 0 means "the whole file".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  std::string str() const;  // "file:line:column", or "file" when line is 0
};

// One problem found in the config: where, and a one-line reason that says what to do.
struct Diagnostic {
  Location where;
  std::string message;

  std::string str() const;  // "file:line:column: message"
};

// `parent:` of an organization: nothing (a root), the key of another organization in the
// config, or the id of an existing organization outside it.
struct ParentRef {
  enum class Kind { none, key, id };
  Kind kind = Kind::none;
  std::string value;  // the key or the id
  Location where;

  bool operator==(const ParentRef& o) const { return kind == o.kind && value == o.value; }
};

struct DesiredOrg {
  std::string key;   // stable identity in state; defaults to name
  std::string name;  // non-empty
  ParentRef parent;
  std::optional<Profile> profile;
  bool prevent_destroy = false;
  Location where;  // the `- name: ...` item
};

struct Config {
  // In declaration order: paths in the order given, a directory's files sorted by name, then
  // document order. Keys are unique.
  std::vector<DesiredOrg> orgs;
  // The files that were read, in order.
  std::vector<std::string> files;

  const DesiredOrg* find(std::string_view key) const;
  // Hex SHA-256 of the canonical desired state (keys, names, parents, profiles, flags), so
  // that comments, formatting and file layout do not change it. Computed on demand.
  std::string digest() const;

  // key -> index into orgs. Filled by the loader.
  std::unordered_map<std::string, std::size_t> index;
};

struct LoadResult {
  Config config;                   // what could be read; complete only when ok()
  std::vector<Diagnostic> errors;  // every problem found, in file order; empty when valid

  bool ok() const { return errors.empty(); }
};

// Loads every path: a file, or a directory whose *.yaml and *.yml files (not recursive, not
// dotfiles) are read in sorted order; a file named twice is read once. Never throws for bad
// input: problems come back as diagnostics.
LoadResult load(const std::vector<std::string>& paths);

// Loads one YAML document given as text; `file` is the name used in diagnostics (a config that
// does not come from a file: standard input, a test).
LoadResult load_text(std::string_view yaml, const std::string& file);

}  // namespace cforg::config
