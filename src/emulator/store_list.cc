// Store::list: the filters, the most selective index for them, and one page after the token.
#include <algorithm>
#include <set>
#include <unordered_set>
#include <vector>

#include "store.h"

namespace cforg::emulator {

Outcome<ListPage> Store::list(const ListQuery& q) const {
  std::lock_guard lock(mutex_);
  ListPage page;
  page.per_page = q.page_size;
  page.page = q.after ? q.after->page + 1 : 1;
  if (q.containing_user) return page;  // no users live here (members are not searched)

  // Strict ancestors of each `containing.organization`, looked up once per list.
  std::vector<std::unordered_set<uint64_t>> containing;
  for (const auto& id : q.containing_organizations) {
    const Organization* org = find(id);
    if (!org) return page;  // an unknown organization is contained by nothing
    auto chain = ancestors_of(*org);
    containing.emplace_back(chain.begin(), chain.end());
  }
  // `containing.account`: the organization the account sits in, and under
  // --containing-account hierarchy its ancestors too (the contract does not say which).
  for (const auto& id : q.containing_accounts) {
    auto account = account_seq_by_id_.find(id);
    if (account == account_seq_by_id_.end()) return page;
    const Organization* home = find(accounts_[account->second - 1].org_id);
    if (!home) return page;  // in no organization
    std::unordered_set<uint64_t> holders = {home->seq};
    if (options_.containing_account == ContainingAccount::kHierarchy) {
      for (uint64_t seq : ancestors_of(*home)) holders.insert(seq);
    }
    containing.push_back(std::move(holders));
  }
  auto matches = [&](const Organization& org) {
    for (const auto& n : q.names) {  // `name=`: exact and case-sensitive
      if (org.name != n) return false;
    }
    if (q.has_id_filter && !std::binary_search(q.ids.begin(), q.ids.end(), org.id)) return false;
    for (const auto& p : q.parent_ids) {
      if (org.parent_id != p) return false;
    }
    for (const auto& ancestors : containing) {
      if (!ancestors.count(org.seq)) return false;
    }
    for (const auto& s : q.name_contains) {
      if (!text_contains(org.name_lower, s)) return false;
    }
    for (const auto& s : q.name_starts_with) {
      if (!text_starts_with(org.name_lower, s)) return false;
    }
    for (const auto& s : q.name_ends_with) {
      if (!text_ends_with(org.name_lower, s)) return false;
    }
    return true;
  };

  // The candidates come from the most selective index the query allows: the ids, a parent's
  // children, an ancestor chain, or else every organization. All are sorted by seq, so
  // continuing after the token's seq is a binary search, not a scan.
  std::vector<uint64_t> picked;
  const std::set<uint64_t>* children = nullptr;
  bool source_is_exact = false;  // every candidate matches: no filtering, total = size
  bool all = false;
  if (q.has_id_filter) {
    for (const auto& id : q.ids) {
      if (auto it = seq_by_id_.find(id); it != seq_by_id_.end()) picked.push_back(it->second);
    }
    std::sort(picked.begin(), picked.end());
    source_is_exact = q.filter_count() == 1;
  } else if (!q.parent_ids.empty()) {
    auto it = children_.find(q.parent_ids.front());
    if (it == children_.end()) return page;
    children = &it->second;
    source_is_exact = q.filter_count() == 1;
  } else if (!containing.empty()) {
    picked.assign(containing.front().begin(), containing.front().end());
    std::sort(picked.begin(), picked.end());
    source_is_exact = q.filter_count() == 1;
  } else {
    all = true;
    source_is_exact = q.filter_count() == 0;
  }

  uint64_t after = q.after ? q.after->after_seq : 0;
  auto collect = [&](auto begin, auto start, auto end, size_t size, auto org_of) {
    if (source_is_exact) {
      page.total_count = size;
    } else {
      for (auto it = begin; it != end; ++it) page.total_count += matches(org_of(it)) ? 1 : 0;
    }
    uint64_t last = 0;
    for (auto it = start; it != end; ++it) {
      const Organization& org = org_of(it);
      if (!source_is_exact && !matches(org)) continue;
      if (page.items.size() == q.page_size) {  // one more match exists: not the last page
        page.next_token = encode_page_token({last, static_cast<uint32_t>(page.page), q.digest});
        break;
      }
      page.items.push_back(render(org));
      last = org.seq;
    }
  };
  auto by_seq = [this](auto it) -> const Organization& { return by_seq_.at(*it); };
  if (all) {
    collect(by_seq_.begin(), by_seq_.upper_bound(after), by_seq_.end(), by_seq_.size(),
            [](auto it) -> const Organization& { return it->second; });
  } else if (children) {
    collect(children->begin(), children->upper_bound(after), children->end(), children->size(),
            by_seq);
  } else {
    collect(picked.begin(), std::upper_bound(picked.begin(), picked.end(), after), picked.end(),
            picked.size(), by_seq);
  }
  return page;
}

}  // namespace cforg::emulator
