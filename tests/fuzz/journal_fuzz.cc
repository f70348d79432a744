// The journal parser on arbitrary bytes: cforg::state::parse_journal, then what load() does
// with what it read: classify() against a state and fold() every record into it.
//
// Invariants: bad input is a StateError naming the journal ("where:line"), nothing else
// escapes; valid_bytes never passes the end; every record read can be written again as a line
// that reads back as the same record (the appender writes what the reader takes); folding
// and relinking never crash, whatever the records say.
#include <cstdint>
#include <string>
#include <string_view>

#include "cforg/model/json_parse.h"
#include "cforg/state/journal.h"
#include "fuzz_check.h"
#include "state/journal_reader.h"

using namespace cforg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::quiet_logs();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string where = "fuzz.state.json.journal";
  state::JournalContents c;
  try {
    c = state::parse_journal(text, where);
  } catch (const state::StateError& e) {
    fuzz::check_message(e.what(), where, "a journal error");
    return 0;
  }
  FUZZ_CHECK(c.valid_bytes <= text.size(), "valid_bytes past the end");
  FUZZ_CHECK(c.empty == text.empty(), "empty disagrees with the text");

  for (const state::JournalRecord& r : c.records) {
    std::string line;
    try {
      line = state::record_line(r, "rewrite");
    } catch (const state::StateError& e) {
      fuzz::fail("a record that was read cannot be written again", e.what());
    }
    JsonParse parsed = parse_json_checked(line);
    FUZZ_CHECK(parsed.ok(), parsed.problem + ": " + line);
    try {
      FUZZ_CHECK(state::record_from_json(parsed.value, "reread") == r, line);
    } catch (const state::StateError& e) {
      fuzz::fail("a rewritten record does not read back", e.what());
    }
  }

  // As load() does: a state of the journal's own lineage and serial takes its records.
  state::State s;
  s.lineage = c.header.lineage;
  s.serial = c.header.base_serial;
  try {
    FUZZ_CHECK(state::classify(c.header, s, where, "fuzz.state.json") == state::JournalFit::fold,
               "the journal's own state does not take it");
  } catch (const state::StateError& e) {
    fuzz::fail("classify() refuses the journal's own state", e.what());
  }
  // A record inside an org the state does not track is refused as load() refuses it.
  for (const state::JournalRecord& r : c.records) {
    try {
      state::fold_at(s, r, where);
    } catch (const state::StateError& e) {
      fuzz::check_message(e.what(), where, "a fold error");
      return 0;
    }
  }
  s.relink_parents();
  try {
    state::validate(s, "folded");
  } catch (const state::StateError& e) {
    fuzz::check_message(e.what(), "folded", "a folded state's error");
  }
  return 0;
}
