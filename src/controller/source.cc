#include "source.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

extern char** environ;

namespace cforg::controller {
namespace {

struct Output {
  int status = -1;   // the exit status; -1: killed (timeout) or not started
  std::string text;  // stdout and stderr together
};

// Runs `args` (no shell), its output captured, killed after `timeout`. GIT_TERMINAL_PROMPT=0:
// a repository that wants a password fails instead of waiting for a terminal.
Output run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  Output out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    out.text = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> env = {"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/false"};
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "GIT_TERMINAL_PROMPT=", 20) != 0 && std::strncmp(*e, "GIT_ASKPASS=", 12))
      env.emplace_back(*e);
  }
  std::vector<char*> argv, envp;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    out.text = "cannot run " + args[0] + ": " + std::strerror(rc) +
               (rc == ENOENT ? " (install git: apt-get install git)" : "");
    return out;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool killed = false;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (out.text.size() < 16384) out.text.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (killed) {
    out.text += "\n(killed after " + std::to_string(timeout.count() / 1000) + " s)";
  } else if (WIFEXITED(status)) {
    out.status = WEXITSTATUS(status);
  }
  while (!out.text.empty() && (out.text.back() == '\n' || out.text.back() == ' '))
    out.text.pop_back();
  return out;
}

class FolderSource final : public Source {
 public:
  explicit FolderSource(std::string dir) : dir_(std::move(dir)) {}
  Revision fetch() override {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec))
      throw SourceError("--source " + dir_ + ": no such folder");
    return {dir_, ""};
  }
  std::string describe() const override { return dir_; }

 private:
  std::string dir_;
};

class GitSource final : public Source {
 public:
  GitSource(std::string url, std::string branch, std::string checkout,
            std::chrono::milliseconds timeout)
      : url_(std::move(url)),
        branch_(std::move(branch)),
        checkout_(std::move(checkout)),
        timeout_(timeout),
        shown_(url_without_credentials(url_)) {}

  Revision fetch() override {
    std::error_code ec;
    if (!std::filesystem::exists(checkout_ + "/.git", ec)) {
      std::filesystem::remove_all(checkout_, ec);  // a clone cut short
      git({"git", "clone", "--quiet", "--single-branch", "--branch", branch_, "--", url_,
           checkout_},
          "cloning");
    } else {
      // From the URL given, not the checkout's origin: a repository moved (or a mirror chosen)
      // over a checkout kept from before is the one read.
      git({"git", "-C", checkout_, "fetch", "--quiet", "--", url_, branch_}, "fetching");
      git({"git", "-C", checkout_, "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"},
          "checking out");
    }
    Output head = git({"git", "-C", checkout_, "rev-parse", "HEAD"}, "reading the commit of");
    return {checkout_, head.text};
  }
  std::string describe() const override { return shown_ + " (branch " + branch_ + ")"; }

 private:
  Output git(const std::vector<std::string>& args, const std::string& doing) {
    Output out = run(args, timeout_);
    if (out.status != 0) {
      std::string text = out.text;
      // git may echo the URL it was given: never with its credentials.
      for (std::size_t at;
           !url_.empty() && url_ != shown_ && (at = text.find(url_)) != std::string::npos;)
        text.replace(at, url_.size(), shown_);
      throw SourceError(doing + " " + describe() + " failed: " +
                        (text.empty() ? "git exited with " + std::to_string(out.status) : text));
    }
    return out;
  }

  std::string url_, branch_, checkout_;
  std::chrono::milliseconds timeout_;
  std::string shown_;
};

}  // namespace

std::string url_without_credentials(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t host = scheme + 3;
  std::size_t end = url.find_first_of("/?#", host);
  std::size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

std::unique_ptr<Source> folder_source(std::string dir) {
  return std::make_unique<FolderSource>(std::move(dir));
}

std::unique_ptr<Source> git_source(std::string url, std::string branch, std::string checkout,
                                   std::chrono::milliseconds timeout) {
  return std::make_unique<GitSource>(std::move(url), std::move(branch), std::move(checkout),
                                     timeout);
}

}  // namespace cforg::controller
