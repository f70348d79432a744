// Writing files so that a crash leaves the old contents or the new, never a mix or nothing: the
// one mechanism behind the state file, the plan file and export's configs.
#pragma once

#include <string>
#include <string_view>

namespace cforg::state {

// What a caller of write_file_atomically needs besides the mechanism.
struct AtomicWriteOptions {
  // Replace what a symlink at `path` points to (as an editor saves through one), not the link.
  bool follow_symlinks = false;
  // Refuse a target that exists and is not a regular file (a folder, a device, a pipe): as
  // root, a rename over /dev/full would replace the device with a file.
  bool regular_file_only = false;
  // Give the new file the permission bits of the one it replaces (a team may have narrowed
  // them); otherwise it is created 0644, less the umask.
  bool keep_permissions = false;
  // When not empty: before the rename, the file being replaced is kept under this name (a hard
  // link, or a copy where the file system has none), which is itself replaced in one step.
  std::string backup_path{};
};

// Writes `text` to a temporary file beside the target ("<target>.tmp.<pid>": rename() is atomic
// only within one file system), fsyncs and closes it, keeps the backup, renames it over the
// target and fsyncs the folder, which makes the new name durable. Every failure throws
// StateError naming the file and the system's reason: a missing folder, a short write (a full
// disk), a failed fsync, close or rename, and a failed fsync of the folder (then the new file is
// in place but may not survive a power loss). Before the rename, a failure removes the
// temporary file and leaves the target as it was.
void write_file_atomically(const std::string& path, std::string_view text,
                           const AtomicWriteOptions& options = {});

// Writes all of `data` to `fd`, retrying after a signal or a partial write; a write that makes
// no progress is an error (ENOSPC). Throws StateError "cannot write <name>: <reason>".
void write_all(int fd, std::string_view data, const std::string& name);

}  // namespace cforg::state
