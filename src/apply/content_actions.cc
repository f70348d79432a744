// The actions inside an organization: a member added or removed, an account moved in. Like an
// org's create, a member create and an account move are POSTs the API may have carried out when
// the answer is lost: each is looked up before it is sent again, never duplicated.
#include <thread>

#include "actions.h"

namespace cforg::apply {
namespace {

using plan::Action;
using plan::ActionKind;
using state::JournalRecord;
using Status = Outcome::Status;

class ContentRun {
 public:
  ContentRun(const Action& a, const ActionContext& ctx) : a_(a), ctx_(ctx) {}

  ActionResult operator()() {
    Outcome outcome = perform();
    return {std::move(outcome), std::move(records_)};
  }

 private:
  Outcome perform() {
    if (!org_id()) {
      return failed_outcome("org " + in_quotes(a_.key) + " does not exist, so nothing can be " +
                            (a_.kind == ActionKind::move_account ? "moved into" : "changed in") +
                            " it");
    }
    switch (a_.kind) {
      case ActionKind::add_member:
        return add_member();
      case ActionKind::remove_member:
        return remove_member();
      case ActionKind::move_account:
        return move_account();
      default:
        return failed_outcome("not an action inside an organization");
    }
  }

  // The org acted in: known to the plan, or created earlier in this run.
  std::optional<std::string> org_id() {
    if (!org_id_.empty()) return org_id_;
    if (!a_.id.empty()) return org_id_ = a_.id;
    if (std::optional<state::OrgState> org = ctx_.ledger.org(a_.key); org && !org->id.empty())
      return org_id_ = org->id;
    return std::nullopt;
  }

  void record(JournalRecord::Op op, Member m) {
    JournalRecord r;
    r.op = op;
    r.key = a_.key;
    r.member = std::move(m);
    records_.push_back(std::move(r));
  }

  std::string what() const { return "member " + a_.member->email + " of org " + in_quotes(a_.key); }

  // The member the API lists for this email, if any.
  api::Result<std::optional<Member>> look_up() {
    auto listed = ctx_.client.list_members(org_id_, a_.member->email);
    if (!listed) return listed.error();
    for (Member& m : listed.value()) {
      if (canonical_email(m.email) == canonical_email(a_.member->email))
        return std::optional<Member>(std::move(m));
    }
    return std::optional<Member>();
  }

  // A member that exists: done when it has the status asked for. There is no update, so one
  // with another status is reported, for the next plan to replace.
  Outcome found(Member m, bool recovered) {
    const bool right = m.status == a_.member->status;
    const std::string status(to_string(m.status));
    record(JournalRecord::Op::put_member, std::move(m));
    if (right) return done_outcome(org_id_, recovered);
    return failed_outcome(what() + " exists already with status " + status +
                              "; the API cannot change a member's status in place: plan again, "
                              "and cforg deletes and creates it with the status asked for",
                          org_id_);
  }

  // Looks for the member an earlier attempt may have made: an outcome when that settles it.
  std::optional<Outcome> recover(const std::string& cause) {
    auto seen = look_up();
    if (!seen) {
      return failed_outcome("adding " + what() + ": " + cause + "; looking for it then failed (" +
                                seen.error().str() +
                                "). It stays pending in state: the next plan looks for it again",
                            org_id_);
    }
    if (seen.value()) return found(std::move(*seen.value()), /*recovered=*/true);
    return std::nullopt;
  }

