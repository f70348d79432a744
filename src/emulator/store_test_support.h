// What the store's tests share: a store on a fixed clock, a creation, a query and its page.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "list_query.h"
#include "store.h"

namespace cforg::emulator::store_test {

using namespace std::chrono_literals;

// 2026-11-29T18:11:19.117Z
inline std::chrono::system_clock::time_point fixed_time() {
  return std::chrono::system_clock::time_point(1795975879117ms);
}

inline Store make_store(uint64_t seed = 1, StoreOptions options = {}) {
  return Store(seed, fixed_time, options);
}

inline Json profile_json(const std::string& tag = "p") {
  return {{"business_address", tag + " street"},
          {"business_email", tag + "@example.com"},
          {"business_name", tag + " Inc"},
          {"business_phone", "+1 555 0100"},
          {"external_metadata", "{}"}};
}

inline std::string create(Store& store, const std::string& name, const std::string& parent = "") {
  Json body = {{"name", name}};
  if (!parent.empty()) body["parent"] = {{"id", parent}};
  auto created = store.create(body);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
  return created.ok() ? created.value()["id"].get<std::string>() : "";
}

inline ListQuery query(const std::multimap<std::string, std::string>& params, size_t max = 1000) {
  auto parsed = parse_list_query(params, max);
  EXPECT_TRUE(std::holds_alternative<ListQuery>(parsed))
      << (std::holds_alternative<ApiError>(parsed) ? std::get<ApiError>(parsed).message : "");
  return std::holds_alternative<ListQuery>(parsed) ? std::get<ListQuery>(parsed) : ListQuery{};
}

inline ApiError query_error(const std::multimap<std::string, std::string>& params,
                            size_t max = 1000) {
  auto parsed = parse_list_query(params, max);
  EXPECT_TRUE(std::holds_alternative<ApiError>(parsed));
  return std::holds_alternative<ApiError>(parsed) ? std::get<ApiError>(parsed) : ApiError{};
}

inline std::vector<std::string> names(const ListPage& page) {
  std::vector<std::string> out;
  for (const auto& org : page.items) out.push_back(org["name"]);
  return out;
}

inline ListPage list(const Store& store, const std::multimap<std::string, std::string>& params) {
  auto page = store.list(query(params));
  EXPECT_TRUE(page.ok());
  return page.ok() ? page.value() : ListPage{};
}

}  // namespace cforg::emulator::store_test
