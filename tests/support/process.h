// Running the real binaries from tests: a child process with its output captured.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace cforg::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the test's environment
  std::vector<std::string> unset_env;      // removed from it
  std::string stdin_text;                  // fed to stdin, then closed
  std::string cwd;                         // empty: the test's own
  std::chrono::seconds timeout{120};       // killed with SIGKILL after this; exit_code -1
};

// Runs argv[0] (a path) to completion.
ProcessResult run(const std::vector<std::string>& argv, const RunOptions& opts = {});

// A child left running: its stdout and stderr go to files under `log_prefix`.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const RunOptions& opts,
        const std::string& log_prefix);
  ~Child();  // SIGKILL and reap, if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void kill(int sig);
  // Waits for exit; returns the exit code (128 + signal when killed).
  int wait();
  bool running();
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_, err_path_;
};

// A fresh temporary folder, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes a file (creating folders), returns its path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

}  // namespace cforg::testing
