// Reading one org of the state (or of a journal record) at a given place in a document.
#pragma once

#include <string>
#include <string_view>

#include "cforg/model/json_fields.h"
#include "cforg/state/state.h"
#include "json_writer.h"

namespace cforg::state::detail {

// Reads and validates the org at `at`; messages read "source: path.field: problem".
// `id_optional`: a begin_create journal record holds an org that has no id yet.
OrgState parse_org(const JsonAt& at, bool id_optional);

// The checks of parse_org that a well-typed OrgState can still fail (an id that is not one,
// an empty name, ...); messages read "where: path.field: problem".
void check_org(const OrgState& o, const std::string& where, const std::string& path,
               bool id_optional);

// Writes org_to_json(o) as a value, byte for byte, without building the document: journal
// appends are on every create's path, and a save writes every org. Throws
// nlohmann::json::type_error on invalid UTF-8.
void write_org(JsonWriter& w, const OrgState& o);

}  // namespace cforg::state::detail
