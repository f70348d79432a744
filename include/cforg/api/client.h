// The Cloudflare Organizations API, as typed calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cforg/api/rate_budget.h"
#include "cforg/api/retry.h"
#include "cforg/api/transport.h"
#include "cforg/api/wait_clock.h"
#include "cforg/model/membership.h"
#include "cforg/model/organization.h"

namespace cforg::api {

inline constexpr const char* kDefaultBaseUrl = "https://api.cloudflare.com/client/v4";

// One item of the envelope's `errors`.
struct ErrorItem {
  int code = 0;
  std::string message;
  std::string pointer;  // source.pointer, when given ("/page_size")
};

// A call that did not succeed, after any retries.
struct ApiError {
  enum class Kind {
    http,       // an error status with (usually) Cloudflare's error envelope
    transport,  // no usable response: see HttpResponse::Failure
    protocol,   // a 2xx whose body is not what the contract says
  };
  Kind kind = Kind::http;
  int status = 0;                  // HTTP status, 0 without a response
  std::vector<ErrorItem> errors;   // from the envelope: the first few, printable and capped
  std::size_t errors_omitted = 0;  // how many more the envelope listed
  std::string detail;              // transport failure text or protocol problem
  // The server may have carried the request out (timeout, dropped connection, 5xx): for a
  // POST, look before creating again.
  bool outcome_unknown = false;
  std::string request;  // "POST /organizations", for messages
  // What the user can do about it (a 403's likely causes), a sentence; empty when nothing useful.
  std::string advice;

