// The plan file's format: the version this cforg reads and the digest that seals a plan.
#include "cforg/plan/plan_file.h"

#include <cstdint>

#include "cforg/config/sha256.h"
#include "cforg/model/json_fields.h"
#include "plan_file_format.h"

namespace cforg::plan {

using nlohmann::json;

[[noreturn]] void invalid_plan(const std::string& where, const std::string& why) {
  throw PlanFileError(where + ": not a valid cforg plan: " + why);
}

// SHA-256 of the document without its "digest", dumped compactly. nlohmann keeps object keys
// sorted and prints numbers and strings one way, so a document read back and dumped again has
// the same bytes: any change to what it says changes the digest.
std::string plan_digest(const json& doc) {
  json rest = doc;
  rest.erase("digest");
  return config::sha256_hex(rest.dump());
}

void check_version_and_digest(const json& j, const std::string& where) {
  JsonObject doc(JsonAt(j, where), UnknownFields::allow);  // the digest seals the rest
  // Compared before narrowing: 2^32 + 3 must not pass for version 3.
  const auto version = doc.required<std::uint64_t>("format_version");
  if (version < static_cast<std::uint64_t>(kPlanFormatVersion)) {
    // Before version 3 a plan carried neither a digest nor the inputs its actions came from, so
    // nothing in it can be verified.
    invalid_plan(where, "format_version " + std::to_string(version) +
                            ", written by an older cforg, whose plans cannot be verified (no "
                            "digest, no record of "
                            "what the actions were derived from); this cforg reads version " +
                            std::to_string(kPlanFormatVersion) + ": make a new plan");
  }
  if (version != static_cast<std::uint64_t>(kPlanFormatVersion)) {
    invalid_plan(where, "format_version " + std::to_string(version) +
                            "; this cforg reads version " + std::to_string(kPlanFormatVersion) +
                            ": make the plan with the same cforg version");
  }
  // Before any field is believed: a hand edit is told as such, whatever it broke.
  const std::string digest = doc.required<std::string>("digest");
  try {
    if (digest != plan_digest(j)) {
      throw PlanFileError(where +
                          ": the plan file was changed after it was written: make a new plan "
                          "with cforg plan --out " +
                          shell_word(where) + " (its digest does not match its contents)");
    }
  } catch (const json::exception& e) {  // dump() of a string that is not UTF-8
    invalid_plan(where, e.what());
  }
}

}  // namespace cforg::plan
