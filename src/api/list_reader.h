// The paged list reader: GET /organizations with its filters, every page followed, at the
// largest page size the server takes.
#pragma once

#include <atomic>
#include <vector>

#include "cforg/api/client.h"
#include "request_loop.h"

namespace cforg::api {

// The page_size list reads ask for: the largest of kPageSizes the server has not refused, for
// the client's lifetime. Shared by all workers.
class PageSizes {
 public:
  PageSizes();
  int current() const { return accepted_.load(); }
  // The next smaller page size after `size` was refused; false when none is left.
  bool step_down_from(int size);

 private:
  std::atomic<int> accepted_;
};

// Every page of the list `query` asks for, each result checked against the filters (the server
// may ignore one it does not know).
Result<std::vector<Organization>> read_list(RequestLoop& loop, PageSizes& sizes,
                                            const ListQuery& query);

}  // namespace cforg::api
