// write_file_atomically: the one atomic write (state, plan file, export), its options and every
// error it reports.
#include "cforg/state/file_write.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "cforg/state/state.h"
#include "posix_file.h"
#include "state_test_support.h"

namespace cforg::state {
namespace {

using ::testing::ElementsAre;
using testing::file_exists;
using ::testing::HasSubstr;
using testing::list_dir;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

// The message of the StateError `write` throws, or "(no error)".
std::string error_of(const std::function<void()>& write) {
  try {
    write();
  } catch (const StateError& e) {
    return e.what();
  }
  return "(no error)";
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(WriteFileAtomically, ReplacesTheContentsAndLeavesNothingBeside) {
  TempDir dir;
  const std::string path = dir / "f.json";
  write_file_atomically(path, "first");
  EXPECT_EQ(read_bytes(path), "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(read_bytes(path), "second, longer");
  write_file_atomically(path, "");
  EXPECT_EQ(read_bytes(path), "");
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("f.json"));
}

TEST(WriteFileAtomically, KeepsTheReplacedFileAsTheBackupOnlyWhenThereIsOne) {
  TempDir dir;
  const std::string path = dir / "s.json";
  const AtomicWriteOptions options{.backup_path = path + ".backup"};
  write_file_atomically(path, "one", options);
  EXPECT_FALSE(file_exists(path + ".backup"));  // nothing to keep the first time
  write_file_atomically(path, "two", options);
  EXPECT_EQ(read_bytes(path + ".backup"), "one");
  write_file_atomically(path, "three", options);
  EXPECT_EQ(read_bytes(path + ".backup"), "two");
  EXPECT_EQ(read_bytes(path), "three");
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("s.json", "s.json.backup"));
}

TEST(WriteFileAtomically, KeepsThePermissionsOfTheReplacedFileOnlyWhenAsked) {
  TempDir dir;
  const std::string kept = dir / "kept", reset = dir / "reset";
  for (const std::string& path : {kept, reset}) {
    write_bytes(path, "old");
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  }
  write_file_atomically(kept, "new", {.keep_permissions = true});
  write_file_atomically(reset, "new");
  EXPECT_EQ(mode_of(kept), 0600u);
  EXPECT_NE(mode_of(reset), 0600u);
}

TEST(WriteFileAtomically, FollowsSymlinksOnlyWhenAsked) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("real/target.json", (dir / "link.json").c_str()), 0);
  // A dangling link names where the file is to be created.
  write_file_atomically(dir / "link.json", "through", {.follow_symlinks = true});
  EXPECT_EQ(read_bytes(dir / "real/target.json"), "through");
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "link.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link stays a link";
  EXPECT_THAT(list_dir(dir / "real"), ElementsAre("target.json"));
  // Without the option the link itself is replaced.
  write_file_atomically(dir / "link.json", "over");
  ASSERT_EQ(::lstat((dir / "link.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(read_bytes(dir / "real/target.json"), "through");
}

TEST(WriteFileAtomically, RefusesATargetThatIsNotARegularFileWhenAsked) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "folder").c_str(), 0755), 0);
  EXPECT_EQ(
      error_of([&] { write_file_atomically(dir / "folder", "x", {.regular_file_only = true}); }),
      dir / "folder" + " is not a regular file (a folder, a device or a pipe); name a file");
  EXPECT_THAT(
      error_of([] { write_file_atomically("/dev/null", "x", {.regular_file_only = true}); }),
      HasSubstr("/dev/null is not a regular file"));
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

// Without regular_file_only, a folder in the way fails at the rename: reported, and the
// temporary file is gone.
TEST(WriteFileAtomically, AFailedRenameIsReportedAndLeavesNoTemporaryFile) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "folder").c_str(), 0755), 0);
  EXPECT_THAT(error_of([&] { write_file_atomically(dir / "folder", "x"); }),
              HasSubstr("cannot rename " + dir / "folder.tmp." + std::to_string(::getpid()) +
                        " to " + dir / "folder" + ": Is a directory"));
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("folder"));
}

TEST(WriteFileAtomically, AMissingFolderIsNamed) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { write_file_atomically(dir / "no/such/f.json", "x"); }),
            "the folder " + dir / "no/such" + " does not exist");
  write_bytes(dir / "file", "x");
  EXPECT_EQ(error_of([&] { write_file_atomically(dir / "file/f.json", "x"); }),
            dir / "file" + " is not a folder");
}

TEST(WriteFileAtomically, AFolderItCannotWriteInIsReported) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into any folder";
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "ro").c_str(), 0555), 0);
  EXPECT_THAT(error_of([&] { write_file_atomically(dir / "ro/f.json", "x"); }),
              HasSubstr("cannot create " + dir / "ro/f.json.tmp."));
  EXPECT_THAT(error_of([&] { write_file_atomically(dir / "ro/f.json", "x"); }),
              HasSubstr("Permission denied"));
}

// A file size limit makes write(2) stop short, then fail: the caller hears of it, the target
// keeps its old contents and the temporary file is removed. In a child: the limit and the
// ignored SIGXFSZ are the process's.
TEST(WriteFileAtomically, AShortWriteIsAnErrorAndTheOldContentsStay) {
  TempDir dir;
  const std::string path = dir / "f.json";
  write_bytes(path, "old");
  pid_t child = testing::fork_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {
      10, 10
    };
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
    std::string error = error_of([&] { write_file_atomically(path, std::string(100, 'x')); });
    std::fprintf(stderr, "%s\n", error.c_str());
    return error.find("cannot write " + path + ".tmp.") == 0 &&
                   error.find("File too large") != std::string::npos
               ? 0
               : 1;
  });
  EXPECT_EQ(testing::wait_child(child), 0) << "see the child's message above";
  EXPECT_EQ(read_bytes(path), "old");
  EXPECT_THAT(list_dir(dir.path()), ElementsAre("f.json"));
}

TEST(WriteFileAtomically, AFailedFsyncOfTheFolderIsReportedWithTheFileInPlace) {
  TempDir dir;
  const std::string path = dir / "f.json";
  set_dir_sync_function_for_test([](int, const std::string&) {
    errno = EIO;
    return -1;
  });
  std::string error = error_of([&] { write_file_atomically(path, "new"); });
  set_dir_sync_function_for_test(nullptr);
  EXPECT_EQ(error, "cannot fsync folder " + dir.path() + ": Input/output error; " + path +
                       " is in place but may not survive a power loss");
  EXPECT_EQ(read_bytes(path), "new");
}

TEST(WriteAll, AFullDeviceIsAnErrorNamingTheFile) {
  Fd full(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  ASSERT_TRUE(full) << "no /dev/full";
  EXPECT_EQ(error_of([&] { write_all(full.get(), "x", "the device"); }),
            "cannot write the device: No space left on device");
}

}  // namespace
}  // namespace cforg::state
