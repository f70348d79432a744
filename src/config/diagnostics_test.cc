#include "cforg/config/diagnostics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cforg::config {
namespace {

TEST(GithubAnnotations, EscapeWhatWouldEndTheCommandOrForgeAnother) {
  EXPECT_EQ(github_escape_data("100% done\r\n::error::forged"), "100%25 done%0D%0A::error::forged");
  EXPECT_EQ(github_escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
  std::vector<Diagnostic> d = {{{"dir/x.yaml", 4, 7}, "bad\nthing"},
                               {{"y.yaml", 0, 0}, "unreadable"}};
  EXPECT_EQ(github_annotations(d),
            "::error file=dir/x.yaml,line=4,col=7,title=cforg%3A invalid config::bad%0Athing\n"
            "::error file=y.yaml,title=cforg%3A invalid config::unreadable\n");
}

TEST(DiagnosticsJson, GivesEachPlaceAndNullForAWholeFile) {
  LoadResult r = load_text("organizations:\n  - {name: A, nmae: x}\n", "t.yaml");
  r.errors.push_back({{"gone.yaml", 0, 0}, "cannot read it"});
  nlohmann::json j = diagnostics_json(r);
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["diagnostics"].size(), 2u);
  EXPECT_EQ(j["diagnostics"][0]["file"], "t.yaml");
  EXPECT_EQ(j["diagnostics"][0]["line"], 2);
  EXPECT_EQ(j["diagnostics"][1]["line"], nullptr);
  EXPECT_EQ(j["diagnostics"][1]["column"], nullptr);
  EXPECT_EQ(j["organizations"], 0);
}

TEST(NearestWord, SuggestsATypoAndNothingFarOff) {
  std::vector<std::string> words = {"plan", "apply", "refresh", "--refresh"};
  EXPECT_EQ(nearest_word("plna", words), "plan");
  EXPECT_EQ(nearest_word("--refersh", words), "--refresh");
  EXPECT_EQ(nearest_word("zzzzzz", words), "");
}

}  // namespace
}  // namespace cforg::config
