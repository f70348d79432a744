#include "validate.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "contents.h"
#include "suggest.h"
#include "text.h"

namespace cforg::config::detail {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Looking for the nearest key scans every key, so only the first few unknown parents get a
// suggestion: a file with thousands of them must not make loading quadratic.
constexpr int kMaxParentSuggestions = 20;
constexpr std::size_t kMaxSuggestionCells = 300'000'000;

// A cycle longer than this is shown by its first members only.
constexpr std::size_t kMaxCycleShown = 8;

// Where an organization's own fields were, for messages about it.
struct Places {
  Position key_at;
  Position name_at;
};

Location in_file_of(const DesiredOrg& org, Position p) {
  return {org.where.file, p.line, p.column};
}

// The parent as a kind (0 root, 1 key, 2 id) and a text, for hashing.
std::pair<std::size_t, std::string_view> parent_parts(const ParentRef& p) {
  if (const std::string* k = p.key()) return {1, *k};
  if (const std::string* i = p.id()) return {2, *i};
  return {0, {}};
}

// What must be unique among siblings: the parent (kind and value) and the name.
struct SiblingKey {
  std::size_t kind;
  std::string_view parent;
  std::string_view name;

  bool operator==(const SiblingKey&) const = default;
};

struct SiblingKeyHash {
  std::size_t operator()(const SiblingKey& k) const {
    const std::hash<std::string_view> h;
    return (h(k.parent) * 31 + h(k.name)) * 31 + k.kind;
  }
};

bool same_place(const DesiredOrg& a, const DesiredOrg& b) {
  return a.spec.name == b.spec.name && a.spec.parent == b.spec.parent;
}

std::string same_place_message(const DesiredOrg& org, const Location& other) {
  return "name: " +
         std::string(org.spec.parent.is_root() ? "another root organization"
                                               : "another organization under the same parent") +
         " is named " + excerpt(org.spec.name) + " (" + other.str() +
         "); rename one: after a lost state cforg finds organizations again by name and parent "
         "and could not tell these apart";
}

class Validator {
 public:
  Validator(Config& config, Diagnostics& out) : config_(config), out_(out) {}

  void take_unique_keys(std::vector<ParsedOrg>& orgs) {
    config_.orgs.reserve(orgs.size());
    config_.index.reserve(orgs.size());
    places_.reserve(orgs.size());
    for (ParsedOrg& p : orgs) {
      auto [it, inserted] = config_.index.try_emplace(p.org.key, config_.orgs.size());
      if (inserted) {
        places_.push_back({p.key_at, p.name_at});
        config_.orgs.push_back(std::move(p.org));
        continue;
      }
      const DesiredOrg& first = config_.orgs[it->second];
      const Places& first_at = places_[it->second];
      if (p.key_from_name && same_place(first, p.org)) {
        // Renaming one fixes both problems; the name clash is the one to explain.
        error(in_file_of(p.org, p.name_at),
              same_place_message(p.org, in_file_of(first, first_at.name_at)));
      } else if (p.key_from_name) {
        error(in_file_of(p.org, p.key_at),
              "name: " + excerpt(p.org.key) + " is already the key of the organization at " +
                  in_file_of(first, first_at.key_at).str() +
                  " (the key defaults to the name); give one of them a distinct 'key'");
      } else {
        error(in_file_of(p.org, p.key_at), "key: " + excerpt(p.org.key) +
                                               " is already the key of the organization at " +
                                               in_file_of(first, first_at.key_at).str() +
                                               "; keys must be unique across all files");
      }
    }
  }

  void check_names_under_parents() {
    std::unordered_map<SiblingKey, std::size_t, SiblingKeyHash> seen;
    seen.reserve(config_.orgs.size());
    for (std::size_t i = 0; i < config_.orgs.size(); ++i) {
      const DesiredOrg& org = config_.orgs[i];
      if (org.spec.name.empty()) continue;  // already reported
      auto [kind, parent] = parent_parts(org.spec.parent);
      auto [it, inserted] = seen.try_emplace({kind, parent, org.spec.name}, i);
      if (inserted) continue;
      const DesiredOrg& first = config_.orgs[it->second];
      error(in_file_of(org, places_[i].name_at),
            same_place_message(org, in_file_of(first, places_[it->second].name_at)));
    }
  }

