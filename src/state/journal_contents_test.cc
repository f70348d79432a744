// The journal records of what lives inside an org (members, accounts): their lines, and how
// they fold into a state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "cforg/state/journal.h"
#include "contents_test_support.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;
using testing::make_account;
using testing::make_member;
using testing::make_org;
using testing::org_id;
using testing::org_with;
using Op = JournalRecord::Op;

JournalRecord member_record(Op op, const std::string& key, const Member& m) {
  JournalRecord r;
  r.op = op;
  r.key = key;
  r.member = m;
  return r;
}

JournalRecord account_record(Op op, const std::string& key, const Account& a) {
  JournalRecord r;
  r.op = op;
  r.key = key;
  r.account = a;
  return r;
}

JournalRecord begin_member(const std::string& key, const std::string& email,
                           MemberStatus status = MemberStatus::active) {
  return member_record(Op::begin_member, key, make_member(email, "", status));
}
JournalRecord put_member(const std::string& key, const Member& m) {
  return member_record(Op::put_member, key, m);
}
JournalRecord remove_member(const std::string& key, const std::string& email) {
  Member m;
  m.email = email;
  return member_record(Op::remove_member, key, m);
}
JournalRecord put_account(const std::string& key, const Account& a) {
  return account_record(Op::put_account, key, a);
}
JournalRecord remove_account(const std::string& key, const std::string& id) {
  Account a;
  a.id = id;
  return account_record(Op::remove_account, key, a);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StateError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(JournalContents, EachNewRecordHasTheLineItsReaderReadsBack) {
  Member odd = make_member("Qu\"o\\te \u00e9@x.example", "m-\u2713", MemberStatus::canceled);
  JournalRecord records[] = {begin_member("retail", "Al@Example.com"),
                             put_member("retail", make_member("al@example.com", "m-1")),
                             put_member("k\u00e9y", odd),
                             remove_member("retail", "AL@example.com"),
                             put_account("retail", make_account("acc-1", "Web \"shop\"")),
                             remove_account("retail", "acc-1")};
  for (const JournalRecord& r : records) {
    std::string line = record_line(r, "j");
    EXPECT_EQ(line, to_json(r).dump() + "\n");
    EXPECT_EQ(record_from_json(nlohmann::json::parse(line), "j:2"), r) << line;
  }
}

TEST(JournalContents, LinesHaveTheShapesTheDocsShow) {
  EXPECT_EQ(record_line(begin_member("retail", "al@example.com"), "j"),
            R"({"key":"retail","member":{"create_time":"","email":"al@example.com","id":"",)"
            R"("status":"active"},"op":"begin_member"})"
            "\n");
  EXPECT_EQ(record_line(put_member("retail", make_member("al@example.com", "m-1")), "j"),
            R"({"key":"retail","member":{"create_time":"2026-12-01T09:30:00Z","email":)"
            R"("al@example.com","id":"m-1","status":"active"},"op":"put_member"})"
            "\n");
  EXPECT_EQ(record_line(remove_member("retail", "al@example.com"), "j"),
            R"({"key":"retail","member":{"email":"al@example.com"},"op":"remove_member"})"
            "\n");
  EXPECT_EQ(record_line(put_account("retail", make_account("acc-1", "Web")), "j"),
            R"({"account":{"id":"acc-1","name":"Web","type":"standard"},"key":"retail",)"
            R"("op":"put_account"})"
            "\n");
  EXPECT_EQ(record_line(remove_account("retail", "acc-1"), "j"),
            R"({"account":{"id":"acc-1"},"key":"retail","op":"remove_account"})"
            "\n");
}

TEST(JournalContents, LineRefusesWhatTheReaderWouldReject) {
  auto refused = [](const JournalRecord& r) {
    return error_of([&] { record_line(r, "s.json.journal"); });
  };
  EXPECT_EQ(refused(put_member("retail", make_member("al@example.com", ""))),
            "s.json.journal: member.id: is empty; a put_member records a member the API "
            "answered with");
  Member pending = make_member("al@example.com", "m-1");
  pending.pending = true;
  EXPECT_THAT(refused(put_member("retail", pending)), HasSubstr("member.pending: is set"));
  EXPECT_EQ(refused(begin_member("retail", "")), "s.json.journal: member.email: is empty");
  EXPECT_EQ(refused(remove_member("retail", "")), "s.json.journal: member.email: is empty");
  EXPECT_THAT(refused(put_account("retail", make_account("a b", "Web"))),
              HasSubstr("s.json.journal: account.id: \"a b\" is not an account id"));
  EXPECT_THAT(refused(remove_account("retail", "")), HasSubstr("account.id: \"\" is not"));
  EXPECT_EQ(refused(remove_account("", "acc-1")), "s.json.journal: key: is empty");
  EXPECT_THAT(refused(put_member("retail", make_member("bad \xff@x.example", "m-1"))),
              HasSubstr("s.json.journal: retail: "));
}

TEST(JournalContents, ReaderRefusesBadRecordsNamingTheField) {
  auto read = [](const std::string& line) {
    return error_of([&] { record_from_json(nlohmann::json::parse(line), "s.json.journal:4"); });
  };
  EXPECT_EQ(read(R"({"key":"r","member":{"create_time":"","email":"a@x","id":"",)"
                 R"("status":"gone"},"op":"begin_member"})"),
            "s.json.journal:4: member.status: \"gone\" is not a member status (active or "
            "canceled)");
  EXPECT_EQ(read(R"({"key":"r","op":"put_member"})"), "s.json.journal:4: member: missing");
  EXPECT_THAT(read(R"({"key":"r","member":{"email":"a@x","id":"m"},"op":"remove_member"})"),
              HasSubstr("s.json.journal:4: member.id: unknown field"));
  EXPECT_THAT(read(R"({"account":{"id":"a"},"key":"r","op":"put_account"})"),
              HasSubstr("s.json.journal:4: account.name: missing"));
  EXPECT_THAT(read(R"({"account":{"id":"a"},"key":"r","op":"remove_account","org":{}})"),
              HasSubstr("s.json.journal:4: org: unknown field"));
}

TEST(JournalContents, BeginMemberAddsAPendingMemberThatAPutReplaces) {
  State s;
  s.orgs["retail"] = make_org(org_id(1), "Retail");  // members not managed yet
  fold(s, begin_member("retail", "Al@Example.com", MemberStatus::canceled));
  ASSERT_TRUE(s.orgs["retail"].members.has_value());
  ASSERT_EQ(s.orgs["retail"].members->size(), 1u);
  const Member& pending = s.orgs["retail"].members->at("al@example.com");
  EXPECT_TRUE(pending.pending);
  EXPECT_EQ(pending.id, "");
  EXPECT_EQ(pending.email, "Al@Example.com");
  EXPECT_EQ(pending.status, MemberStatus::canceled);
  EXPECT_NO_THROW(validate(s, "s"));  // a pending member may lack an id

  Member created = make_member("Al@Example.com", "m-1");
  fold(s, put_member("retail", created));
  EXPECT_EQ(s.orgs["retail"].members->at("al@example.com"), created);
  fold(s, begin_member("retail", "AL@example.com"));  // a retry after the answer: no-op
  EXPECT_EQ(s.orgs["retail"].members->at("al@example.com"), created);
  EXPECT_EQ(s.orgs["retail"].members->size(), 1u);
}

TEST(JournalContents, RemoveMemberErasesByCanonicalEmail) {
  State s;
  s.orgs["retail"] = org_with(org_id(1), "Retail", {make_member("al@example.com", "m-1")}, {});
  fold(s, remove_member("retail", "AL@EXAMPLE.COM"));
  ASSERT_TRUE(s.orgs["retail"].members.has_value());
  EXPECT_TRUE(s.orgs["retail"].members->empty());  // managed, and empty
  s.orgs["legacy"] = make_org(org_id(2), "Legacy");
  fold(s, remove_member("legacy", "nobody@example.com"));
  EXPECT_EQ(s.orgs["legacy"].members, (std::map<std::string, Member>{}));
}

TEST(JournalContents, PutAccountMovesItOutOfTheOtherOrg) {
  State s;
  s.orgs["a"] = org_with(org_id(1), "A", {}, {make_account("acc-1", "Web")});
  s.orgs["b"] = make_org(org_id(2), "B");  // accounts not managed yet
  s.orgs["c"] = make_org(org_id(3), "C");
  fold(s, put_account("b", make_account("acc-1", "Web renamed")));
  EXPECT_TRUE(s.orgs["a"].accounts->empty());
  ASSERT_TRUE(s.orgs["b"].accounts.has_value());
  EXPECT_EQ(s.orgs["b"].accounts->at("acc-1").name, "Web renamed");
  EXPECT_FALSE(s.orgs["c"].accounts.has_value());  // untouched
  EXPECT_NO_THROW(validate(s, "s"));

  fold(s, remove_account("b", "acc-1"));
  EXPECT_TRUE(s.orgs["b"].accounts->empty());
  fold(s, remove_account("c", "acc-9"));
  EXPECT_EQ(s.orgs["c"].accounts, (std::map<std::string, Account>{}));
}

TEST(JournalContents, ARecordInsideAnUntrackedOrgIsDamage) {
  State s;
  s.orgs["retail"] = make_org(org_id(1), "Retail");
  const State before = s;
  JournalRecord records[] = {
      begin_member("ghost", "a@x.example"), put_member("ghost", make_member("a@x.example", "m-1")),
      remove_member("ghost", "a@x.example"), put_account("ghost", make_account("acc-1", "Web")),
      remove_account("ghost", "acc-1")};
  for (const JournalRecord& r : records) {
    EXPECT_THAT(error_of([&] { fold(s, r); }),
                HasSubstr("for organizations.ghost: no such organization in the state"));
  }
  EXPECT_EQ(s, before);
}

TEST(JournalContents, LoadRefusesAJournalWithARecordInsideAnUntrackedOrg) {
  testing::TempDir dir;
  const std::string path = dir / "s.json";
  auto b = open_file_backend(path);
  State s = testing::load(*b);
  s.orgs["retail"] = make_org(org_id(1), "Retail");
  testing::save(*b, s);
  {
    testing::Run run = testing::begin(*b, s);
    run->append(put_member("retail", make_member("a@x.example", "m-1")));
    run->append(put_member("ghost", make_member("b@x.example", "m-2")));
  }
  std::string error = error_of([&] { testing::load(*open_file_backend(path)); });
  EXPECT_THAT(error, HasSubstr(path + ".journal:3: put_member for organizations.ghost"));
  EXPECT_THAT(error, HasSubstr("Move the journal aside"));
}

}  // namespace
}  // namespace cforg::state
