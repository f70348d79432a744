#include "response_text.h"

#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace cforg::api {
namespace {

using Json = nlohmann::json;

// nlohmann's DOM builder behind a SAX filter that counts depth and remembers each open object's
// keys. (Its parse callback could do the same, but it makes a parse of a large array of
// objects take seconds instead of milliseconds.)
class CheckedSax {
 public:
  explicit CheckedSax(Json& out) : dom_(out, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(Json::string_t& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!enter()) return false;
    if (open_ == keys_.size()) keys_.emplace_back();
    keys_[open_++].clear();
    return dom_.start_object(n);
  }
  bool key(Json::string_t& k) {
    if (!keys_[open_ - 1].insert(k).second) {
      problem = "an object has the key \"" + printable(k, 60) + "\" twice";
      return false;
    }
    return dom_.key(k);
  }
  bool end_object() {
    --open_;
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t at, const std::string& token, const nlohmann::detail::exception& e) {
    problem = "not JSON";
    return dom_.parse_error(at, token, e);
  }

  std::string problem;

 private:
  bool enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    problem = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int depth_ = 0;
  std::size_t open_ = 0;  // objects open: keys_[0 .. open_)
  std::vector<std::unordered_set<std::string>> keys_;
};

}  // namespace

ParsedBody parse_body(std::string_view body) {
  ParsedBody out;
  CheckedSax sax(out.value);
  bool ok = Json::sax_parse(body.begin(), body.end(), &sax);
  if (!ok || !sax.problem.empty()) {
    out.value = Json(Json::value_t::discarded);
    out.problem = sax.problem.empty() ? "not JSON" : sax.problem;
  }
  return out;
}

namespace {

// The length of the UTF-8 sequence starting at s[i], 0 when it is not a valid one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  }
  if (n == 2 && b < 0xC2) return 0;  // overlong
  return n;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_length(text, i);
    if (out.size() + std::max<std::size_t>(n, 1) > max_bytes) {
      out += "…";
      return out;
    }
    auto b = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out += '?';
      ++i;
    } else if (n == 1) {
      out += (b < 0x20 || b == 0x7F) ? ' ' : text[i];
      ++i;
    } else if (n == 2 && b == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      out += ' ';  // C1 controls, U+0080..U+009F (CSI among them)
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace cforg::api
