// The shape rules of a body, each with its own code and pointer, through the store's create.
#include "validation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store_test_support.h"

namespace cforg::emulator::store_test {
namespace {

struct BadBody {
  std::string body;
  int code;
  std::string pointer;
};

TEST(EmulatorValidation, RejectsBadBodiesWithDistinctCodes) {
  Store store = make_store();
  std::string root = create(store, "Root");
  Json incomplete = profile_json();
  incomplete.erase("business_phone");
  Json wrong_type = profile_json();
  wrong_type["external_metadata"] = Json::object();
  std::vector<BadBody> cases = {
      {"{}", code::kNameMissing, "/name"},
      {R"({"name": 5})", code::kNameNotString, "/name"},
      {R"({"name": null})", code::kNameNotString, "/name"},
      {R"({"name": ""})", code::kNameEmpty, "/name"},
      {R"({"name": "x", "parent": "abc"})", code::kParentNotObject, "/parent"},
      {R"({"name": "x", "parent": {}})", code::kParentIdNotString, "/parent/id"},
      {R"({"name": "x", "parent": {"id": 7}})", code::kParentIdNotString, "/parent/id"},
      {R"({"name": "x", "parent": {"id": "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8"}})",
       code::kParentNotFound, "/parent/id"},
      {R"({"name": "x", "profile": []})", code::kProfileNotObject, "/profile"},
      {Json({{"name", "x"}, {"profile", incomplete}}).dump(), code::kProfileFieldInvalid,
       "/profile/business_phone"},
      {Json({{"name", "x"}, {"profile", wrong_type}}).dump(), code::kProfileFieldInvalid,
       "/profile/external_metadata"},
  };
  for (const auto& c : cases) {
    auto body = parse_json_object(c.body);
    ASSERT_TRUE(body.ok()) << c.body;
    auto created = store.create(body.value());
    ASSERT_FALSE(created.ok()) << c.body;
    EXPECT_EQ(created.error().status, 400) << c.body;
    EXPECT_EQ(created.error().code, c.code) << c.body;
    EXPECT_EQ(created.error().pointer, c.pointer) << c.body;
    EXPECT_FALSE(created.error().message.empty());
  }
  EXPECT_EQ(store.size(), 1u);  // nothing was created by a refused body

  EXPECT_EQ(parse_json_object("{nope").error().code, code::kBodyNotJson);
  EXPECT_EQ(parse_json_object("").error().code, code::kBodyNotJson);
  EXPECT_EQ(parse_json_object("[1]").error().code, code::kBodyNotObject);
  EXPECT_EQ(parse_json_object("\"x\"").error().code, code::kBodyNotObject);
  // null for an optional member reads as "absent".
  EXPECT_TRUE(store.create({{"name", "n"}, {"parent", nullptr}, {"profile", nullptr}}).ok());
}

}  // namespace
}  // namespace cforg::emulator::store_test