  Outcome add_member() {
    if (a_.recover) {
      if (auto settled = recover("an earlier attempt was interrupted")) return *settled;
    }
    MemberSpec spec{a_.member->email, a_.member->status};
    for (int attempt = 1;; ++attempt) {
      // Before the request, as for an org's create: a crash while it is in flight leaves a
      // pending member that the next run looks for.
      JournalRecord intent;
      intent.op = JournalRecord::Op::begin_member;
      intent.key = a_.key;
      intent.member = Member{.email = spec.email, .status = spec.status, .pending = true};
      ctx_.ledger.write_ahead(std::move(intent));
      api::Result<Member> created = ctx_.client.create_member(org_id_, spec);
      if (created) {
        if (canonical_email(created.value().email) != canonical_email(spec.email)) {
          return failed_outcome("adding " + what() + ": the API answered with the member " +
                                    created.value().email + "; it stays pending in state",
                                org_id_);
        }
        return found(std::move(created.value()), attempt > 1);
      }
      const api::ApiError& err = created.error();
      if (err.status == 409) {
        // This reading of the contract says "already a member": find it and record it.
        if (auto settled = recover(err.str())) return *settled;
        return failed_outcome(
            "adding " + what() + ": " + err.str() + ", yet no member with that email is listed",
            org_id_);
      }
      if (!err.outcome_unknown) {
        JournalRecord withdraw;
        withdraw.op = JournalRecord::Op::remove_member;
        withdraw.key = a_.key;
        withdraw.member = Member{.email = spec.email};
        ctx_.ledger.write_ahead(std::move(withdraw));
        return failed_outcome("adding " + what() + ": " + err.str(), org_id_);
      }
      if (auto settled = recover(err.str() + " (outcome unknown)")) return *settled;
      if (attempt >= ctx_.max_create_attempts || ctx_.stopping()) {
        return failed_outcome("adding " + what() + ": " + err.str() + " (outcome unknown; " +
                                  std::to_string(attempt) + " attempts, none took effect)",
                              org_id_);
      }
      std::this_thread::sleep_for(ctx_.backoff.delay(attempt, {}, ctx_.jitter()));
    }
  }

  Outcome remove_member() {
    api::Result<api::Empty> removed = ctx_.client.remove_member(org_id_, a_.member->id);
    if (!removed && !removed.error().not_found()) {
      return failed_outcome("removing " + what() + ": " + removed.error().str(), org_id_);
    }
    record(JournalRecord::Op::remove_member, *a_.member);
    return done_outcome(org_id_);
  }

  // Where the account sits now, as the API says: the org's id, "" for none.
  api::Result<std::string> home_of(const std::string& account_id) {
    api::ListQuery q;
    q.containing_account = account_id;
    auto listed = ctx_.client.list(q);
    if (!listed) return listed.error();
    if (listed.value().empty()) return std::string();
    return listed.value().front().id;
  }

  Outcome moved() {
    JournalRecord r;
    r.op = JournalRecord::Op::put_account;
    r.key = a_.key;
    r.account = *a_.account;
    records_.push_back(std::move(r));
    return done_outcome(org_id_);
  }

  Outcome move_account() {
    const std::string& account = a_.account->id;
    const std::string what = "moving account " + account + " into org " + in_quotes(a_.key);
    for (int attempt = 1;; ++attempt) {
      api::Result<AccountMove> move = ctx_.client.move_account(account, org_id_);
      if (move) {
        if (move.value().destination_organization_id != org_id_) {
          return failed_outcome(what + ": the API answered that it moved to " +
                                    in_quotes(move.value().destination_organization_id) +
                                    "; plan again to see where it is",
                                org_id_);
        }
        return moved();
      }
      const api::ApiError& err = move.error();
      if (!err.outcome_unknown) return failed_outcome(what + ": " + err.str(), org_id_);
      // The move may have happened: ask where the account is before sending it again.
      auto home = home_of(account);
      if (!home) {
        return failed_outcome(what + ": " + err.str() + " (outcome unknown); looking where it " +
                                  "is then failed (" + home.error().str() + "). Plan again",
                              org_id_);
      }
      if (home.value() == org_id_) return moved();
      if (attempt >= ctx_.max_create_attempts || ctx_.stopping()) {
        return failed_outcome(what + ": " + err.str() + " (outcome unknown; " +
                                  std::to_string(attempt) + " attempts, none took effect)",
                              org_id_);
      }
      std::this_thread::sleep_for(ctx_.backoff.delay(attempt, {}, ctx_.jitter()));
    }
  }

  const Action& a_;
  const ActionContext& ctx_;
  std::string org_id_;
  std::vector<JournalRecord> records_;
};

}  // namespace

ActionResult perform_content(const plan::Action& a, const ActionContext& ctx) {
  return ContentRun(a, ctx)();
}

}  // namespace cforg::apply
