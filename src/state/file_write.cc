#include "cforg/state/file_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "cforg/state/state.h"
#include "posix_file.h"

namespace cforg::state {
namespace {

// The folder `target` is created in must exist: nothing creates it here.
void require_folder(const std::string& folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) return;
  throw StateError(std::filesystem::exists(folder, ec)
                       ? folder + " is not a folder"
                       : "the folder " + folder + " does not exist");
}

// Keeps `target` as `backup`. A hard link, then a rename over the backup: the target's path
// never goes missing (renaming the target to the backup would leave a moment with nothing
// there), and the backup is replaced in one step.
void keep_backup(const std::string& target, const std::string& backup) {
  std::string tmp = backup + ".tmp";
  remove_file(tmp);
  if (::link(target.c_str(), tmp.c_str()) != 0) {
    int err = errno;
    if (err != EPERM && err != EOPNOTSUPP && err != EMLINK && err != ENOSYS) {
      throw_errno("cannot link " + target + " to", tmp, err);
    }
    // This file system has no hard links: write a copy of what is there.
    std::optional<std::string> current = read_file(target);
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw_errno("cannot create", tmp, errno);
    write_all(fd.get(), current.value_or(""), tmp);
    sync_file(fd.get(), tmp);
    fd.close_checked(tmp);
  }
  rename_file(tmp, backup);
  // When a write was interrupted after this point, the backup and the target are one file
  // (two links), and so is the new link: rename() between two links to one file does nothing
  // and leaves `tmp` behind (POSIX). The backup is right either way; drop the name.
  remove_file(tmp);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view text,
                           const AtomicWriteOptions& options) {
  const std::string target = options.follow_symlinks ? resolve_symlinks(path) : path;
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && options.regular_file_only && !S_ISREG(st.st_mode)) {
    throw StateError(target + " is not a regular file (a folder, a device or a pipe); name a file");
  }
  const std::string folder = dir_of(target);
  require_folder(folder);

  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  try {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw_errno("cannot create", tmp, errno);
    if (exists && options.keep_permissions && ::fchmod(fd.get(), st.st_mode & 07777) != 0) {
      throw_errno("cannot set the permissions of", tmp, errno);
    }
    write_all(fd.get(), text, tmp);
    // The data must be on disk before the rename can be; otherwise a power loss may leave the
    // target's name on an empty or partial file.
    sync_file(fd.get(), tmp);
    fd.close_checked(tmp);
    if (exists && !options.backup_path.empty()) keep_backup(target, options.backup_path);
    rename_file(tmp, target);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  try {
    sync_dir(folder);
  } catch (const StateError& e) {
    throw StateError(std::string(e.what()) + "; " + target +
                     " is in place but may not survive a power loss");
  }
}

}  // namespace cforg::state
