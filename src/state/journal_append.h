// What both journals (file_journal.cc, pg_journal.cc) do alike around their writes, beside the
// group commit they share (group_commit.h): a record becomes a line or is refused before
// anything is written, appends stop once the journal is retired or broken, and a sync names
// only records already appended.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "cforg/state/journal.h"

namespace cforg::state {

// record_line(r, where) without its newline; an invalid record throws StateError "cannot
// journal an invalid record: ...": one bad line would make every line after it unreadable.
inline std::string journal_line(const JournalRecord& r, const std::string& where) {
  try {
    std::string line = record_line(r, where);
    line.pop_back();
    return line;
  } catch (const StateError& e) {
    throw StateError(std::string("cannot journal an invalid record: ") + e.what());
  }
}

// Whether a journal still takes appends. Not thread-safe: the journal guards it with the mutex
// of its appends.
class AppendGate {
 public:
  // A save folded the journal into the state: an append would land in what is being removed.
  void retire() { retired_ = true; }
  bool retired() const { return retired_; }
  // An append failed in a way that makes the next one unsafe (a hole, a torn line): the first
  // reason is kept, and every later append throws it.
  void break_with(std::string why) {
    if (broken_.empty()) broken_ = std::move(why);
  }
  const std::string& broken() const { return broken_; }

  // Throws StateError unless an append may go on; `where` names the journal.
  void check(const std::string& where) const {
    if (retired_) {
      throw StateError(where + ": this journal was closed by a save of the state; open a new one");
    }
    if (!broken_.empty()) throw StateError(broken_);
  }

 private:
  bool retired_ = false;
  std::string broken_;
};

// Journal::sync(seq) of a seq that no append has returned (`last` is the highest): a bug.
inline void check_sync_target(std::uint64_t seq, std::uint64_t last) {
  if (seq > last) {
    throw std::logic_error("Journal::sync(" + std::to_string(seq) + "): no such record yet");
  }
}

}  // namespace cforg::state
