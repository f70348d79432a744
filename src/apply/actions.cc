#include "actions.h"

#include <thread>

namespace cforg::apply {
namespace {

using plan::Action;
using plan::ActionKind;
using state::JournalRecord;
using state::OrgState;
using Status = Outcome::Status;

// One action being carried out: the records it collects become the result's.
class Run {
 public:
  Run(const Action& a, const ActionContext& ctx) : a_(a), ctx_(ctx) {}

  ActionResult operator()() {
    Outcome outcome = perform();
    return {std::move(outcome), std::move(records_)};
  }

 private:
  Outcome perform() {
    switch (a_.kind) {
      case ActionKind::create:
        return create();
      case ActionKind::update:
        return update(tracked(), a_.renames(), a_.sets_profile(), /*unrecorded=*/false);
      case ActionKind::remove:
        return remove();
      case ActionKind::adopt:
        return adopt();
      case ActionKind::add_member:
      case ActionKind::remove_member:
      case ActionKind::move_account:
        break;
    }
    return failed_outcome("unknown action");
  }

  // A result of this action, made durable by the committer with those of other actions; the
  // action counts as done only once that is on stable storage.
  void record_durably(JournalRecord r) { records_.push_back(std::move(r)); }
  void record_durably(OrgState org) {
    record_durably({JournalRecord::Op::put, a_.key, std::move(org)});
  }

  // The parent id for `t` now: a managed parent must exist by the time its children run.
  std::optional<std::string> parent_id(const OrgSpec& t, std::string& why) const {
    std::optional<std::string> id = ctx_.ledger.parent_id(t);
    if (!id) why = "its parent " + in_quotes(*t.parent.key()) + " does not exist";
    return id;
  }

  // Untracked orgs with the spec's name and parent: where a create with an unknown outcome
  // would have left its org.
  api::Result<std::vector<Organization>> find_untracked(const OrgSpec& spec) const {
    api::ListQuery q;
    q.parent_id = spec.parent.api_id();
    q.name = spec.name;
    auto listed = ctx_.client.list(q);
    if (!listed) return listed;
    std::vector<Organization> out;
    for (Organization& o : listed.value()) {
      if (o.spec.name == spec.name && o.spec.parent == spec.parent && !ctx_.ledger.tracks(o.id)) {
        out.push_back(std::move(o));
      }
    }
    return out;
  }

  // Looks for the org an earlier attempt may have made. Returns an outcome when the search
  // settled the action (adopted, or failed), nullopt when the create should be sent.
  std::optional<Outcome> recover(const OrgSpec& spec, const std::string& cause) {
    auto found = find_untracked(spec);
    if (!found) {
      return failed_outcome("creating org " + in_quotes(a_.key) + ": " + cause +
                            "; looking for it then failed (" + found.error().str() +
                            "). It stays pending in state: the next plan looks for it again");
    }
    if (found.value().size() > 1) {
      std::string ids;
      for (const Organization& o : found.value()) ids += (ids.empty() ? "" : ", ") + o.id;
      return failed_outcome(
          "creating org " + in_quotes(a_.key) + ": several untracked organizations named " +
          in_quotes(spec.name) + " exist under the same parent (" + ids +
          "); import the right one with: cforg import " + plan::shell_word(a_.key) + " <id>");
    }
    if (found.value().empty()) return std::nullopt;
    const Organization& org = found.value().front();
    bool rename = org.spec.name != spec.name;
    bool profile = spec.profile && (!org.profile_known || org.spec.profile != spec.profile);
    return update(recorded(org), rename, profile, /*unrecorded=*/true, /*recovered=*/true);
  }

  // The plan did not look for look-alikes (--refresh=false): look now, and refuse to make a
  // second org of this name and parent. Returns the failure, nullopt when the create may go.
  std::optional<Outcome> refuse_look_alike(const OrgSpec& spec) {
    const std::string unrefreshed =
        "the plan did not read the remote side (--refresh=false), so cforg looks for an "
        "existing organization of this name and parent before creating one";
    auto found = find_untracked(spec);
    if (!found) {
      return failed_outcome("not creating org " + in_quotes(a_.key) + ": " + unrefreshed +
                            ", and that look failed (" + found.error().str() +
                            "). Nothing was created; apply again");
    }
    if (found.value().empty()) return std::nullopt;
    std::string ids;
    for (const Organization& o : found.value()) ids += (ids.empty() ? "" : ", ") + o.id;
    std::string where =
        spec.parent.is_root() ? "at the top level" : "under " + spec.parent.api_id();
    return failed_outcome("not creating org " + in_quotes(a_.key) + ": an organization named " +
                          in_quotes(spec.name) + " already exists " + where + " (" + ids +
                          ") but is not in state (" + unrefreshed +
                          "). To manage it, plan with --adopt (and without --refresh=false), "
                          "or run: cforg import " +
                          plan::shell_word(a_.key) + " " + found.value().front().id);
  }

