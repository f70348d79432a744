// What of a PostgreSQL URL may be shown: the connection's parameters without the password, and
// libpq's messages with every secret of the URL replaced.
#pragma once

#include <string>
#include <vector>

namespace cforg::state {

// What of `url` must never be shown: its password (as written and percent-decoded), and the
// whole URL.
std::vector<std::string> pg_secrets(const std::string& url);

// `text` with every secret replaced by "****".
std::string redact(std::string text, const std::vector<std::string>& secrets);

// A message of libpq fit to show: `secrets` redacted, on one line (libpq's span several, which
// would break the one-line-per-org report).
std::string pg_message(const std::string& raw, const std::vector<std::string>& secrets);

// "postgres://user@host:port/db": the connection's parameters without the password. Throws
// StateError for a URL that libpq cannot parse, saying what is expected.
std::string describe_pg_url(const std::string& url, const std::vector<std::string>& secrets);

}  // namespace cforg::state
