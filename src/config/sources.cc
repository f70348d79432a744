#include "sources.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace cforg::config::detail {

namespace fs = std::filesystem;

namespace {

bool is_yaml_name(const std::string& name) {
  return !name.starts_with(".") && (name.ends_with(".yaml") || name.ends_with(".yml"));
}

// The files of one directory, sorted; reports problems.
std::vector<std::string> list_directory(const std::string& dir, std::vector<Diagnostic>& out) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_yaml_name(it->path().filename().string())) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;  // not recursive
    files.push_back(it->path().string());
  }
  if (ec) {
    out.push_back({{dir, 0, 0}, "cannot list the directory: " + ec.message()});
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
                                     std::vector<Diagnostic>& out) {
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
    for (const std::string& file : list_directory(path, out)) add(file);
  } else {
    add(path);
  }
  return files;
}

std::optional<std::string> read_file(const std::string& path, std::vector<Diagnostic>& out) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    out.push_back({{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
  std::string text;
  char buf[1 << 16];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f.get())) text.append(buf, n);
  if (std::ferror(f.get())) {
    out.push_back({{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
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
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > text.size()) return fail("invalid UTF-8");
    char32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return fail("invalid UTF-8");
      cp = (cp << 6) | (cc & 0x3F);
    }
    constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return fail("invalid UTF-8");
    }
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
