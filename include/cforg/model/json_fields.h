// Reading a JSON document someone else wrote (a state, a plan, a journal line, a lock file, an
// API answer) field by field. Each read checks the type, and each failure names the source,
// the field's path and what was expected:
//
//   state/cforg.state.json: organizations.eu.id: expected a string, found number
//
// A type is read by `read_json(const JsonAt&, T&)`, found by ADL: the overloads below for
// scalars and containers, and one beside each type of the project that is read from JSON (next
// to its `to_json`, nlohmann's writer), so that a field is added in one place. A reader of an
// object is a few lines:
//
//   void read_json(const JsonAt& at, LockInfo& out) {
//     JsonObject o(at, UnknownFields::allow);
//     out.id = o.required<std::string>("id");
//     out.pid = o.required<int>("pid");
//     o.done();
//   }
//
// The syntax comes first: parse with parse_json_checked (json_parse.h).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cforg {

// A field that is missing, mistyped, out of range or unknown. what() is
// "source: path: problem", without the parts that are empty. An std::invalid_argument, as the
// model's readers threw before.
class JsonFieldError : public std::invalid_argument {
 public:
  JsonFieldError(std::string source, std::string path, std::string problem);
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }        // "organizations.eu.id"; "" for the top
  const std::string& problem() const { return problem_; }  // "expected a string, found number"
  // "path: problem" (or the problem alone at the top): what() without the source, for a
  // caller that words the source itself ("j:1: not a cforg journal header: lineage: missing").
  std::string field_problem() const;

 private:
  std::string source_, path_, problem_;
};

// How a document's reader reports a bad field: a function that throws the error type its
// callers catch (the state's readers throw StateError, with the same message). Without one,
// the JsonFieldError itself is thrown.
using JsonRaise = void (*)(const JsonFieldError&);

// A value of a document being read, and where it is: the source and the path to it. The path
// is built only when a message needs it: a value refers to the one it was reached from, which
// must outlive it (as it does when values are read as they are reached, top-down).
class JsonAt {
 public:
  // `source` ("state/cforg.state.json", "" for none) must outlive this value and those reached
  // from it; `path` is where `j` sits ("" at the top of a document).
  JsonAt(const nlohmann::json& j, std::string_view source, std::string path = {},
         JsonRaise raise = nullptr)
      : j_(&j), source_(source), base_(std::move(path)), raise_(raise) {}

  const nlohmann::json& json() const { return *j_; }
  std::string_view source() const { return source_; }
  std::string path() const;

  // The member `key` / element `i` of this value, which the caller found in it. `key` must
  // outlive the result (a literal, or a key of the document).
  JsonAt member(const nlohmann::json& value, std::string_view key) const {
    return JsonAt(value, this, key, 0);
  }
  JsonAt element(const nlohmann::json& value, std::size_t i) const {
    return JsonAt(value, this, {}, i);
  }

  // Throws (through the document's JsonRaise) "source: path: problem".
  [[noreturn]] void fail(std::string problem) const;
  // fail("expected <what>, found <this value's type>").
  [[noreturn]] void mistyped(std::string_view what) const;

  template <typename T>
  T get() const {
    T out{};
    read_json(*this, out);  // ADL: the overloads below, or the one beside T
    return out;
  }

 private:
  JsonAt(const nlohmann::json& j, const JsonAt* parent, std::string_view key, std::size_t index)
      : j_(&j),
        source_(parent->source_),
        raise_(parent->raise_),
        parent_(parent),
        key_(key),
        index_(index) {}

  const nlohmann::json* j_;
  std::string_view source_;
  std::string base_;  // the path of a top value
  JsonRaise raise_;
  const JsonAt* parent_ = nullptr;  // the value this one is a member (key_) or element of
  std::string_view key_;
  std::size_t index_ = 0;
};

// Members nobody asked for: refused (a state: a typo in a hand edit, or a field of a newer
// cforg that this one would drop) or ignored (a document that may grow, or is sealed by a
// digest).
enum class UnknownFields { refuse, allow };

