// What an injected fault (faults.h decides which) does to a request's answer: a failure instead
// of the handler, or an ambiguous answer after the handler committed the change.
#pragma once

#include <httplib.h>

#include "faults.h"
#include "stats.h"

namespace cforg::emulator {

// Answers 500 or 503 (`status`) in place of the handler, which never runs.
void reply_injected_failure(httplib::Response& res, int status);

// Makes the answer of a committed change ambiguous as `kind` says: the connection reset before a
// byte of it, its body cut halfway, or a 502. Counts what was done in `stats`.
void make_ambiguous(Ambiguity kind, const httplib::Request& req, httplib::Response& res,
                    Stats& stats);

}  // namespace cforg::emulator
