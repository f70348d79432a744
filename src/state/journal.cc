#include "cforg/state/journal.h"

#include "cforg/model/json_fields.h"
#include "cforg/model/printable.h"
#include "json_text.h"
#include "org_json.h"

namespace cforg::state {
namespace {

const char* op_name(JournalRecord::Op op) {
  switch (op) {
    case JournalRecord::Op::begin_create:
      return "begin_create";
    case JournalRecord::Op::put:
      return "put";
    case JournalRecord::Op::remove:
      return "remove";
  }
  return "put";
}

[[noreturn]] void bad_record(const std::string& where, const std::string& problem) {
  throw StateError(where + ": " + problem);
}

}  // namespace

nlohmann::json to_json(const JournalRecord& r) {
  nlohmann::json j = nlohmann::json::object();
  j["op"] = op_name(r.op);
  j["key"] = r.key;
  if (r.op != JournalRecord::Op::remove) j["org"] = org_to_json(r.org);
  return j;
}

std::string record_line(const JournalRecord& r, const std::string& where) {
  if (r.key.empty()) bad_record(where, "key: is empty");
  std::string line;
  line.reserve(384);
  try {
    detail::JsonWriter w(line, -1);
    w.begin_object();
    w.key("key");
    w.string(r.key);
    w.key("op");
    w.string(op_name(r.op));
    if (r.op != JournalRecord::Op::remove) {
      detail::check_org(r.org, where, "org", r.op == JournalRecord::Op::begin_create);
      w.key("org");
      detail::write_org(w, r.org);
    }
    w.end_object();
  } catch (const nlohmann::json::exception& e) {
    bad_record(where, r.key + ": " + e.what());  // invalid UTF-8
  }
  line += '\n';
  return line;
}

JournalRecord record_from_json(const nlohmann::json& j, const std::string& where) {
  JsonObject o(JsonAt(j, where, "", raise_state_error), UnknownFields::refuse);
  JournalRecord r;
  const std::string name = o.required<std::string>("op");
  if (name == "begin_create") {
    r.op = JournalRecord::Op::begin_create;
  } else if (name == "put") {
    r.op = JournalRecord::Op::put;
  } else if (name == "remove") {
    r.op = JournalRecord::Op::remove;
  } else {
    o.fail("op", "unknown operation \"" + printable(name, 60) +
                     "\" (written by a newer cforg? upgrade cforg)");
  }
  r.key = o.required<std::string>("key");
  if (r.key.empty()) o.fail("key", "is empty");
  if (r.op != JournalRecord::Op::remove) {
    r.org = detail::parse_org(o.at("org"), r.op == JournalRecord::Op::begin_create);
  } else {
    (void)o.find("org");  // a remove's org, if any, is not read
  }
  o.done();
  return r;
}

void fold(State& s, const JournalRecord& r) {
  fold(s, JournalRecord(r));
}

void check_folded(const State& s, const std::string& journal_where) {
  try {
    validate(s, journal_where);
  } catch (const StateError& e) {
    throw StateError(std::string(e.what()) +
                     " (with the records of the journal folded in: it contradicts the state). "
                     "Move the journal aside to load the state without it; the next plan finds "
                     "any org the interrupted run created by its name, for you to import or "
                     "adopt, and creates none twice");
  }
}

void fold(State& s, JournalRecord&& r) {
  switch (r.op) {
    case JournalRecord::Op::begin_create: {
      auto it = s.orgs.find(r.key);
      // Already tracked with an id: the create this record announced was recorded (or the
      // org was adopted); a pending entry would forget that id.
      if (it != s.orgs.end() && !it->second.id.empty()) return;
      OrgState pending;
      pending.spec = std::move(r.org.spec);
      pending.parent_key = std::move(r.org.parent_key);
      pending.pending_create = true;
      s.orgs[r.key] = std::move(pending);
      return;
    }
    case JournalRecord::Op::put:
      s.orgs[r.key] = std::move(r.org);
      return;
    case JournalRecord::Op::remove:
      s.orgs.erase(r.key);
      return;
  }
}

}  // namespace cforg::state