  // Resolves parent keys to indexes; reports unknown ones when `report_unknown`.
  std::vector<std::size_t> resolve_parents(bool report_unknown) {
    std::vector<std::size_t> parent_of(config_.orgs.size(), kNone);
    for (std::size_t i = 0; i < config_.orgs.size(); ++i) {
      const std::string* parent = config_.orgs[i].spec.parent.key();
      if (!parent) continue;
      if (auto it = config_.index.find(*parent); it != config_.index.end()) {
        parent_of[i] = it->second;
      } else if (report_unknown) {
        error(config_.orgs[i].parent_where, unknown_parent_message(*parent));
      }
    }
    return parent_of;
  }

  // Each organization has at most one parent, so following parents from every unvisited
  // organization finds every cycle in linear time.
  void check_cycles(const std::vector<std::size_t>& parent_of) {
    enum : std::uint8_t { kUnseen, kOnWalk, kDone };
    std::vector<std::uint8_t> state(parent_of.size(), kUnseen);
    std::vector<std::size_t> walk;
    for (std::size_t start = 0; start < parent_of.size(); ++start) {
      walk.clear();
      std::size_t v = start;
      while (v != kNone && state[v] == kUnseen) {
        state[v] = kOnWalk;
        walk.push_back(v);
        v = parent_of[v];
      }
      if (v != kNone && state[v] == kOnWalk) {
        auto from = std::find(walk.begin(), walk.end(), v);
        report_cycle({from, walk.end()});
      }
      for (std::size_t w : walk) state[w] = kDone;
    }
  }

 private:
  void error(const Location& where, std::string message) {
    out_.push_back({where, std::move(message)});
  }

  void report_cycle(std::vector<std::size_t> cycle) {
    // Start at the organization declared first, so that the message does not depend on
    // where the walk happened to enter the cycle.
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::string chain;
    for (std::size_t i = 0; i < cycle.size() && i < kMaxCycleShown; ++i) {
      chain += label(config_.orgs[cycle[i]].key) + " → ";
    }
    if (cycle.size() > kMaxCycleShown) {
      chain += "… (" + std::to_string(cycle.size() - kMaxCycleShown) + " more) → ";
    }
    chain += label(config_.orgs[cycle[0]].key);
    const DesiredOrg& first = config_.orgs[cycle[0]];
    error(first.parent_where,
          "parent cycle: " + chain +
              (cycle.size() == 1 ? "; an organization cannot be its own parent"
                                 : "; make one of them a root or give it a parent outside the "
                                   "cycle"));
  }

  std::string unknown_parent_message(const std::string& key) {
    std::string message = "parent: no organization has the key " + excerpt(key);
    if (names_.empty()) {
      for (std::size_t i = 0; i < config_.orgs.size(); ++i) {
        names_.try_emplace(config_.orgs[i].spec.name, i);
      }
    }
    if (auto it = names_.find(key); it != names_.end()) {
      return message + "; that is the name of the organization whose key is " +
             excerpt(config_.orgs[it->second].key) + ": parent takes the key";
    }
    if (keys_.empty()) {
      keys_.reserve(config_.orgs.size());
      for (const DesiredOrg& org : config_.orgs) {
        keys_.push_back(org.key);
        key_bytes_ += org.key.size();
      }
    }
    // The table costs about the key's length times every key's: a suggestion is worth a few
    // hundred milliseconds at most, not the minutes that long keys in a large config would take.
    const std::size_t cells = (key.size() + 1) * (key_bytes_ + 1);
    if (suggestions_left_ > 0 && cells <= suggestion_cells_left_ && !out_.full()) {
      --suggestions_left_;
      suggestion_cells_left_ -= cells;
      if (std::string s = nearest(key, keys_); !s.empty()) {
        message += "; did you mean " + excerpt(s) + "?";
      }
    }
    return message +
           " (for an existing organization outside the config, write parent: {id: <its id>})";
  }

  Config& config_;
  Diagnostics& out_;
  std::vector<Places> places_;  // parallel to config_.orgs
  // Built on the first unknown parent only.
  std::unordered_map<std::string_view, std::size_t> names_;
  std::vector<std::string_view> keys_;
  std::size_t key_bytes_ = 0;
  int suggestions_left_ = kMaxParentSuggestions;
  std::size_t suggestion_cells_left_ = kMaxSuggestionCells;
};

}  // namespace

void validate(std::vector<ParsedOrg> orgs, bool complete, Config& config, Diagnostics& out) {
  Validator v(config, out);
  v.take_unique_keys(orgs);
  v.check_names_under_parents();
  check_contents(config, out);
  v.check_cycles(v.resolve_parents(complete));
}

}  // namespace cforg::config::detail
