#include "cforg/api/client.h"

namespace cforg::api {

std::string ApiError::str() const {
  std::string s = request.empty() ? std::string("request") : request;
  s += ": ";
  switch (kind) {
    case Kind::http:
      s += "HTTP " + std::to_string(status);
      break;
    case Kind::transport:
      s += "no response";
      break;
    case Kind::protocol:
      s += status ? "unexpected HTTP " + std::to_string(status) + " response"
                  : "unexpected response";
      break;
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    s += i == 0 ? ", " : "; ";
    s += "Cloudflare error " + std::to_string(errors[i].code) + ": " + errors[i].message;
  }
  if (errors_omitted > 0) {
    s += "; and " + std::to_string(errors_omitted) + " more error" +
         (errors_omitted == 1 ? "" : "s");
  }
  if (!detail.empty()) s += " (" + detail + ")";
  if (outcome_unknown) s += "; the server may have carried it out";
  if (!advice.empty()) s += ". " + advice;
  return s;
}

}  // namespace cforg::api
