// The paged list reader: GET /organizations with its filters, and the pages of any list
// (members, accounts), every page followed, at the largest page size the server takes.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/api/client.h"
#include "request_loop.h"

namespace cforg::api {

// The page_size list reads ask for: the largest of kPageSizes the server has not refused, for
// the client's lifetime. Shared by all workers; one per endpoint, since each may have its own
// maximum.
class PageSizes {
 public:
  PageSizes();
  int current() const { return accepted_.load(); }
  // The next smaller page size after `size` was refused; false when none is left.
  bool step_down_from(int size);

 private:
  std::atomic<int> accepted_;
};

// Appends `key=value` to a query string ("" or "?a=b"), the value escaped.
void add_query(std::string& query, std::string_view key, std::string_view value);

// One paged list: what is asked, and what for.
struct PagedList {
  std::string path;       // "/organizations/{id}/members", escaped
  std::string filters;    // "" or "?user.email=a%40b": repeated with every page
  std::string names_org;  // the org the request is about, for the young-org gate
  std::string items;      // "members": what the list holds, for messages
};

// Hands every item of every page of `list` to `take`, in order. `take` throws an
// std::exception for an item it cannot use (the read fails as a protocol error) and returns
// false for one outside the filters (counted, for the log). Fails on a server going round in
// circles (a repeated token, more items than total_size, empty pages that keep going).
Result<Empty> read_pages(RequestLoop& loop, PageSizes& sizes, const PagedList& list,
                         const std::function<bool(nlohmann::json&)>& take);

// Every page of the list `query` asks for, each result checked against the filters (the server
// may ignore one it does not know).
Result<std::vector<Organization>> read_list(RequestLoop& loop, PageSizes& sizes,
                                            const ListQuery& query);

}  // namespace cforg::api
