// The fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput once on every file named,
// or in a folder named, as libFuzzer does with files given on its command line. The normal
// build links each target with this, so that every seed and every regression input is a test
// (under ASan + UBSan too, in scripts/sanitize address).
//
//   <target>_fuzz_replay CORPUS_DIR [MORE_DIRS_OR_FILES...]
//
// The first folder must hold at least one input: a replay of nothing would pass for the wrong
// reason. Dotfiles (.gitkeep) are skipped. A target that finds a broken invariant aborts, and
// the name of the input it was replaying is on stderr.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR [MORE_DIRS_OR_FILES...]\n";
    return 2;
  }
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<fs::path> inputs;
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      for (const auto& entry : fs::directory_iterator(argv[i])) {
        if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
          inputs.push_back(entry.path());
      }
      std::sort(inputs.begin(), inputs.end());
      if (i == 1 && inputs.empty()) {
        std::cerr << argv[i] << ": no inputs to replay; a corpus must hold at least one\n";
        return 1;
      }
    } else if (fs::is_regular_file(argv[i], ec)) {
      inputs.push_back(argv[i]);
    } else {
      std::cerr << argv[i] << ": no such file or folder\n";
      return 1;
    }
    for (const fs::path& p : inputs) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!in) {
        std::cerr << p.string() << ": cannot read\n";
        return 1;
      }
      const std::string data = ss.str();
      std::cerr << "replaying " << p.string() << " (" << data.size() << " bytes)\n";
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " inputs without a finding\n";
  return 0;
}
