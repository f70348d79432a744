// A YAML document as a compact tree, built from yaml-cpp's parser events.
//
// yaml-cpp's YAML::Node graph costs as much to build and free as the parsing itself: every
// value is a separately allocated, reference-counted node in a shared pool. For 100,000
// organizations, YAML::Load takes about 2.3 s, of which parsing is 1.2 s. The loader reads
// each value once and needs no editing, so a flat array of nodes with their text in one
// buffer is enough, and keeps `load()` below the cost of a bare YAML::Load.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/config/config.h"

namespace cforg::config::detail {

class Tree;

// A handle to one node of a Tree, cheap to copy; valid while the Tree lives.
class Node {
 public:
  enum class Type : std::uint8_t { null, scalar, sequence, mapping };

  Node() = default;

  Type type() const;
  bool is_null() const { return type() == Type::null; }
  bool is_scalar() const { return type() == Type::scalar; }
  bool is_sequence() const { return type() == Type::sequence; }
  bool is_mapping() const { return type() == Type::mapping; }

  // The text of a scalar; "" for anything else.
  std::string_view scalar() const;
  // As yaml-cpp reports it: "?" for a plain scalar or a collection without a tag, "!" for a
  // quoted or block scalar, else the explicit tag ("tag:yaml.org,2002:str", "!custom").
  // "" for null, whose tag the parser does not pass on.
  std::string_view tag() const;
  // Where the node starts (for an alias, where the anchored node starts). 0-based.
  const YAML::Mark& mark() const;

  // The items of a sequence, or the entries of a mapping (in document order, repeated keys
  // included); 0 for a scalar or null.
  std::size_t size() const;
  Node item(std::size_t i) const;   // sequence
  Node key(std::size_t i) const;    // mapping
  Node value(std::size_t i) const;  // mapping

 private:
  friend class Tree;
  Node(const Tree* tree, std::uint32_t index) : tree_(tree), index_(index) {}

  const Tree* tree_ = nullptr;
  std::uint32_t index_ = 0;
};

class Tree {
 public:
  Tree();
  Node root() const { return {this, root_}; }

 private:
  friend class Node;
  friend class TreeBuilder;

  struct Entry {
    YAML::Mark mark;
    Node::Type type = Node::Type::null;
    std::uint32_t tag = 0;    // index into tags_
    std::uint32_t begin = 0;  // scalar: offset into text_; collection: into children_
    std::uint32_t size = 0;   // scalar: length; sequence: items; mapping: keys and values
  };

  std::vector<Entry> nodes_;
  std::vector<std::uint32_t> children_;  // a mapping's are key, value, key, value...
  std::string text_;                     // every scalar, back to back
  std::vector<std::string> tags_;        // "", "?", "!", then explicit tags as met
  std::uint32_t root_ = 0;
};

// A stream parsed: its first document, and whether another follows.
struct ParsedStream {
  Tree first;  // a null root when the stream holds no document
  std::size_t documents = 0;
  YAML::Mark second;  // where the second document starts, when there is one
};

// What parse_yaml refuses that yaml-cpp accepts: a limit passed, or a quoted scalar that is
// never closed. `what()` is the message for people; `mark` the place.
class ParseRefused : public std::runtime_error {
 public:
  ParseRefused(const YAML::Mark& m, const std::string& message)
      : std::runtime_error(message), mark(m) {}
  YAML::Mark mark;
};

// Parses the first document of `text` and stops at the start of the next one. Throws what
// yaml-cpp throws for bad YAML: YAML::ParserException, of which YAML::DeepRecursion; and
// ParseRefused for nesting deeper than limits.max_depth, more than limits.max_values_per_file
// values, or an unterminated quote.
ParsedStream parse_yaml(std::string_view text, const Limits& limits = {});

}  // namespace cforg::config::detail
