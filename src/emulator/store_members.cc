// An organization's members: create (one or a batch), read, delete, list. A member is identified
// by its email within its organization, compared ASCII case-folded; the user behind it has one id
// across organizations (derived from the email), the member its own.
#include <string>
#include <vector>

#include "hashing.h"
#include "store.h"
#include "store_paging.h"

namespace cforg::emulator {
namespace {

ApiError member_not_found(std::string_view org_id, std::string_view member_id) {
  return {404, code::kMemberNotFound,
          "member '" + std::string(member_id) + "' not found in organization '" +
              std::string(org_id) + "'",
          ""};
}

ApiError already_a_member(const std::string& email, std::string_view org_id,
                          const std::string& pointer) {
  return {409, code::kMemberExists,
          "user '" + email + "' is already a member of organization '" + std::string(org_id) + "'",
          pointer};
}

std::string email_key(const std::string& org_id, const std::string& email_lower) {
  return org_id + '\n' + email_lower;
}

}  // namespace

const Store::Member* Store::member_by_email(const std::string& org_id,
                                            const std::string& email_lower) const {
  auto it = member_by_email_.find(email_key(org_id, email_lower));
  return it == member_by_email_.end() ? nullptr : &members_.at(it->second);
}

const Store::Member& Store::add_member(const std::string& org_id, const MemberInput& input) {
  Member m;
  m.seq = next_member_seq_++;
  m.org_id = org_id;
  m.email = input.email;
  m.email_lower = ascii_lower(input.email);
  m.status = input.status;
  // Like organization ids: a hash of what the member is and how many such were created before,
  // so the ids do not depend on the order concurrent creations arrive in.
  uint64_t key = Hasher(seed_).add("member").add(org_id).add(m.email_lower).value();
  do {
    m.id = make_id(Hasher(seed_).add(key).add(member_creations_[key]++).value(), options_.ids);
  } while (member_seq_by_id_.count(m.id));
  m.user_id = make_id(Hasher(seed_).add("user").add(m.email_lower).value(), options_.ids);
  m.create_time = format_rfc3339_millis(clock_());
  const Member& stored = members_.emplace(m.seq, std::move(m)).first->second;
  member_seq_by_id_[stored.id] = stored.seq;
  members_of_[org_id].insert(stored.seq);
  member_by_email_[email_key(org_id, stored.email_lower)] = stored.seq;
  return stored;
}

Json Store::render_member(const Member& m) const {
  // No update endpoint exists, so update_time is the creation's. The user's name is not known
  // to the emulator (no users here): "".
  return {{"id", m.id},
          {"create_time", m.create_time},
          {"update_time", m.create_time},
          {"meta", Json::object()},
          {"status", m.status},
          {"user",
           {{"id", m.user_id},
            {"email", m.email},
            {"name", ""},
            {"two_factor_authentication_enabled", false}}}};
}

Outcome<Json> Store::create_member(std::string_view org_id, const Json& body) {
  std::lock_guard lock(mutex_);
  const Organization* org = find(org_id);
  if (!org) return organization_not_found(org_id);
  auto member = body.find("member");
  auto input = validate_member(member == body.end() ? Json() : *member, "/member");
  if (!input.ok()) return input.error();
  if (const Member* existing = member_by_email(org->id, ascii_lower(input.value().email))) {
    if (options_.member_exists == MemberExists::kConflict) {
      return already_a_member(existing->email, org_id, "/member/user/email");
    }
    return render_member(*existing);  // unchanged, also when another status was asked for
  }
  return render_member(add_member(org->id, input.value()));
}

Outcome<Json> Store::create_members(std::string_view org_id, const Json& body) {
  std::lock_guard lock(mutex_);
  const Organization* org = find(org_id);
  if (!org) return organization_not_found(org_id);
  auto list = body.find("members");
  if (list == body.end() || !list->is_array() || list->empty() || list->size() > kMaxBatchMembers) {
    return bad_request(
        code::kBatchInvalid,
        "members must be an array of 1 to " + std::to_string(kMaxBatchMembers) + " members",
        "/members");
  }
  // Every item is checked before anything is created: a batch is all or nothing.
  std::vector<MemberInput> inputs;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string pointer = "/members/" + std::to_string(i);
    auto input = validate_member((*list)[i], pointer);
    if (!input.ok()) return input.error();
    if (options_.member_exists == MemberExists::kConflict) {
      std::string lower = ascii_lower(input.value().email);
      const Member* existing = member_by_email(org->id, lower);
      bool repeated = false;  // the same email earlier in this batch
      for (const auto& earlier : inputs) repeated = repeated || ascii_lower(earlier.email) == lower;
      if (existing || repeated) {
        return already_a_member(input.value().email, org_id, pointer + "/user/email");
      }
    }
    inputs.push_back(input.value());
  }
  Json created = Json::array();
  for (const auto& input : inputs) {
    const Member* existing = member_by_email(org->id, ascii_lower(input.email));
    created.push_back(render_member(existing ? *existing : add_member(org->id, input)));
  }
  return created;
}

Outcome<Json> Store::get_member(std::string_view org_id, std::string_view member_id) const {
  std::lock_guard lock(mutex_);
  if (!find(org_id)) return organization_not_found(org_id);
  auto it = member_seq_by_id_.find(std::string(member_id));
  if (it == member_seq_by_id_.end() || members_.at(it->second).org_id != org_id) {
    return member_not_found(org_id, member_id);
  }
  return render_member(members_.at(it->second));
}

Outcome<Json> Store::remove_member(std::string_view org_id, std::string_view member_id) {
  std::lock_guard lock(mutex_);
  if (!find(org_id)) return organization_not_found(org_id);
  auto it = member_seq_by_id_.find(std::string(member_id));
  if (it == member_seq_by_id_.end() || members_.at(it->second).org_id != org_id) {
    return member_not_found(org_id, member_id);
  }
  const Member& m = members_.at(it->second);
  Json result = {{"id", m.id}};
  member_by_email_.erase(email_key(m.org_id, m.email_lower));
  auto of = members_of_.find(m.org_id);
  of->second.erase(m.seq);
  if (of->second.empty()) members_of_.erase(of);
  uint64_t seq = m.seq;
  member_seq_by_id_.erase(it);
  members_.erase(seq);
  return result;
}

Outcome<ListPage> Store::list_members(std::string_view org_id, const MemberQuery& q) const {
  std::lock_guard lock(mutex_);
  if (!find(org_id)) return organization_not_found(org_id);
  static const std::set<uint64_t> kNone;
  auto of = members_of_.find(std::string(org_id));
  const std::set<uint64_t>& seqs = of == members_of_.end() ? kNone : of->second;
  auto matches = [this, &q](uint64_t seq) {
    const Member& m = members_.at(seq);
    bool status_ok = q.statuses.empty();
    for (const auto& s : q.statuses) status_ok = status_ok || m.status == s;
    if (!status_ok) return false;
    for (const auto& suffix : q.email_suffixes) {
      if (!text_ends_with(m.email_lower, suffix)) return false;
    }
    return true;
  };
  return page_of(seqs, q.page_size, q.after, q.digest, matches,
                 [this](uint64_t seq) { return render_member(members_.at(seq)); });
}

}  // namespace cforg::emulator
