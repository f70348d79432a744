// The state parser on arbitrary bytes: cforg::state::state_from_text, with every check a state
// file passes when cforg loads it.
//
// Invariants: bad input is a StateError naming the file (nothing else escapes: another
// exception would reach the user as "a bug in cforg"); a state that loads passes validate()
// (save() refuses what load() would refuse, so a loaded state must be saveable), and writing
// it and reading it back gives the same state.
#include <cstdint>
#include <string>
#include <string_view>

#include "cforg/state/state.h"
#include "fuzz_check.h"

using namespace cforg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::quiet_logs();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string where = "fuzz.state.json";
  state::State s;
  try {
    s = state::state_from_text(text, where);
  } catch (const state::StateError& e) {
    fuzz::check_message(e.what(), where, "a state error");
    return 0;
  }
  try {
    state::validate(s, where);
  } catch (const state::StateError& e) {
    fuzz::fail("a state that loads fails validate()", e.what());
  }
  const std::string written = state::state_to_text(s);
  state::State back;
  try {
    back = state::state_from_text(written, "written");
  } catch (const state::StateError& e) {
    fuzz::fail("a loaded state, written, does not load again", e.what());
  }
  FUZZ_CHECK(back == s, written);
  return 0;
}
