#include "cforg/apply/apply.h"

namespace cforg::apply {

Report run(const plan::Plan& plan, state::State& st, state::Journal& journal, api::Client& client,
           const Options& opts) {
  // What refreshing learned goes through the journal like any other change, so that the
  // state on disk is always the loaded state plus journaled records, in order.
  state::State refreshed = plan::refreshed_state(st, plan);
  using Op = state::JournalRecord::Op;
  for (const std::string& key : plan.forget) journal.append({Op::remove, key, {}});
  for (const auto& [key, org] : refreshed.orgs) {
    auto before = st.orgs.find(key);
    if (before == st.orgs.end() || !(before->second == org)) journal.append({Op::put, key, org});
  }
  st = std::move(refreshed);
  return execute(plan, st, client, journal, opts);
}

}  // namespace cforg::apply
