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
  // `after_unknown`: whether an attempt of ours may have made it (the progress line says so).
  std::optional<Outcome> recover(const std::string& cause, bool after_unknown = true) {
    auto seen = look_up();
    if (!seen) {
      return failed_outcome("adding " + what() + ": " + cause + "; looking for it then failed (" +
                                seen.error().str() +
                                "). It stays pending in state: the next plan looks for it again",
                            org_id_);
    }
    if (seen.value()) return found(std::move(*seen.value()), after_unknown);
    return std::nullopt;
  }

  Outcome add_member() {
    if (a_.recover) {
      if (auto settled = recover("an earlier attempt was interrupted")) return *settled;
    }
    return create_from(1);
  }

  // Before the request, as for an org's create: a crash while it is in flight leaves a pending
  // member that the next run looks for.
  void write_intent() {
    JournalRecord intent;
    intent.op = JournalRecord::Op::begin_member;
    intent.key = a_.key;
    intent.member = Member{.email = a_.member->email, .status = a_.member->status, .pending = true};
    ctx_.ledger.write_ahead(std::move(intent));
  }

  // Sends the create, `attempt` being the first of this call, until it is settled.
  Outcome create_from(int attempt) {
    for (;; ++attempt) {
      write_intent();
      api::Result<Member> created =
          ctx_.client.create_member(org_id_, {a_.member->email, a_.member->status});
      if (auto settled = settle(created, attempt)) return *settled;
      if (attempt >= ctx_.max_create_attempts || ctx_.stopping()) {
        return failed_outcome("adding " + what() + ": " + created.error().str() +
                                  " (outcome unknown; " + std::to_string(attempt) +
                                  " attempts, none took effect)",
                              org_id_);
      }
      std::this_thread::sleep_for(ctx_.backoff.delay(attempt, {}, ctx_.jitter()));
    }
  }

  // What the create's answer settles: done, found after all, or failed; nullopt when its
  // outcome is unknown and no such member is listed, so that it may be sent again.
  std::optional<Outcome> settle(api::Result<Member>& created, int attempt) {
    if (created) {
      if (canonical_email(created.value().email) != canonical_email(a_.member->email)) {
        return failed_outcome("adding " + what() + ": the API answered with the member " +
                                  created.value().email + "; it stays pending in state",
                              org_id_);
      }
      return found(std::move(created.value()), attempt > 1);
    }
    const api::ApiError& err = created.error();
    if (err.status == 409) {
      // This reading of the contract says "already a member": find it and record it. It was
      // found after an unknown outcome only when an earlier attempt of ours was one.
      if (auto settled = recover(err.str(), attempt > 1)) return settled;
      return failed_outcome(
          "adding " + what() + ": " + err.str() + ", yet no member with that email is listed",
          org_id_);
    }
    if (!err.outcome_unknown) {
      // It provably did not happen: the intent is withdrawn the way it was written.
      JournalRecord withdraw;
      withdraw.op = JournalRecord::Op::remove_member;
      withdraw.key = a_.key;
      withdraw.member = Member{.email = a_.member->email};
      ctx_.ledger.write_ahead(std::move(withdraw));
      return failed_outcome("adding " + what() + ": " + err.str(), org_id_);
    }
    return recover(err.str() + " (outcome unknown)");
  }

 public:
  // One member of a batch create (perform_member_batch): its intent was written and `answer`
  // is what the batch said of it. Settled as a single create's answer would be, and sent again
  // on its own when its outcome is unknown and it is not listed.
  ActionResult settle_batch_answer(const std::string& org_id, api::Result<Member> answer) {
    org_id_ = org_id;
    std::optional<Outcome> settled = settle(answer, 1);
    if (!settled) {
      std::this_thread::sleep_for(ctx_.backoff.delay(1, {}, ctx_.jitter()));
      settled = create_from(2);
    }
    return {std::move(*settled), std::move(records_)};
  }
  void write_batch_intent() { write_intent(); }

 private:
  Outcome remove_member() {
    api::Result<api::Empty> removed = ctx_.client.remove_member(org_id_, a_.member->id);
    if (!removed && !removed.error().not_found()) {
      return failed_outcome("removing " + what() + ": " + removed.error().str(), org_id_);
    }
    record(JournalRecord::Op::remove_member, *a_.member);
    return done_outcome(org_id_);
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
      auto home = api::account_home(ctx_.client, account);
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

bool batchable(const plan::Action& a) {
  return a.kind == ActionKind::add_member && !a.replace && !a.recover;
}

std::vector<ActionResult> perform_member_batch(const std::vector<const plan::Action*>& actions,
                                               const ActionContext& ctx) {
  std::vector<ActionResult> out;
  std::string org_id = actions.front()->id;
  if (org_id.empty()) {
    if (auto org = ctx.ledger.org(actions.front()->key)) org_id = org->id;
  }
  if (org_id.empty() || actions.size() == 1) {
    for (const plan::Action* a : actions) out.push_back(perform_content(*a, ctx));
    return out;
  }
  std::vector<ContentRun> runs;
  std::vector<MemberSpec> specs;
  runs.reserve(actions.size());
  for (const plan::Action* a : actions) {
    runs.emplace_back(*a, ctx);
    runs.back().write_batch_intent();
    specs.push_back({a->member->email, a->member->status});
  }
  std::vector<api::MemberCreated> created = ctx.client.create_members(org_id, specs);
  api::ApiError short_answer;  // an answer for fewer members than asked: outcome unknown
  short_answer.kind = api::ApiError::Kind::protocol;
  short_answer.detail = "the batch answered for fewer members than asked";
  short_answer.outcome_unknown = true;
  short_answer.request = "POST /organizations/{id}/members:batchCreate";
  for (std::size_t i = 0; i < actions.size(); ++i) {
    api::Result<Member> answer =
        i < created.size() ? std::move(created[i].member) : api::Result<Member>(short_answer);
    out.push_back(runs[i].settle_batch_answer(org_id, std::move(answer)));
  }
  return out;
}

}  // namespace cforg::apply
