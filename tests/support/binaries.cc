#include "support/binaries.h"

#include <cstdlib>
#include <string>

namespace cforg::testing {
namespace {

// CFORG_TEST_BIN_DIR/name when set, else the path CMake compiled in.
std::string binary(const char* name, const char* built) {
  const char* dir = std::getenv("CFORG_TEST_BIN_DIR");
  if (dir == nullptr || *dir == '\0') return built;
  return std::string(dir) + "/" + name;
}

}  // namespace

const char* cforg_bin() {
  static const std::string path = binary("cforg", CFORG_BUILT_BIN);
  return path.c_str();
}

const char* emulator_bin() {
  static const std::string path = binary("cforg-emulator", CFORG_BUILT_EMULATOR_BIN);
  return path.c_str();
}

bool binaries_sanitized() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#else
  const char* flag = std::getenv("CFORG_TEST_SANITIZED");
  return flag != nullptr && std::string(flag) == "1";
#endif
}

}  // namespace cforg::testing