// The members of one object, read by name. Construction fails unless the value is an object.
// Keys passed in must outlive this reader (literals, as they are at every call site).
class JsonObject {
 public:
  JsonObject(const JsonAt& at, UnknownFields unknown);

  // The member, or nullptr when absent. Every lookup counts as known, found or not.
  const nlohmann::json* find(std::string_view key);
  // The member, which must be there ("missing"), as a value to read further.
  JsonAt at(std::string_view key);

  // A member of type T: required (missing: an error), or optional (absent: nullopt, or
  // `absent`). A member that may be null is a std::optional<T> (null: nullopt).
  template <typename T>
  T required(std::string_view key) {
    return at(key).get<T>();
  }
  template <typename T>
  std::optional<T> optional(std::string_view key) {
    const nlohmann::json* v = find(key);
    if (!v) return std::nullopt;
    return at_.member(*v, key).get<T>();
  }
  template <typename T>
  T optional(std::string_view key, T absent) {
    std::optional<T> v = optional<T>(key);
    return v ? std::move(*v) : std::move(absent);
  }

  // Fails naming the member `key` ("source: path.key: problem").
  [[noreturn]] void fail(std::string_view key, std::string problem) const;
  // The path of the member `key`, for messages.
  std::string path(std::string_view key) const;
  const JsonAt& where() const { return at_; }

  // After every member was read: with UnknownFields::refuse, a member nobody asked for is an
  // error naming it and the known ones.
  void done() const;

 private:
  JsonAt at_;
  UnknownFields unknown_;
  std::vector<std::string_view> known_;
  std::size_t found_ = 0;
};

// The readers of JSON's own types. Numbers must be integers within T's range; an integer
// reader accepts no fraction ("7.0" is no serial).
void read_json(const JsonAt& at, std::string& out);
void read_json(const JsonAt& at, bool& out);
void read_json(const JsonAt& at, double& out);
void read_json(const JsonAt& at, nlohmann::json& out);  // any value, as it is

namespace json_fields_detail {
std::uint64_t read_unsigned(const JsonAt& at, std::uint64_t max);
std::int64_t read_signed(const JsonAt& at, std::int64_t min, std::int64_t max);
}  // namespace json_fields_detail

template <typename T>
requires(std::unsigned_integral<T> && !std::same_as<T, bool>) void read_json(const JsonAt& at,
                                                                             T& out) {
  out = static_cast<T>(json_fields_detail::read_unsigned(at, std::numeric_limits<T>::max()));
}

template <typename T>
requires std::signed_integral<T>
void read_json(const JsonAt& at, T& out) {
  out = static_cast<T>(json_fields_detail::read_signed(at, std::numeric_limits<T>::min(),
                                                       std::numeric_limits<T>::max()));
}

// null, or a T.
template <typename T>
void read_json(const JsonAt& at, std::optional<T>& out) {
  if (at.json().is_null()) {
    out.reset();
    return;
  }
  out = at.get<T>();
}

template <typename T>
void read_json(const JsonAt& at, std::vector<T>& out) {
  if (!at.json().is_array()) at.mistyped("an array");
  out.clear();
  out.reserve(at.json().size());
  for (std::size_t i = 0; i < at.json().size(); ++i) {
    out.push_back(at.element(at.json()[i], i).get<T>());
  }
}

// An array; an element twice is kept once, as inserting it again would.
template <typename T>
void read_json(const JsonAt& at, std::set<T>& out) {
  if (!at.json().is_array()) at.mistyped("an array");
  out.clear();
  for (std::size_t i = 0; i < at.json().size(); ++i) {
    out.insert(at.element(at.json()[i], i).get<T>());
  }
}

// An object of T by key.
template <typename T>
void read_json(const JsonAt& at, std::map<std::string, T>& out) {
  if (!at.json().is_object()) at.mistyped("an object");
  out.clear();
  for (auto it = at.json().begin(); it != at.json().end(); ++it) {
    out.emplace_hint(out.end(), it.key(), at.member(it.value(), it.key()).get<T>());
  }
}

}  // namespace cforg
