#include "cforg/model/json_parse.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "cforg/model/printable.h"

namespace cforg {
namespace {

using Json = nlohmann::json;

// nlohmann's DOM builder behind a SAX filter that counts depth and remembers each open object's
// keys. (Its parse callback could do the same, but it makes a parse of a large array of
// objects take seconds instead of milliseconds.)
class CheckedSax {
 public:
  CheckedSax(Json& out, int max_depth) : dom_(out, /*allow_exceptions=*/false), max_(max_depth) {}

  bool null() { return scalar() && dom_.null(); }
  bool boolean(bool v) { return scalar() && dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return scalar() && dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return scalar() && dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return scalar() && dom_.number_float(v, s);
  }
  bool string(Json::string_t& v) { return scalar() && dom_.string(v); }
  bool binary(Json::binary_t& v) { return scalar() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!enter()) return false;
    if (open_ == objects_.size()) objects_.emplace_back();
    objects_[open_++].clear();
    return dom_.start_object(n);
  }
  bool key(Json::string_t& k) {
    if (!objects_[open_ - 1].add(k)) {
      std::string shown = k.size() > 60 ? k.substr(0, 60) + "…" : k;
      problem = "an object has the key \"" + shown + "\" twice" +
                (path_.empty() ? "" : " (in " + path_ + ")");
      return false;
    }
    last_key_ = k;
    after_key_ = true;
    return dom_.key(k);
  }
  bool end_object() {
    --open_;
    leave();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() {
    leave();
    return dom_.end_array();
  }
  bool parse_error(std::size_t at, const std::string& token, const nlohmann::detail::exception& e) {
    problem = e.what();
    syntax_error = true;
    error_byte = at;
    return dom_.parse_error(at, token, e);
  }

  std::string problem;
  bool syntax_error = false;
  std::size_t error_byte = 0;

 private:
  // Keys of one open object: a few compared in a vector (most objects), many in a set (a state's
  // organizations by key).
  struct Keys {
    std::vector<std::string> few;
    std::unordered_set<std::string> many;
    void clear() {
      few.clear();
      many.clear();
    }
    bool add(const std::string& k) {
      if (!many.empty()) return many.insert(k).second;
      for (const std::string& f : few) {
        if (f == k) return false;
      }
      few.push_back(k);
      if (few.size() > 16) {
        many.insert(few.begin(), few.end());
        few.clear();
      }
      return true;
    }
  };

  bool enter() {
    if (++depth_ > max_) {
      problem = "nested deeper than " + std::to_string(max_) + " levels";
      return false;
    }
    // The path to the value being opened, for messages: only the first two levels (say,
    // organizations.acme), which is where a person looks.
    if (after_key_ && depth_ <= 3) {
      path_ += (path_.empty() ? "" : ".") + last_key_;
      marks_.push_back(depth_);
    }
    after_key_ = false;
    return true;
  }
  bool scalar() {
    after_key_ = false;
    return true;
  }
  void leave() {
    if (!marks_.empty() && marks_.back() == depth_) {
      marks_.pop_back();
      auto dot = path_.rfind('.');
      path_.erase(dot == std::string::npos ? 0 : dot);
    }
    --depth_;
    after_key_ = false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int max_;
  int depth_ = 0;
  std::size_t open_ = 0;  // objects open: objects_[0 .. open_)
  std::vector<Keys> objects_;
  std::string last_key_, path_;
  bool after_key_ = false;  // the next value is last_key_'s
  std::vector<int> marks_;  // depths at which path_ grew
};

}  // namespace

JsonParse parse_json_checked(std::string_view text, int max_depth) {
  JsonParse out;
  CheckedSax sax(out.value, max_depth);
  bool ok = Json::sax_parse(text.begin(), text.end(), &sax);
  if (!ok || !sax.problem.empty()) {
    out.value = Json(Json::value_t::discarded);
    out.problem = sax.problem.empty() ? "not JSON" : sax.problem;
    out.syntax_error = sax.syntax_error;
    out.error_byte = sax.error_byte;
  }
  return out;
}

std::string JsonParse::message() const {
  if (!syntax_error) return printable(problem);
  // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
  // parsing value - ...": what follows the location.
  std::size_t column = problem.find("column ");
  std::size_t colon = problem.find(": ", column == std::string::npos ? 0 : column);
  std::size_t bracket = problem.find("] ");
  std::string rest = column != std::string::npos && colon != std::string::npos
                         ? problem.substr(colon + 2)
                     : bracket != std::string::npos ? problem.substr(bracket + 2)
                                                    : problem;
  return printable(rest);
}

std::string JsonParse::located(std::string_view where, std::string_view text,
                               std::size_t offset) const {
  if (!syntax_error) return std::string(where);
  // error_byte counts from 1 (one past the end for a document cut short); 0 never comes, but
  // would mean the first byte.
  std::size_t byte = offset + std::max<std::size_t>(error_byte, 1);
  return std::string(where) + ":" + text_place(text, byte);
}

}  // namespace cforg
