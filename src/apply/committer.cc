#include "committer.h"

namespace cforg::apply {

using state::JournalRecord;
using SteadyClock = std::chrono::steady_clock;

Committer::Committer(state::State& st, state::Journal& journal, std::mutex& lock,
                     std::chrono::microseconds interval)
    : journal_(journal), st_(st), lock_(lock), interval_(interval) {
  for (const auto& [key, org] : st_.orgs) {
    if (!org.id.empty()) tracked_.insert(org.id);
  }
}

std::optional<std::string> Committer::parent_id(const OrgSpec& t) const {
  std::lock_guard lock(state_mu_);
  return plan::resolve_parent_id(t, st_);
}

std::optional<state::OrgState> Committer::org(const std::string& key) const {
  std::lock_guard lock(state_mu_);
  auto it = st_.orgs.find(key);
  if (it == st_.orgs.end()) return std::nullopt;
  return it->second;
}

bool Committer::tracks(const std::string& id) const {
  std::lock_guard lock(state_mu_);
  return tracked_.count(id) > 0;
}

void Committer::write_ahead(JournalRecord r) {
  journal_.append(r);
  std::lock_guard lock(state_mu_);
  fold(std::move(r));
}

void Committer::fold(JournalRecord&& r) {
  if (r.op == JournalRecord::Op::put) tracked_.insert(r.org.id);
  if (r.op == JournalRecord::Op::remove) {
    if (auto it = st_.orgs.find(r.key); it != st_.orgs.end()) tracked_.erase(it->second.id);
  }
  state::fold(st_, std::move(r));
}

void Committer::hand_over(Pending p) {
  pending_.push_back(std::move(p));
  wake_.notify_one();
}

// As a database's log writer does, off the workers' path. When nothing is urgent, the commit
// waits until an interval has passed since the last one, so that more results join it.
void Committer::run(const Urgent& urgent, const Durable& durable) {
  SteadyClock::time_point last_commit{};
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(lock_);
      wake_.wait(lock, [&] { return !pending_.empty() || closed_; });
      if (pending_.empty()) return;
      wake_.wait_until(lock, last_commit + interval_, [&] { return urgent() || closed_; });
      batch.swap(pending_);
    }
    last_commit = SteadyClock::now();
    commit(batch);
    durable(batch);
  }
}

void Committer::commit(std::span<Pending> batch) {
  std::vector<JournalRecord> records;
  for (Pending& p : batch) {
    for (JournalRecord& r : p.result.records) records.push_back(std::move(r));
  }
  std::string error;
  try {
    std::uint64_t seq = journal_.append(records);
    {
      std::lock_guard lock(state_mu_);
      for (JournalRecord& r : records) fold(std::move(r));
    }
    journal_.sync(seq);
  } catch (const std::exception& e) {
    broken_ = true;  // nothing more can be recorded safely
    error = e.what();
  }
  if (error.empty()) return;
  for (Pending& p : batch) p.result.outcome = failed_outcome(error, p.result.outcome.id);
}

}  // namespace cforg::apply
