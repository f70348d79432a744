// The typed client's member calls: list, create (one, or a batch while the server has
// batchCreate), remove. Each checks its ids before anything is sent and its answer after; the
// request loop sends them (rate budget, retries, the young-org gate: a member of an org
// created moments ago may be refused for a while, as a child's create is).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "cforg/api/client.h"
#include "client_impl.h"
#include "envelope.h"
#include "list_reader.h"
#include "request_loop.h"
#include "response_text.h"

namespace cforg::api {
namespace {

// The largest batch one batchCreate sends.
constexpr std::size_t kMaxBatch = 100;

std::string members_path(const std::string& org_id) {
  return org_path(org_id) + "/members";
}

// {"user": {"email"}, "status"}: a member as a create sends it. The status is always sent,
// though the contract says it may be left out, so that the server never picks one.
nlohmann::json member_spec_json(const MemberSpec& m) {
  return {{"user", {{"email", m.email}}}, {"status", std::string(to_string(m.status))}};
}

// An email that the create cannot send: refused before anything is sent.
std::optional<ApiError> bad_email(const std::string& request, const MemberSpec& m) {
  if (!m.email.empty()) return std::nullopt;
  return protocol_error(request, 0, "the member's email is empty");
}

// A created member must be the one asked for; the server did create something (a 2xx), so a
// wrong one is an unknown outcome: the caller looks the email up.
std::optional<ApiError> wrong_member(const std::string& request, const Member& m,
                                     const MemberSpec& asked) {
  if (canonical_email(m.email) == canonical_email(asked.email)) return std::nullopt;
  return protocol_error(request, 200,
                        "the created member is \"" + printable(m.email, 100) + "\", not \"" +
                            printable(asked.email, 100) + "\"",
                        true);
}

// The members of a batchCreate's answer. Its shape is not published: a list, or an object
// with a `members` list, are both read.
std::vector<Member> batch_members(nlohmann::json& result) {
  nlohmann::json* list = &result;
  if (result.is_object()) {
    auto m = result.find("members");
    if (m == result.end()) throw std::invalid_argument("result: no members list");
    list = &*m;
  }
  if (!list->is_array()) throw std::invalid_argument("result: not a list of members");
  std::vector<Member> out;
  out.reserve(list->size());
  for (const auto& item : *list) out.push_back(member_from_json(item));
  return out;
}

}  // namespace

Result<std::vector<Member>> HttpClient::list_members(const std::string& org_id,
                                                     const std::string& email) {
  if (auto e = bad_id("GET /organizations/{id}/members", "organization", org_id)) return *e;
  PagedList list{members_path(org_id), "", org_id, "members"};
  if (!email.empty()) add_query(list.filters, "user.email", email);
  // The server's user.email filter is "ends with" (bob@x.test finds jimbob@x.test): only the
  // exact match, in the API's case-insensitive sense, is kept.
  const std::string wanted = canonical_email(email);
  std::vector<Member> all;
  auto r = read_pages(impl_->loop, impl_->member_page_sizes, list, [&](nlohmann::json& item) {
    Member m = member_from_json(item);
    if (!wanted.empty() && canonical_email(m.email) != wanted) return false;
    all.push_back(std::move(m));
    return true;
  });
  if (!r) return r.error();
  return all;
}

Result<Member> HttpClient::create_member(const std::string& org_id, const MemberSpec& m) {
  if (auto e = bad_id("POST /organizations/{id}/members", "organization", org_id)) return *e;
  if (auto e = bad_email("POST /organizations/{id}/members", m)) return *e;
  // Never repeated after an unknown outcome (the retry policy sees to that for a POST): the
  // caller looks the email up instead. A second create for a member answers 409 or the
  // member (not published): the 409 is returned as it is, for the caller to look up.
  Call c{"POST", members_path(org_id), nlohmann::json{{"member", member_spec_json(m)}}.dump(),
         org_id};
  auto r = impl_->loop.call(c);
  if (!r) return r.error();
  Member member;
  try {
    member = member_from_json(r.value()["result"]);
  } catch (const std::exception& ex) {
    return protocol_error(c.line(), 200, ex.what(), true);
  }
  if (auto e = wrong_member(c.line(), member, m)) return *e;
  return member;
}

std::vector<MemberCreated> HttpClient::create_members(const std::string& org_id,
                                                      const std::vector<MemberSpec>& members) {
  std::vector<MemberCreated> out;
  out.reserve(members.size());
  const std::string batch_line = "POST /organizations/{id}/members:batchCreate";
  std::optional<ApiError> refused = bad_id(batch_line, "organization", org_id);
  for (const MemberSpec& m : members) {
    if (!refused) refused = bad_email(batch_line, m);
  }
  if (refused) {
    for (const MemberSpec& m : members) out.push_back({m.email, *refused});
    return out;
  }
  auto singles = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      out.push_back({members[i].email, create_member(org_id, members[i])});
    }
  };
  for (std::size_t from = 0; from < members.size(); from += kMaxBatch) {
    const std::size_t to = std::min(members.size(), from + kMaxBatch);
    if (impl_->no_batch_create.load()) {
      singles(from, to);
      continue;
    }
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = from; i < to; ++i) list.push_back(member_spec_json(members[i]));
    // The ':' is sent as it is: escape() is for the id only, and libcurl leaves a path's ':'.
    Call c{"POST", members_path(org_id) + ":batchCreate",
           nlohmann::json{{"members", std::move(list)}}.dump(), org_id};
    auto r = impl_->loop.call(c);
    if (!r) {
      const ApiError& e = r.error();
      const bool http = e.kind == ApiError::Kind::http && !e.outcome_unknown;
      if (http && (e.status == 404 || e.status == 405)) {
        // No such route (an unpublished endpoint): single creates from now on.
        if (!impl_->no_batch_create.exchange(true)) {
          spdlog::info("{}: HTTP {}: the server has no batchCreate; creating members one by one",
                       c.line(), e.status);
        }
        singles(from, to);
      } else if (http && e.status == 409) {
        // Some of them are members already: one create each, so that each email gets its own
        // answer (the existing ones their 409).
        singles(from, to);
      } else {
        // Not about one member (a transport failure, a 5xx, a 403): every one of the chunk
        // gets it, outcome_unknown included, and the caller looks them up.
        for (std::size_t i = from; i < to; ++i) out.push_back({members[i].email, e});
      }
      continue;
    }
    // A 2xx: the server acted, so whatever is missing from the answer has an unknown outcome.
    impl_->batch_create_answered = true;
    std::map<std::string, Member> by_email;
    std::optional<ApiError> unusable;
    try {
      for (Member& m : batch_members(r.value()["result"])) {
        std::string key = canonical_email(m.email);
        by_email.emplace(std::move(key), std::move(m));
      }
    } catch (const std::exception& ex) {
      unusable = protocol_error(c.line(), 200, ex.what(), true);
    }
    for (std::size_t i = from; i < to; ++i) {
      const MemberSpec& asked = members[i];
      if (unusable) {
        out.push_back({asked.email, *unusable});
        continue;
      }
      auto found = by_email.find(canonical_email(asked.email));
      if (found == by_email.end()) {
        out.push_back({asked.email, protocol_error(c.line(), 200,
                                                   "the answer has no member \"" +
                                                       printable(asked.email, 100) + "\"",
                                                   true)});
      } else {
        out.push_back({asked.email, found->second});
      }
    }
  }
  return out;
}

std::optional<bool> HttpClient::batches_member_creates() const {
  if (impl_->no_batch_create.load()) return false;
  if (impl_->batch_create_answered.load()) return true;
  return std::nullopt;
}

Result<Empty> HttpClient::remove_member(const std::string& org_id, const std::string& member_id) {
  const std::string line = "DELETE /organizations/{id}/members/{member_id}";
  if (auto e = bad_id(line, "organization", org_id)) return *e;
  if (auto e = bad_id(line, "member", member_id)) return *e;
  Call c{"DELETE", members_path(org_id) + "/" + escape(member_id), "", org_id};
  c.empty_ok = true;  // a 2xx envelope or an empty 2xx
  auto r = impl_->loop.call(c);
  if (!r) {
    // A retry that finds it gone: the attempt before did delete it.
    if (r.error().not_found() && r.error().outcome_unknown) return Empty{};
    return r.error();
  }
  return Empty{};
}

}  // namespace cforg::api
