// Where the controller's config comes from: a folder, or a git repository it clones and fetches
// with the `git` program. Each fetch gives a Revision: the folder the config files are in, and
// what it ran on (a commit, or the config's digest for a plain folder).
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace cforg::controller {

// A fetch failed: what() says what and why (git's own words), never a credential of the URL.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Revision {
  std::string root;    // the folder the config paths are relative to
  std::string commit;  // the commit checked out; empty for a folder
};

class Source {
 public:
  virtual ~Source() = default;
  // Brings the source up to date. Throws SourceError.
  virtual Revision fetch() = 0;
  // For messages and /status: the folder, or the URL without user:password, and the branch.
  virtual std::string describe() const = 0;
};

std::unique_ptr<Source> folder_source(std::string dir);
// Clones `url` (branch `branch`) into `checkout` on the first fetch, then fetches and checks out
// the branch's head, detached, each time. `timeout`: the longest one git command may take.
std::unique_ptr<Source> git_source(std::string url, std::string branch, std::string checkout,
                                   std::chrono::milliseconds timeout = std::chrono::minutes(2));

// `url` without a user:password (https://user:token@host/repo -> https://host/repo).
std::string url_without_credentials(const std::string& url);

}  // namespace cforg::controller
