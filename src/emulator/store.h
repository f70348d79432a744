// The emulator's organizations, in memory: the data and its indexes (the shape rules of a body are
// validation.h's). No HTTP here: the server turns a request into one call and the outcome into an
// envelope. Store::list is defined in store_list.cc.
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

struct StoreOptions {
  IdFormat ids = IdFormat::kPublished;
  PutExtraFields put_extra_fields = PutExtraFields::kIgnore;
  ReadProfile read_profile = ReadProfile::kOmit;
  MetaFlags meta_flags = MetaFlags::kTenantFlags;
};

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
};

}  // namespace cforg::emulator
