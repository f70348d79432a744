#include "cli_reference.h"

#include <cctype>
#include <sstream>
#include <stdexcept>

#include "cforg/model/ascii.h"

namespace cforg::cli {
namespace {

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

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

// The first sentence or clause of a description: what fits on a completion menu's line.
std::string summary(const std::string& description) {
  std::string line = description.substr(0, description.find('\n'));
  for (const char* stop : {". ", "; "}) {
    if (auto at = line.find(stop); at != std::string::npos && at > 0) line = line.substr(0, at);
  }
  // A long clause loses its parenthesis first.
  if (auto at = line.find(" ("); line.size() > 70 && at != std::string::npos && at > 0) {
    line = line.substr(0, at);
  }
  return line;
}

// Ends with a full stop, so that a default can follow it.
std::string sentence(std::string text) {
  if (!text.empty() && std::string(".!?").find(text.back()) == std::string::npos) text += '.';
  return text;
}

// Inside '...' in a shell script.
std::string single_quoted(const std::string& text) {
  return "'" + replace_all(text, "'", "'\\''") + "'";
}

// ---- bash: tables keyed by the command path ("cforg state list"), read by one function.

std::string bash_script(const CommandInfo& root) {
  std::ostringstream subs, opts, valued, choices, paths, positional_paths;
  for (const CommandInfo* c : all_commands(root)) {
    std::string key = command_line(*c);
    if (!c->subcommands.empty()) {
      subs << "  [" << single_quoted(key) << "]=" << single_quoted(join(subcommand_names(*c), " "))
           << "\n";
    }
    std::vector<std::string> names, with_value;
    for (const auto& o : c->options) {
      names.insert(names.end(), o.names.begin(), o.names.end());
      if (!o.takes_value) continue;
      with_value.insert(with_value.end(), o.names.begin(), o.names.end());
      for (const auto& n : o.names) {
        if (!o.choices.empty()) {
          choices << "  [" << single_quoted(key + " " + n)
                  << "]=" << single_quoted(join(o.choices, " ")) << "\n";
        } else if (o.path) {
          paths << "  [" << single_quoted(key + " " + n) << "]=" << (o.dir ? "d" : "f") << "\n";
        }
      }
    }
    opts << "  [" << single_quoted(key) << "]=" << single_quoted(join(names, " ")) << "\n";
    if (!with_value.empty()) {
      valued << "  [" << single_quoted(key) << "]=" << single_quoted(join(with_value, " ")) << "\n";
    }
    if (c->positional_paths) positional_paths << "  [" << single_quoted(key) << "]=1\n";
    if (!c->positional_choices.empty()) {
      subs << "  [" << single_quoted(key) << "]=" << single_quoted(join(c->positional_choices, " "))
           << "\n";
    }
  }
  std::ostringstream out;
  out << R"(# bash completion for cforg. Generated by `cforg completion bash` from cforg's own
# command tree, so it knows every command and flag of the cforg that printed it.
#   source <(cforg completion bash)        # or install it as
#   cforg completion bash > ~/.local/share/bash-completion/completions/cforg

# Subcommands (or the words a positional takes), options, options that take a value, their choices and which values are paths
# (f: files, d: folders), by command path.
declare -gA _cforg_subcommands=(
)" << subs.str()
      << ")\ndeclare -gA _cforg_options=(\n"
      << opts.str() << ")\ndeclare -gA _cforg_valued=(\n"
      << valued.str() << ")\ndeclare -gA _cforg_choices=(\n"
      << choices.str() << ")\ndeclare -gA _cforg_paths=(\n"
      << paths.str() << ")\ndeclare -gA _cforg_positional_paths=(\n"
      << positional_paths.str() << R"()

_cforg() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local path=cforg word i skip=0
  # Find the command path; skip option values ("--state FILE", and "--state=FILE", which bash
  # splits into three words at the '=').
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == "=" ]]; then skip=1; continue; fi
    if ((skip)); then skip=0; continue; fi
    if [[ $word == -* ]]; then
      [[ $word != *=* && " ${_cforg_valued[$path]-} " == *" $word "* ]] && skip=1
      continue
    fi
    [[ " ${_cforg_subcommands[$path]-} " == *" $word "* ]] && path="$path $word"
  done

