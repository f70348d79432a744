#include "file_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace cforg::state {

std::shared_ptr<FileJournal> FileJournal::create(const std::string& path,
                                                 const JournalHeader& header) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::string line = header.to_json().dump() + "\n";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!fd) throw_errno("cannot create journal", tmp, errno);
  try {
    write_all(fd.get(), line, tmp);
    // The header reaches the disk before the name does (rename below), so a journal is never
    // seen without its header, and a stale journal is replaced in one step.
    sync_file(fd.get(), tmp);
    rename_file(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  // fdatasync() in sync() makes records durable, but not the journal's name in the folder:
  // without this, a power loss could take the whole journal, acknowledged records and all.
  sync_dir(dir_of(path));
  return std::make_shared<FileJournal>(std::move(fd), path, line.size());
}

std::shared_ptr<FileJournal> FileJournal::append_to(const std::string& path,
                                                    const JournalContents& contents) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd) throw_errno("cannot open journal", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("cannot stat", path, errno);
  std::uint64_t size = contents.valid_bytes;
  bool changed = false;
  if (static_cast<std::uint64_t>(st.st_size) > size) {
    // A torn last line (load() ignored it): cut it, or the next record would be glued to it
    // and make a corrupt line in the middle of the journal.
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
      throw_errno("cannot cut the torn last line of", path, errno);
    }
    changed = true;
  }
  if (contents.unterminated) {
    write_all(fd.get(), "\n", path);
    ++size;
    changed = true;
  }
  if (changed) sync_file(fd.get(), path);
  return std::make_shared<FileJournal>(std::move(fd), path, size);
}

FileJournal::FileJournal(Fd fd, std::string path, std::uint64_t size)
    : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

std::uint64_t FileJournal::append(std::span<const JournalRecord> records) {
  if (records.empty()) return written_seq_.load(std::memory_order_acquire);
  std::string lines;
  for (const JournalRecord& r : records) {
    lines += journal_line(r, path_);
    lines += '\n';
  }

  std::lock_guard lock(append_mu_);
  gate_.check(path_);
  // One write() of whole lines on an O_APPEND descriptor: a crash leaves at most the last
  // line torn, never a gap or an interleaving, and the lines are in the OS (they survive the
  // death of this process) when write() returns.
  ssize_t n;
  do {
    n = ::write(fd_.get(), lines.data(), lines.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(lines.size())) {
    int err = n < 0 ? errno : ENOSPC;  // a short write to a file: the disk is full
    if (n > 0 && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) {
      // The fragment stays, and a record after it would make a corrupt line: stop here. The
      // fragment is the last line, which load() ignores.
      gate_.break_with(path_ + " ends with a partly written record that could not be cut: " +
                       std::error_code(errno, std::system_category()).message());
    }
    throw_errno("cannot append to journal", path_, err);
  }
  size_ += lines.size();
  std::uint64_t seq = written_seq_.load(std::memory_order_relaxed) + records.size();
  written_seq_.store(seq, std::memory_order_release);
  return seq;
}

void FileJournal::sync(std::uint64_t seq) {
  check_sync_target(seq, written_seq_.load(std::memory_order_acquire));
  commit_.sync(
      seq, [this] { return written_seq_.load(std::memory_order_acquire); },
      [this]() -> std::string {
        int rc;
        do {
          rc = sync_function_(fd_.get());
        } while (rc != 0 && errno == EINTR);
        if (rc == 0) return "";
        return "cannot fsync journal " + path_ + ": " +
               std::error_code(errno, std::system_category()).message() +
               "; the outcome of recent changes may not be on disk";
      });
}

void FileJournal::retire() {
  std::lock_guard lock(append_mu_);
  gate_.retire();
}

bool FileJournal::retired() const {
  std::lock_guard lock(append_mu_);
  return gate_.retired();
}

std::uint64_t FileJournal::sync_count() const {
  return commit_.flushes();
}

}  // namespace cforg::state
