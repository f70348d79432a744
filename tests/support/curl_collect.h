// libcurl write and header callbacks for tests that read answers by hand: the body into a
// std::string, the headers into a map by lowercased name.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace cforg::testing {

// CURLOPT_WRITEFUNCTION; CURLOPT_WRITEDATA is a std::string*.
std::size_t collect_body(char* data, std::size_t size, std::size_t n, void* body);
// CURLOPT_HEADERFUNCTION; CURLOPT_HEADERDATA is a std::map<std::string, std::string>*: each
// "Name: value" line under the lowercased name, the value trimmed (the status line and the
// blank line are not headers). A header sent twice keeps its last value.
std::size_t collect_header(char* data, std::size_t size, std::size_t n, void* headers);

}  // namespace cforg::testing
