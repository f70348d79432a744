// The fast writers (state_to_text, record_line: text written directly, docs/BENCHMARKS.md
// finding 6) against the general ones (to_json(...).dump()), over generated inputs: they must
// give the same bytes, or a file written by one would diff against the other.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "cforg/state/journal.h"
#include "state_test_support.h"

namespace cforg::state {
namespace {

using testing::make_org;
using testing::org_id;

// Pieces of strings that a writer may treat differently: plain ASCII, what JSON escapes (quote,
// backslash, every control character, DEL), UTF-8 of 2, 3 and 4 bytes (and U+2028, which
// JavaScript once refused raw), and nothing.
std::vector<std::string> pieces() {
  std::vector<std::string> p = {"Acme",   " ",      "\"",         "\\",     "/",           "\x7f",
                                "\u00e9", "\u2713", "\U0001F600", "\u2028", "{\"cc\":42}", ""};
  for (int c = 0; c < 0x20; ++c) p.push_back(std::string(1, static_cast<char>(c)));
  return p;
}

class Gen {
 public:
  explicit Gen(unsigned seed) : rng_(seed) {}

  std::string text(bool allow_empty) {
    static const std::vector<std::string> kPieces = pieces();
    std::string s;
    int n = pick(6);
    if (pick(20) == 0) n = 2000;  // a long name
    for (int i = 0; i < n; ++i) s += kPieces[static_cast<std::size_t>(pick(kPieces.size()))];
    if (s.empty() && !allow_empty) s = "x";
    return s;
  }

  nlohmann::json meta(int depth = 0) {
    switch (pick(depth > 2 ? 5 : 8)) {
      case 0:
        return nullptr;
      case 1:
        return text(true);
      case 2:
        return pick(2) == 0 ? -static_cast<std::int64_t>(pick(1000)) : std::uint64_t{1} << 63;
      case 3:
        return 0.1 * pick(100);
      case 4:
        return pick(2) == 0;
      case 5:
        return nlohmann::json::object();
      case 6: {
        nlohmann::json a = nlohmann::json::array();
        for (int i = pick(4); i > 0; --i) a.push_back(meta(depth + 1));
        return a;
      }
      default: {
        nlohmann::json o = nlohmann::json::object();
        for (int i = pick(4); i > 0; --i) o[text(true)] = meta(depth + 1);
        return o;
      }
    }
  }

  OrgState org(int n, bool with_id) {
    OrgState o = make_org(with_id ? org_id(n) : "", text(false));
    int parent = pick(3);
    if (parent > 0) {
      o.spec.parent = ParentRef::id(org_id(n + 1000));
      if (parent == 2) o.parent_key = text(false);
    }
    if (pick(2) == 0) {
      o.spec.profile = Profile{text(true), text(true), text(true), text(true), text(true)};
    }
    o.create_time = pick(4) == 0 ? "" : text(true);
    o.meta = nullptr;  // null, or an object of anything
    if (pick(3) != 0) {
      o.meta = nlohmann::json::object();
      for (int i = pick(4); i > 0; --i) o.meta[text(true)] = meta();
    }
    o.spec.prevent_destroy = pick(2) == 0;
    o.pending_create = !with_id || pick(5) == 0;
    return o;
  }

  int pick(std::size_t n) {
    return static_cast<int>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_));
  }

 private:
  std::mt19937 rng_;
};

TEST(FastJsonWriters, TheStateFileIsThePrettyDumpOverGeneratedStates) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    Gen g(seed);
    State s;
    s.lineage = g.text(true);
    s.serial = seed == 1 ? 0 : (std::uint64_t{1} << 63) + seed;
    for (int i = g.pick(12); i > 0; --i) s.orgs[g.text(false)] = g.org(i, g.pick(4) != 0);
    ASSERT_EQ(state_to_text(s), to_json(s).dump(2) + "\n") << "seed " << seed;
  }
}

TEST(FastJsonWriters, AJournalLineIsTheCompactDumpOverGeneratedRecords) {
  Gen g(7);
  for (int i = 0; i < 300; ++i) {
    JournalRecord r;
    r.op = static_cast<JournalRecord::Op>(g.pick(3));
    r.key = g.text(false);
    if (r.op != JournalRecord::Op::remove) {
      r.org = g.org(i, r.op == JournalRecord::Op::put || g.pick(2) == 0);
      if (r.op == JournalRecord::Op::put) r.org.pending_create = false;
    }
    ASSERT_EQ(record_line(r, "j"), to_json(r).dump() + "\n") << "record " << i;
  }
}

}  // namespace
}  // namespace cforg::state
