// The journal as a local file: JSON lines appended with O_APPEND, made durable by group commit.
#pragma once

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "cforg/state/journal.h"
#include "group_commit.h"
#include "journal_append.h"
#include "journal_reader.h"
#include "posix_file.h"

namespace cforg::state {

class FileJournal {
 public:
  // Creates `path` holding only `header`, replacing any file there. The header is on disk
  // and the name in the folder is durable before this returns.
  static std::shared_ptr<FileJournal> create(const std::string& path, const JournalHeader& header);

  // Opens the existing journal at `path` for appending, whose parse_journal() gave `contents`:
  // cuts a torn last line first, so that the next record starts a line of its own.
  static std::shared_ptr<FileJournal> append_to(const std::string& path,
                                                const JournalContents& contents);

  FileJournal(Fd fd, std::string path, std::uint64_t size);

  std::uint64_t append(std::span<const JournalRecord> records);  // see Journal::append
  void sync(std::uint64_t seq);

  // Called by save() once the state holds every record: an append after that would land in a
  // file that is about to be removed, so it throws instead.
  void retire();
  bool retired() const;

  // How many fdatasync() calls sync() made: group commit shares one among many callers.
  std::uint64_t sync_count() const;

  // What sync() calls instead of fdatasync(2); for tests that simulate a slow disk. Set it
  // before the journal is shared between threads.
  using SyncFunction = int (*)(int fd);
  void set_sync_function(SyncFunction fn) { sync_function_ = fn; }

  const std::string& path() const { return path_; }

 private:
  const Fd fd_;
  const std::string path_;

  // Appends: one write() of a whole line at a time.
  mutable std::mutex append_mu_;
  std::uint64_t size_;  // bytes of whole lines in the file
  AppendGate gate_;
  // The highest seq whose write() has returned. Read by a sync leader without append_mu_.
  std::atomic<std::uint64_t> written_seq_{0};

  GroupCommit commit_;
  SyncFunction sync_function_ = ::fdatasync;
};

// The Journal handed to callers; shares the FileJournal with the backend, which retires it.
class FileJournalHandle final : public Journal {
 public:
  explicit FileJournalHandle(std::shared_ptr<FileJournal> journal) : journal_(std::move(journal)) {}
  using Journal::append;
  std::uint64_t append(std::span<const JournalRecord> records) override {
    return journal_->append(records);
  }
  void sync(std::uint64_t seq) override { journal_->sync(seq); }
  FileJournal& file() const { return *journal_; }

 private:
  std::shared_ptr<FileJournal> journal_;
};

}  // namespace cforg::state