  local opt=""
  if [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
    opt=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    opt=${cur%%=*} cur=${cur#*=}
  elif [[ $prev == -* && " ${_cforg_valued[$path]-} " == *" $prev "* ]]; then
    opt=$prev
  fi
  if [[ -n $opt ]]; then
    if [[ -n ${_cforg_choices["$path $opt"]+set} ]]; then
      mapfile -t COMPREPLY < <(compgen -W "${_cforg_choices["$path $opt"]}" -- "$cur")
    elif [[ ${_cforg_paths["$path $opt"]-} == d ]]; then
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    elif [[ ${_cforg_paths["$path $opt"]-} == f ]]; then
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    else
      COMPREPLY=()  # a key, a number: nothing to offer
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${_cforg_options[$path]-}" -- "$cur")
  elif [[ -n ${_cforg_subcommands[$path]-} ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${_cforg_subcommands[$path]}" -- "$cur")
  elif [[ -n ${_cforg_positional_paths[$path]-} ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  else
    COMPREPLY=()
  fi
  return 0
}
complete -F _cforg cforg
)";
  return out.str();
}

// ---- zsh: one _arguments function per command.

std::string zsh_function_name(const CommandInfo& c) {
  std::string name = "_cforg";
  for (const auto& p : c.path) {
    name += "_";
    for (char ch : p) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return name;
}

// The text of an _arguments spec's [description] (colon = false) or :message: part.
std::string zsh_spec_text(const std::string& text, bool colon = true) {
  std::string out;
  for (char ch : text) {
    if (ch == '[' || ch == ']' || ch == '\\' || (colon && ch == ':')) out += '\\';
    out += ch;
  }
  return out;
}

std::string zsh_option_specs(const CommandInfo& c) {
  std::ostringstream out;
  for (const auto& o : c.options) {
    bool repeatable = o.description.find("repeatable") != std::string::npos;
    std::string action;
    if (o.takes_value) {
      std::string message = zsh_spec_text(o.value_name.empty() ? "value" : o.value_name);
      if (!o.choices.empty()) {
        action = ":" + message + ":(" + join(o.choices, " ") + ")";
      } else if (o.dir) {
        action = ":" + message + ":_directories";
      } else if (o.path) {
        action = ":" + message + ":_files";
      } else {
        action = ":" + message + ": ";
      }
    }
    std::string exclusive = o.names.size() > 1 && !repeatable ? "(" + join(o.names, " ") + ")" : "";
    for (const auto& n : o.names) {
      // --state=: the value after '=' or in the next word; -c+: attached or the next word.
      std::string form = n;
      if (o.takes_value) form += n.rfind("--", 0) == 0 ? "=" : "+";
      out << "    "
          << single_quoted((repeatable ? "*" : exclusive) + form + "[" +
                           zsh_spec_text(summary(o.description), false) + "]" + action)
          << " \\\n";
    }
  }
  return out.str();
}

std::string zsh_script(const CommandInfo& root) {
  std::ostringstream out;
  out << R"(#compdef cforg
# zsh completion for cforg. Generated by `cforg completion zsh` from cforg's own command tree,
# so it knows every command and flag of the cforg that printed it. Install it as _cforg in a
# folder of $fpath (e.g. cforg completion zsh > ~/.zfunc/_cforg, with fpath+=~/.zfunc before
# compinit), or load it now: source <(cforg completion zsh)
)";
  for (const CommandInfo* c : all_commands(root)) {
    out << "\n" << zsh_function_name(*c) << "() {\n";
    if (c->subcommands.empty()) {
      out << "  _arguments -s -S \\\n" << zsh_option_specs(*c);
      for (std::size_t i = 0; i < c->positionals.size(); ++i) {
        std::string message = zsh_spec_text(c->positionals[i]);
        out << "    "
            << single_quoted(std::to_string(i + 1) + ":" + message + ":" +
                             (!c->positional_choices.empty()
                                  ? "(" + join(c->positional_choices, " ") + ")"
                              : c->positional_paths ? "_files"
                                                    : " "))
            << " \\\n";
      }
      out << "    && return 0\n  return 1\n}\n";
      continue;
    }
    out << "  local curcontext=\"$curcontext\" state line ret=1\n"
        << "  typeset -A opt_args\n"
        << "  _arguments -C -s -S \\\n"
        << zsh_option_specs(*c) << "    '1: :->command' \\\n"
        << "    '*:: :->argument' && ret=0\n"
        << "  case $state in\n"
        << "    command)\n"
        << "      local -a commands=(\n";
    for (const auto& s : c->subcommands) {
      out << "        "
          << single_quoted(zsh_spec_text(s.path.back()) + ":" + summary(s.description)) << "\n";
    }
    out << "      )\n"
        << "      _describe -t commands " << single_quoted(command_line(*c) + " command")
        << " commands && ret=0\n"
        << "      ;;\n"
        << "    argument)\n"
        << "      curcontext=\"${curcontext%:*:*}:" << zsh_function_name(*c).substr(1)
        << "-$line[1]:\"\n"
        << "      case $line[1] in\n";
    for (const auto& s : c->subcommands) {
      out << "        " << single_quoted(s.path.back()) << ") " << zsh_function_name(s)
          << " && ret=0 ;;\n";
    }
    out << "      esac\n"
        << "      ;;\n"
        << "  esac\n"
        << "  return ret\n}\n";
  }
  // Autoloaded from $fpath the file is _cforg's body: run it; sourced: register it.
  out << R"(
if [[ ${zsh_eval_context[-1]-} == loadautofunc ]]; then
  _cforg "$@"
else
  compdef _cforg cforg
fi
)";
  return out.str();
}

// ---- fish: complete lines conditioned on the command path, which __cforg_path computes.

std::string fish_script(const CommandInfo& root) {
  std::ostringstream subs, valued, lines;
  for (const CommandInfo* c : all_commands(root)) {
    std::string key = join(c->path, " ");
    std::vector<std::string> with_value;
    for (const auto& o : c->options) {
      if (o.takes_value) with_value.insert(with_value.end(), o.names.begin(), o.names.end());
    }
    if (!c->subcommands.empty()) {
      subs << "        case " << single_quoted(key) << "\n            printf '%s\\n' "
           << join(subcommand_names(*c), " ") << "\n";
    }
    if (!with_value.empty()) {
      valued << "        case " << single_quoted(key) << "\n            printf '%s\\n' -- "
             << join(with_value, " ") << "\n";
    }
    std::string cond = "-n " + single_quoted("__cforg_at " + single_quoted(key));
    for (const auto& s : c->subcommands) {
      lines << "complete -c cforg " << cond << " -a " << single_quoted(s.path.back()) << " -d "
            << single_quoted(summary(s.description)) << "\n";
    }
    for (const auto& o : c->options) {
      lines << "complete -c cforg " << cond;
      for (const auto& n : o.names) {
        lines << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
      }
      if (o.takes_value) {
        if (!o.choices.empty()) {
          lines << " -x -a " << single_quoted(join(o.choices, " "));
        } else if (o.dir) {
          lines << " -x -a '(__fish_complete_directories)'";
        } else if (o.path) {
          lines << " -r -F";
        } else {
          lines << " -x";
        }
      }
      lines << " -d " << single_quoted(summary(o.description)) << "\n";
    }
    if (c->positional_paths) lines << "complete -c cforg " << cond << " -F\n";
    if (!c->positional_choices.empty()) {
      lines << "complete -c cforg " << cond << " -a "
            << single_quoted(join(c->positional_choices, " ")) << "\n";
    }
  }
  std::ostringstream out;
  out << R"(# fish completion for cforg. Generated by `cforg completion fish` from cforg's own
# command tree, so it knows every command and flag of the cforg that printed it.
#   cforg completion fish > ~/.config/fish/completions/cforg.fish

function __cforg_subcommands
    switch $argv[1]
)" << subs.str()
      << R"(    end
end

function __cforg_valued
    switch $argv[1]
)" << valued.str()
      << R"(    end
end

# The command path of the line being completed ("state list"), option values skipped.
function __cforg_path
    set -l path ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $word
            if not string match -q -- '*=*' $word; and contains -- $word (__cforg_valued "$path")
                set skip 1
            end
            continue
        end
        if contains -- $word (__cforg_subcommands "$path")
            set path (string trim -- "$path $word")
        end
    end
    echo $path
end

function __cforg_at
    set -l path (__cforg_path)
    test "$path" = "$argv[1]"
end

complete -c cforg -f
)" << lines.str();
  return out.str();
}

