// Reading typed values out of YAML nodes, with diagnostics that point at the source.
//
// yaml-cpp 0.7 hands back every scalar as text and leaves typing to the caller, so the
// YAML 1.2 core schema is applied here by hand: an unquoted `+15550100` is an integer, not
// the phone number the user meant, and saying so beats silently sending "+15550100" today
// and breaking when someone reformats the file with a YAML tool that does resolve types.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/config/config.h"
#include "diagnostics.h"
#include "yaml_tree.h"

namespace cforg::config::detail {

// What a node is after core-schema resolution.
enum class ValueType { null, boolean, integer, floating, string, sequence, mapping, other_tag };

// Resolves an unquoted (plain) scalar by the YAML 1.2 core schema. `true`/`false` count in
// any letter case: a `True` or `TRUE` meant as a string is rarer than one meant as a bool.
ValueType resolve_plain(std::string_view s);

// Resolves a node: its tag when it has an explicit one, else its style and text.
ValueType value_type(const Node& n);

// "a string", "an integer", "null", ... for messages.
std::string_view describe(ValueType t);

// One entry of a mapping whose keys are a fixed set of names.
struct Field {
  Node key;
  Node value;
  bool present = false;

  std::string name() const { return std::string(key.scalar()); }
};

// A line and column in the file a Reader reads, 1-based; cheaper to keep than a Location.
struct Position {
  int line = 0;
  int column = 0;
};

// How much text reading values may still copy out of the config. The tree shares an aliased
// value instead of copying it, but every organization that refers to it gets its own copy: a
// few KiB of aliases of aliases can read as gigabytes ("billion laughs"). Without aliases the
// text read never exceeds the files' size, so the files' limit bounds both.
struct TextBudget {
  std::size_t limit;
  std::size_t used = 0;
  bool reported = false;
};

// Turns yaml-cpp marks into editor positions and collects diagnostics for one file.
class Reader {
 public:
  // `text` is the file's content as given to yaml-cpp (marks are offsets into it).
  Reader(std::string file, std::string_view text, Diagnostics& out, TextBudget& budget);

  const std::string& file() const { return file_; }
  Position position(const YAML::Mark& m) const;
  Location at(const YAML::Mark& m) const;
  Location at(const Node& n) const { return at(n.mark()); }
  void error(Location where, std::string message);

  // Reads a mapping whose valid keys are `names`: reports keys that are not scalars, unknown
  // keys (suggesting the nearest valid one) and repeated keys (yaml-cpp keeps both silently).
  // Returns one Field per name, in the order of `names`; the first occurrence wins.
  std::vector<Field> fields(const Node& map, std::span<const std::string_view> names,
                            std::string_view where_in);

  // The value of `field` as a string; reports and returns nullopt when it is anything else,
  // or when it would take the text read past the budget.
  std::optional<std::string> string(const Field& field);
  // The value of `field` as a bool (true/false in any letter case).
  std::optional<bool> boolean(const Field& field);

  // Where to report a problem with a field's value: the value itself, except when it is
  // empty (`name:` and nothing), where yaml-cpp's mark points at whatever comes next.
  Location value_at(const Field& field) const;
  // Where an empty value was left: the last character before its mark (the `-` of an empty
  // list item), as yaml-cpp marks an empty value where the next token starts.
  Location empty_at(const Node& n) const;
  // The text of a null written out (`~`, `null`, ...), or "" when the value was left empty.
  std::string_view null_literal(const Node& n) const;

 private:
  std::string file_;
  std::string_view text_;
  Diagnostics& out_;
  TextBudget& budget_;
  // The last position() computed: counting characters from the line's start for each of many
  // errors on one long line (a config of one 60 MB flow list) would take quadratic time.
  mutable std::size_t cached_line_start_ = std::string_view::npos;
  mutable std::size_t cached_bytes_ = 0;
  mutable int cached_chars_ = 0;
};

}  // namespace cforg::config::detail
