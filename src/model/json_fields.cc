#include "cforg/model/json_fields.h"

#include <algorithm>

#include "cforg/model/printable.h"

namespace cforg {
namespace {

// "source: path: problem" without the empty parts. The path may hold keys from the file, which
// are shown printably (a key with an escape sequence must not reach the terminal raw).
std::string message(const std::string& source, const std::string& path,
                    const std::string& problem) {
  std::string out;
  if (!source.empty()) out += source + ": ";
  if (!path.empty()) out += printable(path) + ": ";
  return out + problem;
}

}  // namespace

JsonFieldError::JsonFieldError(std::string source, std::string path, std::string problem)
    : std::invalid_argument(message(source, path, problem)),
      source_(std::move(source)),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

std::string JsonFieldError::field_problem() const {
  return message("", path_, problem_);
}

std::string JsonAt::path() const {
  // Segments from here up to the top, then joined top-down.
  std::vector<const JsonAt*> chain;
  for (const JsonAt* a = this; a->parent_; a = a->parent_) chain.push_back(a);
  const JsonAt* top = chain.empty() ? this : chain.back()->parent_;
  std::string out = top->base_;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonAt& a = **it;
    if (a.parent_->j_->is_array()) {
      out += "[" + std::to_string(a.index_) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += a.key_;
    }
  }
  return out;
}

void JsonAt::fail(std::string problem) const {
  JsonFieldError e(std::string(source_), path(), std::move(problem));
  if (raise_) raise_(e);
  throw e;  // no JsonRaise, or one that returned
}

void JsonAt::mistyped(std::string_view what) const {
  fail("expected " + std::string(what) + ", found " + j_->type_name());
}

JsonObject::JsonObject(const JsonAt& at, UnknownFields unknown) : at_(at), unknown_(unknown) {
  if (!at.json().is_object()) at.mistyped("an object");
}

const nlohmann::json* JsonObject::find(std::string_view key) {
  // A member looked up twice counts once, or done() could miss an unknown one.
  bool again = std::find(known_.begin(), known_.end(), key) != known_.end();
  if (!again) known_.push_back(key);
  auto it = at_.json().find(key);
  if (it == at_.json().end()) return nullptr;
  if (!again) ++found_;
  return &*it;
}

JsonAt JsonObject::at(std::string_view key) {
  const nlohmann::json* v = find(key);
  if (!v) fail(key, "missing");
  return at_.member(*v, key);
}

void JsonObject::fail(std::string_view key, std::string problem) const {
  at_.member(at_.json(), key).fail(std::move(problem));
}

std::string JsonObject::path(std::string_view key) const {
  return at_.member(at_.json(), key).path();
}

void JsonObject::done() const {
  if (unknown_ == UnknownFields::allow) return;
  if (at_.json().size() == found_) return;  // every member was asked for (none twice)
  for (auto it = at_.json().begin(); it != at_.json().end(); ++it) {
    if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
    std::vector<std::string_view> names = known_;
    std::sort(names.begin(), names.end());
    std::string list;
    for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
    fail(it.key(), "unknown field (the known ones: " + list + ")");
  }
}

void read_json(const JsonAt& at, std::string& out) {
  if (!at.json().is_string()) at.mistyped("a string");
  out = at.json().get_ref<const std::string&>();
}

void read_json(const JsonAt& at, bool& out) {
  if (!at.json().is_boolean()) at.mistyped("true or false");
  out = at.json().get<bool>();
}

void read_json(const JsonAt& at, double& out) {
  if (!at.json().is_number()) at.mistyped("a number");
  out = at.json().get<double>();
}

void read_json(const JsonAt& at, nlohmann::json& out) {
  out = at.json();
}

namespace json_fields_detail {

std::uint64_t read_unsigned(const JsonAt& at, std::uint64_t max) {
  const nlohmann::json& j = at.json();
  // A document built in memory holds 7 as a signed integer; one parsed holds it unsigned.
  bool ok = j.is_number_unsigned() || (j.is_number_integer() && j.get<std::int64_t>() >= 0);
  if (!ok) at.mistyped("a non-negative integer");
  auto v = j.get<std::uint64_t>();
  if (v > max) {
    at.fail(std::to_string(v) + " is out of range (at most " + std::to_string(max) + ")");
  }
  return v;
}

std::int64_t read_signed(const JsonAt& at, std::int64_t min, std::int64_t max) {
  const nlohmann::json& j = at.json();
  if (!j.is_number_integer()) at.mistyped("an integer");
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    at.fail(std::to_string(j.get<std::uint64_t>()) + " is out of range (at most " +
            std::to_string(max) + ")");
  }
  auto v = j.get<std::int64_t>();
  if (v < min || v > max) {
    at.fail(std::to_string(v) + " is out of range (" + std::to_string(min) + " to " +
            std::to_string(max) + ")");
  }
  return v;
}

}  // namespace json_fields_detail
}  // namespace cforg
