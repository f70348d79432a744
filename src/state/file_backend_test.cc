// The local-file backend: load, atomic save, backup, and what it refuses to overwrite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "posix_file.h"
#include "state_test_support.h"

namespace cforg::state {
namespace {

using testing::begin;
using ::testing::ElementsAre;
using testing::file_exists;
using testing::FileSnapshot;
using ::testing::HasSubstr;
using testing::list_dir;
using testing::load;
using testing::make_org;
using testing::org_id;
using testing::read_bytes;
using testing::save;
using testing::TempDir;
using testing::write_bytes;

TEST(FileBackend, MissingStateIsEmptyAndCreatesNothing) {
  TempDir dir;
  auto backend = open_file_backend(dir / "sub/cforg.state.json");
  EXPECT_EQ(backend->describe(), dir / "sub/cforg.state.json");
  State s = load(*backend);
  EXPECT_EQ(s, State{});
  EXPECT_EQ(s.lineage, "");
  EXPECT_EQ(s.serial, 0u);
  EXPECT_FALSE(file_exists(dir / "sub"));
}

TEST(FileBackend, SaveBumpsSerialAssignsLineageOnceAndKeepsBackup) {
  TempDir dir;
  std::string path = dir / "state/cforg.state.json";  // the folder is created on save
  auto backend = open_file_backend(path);
  auto lock = backend->lock("apply");
  State s = load(*backend);
  s.orgs["root"] = make_org(org_id(1), "Root");
  save(*backend, s, lock.get());
  EXPECT_EQ(s.serial, 1u);
  ASSERT_EQ(s.lineage.size(), 36u);
  std::string lineage = s.lineage;
  std::string first = read_bytes(path);
  EXPECT_EQ(first, state_to_text(s));
  EXPECT_EQ(load(*backend), s);
  EXPECT_FALSE(file_exists(path + ".backup"));  // nothing to back up the first time

  s.orgs["child"] = make_org(org_id(2), "Child", org_id(1));
  save(*backend, s, lock.get());
  EXPECT_EQ(s.serial, 2u);
  EXPECT_EQ(s.lineage, lineage);
  EXPECT_EQ(s.orgs["child"].parent_key, "root");  // save relinks parents
  EXPECT_EQ(read_bytes(path + ".backup"), first);
  EXPECT_EQ(read_bytes(path), state_to_text(s));
  EXPECT_EQ(load(*open_file_backend(path)), s);
  // No temporary files, no journal: the state, its backup and the lock.
  EXPECT_THAT(list_dir(dir / "state"),
              ElementsAre("cforg.state.json", "cforg.state.json.backup", "cforg.state.json.lock"));
}

TEST(FileBackend, SaveKeepsFilePermissions) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = load(*backend);
  save(*backend, s);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  save(*backend, s);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

const char* kCorruptState =
    "{\n  \"format_version\": 1,\n  \"lineage\": \"x\"\n  \"serial\": 1\n}\n";

TEST(FileBackend, CorruptStateIsReportedWithLocationAndNeverTouched) {
  TempDir dir;
  std::string path = dir / "s.json";
  write_bytes(path, kCorruptState);
  FileSnapshot before = FileSnapshot::of(path);
  auto backend = open_file_backend(path);
  try {
    load(*backend);
    ADD_FAILURE() << "loaded a corrupt state";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":4:10: invalid JSON"));
  }
  auto lock = backend->lock("apply");
  State fresh;
  EXPECT_THROW(
      {
        try {
          save(*backend, fresh, lock.get());
        } catch (const StateError& e) {
          EXPECT_THAT(e.what(), HasSubstr("refusing to overwrite " + path));
          EXPECT_THAT(e.what(), HasSubstr(":4:10"));
          throw;
        }
      },
      StateError);
  EXPECT_EQ(fresh.serial, 0u);
  EXPECT_TRUE(FileSnapshot::of(path) == before);
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("s.json", "s.json.lock"));
}

