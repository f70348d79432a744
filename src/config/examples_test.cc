// The examples the docs show: acme loads cleanly, invalid shows every kind of report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/config/config.h"
#include "test_helpers.h"

namespace cforg::config {
namespace {

using testing::DiagnosticAt;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kExamples = std::string(CFORG_SOURCE_DIR) + "/examples/";

TEST(Examples, AcmeLoads) {
  const LoadResult r = load({kExamples + "acme"});
  ASSERT_THAT(r.errors, IsEmpty());
  const Config& c = r.config;
  ASSERT_EQ(c.orgs.size(), 8u);
  EXPECT_TRUE(c.find("acme")->spec.prevent_destroy);
  EXPECT_EQ(c.find("Labs Sandbox")->spec.parent,
            ParentRef::key("Acme Labs"));  // a key defaulted to a name
  EXPECT_EQ(c.find("Retail Web")->spec.parent, ParentRef::key("retail"));
  EXPECT_EQ(c.find("Retail Payments")->spec.profile->business_phone, "+44 20 7946 0000");
}

TEST(Examples, InvalidReportsEveryProblem) {
  const std::string f = kExamples + "invalid/organizations.yaml";
  const LoadResult r = load({kExamples + "invalid"});
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          DiagnosticAt(f, 5, 22, "prevent_destroy: expected true or false, got a string 'yes'"),
          DiagnosticAt(f, 6, 5, "naem: unknown key in an organization; did you mean 'name'?"),
          DiagnosticAt(f, 6, 5, "missing 'name'"),
          DiagnosticAt(f, 10, 13, "no organization has the key 'retial'; did you mean 'retail'?"),
          DiagnosticAt(f, 11, 5, "profile: missing external_metadata"),
          DiagnosticAt(f, 14, 23,
                       "business_phone: expected a string, got an integer; quote it: "
                       "\"+15550130\""),
          DiagnosticAt(f, 16, 11,
                       "another root organization is named 'Acme Corp' (" + f + ":3:11)"),
          DiagnosticAt(f, 18, 18, "parent id: contains a space at character 4"),
          DiagnosticAt(f, 20, 13, "parent cycle: Loop A → Loop B → Loop A")));
}

}  // namespace
}  // namespace cforg::config
