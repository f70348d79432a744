// What every endpoint call of HttpClient shares: the request loop, the page sizes each list
// has settled on, and what the client learnt of the server (whether it has batchCreate). The
// calls live in http_client.cc (organizations), member_calls.cc and account_calls.cc.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "cforg/api/client.h"
#include "list_reader.h"
#include "request_loop.h"

namespace cforg::api {

struct HttpClient::Impl {
  Impl(std::unique_ptr<Transport> transport, ClientOptions opts, ClientStats& stats)
      : loop(std::move(transport), std::move(opts), stats) {}
  RequestLoop loop;
  PageSizes page_sizes;          // GET /organizations
  PageSizes member_page_sizes;   // GET /organizations/{id}/members
  PageSizes account_page_sizes;  // GET /organizations/{id}/accounts
  // POST .../members:batchCreate answered 404 or 405: the server has no such route, and
  // create_members sends single creates for the client's lifetime.
  std::atomic<bool> no_batch_create{false};
  std::atomic<bool> batch_create_answered{false};  // a batchCreate was answered with a 2xx
};

// "/organizations/{id}", the id escaped.
std::string org_path(const std::string& id);

// An id that cannot go into a path (`what`: "organization", "member", "account"): the error
// for `request`, refused before anything is sent; nullopt for a usable id. Every id follows
// the organizations' rule (org_id_problem): opaque, visible ASCII, at most 128 characters.
std::optional<ApiError> bad_id(const std::string& request, const char* what, const std::string& id);

}  // namespace cforg::api
