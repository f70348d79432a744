// A Client for the plan stage's tests that serves nothing: every mutation and every org read
// fails, and member and account lists are empty. A test's fake derives from it and overrides
// only the calls it serves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cforg/api/client.h"

namespace cforg::plan::testing_support {

class StubClient : public api::Client {
 public:
  api::Result<Organization> create(const OrgSpec&) override { return api::ApiError{}; }
  api::Result<Organization> get(const std::string&) override { return api::ApiError{}; }
  api::Result<Organization> rename(const std::string&, const std::string&) override {
    return api::ApiError{};
  }
  api::Result<std::optional<Profile>> get_profile(const std::string&) override {
    return api::ApiError{};
  }
  api::Result<api::Empty> put_profile(const std::string&, const Profile&) override {
    return api::ApiError{};
  }
  api::Result<api::Empty> remove(const std::string&) override { return api::ApiError{}; }
  api::Result<std::vector<Organization>> list(const api::ListQuery&) override {
    return api::ApiError{};
  }
  api::Result<std::vector<Member>> list_members(const std::string&, const std::string&) override {
    return std::vector<Member>{};
  }
  api::Result<Member> create_member(const std::string&, const MemberSpec&) override {
    return api::ApiError{};
  }
  std::vector<api::MemberCreated> create_members(const std::string&,
                                                 const std::vector<MemberSpec>&) override {
    return {};
  }
  std::optional<bool> batches_member_creates() const override { return std::nullopt; }
  api::Result<api::Empty> remove_member(const std::string&, const std::string&) override {
    return api::ApiError{};
  }
  api::Result<std::vector<Account>> list_accounts(const std::string&) override {
    return std::vector<Account>{};
  }
  api::Result<AccountMove> move_account(const std::string&, const std::string&) override {
    return api::ApiError{};
  }
};

}  // namespace cforg::plan::testing_support
