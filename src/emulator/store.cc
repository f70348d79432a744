#include "store.h"

#include <algorithm>
#include <ctime>

#include "hashing.h"

namespace cforg::emulator {
namespace {

Json render_profile(const Profile& p) {
  return {{"business_address", p.business_address},
          {"business_email", p.business_email},
          {"business_name", p.business_name},
          {"business_phone", p.business_phone},
          {"external_metadata", p.external_metadata}};
}

}  // namespace

ApiError organization_not_found(std::string_view id) {
  return {404, code::kOrganizationNotFound, "organization '" + std::string(id) + "' not found", ""};
}

Json default_meta_flags(MetaFlags name) {
  // Plausible values for an organization owned by a user of a beta account; the real values are
  // not documented. Constant, so clients can't come to depend on them changing.
  Json flags = {{"account_creation", "allowed"},
                {"account_deletion", "allowed"},
                {"account_migration", "allowed"},
                {"account_mobility", "allowed"},
                {"sub_org_creation", "allowed"}};
  if (name == MetaFlags::kTenantFlags) {  // the newest SDK's tenant_flags adds these
    flags["enterprise_capability"] = "allowed";
    flags["member_management"] = "allowed";
  }
  return flags;
}

std::string make_id(uint64_t hash, IdFormat format) {
  if (format == IdFormat::kHex) return hex64(hash) + hex64(mix64(hash ^ 0x5851f42d4c957f2dULL));
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(32, '0');
  uint64_t bits = 0;
  bool beyond_f = false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 12 == 0) bits = mix64(hash + i);  // 36^12 < 2^64: 12 digits per 64-bit draw
    char c = kAlphabet[bits % 36];
    bits /= 36;
    beyond_f = beyond_f || c > 'f';
    id[i] = c;
  }
  if (!beyond_f) {  // about 1 in 4,000 ids: force one letter in g..z, still deterministic
    uint64_t pick = mix64(hash ^ 0x67687a67687a6768ULL);
    id[pick % 32] = static_cast<char>('g' + (pick >> 8) % 20);
  }
  return id;
}

std::string format_rfc3339_millis(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto millis = duration_cast<milliseconds>(when.time_since_epoch()).count();
  auto seconds_part = static_cast<std::time_t>(millis / 1000);
  int ms = static_cast<int>(millis % 1000);
  if (ms < 0) {  // before 1970: keep the fraction positive
    ms += 1000;
    --seconds_part;
  }
  std::tm tm{};
  gmtime_r(&seconds_part, &tm);
  char buffer[80];  // 24 bytes in practice; sized for any int the compiler imagines
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buffer;
}

Store::Store(uint64_t seed, Clock clock, StoreOptions options)
    : seed_(seed), clock_(std::move(clock)), options_(options) {
  seed_accounts(options_.accounts);
}

const Store::Organization* Store::find(std::string_view id) const {
  auto it = seq_by_id_.find(std::string(id));
  return it == seq_by_id_.end() ? nullptr : &by_seq_.at(it->second);
}

Store::Organization* Store::find(std::string_view id) {
  return const_cast<Organization*>(std::as_const(*this).find(id));
}

// Ids come from a hash of (seed, name, parent, how many such organizations were created before)
// rather than from one RNG stream: so the ids do not depend on the order in which concurrent
// creations of *different* organizations reach the store, and two runs with the same seed agree.
std::string Store::new_id(const OrganizationInput& input) {
  uint64_t key = Hasher(seed_).add("organization").add(input.name).add(input.parent_id).value();
  for (;;) {
    uint64_t n = creations_[key]++;
    uint64_t high = Hasher(seed_).add(key).add(n).value();
    std::string id = make_id(high, options_.ids);
    if (!seq_by_id_.count(id)) return id;  // a collision: astronomically rare; retry
  }
}

