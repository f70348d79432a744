// What the state records inside an org, members and accounts: their JSON form and the checks
// a state file passes when it is read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "cforg/state/state.h"
#include "contents_test_support.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;
using testing::make_account;
using testing::make_member;
using testing::make_org;
using testing::org_id;
using testing::org_with;

const std::string kWhere = "state/cforg.state.json";

Member pending_member(const std::string& email) {
  Member m = make_member(email, "");
  m.pending = true;
  return m;
}

// "retail" manages two members (one pending) and an account; "ops" manages none of either
// (empty, not absent); "legacy" manages nothing inside (absent).
State sample() {
  State s;
  s.lineage = "6f1c2a4e-0000-4000-8000-000000000001";
  s.serial = 3;
  s.orgs["retail"] =
      org_with(org_id(1), "Retail",
               {make_member("Bo@Example.com", "m-1"), pending_member("al@example.com"),
                make_member("cy@example.com", "m-3", MemberStatus::canceled)},
               {make_account("acc-2", "Shop", "enterprise"), make_account("acc-1", "Web")});
  s.orgs["ops"] = org_with(org_id(2), "Ops", {}, {});
  s.orgs["legacy"] = make_org(org_id(3), "Legacy");
  return s;
}

// The error of reading the sample's JSON after `edit`, or "accepted".
std::string read_error(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = to_json(sample());
  edit(j);
  try {
    from_json(j, kWhere);
  } catch (const StateError& e) {
    return e.what();
  }
  return "accepted";
}

nlohmann::json& retail(nlohmann::json& j) {
  return j["organizations"]["retail"];
}

TEST(StateContents, RoundTripWithMembersAndAccounts) {
  State s = sample();
  EXPECT_EQ(state_from_text(state_to_text(s), kWhere), s);
  EXPECT_EQ(from_json(to_json(s), kWhere), s);
  for (const auto& [key, org] : s.orgs) {
    EXPECT_EQ(org_from_json(org_to_json(org), kWhere), org) << key;
  }
}

TEST(StateContents, TextIsThePrettyDumpByteForByte) {
  State s = sample();
  s.orgs["odd"] = org_with(
      org_id(4), "Odd",
      {make_member("Qu\"ote\\@\u00e9x.example", "m-\u2713"), pending_member("tab\t@x.example")},
      {make_account("acc-9", "N\u00e4me \"x\"", "")});
  EXPECT_EQ(state_to_text(s), to_json(s).dump(2) + "\n");
}

TEST(StateContents, ListsAreSortedByCanonicalEmailAndIdAndPendingIsWrittenOnlyWhenSet) {
  State s;
  s.lineage = "l";
  s.orgs["retail"] = sample().orgs["retail"];
  s.orgs["retail"].meta = nullptr;
  EXPECT_EQ(state_to_text(s), R"({
  "format_version": 1,
  "lineage": "l",
  "organizations": {
    "retail": {
      "accounts": [
        {
          "id": "acc-1",
          "name": "Web",
          "type": "standard"
        },
        {
          "id": "acc-2",
          "name": "Shop",
          "type": "enterprise"
        }
      ],
      "create_time": "2026-11-29T18:11:19.117Z",
      "id": "g0000000000000000000000000000001",
      "members": [
        {
          "create_time": "",
          "email": "al@example.com",
          "id": "",
          "pending": true,
          "status": "active"
        },
        {
          "create_time": "2026-12-01T09:30:00Z",
          "email": "Bo@Example.com",
          "id": "m-1",
          "status": "active"
        },
        {
          "create_time": "2026-12-01T09:30:00Z",
          "email": "cy@example.com",
          "id": "m-3",
          "status": "canceled"
        }
      ],
      "meta": null,
      "name": "Retail",
      "parent": null,
      "prevent_destroy": false,
      "profile": null
    }
  },
  "serial": 0
}
)");
}

