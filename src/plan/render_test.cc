#include "cforg/plan/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "plan_test_support.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::HasSubstr;

// The renderer's whole output, byte for byte, against files under src/plan/testdata/: a
// substring test cannot see a line that moved, a blank line lost, an alignment broken. After
// an intended change, rewrite them with CFORG_UPDATE_GOLDEN=1 and review the diff.
void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(CFORG_SOURCE_DIR) + "/src/plan/testdata/" + name;
  if (std::getenv("CFORG_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "no golden file " << path << " (write it with CFORG_UPDATE_GOLDEN=1)";
  std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(actual, expected) << "rendering differs from " << path
                              << "; if intended, rerun with CFORG_UPDATE_GOLDEN=1";
}

TEST(Render, EveryKindOfChangeMatchesTheGoldenFiles) {
  Estate e = estate_with_filler(0);
  Plan p = make_plan(e.cfg, e.st, &e.remote, {.adopt = false, .replace = {"moved"}});
  ASSERT_TRUE(p.errors.empty());
  expect_golden("every-change.txt", render_text(p));
  expect_golden("every-change.color.txt", render_text(p, {.color = true}));
  expect_golden("every-change.md", render_markdown(p));
}

TEST(Render, ErrorsMatchTheGoldenFiles) {
  // A parent change without --replace, and a delete of a protected org.
  state::State st = tree_state();
  st.orgs["root"].spec.prevent_destroy = true;
  Plan p = make_plan(load(R"(
organizations:
  - {name: Platform, key: platform}
  - {name: Data, parent: platform}
)"),
                     st, nullptr, {});
  ASSERT_FALSE(p.errors.empty());
  expect_golden("errors.txt", render_text(p));
  expect_golden("errors.md", render_markdown(p));
}

TEST(Render, MarkdownSummarizesAndFoldsDetails) {
  std::string md = render_markdown(make_plan(load(kTree), state::State{}, nullptr, {}));
  EXPECT_THAT(md, HasSubstr("### cforg plan: 3 to create, 0 to update, 0 to delete, 0 to adopt"));
  EXPECT_THAT(md, HasSubstr("<details>"));
  EXPECT_THAT(md, HasSubstr("+ platform: create \"Platform\" under \"root\""));
}

TEST(Render, ColorOnlyWhenAsked) {
  Plan p = make_plan(load(kTree), state::State{}, nullptr, {});
  EXPECT_EQ(render_text(p).find('\x1b'), std::string::npos);
  EXPECT_NE(render_text(p, {.color = true}).find("\x1b[32m+"), std::string::npos);
}

}  // namespace
}  // namespace cforg::plan
