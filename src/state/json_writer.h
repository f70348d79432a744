// Writing the state file and journal lines as text directly, without building an
// nlohmann::json document first: building it was most of the cost of a journal append and of
// saving a large state. The output is byte for byte what nlohmann's dump() would give for the
// same document (the tests hold it to that), so readers and diffs see no difference.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cforg::state::detail {

// A JSON string as nlohmann's dump() writes it. Printable ASCII, the bulk of every name, key
// and id, is copied as it is; anything else goes through nlohmann, which escapes it and
// rejects invalid UTF-8 (json::type_error).
void append_json_string(std::string& out, std::string_view s);

// Objects, members in the order given: callers write them sorted by name, as a std::map-backed
// nlohmann object dumps them; and arrays of values.
class JsonWriter {
 public:
  // `indent` < 0: compact, as dump(); otherwise as dump(indent).
  JsonWriter(std::string& out, int indent) : out_(out), indent_(indent) {}

  void begin_object();
  void end_object();
  void key(std::string_view name);  // then exactly one value
  void begin_array();
  void end_array();
  void element();  // then exactly one value
  void string(std::string_view value) { append_json_string(out_, value); }
  void literal(std::string_view value) { out_ += value; }  // true, false, null, a number
  void value(const nlohmann::json& j);                     // any document, as dump() writes it

 private:
  void newline();

  std::string& out_;
  int indent_;
  int depth_ = 0;
  bool empty_ = true;  // no member yet in the innermost open object
};

}  // namespace cforg::state::detail
