// The API's handlers: one function per route and method, called by the server once the request
// passed routing, authentication, the rate limiter, the post-create window and fault injection,
// and its body (if any) is a JSON object. Each turns the request into one call of the store and
// writes the answer.
//
// One file per resource: organization_handlers.cc, profile_handlers.cc, list_handler.cc (the
// organizations' list), member_handlers.cc, account_handlers.cc. A new resource declares its
// handlers here, defines them in its own <resource>_handlers.cc, and gets a RouteKind (routes.h)
// and a case in the server's dispatch.
#pragma once

#include <httplib.h>

#include <string>

#include "clocks.h"
#include "consistency.h"
#include "options.h"
#include "store.h"

namespace cforg::emulator {

// What the handlers read and change.
struct HandlerContext {
  Store& store;
  ConsistencyWindow& consistency;  // learns of every creation
  const Options& options;
  const Clocks& clocks;
};

// POST /organizations
void create_organization(const HandlerContext& api, const Json& body, httplib::Response& res);
// GET /organizations/{id}
void get_organization(const HandlerContext& api, const std::string& id, httplib::Response& res);
// PUT /organizations/{id}
void update_organization(const HandlerContext& api, const std::string& id, const Json& body,
                         httplib::Response& res);
// DELETE /organizations/{id}
void delete_organization(const HandlerContext& api, const std::string& id, httplib::Response& res);

// GET /organizations/{id}/profile
void get_profile(const HandlerContext& api, const std::string& id, httplib::Response& res);
// PUT /organizations/{id}/profile
void put_profile(const HandlerContext& api, const std::string& id, const Json& body,
                 httplib::Response& res);

// GET /organizations, its filters and page parameters from the query string.
void list_organizations(const HandlerContext& api, const httplib::Request& req,
                        httplib::Response& res);

// POST /organizations/{id}/members
void create_member(const HandlerContext& api, const std::string& org_id, const Json& body,
                   httplib::Response& res);
// POST /organizations/{id}/members:batchCreate (with --members-batch-create present)
void create_members(const HandlerContext& api, const std::string& org_id, const Json& body,
                    httplib::Response& res);
// GET /organizations/{id}/members, its filters and page parameters from the query string.
void list_members(const HandlerContext& api, const std::string& org_id, const httplib::Request& req,
                  httplib::Response& res);
// GET /organizations/{id}/members/{member_id}
void get_member(const HandlerContext& api, const std::string& org_id, const std::string& member_id,
                httplib::Response& res);
// DELETE /organizations/{id}/members/{member_id}: answered as --delete-response says.
void delete_member(const HandlerContext& api, const std::string& org_id,
                   const std::string& member_id, httplib::Response& res);

// GET /organizations/{id}/accounts
void list_accounts(const HandlerContext& api, const std::string& org_id,
                   const httplib::Request& req, httplib::Response& res);
// POST /accounts/{account_id}/move
void move_account(const HandlerContext& api, const std::string& account_id, const Json& body,
                  httplib::Response& res);
// POST /accounts/move: 501, the contract marks the batch move not implemented.
void move_accounts(httplib::Response& res);

}  // namespace cforg::emulator