  // "POST /organizations: HTTP 400, Cloudflare error 1001: parent not found", then ". " and the
  // advice when there is some.
  std::string str() const;
  bool not_found() const { return kind == Kind::http && status == 404; }
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(ApiError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Empty {};

// GET /organizations filters. The client follows every page (result_info.next_page_token,
// absent on the last page; result_info.cursor as a fallback) and asks for the largest page the
// server gives.
struct ListQuery {
  std::vector<std::string> ids;          // id=a&id=b
  std::optional<std::string> parent_id;  // parent.id=<id>; "" means parent.id=null (roots)
  std::optional<std::string> name;       // name= (exact, case-sensitive); checked client-side too
  std::string name_contains;             // name.contains= (case-insensitive)
  // containing.account=<account id>: the org holding that account. Not checked client-side
  // (an org does not list its accounts): taken as the server applies it.
  std::optional<std::string> containing_account;
};

// What a member create answered, one per email asked for.
struct MemberCreated {
  std::string email;  // as asked
  // The member, or why this one was not created. A 409 (the email is a member already) is an
  // error here with status 409; the caller looks the member up.
  Result<Member> member;
};

// Thread-safe. Every call goes through the shared rate budget and retry policy.
//
// The API as published: PUT /organizations/{id} only takes a new name; the profile has its own
// endpoint; no call moves an organization to another parent.
class Client {
 public:
  virtual ~Client() = default;
  // POST /organizations {name, parent: {id}, profile}. Never sent twice by the client.
  virtual Result<Organization> create(const OrgSpec& spec) = 0;
  virtual Result<Organization> get(const std::string& id) = 0;
  // PUT /organizations/{id} {"name": name}.
  virtual Result<Organization> rename(const std::string& id, const std::string& name) = 0;
  // GET /organizations/{id}/profile. nullopt: the org has no profile (404 or a null result).
  virtual Result<std::optional<Profile>> get_profile(const std::string& id) = 0;
  // PUT /organizations/{id}/profile with all five fields: 204 without a body (or a 2xx envelope).
  virtual Result<Empty> put_profile(const std::string& id, const Profile& profile) = 0;
  // DELETE /organizations/{id}: a 200 envelope or an empty 2xx. A 404 on a retry (the first
  // attempt did delete it) counts as done.
  virtual Result<Empty> remove(const std::string& id) = 0;
  virtual Result<std::vector<Organization>> list(const ListQuery& query) = 0;

  // Members (every page followed). `email`: the user.email= filter, which the contract
  // describes as "ends with": the client keeps only exact (case-insensitive) matches.
  virtual Result<std::vector<Member>> list_members(const std::string& org_id,
                                                   const std::string& email = "") = 0;
  // POST /organizations/{id}/members {"member": {"user": {"email"}, "status"}}. Never sent
  // twice by the client.
  virtual Result<Member> create_member(const std::string& org_id, const MemberSpec& m) = 0;
  // Several at once: POST .../members:batchCreate while the server has it (a 404 or 405 says it
  // does not: the client remembers that and sends single creates from then on), at most 100 a
  // request. Results in the order asked; an error that is not about one member (a transport
  // failure of the batch) fills every result of its batch; a 409 sends that batch's members one
  // by one, so that each gets its own answer. Never sent twice by the client.
  virtual std::vector<MemberCreated> create_members(const std::string& org_id,
                                                    const std::vector<MemberSpec>& members) = 0;
  // Whether create_members sends batches: nullopt while nobody knows (no batch answered yet),
  // true once one was, false once the server said it has no batchCreate.
  virtual std::optional<bool> batches_member_creates() const = 0;
  // DELETE /organizations/{id}/members/{member_id}. A 404 on a retry counts as done.
  virtual Result<Empty> remove_member(const std::string& org_id, const std::string& member_id) = 0;

  // Accounts in an org (every page followed).
  virtual Result<std::vector<Account>> list_accounts(const std::string& org_id) = 0;
  // POST /accounts/{account_id}/move {"destination_organization_id"}. Never sent twice by the
  // client: an outcome_unknown error means "look where the account is" (list with
  // containing_account).
  virtual Result<AccountMove> move_account(const std::string& account_id,
                                           const std::string& destination_org_id) = 0;
};

// Where an account sits: the id of the organization that holds it, "" when none. One list
// request, GET /organizations?containing.account=<id>. The contract leaves open whether that
// lists the holder alone or the holder with its ancestors; under either, the holder is the
// listed org that is no other listed org's parent.
Result<std::string> account_home(Client& client, const std::string& account_id);

// Counters for progress lines, summaries and benchmarks.
struct ClientStats {
  std::atomic<std::uint64_t> requests{0};       // sent, retries included
  std::atomic<std::uint64_t> retries{0};        // requests sent again, young_retries included
  std::atomic<std::uint64_t> rate_limited{0};   // 429s received
  std::atomic<std::uint64_t> young_retries{0};  // 403s on a just-created org, sent again
  std::atomic<std::uint32_t> in_flight{0};
  // While every request waits for the server (Retry-After, or the budget the Ratelimit header
  // says is left): when that wait ends, as steady_clock milliseconds since its epoch; 0 when
  // nothing waits. For the progress line.
  std::atomic<std::int64_t> waiting_until_ms{0};
};

struct ClientOptions {
  std::string base_url = kDefaultBaseUrl;  // without trailing slash
  RateLimit rate_limit;
  RetryPolicy retry;
  // A request naming an org created less than this long ago (a child's create, its profile)
  // that gets 403 is sent again with backoff: the API refuses such requests for a while after
  // the create. Only that request waits. Older orgs: a 403 is an error at once, with advice.
  std::chrono::milliseconds consistency_timeout{60000};
  // Learn that window from the run's first refusals (it is one API for every org), so that
  // later requests naming a young org wait it out instead of being sent and refused (see
  // src/api/young_orgs.h). false: every young org probes on its own, as before.
  bool learn_young_window = true;
  // The longest wait the server may ask for (Retry-After, a spent Ratelimit budget): long
  // enough for Cloudflare's five-minute block. A longer one fails the request at once, quoting
  // the server's figure.
  std::chrono::milliseconds max_wait{360000};
  std::uint64_t seed = 0;  // for backoff jitter; 0: random
  // Once true (SIGTERM, Ctrl-C), a request not sent yet is not sent: it fails at once as
  // "stopping" instead of waiting for the budget, a Retry-After, a backoff or a young org's
  // window. Requests already sent get their answers. nullptr: never.
  const std::atomic<bool>* stop = nullptr;
  // A budget shared with other clients (the controller's cycles, one after another, each with
  // a client of its own): then `rate_limit` is not used. nullptr: the client's own.
  std::shared_ptr<RateBudget> budget;
  // What the waits are timed by: the young-org gate, retry backoff, the rate budget.
  // nullptr: steady_wait_clock(), the real one.
  std::shared_ptr<WaitClock> clock;
};

class HttpClient : public Client {
 public:
  HttpClient(std::unique_ptr<Transport> transport, ClientOptions opts);
  ~HttpClient() override;

  Result<Organization> create(const OrgSpec& spec) override;
  Result<Organization> get(const std::string& id) override;
  Result<Organization> rename(const std::string& id, const std::string& name) override;
  Result<std::optional<Profile>> get_profile(const std::string& id) override;
  Result<Empty> put_profile(const std::string& id, const Profile& profile) override;
  Result<Empty> remove(const std::string& id) override;
  Result<std::vector<Organization>> list(const ListQuery& query) override;
  Result<std::vector<Member>> list_members(const std::string& org_id,
                                           const std::string& email = "") override;
  Result<Member> create_member(const std::string& org_id, const MemberSpec& m) override;
  std::vector<MemberCreated> create_members(const std::string& org_id,
                                            const std::vector<MemberSpec>& members) override;
  std::optional<bool> batches_member_creates() const override;
  Result<Empty> remove_member(const std::string& org_id, const std::string& member_id) override;
  Result<std::vector<Account>> list_accounts(const std::string& org_id) override;
  Result<AccountMove> move_account(const std::string& account_id,
                                   const std::string& destination_org_id) override;

  const ClientStats& stats() const { return stats_; }
  // The page_size org list reads ask for: 1000 until the server refuses it with a 400, then the
  // largest of 500, 100, 50, 10 it took, for the client's lifetime. The member and account lists
  // settle theirs the same way, each on its own.
  int page_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientStats stats_;
};

// The API's JSON for an organization <-> the model. Throws std::invalid_argument.
Organization organization_from_json(const nlohmann::json& j);
Organization organization_from_json(nlohmann::json&& j);  // moves meta out of `j`
nlohmann::json spec_to_json(const OrgSpec& spec);
// The same for members, accounts and a move's answer.
Member member_from_json(const nlohmann::json& j);
Account account_from_json(const nlohmann::json& j);
AccountMove account_move_from_json(const nlohmann::json& j);

}  // namespace cforg::api
