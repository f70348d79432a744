// The saved-plan reader on arbitrary bytes: cforg::plan::plan_from_text, what
// `apply PLANFILE` runs on the file's content before checking it against config and state.
//
// Invariants: bad input is a PlanFileError naming the file (nothing else escapes: another
// exception would reach the user without saying which file is bad); a plan that reads is
// written again as JSON that reads back as the same plan.
#include <cstdint>
#include <string>
#include <string_view>

#include "cforg/plan/plan_file.h"
#include "fuzz_check.h"

using namespace cforg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::quiet_logs();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string where = "fuzz.plan.json";
  plan::Plan p;
  try {
    p = plan::plan_from_text(text, where);
  } catch (const plan::PlanFileError& e) {
    fuzz::check_message(e.what(), where, "a plan file error");
    return 0;
  }
  const std::string written = plan::to_json(p).dump();
  try {
    const std::string again = plan::to_json(plan::plan_from_text(written, "written")).dump();
    FUZZ_CHECK(again == written, written + "\n  became\n  " + again);
  } catch (const plan::PlanFileError& e) {
    fuzz::fail("a plan that was read, written again, does not read", e.what());
  }
  return 0;
}
