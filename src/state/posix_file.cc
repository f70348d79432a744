#include "posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "cforg/state/backend.h"
#include "cforg/state/state.h"

namespace cforg::state {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::close_checked(const std::string& path) {
  int fd = release();
  // Never retry close() on EINTR: on Linux the descriptor is gone either way.
  if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) throw_errno("closing", path, errno);
}

void throw_errno(std::string_view what, const std::string& path, int err) {
  throw StateError(std::string(what) + " " + path + ": " +
                   std::error_code(err, std::system_category()).message());
}

std::optional<std::string> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) throw_errno("cannot read", path, EISDIR);
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read", path, errno);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write", path, errno);
    }
    if (n == 0) throw_errno("cannot write", path, ENOSPC);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sync_file(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw_errno("cannot fsync", path, errno);
}

namespace {
DirSyncFunction& dir_sync_function() {
  static DirSyncFunction fn;
  return fn;
}
}  // namespace

void set_dir_sync_function_for_test(DirSyncFunction fn) {
  dir_sync_function() = std::move(fn);
}

void sync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("cannot open folder", dir, errno);
  const DirSyncFunction& hook = dir_sync_function();
  int rc = hook ? hook(fd.get(), dir) : ::fsync(fd.get());
  if (rc != 0) throw_errno("cannot fsync folder", dir, errno);
}

std::string resolve_symlinks(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path target = path;
  std::error_code ec;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    if (hops == 40) throw StateError(path + ": too many levels of symlinks");
    fs::path next = fs::read_symlink(target, ec);
    if (ec) throw StateError("cannot follow the symlink " + target.string() + ": " + ec.message());
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  return target.string();
}

std::string dir_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  if (!std::filesystem::create_directories(dir, ec) && ec) {
    throw StateError("cannot create folder " + dir + ": " + ec.message());
  }
  // The new folder's own entry lives in its parent: sync that so the folder (and the state
  // about to be written into it) does not vanish in a power loss.
  sync_dir(dir_of(std::filesystem::path(dir).lexically_normal().string()));
}

void remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove", path, errno);
}

void rename_file(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw_errno("cannot rename " + from + " to", to, errno);
  }
}

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace cforg::state
