// The README's tour, replayed: its plan and apply output must be what cforg prints today.
// The expected text is read from README.md itself, so the two cannot drift apart: a change to
// the renderer that leaves the README behind fails here. Only what differs from run to run is
// normalized (ids, durations, the order in which parallel actions finish).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

const std::string kReadme = std::string(CFORG_SOURCE_DIR) + "/README.md";
const std::string kExample = std::string(CFORG_SOURCE_DIR) + "/examples/acme/organizations.yaml";

// The text of the README's tour between `from` (a command line, excluded) and `to` (the next
// one, excluded).
std::string tour_between(const std::string& from, const std::string& to) {
  std::string readme = read_file(kReadme);
  auto tour = readme.find("## A tour");
  EXPECT_NE(tour, std::string::npos) << "README.md has no tour";
  auto begin = readme.find(from + "\n", tour);
  EXPECT_NE(begin, std::string::npos) << "the tour has no line " << from;
  begin += from.size() + 1;
  auto end = readme.find(to, begin);
  EXPECT_NE(end, std::string::npos) << "the tour has no line " << to;
  return readme.substr(begin, end - begin);
}

// Ids and durations differ from run to run.
std::string normalized(std::string text) {
  static const std::regex id("\\b[0-9a-z]{32}\\b");
  static const std::regex ms("in [0-9]+ ms");
  static const std::regex secs("in [0-9]+\\.[0-9]+ s");
  text = std::regex_replace(text, id, "<id>");
  text = std::regex_replace(text, ms, "in <t>");
  return std::regex_replace(text, secs, "in <t>");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "examples/acme no longer has: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The lines of `text`, the per-org result lines ("org ...: created ...") sorted: parallel
// actions finish in any order.
std::vector<std::string> lines_with_results_sorted(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  auto is_result = [](const std::string& l) { return l.rfind("org \"", 0) == 0; };
  auto first = std::find_if(lines.begin(), lines.end(), is_result);
  auto last = std::find_if_not(first, lines.end(), is_result);
  std::sort(first, last);
  return lines;
}

TEST(ReadmeTour, PlanAndApplyPrintWhatTheReadmeShows) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  const std::string example = read_file(kExample);
  ws.config(example, "examples/acme/organizations.yaml");
  ProcessResult first = ws.cforg({"apply", "-c", "examples/acme", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << dump(first);

  // Someone renamed an org in the dashboard, and the config was edited: a phone number, a new
  // team, a team removed.
  std::string industrial = ws.state_ids().at("industrial");
  ASSERT_EQ(
      emu.as_dashboard("PUT", "/organizations/" + industrial, R"({"name": "Acme Heavy Industry"})")
          .status,
      200);
  std::string edited =
      replaced(example, "business_phone: \"+1-555-0120\"", "business_phone: \"+1-555-0199\"");
  edited = replaced(edited, "  - name: Plant Monitoring\n",
                    "  - name: Retail Online\n    parent: retail\n\n"
                    "  - name: Plant Monitoring\n");
  edited = replaced(edited, "  - name: Labs Sandbox\n    parent: Acme Labs\n", "");
  ws.config(edited, "examples/acme/organizations.yaml");

  ProcessResult plan = ws.cforg({"plan", "-c", "examples/acme"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_EQ(normalized(plan.out),
            normalized(tour_between("$ cforg plan -c examples/acme", "\n$ cforg apply")))
      << "update README.md's tour (or fix the renderer)";

  // The README shows an interactive apply; stdin is not a terminal here, so --auto-approve,
  // and what is compared is what follows the answer: each org's result and the summary.
  const int gets = requests(emu, "GET"), puts = requests(emu, "PUT"), posts = requests(emu, "POST"),
            deletes = requests(emu, "DELETE");
  ProcessResult apply = ws.cforg({"apply", "-c", "examples/acme", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  // What the tour says the 11 requests are: the plan's 4 (a rename and a profile update, a
  // create, a delete) and 7 reads: one list page, the profiles of the 3 orgs whose config
  // manages one, the look-up for an existing "Retail Online" before creating it, and the
  // members and accounts of the org to delete (it must be empty).
  EXPECT_EQ(requests(emu, "PUT") - puts, 2);
  EXPECT_EQ(requests(emu, "POST") - posts, 1);
  EXPECT_EQ(requests(emu, "DELETE") - deletes, 1);
  EXPECT_EQ(requests(emu, "GET") - gets, 7);
  std::string shown = tour_between("$ cforg apply -c examples/acme", "```");
  const std::string answer = "Enter a value: yes\n\n";
  auto answered = shown.find(answer);
  ASSERT_NE(answered, std::string::npos) << "the tour's apply no longer shows the prompt";
  shown = shown.substr(answered + answer.size());
  auto results = apply.out.find("\norg \"");
  ASSERT_NE(results, std::string::npos) << dump(apply);
  EXPECT_EQ(lines_with_results_sorted(normalized(apply.out.substr(results + 1))),
            lines_with_results_sorted(normalized(shown)))
      << "update README.md's tour (or fix the renderer)";

  ProcessResult again = ws.cforg({"plan", "-c", "examples/acme", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << dump(again);
}

}  // namespace
}  // namespace cforg::testing
