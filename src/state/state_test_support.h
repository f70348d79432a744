// Helpers shared by the state stage's tests: temporary folders, file bytes, child processes.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cforg/state/state.h"
#include "support/ids.h"
#include "support/process.h"

namespace cforg::state::testing {

using cforg::testing::TempDir;

inline bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline void append_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

// Bytes and modification time, to show that a file was not touched.
struct FileSnapshot {
  std::string bytes;
  struct timespec mtime {};
  ino_t inode = 0;

  static FileSnapshot of(const std::string& path) {
    FileSnapshot s;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("stat " + path);
    s.bytes = read_bytes(path);
    s.mtime = st.st_mtim;
    s.inode = st.st_ino;
    return s;
  }
  bool operator==(const FileSnapshot& o) const {
    return bytes == o.bytes && mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec &&
           inode == o.inode;
  }
};

inline std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A valid org id made from a number, of the published shape (32 characters, not hex).
inline std::string org_id(unsigned long long n) {
  return cforg::testing::org_id(n);
}

inline OrgState make_org(const std::string& id, const std::string& name,
                         const std::string& parent_id = "", const std::string& parent_key = "") {
  OrgState o;
  o.id = id;
  o.spec.name = name;
  o.spec.parent = ParentRef::from_api_id(parent_id);
  o.parent_key = parent_key;
  o.create_time = "2026-11-29T18:11:19.117Z";
  o.meta = nlohmann::json{{"managed_by", "cforg"}};
  return o;
}

// Runs `body` in a forked child, which exits with its return value (or 99 on an exception).
// Fork, not a thread: only a separate process shows that flock, rename and O_APPEND work
// across processes and that kill -9 leaves the files usable.
inline pid_t fork_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
    } catch (...) {
    }
    ::_exit(code);
  }
  return pid;
}

// The child's exit code, or 128 + signal.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// A pipe whose ends close on destruction.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
};

// Writes all of `text` to `fd` (for children reporting to the parent).
inline bool send(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads from `fd` until `stop` is found or EOF; returns what was read.
inline std::string receive_until(int fd, const std::string& stop) {
  std::string text;
  char c;
  while (text.size() < stop.size() || text.compare(text.size() - stop.size(), stop.size(), stop)) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.push_back(c);
  }
  return text;
}

}  // namespace cforg::state::testing
