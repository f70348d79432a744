#include "json_text.h"

#include <algorithm>

#include "cforg/model/json_parse.h"
#include "cforg/model/printable.h"
#include "cforg/state/state.h"

namespace cforg::state {
namespace {

// A state's documents are 5 levels deep (an org's meta may add a few): far below this.
constexpr int kMaxStateDepth = 64;

// nlohmann's messages read "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error while parsing value - ..."; keep what follows the location, which we compute
// ourselves from the byte offset.
std::string describe_parse_error(const std::string& what) {
  std::size_t column = what.find("column ");
  std::size_t colon = what.find(": ", column == std::string::npos ? 0 : column);
  if (colon != std::string::npos) return what.substr(colon + 2);
  std::size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

[[noreturn]] void throw_syntax_error(std::string_view text, const std::string& where,
                                     std::size_t byte, const std::string& what) {
  // `byte` counts from 1 and points at the character that could not be parsed (one past the
  // end for a truncated document).
  throw StateError(where + ":" + text_place(text, byte) +
                   ": invalid JSON: " + printable(describe_parse_error(what)));
}

// Captures the top-level scalars and checks the syntax of the rest.
class HeaderScanner : public nlohmann::json_sax<nlohmann::json> {
 public:
  StateHeader header;
  std::size_t error_byte = 0;
  std::string error_what;

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t v) override {
    if (depth_ == 1 && key_ == "format_version") header.format_version = v;
    return scalar();
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (depth_ == 1 && key_ == "format_version") {
      header.format_version = static_cast<std::int64_t>(std::min<std::uint64_t>(v, INT64_MAX));
    }
    if (depth_ == 1 && key_ == "serial") header.serial = v;
    return scalar();
  }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool string(string_t& v) override {
    if (depth_ == 1 && key_ == "lineage") header.lineage = v;
    return scalar();
  }
  bool binary(binary_t&) override { return scalar(); }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_byte = position;
    error_what = ex.what();
    return false;
  }

 private:
  bool scalar() { return true; }
  bool close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  std::string key_;
};

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& where) {
  // Strict: a key twice would otherwise keep the last value silently, and a number beyond a
  // double's range would escape as an "unexpected" error without a place.
  JsonParse parsed = parse_json_checked(text, kMaxStateDepth);
  if (parsed.syntax_error) throw_syntax_error(text, where, parsed.error_byte, parsed.problem);
  if (!parsed.ok()) throw StateError(where + ": invalid JSON: " + parsed.problem);
  return std::move(parsed.value);
}

StateHeader scan_state_header(std::string_view text, const std::string& where) {
  HeaderScanner scanner;
  if (!nlohmann::json::sax_parse(text, &scanner)) {
    throw_syntax_error(text, where, scanner.error_byte, scanner.error_what);
  }
  return scanner.header;
}

}  // namespace cforg::state
