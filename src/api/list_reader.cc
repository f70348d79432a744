// The paged list reader (see list_reader.h).
#include "list_reader.h"

#include <spdlog/spdlog.h>

#include <set>

#include "cforg/model/ascii.h"
#include "envelope.h"
#include "response_text.h"

namespace cforg::api {
namespace {

// The page sizes a list asks for, largest first: the API's maximum is not published.
constexpr int kPageSizes[] = {1000, 500, 100, 50, 10};
// Without total_size, a list this long is a server going round in circles.
constexpr std::size_t kMaxPages = 100000;
// Empty pages that still carry a next token, in a row, before that counts as a loop.
constexpr int kMaxEmptyPages = 3;

// Whether a 400 to a list read is about the page size we asked for.
bool about_page_size(const ApiError& e) {
  if (e.kind != ApiError::Kind::http || e.status != 400) return false;
  for (const auto& item : e.errors) {
    std::string text = ascii_lower(item.message + " " + item.pointer);
    for (const char* word : {"page_size", "page size", "pagesize", "per_page"}) {
      if (text.find(word) != std::string::npos) return true;
    }
  }
  return false;
}

}  // namespace

PageSizes::PageSizes() : accepted_(kPageSizes[0]) {}

bool PageSizes::step_down_from(int size) {
  for (int s : kPageSizes) {
    if (s < size) {
      int current = accepted_.load();
      while (current > s && !accepted_.compare_exchange_weak(current, s)) {
      }
      return true;
    }
  }
  return false;
}

void add_query(std::string& query, std::string_view key, std::string_view value) {
  query += query.empty() ? '?' : '&';
  query += key;
  query += '=';
  query += escape(value);
}

Result<Empty> read_pages(RequestLoop& loop, PageSizes& sizes, const PagedList& list,
                         const std::function<bool(nlohmann::json&)>& take) {
  std::set<std::string> seen;  // every token followed so far
  std::string token;
  std::size_t pages = 0, received = 0, dropped = 0;
  std::optional<std::uint64_t> total;  // the largest total_size any page gave
  int empty_pages = 0;
  for (;;) {
    // Filters are repeated with every page: the token alone does not carry them.
    const int size = sizes.current();
    std::string target = list.path + list.filters + (list.filters.empty() ? "?" : "&") +
                         "page_size=" + std::to_string(size);
    if (!token.empty()) target += "&page_token=" + escape(token);
    Call c{"GET", target, "", list.names_org};
    auto r = loop.call(c);
    if (!r) {
      // The API's largest page is not published: ask smaller, and remember what it took.
      if (about_page_size(r.error()) && sizes.step_down_from(size)) {
        spdlog::debug("{}: page_size {} refused, asking for {}", c.line(), size, sizes.current());
        continue;
      }
      return r.error();
    }
    ++pages;
    auto& body = r.value();
    auto& result = body["result"];
    if (!result.is_array()) return protocol_error(c.line(), 200, "result is not a list");
    received += result.size();
    try {
      for (auto& item : result) {
        if (!take(item)) ++dropped;
      }
    } catch (const std::exception& ex) {
      return protocol_error(c.line(), 200, ex.what());
    }

    // next_page_token as published ("omitted on the last page"); the generic cursor only
    // as a fallback.
    std::string next;
    if (auto info = body.find("result_info"); info != body.end() && info->is_object()) {
      for (const char* field : {"next_page_token", "cursor"}) {
        auto t = info->find(field);
        if (t == info->end() || t->is_null()) continue;
        if (!t->is_string()) {
          return protocol_error(c.line(), 200,
                                std::string("result_info.") + field + " is not a string");
        }
        if (!t->get<std::string>().empty()) {
          next = *t;
          break;
        }
      }
      if (auto t = info->find("total_size"); t != info->end() && t->is_number_unsigned()) {
        total = std::max(total.value_or(0), t->get<std::uint64_t>());
      }
    }
    if (next.empty()) {
      if (dropped) {
        spdlog::debug("GET {}{}: {} results outside the filters left out", list.path, list.filters,
                      dropped);
      }
      return Empty{};
    }
    // A token seen before means the server is going round in circles. Stopping with what we
    // have would pass off a partial list as the whole, and a caller that plans from it would
    // create what already exists: fail instead.
    if (!seen.insert(next).second) {
      return protocol_error(c.line(), 200,
                            "the server sent page token \"" + printable(next, 100) +
                                "\" a second time");  // the server's text: made printable
    }
    // More than total_size allows (a page's worth of slack for items created meanwhile), empty
    // pages that keep going, or no end in sight: the same, without a repeated token.
    empty_pages = result.empty() ? empty_pages + 1 : 0;
    std::string runaway;
    if (total && received > *total + static_cast<std::uint64_t>(size)) {
      runaway = std::to_string(received) + " " + list.items + " read, but total_size says " +
                std::to_string(*total);
    } else if (empty_pages >= kMaxEmptyPages) {
      runaway = std::to_string(empty_pages) + " empty pages in a row, each with a next token";
    } else if (pages >= kMaxPages) {
      runaway = std::to_string(pages) + " pages read";
    }
    if (!runaway.empty()) {
      return protocol_error(c.line(), 200, runaway + " and the server still sends a next token");
    }
    token = std::move(next);
  }
}

Result<std::vector<Organization>> read_list(RequestLoop& loop, PageSizes& sizes,
                                            const ListQuery& query) {
  for (const auto& id : query.ids) {
    if (auto why = org_id_problem(id); !why.empty()) {
      return protocol_error("GET /organizations", 0, "the id filter " + why);
    }
  }
  if (query.containing_account) {
    if (auto why = account_id_problem(*query.containing_account); !why.empty()) {
      return protocol_error("GET /organizations", 0, "the containing.account filter " + why);
    }
  }
  PagedList list{"/organizations", "", query.parent_id.value_or(""), "organizations"};
  std::string& filters = list.filters;
  for (const auto& id : query.ids) add_query(filters, "id", id);
  if (query.parent_id) {
    add_query(filters, "parent.id", query.parent_id->empty() ? "null" : *query.parent_id);
  }
  if (query.name) add_query(filters, "name", *query.name);
  if (!query.name_contains.empty()) add_query(filters, "name.contains", query.name_contains);
  // Not checked here: an organization does not list its accounts (list_accounts does).
  if (query.containing_account) {
    add_query(filters, "containing.account", *query.containing_account);
  }
  const std::set<std::string> wanted_ids(query.ids.begin(), query.ids.end());
  // The server may not know a filter and ignore it: every result is checked here too.
  auto wanted = [&](const Organization& o) {
    if (query.name && o.spec.name != *query.name) return false;
    if (query.parent_id && o.spec.parent.api_id() != *query.parent_id) return false;
    if (!wanted_ids.empty() && !wanted_ids.count(o.id)) return false;
    return true;
  };

  std::vector<Organization> all;
  auto r = read_pages(loop, sizes, list, [&](nlohmann::json& item) {
    Organization org = organization_from_json(std::move(item));
    loop.young().seen(org);
    if (!wanted(org)) return false;
    all.push_back(std::move(org));
    return true;
  });
  if (!r) return r.error();
  return all;
}

}  // namespace cforg::api
