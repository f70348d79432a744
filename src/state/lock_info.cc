#include "cforg/model/json_fields.h"
#include "cforg/state/backend.h"
#include "json_text.h"

namespace cforg::state {

void to_json(nlohmann::json& j, const LockInfo& info) {
  j = nlohmann::json::object();
  j["id"] = info.id;
  j["operation"] = info.operation;
  j["who"] = info.who;
  j["pid"] = info.pid;
  j["created"] = info.created;
}

void read_json(const JsonAt& at, LockInfo& info) {
  // Unknown members are ignored: a newer cforg may say more about who holds the lock, and this
  // one only needs to name the holder.
  JsonObject o(at, UnknownFields::allow);
  info.id = o.required<std::string>("id");
  info.operation = o.required<std::string>("operation");
  info.who = o.required<std::string>("who");
  info.created = o.required<std::string>("created");
  info.pid = o.required<int>("pid");
}

nlohmann::json LockInfo::to_json() const {
  return nlohmann::json(*this);
}

LockInfo LockInfo::from_json(const nlohmann::json& j) {
  return JsonAt(j, "lock info", "", raise_state_error).get<LockInfo>();
}

}  // namespace cforg::state
