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

void Status::cycle_done(CycleReport report, bool state_answered) {
  std::lock_guard lock(mu_);
  ++cycles_;
  cycled_ = true;
  backend_answered_ = state_answered;
  bool good = report.result == "no_changes" || report.result == "drift" ||
              report.result == "planned" || report.result == "applied";
  if (good) last_good_ = report;
  last_ = std::move(report);
}

bool Status::ready() const {
  std::lock_guard lock(mu_);
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
                      {"ready", backend_answered_ && (cycled_ || !leader_)},
                      {"waiting", waiting_.empty() ? nlohmann::json() : nlohmann::json(waiting_)}};
  j["last_cycle"] = cycled_ ? cycle_json(last_) : nlohmann::json();
  j["last_good_cycle"] = last_good_.result.empty() ? nlohmann::json() : cycle_json(last_good_);
  return j;
}

}  // namespace cforg::controller
