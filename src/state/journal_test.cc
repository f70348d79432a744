// The journal: records, folding rules, the file's life beside the state, group commit, and
// durability across a kill.
#include "cforg/state/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <atomic>
#include <cerrno>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "file_journal.h"
#include "journal_reader.h"
#include "state_test_support.h"

namespace cforg::state {
namespace {

using testing::append_bytes;
using testing::begin;
using testing::file_exists;
using testing::FileSnapshot;
using ::testing::HasSubstr;
using testing::load;
using testing::make_org;
using testing::org_id;
using testing::read_bytes;
using testing::save;
using testing::TempDir;
using testing::write_bytes;
using Op = JournalRecord::Op;

JournalRecord begin_create(const std::string& key, const std::string& name,
                           const std::string& parent_id = "") {
  OrgState o;
  o.spec.name = name;
  o.spec.parent = ParentRef::from_api_id(parent_id);
  o.spec.profile = Profile{"N", "e@x.example", "1", "addr", ""};
  return {Op::begin_create, key, o};
}

JournalRecord put(const std::string& key, const OrgState& o) {
  return {Op::put, key, o};
}

JournalRecord remove(const std::string& key) {
  return {Op::remove, key, {}};
}

std::string line(const nlohmann::json& j) {
  return j.dump() + "\n";
}

std::string header(const std::string& lineage, std::uint64_t base_serial) {
  return "{\"cforg_journal\":1,\"lineage\":\"" + lineage +
         "\",\"base_serial\":" + std::to_string(base_serial) + "}\n";
}

std::string expected_line(const JournalRecord& r) {
  return line(to_json(r));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(JournalRecord, JsonRoundTrip) {
  JournalRecord records[] = {begin_create("a", "A", org_id(1)), put("b", make_org(org_id(2), "B")),
                             remove("c")};
  for (const auto& r : records) {
    EXPECT_EQ(record_from_json(to_json(r), "j:2"), r) << to_json(r).dump();
  }
  EXPECT_FALSE(to_json(remove("c")).contains("org"));
  EXPECT_EQ(to_json(put("b", make_org(org_id(2), "B")))["org"],
            org_to_json(make_org(org_id(2), "B")));
}

TEST(JournalRecord, LineIsTheCompactJsonDumpByteForByte) {
  OrgState odd =
      make_org(org_id(7), "Quote \" back\\slash \t tab \x01 \x7f \u00dcnic\u00f8de \u2713",
               org_id(6), "parent-key");
  odd.meta = nlohmann::json{{"b", {1, 2.5, nullptr}}, {"a", "x\ny"}, {"flags", {{"z", true}}}};
  odd.spec.prevent_destroy = true;
  odd.spec.profile = Profile{"Acme \"Inc\"", "ops@x.example", "+1 555", "1 Road\nTown", "VAT-1"};
  OrgState pending = begin_create("p", "Pending", org_id(1)).org;
  pending.pending_create = true;
  JournalRecord records[] = {begin_create("a", "A", org_id(1)),
                             begin_create("root", "Root"),
                             put("b", make_org(org_id(2), "B")),
                             put("k\u00e9y \"odd\"", odd),
                             put("p", pending),
                             remove("c")};
  for (const auto& r : records) {
    std::string got = record_line(r, "j");
    EXPECT_EQ(got, expected_line(r));
    EXPECT_EQ(record_from_json(nlohmann::json::parse(got), "j:2"), r) << got;
  }
}

TEST(JournalRecord, LineRefusesWhatTheReaderWouldReject) {
  auto refuses = [](const JournalRecord& r, const std::string& part) {
    try {
      record_line(r, "s.json.journal");
      ADD_FAILURE() << "wrote " << r.key;
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr("s.json.journal: "));
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  refuses(put("a", make_org("", "No id")), "org.id");
  refuses(put("a", make_org("not an id", "Bad id")), "org.id");
  refuses(put("", make_org(org_id(1), "No key")), "key");
  refuses(begin_create("b", ""), "org.name");
  refuses(put("u", make_org(org_id(1), "bad \xff utf-8")), "u: ");
  EXPECT_NO_THROW(record_line(begin_create("b", "B"), "j"));  // a pending create has no id yet
}

TEST(JournalRecord, RejectsInvalidRecords) {
  auto rejects = [](nlohmann::json j, const std::string& part) {
    try {
      record_from_json(j, "s.json.journal:5");
      ADD_FAILURE() << "accepted " << j.dump();
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr("s.json.journal:5: "));
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  nlohmann::json good = to_json(put("b", make_org(org_id(2), "B")));
  nlohmann::json j = good;
  j["op"] = "rename";
  rejects(j, "unknown operation");
  j = good;
  j["org"]["id"] = "";  // a put records a created org: it has an id
  rejects(j, "org.id");
  j = good;
  j.erase("key");
  rejects(j, "key");
  j = good;
  j.erase("org");
  rejects(j, "org: missing");
  j = good;
  j["when"] = 1;
  rejects(j, "unknown field");
  rejects(nlohmann::json::array(), "expected an object, found array");
}

TEST(JournalRecord, ErrorsNameTheMemberAndWhatWasExpected) {
  auto error_of = [](const nlohmann::json& j) -> std::string {
    try {
      record_from_json(j, "s.json.journal:5");
    } catch (const StateError& e) {
      return e.what();
    }
    return "accepted";
  };
  nlohmann::json good = to_json(put("b", make_org(org_id(2), "B")));
  nlohmann::json j = good;
  j["op"] = 1;
  EXPECT_EQ(error_of(j), "s.json.journal:5: op: expected a string, found number");
  j = good;
  j["key"] = "";
  EXPECT_EQ(error_of(j), "s.json.journal:5: key: is empty");
  j = good;
  j["op"] = "rename\x1b[2J";
  EXPECT_THAT(error_of(j), HasSubstr("s.json.journal:5: op: unknown operation \"rename"));
  EXPECT_EQ(error_of(j).find('\x1b'), std::string::npos);
  j = good;
  j["when"] = 1;
  EXPECT_EQ(error_of(j), "s.json.journal:5: when: unknown field (the known ones: key, op, org)");
  j = good;
  j["org"]["name"] = false;
  EXPECT_EQ(error_of(j), "s.json.journal:5: org.name: expected a string, found boolean");
}

TEST(JournalHeader, ErrorsSayItIsNoHeaderAndNameTheMember) {
  auto error_of = [](const std::string& first_line) -> std::string {
    try {
      parse_journal(first_line + "\n", "s.json.journal");
    } catch (const StateError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(R"({"cforg_journal":1,"lineage":"l","base_serial":3})"), "accepted");
  EXPECT_EQ(error_of(R"({"cforg_journal":1,"base_serial":3})"),
            "s.json.journal:1: not a cforg journal header: lineage: missing");
  EXPECT_EQ(error_of(R"({"cforg_journal":1,"lineage":"l","base_serial":-3})"),
            "s.json.journal:1: not a cforg journal header: base_serial: expected a non-negative "
            "integer, found number");
  EXPECT_EQ(error_of(R"({"cforg_journal":1,"lineage":"l","base_serial":3,"x":0})"),
            "s.json.journal:1: not a cforg journal header: x: unknown field (the known ones: "
            "base_serial, cforg_journal, lineage)");
  EXPECT_EQ(error_of(R"({"lineage":"l","base_serial":3})"),
            "s.json.journal:1: not a cforg journal header: cforg_journal: missing");
  EXPECT_EQ(error_of("[]"),
            "s.json.journal:1: not a cforg journal header: expected an object, found array");
  // A syntax error is placed by line and column in the file.
  std::string text = header("l", 3) + "{\"op\" 1}\n" + header("l", 3);
  try {
    parse_journal(text, "s.json.journal");
    ADD_FAILURE() << "accepted";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.json.journal:2:7: invalid JSON: syntax error"));
  }
}

TEST(JournalFold, Rules) {
  State s;
  s.orgs["tracked"] = make_org(org_id(1), "Tracked");

  fold(s, begin_create("new", "New", org_id(1)));
  ASSERT_TRUE(s.orgs.count("new"));
  const OrgState& pending = s.orgs["new"];
  EXPECT_TRUE(pending.pending_create);
  EXPECT_EQ(pending.id, "");
  EXPECT_EQ(pending.spec.name, "New");
  EXPECT_EQ(pending.parent_id(), org_id(1));
  EXPECT_TRUE(pending.spec.profile.has_value());

  fold(s, begin_create("tracked", "Tracked again"));  // has an id: keep it
  EXPECT_EQ(s.orgs["tracked"], make_org(org_id(1), "Tracked"));

  OrgState created = make_org(org_id(2), "New", org_id(1));
  fold(s, put("new", created));
  EXPECT_EQ(s.orgs["new"], created);

  fold(s, begin_create("new", "New"));  // a retry after the create was recorded: no-op
  EXPECT_EQ(s.orgs["new"], created);

  fold(s, remove("tracked"));
  EXPECT_FALSE(s.orgs.count("tracked"));
  fold(s, remove("never-there"));
  EXPECT_EQ(s.orgs.size(), 1u);
}

class JournalFile : public ::testing::Test {
 protected:
  std::string path() const { return dir_ / "s.json"; }
  std::string journal_path() const { return path() + ".journal"; }
  std::unique_ptr<Backend> backend() const { return open_file_backend(path()); }

  // A saved state at serial `serial` holding org "root"; returns it.
  State saved_state(int serial) {
    auto b = backend();
    State s = load(*b);
    s.orgs["root"] = make_org(org_id(1), "Root");
    for (int i = 0; i < serial; ++i) save(*b, s);
    return s;
  }

  void expect_load_error(const std::vector<std::string>& parts) {
    try {
      load(*backend());
      ADD_FAILURE() << "load succeeded";
    } catch (const StateError& e) {
      for (const auto& part : parts) EXPECT_THAT(e.what(), HasSubstr(part));
    }
  }

  TempDir dir_;
};

TEST_F(JournalFile, RecordsOfARunOnAMissingStateAreFoldedByLoad) {
  auto b = backend();
  auto lock = b->lock("apply");
  Snapshot snapshot = b->load();
  State base = snapshot.state;
  EXPECT_FALSE(snapshot.journal_pending());
  auto journal = begin(*b, base, lock.get());
  EXPECT_EQ(lines_of(read_bytes(journal_path())),
            std::vector<std::string>{R"({"cforg_journal":1,"lineage":"","base_serial":0})"});
  journal->append(begin_create("root", "Root"));
  journal->append(begin_create("child", "Child", org_id(1)));
  OrgState root = make_org(org_id(1), "Root");
  std::uint64_t seq = journal->append(put("root", root));
  journal->sync(seq);
  EXPECT_EQ(seq, 3u);

  // As after a crash: another process loads.
  FileSnapshot before = FileSnapshot::of(journal_path());
  auto after_crash = backend();
  Snapshot loaded_snapshot = after_crash->load();
  State loaded = loaded_snapshot.state;
  EXPECT_TRUE(loaded_snapshot.journal_pending());  // the state file lacks what it folded in
  EXPECT_TRUE(FileSnapshot::of(journal_path()) == before);  // loading changes no file
  EXPECT_EQ(loaded.lineage, "");
  EXPECT_EQ(loaded.serial, 0u);
  EXPECT_EQ(loaded.orgs["root"], root);
  EXPECT_TRUE(loaded.orgs["child"].pending_create);
  EXPECT_EQ(loaded.orgs["child"].parent_key, "root");  // relinked after folding

  save(*b, loaded, lock.get());
  EXPECT_FALSE(file_exists(journal_path()));
  auto next = backend();
  Snapshot next_snapshot = next->load();
  EXPECT_EQ(next_snapshot.state, loaded);
  EXPECT_FALSE(next_snapshot.journal_pending());
}

TEST_F(JournalFile, AppendsToTheJournalThatLoadFolded) {
  State base = saved_state(2);
  {
    auto b = backend();
    auto journal = begin(*b, base);
    journal->append(put("a", make_org(org_id(10), "A")));
    journal->sync(journal->append(put("b", make_org(org_id(11), "B"))));
  }  // the run dies without saving
  auto b = backend();
  State folded = load(*b);
  EXPECT_EQ(folded.serial, 2u);
  ASSERT_EQ(folded.orgs.size(), 3u);
  {
    auto journal = begin(*b, folded);  // same header: appends
    journal->sync(journal->append(remove("a")));
  }
  auto lines = lines_of(read_bytes(journal_path()));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0] + "\n", header(base.lineage, 2));
  State again = load(*backend());
  EXPECT_FALSE(again.orgs.count("a"));
  EXPECT_TRUE(again.orgs.count("b"));
}

TEST_F(JournalFile, StaleJournalIsIgnoredAndReplaced) {
  State s = saved_state(3);
  // What a save interrupted between renaming the state and removing the journal leaves.
  write_bytes(journal_path(),
              header(s.lineage, 2) + expected_line(put("ghost", make_org(org_id(9), "Ghost"))));
  State loaded = load(*backend());
  EXPECT_EQ(loaded, s);
  auto journal = begin(*backend(), loaded);
  EXPECT_EQ(read_bytes(journal_path()), header(s.lineage, 3));
}

TEST_F(JournalFile, JournalOfAnInterruptedFirstSaveIsStale) {
  State s = saved_state(1);
  write_bytes(journal_path(),
              header("", 0) + expected_line(put("ghost", make_org(org_id(9), "Ghost"))));
  EXPECT_EQ(load(*backend()), s);
}

TEST_F(JournalFile, JournalNewerThanTheStateIsAnError) {
  State s = saved_state(1);
  write_bytes(journal_path(), header(s.lineage, 5) + expected_line(remove("root")));
  FileSnapshot before = FileSnapshot::of(journal_path());
  expect_load_error({journal_path(), "serial 5", "older than its journal"});
  EXPECT_THROW(begin(*backend(), s), StateError);  // never replaced
  EXPECT_TRUE(FileSnapshot::of(journal_path()) == before);
}

TEST_F(JournalFile, JournalOfAnotherLineageIsAnError) {
  State s = saved_state(1);
  write_bytes(journal_path(), header("another-lineage", 1) + expected_line(remove("root")));
  FileSnapshot before = FileSnapshot::of(journal_path());
  expect_load_error({journal_path(), "another-lineage", s.lineage, "replaced"});
  EXPECT_THROW(begin(*backend(), s), StateError);
  EXPECT_TRUE(FileSnapshot::of(journal_path()) == before);
}

TEST_F(JournalFile, JournalWithoutItsStateIsAnError) {
  write_bytes(journal_path(), header("some-lineage", 4) + expected_line(remove("root")));
  expect_load_error({journal_path(), "does not exist", ".backup"});
}

TEST_F(JournalFile, TornLastLineIsIgnoredAndCutBeforeAppending) {
  State s = saved_state(1);
  std::string good = expected_line(put("a", make_org(org_id(10), "A")));
  std::string torn = expected_line(put("b", make_org(org_id(11), "B"))).substr(0, 40);
  write_bytes(journal_path(), header(s.lineage, 1) + good + torn);
  FileSnapshot before = FileSnapshot::of(journal_path());
  State loaded = load(*backend());
  EXPECT_TRUE(FileSnapshot::of(journal_path()) == before);
  EXPECT_TRUE(loaded.orgs.count("a"));
  EXPECT_FALSE(loaded.orgs.count("b"));

  {
    auto journal = begin(*backend(), loaded);
    journal->sync(journal->append(put("c", make_org(org_id(12), "C"))));
  }
  EXPECT_EQ(read_bytes(journal_path()),
            header(s.lineage, 1) + good + expected_line(put("c", make_org(org_id(12), "C"))));
  State again = load(*backend());
  EXPECT_TRUE(again.orgs.count("a"));
  EXPECT_TRUE(again.orgs.count("c"));
}

TEST_F(JournalFile, WholeLastRecordWithoutItsNewlineIsKept) {
  State s = saved_state(1);
  std::string record = expected_line(put("a", make_org(org_id(10), "A")));
  write_bytes(journal_path(), header(s.lineage, 1) + record.substr(0, record.size() - 1));
  State loaded = load(*backend());
  EXPECT_TRUE(loaded.orgs.count("a"));
  {
    auto journal = begin(*backend(), loaded);
    journal->sync(journal->append(remove("root")));
  }
  EXPECT_EQ(read_bytes(journal_path()),
            header(s.lineage, 1) + record + expected_line(remove("root")));
}

TEST_F(JournalFile, CorruptLineBeforeTheLastIsAnError) {
  State s = saved_state(1);
  write_bytes(journal_path(),
              header(s.lineage, 1) + "{\"op\":\"put\",\"ke\n" + expected_line(remove("root")));
  FileSnapshot before = FileSnapshot::of(journal_path());
  expect_load_error({journal_path() + ":2:", "invalid JSON"});
  EXPECT_THROW(begin(*backend(), s), StateError);
  EXPECT_TRUE(FileSnapshot::of(journal_path()) == before);

  // A well-formed line that is not a valid record counts as corrupt too.
  write_bytes(journal_path(), header(s.lineage, 1) + "{\"op\":\"put\",\"key\":\"x\"}\n" +
                                  expected_line(remove("root")));
  expect_load_error({journal_path() + ":2: org: missing"});
}

TEST_F(JournalFile, BadHeaderIsAnError) {
  State s = saved_state(1);
  write_bytes(journal_path(), "{\"cforg_journal\":2,\"lineage\":\"x\",\"base_serial\":1}\n");
  expect_load_error({journal_path() + ":1", "unknown journal version 2", "Upgrade cforg"});
  write_bytes(journal_path(), "not json\n");
  expect_load_error({journal_path() + ":1"});
}

TEST_F(JournalFile, AppendRefusesARecordTheReaderWouldReject) {
  auto b = backend();
  auto journal = begin(*b, load(*b));
  std::string before = read_bytes(journal_path());
  EXPECT_THROW(journal->append(put("a", make_org("", "No id"))), StateError);
  EXPECT_THROW(journal->append(put("", make_org(org_id(1), "No key"))), StateError);
  EXPECT_THROW(journal->append(begin_create("b", "")), StateError);
  EXPECT_EQ(read_bytes(journal_path()), before);
  EXPECT_EQ(journal->append(remove("a")), 1u);
}

TEST_F(JournalFile, AppendsABatchInOneGoAllOrNone) {
  auto b = backend();
  auto journal = begin(*b, load(*b));
  EXPECT_EQ(journal->append(begin_create("a", "A")), 1u);
  std::vector<JournalRecord> batch = {put("a", make_org(org_id(1), "A")),
                                      put("b", make_org(org_id(2), "B", org_id(1), "a")),
                                      remove("c")};
  EXPECT_EQ(journal->append(batch), 4u);  // the last record's sequence number
  std::string before = read_bytes(journal_path());
  auto lines = lines_of(before);
  ASSERT_EQ(lines.size(), 5u);  // the header and four records, in order
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(lines[i + 2] + "\n", expected_line(batch[i]));
  }
  std::vector<JournalRecord> bad = {put("d", make_org(org_id(4), "D")),
                                    put("e", make_org("", "No id"))};
  EXPECT_THROW(journal->append(bad), StateError);
  EXPECT_EQ(read_bytes(journal_path()), before);  // not even the good one
  EXPECT_EQ(journal->append(std::span<const JournalRecord>()), 4u);
  journal->sync(4);
  State folded = load(*b);
  EXPECT_EQ(folded.orgs.at("b").parent_id(), org_id(1));
  EXPECT_FALSE(folded.orgs.count("c"));
}

TEST_F(JournalFile, SaveRetiresTheOpenJournal) {
  auto b = backend();
  State s = load(*b);
  auto journal = begin(*b, s);
  OrgState a = make_org(org_id(10), "A");
  journal->sync(journal->append(put("a", a)));
  s.orgs["a"] = a;
  journal.tx->commit(s);
  EXPECT_FALSE(file_exists(journal_path()));
  // An append now would go to a removed file and be lost: it throws instead.
  EXPECT_THROW(journal.journal().append(remove("a")), StateError);
  auto next = begin(*b, s, journal.own_lock.get());
  EXPECT_EQ(read_bytes(journal_path()), header(s.lineage, 1));
}

// 16 threads that each append and sync 200 records, as the executor's workers do; returns the
// number of fsyncs they took, and checks that every record is there.
std::uint64_t concurrent_appends_and_syncs(Backend& b, FileJournal::SyncFunction sync_function) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 200;
  constexpr int kRecords = kThreads * kPerThread;
  auto journal = begin(b, load(b));
  auto& file = dynamic_cast<FileJournalHandle&>(journal.journal()).file();
  if (sync_function) file.set_sync_function(sync_function);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        std::uint64_t seq =
            journal->append(put("k" + std::to_string(n), make_org(org_id(n + 1), "Org")));
        journal->sync(seq);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::uint64_t fsyncs = file.sync_count();
  std::cout << "[          ] " << kRecords << " synced appends took " << fsyncs << " fsyncs\n";

  State loaded = load(b);
  EXPECT_EQ(loaded.orgs.size(), static_cast<std::size_t>(kRecords));
  for (int n = 0; n < kRecords; ++n) {
    EXPECT_EQ(loaded.orgs["k" + std::to_string(n)].id, org_id(n + 1)) << n;
  }
  return fsyncs;
}

TEST_F(JournalFile, GroupCommitSharesFsyncs) {
  struct statfs fs {};
  ASSERT_EQ(::statfs(dir_.path().c_str(), &fs), 0);
  if (fs.f_type == TMPFS_MAGIC) {
    GTEST_SKIP() << "fsync is free on tmpfs: nothing to share (see the slow-disk test)";
  }
  std::uint64_t fsyncs = concurrent_appends_and_syncs(*backend(), nullptr);
  EXPECT_GT(fsyncs, 0u);
  EXPECT_LT(fsyncs, 3200u / 4);
}

// The same on a simulated disk where an fsync takes 2 ms, whatever the test machine's disk is.
int slow_fdatasync(int fd) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return ::fdatasync(fd);
}

TEST_F(JournalFile, GroupCommitSharesFsyncsOnASlowDisk) {
  std::uint64_t fsyncs = concurrent_appends_and_syncs(*backend(), slow_fdatasync);
  EXPECT_GT(fsyncs, 0u);
  // One fsync at a time, each covering all who finished meanwhile: with 16 writers, roughly
  // 3200 / 16 of them.
  EXPECT_LT(fsyncs, 3200u / 4);
}

// An fsync that fails once (EIO), then succeeds.
std::atomic<int> failing_fsyncs_left{0};
int fdatasync_failing_once(int fd) {
  if (failing_fsyncs_left.fetch_sub(1) > 0) {
    errno = EIO;
    return -1;
  }
  return ::fdatasync(fd);
}

// After a failed fsync Linux may mark the unwritten pages clean, so a later fsync can succeed
// with the records lost: the journal must never report durability again.
TEST_F(JournalFile, AFailedFsyncFailsEverySyncAfterIt) {
  auto journal = begin(*backend(), load(*backend()));
  auto& file = dynamic_cast<FileJournalHandle&>(journal.journal()).file();
  failing_fsyncs_left = 1;
  file.set_sync_function(fdatasync_failing_once);
  std::uint64_t first = journal->append(put("a", make_org(org_id(1), "A")));
  try {
    journal->sync(first);
    ADD_FAILURE() << "sync reported a record durable after its fsync failed";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot fsync journal"));
    EXPECT_THAT(e.what(), HasSubstr("may not be on disk"));
  }
  std::uint64_t second = journal->append(put("b", make_org(org_id(2), "B")));
  EXPECT_THROW(journal->sync(second), StateError);  // though fsync works again
  EXPECT_THROW(journal->sync(first), StateError);
  EXPECT_EQ(file.sync_count(), 1u);
}

TEST_F(JournalFile, SyncedRecordsSurviveAKill) {
  std::set<int> acknowledged;
  std::mt19937 random(std::random_device{}());
  int next_key = 0;
  for (int round = 0; round < 6; ++round) {
    testing::Pipe acks;
    int first = next_key;
    pid_t child = testing::fork_child([&] {
      auto b = backend();
      auto lock = b->lock("apply");
      State base = load(*b);  // folds what earlier rounds' killed children left
      auto journal = begin(*b, base, lock.get());
      for (int n = first;; ++n) {
        std::uint64_t seq =
            journal->append(put("k" + std::to_string(n), make_org(org_id(n + 1), "Org")));
        journal->sync(seq);
        // Only now is the record acknowledged: the parent counts on it.
        if (!testing::send(acks.write_end(), std::to_string(n) + "\n")) return 1;
      }
      return 0;
    });
    acks.close_write();
    int wanted = 20 + static_cast<int>(random() % 200);
    std::string text;
    for (int i = 0; i < wanted; ++i) text += testing::receive_until(acks.read_end(), "\n");
    ::kill(child, SIGKILL);
    ASSERT_EQ(testing::wait_child(child), 128 + SIGKILL);
    // Acknowledgements still in the pipe were synced too.
    acks.close_write();
    for (std::string more; !(more = testing::receive_until(acks.read_end(), "\n")).empty();) {
      text += more;
    }
    std::istringstream in(text);
    for (int n; in >> n;) {
      acknowledged.insert(n);
      next_key = std::max(next_key, n + 1);
    }
    next_key += 1;  // a record written but not yet acknowledged may be there too

    State loaded = load(*backend());
    for (int n : acknowledged) {
      ASSERT_TRUE(loaded.orgs.count("k" + std::to_string(n))) << "lost acknowledged record " << n;
      EXPECT_EQ(loaded.orgs["k" + std::to_string(n)].id, org_id(n + 1));
    }
  }
  EXPECT_GT(acknowledged.size(), 100u);
}

}  // namespace
}  // namespace cforg::state
