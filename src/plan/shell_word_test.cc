#include <gtest/gtest.h>

#include "cforg/plan/plan.h"

namespace cforg::plan {
namespace {

TEST(ShellWord, QuotesOnlyWhatAShellWouldSplitOrExpand) {
  EXPECT_EQ(shell_word("retail"), "retail");
  EXPECT_EQ(shell_word("state/plan-1.json"), "state/plan-1.json");
  EXPECT_EQ(shell_word("Retail Web"), "'Retail Web'");
  EXPECT_EQ(shell_word("Bob's $HOME"), "'Bob'\\''s $HOME'");
  EXPECT_EQ(shell_word(""), "''");
}

}  // namespace
}  // namespace cforg::plan
