// Placeholder for the member and account calls while they are being written (issue 20): each
// answers a protocol error saying so. Replaced by the real calls before anything uses them.
#include "cforg/api/client.h"
#include <stdexcept>

#include "envelope.h"

namespace cforg::api {
namespace {
ApiError not_yet(const std::string& what) {
  return protocol_error(what, 0, "not implemented yet");
}
}  // namespace

Result<std::vector<Member>> HttpClient::list_members(const std::string&, const std::string&) {
  return not_yet("GET /organizations/{id}/members");
}
Result<Member> HttpClient::create_member(const std::string&, const MemberSpec&) {
  return not_yet("POST /organizations/{id}/members");
}
std::vector<MemberCreated> HttpClient::create_members(const std::string&,
                                                      const std::vector<MemberSpec>& members) {
  std::vector<MemberCreated> out;
  for (const MemberSpec& m : members) out.push_back({m.email, not_yet("POST members")});
  return out;
}
Result<Empty> HttpClient::remove_member(const std::string&, const std::string&) {
  return not_yet("DELETE /organizations/{id}/members/{member_id}");
}
Result<std::vector<Account>> HttpClient::list_accounts(const std::string&) {
  return not_yet("GET /organizations/{id}/accounts");
}
Result<AccountMove> HttpClient::move_account(const std::string&, const std::string&) {
  return not_yet("POST /accounts/{account_id}/move");
}

Member member_from_json(const nlohmann::json&) {
  throw std::invalid_argument("member_from_json: not implemented yet");
}
Account account_from_json(const nlohmann::json&) {
  throw std::invalid_argument("account_from_json: not implemented yet");
}
AccountMove account_move_from_json(const nlohmann::json&) {
  throw std::invalid_argument("account_move_from_json: not implemented yet");
}

}  // namespace cforg::api
