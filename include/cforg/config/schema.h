// The config's JSON Schema (draft 2020-12), for editors (yaml-language-server) and CI.
#pragma once

#include <string_view>

namespace cforg::config {

// docs/config.schema.json, compiled in (CMakeLists.txt embeds the file), so that `cforg schema`
// and the published file cannot differ.
std::string_view json_schema();

}  // namespace cforg::config
