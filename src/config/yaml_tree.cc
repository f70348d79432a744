#include "yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <limits>
#include <stdexcept>
#include <streambuf>

namespace cforg::config::detail {

// --- Node ------------------------------------------------------------------------------

Node::Type Node::type() const {
  return tree_ ? tree_->nodes_[index_].type : Type::null;
}

std::string_view Node::scalar() const {
  if (!is_scalar()) return {};
  const Tree::Entry& e = tree_->nodes_[index_];
  return std::string_view(tree_->text_).substr(e.begin, e.size);
}

std::string_view Node::tag() const {
  return tree_ ? std::string_view(tree_->tags_[tree_->nodes_[index_].tag]) : std::string_view();
}

const YAML::Mark& Node::mark() const {
  static const YAML::Mark kNone = YAML::Mark::null_mark();
  return tree_ ? tree_->nodes_[index_].mark : kNone;
}

std::size_t Node::size() const {
  switch (type()) {
    case Type::sequence:
      return tree_->nodes_[index_].size;
    case Type::mapping:
      return tree_->nodes_[index_].size / 2;
    default:
      return 0;
  }
}

Node Node::item(std::size_t i) const {
  return {tree_, tree_->children_[tree_->nodes_[index_].begin + i]};
}

Node Node::key(std::size_t i) const {
  return {tree_, tree_->children_[tree_->nodes_[index_].begin + 2 * i]};
}

Node Node::value(std::size_t i) const {
  return {tree_, tree_->children_[tree_->nodes_[index_].begin + 2 * i + 1]};
}

// --- Tree ------------------------------------------------------------------------------

Tree::Tree() : nodes_(1), tags_{"", "?", "!"} {}  // node 0: the null root of an empty stream

// Receives the parser's events for one document and appends nodes to a Tree.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(Tree& tree, std::string_view text, const Limits& limits)
      : t_(tree), text_(text), limits_(limits) {
    t_.nodes_.clear();
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    attach(add(mark, Node::Type::null, "", anchor));
  }

  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    // The parser has checked that the anchor exists. An alias of a collection still being
    // read makes a cycle, which is harmless: nothing here walks the tree recursively.
    attach(anchor < anchors_.size() ? anchors_[anchor] : add({}, Node::Type::null, "", 0));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    check_closed(mark);
    const std::uint32_t n = add(mark, Node::Type::scalar, tag, anchor);
    t_.nodes_[n].begin = checked(t_.text_.size());
    t_.nodes_[n].size = checked(value.size());
    t_.text_ += value;
    attach(n);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(add(mark, Node::Type::sequence, tag, anchor));
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(add(mark, Node::Type::mapping, tag, anchor));
  }
  void OnMapEnd() override { close(); }

 private:
  // Indexes are 32-bit to keep nodes small; a config of 4 GiB is not one.
  static std::uint32_t checked(std::size_t n) {
    if (n > std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("the YAML document is too large");
    }
    return static_cast<std::uint32_t>(n);
  }

  std::uint32_t add(const YAML::Mark& mark, Node::Type type, std::string_view tag,
                    YAML::anchor_t anchor) {
    if (t_.nodes_.size() >= limits_.max_values_per_file) {
      throw ParseRefused(mark, "the file holds more than " +
                                   std::to_string(limits_.max_values_per_file) +
                                   " YAML values (scalars, lists and mappings), cforg's limit "
                                   "for one file (an organization with a profile has 17); "
                                   "split the config into several files");
    }
    const std::uint32_t n = checked(t_.nodes_.size());
    t_.nodes_.push_back({mark, type, intern(tag), 0, 0});
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = n;
    }
    return n;
  }

  std::uint32_t intern(std::string_view tag) {
    if (tag == "?") return 1;
    if (tag == "!") return 2;
    if (tag.empty()) return 0;
    for (std::uint32_t i = 3; i < t_.tags_.size(); ++i) {
      if (t_.tags_[i] == tag) return i;
    }
    t_.tags_.emplace_back(tag);
    return checked(t_.tags_.size() - 1);
  }

  // A node goes to the collection being read, or becomes the root.
  void attach(std::uint32_t n) {
    if (depth_ == 0) {
      t_.root_ = n;
    } else {
      open_[depth_ - 1].children.push_back(n);
    }
  }

  void open(std::uint32_t n) {
    if (depth_ >= limits_.max_depth) {
      throw ParseRefused(t_.nodes_[n].mark,
                         "nested too deeply: more than " + std::to_string(limits_.max_depth) +
                             " levels of lists and mappings, cforg's limit for a config (an "
                             "organization's profile is at level 4)");
    }
    attach(n);
    // The per-level child lists are reused, so that reading 100,000 mappings does not
    // allocate 100,000 vectors.
    if (open_.size() == depth_) open_.emplace_back();
    open_[depth_].node = n;
    open_[depth_].children.clear();
    ++depth_;
  }

  void close() {
    if (depth_ == 0) return;  // unbalanced events: the parser never sends them
    --depth_;
    Level& level = open_[depth_];
    Tree::Entry& e = t_.nodes_[level.node];
    e.begin = checked(t_.children_.size());
    e.size = checked(level.children.size());
    t_.children_.insert(t_.children_.end(), level.children.begin(), level.children.end());
  }

  struct Level {
    std::uint32_t node = 0;
    std::vector<std::uint32_t> children;
  };

  // yaml-cpp 0.7 ends a quoted scalar at the end of the stream without an error when a line
  // break precedes it (ScanScalar leaves its loop on the stream's end before it checks for
  // one): `name: "A` then `parent: [` reads as the name "A parent: [ ". The closing quote
  // must be there: look for it, from the opening quote the scalar's mark points at (after
  // its tag or anchor, if any).
  void check_closed(const YAML::Mark& mark) const {
    if (mark.pos < 0 || std::size_t(mark.pos) >= text_.size()) return;
    std::size_t i = std::size_t(mark.pos);
    YAML::Mark open = mark;
    // Node properties (`!!str`, `&anchor`) come first; the mark is where they start.
    while (i < text_.size() && (text_[i] == '!' || text_[i] == '&')) {
      while (i < text_.size() &&
             std::string_view(" \t\r\n").find(text_[i]) == std::string_view::npos) {
        ++i;
      }
      while (i < text_.size() &&
             std::string_view(" \t\r\n").find(text_[i]) != std::string_view::npos) {
        ++i;
      }
    }
    if (i >= text_.size()) return;
    const char quote = text_[i];
    if (quote != '"' && quote != '\'') return;  // a block scalar (| or >)
    if (i != std::size_t(mark.pos)) open = position_of(i);
    for (std::size_t j = i + 1; j < text_.size(); ++j) {
      if (quote == '"' && text_[j] == '\\') {
        ++j;  // an escape: the next character is not the end
      } else if (text_[j] == quote) {
        if (quote == '\'' && j + 1 < text_.size() && text_[j + 1] == '\'') {
          ++j;  // '' is a quote inside a single-quoted scalar
        } else {
          return;
        }
      }
    }
    throw ParseRefused(open, std::string("invalid YAML: this ") +
                                 (quote == '"' ? "double" : "single") +
                                 " quote is never closed; add the closing " + quote);
  }

  // The mark of byte `pos`, counted from the text (rare: only for an unclosed quote after a
  // tag or anchor).
  YAML::Mark position_of(std::size_t pos) const {
    YAML::Mark m;
    m.pos = int(pos);
    m.line = 0;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < pos; ++k) {
      if (text_[k] == '\n') {
        ++m.line;
        line_start = k + 1;
      }
    }
    m.column = int(pos - line_start);
    return m;
  }

  Tree& t_;
  std::string_view text_;
  const Limits& limits_;
  std::vector<Level> open_;
  std::size_t depth_ = 0;
  std::vector<std::uint32_t> anchors_;  // anchor id -> node
};