// ---- man(7)

std::string roff(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\e";
    } else if (ch == '-') {
      out += "\\-";
    } else {
      out += ch;
    }
  }
  // A line starting with '.' or '\'' would be read as a request.
  std::string safe;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) line = "\\&" + line;
    safe += (safe.empty() ? "" : "\n") + line;
  }
  return safe;
}

}  // namespace

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

std::string completion_script(CLI::App& app, const std::string& shell) {
  CommandInfo root = describe(app);
  if (shell == "bash") return bash_script(root);
  if (shell == "zsh") return zsh_script(root);
  if (shell == "fish") return fish_script(root);
  throw std::invalid_argument("no completion for the shell '" + shell + "'");
}

namespace {

// Each command's own --help, as CLI11 prints it. App::help() would describe the command that
// was parsed instead (the one generating this), so the formatter is called directly.
void help_sections(CLI::App& app, const std::string& line, std::ostringstream& out) {
  out << "\n## " << line << "\n\n```text\n"
      << app.get_formatter()->make_help(&app, line, CLI::AppFormatMode::Normal) << "```\n";
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return visible(s); })) {
    help_sections(*sub, line + " " + sub->get_name(), out);
  }
}

std::string anchor(const std::string& title) {
  std::string out;
  for (char ch : title) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') {
      out += ascii_lower(ch);
    } else if (ch == ' ') {
      out += '-';
    }
  }
  return out;
}

}  // namespace

