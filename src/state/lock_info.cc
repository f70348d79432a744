#include "lock_info.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "cforg/model/json_fields.h"
#include "json_text.h"
#include "posix_file.h"

namespace cforg::state {

std::string user_at_host() {
  std::string user;
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(::geteuid(), &pw, buf, sizeof buf, &found) == 0 && found) {
    user = found->pw_name;
  } else if (const char* env = std::getenv("USER")) {
    user = env;
  } else {
    user = "uid" + std::to_string(::geteuid());
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return user + "@unknown-host";
  return user + "@" + host;
}

LockInfo this_process_lock_info(std::string_view operation) {
  return {new_uuid(), std::string(operation), user_at_host(), static_cast<int>(::getpid()),
          now_rfc3339()};
}

std::string LockInfo::holder_text() const {
  return who + " (pid " + std::to_string(pid) + ") running \"" + operation + "\" since " + created;
}

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
