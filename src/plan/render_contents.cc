#include "render_contents.h"

#include <map>

#include "cforg/model/membership.h"

namespace cforg::plan {
namespace {

std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

std::string plural(std::size_t n, const std::string& one) {
  return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
}

// "from "platform" (0a1b…)", "from 0a1b…", "from no organization", or "" when not known.
std::string source_text(const Action& a) {
  if (!a.from_key.empty())
    return " from " + quoted(a.from_key) + (a.from_id.empty() ? "" : " (" + a.from_id + ")");
  if (!a.from_id.empty()) return " from " + a.from_id;
  return "";
}

std::string account_text(const Action& a) {
  return a.account->id + (a.account->name.empty() ? "" : " (" + quoted(a.account->name) + ")");
}

// The status change whose delete half `a` is: the matching add, or nullptr.
const Action* status_change_of(const Action& a, const std::vector<const Action*>& actions) {
  if (a.kind != ActionKind::remove_member || !a.replace) return nullptr;
  for (const Action* b : actions) {
    if (b->kind == ActionKind::add_member && b->replace &&
        canonical_email(b->member->email) == canonical_email(a.member->email))
      return b;
  }
  return nullptr;
}

}  // namespace

void content_block_text(std::ostream& out, const std::string& key,
                        const std::vector<const Action*>& actions, const Palette& c) {
  std::size_t add = 0, remove = 0, change = 0, move = 0;
  for (const Action* a : actions) {
    if (a->kind == ActionKind::move_account) ++move;
    if (a->kind == ActionKind::add_member) ++(a->replace ? change : add);
    if (a->kind == ActionKind::remove_member && !a->replace) ++remove;
  }
  std::vector<std::string> parts;
  if (add) parts.push_back(plural(add, "member") + " to add");
  if (remove) parts.push_back(plural(remove, "member") + " to remove");
  if (change) parts.push_back(plural(change, "member") + " to change status");
  if (move) parts.push_back(plural(move, "account") + " to move in");
  std::string what;
  for (std::size_t i = 0; i < parts.size(); ++i) what += (i ? ", " : "") + parts[i];
  out << "  # " << c.bold("org " + quoted(key)) << ": " << what << '\n';
  out << "  " << c.yellow("~") << " org " << quoted(key) << " {\n";
  for (const Action* a : actions) {
    switch (a->kind) {
      case ActionKind::add_member:
        if (a->replace) break;  // told with its delete half
        out << "      " << c.green("+") << " member " << a->member->email << " ("
            << to_string(a->member->status) << ")"
            << (a->recover ? " (after checking that an interrupted earlier create did not)" : "")
            << '\n';
        break;
      case ActionKind::remove_member:
        if (const Action* in = status_change_of(*a, actions)) {
          out << "      " << c.red("-") << "/" << c.green("+") << " member " << a->member->email
              << ": " << to_string(a->member->status) << " → " << to_string(in->member->status)
              << " (deleted, then created: the API cannot update a member)\n";
          break;
        }
        out << "      " << c.red("-") << " member " << a->member->email
            << (a->member->id.empty() ? "" : " (" + a->member->id + ")") << '\n';
        break;
      case ActionKind::move_account:
        out << "      " << c.cyan("→") << " account " << account_text(*a) << " moves in"
            << source_text(*a) << '\n';
        break;
      default:
        break;
    }
  }
  out << "    }\n";
}

void content_drift_text(std::ostream& out, const Drift& d, const Palette& c) {
  for (const std::string& e : d.members_added)
    out << "      " << c.green("+") << " member " << e << " (added outside cforg)\n";
  for (const std::string& e : d.members_removed)
    out << "      " << c.red("-") << " member " << e << " (removed outside cforg)\n";
  for (const std::string& id : d.accounts_arrived)
    out << "      " << c.green("+") << " account " << id << " (moved in outside cforg)\n";
  for (const std::string& id : d.accounts_left)
    out << "      " << c.red("-") << " account " << id << " (moved away outside cforg)\n";
}

std::string content_action_markdown(const Action& a) {
  switch (a.kind) {
    case ActionKind::add_member:
      if (a.replace) return "";
      return "+ " + a.key + ": add member " + a.member->email + " (" +
             std::string(to_string(a.member->status)) + ")\n";
    case ActionKind::remove_member:
      if (a.replace) {
        return "! " + a.key + ": member " + a.member->email + " deleted and created again " +
               "with a new status (the API has no update)\n";
      }
      return "- " + a.key + ": remove member " + a.member->email + "\n";
    case ActionKind::move_account:
      return "! " + a.key + ": move in account " + account_text(a) + source_text(a) + "\n";
    default:
      return "";
  }
}

std::string content_summary(const Summary& s) {
  std::string out;
  if (s.members_added || s.members_removed) {
    out += " Members: " + std::to_string(s.members_added) + " to add, " +
           std::to_string(s.members_removed) + " to remove.";
  }
  if (s.accounts_moved) out += " Accounts: " + std::to_string(s.accounts_moved) + " to move.";
  return out;
}

}  // namespace cforg::plan
