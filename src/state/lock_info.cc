#include "cforg/state/backend.h"

namespace cforg::state {

nlohmann::json LockInfo::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = id;
  j["operation"] = operation;
  j["who"] = who;
  j["pid"] = pid;
  j["created"] = created;
  return j;
}

LockInfo LockInfo::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw StateError("lock info: expected an object");
  auto text = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      throw StateError(std::string("lock info: ") + key + " is missing or not a string");
    }
    return it->get<std::string>();
  };
  LockInfo info;
  info.id = text("id");
  info.operation = text("operation");
  info.who = text("who");
  info.created = text("created");
  auto pid = j.find("pid");
  if (pid == j.end() || !pid->is_number_integer()) {
    throw StateError("lock info: pid is missing or not an integer");
  }
  info.pid = pid->get<int>();
  return info;
}

}  // namespace cforg::state
