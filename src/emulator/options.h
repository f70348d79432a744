// Everything the command line can set (parsed in main.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "faults.h"
#include "rate_limiter.h"

namespace cforg::emulator {

// Where the next page's token goes in result_info: the contract does not say, so the emulator
// can serve either reading and clients can be tested against both.
enum class Pagination {
  kCursor,         // result_info.cursor, "" on the last page
  kNextPageToken,  // result_info.next_page_token, absent on the last page; no cursor
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  // Accepted credentials. All empty: any non-empty credential of either scheme is accepted.
  std::string token;
  std::string email;
  std::string key;
  FaultConfig faults;
  RateLimit rate_limit;
  size_t threads = 64;
  Pagination pagination = Pagination::kCursor;
  size_t max_page_size = 1000;
  bool verbose = false;  // one stderr line per request (method, path, status; never headers)
};

}  // namespace cforg::emulator
