#include "cforg/model/organization.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace cforg {
namespace {

TEST(ParentRef, IsExactlyOneOfRootKeyOrId) {
  ParentRef root = ParentRef::root();
  EXPECT_TRUE(root.is_root());
  EXPECT_EQ(root.key(), nullptr);
  EXPECT_EQ(root.id(), nullptr);
  EXPECT_EQ(root, ParentRef());

  ParentRef key = ParentRef::key("platform");
  EXPECT_FALSE(key.is_root());
  ASSERT_NE(key.key(), nullptr);
  EXPECT_EQ(*key.key(), "platform");
  EXPECT_EQ(key.id(), nullptr);

  ParentRef id = ParentRef::id("a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8");
  ASSERT_NE(id.id(), nullptr);
  EXPECT_EQ(*id.id(), "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8");
  EXPECT_EQ(id.key(), nullptr);
}

TEST(ParentRef, AKeyAndAnIdOfTheSameTextDiffer) {
  EXPECT_NE(ParentRef::key("x"), ParentRef::id("x"));
  EXPECT_EQ(ParentRef::key("x"), ParentRef::key("x"));
  EXPECT_NE(ParentRef::id("x"), ParentRef::id("y"));
  EXPECT_NE(ParentRef::root(), ParentRef::key(""));
}

TEST(ParentRef, TheApiSpellingHasEmptyForARootAndNoKeys) {
  EXPECT_EQ(ParentRef::from_api_id(""), ParentRef::root());
  EXPECT_EQ(ParentRef::from_api_id("abc"), ParentRef::id("abc"));
  EXPECT_EQ(ParentRef::root().api_id(), "");
  EXPECT_EQ(ParentRef::id("abc").api_id(), "abc");
  EXPECT_THROW((void)ParentRef::key("abc").api_id(), std::logic_error);
}

TEST(ResolveParentId, LooksUpKeysAndPassesIdsAndRootsThrough) {
  std::map<std::string, std::string> ids = {{"made", "id-1"}, {"pending", ""}};
  auto id_of = [&](const std::string& k) -> const std::string* {
    auto it = ids.find(k);
    return it == ids.end() ? nullptr : &it->second;
  };
  EXPECT_EQ(resolve_parent_id(ParentRef::root(), id_of), "");
  EXPECT_EQ(resolve_parent_id(ParentRef::id("ext"), id_of), "ext");
  EXPECT_EQ(resolve_parent_id(ParentRef::key("made"), id_of), "id-1");
  // Not created yet, whether unknown or known without an id: nothing to name it by.
  EXPECT_EQ(resolve_parent_id(ParentRef::key("pending"), id_of), std::nullopt);
  EXPECT_EQ(resolve_parent_id(ParentRef::key("unknown"), id_of), std::nullopt);
  // The same from the map itself.
  EXPECT_EQ(resolve_parent_id_in(ParentRef::key("made"), ids), "id-1");
  EXPECT_EQ(resolve_parent_id_in(ParentRef::key("pending"), ids), std::nullopt);
  EXPECT_EQ(resolve_parent_id_in(ParentRef::id("ext"), ids), "ext");
}

}  // namespace
}  // namespace cforg
