#include "sources.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "text.h"

namespace cforg::config::detail {

namespace fs = std::filesystem;

namespace {

bool is_yaml_name(const std::string& name) {
  return !name.starts_with(".") && (name.ends_with(".yaml") || name.ends_with(".yml"));
}

std::string mib(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
  return buf;
}

// The files of one directory, sorted; reports problems.
std::vector<std::string> list_directory(const std::string& dir, std::size_t max_files,
                                        Diagnostics& out) {
  std::vector<std::string> files;
  std::size_t found = 0;  // counted past max_files, to say how many there are
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_yaml_name(it->path().filename().string())) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;  // not recursive
    if (++found <= max_files) files.push_back(it->path().string());
  }
  if (ec) {
    out.push_back({{dir, 0, 0}, "cannot list the directory: " + ec.message()});
    return {};
  }
  if (found > max_files) {
    out.push_back({{dir, 0, 0},
                   "the folder holds " + std::to_string(found) +
                       " YAML files, more than cforg's limit of " + std::to_string(max_files) +
                       " per folder; none of them was read. Put several "
                       "organizations in each file"});
    return {};
  }
  if (files.empty()) {
    out.push_back({{dir, 0, 0}, "no *.yaml or *.yml files in this directory"});
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> expand_path(const std::string& path, std::unordered_set<std::string>& seen,
                                     std::size_t max_files, Diagnostics& out) {
  std::vector<std::string> files;
  auto add = [&](const std::string& file) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(file, ec);
    if (seen.insert(ec ? file : canonical.string()).second) files.push_back(file);
  };
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    out.push_back({{path, 0, 0}, "cannot read: no such file or directory"});
  } else if (ec) {
    out.push_back({{path, 0, 0}, "cannot read: " + ec.message()});
  } else if (fs::is_directory(status)) {
    for (const std::string& file : list_directory(path, max_files, out)) add(file);
  } else {
    add(path);
  }
  return files;
}

std::string too_large_message(std::size_t size, std::size_t max_bytes, std::size_t before,
                              bool at_least) {
  std::string message = "is " + std::string(at_least ? "at least " : "") + mib(size);
  if (at_least) message += " (reading stopped there)";
  if (before > 0) message += ", and the files before it take " + mib(before);
  return message + ": more than cforg's limit for a config, " + mib(max_bytes) +
         " in all files together (100,000 organizations with profiles take about 20 MiB); is "
         "this a config?";
}

std::optional<std::string> read_file(const std::string& path, std::size_t max_bytes,
                                     std::size_t& bytes_read, Diagnostics& out) {
  const std::size_t left = bytes_read < max_bytes ? max_bytes - bytes_read : 0;
  auto too_large = [&](std::size_t size, bool at_least) {
    out.push_back({{path, 0, 0}, too_large_message(size, max_bytes, bytes_read, at_least)});
    bytes_read = max_bytes;  // the files after it are not read either
    return std::nullopt;
  };
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > left) return too_large(std::size_t(size), false);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    out.push_back({{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
  std::string text;
  char buf[1 << 16];
  // One byte past the limit is enough to know; a device would otherwise be read for ever.
  while (std::size_t n =
             std::fread(buf, 1, std::min(sizeof buf, left + 1 - text.size()), f.get())) {
    text.append(buf, n);
    if (text.size() > left) return too_large(left, true);
  }
  if (std::ferror(f.get())) {
    out.push_back({{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
  bytes_read += text.size();
  return text;
}

std::optional<Diagnostic> check_text(std::string_view text, const std::string& file) {
  int line = 1, column = 1;
  auto fail = [&](std::string message) {
    return Diagnostic{{file, line, column}, std::move(message) + "; is this a text file?"};
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", c);
        return fail(std::string("control character ") + hex + " is not allowed in YAML");
      }
      if (c == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: lead byte, then continuation bytes, shortest form, no surrogates.
    char32_t cp = 0;
    const std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) return fail("invalid UTF-8");
    if (cp >= 0x80 && cp <= 0x9F && cp != 0x85) {
      return fail("control character U+00" + std::string(1, "0123456789ABCDEF"[cp >> 4]) +
                  "0123456789ABCDEF"[cp & 0xF] + " is not allowed in YAML");
    }
    i += len;
    ++column;
  }
  return std::nullopt;
}

}  // namespace cforg::config::detail
