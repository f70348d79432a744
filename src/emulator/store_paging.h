// One page of a sub-resource's list (members, accounts): the same paging as the organizations'
// list (store_list.cc), on an index of sequence numbers. A token continues after the last item
// of its page, so items created meanwhile appear at the end and deleting that item is harmless.
#pragma once

#include <cstdint>
#include <optional>
#include <set>

#include "list_query.h"
#include "store.h"

namespace cforg::emulator {

// `seqs` sorted ascending; `matches(seq)` the filters, `render(seq)` an item.
template <typename Match, typename Render>
ListPage page_of(const std::set<uint64_t>& seqs, size_t page_size,
                 const std::optional<PageToken>& after, uint32_t digest, Match matches,
                 Render render) {
  ListPage page;
  page.per_page = page_size;
  page.page = after ? after->page + 1 : 1;
  for (uint64_t seq : seqs) page.total_count += matches(seq) ? 1 : 0;
  uint64_t last = 0;
  for (auto it = seqs.upper_bound(after ? after->after_seq : 0); it != seqs.end(); ++it) {
    if (!matches(*it)) continue;
    if (page.items.size() == page_size) {  // one more match exists: not the last page
      page.next_token = encode_page_token({last, static_cast<uint32_t>(page.page), digest});
      break;
    }
    page.items.push_back(render(*it));
    last = *it;
  }
  return page;
}

}  // namespace cforg::emulator
