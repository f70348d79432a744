#include "yaml_reader.h"

#include <algorithm>
#include <utility>

#include "cforg/model/ascii.h"
#include "suggest.h"
#include "text.h"

namespace cforg::config::detail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

template <typename Pred>
bool all_of(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

std::string_view strip_sign(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return s;
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?, or inf/nan.
bool is_core_float(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  s = strip_sign(s);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  std::size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!all_of(s.substr(i), is_digit)) return false;
    i = s.size();
  }
  return i == s.size();
}

constexpr std::string_view kCoreTag = "tag:yaml.org,2002:";

}  // namespace

ValueType resolve_plain(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ValueType::null;
  if (ascii_iequals(s, "true") || ascii_iequals(s, "false")) return ValueType::boolean;
  if (all_of(strip_sign(s), is_digit)) return ValueType::integer;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_octal)) {
    return ValueType::integer;
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), is_hex)) {
    return ValueType::integer;
  }
  if (is_core_float(s)) return ValueType::floating;
  return ValueType::string;
}

ValueType value_type(const Node& n) {
  switch (n.type()) {
    case Node::Type::null:
      return n.tag() == std::string(kCoreTag) + "str" ? ValueType::string : ValueType::null;
    case Node::Type::sequence:
      return ValueType::sequence;
    case Node::Type::mapping:
      return ValueType::mapping;
    case Node::Type::scalar:
      break;
  }
  const std::string_view tag = n.tag();
  if (tag == "?") return resolve_plain(n.scalar());  // plain: resolve by content
  if (tag == "!") return ValueType::string;          // quoted or block: always a string
  if (tag.starts_with(kCoreTag)) {
    const std::string_view t = tag.substr(kCoreTag.size());
    if (t == "str") return ValueType::string;
    if (t == "int") return ValueType::integer;
    if (t == "float") return ValueType::floating;
    if (t == "bool") return ValueType::boolean;
    if (t == "null") return ValueType::null;
  }
  return ValueType::other_tag;
}

std::string_view describe(ValueType t) {
  switch (t) {
    case ValueType::null:
      return "null";
    case ValueType::boolean:
      return "a boolean";
    case ValueType::integer:
      return "an integer";
    case ValueType::floating:
      return "a float";
    case ValueType::string:
      return "a string";
    case ValueType::sequence:
      return "a list";
    case ValueType::mapping:
      return "a mapping";
    case ValueType::other_tag:
      break;
  }
  return "a value with an unsupported tag";
}

Reader::Reader(std::string file, std::string_view text, Diagnostics& out, TextBudget& budget)
    : file_(std::move(file)), text_(text), out_(out), budget_(budget) {}

Position Reader::position(const YAML::Mark& m) const {
  if (m.is_null() || m.line < 0) return {};
  int column = m.column + 1;
  // yaml-cpp counts bytes; editors count characters. Recount the line's UTF-8 lead bytes when
  // the mark is consistent with the text (it always is for marks from this file's parse).
  if (m.column >= 0 && m.pos >= m.column && std::size_t(m.pos) <= text_.size()) {
    const std::size_t start = std::size_t(m.pos - m.column);
    if (start == 0 || text_[start - 1] == '\n') {
      std::size_t from = 0;
      int chars = 0;
      if (cached_line_start_ == start && cached_bytes_ <= std::size_t(m.column)) {
        from = cached_bytes_;
        chars = cached_chars_;
      }
      for (char c : text_.substr(start + from, std::size_t(m.column) - from)) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
      }
      cached_line_start_ = start;
      cached_bytes_ = std::size_t(m.column);
      cached_chars_ = chars;
      column = chars + 1;
    }
  }
  return {m.line + 1, column};
}

Location Reader::at(const YAML::Mark& m) const {
  const Position p = position(m);
  return {file_, p.line, p.column};
}

void Reader::error(Location where, std::string message) {
  out_.push_back(Diagnostic{std::move(where), std::move(message)});
}

std::vector<Field> Reader::fields(const Node& map, std::span<const std::string_view> names,
                                  std::string_view where_in) {
  std::vector<Field> result(names.size());
  for (std::size_t e = 0; e < map.size(); ++e) {
    const Node key = map.key(e);
    if (!key.is_scalar()) {
      error(at(key), std::string(where_in) + ": a key must be a name, not " +
                         std::string(describe(value_type(key))));
      continue;
    }
    const std::string_view k = key.scalar();
    std::size_t i = 0;
    while (i < names.size() && names[i] != k) ++i;
    if (i == names.size()) {
      if (k == "<<") {
        error(at(key),
              "<<: merge keys are not supported; anchor the whole value and refer to it "
              "instead, e.g. `profile: *acme_profile`");
        continue;
      }
      std::string message = label(k) + ": unknown key in " + std::string(where_in);
      if (std::string s = k.size() <= kQuotedChars ? nearest(k, names) : ""; !s.empty()) {
        message += "; did you mean '" + s + "'?";
      } else {
        message += "; valid keys are ";
        for (std::size_t j = 0; j < names.size(); ++j) {
          message += (j ? ", " : "") + std::string(names[j]);
        }
      }
      error(at(key), std::move(message));
      continue;
    }
    Field& f = result[i];
    if (f.present) {
      // yaml-cpp keeps every repeated key where YAML requires them unique.
      const YAML::Mark& first = f.key.mark();
      std::string message =
          std::string(k) + ": duplicate key, already set at line " + std::to_string(first.line + 1);
      if (first.line == key.mark().line) {
        message += ", column " + std::to_string(at(first).column);
      }
      error(at(key), message + "; remove one of them");
      continue;
    }
    f = Field{key, map.value(e), true};
  }
  return result;
}

