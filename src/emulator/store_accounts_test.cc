// The accounts in the store: the 500-account limit of an organization, without HTTP.
#include <gtest/gtest.h>

#include <string>

#include "store_test_support.h"

namespace cforg::emulator::store_test {
namespace {

StoreOptions with_accounts(size_t n) {
  StoreOptions o;
  o.accounts = n;
  return o;
}

Json to(const std::string& org) {
  return {{"destination_organization_id", org}};
}

TEST(EmulatorStoreAccounts, AFullOrganizationTakesNoMoreAccounts) {
  Store store = make_store(1, with_accounts(kMaxAccountsPerOrganization + 1));
  std::string full = create(store, "Full");
  std::string other = create(store, "Other");
  Json accounts = store.all_accounts();
  for (size_t i = 0; i < kMaxAccountsPerOrganization; ++i) {
    ASSERT_TRUE(store.move_account(accounts[i]["id"].get<std::string>(), to(full)).ok()) << i;
  }
  std::string last = accounts[kMaxAccountsPerOrganization]["id"];
  auto refused = store.move_account(last, to(full));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_EQ(refused.error().code, code::kOrganizationFull);
  EXPECT_EQ(refused.error().pointer, "/destination_organization_id");
  // A move within the full organization is no new account for it.
  std::string inside = accounts[0]["id"];
  EXPECT_TRUE(store.move_account(inside, to(full)).ok());
  // Once one leaves, there is room again.
  ASSERT_TRUE(store.move_account(inside, to(other)).ok());
  EXPECT_TRUE(store.move_account(last, to(full)).ok());
}

TEST(EmulatorStoreAccounts, ListPagesOnlyTheOrganizationsAccounts) {
  Store store = make_store(1, with_accounts(4));
  std::string org = create(store, "Org");
  Json accounts = store.all_accounts();
  ASSERT_TRUE(store.move_account(accounts[1]["id"].get<std::string>(), to(org)).ok());
  ASSERT_TRUE(store.move_account(accounts[3]["id"].get<std::string>(), to(org)).ok());
  auto query = std::get<AccountQuery>(parse_account_query({{"page_size", "1"}}, org, 1000));
  auto page = store.list_accounts(org, query);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value().total_count, 2u);
  EXPECT_EQ(page.value().items[0]["name"], "Account 2");
  ASSERT_FALSE(page.value().next_token.empty());
  auto next = std::get<AccountQuery>(parse_account_query(
      {{"page_size", "1"}, {"page_token", page.value().next_token}}, org, 1000));
  auto second = store.list_accounts(org, next);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().items[0]["name"], "Account 4");
  EXPECT_TRUE(second.value().next_token.empty());
  // A token is bound to its organization too.
  std::string other = create(store, "Other");
  auto foreign = parse_account_query({{"page_token", page.value().next_token}, {"page_size", "1"}},
                                     other, 1000);
  ASSERT_TRUE(std::holds_alternative<ApiError>(foreign));
  EXPECT_EQ(std::get<ApiError>(foreign).code, code::kPageTokenMismatch);
}

}  // namespace
}  // namespace cforg::emulator::store_test