namespace {

// Reads a string_view as a stream, without copying it.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // only ever read
    setg(p, p, p + s.size());
  }
};

// Notes where the second document starts, then stops the parser: the rest is not needed.
class SecondDocument : public YAML::EventHandler {
 public:
  struct Found {
    YAML::Mark mark;
  };

  void OnDocumentStart(const YAML::Mark& m) override { throw Found{m}; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { throw Found{m}; }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { throw Found{m}; }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    throw Found{m};
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    throw Found{m};
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    throw Found{m};
  }
  void OnMapEnd() override {}
};

}  // namespace

ParsedStream parse_yaml(std::string_view text, const Limits& limits) {
  ViewBuffer buffer(text);
  std::istream in(&buffer);
  YAML::Parser parser(in);
  ParsedStream result;
  {
    TreeBuilder builder(result.first, text, limits);
    if (!parser.HandleNextDocument(builder)) {
      result.first = Tree();
      return result;
    }
  }
  result.documents = 1;
  SecondDocument second;
  try {
    if (parser.HandleNextDocument(second)) {
      result.documents = 2;  // a document without events; cannot happen, but count it
    }
  } catch (const SecondDocument::Found& found) {
    result.documents = 2;
    result.second = found.mark;
  }
  return result;
}

}  // namespace cforg::config::detail
