// The typed client's endpoint calls for organizations: each builds its request, and checks that
// the answer is what was asked for (members: member_calls.cc, accounts: account_calls.cc). The
// request loop (request_loop.cc) sends them, the list reader (list_reader.cc) follows the pages.
#include "cforg/api/client.h"
#include "client_impl.h"
#include "envelope.h"
#include "list_reader.h"
#include "request_loop.h"
#include "response_text.h"

namespace cforg::api {

std::string org_path(const std::string& id) {
  return "/organizations/" + escape(id);
}

std::optional<ApiError> bad_id(const std::string& request, const char* what,
                               const std::string& id) {
  auto why = org_id_problem(id);
  if (why.empty()) return std::nullopt;
  return protocol_error(request, 0, std::string("the ") + what + " id " + why);
}

namespace {

// An organization id that cannot go into a path: refused before anything is sent.
std::optional<ApiError> bad_org_id(const std::string& method, const std::string& id,
                                   const std::string& suffix = "") {
  return bad_id(method + " /organizations/{id}" + suffix, "organization", id);
}

}  // namespace

HttpClient::HttpClient(std::unique_ptr<Transport> transport, ClientOptions opts)
    : impl_(std::make_unique<Impl>(std::move(transport), std::move(opts), stats_)) {}

HttpClient::~HttpClient() = default;

int HttpClient::page_size() const {
  return impl_->page_sizes.current();
}

Result<Organization> HttpClient::create(const OrgSpec& spec) {
  if (const std::string* key = spec.parent.key()) {
    // A key is the config's name for a parent; the plan and apply resolve it to an id first.
    // One reaching the client is a bug in cforg: refused before anything is sent.
    return protocol_error(
        "POST /organizations", 0,
        "the parent of \"" + printable(spec.name, 100) + "\" is the config key \"" +
            printable(*key, 100) +
            "\", not an organization id: the API knows parents only by id. "
            "This is a bug in cforg (the key was not resolved); please report it");
  }
  const std::string& parent_id = spec.parent.api_id();
  if (!parent_id.empty()) {
    if (auto why = org_id_problem(parent_id); !why.empty()) {
      return protocol_error("POST /organizations", 0, "the parent id " + why);
    }
  }
  // Never repeated after an unknown outcome (the policy sees to that): a second POST would
  // make a second organization. The caller looks it up by name and parent instead.
  Call c{"POST", "/organizations", spec_to_json(spec).dump(), parent_id};
  auto r = impl_->loop.one_org(c);
  if (!r) return r;
  const Organization& org = r.value();
  // Nothing unverified is trusted: the answer must be the org that was asked for. It was
  // created all the same (a 2xx), so the outcome is unknown and the caller looks it up.
  std::string wrong;
  if (org.spec.name != spec.name) {
    wrong = "name \"" + printable(org.spec.name, 100) + "\" instead of \"" + spec.name + "\"";
  } else if (org.spec.parent != spec.parent) {
    wrong = "parent \"" + printable(org.spec.parent.api_id(), 130) + "\" instead of \"" +
            parent_id + "\"";
  }
  if (!wrong.empty()) {
    return protocol_error(c.line(), 200, "the created organization has " + wrong, true);
  }
  impl_->loop.young().created(org.id);
  return r;
}

Result<Organization> HttpClient::get(const std::string& id) {
  if (auto e = bad_org_id("GET", id)) return *e;
  Call c{"GET", org_path(id), "", id};
  auto r = impl_->loop.one_org(c);
  if (r && r.value().id != id) {
    return protocol_error(c.line(), 200,
                          "the answer is organization \"" + printable(r.value().id, 130) + "\"");
  }
  return r;
}

Result<Organization> HttpClient::rename(const std::string& id, const std::string& name) {
  if (auto e = bad_org_id("PUT", id)) return *e;
  // The API only takes a new name here: nothing else is sent.
  Call c{"PUT", org_path(id), nlohmann::json{{"name", name}}.dump(), id};
  auto r = impl_->loop.one_org(c);
  // The rename happened (a 2xx) but the answer is not the org it was asked of: unknown.
  if (r && r.value().id != id) {
    return protocol_error(
        c.line(), 200, "the answer is organization \"" + printable(r.value().id, 130) + "\"", true);
  }
  if (r && r.value().spec.name != name) {
    return protocol_error(c.line(), 200,
                          "the answer names the organization \"" +
                              printable(r.value().spec.name, 100) + "\", not \"" + name + "\"",
                          true);
  }
  return r;
}

Result<std::optional<Profile>> HttpClient::get_profile(const std::string& id) {
  if (auto e = bad_org_id("GET", id, "/profile")) return *e;
  Call c{"GET", org_path(id) + "/profile", "", id};
  auto r = impl_->loop.call(c);
  if (!r) {
    if (r.error().not_found()) return std::optional<Profile>();
    return r.error();
  }
  const auto& result = r.value()["result"];
  if (result.is_null()) return std::optional<Profile>();
  try {
    return std::optional<Profile>(profile_from_json(result));
  } catch (const std::exception& ex) {
    return protocol_error(c.line(), 200, ex.what());
  }
}

Result<Empty> HttpClient::put_profile(const std::string& id, const Profile& profile) {
  if (auto e = bad_org_id("PUT", id, "/profile")) return *e;
  Call c{"PUT", org_path(id) + "/profile", profile_to_json(profile).dump(), id};
  c.empty_ok = true;    // 204, no body
  c.accept_any = true;  // as the SDKs send it
  auto r = impl_->loop.call(c);
  if (!r) return r.error();
  return Empty{};
}

Result<Empty> HttpClient::remove(const std::string& id) {
  if (auto e = bad_org_id("DELETE", id)) return *e;
  Call c{"DELETE", org_path(id), "", id};
  c.empty_ok = true;  // a 200 envelope or an empty 2xx
  auto r = impl_->loop.call(c);
  if (!r) {
    // A retry that finds it gone: the attempt before did delete it.
    if (r.error().not_found() && r.error().outcome_unknown) return Empty{};
    return r.error();
  }
  return Empty{};
}

Result<std::vector<Organization>> HttpClient::list(const ListQuery& query) {
  return read_list(impl_->loop, impl_->page_sizes, query);
}

}  // namespace cforg::api
