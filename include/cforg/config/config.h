// The desired state: organizations declared in YAML files, loaded and validated.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cforg/model/membership.h"
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

// An organization as the config declares it: its key and the one OrgSpec every stage shares.
// spec.parent is a root, the key of another organization in the config, or the id of an
// existing organization outside it; spec.name is non-empty.
struct DesiredOrg {
  std::string key;  // stable identity in state; defaults to name
  OrgSpec spec;
  Location where;         // the `- name: ...` item
  Location parent_where;  // the `parent:` value (its `id:` for an id); line 0 when there is none

  // What lives inside the org. nullopt: the config does not manage it (the key is absent, like
  // an absent block in Terraform): cforg neither adds nor removes anything. An empty list
  // means "none". Emails are unique within the config (compared as canonical_email), account
  // ids too; `*_where` holds each item's place, in the same order.
  std::optional<std::vector<MemberSpec>> members;
  std::optional<std::vector<AccountSpec>> accounts;
  std::vector<Location> member_where;
  std::vector<Location> account_where;
};

struct Config {
  // In declaration order: paths in the order given, a directory's files sorted by name, then
  // document order. Keys are unique.
  std::vector<DesiredOrg> orgs;
  // The files that were read, in order.
  std::vector<std::string> files;

  const DesiredOrg* find(std::string_view key) const;
  // Hex SHA-256 of the canonical desired state (keys, names, parents, profiles, flags, members
  // and account ids when given), so that comments, formatting, file layout and the order of
  // members and accounts do not change it. Computed on demand.
  std::string digest() const;

  // key -> index into orgs. Filled by the loader.
  std::unordered_map<std::string, std::size_t> index;
};

// cforg's own bounds on a config. A config arrives in pull requests: nothing in it may make
// cforg run out of memory or time, or put text in a plan that a reviewer cannot read. Each is
// reported with its own error, naming the limit and the place. The API publishes no limits on
// names; these are far above any real estate (cforg is benchmarked at 100,000 organizations,
// an 18 MiB config). Documented in README.md, "Limits".
struct Limits {
  // Every file together, and the text that aliases expand to (an "alias bomb" is a few KiB
  // that read as gigabytes).
  std::size_t max_bytes = std::size_t{64} << 20;
  std::size_t max_files_per_folder = 1000;
  // Nested mappings and lists; an organization's profile is at level 4.
  std::size_t max_depth = 32;
  // YAML values (scalars, lists, mappings) in one file: they cost memory before anything
  // checks them (`[a,a,a,…]` is two bytes a value). An organization with a profile has 17.
  std::size_t max_values_per_file = 4'000'000;
  std::size_t max_orgs = 200'000;
  std::size_t max_name_chars = 256;
  std::size_t max_key_bytes = 1024;  // the state's own limit
  std::size_t max_profile_field_chars = 1024;
  // What one organization may list: `members:` (cforg's own bound) and `accounts:` (the API's:
  // an organization holds at most 500 accounts).
  std::size_t max_members_per_org = 10'000;
  std::size_t max_accounts_per_org = 500;
  // Diagnostics kept; later ones are only counted (see error_report).
  std::size_t max_errors_kept = 1000;
};

struct LoadResult {
  Config config;  // what could be read; complete only when ok()
  // The problems found, in file order; empty when valid. At most Limits::max_errors_kept: the
  // others are only counted in `more_errors`.
  std::vector<Diagnostic> errors;
  std::size_t more_errors = 0;

  bool ok() const { return errors.empty() && more_errors == 0; }
  std::size_t error_count() const { return errors.size() + more_errors; }
};

// Loads every path: a file, or a directory whose *.yaml and *.yml files (not recursive, not
// dotfiles) are read in sorted order; a file named twice is read once. Never throws for bad
// input: problems come back as diagnostics.
LoadResult load(const std::vector<std::string>& paths, const Limits& limits = {});

// Loads one YAML document given as text; `file` is the name used in diagnostics (a config that
// does not come from a file: standard input, a test).
LoadResult load_text(std::string_view yaml, const std::string& file, const Limits& limits = {});

// How many errors error_report shows: a screenful. 100,000 copies of one mistake would print
// megabytes that nobody reads, and hide the summary.
inline constexpr std::size_t kErrorsShown = 20;

// The errors of a failed load for people, one per line: the first `shown`, then
// "… and N more errors", then "Error: the config has N errors; nothing was done."
std::string error_report(const LoadResult& result, std::size_t shown = kErrorsShown);

}  // namespace cforg::config
