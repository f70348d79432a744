// The emulator's organizations, in memory: the data and its indexes (the shape rules of a body are
// validation.h's). No HTTP here: the server turns a request into one call and the outcome into an
// envelope. Store::list is defined in store_list.cc, the members in store_members.cc, the accounts
// in store_accounts.cc.
//
// Thread safety: every public method takes the store's one mutex. Handlers are short and the
// emulator runs on loopback, so one lock is simpler than anything finer and fast enough.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "error_codes.h"
#include "list_query.h"
#include "sub_list_query.h"
#include "validation.h"

namespace cforg::emulator {

// How ids look. Published: 32 characters of [0-9a-z], like the contract's example
// a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8, always with a letter beyond 'f' so that a client validating
// hex fails at once. Hex: the older reading, 32 lowercase hex digits.
enum class IdFormat { kPublished, kHex };

// What `PUT /organizations/{id}` does with members other than `name`. The spec: "Only accepts
// updates to name currently".
enum class PutExtraFields {
  kIgnore,  // published, and dangerous: name applied, the rest silently ignored, 200
  kReject,  // 400 (code 1017) naming the first such member
  kApply,   // older reading: a full replace of name, parent and profile
};

// Whether GET /organizations/{id}, the list and PUT's answer carry the `profile` key.
enum class ReadProfile {
  kOmit,     // published reading (Terraform's import tests): the key is left out entirely
  kInclude,  // the key is there when the org has a profile (never null: the SDKs type it optional)
};

// The name of meta's flags object.
enum class MetaFlags {
  kTenantFlags,  // the newest SDK's meta.tenant_flags (adds enterprise_capability, ...)
  kFlags,        // the older meta.flags
};

// What a second create of a member with the same email answers (not published).
enum class MemberExists {
  kConflict,  // 409 (code 1044): the user is already a member
  kExisting,  // 200 with the existing member, unchanged
};

// What `containing.account=` lists (not published; `containing.organization` lists ancestors).
enum class ContainingAccount {
  kHolder,     // the organization the account sits in, alone
  kHierarchy,  // that organization and its ancestors, root first
};

struct StoreOptions {
  IdFormat ids = IdFormat::kPublished;
  PutExtraFields put_extra_fields = PutExtraFields::kIgnore;
  ReadProfile read_profile = ReadProfile::kOmit;
  MetaFlags meta_flags = MetaFlags::kTenantFlags;
  MemberExists member_exists = MemberExists::kConflict;
  ContainingAccount containing_account = ContainingAccount::kHolder;
  size_t accounts = 0;  // --accounts: the seeded estate, in no organization at start
};

// The published limit of accounts in one organization.
inline constexpr size_t kMaxAccountsPerOrganization = 500;
// The largest members:batchCreate (not published; a guess).
inline constexpr size_t kMaxBatchMembers = 100;

// The meta flags every organization reports (constant: nothing here changes them).
Json default_meta_flags(MetaFlags name = MetaFlags::kFlags);
inline constexpr const char* kManagedBy = "user";

// A deterministic id of the given format from a 64-bit hash (published: 32 of [0-9a-z] with at
// least one letter in g..z; hex: 32 hex digits).
std::string make_id(uint64_t hash, IdFormat format);

// One page of a list, with what result_info needs.
struct ListPage {
  Json items = Json::array();
  size_t page = 1;
  size_t per_page = kDefaultPageSize;
  size_t total_count = 0;
  std::string next_token;  // empty on the last page
};

// The 404 (code 1020) of an organization id that names none.
ApiError organization_not_found(std::string_view id);

// RFC 3339 UTC with milliseconds: 2026-11-29T18:11:19.117Z
std::string format_rfc3339_millis(std::chrono::system_clock::time_point when);

class Store {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `seed` drives the ids: the same seed and the same creations give the same ids.
  explicit Store(uint64_t seed, Clock clock = std::chrono::system_clock::now,
                 StoreOptions options = {});

  // The answer always carries `profile` (the one sent, or null), whatever --read-profile says.
  Outcome<Json> create(const Json& body);
  Outcome<Json> get(std::string_view id) const;
  // PUT /organizations/{id}, as options.put_extra_fields says.
  Outcome<Json> update(std::string_view id, const Json& body);
  Outcome<Json> remove(std::string_view id);             // result {"id": ...}
  Outcome<Json> get_profile(std::string_view id) const;  // null when unset
  Outcome<Json> put_profile(std::string_view id, const Json& body);
  Outcome<ListPage> list(const ListQuery& query) const;

