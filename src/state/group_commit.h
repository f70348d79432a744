// Group commit, shared by the file journal (fdatasync) and the PostgreSQL one (a synchronous
// commit): callers that want their records durable share one flush instead of one each.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "cforg/state/state.h"

namespace cforg::state {

class GroupCommit {
 public:
  // Returns once every record up to `seq` is durable. The first caller to find no flush running
  // becomes the leader: it reads `written()` (the highest seq written so far), then calls
  // `flush()`, which must make every record written before the call durable and returns "" or
  // why it could not. Callers that arrive meanwhile wait and share this flush or the next one.
  // A failure is sticky, and every later sync() throws StateError with it: after a failed fsync
  // Linux may mark unwritten pages clean, so that a later one succeeds without the records on
  // disk. Durability is never reported again.
  template <typename Written, typename Flush>
  void sync(std::uint64_t seq, Written&& written, Flush&& flush) {
    std::unique_lock lock(mu_);
    while (durable_seq_ < seq) {
      if (!error_.empty()) throw StateError(error_);
      if (flushing_) {
        // The running flush may or may not cover `seq` (its record could have been written
        // after the leader read written()). Wait for it, then look again.
        flushed_.wait(lock);
        continue;
      }
      flushing_ = true;
      std::uint64_t target = written();
      lock.unlock();
      std::string error = flush();
      lock.lock();
      flushing_ = false;
      ++flushes_;
      if (error.empty()) {
        durable_seq_ = std::max(durable_seq_, target);
      } else {
        error_ = std::move(error);
      }
      flushed_.notify_all();
    }
  }

  // How many flushes sync() made.
  std::uint64_t flushes() const {
    std::lock_guard lock(mu_);
    return flushes_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable flushed_;
  bool flushing_ = false;
  std::uint64_t durable_seq_ = 0;  // every record up to this seq is durable
  std::uint64_t flushes_ = 0;
  std::string error_;
};

}  // namespace cforg::state
