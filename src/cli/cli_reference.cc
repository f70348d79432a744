// Walking the CLI11 tree into CommandInfo, which every renderer reads: the completions
// (completions.cc, one file per shell), the man page (man_page.cc), the markdown reference
// (markdown_reference.cc).
#include "cli_reference.h"

#include <sstream>

namespace cforg::cli {
namespace {

// The descriptions of an option's checks (CLI11 keeps them private; the index accessor throws
// past the last one).
std::vector<std::string> validator_descriptions(CLI::Option* opt) {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    try {
      out.push_back(opt->get_validator(i)->get_description());
    } catch (const CLI::OptionNotFound&) {
      return out;
    }
  }
}

// CLI::IsMember describes itself as "{a,b,c}" (a CheckedTransformer as "{a->1,b->2}").
std::vector<std::string> choices_of(const std::string& description) {
  std::vector<std::string> out;
  if (description.size() < 2 || description.front() != '{' || description.back() != '}') {
    return out;
  }
  std::stringstream items(description.substr(1, description.size() - 2));
  for (std::string item; std::getline(items, item, ',');) {
    out.push_back(item.substr(0, item.find("->")));
  }
  return out;
}

OptionInfo describe_option(CLI::Option* opt) {
  OptionInfo o;
  for (const auto& s : opt->get_snames()) o.names.push_back("-" + s);
  for (const auto& l : opt->get_lnames()) o.names.push_back("--" + l);
  o.description = opt->get_description();
  o.default_value = opt->get_default_str();
  // An option whose value may be left out (--refresh, --refresh=false) completes as a flag.
  o.takes_value = opt->get_type_size_max() > 0 && opt->get_expected_min() > 0;
  // The type name as --help shows it, without the checks CLI11 appends (":{a,b}", ":FILE").
  std::string type = opt->get_type_name();
  for (const auto& desc : validator_descriptions(opt)) {
    if (desc.empty()) continue;
    auto suffix = ":" + desc;
    if (auto at = type.rfind(suffix); at != std::string::npos) type.erase(at, suffix.size());
    if (auto c = choices_of(desc); !c.empty()) o.choices = c;
    if (desc == "DIR") o.dir = true;
    if (desc == "FILE" || desc == "DIR" || desc.rfind("PATH", 0) == 0) o.path = true;
  }
  if (opt->get_type_size_max() > 0) o.value_name = type;
  for (const char* word : {"FILE", "PATH", "DIR"}) {
    if (type.find(word) != std::string::npos) o.path = true;
  }
  if (type == "DIR") o.dir = true;
  return o;
}

}  // namespace

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

bool visible(const CLI::App* sub) {
  return !sub->get_group().empty() && !sub->get_disabled();
}

std::vector<const CommandInfo*> all_commands(const CommandInfo& root) {
  std::vector<const CommandInfo*> out = {&root};
  for (const auto& sub : root.subcommands) {
    auto below = all_commands(sub);
    out.insert(out.end(), below.begin(), below.end());
  }
  return out;
}

std::string command_line(const CommandInfo& c) {
  return join(c.path, " ").empty() ? "cforg" : "cforg " + join(c.path, " ");
}

std::vector<std::string> subcommand_names(const CommandInfo& c) {
  std::vector<std::string> out;
  for (const auto& s : c.subcommands) out.push_back(s.path.back());
  return out;
}

CommandInfo describe(CLI::App& app, const std::vector<std::string>& path) {
  CommandInfo c;
  c.path = path;
  c.description = app.get_description();
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    OptionInfo o = describe_option(opt);
    if (!opt->nonpositional()) {
      c.positionals.push_back(opt->get_name());
      c.positional_paths = c.positional_paths || o.path;
      if (c.positional_choices.empty()) c.positional_choices = o.choices;
      continue;
    }
    c.options.push_back(std::move(o));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return visible(s); })) {
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    c.subcommands.push_back(describe(*sub, sub_path));
  }
  return c;
}

}  // namespace cforg::cli
