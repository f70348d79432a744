// The actions themselves, after ninja's CommandRunner: each sends its requests and returns its
// outcome with the records to journal. They hold no state of their own; what they read of the
// run's state and the one record that must be written before a request goes out pass through
// a Ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/apply/executor.h"
#include "cforg/plan/plan.h"
#include "cforg/state/journal.h"
#include "cforg/state/state.h"

namespace cforg::apply {

// What an action ended with, and what it changed, to journal: the action counts as done only
// once these records are durable.
struct ActionResult {
  Outcome outcome;
  std::vector<state::JournalRecord> records;
};

// The run's state as the journal has it so far, while other actions change it. Thread-safe.
class Ledger {
 public:
  virtual ~Ledger() = default;
  // The id of the parent of `t` as known now: "" for a root; nullopt when the parent is
  // managed and not created yet.
  virtual std::optional<std::string> parent_id(const OrgSpec& t) const = 0;
  // The org of `key` as recorded, if any.
  virtual std::optional<state::OrgState> org(const std::string& key) const = 0;
  // Whether an org with this id is recorded (under any key).
  virtual bool tracks(const std::string& id) const = 0;
  // Records `r` before the request it announces goes out: in the journal (not necessarily on
  // stable storage) and in the state on return. Throws when the journal cannot be written.
  virtual void write_ahead(state::JournalRecord r) = 0;
};

struct ActionContext {
  api::Client& client;
  Ledger& ledger;
  // A create whose outcome is unknown is looked up and, if absent, sent again: at most this
  // many sends, with `backoff`'s delays in between.
  int max_create_attempts = 5;
  api::RetryPolicy backoff;
  std::function<bool()> stopping;         // once true, a create sends no further attempt
  std::function<std::uint64_t()> jitter;  // a random number for the backoff's jitter
  // Whether the plan read the remote side. Without it nothing checked that an org of the same
  // name and parent does not exist already (a lost state): each create looks first, and
  // refuses to make a duplicate.
  bool plan_refreshed = true;
};

// Carries out `a`: create (with the recovery protocol of a create whose outcome is unknown),
// update (rename and/or profile PUT), delete or adopt. The outcome's key, kind and replace are
// left for the caller to fill in. Throws only when the ledger cannot write ahead.
ActionResult perform(const plan::Action& a, const ActionContext& ctx);
// The same for an action inside an org (plan::is_content_action): content_actions.cc.
ActionResult perform_content(const plan::Action& a, const ActionContext& ctx);

// Member creates of one org can go as one request (members:batchCreate): those that are plain
// adds (not half of a status change, not a recovery).
bool batchable(const plan::Action& a);
// Carries out `actions` (batchable, all of one org) with one create_members call: each has its
// intent written ahead, and each answer is settled as a single create's would be (a lost one
// looked up, then sent again alone). Results in the order of `actions`.
std::vector<ActionResult> perform_member_batch(const std::vector<const plan::Action*>& actions,
                                               const ActionContext& ctx);

Outcome failed_outcome(std::string message, std::string id = "");
Outcome done_outcome(std::string id, bool recovered = false);
// `s` in double quotes, for messages ("retail").
std::string in_quotes(const std::string& s);

}  // namespace cforg::apply
