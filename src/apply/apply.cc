#include "cforg/apply/apply.h"

namespace cforg::apply {

Report run(const plan::Plan& plan, state::State& st, state::Transaction& tx, api::Client& client,
           const Options& opts) {
  state::Journal* journal = &tx.journal();
  // What refreshing learned goes through the journal like any other change, so that the
  // state on disk is always the loaded state plus journaled records, in order.
  state::State refreshed = plan::refreshed_state(st, plan);
  using Op = state::JournalRecord::Op;
  for (const std::string& key : plan.forget) journal->append({Op::remove, key, {}});
  for (const auto& [key, org] : refreshed.orgs) {
    auto before = st.orgs.find(key);
    if (before == st.orgs.end() || !(before->second == org)) journal->append({Op::put, key, org});
  }
  st = std::move(refreshed);
  Report report = execute(plan, st, client, *journal, opts);
  tx.commit(st);
  return report;
}

}  // namespace cforg::apply
