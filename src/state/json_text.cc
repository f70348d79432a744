#include "json_text.h"

#include <algorithm>

#include "cforg/model/json_fields.h"
#include "cforg/model/json_parse.h"
#include "cforg/state/state.h"

namespace cforg::state {
namespace {

// A state's documents are 5 levels deep (an org's meta may add a few): far below this.
constexpr int kMaxStateDepth = 64;

// "where:line:column: invalid JSON: ..." for a syntax error, at the character that could not be
// parsed; "where: invalid JSON: ..." for what the strict reader refuses.
[[noreturn]] void throw_parse_error(std::string_view text, const std::string& where,
                                    const JsonParse& parsed) {
  throw StateError(parsed.located(where, text) + ": invalid JSON: " + parsed.message());
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

void raise_state_error(const JsonFieldError& e) {
  throw StateError(e.what());
}

nlohmann::json parse_json_text(std::string_view text, const std::string& where) {
  // Strict: a key twice would otherwise keep the last value silently, and a number beyond a
  // double's range would escape as an "unexpected" error without a place.
  JsonParse parsed = parse_json_checked(text, kMaxStateDepth);
  if (!parsed.ok()) throw_parse_error(text, where, parsed);
  return std::move(parsed.value);
}

StateHeader scan_state_header(std::string_view text, const std::string& where) {
  HeaderScanner scanner;
  if (!nlohmann::json::sax_parse(text, &scanner)) {
    JsonParse failed;
    failed.problem = scanner.error_what;
    failed.syntax_error = true;
    failed.error_byte = scanner.error_byte;
    throw_parse_error(text, where, failed);
  }
  return scanner.header;
}

}  // namespace cforg::state
