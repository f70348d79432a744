// One logical request of the typed client, as the endpoint calls describe it and the request
// loop sends it.
#pragma once

#include <string>

namespace cforg::api {

struct Call {
  std::string method;
  std::string target;  // path and query, after the base URL
  std::string body;
  std::string names_org;    // the org the request is about (its id, or a new child's parent)
  bool empty_ok = false;    // a 2xx without a body is a success (DELETE, PUT .../profile)
  bool accept_any = false;  // Accept: */*
  std::string line() const { return method + " " + target; }
};

}  // namespace cforg::api
