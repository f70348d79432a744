#include "status.h"

namespace cforg::controller {

void Status::set_role(bool leader) {
  std::lock_guard lock(mu_);
  leader_ = leader;
}

void Status::set_waiting(std::string why) {
  std::lock_guard lock(mu_);
  waiting_ = std::move(why);
}

void Status::set_backend_answered(bool answered) {
  std::lock_guard lock(mu_);
  backend_answered_ = answered;
}

bool ended_well(const std::string& result) {
  for (std::size_t i = 0; i < 5; ++i) {
    if (result == kResults[i]) return true;
  }
  return false;
}

void Status::cycle_done(CycleReport report) {
  std::lock_guard lock(mu_);
  ++cycles_;
  cycled_ = true;
  if (ended_well(report.result)) last_good_ = report;
  last_ = std::move(report);
}

bool Status::ready() const {
  std::lock_guard lock(mu_);
  return ready_locked();
}

bool Status::ready_locked() const {
  return backend_answered_ && (cycled_ || !leader_);
}

namespace {

nlohmann::json cycle_json(const CycleReport& c) {
  nlohmann::json j = {{"result", c.result},           {"commit", c.commit},
                      {"started", c.started},         {"seconds", c.seconds},
                      {"summary", c.summary},         {"drift_organizations", c.drift},
                      {"pending_changes", c.pending}, {"requests", c.requests}};
  if (!c.error.empty()) j["error"] = c.error;
  if (!c.plan_files.empty()) j["plan_files"] = c.plan_files;
  return j;
}

}  // namespace

nlohmann::json Status::to_json() const {
  std::lock_guard lock(mu_);
  nlohmann::json j = {{"role", leader_ ? "leader" : "standby"},
                      {"cycles", cycles_},
                      {"ready", ready_locked()},
                      {"waiting", waiting_.empty() ? nlohmann::json() : nlohmann::json(waiting_)}};
  j["last_cycle"] = cycled_ ? cycle_json(last_) : nlohmann::json();
  j["last_good_cycle"] = last_good_.result.empty() ? nlohmann::json() : cycle_json(last_good_);
  return j;
}

}  // namespace cforg::controller
