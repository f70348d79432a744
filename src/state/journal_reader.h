// Reading a journal file back, and deciding whether it belongs to a given state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/state/journal.h"

namespace cforg::state {

inline constexpr int kJournalVersion = 1;

struct JournalHeader {
  std::string lineage;  // of the state the journal started from ("" for a missing state)
  std::uint64_t base_serial = 0;

  // {"cforg_journal":1,"lineage":...,"base_serial":...}: the magic first, for `head -1`.
  nlohmann::ordered_json to_json() const;
};

struct JournalContents {
  bool empty = true;  // a zero-length file: no header, no records
  JournalHeader header;
  std::vector<JournalRecord> records;
  // Bytes up to the end of the last good line; less than the file's size when the last line
  // is torn (a crash in the middle of its write), which is then ignored.
  std::uint64_t valid_bytes = 0;
  // The last good line lacks its newline (a write cut right before it): an appender must end
  // it before adding a line.
  bool unterminated = false;
};

// Parses a journal. A bad header, or a bad line other than the last, throws StateError naming
// "where:line"; a bad last line is dropped with a warning.
JournalContents parse_journal(std::string_view text, const std::string& where);

// fold(s, r) of the record read at `at` ("file:line", "workspace (seq 7)"): a record that cannot
// apply to the state (one inside an org the state does not track) throws StateError naming `at`
// and what to do, as check_folded does.
void fold_at(State& s, const JournalRecord& r, const std::string& at);
// Throws StateError with `problem` and what to do about a journal that contradicts its state.
[[noreturn]] void refuse_contradicting_journal(const std::string& problem);

enum class JournalFit {
  fold,   // written from this very state: its records belong on top of it
  stale,  // already folded into this state by a save that did not get to remove it
};

// How the journal at `where` relates to `s`; throws StateError when it belongs to neither this
// state nor its past (another lineage, or a newer serial than the state's).
JournalFit classify(const JournalHeader& h, const State& s, const std::string& where,
                    const std::string& state_where);

}  // namespace cforg::state
