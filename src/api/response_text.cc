#include "response_text.h"

#include "cforg/model/json_parse.h"

namespace cforg::api {
ParsedBody parse_body(std::string_view body) {
  JsonParse parsed = parse_json_checked(body, kMaxJsonDepth);
  ParsedBody out;
  out.value = std::move(parsed.value);
  if (!parsed.ok()) out.problem = parsed.syntax_error ? "not JSON" : std::move(parsed.problem);
  return out;
}

}  // namespace cforg::api