TEST(StateContents, AbsentAndEmptyArePreserved) {
  State s = state_from_text(state_to_text(sample()), kWhere);
  EXPECT_FALSE(s.orgs["legacy"].members.has_value());
  EXPECT_FALSE(s.orgs["legacy"].accounts.has_value());
  ASSERT_TRUE(s.orgs["ops"].members.has_value());
  ASSERT_TRUE(s.orgs["ops"].accounts.has_value());
  EXPECT_TRUE(s.orgs["ops"].members->empty());
  EXPECT_TRUE(s.orgs["ops"].accounts->empty());
  nlohmann::json j = to_json(s);
  EXPECT_FALSE(j["organizations"]["legacy"].contains("members"));
  EXPECT_FALSE(j["organizations"]["legacy"].contains("accounts"));
  EXPECT_EQ(j["organizations"]["ops"]["members"], nlohmann::json::array());
  EXPECT_EQ(j["organizations"]["ops"]["accounts"], nlohmann::json::array());
}

TEST(StateContents, AStateWithoutThemIsReadAndWrittenBackByteForByte) {
  // A state file as every cforg before members and accounts wrote it.
  const std::string before = R"({
  "format_version": 1,
  "lineage": "6f1c2a4e-0000-4000-8000-000000000001",
  "organizations": {
    "platform": {
      "create_time": "2026-11-29T18:11:19.117Z",
      "id": "g0000000000000000000000000000001",
      "meta": {
        "managed_by": "cforg"
      },
      "name": "Acme Platform",
      "parent": null,
      "prevent_destroy": false,
      "profile": null
    }
  },
  "serial": 7
}
)";
  State s = state_from_text(before, kWhere);
  EXPECT_FALSE(s.orgs.at("platform").members.has_value());
  EXPECT_FALSE(s.orgs.at("platform").accounts.has_value());
  EXPECT_EQ(state_to_text(s), before);
}

TEST(StateContents, UnsortedListsAreReadAndWrittenSorted) {
  nlohmann::json j = to_json(sample());
  auto& members = retail(j)["members"];
  std::reverse(members.begin(), members.end());
  auto& accounts = retail(j)["accounts"];
  std::reverse(accounts.begin(), accounts.end());
  State s = from_json(j, kWhere);
  EXPECT_EQ(s, sample());
  EXPECT_EQ(to_json(s), to_json(sample()));
}

TEST(StateContents, ReadingRefusesAnUnknownStatus) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["members"][1]["status"] = "paused"; }),
            kWhere +
                ": organizations.retail.members[1].status: \"paused\" is not a member status "
                "(active or canceled)");
  EXPECT_THAT(read_error([](auto& j) { retail(j)["members"][0]["status"] = "Active"; }),
              HasSubstr("organizations.retail.members[0].status: \"Active\" is not a member"));
}

TEST(StateContents, ReadingRefusesAMemberWithoutIdUnlessPending) {
  // [1] is Bo, who has an id.
  EXPECT_EQ(read_error([](auto& j) { retail(j)["members"][1]["id"] = ""; }),
            kWhere +
                ": organizations.retail.members[1].id: is empty; only a pending member "
                "(\"pending\": true) may lack one");
  EXPECT_THAT(read_error([](auto& j) { retail(j)["members"][0].erase("pending"); }),
              HasSubstr("organizations.retail.members[0].id: is empty"));
  EXPECT_THAT(read_error([](auto& j) { retail(j)["members"][2].erase("id"); }),
              HasSubstr("organizations.retail.members[2].id: missing"));
}

TEST(StateContents, ReadingRefusesAnEmptyEmail) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["members"][2]["email"] = ""; }),
            kWhere + ": organizations.retail.members[2].email: is empty");
}

TEST(StateContents, ReadingRefusesTheSameEmailTwiceInAnyCase) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["members"][2]["email"] = "BO@example.COM"; }),
            kWhere +
                ": organizations.retail.members[2].email: \"BO@example.COM\" is also the email "
                "of organizations.retail.members[1] (emails compare case-insensitively); a "
                "member is listed once");
}

