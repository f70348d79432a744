#pragma once
// The cforg and cforg-emulator binaries a test runs: the ones built beside it, or the ones in
// the folder CFORG_TEST_BIN_DIR names. scripts/sanitize builds only the sanitized binaries and
// runs the normal build's end-to-end tests on them, instead of compiling those tests again
// under every sanitizer (their code only drives processes: the binaries are what is checked).

namespace cforg::testing {

const char* cforg_bin();
const char* emulator_bin();
// True when the binaries run under a sanitizer: this test was built with one, or
// CFORG_TEST_SANITIZED=1 says the binaries of CFORG_TEST_BIN_DIR were. A sanitizer reserves
// terabytes of address space and runs several times slower, which some tests allow for.
bool binaries_sanitized();

}  // namespace cforg::testing
