#include "file_lock.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>

#include "lock_info.h"
#include "posix_file.h"

namespace cforg::state {

namespace {

// flock(LOCK_EX | LOCK_NB), again after a signal: true when taken, false when another open
// file holds it. Throws StateError naming `path` for any other failure.
bool try_flock(int fd, const std::string& path) {
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return true;
  if (errno != EWOULDBLOCK) throw_errno("cannot lock", path, errno);
  return false;
}

std::string read_all_at_start(int fd) {
  std::string text;
  char buf[4096];
  for (off_t offset = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return text;
}

// The holder writes who it is right after taking the flock: an empty or half-written file
// means it is about to. Look a few times before giving up on naming it.
std::optional<LockInfo> read_holder(int fd) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    try {
      return LockInfo::from_json(nlohmann::json::parse(read_all_at_start(fd)));
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return std::nullopt;
}

bool same_file(int fd, const std::string& path) {
  struct stat open_file {};
  struct stat at_path {};
  if (::fstat(fd, &open_file) != 0 || ::stat(path.c_str(), &at_path) != 0) return false;
  return open_file.st_dev == at_path.st_dev && open_file.st_ino == at_path.st_ino;
}

class FileLock final : public Lock {
 public:
  FileLock(Fd fd, LockInfo info) : fd_(std::move(fd)), info_(std::move(info)) {}

  ~FileLock() override {
    // Clear the holder while the flock is still ours, so nobody reads a released lock's
    // holder. Through the descriptor: if a force-unlock removed our file, that unlinked file
    // is the one cleared, never the file of a newer holder. The file itself stays, as
    // removing it would race with a process that has just opened it.
    [[maybe_unused]] int ignored = ::ftruncate(fd_.get(), 0);
    // Closing fd_ releases the flock.
  }

  const LockInfo& info() const override { return info_; }

 private:
  Fd fd_;
  LockInfo info_;
};

}  // namespace

std::unique_ptr<Lock> acquire_file_lock(const std::string& lock_path,
                                        const std::string& state_where,
                                        std::string_view operation) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) throw_errno("cannot open the lock file", lock_path, errno);
    // flock, not fcntl locks: it belongs to this open file, so a second lock() in the same
    // process fails as it should, and the OS drops it when the holder dies, even by kill -9.
    if (!try_flock(fd.get(), lock_path)) {
      std::optional<LockInfo> holder = read_holder(fd.get());
      if (!holder) {
        throw LockedError(state_where + " is locked by another process, which has not written " +
                              "who it is into " + lock_path + ". Try again in a moment.",
                          LockInfo{});
      }
      throw LockedError(state_where + " is locked by " + holder->holder_text() + " (lock id " +
                            holder->id +
                            "). Wait for it to finish; if that process is gone, run: cforg "
                            "force-unlock " +
                            holder->id,
                        *holder);
    }
    // Between open() and flock() a force-unlock (or a holder's cleanup) may have removed or
    // replaced the file: our lock is then on a file nobody else will open. Try the file that
    // is at the path now.
    if (!same_file(fd.get(), lock_path)) continue;

    LockInfo info = this_process_lock_info(operation);
    if (::ftruncate(fd.get(), 0) != 0) throw_errno("cannot write", lock_path, errno);
    // Not fsynced: the holder matters only while this process lives, and a machine crash ends
    // the process and its flock alike.
    write_all(fd.get(), info.to_json().dump() + "\n", lock_path);
    return std::make_unique<FileLock>(std::move(fd), std::move(info));
  }
  throw StateError("cannot lock " + state_where + ": " + lock_path +
                   " keeps being removed or replaced while locking it");
}

void force_unlock_file(const std::string& lock_path, const std::string& state_where,
                       std::string_view lock_id) {
  Fd fd(::open(lock_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw StateError(state_where + " is not locked");
    throw_errno("cannot open the lock file", lock_path, errno);
  }
  // When the holder is gone the flock is free: take it, so that checking the holder and
  // removing the file cannot race with a new holder.
  bool holder_alive = !try_flock(fd.get(), lock_path);

  std::string text = read_all_at_start(fd.get());
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw StateError(state_where + " is not locked");
  }
  LockInfo holder;
  try {
    holder = LockInfo::from_json(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    throw StateError(lock_path + " does not name a lock holder (" + e.what() +
                     "); if no cforg is running on this state, remove that file by hand");
  }
  if (holder.id != lock_id) {
    throw StateError(state_where + ": the lock id is " + holder.id + ", not " +
                     std::string(lock_id) + " (held by " + holder.holder_text() + ")");
  }
  if (!same_file(fd.get(), lock_path)) {
    throw StateError(state_where + ": the lock changed hands while unlocking; run again");
  }
  // Removing the file is what force-unlock means. A holder that is still alive keeps its flock,
  // but on a now-unlinked file that nobody else opens: the next lock() creates a new file and
  // gets it. So the user, not the OS, declares that holder irrelevant (it hangs, or it runs on
  // another machine sharing this folder, where flock does not reach).
  remove_file(lock_path);
  sync_dir(dir_of(lock_path));
  if (holder_alive) {
    spdlog::warn(
        "removed the lock of {}, which is still running: it no longer keeps other runs "
        "away from {}",
        holder.holder_text(), state_where);
  }
}

namespace {

class FileLease final : public Lease {
 public:
  explicit FileLease(Fd fd) : fd_(std::move(fd)) {}
  bool held() override { return true; }  // a flock is ours until we close it or die

 private:
  Fd fd_;
};

}  // namespace

std::unique_ptr<Lease> try_file_lease(const std::string& lease_path) {
  Fd fd(::open(lease_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) throw_errno("cannot open the controller's lease file", lease_path, errno);
  if (!try_flock(fd.get(), lease_path)) return nullptr;
  return std::make_unique<FileLease>(std::move(fd));
}

}  // namespace cforg::state
