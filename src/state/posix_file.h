// Small POSIX helpers for the file backend: an owning descriptor, whole-file reads and writes
// that report failures as StateError naming the file, and fsync of files and folders.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cforg/state/file_write.h"  // write_all

namespace cforg::state {

// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release();
  // Closes now and reports a failure (on some file systems close() is where a write error
  // surfaces) as a StateError about `path`.
  void close_checked(const std::string& path);

 private:
  int fd_ = -1;
};

// "what path: strerror(err)" as a StateError.
[[noreturn]] void throw_errno(std::string_view what, const std::string& path, int err);

// The whole file, or nullopt when it does not exist. Other failures throw StateError.
std::optional<std::string> read_file(const std::string& path);

// fsync(2) of an open file / of a folder (which makes the names in it durable: a created,
// renamed or removed entry survives a power loss only once its folder is synced).
void sync_file(int fd, const std::string& path);
void sync_dir(const std::string& dir);
// What sync_dir calls instead of fsync(2) on the folder's descriptor, with the folder's path;
// for tests that check which folder is synced and when (a missing folder fsync is invisible
// otherwise). An empty function restores fsync. Set it only while no other thread syncs.
using DirSyncFunction = std::function<int(int fd, const std::string& dir)>;
void set_dir_sync_function_for_test(DirSyncFunction fn);

// `path` with every symlink in its last component followed, by hand: the target need not exist
// yet (a dangling link names where the file is to be created). A relative target is taken from
// the link's folder. Throws StateError on a loop.
std::string resolve_symlinks(const std::string& path);

// The folder holding `path` ("." for a bare file name).
std::string dir_of(const std::string& path);

// Creates `dir` and its parents when missing, and syncs the parent of a created folder.
void make_dirs(const std::string& dir);

// Removes `path`; a missing file is not an error.
void remove_file(const std::string& path);

// rename(2), throwing StateError.
void rename_file(const std::string& from, const std::string& to);

}  // namespace cforg::state
