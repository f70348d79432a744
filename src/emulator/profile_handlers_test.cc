// The profile routes as the harness reads them: GET .../profile with the global key, a missing
// profile told apart from an unknown organization. (The profile's round trip is in
// organization_handlers_test.cc, beside the organization's.)
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

TEST(EmulatorProfiles, HarnessReadsProfilesWhenTheListOmitsThem) {
  Emulator e({"--auth", "strict", "--consistency-ms", "300"});
  HttpReply with =
      e.request("POST", "/organizations",
                json({{"name", "with"}, {"profile", json::parse(profile_body("w"))}}).dump(),
                Emulator::global_key_headers());
  ASSERT_EQ(with.status, 200);
  ASSERT_EQ(
      e.request("POST", "/organizations", R"({"name":"without"})", Emulator::global_key_headers())
          .status,
      200);
  // Straight away: inside the post-create window, which the harness rides out.
  auto listed = e.organizations();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_FALSE(listed[0].contains("profile"));
  auto filled = e.organizations(cforg::testing::Profiles::kFetch);
  ASSERT_EQ(filled.size(), 2u);
  EXPECT_EQ(filled[0]["profile"], json::parse(profile_body("w")));
  ASSERT_TRUE(filled[1].contains("profile"));
  EXPECT_TRUE(filled[1]["profile"].is_null());
  EXPECT_EQ(e.profile_of(with.body["result"]["id"]), json::parse(profile_body("w")));
  EXPECT_EQ(e.profile_of(filled[1]["id"]), std::nullopt);
  EXPECT_THROW(e.profile_of(kUnknownId), std::runtime_error);
}

}  // namespace
}  // namespace cforg::emulator::http_test