TEST(FileBackend, UnknownFormatVersionIsReportedAndNeverTouched) {
  TempDir dir;
  std::string path = dir / "s.json";
  write_bytes(path, "{\"format_version\": 2, \"lineage\": \"l\", \"serial\": 3, \"shape\": {}}\n");
  FileSnapshot before = FileSnapshot::of(path);
  auto backend = open_file_backend(path);
  try {
    load(*backend);
    ADD_FAILURE() << "loaded format_version 2";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("format_version 2"));
    EXPECT_THAT(e.what(), HasSubstr("reads format_version 1"));
    EXPECT_THAT(e.what(), HasSubstr("upgrade cforg"));
  }
  State s;
  s.lineage = "l";
  s.serial = 3;
  EXPECT_THROW(save(*backend, s), StateError);
  EXPECT_TRUE(FileSnapshot::of(path) == before);
}

TEST(FileBackend, SaveRefusesAStateChangedSinceLoad) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto a = open_file_backend(path);
  auto b = open_file_backend(path);
  State from_missing = load(*a);
  State s = load(*a);
  save(*a, s);  // serial 1
  State stale = load(*b);
  State fresh = load(*b);
  fresh.orgs["x"] = make_org(org_id(1), "X");
  save(*b, fresh);  // serial 2
  std::string saved = read_bytes(path);
  try {
    save(*a, stale);
    ADD_FAILURE() << "overwrote a newer state";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("changed since it was loaded"));
    EXPECT_THAT(e.what(), HasSubstr("at serial 2"));
  }
  EXPECT_THROW(save(*a, from_missing), StateError);  // the state appeared since
  EXPECT_EQ(read_bytes(path), saved);
  EXPECT_EQ(stale.serial, 1u);
}

TEST(FileBackend, FailedSaveLeavesStateIntact) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = load(*backend);
  s.orgs["a"] = make_org(org_id(1), "A");
  save(*backend, s);
  std::string saved = read_bytes(path);
  // Make the temporary file impossible to create (a folder in its place): this works even as
  // root, where permissions would not stop the write.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(tmp.c_str(), 0700), 0);
  s.orgs["b"] = make_org(org_id(2), "B");
  try {
    save(*backend, s);
    ADD_FAILURE() << "save succeeded";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot save the state to " + path));
    EXPECT_THAT(e.what(), HasSubstr(tmp));
  }
  EXPECT_EQ(s.serial, 1u);
  EXPECT_EQ(read_bytes(path), saved);
  ASSERT_EQ(::rmdir(tmp.c_str()), 0);
  save(*backend, s);
  EXPECT_EQ(s.serial, 2u);
  EXPECT_EQ(load(*backend), s);
}

TEST(FileBackend, NeverWritesAStateItCouldNotLoad) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = load(*backend);
  s.orgs["a"] = make_org(org_id(1), "A");
  save(*backend, s);
  std::string saved = read_bytes(path);
  // E.g. a key renamed by adding the new entry before removing the old one.
  s.orgs["a-renamed"] = make_org(org_id(1), "A");
  try {
    save(*backend, s);
    ADD_FAILURE() << "saved one id under two keys";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot save the state to " + path));
    EXPECT_THAT(e.what(), HasSubstr("also the id of organizations.a"));
  }
  s.orgs.erase("a-renamed");
  s.orgs["bad"] = make_org("not an id", "Bad");
  EXPECT_THROW(save(*backend, s), StateError);
  EXPECT_EQ(s.serial, 1u);
  EXPECT_EQ(read_bytes(path), saved);
}

// A state large enough that writing it takes a while, so that kills land mid-save.
State big_state(int count, int round) {
  State s;
  for (int i = 0; i < count; ++i) {
    s.orgs["org-" + std::to_string(i)] =
        make_org(org_id(i + 1), "Org " + std::to_string(i) + " round " + std::to_string(round));
  }
  return s;
}

