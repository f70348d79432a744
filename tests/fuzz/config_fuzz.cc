// The config loader on arbitrary bytes: cforg::config::load_text, the YAML reader with all its
// validation, as `cforg validate` runs it on each file.
//
// Invariants beyond "no crash, no UB, no leak, no hang, memory bounded": no error is an
// internal one (an exception the loader did not expect), every error is about the file, and a
// config that loads is what the planner relies on: unique keys in the index, every parent key
// resolves, no parent cycle, valid parent ids, a digest.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "cforg/config/config.h"
#include "fuzz_check.h"

using namespace cforg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  config::LoadResult r = config::load_text(text, file);

  for (const config::Diagnostic& d : r.errors) {
    // Every error is about the one file. This also catches what load_text() says when an
    // exception escaped the reader (a bug, never bad input): that error names no file.
    FUZZ_CHECK(d.where.file == file, d.str());
    FUZZ_CHECK(!d.message.empty(), d.str());
  }
  if (!r.ok()) return 0;

  const config::Config& c = r.config;
  FUZZ_CHECK(c.index.size() == c.orgs.size(), "index and orgs disagree");
  for (std::size_t i = 0; i < c.orgs.size(); ++i) {
    const config::DesiredOrg& o = c.orgs[i];
    FUZZ_CHECK(!o.key.empty() && !o.spec.name.empty(), "an org without key or name: " + o.key);
    FUZZ_CHECK(c.find(o.key) == &o, "index does not find " + o.key);
    if (const std::string* id = o.spec.parent.id()) {
      FUZZ_CHECK(org_id_problem(*id).empty(), "bad parent id " + *id);
    } else if (o.spec.parent.key()) {
      // Walking up must end at a root or an id within as many steps as there are orgs.
      const config::DesiredOrg* at = &o;
      std::size_t steps = 0;
      while (at && at->spec.parent.key()) {
        at = c.find(*at->spec.parent.key());
        FUZZ_CHECK(at != nullptr, "parent key resolves to nothing under " + o.key);
        FUZZ_CHECK(++steps <= c.orgs.size(), "a parent cycle through " + o.key);
      }
    }
  }
  FUZZ_CHECK(c.digest().size() == 64, "digest is not a hex SHA-256");
  return 0;
}