TEST(StateContents, ReadingRefusesTheSameAccountTwiceInAnOrg) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["accounts"][1]["id"] = "acc-1"; }),
            kWhere +
                ": organizations.retail.accounts[1].id: \"acc-1\" is also the id of "
                "organizations.retail.accounts[0]; an account is listed once");
}

TEST(StateContents, ReadingRefusesAnInvalidAccountId) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["accounts"][0]["id"] = "acc 1"; }),
            kWhere +
                ": organizations.retail.accounts[0].id: \"acc 1\" is not an account id: it "
                "contains a space at character 4");
  EXPECT_THAT(read_error([](auto& j) { retail(j)["accounts"][0]["id"] = ""; }),
              HasSubstr("organizations.retail.accounts[0].id: \"\" is not an account id"));
}

TEST(StateContents, ReadingRefusesWhatIsNotAListOfKnownFields) {
  EXPECT_EQ(read_error([](auto& j) { retail(j)["members"] = nlohmann::json::object(); }),
            kWhere + ": organizations.retail.members: expected an array, found object");
  EXPECT_THAT(read_error([](auto& j) { retail(j)["members"][0]["role"] = "admin"; }),
              HasSubstr("organizations.retail.members[0].role: unknown field"));
  EXPECT_THAT(read_error([](auto& j) { retail(j)["accounts"][0].erase("type"); }),
              HasSubstr("organizations.retail.accounts[0].type: missing"));
  EXPECT_THAT(read_error([](auto& j) { retail(j)["members"] = nullptr; }),
              HasSubstr("organizations.retail.members: expected an array, found null"));
}

TEST(StateContents, AnAccountInTwoOrgsIsRefusedNamingBoth) {
  const std::string expected = kWhere +
                               ": organizations.retail.accounts: account \"acc-1\" is also in "
                               "organizations.ops; an account sits in one organization";
  EXPECT_EQ(read_error([](auto& j) {
              j["organizations"]["ops"]["accounts"].push_back(retail(j)["accounts"][0]);
            }),
            expected);
  State s = sample();
  (*s.orgs["ops"].accounts)["acc-1"] = make_account("acc-1", "Web");
  try {
    validate(s, kWhere);
    ADD_FAILURE() << "validated";
  } catch (const StateError& e) {
    EXPECT_EQ(e.what(), expected);
  }
}

TEST(StateContents, ValidateRefusesAnEntryUnderAnotherKey) {
  State s = sample();
  (*s.orgs["retail"].members)["other@example.com"] = make_member("Zed@Example.com", "m-9");
  try {
    validate(s, kWhere);
    ADD_FAILURE() << "validated";
  } catch (const StateError& e) {
    EXPECT_EQ(std::string(e.what()),
              kWhere +
                  ": organizations.retail.members[3].email: \"Zed@Example.com\" is held under the "
                  "key \"other@example.com\", not under its canonical email \"zed@example.com\"; "
                  "this is a bug in cforg");
  }
  s = sample();
  (*s.orgs["retail"].accounts)["acc-0"] = make_account("acc-7", "Moved");
  EXPECT_THROW(validate(s, kWhere), StateError);
  s = sample();
  (*s.orgs["retail"].members)["bo@example.com"].id = "";
  EXPECT_THROW(validate(s, kWhere), StateError);
  EXPECT_NO_THROW(validate(sample(), kWhere));
}

TEST(StateContents, FromRemoteKeepsWhatTheStateKnewInsideTheOrg) {
  const OrgState before = sample().orgs["retail"];
  Organization remote;
  remote.id = before.id;
  remote.spec.name = "Retail renamed";
  OrgState after = from_remote(remote, &before);
  EXPECT_EQ(after.members, before.members);
  EXPECT_EQ(after.accounts, before.accounts);
  EXPECT_FALSE(from_remote(remote).members.has_value());
}

}  // namespace
}  // namespace cforg::state
