// The floor for `cforg plan --refresh=false`: only parsing its two inputs, the YAML config with
// yaml-cpp (YAML::LoadFile) and the state JSON with nlohmann (the whole file read into a string,
// then nlohmann::json::parse, the fastest way to use it). No validation, no model, no plan.
//
//   parse_baseline CONFIG.yaml STATE.json
//
// Prints how many organizations each file holds, so that nothing can be optimised away and the
// harness can check that both files were read whole.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: parse_baseline CONFIG.yaml STATE.json\n");
    return 2;
  }
  try {
    YAML::Node config = YAML::LoadFile(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read ") + argv[2]);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    nlohmann::json state = nlohmann::json::parse(text);
    std::printf("{\"config_orgs\": %zu, \"state_orgs\": %zu}\n", config["organizations"].size(),
                state.at("organizations").size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parse_baseline: %s\n", e.what());
    return 1;
  }
  return 0;
}