TEST(FileBackend, StateIsAlwaysOldOrNewWhenASaverIsKilled) {
  TempDir dir;
  std::string path = dir / "s.json";
  std::mt19937 random(std::random_device{}());
  std::uint64_t last_serial = 0;
  for (int round = 0; round < 15; ++round) {
    testing::Pipe started;
    pid_t child = testing::fork_child([&] {
      auto backend = open_file_backend(path);
      auto lock = backend->lock("apply");
      for (int i = 0;; ++i) {
        State s = load(*backend);
        State next = big_state(3000, i);
        next.lineage = s.lineage;
        next.serial = s.serial;
        save(*backend, next, lock.get());
        if (i == 0) testing::send(started.write_end(), "x");  // the kill may come from now on
      }
      return 0;
    });
    started.close_write();
    ASSERT_EQ(testing::receive_until(started.read_end(), "x"), "x");
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 60000));
    ::kill(child, SIGKILL);
    ASSERT_EQ(testing::wait_child(child), 128 + SIGKILL);

    // Whatever the moment of the kill: the state and its backup are whole states, and the
    // killed holder's lock is free.
    auto backend = open_file_backend(path);
    auto lock = backend->lock("check");
    ASSERT_TRUE(file_exists(path)) << "the state disappeared";
    State s = load(*backend);
    EXPECT_GT(s.serial, last_serial);
    last_serial = s.serial;
    if (file_exists(path + ".backup")) {
      State backup = state_from_text(read_bytes(path + ".backup"), "backup");
      EXPECT_EQ(backup.lineage, s.lineage);
      // Equal when the kill came between keeping the backup and renaming the new state in.
      EXPECT_LE(backup.serial, s.serial);
    }
  }
  EXPECT_GT(last_serial, 0u);
  // The next save removes what the killed savers left behind.
  auto backend = open_file_backend(path);
  State s = load(*backend);
  save(*backend, s);
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("s.json", "s.json.backup", "s.json.lock"));
}

TEST(FileBackend, ReadersNeverSeeAMissingOrPartialState) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = big_state(500, 0);
  save(*backend, s);
  pid_t child = testing::fork_child([&] {
    auto writer = open_file_backend(path);
    for (int i = 1; i <= 100; ++i) {
      State next = big_state(500, i);
      State current = load(*writer);
      next.lineage = current.lineage;
      next.serial = current.serial;
      save(*writer, next);
    }
    return 0;
  });
  int reads = 0;
  std::string problem;
  int status = 0;
  pid_t done = 0;
  while (problem.empty() && (done = ::waitpid(child, &status, WNOHANG)) == 0) {
    std::string text = read_bytes(path);
    if (text.empty()) problem = "the state was missing or empty during a save";
    try {
      state_from_text(text, path);
    } catch (const StateError& e) {
      problem = e.what();
    }
    ++reads;
  }
  if (done == 0) {  // stopped early: never leave a writer behind
    ::kill(child, SIGKILL);
    testing::wait_child(child);
  }
  ASSERT_EQ(problem, "");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(load(*backend).serial, 101u);
  EXPECT_GT(reads, 0);
}

TEST(FileBackend, RemovesTempFilesOfDeadProcessesOnly) {
  TempDir dir;
  std::string path = dir / "s.json";
  pid_t dead = testing::fork_child([] { return 0; });
  testing::wait_child(dead);
  write_bytes(path + ".tmp." + std::to_string(dead), "partial");
  write_bytes(path + ".journal.tmp." + std::to_string(dead), "partial");
  write_bytes(path + ".tmp.1", "pid 1 is alive");  // not ours to remove
  auto backend = open_file_backend(path);
  State s = load(*backend);
  save(*backend, s);
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("s.json", "s.json.tmp.1"));
}

TEST(FileBackend, SaveAfterASaveInterruptedAfterTheBackupLeavesNoTempFile) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = load(*backend);
  save(*backend, s);
  save(*backend, s);
  // What a save killed between keeping the backup and renaming the new state in leaves: the
  // backup and the state are two links to one file.
  ASSERT_EQ(::unlink((path + ".backup").c_str()), 0);
  ASSERT_EQ(::link(path.c_str(), (path + ".backup").c_str()), 0);
  std::string previous = read_bytes(path);
  save(*backend, s);
  EXPECT_EQ(read_bytes(path + ".backup"), previous);
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("s.json", "s.json.backup"));
}