std::string_view Reader::null_literal(const Node& n) const {
  if (!n.is_null()) return {};
  const YAML::Mark& m = n.mark();
  if (m.pos < 0 || std::size_t(m.pos) >= text_.size()) return {};
  const std::string_view rest = text_.substr(std::size_t(m.pos));
  for (std::string_view literal : {"~", "null", "Null", "NULL"}) {
    if (!rest.starts_with(literal)) continue;
    // An empty value's mark points at the next token, which might be `nullable: ...`.
    const std::string_view after = rest.substr(literal.size());
    if (after.empty() || std::string_view(" \t\r\n,]}#").find(after[0]) != std::string_view::npos) {
      return literal;
    }
  }
  return {};
}

Location Reader::empty_at(const Node& n) const {
  const YAML::Mark& m = n.mark();
  if (m.pos <= 0 || std::size_t(m.pos) > text_.size()) return at(m);
  std::size_t pos = std::size_t(m.pos);
  while (pos > 0 && std::string_view(" \t\r\n").find(text_[pos - 1]) != std::string_view::npos) {
    --pos;
  }
  if (pos == 0) return at(m);
  --pos;
  const std::size_t line_start = text_.rfind('\n', pos) + 1;  // npos + 1 == 0
  // The line breaks skipped, counted back from the mark's own line (counting from the top
  // of the file for each of a million empty items would take quadratic time).
  const std::string_view skipped = text_.substr(pos, std::size_t(m.pos) - pos);
  YAML::Mark found = m;
  found.pos = int(pos);
  found.column = int(pos - line_start);
  found.line = m.line - int(std::count(skipped.begin(), skipped.end(), '\n'));
  return at(found);
}

Location Reader::value_at(const Field& field) const {
  if (field.value.is_null() && null_literal(field.value).empty()) return at(field.key);
  return at(field.value);
}

std::optional<std::string> Reader::string(const Field& field) {
  const Node& v = field.value;
  const ValueType t = value_type(v);
  const std::string name = field.name();
  if (t == ValueType::string) {
    const std::string_view text = v.scalar();
    if (budget_.used + text.size() > budget_.limit) {
      if (!budget_.reported) {
        budget_.reported = true;
        error(at(field.key), name + ": the values read so far, aliases expanded, pass " +
                                 std::to_string(budget_.limit >> 20) +
                                 " MiB, cforg's limit for a config (the same as for its "
                                 "files); is an alias used many times over (an alias bomb)?");
      }
      return std::nullopt;
    }
    budget_.used += text.size();
    return std::string(text);
  }
  switch (t) {
    case ValueType::null:
      if (std::string_view literal = null_literal(v); !literal.empty()) {
        error(at(v),
              name + ": expected a string, got null; quote it: \"" + std::string(literal) + "\"");
      } else {
        error(at(field.key), name + ": has no value; write a string");
      }
      break;
    case ValueType::boolean:
    case ValueType::integer:
    case ValueType::floating:
      if (v.scalar().size() <= kQuotedChars) {
        error(at(v), name + ": expected a string, got " + std::string(describe(t)) +
                         "; quote it: \"" + std::string(v.scalar()) + "\"");
      } else {
        error(at(v), name + ": expected a string, got " + std::string(describe(t)) + " " +
                         excerpt(v.scalar()) + "; quote it");
      }
      break;
    case ValueType::other_tag:
      error(at(v), name + ": unsupported tag " + excerpt(v.tag()) + "; remove it");
      break;
    default:
      error(at(v), name + ": expected a string, got " + std::string(describe(t)));
      break;
  }
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const Field& field) {
  const Node& v = field.value;
  const ValueType t = value_type(v);
  const std::string name = field.name();
  if (t == ValueType::boolean) return ascii_iequals(v.scalar(), "true");
  if (t == ValueType::null && null_literal(v).empty()) {
    error(at(field.key), name + ": has no value; write true or false");
  } else if (t == ValueType::string &&
             (ascii_iequals(v.scalar(), "true") || ascii_iequals(v.scalar(), "false"))) {
    error(at(v), name + ": expected true or false, got a string; remove the quotes");
  } else if (t == ValueType::string) {
    error(at(v), name + ": expected true or false, got a string " + excerpt(v.scalar()));
  } else {
    error(at(v), name + ": expected true or false, got " + std::string(describe(t)));
  }
  return std::nullopt;
}

}  // namespace cforg::config::detail
