// Every error the emulator answers, in one place: the HTTP status and the Cloudflare-style
// `errors[].code`. docs/EMULATOR.md has the same table; keep them in step.
//
// Codes that Cloudflare documents are reused as-is (10000, 7003, 971). Cloudflare does not
// publish codes for the Organizations API's validation errors, so the 1001..1099 range is the
// emulator's own: each distinct mistake gets its own code so that tests can assert *which* rule
// fired, not merely that something was wrong.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace cforg::emulator {

namespace code {
// Request body (POST/PUT).
inline constexpr int kBodyNotJson = 1001;
inline constexpr int kBodyNotObject = 1002;
inline constexpr int kNameMissing = 1003;
inline constexpr int kNameNotString = 1004;
inline constexpr int kNameEmpty = 1005;
inline constexpr int kParentNotObject = 1006;
inline constexpr int kParentIdNotString = 1007;
inline constexpr int kParentNotFound = 1008;
inline constexpr int kParentCycle = 1009;
inline constexpr int kProfileNotObject = 1010;
inline constexpr int kProfileFieldInvalid = 1011;
inline constexpr int kFieldNotUpdatable = 1017;  // PUT with --put-extra-fields reject
// Delete.
inline constexpr int kNotEmpty = 1012;
// List query.
inline constexpr int kPageSizeInvalid = 1013;
inline constexpr int kPageTokenMalformed = 1014;
inline constexpr int kPageTokenMismatch = 1015;
inline constexpr int kFilterInvalid = 1016;
inline constexpr int kPageSizeTooLarge = 1019;  // over --max-page-size with reject
// Lookups.
inline constexpr int kOrganizationNotFound = 1020;
inline constexpr int kProfileNotFound = 1021;  // --profile-missing 404
// The test hooks (/__emulator/*).
inline constexpr int kHookInvalid = 1030;
// Members (POST .../members, .../members:batchCreate).
inline constexpr int kMemberNotObject = 1040;  // `member` / a batch item missing or not an object
inline constexpr int kMemberEmailInvalid = 1041;   // user.email missing or not email-shaped
inline constexpr int kMemberStatusInvalid = 1042;  // status other than "active" / "canceled"
inline constexpr int kBatchInvalid = 1043;         // `members` not an array of 1..100 items
inline constexpr int kMemberExists = 1044;         // 409 under --member-exists conflict
inline constexpr int kMemberNotFound = 1045;       // 404
// Accounts.
inline constexpr int kAccountNotFound = 1046;     // 404
inline constexpr int kDestinationInvalid = 1047;  // destination_organization_id missing
inline constexpr int kOrganizationFull = 1048;    // the destination holds 500 accounts
inline constexpr int kNotImplemented = 1049;      // 501 POST /accounts/move (batch)

// Cloudflare's own codes.
inline constexpr int kAuthentication = 10000;   // 403 "Authentication error"
inline constexpr int kRouteNotFound = 7003;     // 404 "Could not route to ..."
inline constexpr int kMethodNotAllowed = 7001;  // 405
inline constexpr int kRateLimited = 971;        // 429 "Please wait and consider throttling ..."
// 403 in the post-create window, and for a token on an endpoint that needs the global key
// (--auth strict), are both kAuthentication: the real API gives no other code to tell them by.

// Injected faults and the emulator's own failures.
inline constexpr int kInternalError = 1500;       // 500
inline constexpr int kBadGateway = 1502;          // 502 (ambiguous: the change WAS committed)
inline constexpr int kServiceUnavailable = 1503;  // 503
inline constexpr int kRequestRejected = 1400;     // httplib refused the request itself (413, ...)
}  // namespace code

// One error of the envelope, with the HTTP status it maps to.
struct ApiError {
  int status = 400;
  int code = 0;
  std::string message;
  std::string pointer;  // JSON pointer into the request body (`/parent/id`); empty: none
};

// A value or the error that replaced it.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
  Outcome(ApiError error) : value_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const { return std::get<T>(value_); }
  T& value() { return std::get<T>(value_); }
  const ApiError& error() const { return std::get<ApiError>(value_); }

 private:
  std::variant<T, ApiError> value_;
};

}  // namespace cforg::emulator
