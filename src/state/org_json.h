// Reading one org of the state (or of a journal record) at a given place in a document.
#pragma once

#include <string>

#include "cforg/state/state.h"

namespace cforg::state::detail {

// Validates and reads `j`; messages read "where: path.field: problem". `id_optional`: a
// begin_create journal record holds an org that has no id yet.
OrgState parse_org(const nlohmann::json& j, const std::string& where, const std::string& path,
                   bool id_optional);

}  // namespace cforg::state::detail
