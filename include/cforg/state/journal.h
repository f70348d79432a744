// The journal: an append-only log of the mutations of one run, beside the state.
//
// Rewriting a 10,000-org state after every create would make an apply O(n^2); losing the
// outcome of a create makes a duplicate. The journal makes each mutation durable at O(1) cost:
// one appended line, and one fsync shared by every mutation that finished meanwhile (group
// commit). The next save() folds it into the state; the next load() folds in what an
// interrupted run left.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cforg/state/state.h"

namespace cforg::state {

struct JournalRecord {
  enum class Op {
    begin_create,  // a POST is about to be sent for `key`: org holds name, parent, profile
    put,           // `key` now is `org` (created, adopted, updated, imported)
    remove,        // `key` is gone (deleted, forgotten)
    // Inside the org of `key`, which must be tracked (a record for any other key is damage:
    // fold() throws). Each makes the org's members / accounts managed when they were not.
    begin_member,    // a member create for `member` is about to be sent: recorded as pending
    put_member,      // `member` is a member now (created, or found by a lookup)
    remove_member,   // the member with `member.email` is gone (only the email is journaled)
    put_account,     // `account` sits in this org now (moved in, or found there)
    remove_account,  // the account with `account.id` left this org (only the id is journaled)
  };
  Op op = Op::put;
  std::string key;
  OrgState org;       // begin_create and put only
  Member member{};    // the *_member records
  Account account{};  // the *_account records

  bool operator==(const JournalRecord&) const = default;
};

nlohmann::json to_json(const JournalRecord& r);
JournalRecord record_from_json(const nlohmann::json& j, const std::string& where);

// The journal line of `r`: to_json(r).dump() and a newline, written without building the
// document (a create appends two). A record that record_from_json would reject throws
// StateError "where: ..." instead: one bad line would make every line after it unreadable.
std::string record_line(const JournalRecord& r, const std::string& where);

// Applies one record to a state: begin_create adds a pending_create entry unless the key is
// already tracked with an id; put replaces the entry; remove erases it. Inside the org of the
// key: begin_member adds a pending member unless one with an id is recorded for its canonical
// email; put_member replaces the member of that email; remove_member erases it; put_account
// records the account there and erases it from every other org (an account sits in one);
// remove_account erases it there. A record inside an org the state does not track throws
// StateError ("put_member for organizations.x: ..."), leaving `s` as it was.
void fold(State& s, const JournalRecord& r);
void fold(State& s, JournalRecord&& r);  // moves the org out of `r`
// After folding a journal into a state (and relinking its parents), the same checks a state
// file passes (validate): a journal whose records give one id two keys, or parents a cycle,
// is refused naming it and what to do, before any command plans on it. Throws StateError.
void check_folded(const State& s, const std::string& journal_where);

class Journal {
 public:
  virtual ~Journal() = default;

  // Appends `records`, in order and in one write, and returns the last one's sequence number
  // (each record has its own). On return they survive the death of this process (they are in
  // the OS), not yet a power loss. All or none: a record the reader would reject throws
  // before anything is written. Thread-safe.
  virtual std::uint64_t append(std::span<const JournalRecord> records) = 0;
  std::uint64_t append(const JournalRecord& r) { return append(std::span(&r, 1)); }

  // Returns once every record up to `seq` is on stable storage. Concurrent callers share one
  // fsync. Thread-safe.
  virtual void sync(std::uint64_t seq) = 0;
};

}  // namespace cforg::state
