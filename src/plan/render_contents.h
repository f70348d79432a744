// How a plan shows what changes inside organizations: members and accounts (render.cc shows the
// organizations themselves).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cforg/model/printable.h"
#include "cforg/plan/plan.h"

namespace cforg::plan {

// The content actions of `actions` for one org (all with that key), as one block:
//   # org "retail": 2 members to add, 1 account to move in
//   ~ org "retail" {
//       + member alice@example.com (active)
//       -/+ member carol@example.com: active → canceled (deleted, then created: no update)
//       → account 4f1c… ("Retail production") from "platform" (0a1b…)
//     }
void content_block_text(std::ostream& out, const std::string& key,
                        const std::vector<const Action*>& actions, const Palette& c);
// The lines of drift inside an org (members that appeared or went, accounts that came or left).
void content_drift_text(std::ostream& out, const Drift& d, const Palette& c);
// One line of the markdown diff for a content action; "" for the add half of a status change,
// which its delete half's line tells.
std::string content_action_markdown(const Action& a);
// " Members: 3 to add, 1 to remove. Accounts: 2 to move." (each part only when not zero), or "".
std::string content_summary(const Summary& s);

}  // namespace cforg::plan