TEST(FileBackend, WarnsButLoadsEmptyWhenOnlyTheBackupExists) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  State s = load(*backend);
  save(*backend, s);
  save(*backend, s);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_EQ(load(*backend), State{});
}

TEST(FileBackend, SavingThroughASymlinkReplacesTheTargetAndKeepsTheLink) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "real").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir / "work").c_str(), 0755), 0);
  std::string target = dir / "real/s.json";
  std::string link = dir / "work/s.json";
  ASSERT_EQ(::symlink("../real/s.json", link.c_str()), 0);  // relative, and dangling at first
  auto backend = open_file_backend(link);
  EXPECT_EQ(backend->describe(), link);
  State s = load(*backend);
  s.orgs["root"] = make_org(org_id(1), "Root");
  save(*backend, s);
  save(*backend, s);
  ASSERT_EQ(s.serial, 2u);
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the symlink was replaced by a plain file";
  EXPECT_EQ(read_bytes(target), state_to_text(s));
  EXPECT_EQ(load(*open_file_backend(target)).serial, 2u);
  // Everything lives beside the target: a run through the link and one through the target
  // share one lock, one journal and one backup.
  EXPECT_THAT(list_dir(dir / "work"), ElementsAre("s.json"));
  EXPECT_THAT(list_dir(dir / "real"), ElementsAre("s.json", "s.json.backup"));
}

TEST(FileBackend, AnExplicitPathInAMissingFolderIsAnErrorNotAnEmptyState) {
  TempDir dir;
  std::string path = dir / "typo/s.json";
  auto backend = open_file_backend(path, /*create_folder=*/false);
  for (auto attempt : {+[](Backend& b) { b.load(); }, +[](Backend& b) { b.lock("plan"); }}) {
    try {
      attempt(*backend);
      ADD_FAILURE() << "a missing folder read as an empty state";
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr("the folder " + dir / "typo" + " of the state file " + path +
                                      " does not exist"));
      EXPECT_THAT(e.what(), HasSubstr("mkdir -p " + dir / "typo"));
    }
  }
  EXPECT_FALSE(file_exists(dir / "typo"));
  // A file where the folder should be is not one either.
  write_bytes(dir / "file", "x");
  EXPECT_THROW(open_file_backend(dir / "file/s.json", false)->load(), StateError);
  // Once it exists, the state is empty and saved there.
  ASSERT_EQ(::mkdir((dir / "typo").c_str(), 0755), 0);
  State s = load(*backend);
  save(*backend, s);
  EXPECT_TRUE(file_exists(path));
}

// The folder holds the state's name: the rename is durable only once the folder is synced, and
// that must happen before the journal is removed (else a power loss can keep the removal and
// lose the rename: the journal's records would be in neither file). Through a symlink, the
// folder is the target's.
TEST(FileBackend, TheTargetsFolderIsSyncedAfterTheRenameWhileTheJournalStillExists) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "real").c_str(), 0755), 0);
  std::string target = dir / "real/s.json";
  ASSERT_EQ(::symlink(target.c_str(), (dir / "s.json").c_str()), 0);
  auto backend = open_file_backend(dir / "s.json");
  State s = load(*backend);
  save(*backend, s);  // serial 1
  bool synced_in_time = false;
  std::vector<std::string> synced;
  set_dir_sync_function_for_test([&](int fd, const std::string& folder) {
    synced.push_back(folder);
    if (folder == dir / "real" && file_exists(target + ".journal") &&
        read_bytes(target).find("\"serial\": 2") != std::string::npos) {
      synced_in_time = true;
    }
    return ::fsync(fd);
  });
  {
    testing::Run run = begin(*backend, s);  // opens the journal, as apply does
    s.orgs["root"] = make_org(org_id(1), "Root");
    run.tx->commit(s);
  }
  set_dir_sync_function_for_test(nullptr);
  ASSERT_EQ(s.serial, 2u);
  EXPECT_FALSE(file_exists(target + ".journal"));
  EXPECT_TRUE(synced_in_time) << "folders synced: " << ::testing::PrintToString(synced);
}

}  // namespace
}  // namespace cforg::state
