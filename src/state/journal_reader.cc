#include "journal_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cforg/model/json_fields.h"
#include "cforg/model/json_parse.h"

namespace cforg::state {
namespace {

// The line at `pos` of the journal `text` (without its newline); a syntax error is placed at
// its line and column in the file.
nlohmann::json parse_line(std::string_view text, std::size_t pos, std::string_view line,
                          const std::string& where, const std::string& at) {
  JsonParse parsed = parse_json_checked(line);
  if (parsed.syntax_error) {
    throw StateError(parsed.located(where, text, pos) + ": invalid JSON: " + parsed.message());
  }
  if (!parsed.ok()) throw StateError(at + ": invalid JSON: " + parsed.message());
  return std::move(parsed.value);
}

JournalHeader parse_header(const nlohmann::json& j, const std::string& at) {
  JournalHeader h;
  try {
    JsonObject o(JsonAt(j, ""), UnknownFields::refuse);
    const nlohmann::json* version = o.find("cforg_journal");
    if (!version) o.fail("cforg_journal", "missing");
    if (!version->is_number_integer() || version->get<std::int64_t>() != kJournalVersion) {
      throw StateError(at + ": unknown journal version " + version->dump() + "; this cforg reads " +
                       std::to_string(kJournalVersion) + ". Upgrade cforg.");
    }
    h.lineage = o.required<std::string>("lineage");
    h.base_serial = o.required<std::uint64_t>("base_serial");
    o.done();
  } catch (const JsonFieldError& e) {
    throw StateError(at + ": not a cforg journal header: " + e.field_problem());
  }
  return h;
}

}  // namespace

nlohmann::ordered_json JournalHeader::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["cforg_journal"] = kJournalVersion;
  j["lineage"] = lineage;
  j["base_serial"] = base_serial;
  return j;
}

JournalContents parse_journal(std::string_view text, const std::string& where) {
  JournalContents c;
  if (text.empty()) return c;
  c.empty = false;
  std::size_t pos = 0;
  for (std::size_t line_no = 1; pos < text.size(); ++line_no) {
    std::size_t newline = text.find('\n', pos);
    bool terminated = newline != std::string_view::npos;
    std::size_t end = terminated ? newline : text.size();
    std::size_t next = terminated ? newline + 1 : text.size();
    std::string_view line = text.substr(pos, end - pos);
    std::string at = where + ":" + std::to_string(line_no);

    // The header is written whole, and fsynced, before the journal gets its name: a bad one
    // is no crash artefact.
    if (line_no == 1) {
      c.header = parse_header(parse_line(text, pos, line, where, at), at);
    } else {
      try {
        c.records.push_back(record_from_json(parse_line(text, pos, line, where, at), at));
      } catch (const StateError& e) {
        // Each record is one write() of a whole line: only the last line can be cut short
        // by a crash, and the append that wrote it never returned, so nothing acknowledged
        // is lost by ignoring it. A bad line with lines after it is no crash artefact.
        if (next < text.size()) {
          throw StateError(std::string(e.what()) +
                           ". The journal is corrupt before its last line; it holds the outcome "
                           "of creates that may be missing from the state, so it was left "
                           "as it is: repair that line by hand.");
        }
        spdlog::warn("{}: ignoring a torn last line (a run was killed while writing it): {}", at,
                     e.what());
        break;
      }
    }
    // A whole record without its newline (the write was cut right before it) is still a
    // whole record: keep it. The journal writer ends the line before appending after it.
    pos = next;
    c.valid_bytes = next;
    c.unterminated = !terminated;
  }
  return c;
}

JournalFit classify(const JournalHeader& h, const State& s, const std::string& where,
                    const std::string& state_where) {
  if (h.lineage == s.lineage) {
    if (h.base_serial == s.serial) return JournalFit::fold;
    if (h.base_serial < s.serial) return JournalFit::stale;
    throw StateError(where + " continues serial " + std::to_string(h.base_serial) + " of " +
                     state_where + ", which is at serial " + std::to_string(s.serial) +
                     ": the state file is older than its journal (restored from a backup or an "
                     "old copy?). The journal may hold organizations created since. Put back the "
                     "state file at serial " +
                     std::to_string(h.base_serial) +
                     ", or move the journal away once you are sure its records are not needed.");
  }
  // A journal started before the state's first save has no lineage. That save (serial 1)
  // folded it and was interrupted before removing it; any later save would have removed it.
  if (h.lineage.empty() && h.base_serial == 0 && s.serial == 1) return JournalFit::stale;
  if (s.lineage.empty()) {
    throw StateError(where + " belongs to state lineage " + h.lineage + ", but " + state_where +
                     " does not exist: was it deleted or moved? Put it back (" + state_where +
                     ".backup holds the version before the last save); the journal holds "
                     "changes on top of it.");
  }
  throw StateError(
      where + " was written for " +
      (h.lineage.empty() ? std::string("a state not yet saved") : "state lineage " + h.lineage) +
      " at serial " + std::to_string(h.base_serial) + ", but " + state_where + " has lineage " +
      s.lineage + " at serial " + std::to_string(s.serial) +
      ": the state file was replaced by another one. Put back the state the "
      "journal belongs to, or move the journal away once you are sure its records "
      "are not needed.");
}

}  // namespace cforg::state