  Outcome create() {
    std::string why;
    auto pid = parent_id(*a_.after, why);
    if (!pid) return failed_outcome("cannot create org " + in_quotes(a_.key) + ": " + why);
    OrgSpec spec{a_.after->name, ParentRef::from_api_id(*pid), a_.after->profile};
    if (a_.recover) {
      if (auto settled = recover(spec, "an earlier attempt was interrupted")) return *settled;
    } else if (!ctx_.plan_refreshed) {
      if (auto refused = refuse_look_alike(spec)) return *refused;
    }
    std::string cause;
    for (int attempt = 1;; ++attempt) {
      OrgState intent;
      intent.spec = spec;
      intent.pending_create = true;
      // Written before the request, so that a crash while it is in flight leaves a trace
      // the next run looks for. It needs no fsync: it only has to outlive this process.
      ctx_.ledger.write_ahead({JournalRecord::Op::begin_create, a_.key, std::move(intent)});
      api::Result<Organization> created = ctx_.client.create(spec);
      if (created) {
        std::string id = created.value().id;
        record_durably(recorded(std::move(created.value())));
        return done_outcome(std::move(id), attempt > 1);
      }
      const api::ApiError& err = created.error();
      if (!err.outcome_unknown) {
        // It provably did not happen: the intent is withdrawn the same way it was written.
        ctx_.ledger.write_ahead({JournalRecord::Op::remove, a_.key, {}});
        return failed_outcome("creating org " + in_quotes(a_.key) + ": " + err.str());
      }
      cause = err.str();
      if (auto settled = recover(spec, cause + " (outcome unknown)")) return *settled;
      if (attempt >= ctx_.max_create_attempts || ctx_.stopping()) {
        return failed_outcome("creating org " + in_quotes(a_.key) + ": " + cause +
                              " (outcome unknown; " + std::to_string(attempt) +
                              " attempts, none took effect)");
      }
      std::this_thread::sleep_for(ctx_.backoff.delay(attempt, {}, ctx_.jitter()));
    }
  }

  // The API's two kinds of update: PUT /organizations/{id} takes only the name, PUT
  // .../profile the profile. `now` is the org as known before; `unrecorded` says it is not in
  // the journal yet (found by a lookup). Whatever happens, what is known at the end is recorded.
  Outcome update(OrgState now, bool rename, bool profile, bool unrecorded, bool recovered = false) {
    const std::string id = now.id;
    auto finish = [&](Outcome o) {
      if (unrecorded) record_durably(std::move(now));
      return o;
    };
    auto failure = [&](const char* what, const api::ApiError& e) {
      std::string hint =
          e.not_found() ? " (it was deleted outside cforg: run cforg plan again)" : "";
      return finish(failed_outcome(
          std::string(what) + " org " + in_quotes(a_.key) + ": " + e.str() + hint, id));
    };
    if (rename) {
      api::Result<Organization> renamed = ctx_.client.rename(id, a_.after->name);
      if (!renamed) return failure("renaming", renamed.error());
      now = state::from_remote(std::move(renamed.value()), &now);
      unrecorded = true;
      if (now.spec.name != a_.after->name) {
        return finish(failed_outcome(
            "renaming org " + in_quotes(a_.key) + ": the API answered with the name " +
                in_quotes(now.spec.name) + " instead of " + in_quotes(a_.after->name),
            id));
      }
    }
    if (profile) {
      api::Result<api::Empty> put = ctx_.client.put_profile(id, *a_.after->profile);
      if (!put) return failure("updating the profile of", put.error());
      now.spec.profile = a_.after->profile;
      unrecorded = true;
    }
    return finish(done_outcome(id, recovered));
  }

  // `org`, which the API returned for this action's org, as the state records it:
  // prevent_destroy is cforg's own, so it comes from the plan. (The parent's key is the
  // state's to derive: it relinks parents whenever it folds a journal or saves.)
  OrgState recorded(Organization org) const {
    OrgState s = state::from_remote(std::move(org));
    s.spec.prevent_destroy = a_.after->prevent_destroy;
    return s;
  }

  // The tracked org as the state holds it now.
  OrgState tracked() const {
    if (std::optional<OrgState> org = ctx_.ledger.org(a_.key)) return std::move(*org);
    return a_.before.value_or(OrgState{});
  }

  Outcome remove() {
    api::Result<api::Empty> removed = ctx_.client.remove(a_.id);
    // Already gone (deleted outside cforg, or a retried DELETE that had worked): same result.
    if (!removed && !removed.error().not_found()) {
      return failed_outcome("deleting org " + in_quotes(a_.key) + ": " + removed.error().str(),
                            a_.id);
    }
    record_durably({JournalRecord::Op::remove, a_.key, {}});
    return done_outcome(a_.id);
  }

  Outcome adopt() {
    OrgState found = *a_.before;
    found.spec.prevent_destroy = a_.after->prevent_destroy;
    return update(std::move(found), a_.renames(), a_.sets_profile(), /*unrecorded=*/true);
  }

  const Action& a_;
  const ActionContext& ctx_;
  std::vector<JournalRecord> records_;
};

}  // namespace

Outcome done_outcome(std::string id, bool recovered) {
  Outcome o;
  o.status = Status::done;
  o.id = std::move(id);
  o.recovered = recovered;
  return o;
}

std::string in_quotes(const std::string& s) {
  return "\"" + s + "\"";
}

Outcome failed_outcome(std::string message, std::string id) {
  Outcome o;
  o.status = Status::failed;
  o.message = std::move(message);
  o.id = std::move(id);
  return o;
}

ActionResult perform(const plan::Action& a, const ActionContext& ctx) {
  if (plan::is_content_action(a.kind)) return perform_content(a, ctx);
  return Run(a, ctx)();
}

}  // namespace cforg::apply
