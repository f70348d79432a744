// The actions inside an org: a member added or removed, an account moved in, and what each
// does when the API's answer is lost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actions.h"
#include "test_fakes.h"

namespace cforg::apply {
namespace {

using fakes::FakeClient;
using fakes::FakeLedger;
using state::JournalRecord;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Op = JournalRecord::Op;
using Status = Outcome::Status;

const std::string kAccount = "acc00000000000000000000000000001";

std::vector<Op> ops(const std::vector<JournalRecord>& records) {
  std::vector<Op> out;
  for (const JournalRecord& r : records) out.push_back(r.op);
  return out;
}

struct ContentActions : ::testing::Test {
  ContentActions() {
    Organization o;
    o.id = testing::org_id(7);
    o.spec.name = "Retail";
    o.meta = nlohmann::json::object();
    client.orgs[o.id] = o;
    ledger.st.orgs["retail"] = state::from_remote(o);
    client.accounts[kAccount] = Account{kAccount, "Shop", "standard"};
  }
  ActionResult run(const plan::Action& a) {
    ActionContext ctx{client, ledger, 3, {}, [] { return false; }, [] { return std::uint64_t{0}; },
                      true};
    ctx.backoff.base_delay = std::chrono::milliseconds(0);
    return perform(a, ctx);
  }
  plan::Action add(const std::string& email, MemberStatus status = MemberStatus::active) {
    plan::Action a;
    a.kind = plan::ActionKind::add_member;
    a.key = "retail";
    a.member = Member{.email = email, .status = status};
    return a;  // no id: the org is found in the ledger, as for an org created in this run
  }
  plan::Action move() {
    plan::Action a;
    a.kind = plan::ActionKind::move_account;
    a.key = "retail";
    a.id = testing::org_id(7);
    a.account = Account{kAccount, "Shop", ""};
    return a;
  }
  std::size_t members_named(const std::string& email) {
    return client.members[testing::org_id(7)].count(canonical_email(email));
  }
  FakeClient client;
  FakeLedger ledger{client};
};

TEST_F(ContentActions, AMemberCreateWritesItsIntentAheadAndReturnsTheMemberToCommit) {
  ActionResult r = run(add("alice@example.com"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_THAT(ops(ledger.written), ElementsAre(Op::begin_member));
  EXPECT_THAT(ledger.posts_before, ElementsAre(0)) << "the intent goes before the POST";
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put_member));
  EXPECT_FALSE(r.records[0].member.id.empty());
  EXPECT_EQ(client.member_posts, 1);
}

TEST_F(ContentActions, AMemberCreateCutOffAfterItsCommitIsLookedUpNotSentAgain) {
  client.ambiguous_members["alice@example.com"] = 1;
  ActionResult r = run(add("Alice@Example.com"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_TRUE(r.outcome.recovered);
  EXPECT_EQ(client.member_posts, 1);
  EXPECT_EQ(members_named("alice@example.com"), 1u);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put_member));
}

TEST_F(ContentActions, AConflictForAnExistingMemberRecordsTheOneThere) {
  ASSERT_TRUE(client.create_member(testing::org_id(7), {"bob@example.com"}));
  ActionResult r = run(add("bob@example.com"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(members_named("bob@example.com"), 1u);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put_member));
}

TEST_F(ContentActions, AnExistingMemberWithAnotherStatusIsRecordedAndReported) {
  ASSERT_TRUE(client.create_member(testing::org_id(7), {"bob@example.com"}));
  ActionResult r = run(add("bob@example.com", MemberStatus::canceled));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("exists already with status active"));
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put_member)) << "what is there is recorded";
}

TEST_F(ContentActions, ARecoveringCreateLooksBeforeItPosts) {
  ASSERT_TRUE(client.create_member(testing::org_id(7), {"carol@example.com"}));
  const int posts = client.member_posts;
  plan::Action a = add("carol@example.com");
  a.recover = true;
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_TRUE(r.outcome.recovered);
  EXPECT_EQ(client.member_posts, posts);
}

TEST_F(ContentActions, AMemberRemovalDeletesByIdAndIsDoneWhenAlreadyGone) {
  auto created = client.create_member(testing::org_id(7), {"dave@example.com"});
  ASSERT_TRUE(created);
  plan::Action a;
  a.kind = plan::ActionKind::remove_member;
  a.key = "retail";
  a.id = testing::org_id(7);
  a.member = created.value();
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(members_named("dave@example.com"), 0u);
  EXPECT_THAT(ops(r.records), ElementsAre(Op::remove_member));
  EXPECT_EQ(run(a).outcome.status, Status::done) << "a 404 is the same result";
}

TEST_F(ContentActions, AnAccountMoveRecordsTheAccountInItsNewOrg) {
  ActionResult r = run(move());
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.account_home[kAccount], testing::org_id(7));
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put_account));
  EXPECT_EQ(r.records[0].account.id, kAccount);
}

TEST_F(ContentActions, AnAccountMoveCutOffIsCheckedWhereTheAccountIsBeforeItIsSentAgain) {
  client.ambiguous_moves[kAccount] = 1;
  const int lists = client.lists;
  ActionResult r = run(move());
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.moves, 1) << "it had moved: not sent again";
  EXPECT_EQ(client.lists, lists + 1);
}

TEST_F(ContentActions, NothingIsSentIntoAnOrgThatDoesNotExist) {
  plan::Action a = add("erin@example.com");
  a.key = "never-created";
  ActionResult r = run(a);
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("does not exist"));
  EXPECT_EQ(client.member_posts, 0);
}

}  // namespace
}  // namespace cforg::apply
