#include "json_writer.h"

#include <algorithm>

namespace cforg::state::detail {

void append_json_string(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(std::string(s)).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void JsonWriter::begin_object() {
  out_ += '{';
  ++depth_;
  empty_ = true;
}

void JsonWriter::end_object() {
  --depth_;
  if (!empty_) newline();  // dump() writes an empty object as {}
  out_ += '}';
  empty_ = false;  // the object just closed is a member of the one around it
}

void JsonWriter::begin_array() {
  out_ += '[';
  ++depth_;
  empty_ = true;
}

void JsonWriter::end_array() {
  --depth_;
  if (!empty_) newline();  // dump() writes an empty array as []
  out_ += ']';
  empty_ = false;
}

void JsonWriter::element() {
  if (!empty_) out_ += ',';
  empty_ = false;
  newline();
}

void JsonWriter::key(std::string_view name) {
  if (!empty_) out_ += ',';
  empty_ = false;
  newline();
  append_json_string(out_, name);
  out_ += indent_ < 0 ? ":" : ": ";
}

void JsonWriter::value(const nlohmann::json& j) {
  if (indent_ < 0) {
    out_ += j.dump();
    return;
  }
  // dump(indent) starts at depth 0: shift its inner lines to ours. A newline in the text
  // is always between tokens (inside strings it is escaped).
  std::string text = j.dump(indent_);
  std::string pad(static_cast<std::size_t>(depth_ * indent_), ' ');
  for (char c : text) {
    out_ += c;
    if (c == '\n') out_ += pad;
  }
}

void JsonWriter::newline() {
  if (indent_ < 0) return;
  out_ += '\n';
  out_.append(static_cast<std::size_t>(depth_ * indent_), ' ');
}

}  // namespace cforg::state::detail