  // Members of an organization (an unknown one: 404 1020). `body` is the request's: create takes
  // {"member": {...}}, create_members {"members": [...]} (all or nothing: one bad or, under
  // MemberExists::kConflict, one existing email and nothing is created).
  Outcome<Json> create_member(std::string_view org_id, const Json& body);
  Outcome<Json> create_members(std::string_view org_id, const Json& body);
  Outcome<Json> get_member(std::string_view org_id, std::string_view member_id) const;
  Outcome<Json> remove_member(std::string_view org_id, std::string_view member_id);  // {"id"}
  Outcome<ListPage> list_members(std::string_view org_id, const MemberQuery& query) const;

  // Accounts: seeded at construction (options.accounts), never created or deleted, only moved.
  Outcome<ListPage> list_accounts(std::string_view org_id, const AccountQuery& query) const;
  // POST /accounts/{id}/move: {account_id, source_organization_id (null: none),
  // destination_organization_id}.
  Outcome<Json> move_account(std::string_view account_id, const Json& body);
  // Every account with its organization_id (null: none), for GET /__emulator/accounts.
  Json all_accounts() const;

  size_t size() const;
  const StoreOptions& options() const { return options_; }

 private:
  struct Organization {
    uint64_t seq = 0;  // creation order; the list order and what page tokens point after
    std::string id;
    std::string name;
    std::string name_lower;  // for the case-insensitive name filters
    std::string parent_id;   // empty for a root
    std::string create_time;
    std::optional<Profile> profile;
  };

  struct Member {
    uint64_t seq = 0;  // creation order across all organizations; page tokens point after it
    std::string id;
    std::string org_id;
    std::string email;        // as first sent
    std::string email_lower;  // what identifies the user (emails compare case-insensitively)
    std::string status;       // "active" | "canceled"
    std::string user_id;
    std::string create_time;
  };
  struct Account {
    uint64_t seq = 0;  // 1..N, the seeding order
    std::string id;
    std::string name;
    std::string name_lower;
    std::string created_on;
    std::string org_id;  // empty: in no organization
  };

  const Organization* find(std::string_view id) const;
  Organization* find(std::string_view id);
  std::string new_id(const OrganizationInput& input);
  // `profile_key`: always carry the key (null when unset); otherwise as options_.read_profile.
  Json render(const Organization& org, bool profile_key = false) const;
  std::vector<uint64_t> ancestors_of(const Organization& org) const;  // root first
  std::optional<ApiError> check_parent(const std::string& parent_id,
                                       const Organization* self) const;
  void link(const Organization& org);
  void unlink(const Organization& org);
  void seed_accounts(size_t count);
  const Member* member_by_email(const std::string& org_id, const std::string& email_lower) const;
  // Creates the member (the caller checked the email is new to the organization).
  const Member& add_member(const std::string& org_id, const MemberInput& input);
  Json render_member(const Member& member) const;
  static Json render_account(const Account& account);

  mutable std::mutex mutex_;
  uint64_t seed_;
  Clock clock_;
  StoreOptions options_;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, Organization> by_seq_;  // the organizations, in creation order
  std::unordered_map<std::string, uint64_t> seq_by_id_;
  // parent id ("" for roots) -> children's seqs, in creation order. Lets `parent.id=` lists and
  // the "not empty" check avoid a scan.
  std::unordered_map<std::string, std::set<uint64_t>> children_;
  // How many organizations of one (name, parent) were created so far: the id's counter.
  std::unordered_map<uint64_t, uint64_t> creations_;

  uint64_t next_member_seq_ = 1;
  std::map<uint64_t, Member> members_;  // every organization's, in creation order
  std::unordered_map<std::string, uint64_t> member_seq_by_id_;
  std::unordered_map<std::string, std::set<uint64_t>> members_of_;  // org id -> seqs
  std::unordered_map<std::string, uint64_t> member_by_email_;  // org id '\n' email_lower -> seq
  std::unordered_map<uint64_t, uint64_t> member_creations_;    // the member ids' counters

  std::vector<Account> accounts_;  // index: seq - 1
  std::unordered_map<std::string, uint64_t> account_seq_by_id_;
  std::unordered_map<std::string, std::set<uint64_t>> accounts_of_;  // org id -> seqs
};

}  // namespace cforg::emulator