std::string markdown_reference(CLI::App& app) {
  std::ostringstream out;
  out << "# cforg command-line reference\n\n"
      << "Every command's `--help`, generated from the binary (`cforg reference --format "
         "markdown`, a hidden command). A test (`tests/e2e/cli_reference_test.cc`) fails when "
         "this page differs from what `cforg` prints; after changing a command or a flag, "
         "regenerate it with\n"
         "`CFORG_UPDATE_GOLDEN=1 ctest --test-dir build -R CliReference`. The user guide is "
         "[GUIDE.md](GUIDE.md).\n\n";
  CommandInfo root = describe(app);
  for (const CommandInfo* c : all_commands(root)) {
    std::string line = command_line(*c);
    out << std::string(2 * (c->path.empty() ? 0 : c->path.size() - 1), ' ') << "- [`" << line
        << "`](#" << anchor(line) << ")"
        << (c->path.empty() ? "" : ": " + c->description.substr(0, c->description.find('\n')))
        << "\n";
  }
  help_sections(app, "cforg", out);
  return out.str();
}

std::string man_page(CLI::App& app, const std::string& version) {
  CommandInfo root = describe(app);
  std::ostringstream out;
  out << ".\\\" Generated by `cforg reference --format man` from cforg's command tree.\n"
      << ".TH CFORG 1 \"\" \"cforg " << roff(version) << "\" \"User Commands\"\n"
      << ".SH NAME\ncforg \\- Cloudflare organizations as code\n"
      << ".SH SYNOPSIS\n.B cforg\n.I COMMAND\n[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(root.description) << "\n"
      << ".PP\nEvery command has \\fB\\-\\-help\\fR; \\fBcforg \\-\\-help\\-all\\fR shows them "
         "all.\n"
      << ".SH COMMANDS\n";
  for (const CommandInfo* c : all_commands(root)) {
    out << ".SS \"" << roff(command_line(*c));
    for (const auto& p : c->positionals) out << " " << roff(p);
    out << "\"\n";
    if (!c->path.empty()) out << roff(sentence(c->description)) << "\n";
    for (const auto& o : c->options) {
      // Every command has --help and --help-all (said once, above).
      if (!c->path.empty() && o.names.back().rfind("--help", 0) == 0) continue;
      out << ".TP\n";
      std::vector<std::string> names;
      for (const auto& n : o.names) names.push_back("\\fB" + roff(n) + "\\fR");
      out << join(names, ", ");
      if (!o.choices.empty()) {
        out << " " << roff(join(o.choices, "|"));
      } else if (!o.value_name.empty()) {
        out << " \\fI" << roff(o.value_name) << "\\fR";
      }
      out << "\n" << roff(sentence(o.description));
      if (!o.default_value.empty()) out << " Default: " << roff(o.default_value) << ".";
      out << "\n";
    }
  }
  out << R"(.SH ENVIRONMENT
.TP
\fBCLOUDFLARE_EMAIL\fR, \fBCLOUDFLARE_API_KEY\fR
The global API key, which every change to organizations needs.
.TP
\fBCLOUDFLARE_API_TOKEN\fR
An API token (the API takes it only for listing organizations).
.TP
\fBCLOUDFLARE_BASE_URL\fR
The API's base URL; default https://api.cloudflare.com/client/v4.
.TP
\fBCFORG_LOG\fR, \fBNO_COLOR\fR
The log level when \fB\-\-log\-level\fR is not given; no colors.
.SH EXIT STATUS
0 on success (with \fBplan \-\-detailed\-exitcode\fR: no changes), 1 on an error, 2 with
\fBplan \-\-detailed\-exitcode\fR when changes are pending.
.SH SEE ALSO
\fBcforg\-emulator\fR(1); the user guide, docs/GUIDE.md, and docs/CLI.md in the source.
)";
  return out.str();
}

}  // namespace cforg::cli