std::vector<uint64_t> Store::ancestors_of(const Organization& org) const {
  std::vector<uint64_t> chain;
  const Organization* at = &org;
  // The store never holds a cycle (replace refuses one), so this ends at a root.
  while (!at->parent_id.empty()) {
    at = find(at->parent_id);
    chain.push_back(at->seq);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

Json Store::render(const Organization& org, bool profile_key) const {
  Json tags = Json::array();
  for (uint64_t seq : ancestors_of(org)) tags.push_back(by_seq_.at(seq).id);
  tags.push_back(org.id);
  Json out = {{"id", org.id}, {"create_time", org.create_time}, {"name", org.name}};
  if (!org.parent_id.empty()) {
    out["parent"] = {{"id", org.parent_id}, {"name", find(org.parent_id)->name}};
  }
  // The SDKs type `profile` as optional, never null: an org without one has no key, which a
  // client cannot tell from "not told" (it must ask GET .../profile).
  if ((profile_key || options_.read_profile == ReadProfile::kInclude) && org.profile) {
    out["profile"] = render_profile(*org.profile);
  }
  const char* flags = options_.meta_flags == MetaFlags::kTenantFlags ? "tenant_flags" : "flags";
  out["meta"] = {{flags, default_meta_flags(options_.meta_flags)},
                 {"managed_by", kManagedBy},
                 {"hierarchy_tags", tags}};
  return out;
}

std::optional<ApiError> Store::check_parent(const std::string& parent_id,
                                            const Organization* self) const {
  if (parent_id.empty()) return std::nullopt;
  const Organization* parent = find(parent_id);
  if (!parent) {
    return bad_request(code::kParentNotFound, "parent organization '" + parent_id + "' not found",
                       "/parent/id");
  }
  if (self) {
    for (const Organization* at = parent;; at = find(at->parent_id)) {
      if (at == self) {
        return bad_request(code::kParentCycle,
                           at == parent ? "an organization cannot be its own parent"
                                        : "an organization cannot be moved under one of its "
                                          "own sub-organizations",
                           "/parent/id");
      }
      if (at->parent_id.empty()) break;
    }
  }
  return std::nullopt;
}

void Store::link(const Organization& org) {
  seq_by_id_[org.id] = org.seq;
  children_[org.parent_id].insert(org.seq);
}

void Store::unlink(const Organization& org) {
  seq_by_id_.erase(org.id);
  auto siblings = children_.find(org.parent_id);
  siblings->second.erase(org.seq);
  if (siblings->second.empty()) children_.erase(siblings);
}

Outcome<Json> Store::create(const Json& body) {
  auto input = validate_organization(body);
  if (!input.ok()) return input.error();
  std::lock_guard lock(mutex_);
  if (auto error = check_parent(input.value().parent_id, nullptr)) return *error;
  Organization org;
  org.seq = next_seq_++;
  org.id = new_id(input.value());
  org.name = input.value().name;
  org.name_lower = ascii_lower(org.name);
  org.parent_id = input.value().parent_id;
  org.profile = input.value().profile;
  org.create_time = format_rfc3339_millis(clock_());
  const Organization& stored = by_seq_.emplace(org.seq, std::move(org)).first->second;
  link(stored);
  return render(stored, /*profile_key=*/true);
}

Outcome<Json> Store::get(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const Organization* org = find(id);
  if (!org) return organization_not_found(id);
  return render(*org);
}

Outcome<Json> Store::update(std::string_view id, const Json& body) {
  std::lock_guard lock(mutex_);
  Organization* org = find(id);
  if (!org) return organization_not_found(id);
  if (options_.put_extra_fields != PutExtraFields::kApply) {
    // "Only accepts updates to name currently": the name's rules, then (reject) any other member.
    auto name = validate_name(body);
    if (!name.ok()) return name.error();
    if (options_.put_extra_fields == PutExtraFields::kReject) {
      for (const auto& [member, value] : body.items()) {
        if (member == "name") continue;
        std::string hint = member == "profile"  ? " (a profile goes through PUT .../profile)"
                           : member == "parent" ? " (no endpoint moves an organization)"
                                                : "";
        return bad_request(code::kFieldNotUpdatable,
                           "field '" + member +
                               "' cannot be updated: PUT /organizations/{id} only accepts "
                               "updates to name" +
                               hint,
                           "/" + member);
      }
    }
    org->name = name.value();
    org->name_lower = ascii_lower(org->name);
    return render(*org);
  }
  // The older reading: a full replace.
  auto input = validate_organization(body);
  if (!input.ok()) return input.error();
  if (auto error = check_parent(input.value().parent_id, org)) return *error;
  unlink(*org);
  org->name = input.value().name;
  org->name_lower = ascii_lower(org->name);
  org->parent_id = input.value().parent_id;
  org->profile = input.value().profile;  // absent from the body: cleared (a full replace)
  link(*org);
  return render(*org);
}

Outcome<Json> Store::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  Organization* org = find(id);
  if (!org) return organization_not_found(id);
  // The contract: the org MUST be empty (no sub-organizations, accounts, members or users).
  std::string holds;
  auto count_in = [&org, &holds](const auto& index, const char* what) {
    auto it = index.find(org->id);
    if (it == index.end() || it->second.empty()) return;
    holds += (holds.empty() ? "" : ", ") + std::to_string(it->second.size()) + " " + what;
  };
  count_in(children_, "sub-organization(s)");
  count_in(accounts_of_, "account(s)");
  count_in(members_of_, "member(s)");
  if (!holds.empty()) {
    return bad_request(code::kNotEmpty, "organization is not empty: it holds " + holds +
                                            "; delete the sub-organizations and members and move "
                                            "the accounts out first");
  }
  Json result = {{"id", org->id}};
  unlink(*org);
  by_seq_.erase(org->seq);
  return result;
}

Outcome<Json> Store::get_profile(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const Organization* org = find(id);
  if (!org) return organization_not_found(id);
  if (!org->profile) return Json(nullptr);
  return render_profile(*org->profile);
}

Outcome<Json> Store::put_profile(std::string_view id, const Json& body) {
  std::lock_guard lock(mutex_);
  Organization* org = find(id);
  if (!org) return organization_not_found(id);
  auto profile = validate_profile(body, "");
  if (!profile.ok()) return profile.error();
  org->profile = profile.value();
  return render_profile(*org->profile);
}

size_t Store::size() const {
  std::lock_guard lock(mutex_);
  return by_seq_.size();
}

}  // namespace cforg::emulator
