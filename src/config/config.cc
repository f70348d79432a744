// load(), load_text() and the small methods of the config types.
#include "cforg/config/config.h"

#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion
#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <exception>
#include <unordered_map>
#include <unordered_set>

#include "diagnostics.h"
#include "document.h"
#include "sources.h"
#include "text.h"
#include "validate.h"
#include "yaml_reader.h"
#include "yaml_tree.h"

namespace cforg::config {

std::string Location::str() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::str() const {
  const std::string at = where.str();
  return at.empty() ? message : at + ": " + message;
}

const DesiredOrg* Config::find(std::string_view key) const {
  auto it = index.find(std::string(key));
  return it == index.end() ? nullptr : &orgs[it->second];
}

namespace {

// Gathers organizations and diagnostics file by file, then checks across files.
class Loader {
 public:
  explicit Loader(const Limits& limits) : limits_(limits), errors_(limits.max_errors_kept) {}

  void add_text(std::string_view text, const std::string& file) {
    files_.push_back(file);
    // yaml-cpp would skip a UTF-8 byte order mark too, but its marks would then no longer
    // be offsets into `text`.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (std::optional<Diagnostic> bad = detail::check_text(text, file)) {
      errors_.push_back(std::move(*bad));
      complete_ = false;
      return;
    }
    detail::Reader reader(file, text, errors_, budget_);
    detail::ParsedStream parsed;
    try {
      parsed = detail::parse_yaml(text, limits_);
    } catch (const detail::ParseRefused& e) {
      reader.error(reader.at(e.mark), e.what());
      complete_ = false;
      return;
    } catch (const YAML::DeepRecursion& e) {
      reader.error(reader.at(e.mark), "the YAML is nested too deeply to be a config");
      complete_ = false;
      return;
    } catch (const YAML::Exception& e) {
      reader.error(reader.at(e.mark), "invalid YAML: " + e.msg);
      complete_ = false;
      return;
    }
    if (parsed.documents > 1) {
      reader.error(reader.at(parsed.second),
                   "a second YAML document starts here; a config file holds one document: "
                   "remove the `---` or move the rest to another file");
    }
    // A stream of nothing but comments has a null root, which read_document reports.
    if (!detail::read_document(parsed.first.root(), reader, orgs_, limits_)) complete_ = false;
  }

  void note_path(const std::string& path) { files_.push_back(path); }
  void note_unread(const std::string& path) {
    files_.push_back(path);
    complete_ = false;
  }

  LoadResult finish() {
    LoadResult result;
    detail::validate(std::move(orgs_), complete_, result.config, errors_);
    std::vector<Diagnostic>& errors = errors_.kept();
    // In file order, then by position: each file's own problems come out in document order
    // already, but cross-file ones are found last.
    std::unordered_map<std::string, std::size_t> rank;
    for (const std::string& f : files_) rank.try_emplace(f, rank.size() + 1);
    auto rank_of = [&](const std::string& file) {
      auto it = rank.find(file);
      return it == rank.end() ? 0 : it->second;  // not about a file: first
    };
    std::stable_sort(errors.begin(), errors.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const std::size_t ra = rank_of(a.where.file), rb = rank_of(b.where.file);
      if (ra != rb) return ra < rb;
      if (a.where.line != b.where.line) return a.where.line < b.where.line;
      return a.where.column < b.where.column;
    });
    result.errors = std::move(errors);
    result.more_errors = errors_.dropped();
    return result;
  }

  detail::Diagnostics& errors() { return errors_; }
  const Limits& limits() const { return limits_; }
  // The bytes of config read so far, for the limit on all files together.
  std::size_t& bytes_read() { return bytes_read_; }

 private:
  const Limits& limits_;
  std::vector<detail::ParsedOrg> orgs_;
  detail::Diagnostics errors_;
  std::vector<std::string> files_;  // every path or file mentioned, for ordering diagnostics
  bool complete_ = true;            // every file was read and its organizations list found
  std::size_t bytes_read_ = 0;
  // The text that reading values may copy out of the files, aliases expanded: without
  // aliases it never exceeds the files' own size.
  detail::TextBudget budget_{limits_.max_bytes};
};

// Bad input must come back as diagnostics; an exception here is a bug or out-of-memory, and
// is still better reported than thrown at a caller that expects diagnostics.
template <typename F>
LoadResult guarded(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    LoadResult result;
    result.errors.push_back(
        {{}, std::string("internal error while loading the config: ") + e.what()});
    return result;
  }
}

}  // namespace

LoadResult load(const std::vector<std::string>& paths, const Limits& limits) {
  return guarded([&] {
    Loader loader(limits);
    std::vector<std::string> read;
    std::unordered_set<std::string> seen;
    if (paths.empty()) loader.errors().push_back({{}, "no config file or directory given"});
    for (const std::string& path : paths) {
      loader.note_path(path);  // problems with the path itself rank here
      for (const std::string& file :
           detail::expand_path(path, seen, limits.max_files_per_folder, loader.errors())) {
        if (std::optional<std::string> text =
                detail::read_file(file, limits.max_bytes, loader.bytes_read(), loader.errors())) {
          loader.add_text(*text, file);
          read.push_back(file);
        } else {
          loader.note_unread(file);
        }
      }
    }
    LoadResult result = loader.finish();
    result.config.files = std::move(read);
    return result;
  });
}

LoadResult load_text(std::string_view yaml, const std::string& file, const Limits& limits) {
  return guarded([&] {
    Loader loader(limits);
    if (yaml.size() > limits.max_bytes) {
      loader.errors().push_back(
          {{file, 0, 0}, detail::too_large_message(yaml.size(), limits.max_bytes)});
      LoadResult result = loader.finish();
      result.config.files = {file};
      return result;
    }
    loader.add_text(yaml, file);
    LoadResult result = loader.finish();
    result.config.files = {file};
    return result;
  });
}

std::string error_report(const LoadResult& result, std::size_t shown) {
  std::string out;
  std::size_t i = 0;
  for (; i < result.errors.size() && i < shown; ++i) out += result.errors[i].str() + "\n";
  const std::size_t total = result.error_count();
  if (total > i) {
    out += "… and " + std::to_string(total - i) + " more error" + (total - i == 1 ? "" : "s") +
           " (fix these first, then run cforg validate again)\n";
  }
  out += "Error: the config has " + std::to_string(total) + " error" + (total == 1 ? "" : "s") +
         "; nothing was done.\n";
  return out;
}

}  // namespace cforg::config
