// grammar/parse_support.cc: see parse_support.h.
#include "grammar/parse_support.h"

#include <span>

#include <fmt/format.h>

#include "grammar/errors.h"
#include "grammar/parse.h"

namespace edict::grammar {
namespace {

struct ByteProblem {
  size_t offset = std::string_view::npos;
  bool nul = false;
};

// The first byte that is NUL or not part of valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF are invalid too).
ByteProblem find_bad_byte(std::string_view t) {
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '\0') return {i, true};
    if (static_cast<unsigned char>(t[i]) < 0x80) {  // ASCII, most of any policy: one byte, valid
      ++i;
      continue;
    }
    const Utf8Char ch = decode_utf8(t, i);
    if (!ch.valid) return {i, false};
    i += ch.length;
  }
  return {};
}

bool is_word_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

bool starts_declaration(std::string_view rest, std::span<const std::string_view> starters) {
  if (!rest.empty() && rest[0] == '"') return true;  // a labelled test case
  size_t n = 0;
  while (n < rest.size() && is_word_byte(rest[n])) ++n;
  const std::string_view word = rest.substr(0, n);
  for (auto k : starters) {
    if (word == k) return true;
  }
  // `label: grant ...`
  size_t j = n;
  while (j < rest.size() && (rest[j] == ' ' || rest[j] == '\t')) ++j;
  return n > 0 && j < rest.size() && rest[j] == ':';
}

}  // namespace

bool check_bytes(const SourceMap& sources, FileId id, Diagnostics& diags) {
  const std::string_view text = sources.file(id).text();
  if (text.size() > kMaxFileBytes) {
    diags.error("E0009", {id, 0, 0}, fmt::format("file is too large ({} bytes)", text.size()))
        .help = fmt::format("policy files are limited to {} MiB", kMaxFileBytes >> 20);
    return false;
  }
  const ByteProblem bad = find_bad_byte(text);
  if (bad.offset == std::string_view::npos) return true;
  const auto at = static_cast<uint32_t>(bad.offset);
  if (bad.nul) {
    diags.error("E0003", {id, at, at + 1}, "file contains a NUL byte")
        .help = "policy files are UTF-8 text; is this a binary file?";
  } else {
    diags.error("E0002", {id, at, at + 1},
                fmt::format("invalid UTF-8 (byte 0x{:02X})", static_cast<unsigned char>(text[at])))
        .help = "policy files must be UTF-8 text";
  }
  return false;
}

std::string unescape(std::string_view quoted) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\' && i + 2 < quoted.size()) {
      c = quoted[++i];
      c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    out.push_back(c);
  }
  return out;
}

size_t resync(std::string_view t, size_t from, std::span<const std::string_view> starters) {
  size_t i = from;
  bool candidate = false;
  auto next_token = [&](size_t p) {
    while (p < t.size()) {
      if (t[p] == ' ' || t[p] == '\t' || t[p] == '\r' || t[p] == '\n') { ++p; continue; }
      if (t.substr(p, 2) == "//" || t[p] == '#') {
        while (p < t.size() && t[p] != '\n') ++p;
        continue;
      }
      if (t.substr(p, 2) == "/*") {
        const size_t close = t.find("*/", p + 2);
        p = close == std::string_view::npos ? t.size() : close + 2;
        continue;
      }
      break;
    }
    return p;
  };
  while (i < t.size()) {
    if (candidate) {
      const size_t p = next_token(i);
      if (p >= t.size() || starts_declaration(t.substr(p), starters)) return p;
      candidate = false;
    }
    const char c = t[i];
    if (c == '"') {
      ++i;
      while (i < t.size() && t[i] != '"' && t[i] != '\n') i += t[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    }
    if (t.substr(i, 2) == "//" || c == '#') {
      while (i < t.size() && t[i] != '\n') ++i;
      continue;
    }
    if (t.substr(i, 2) == "/*") {
      const size_t close = t.find("*/", i + 2);
      i = close == std::string_view::npos ? t.size() : close + 2;
      continue;
    }
    ++i;
    candidate = c == ';' || c == '}' || c == '\n';
  }
  return t.size();
}

Diagnostic& report_syntax_error(std::string message, uint32_t at, uint32_t last_token_end, uint32_t string_open,
                                uint32_t comment_open, FileId file, Diagnostics& diags) {
  Span span{file, at, at + 1};
  std::string_view code = "E0001";
  if (message == error_message<string_body> || message == error_message<escape_code>) code = "E0004";
  if (message == error_message<comment_close>) code = "E0005";
  if (message == error_message<string_body>) {
    span = {file, string_open, string_open + 1};
  } else if (message == error_message<comment_close>) {
    span = {file, comment_open, comment_open + 2};
  } else if (message.starts_with("expected `;`")) {
    // Point just after the last token, where the `;` belongs, as compilers do.
    if (last_token_end > 0 && last_token_end <= at) span = {file, last_token_end, last_token_end};
  }
  return diags.error(code, span, std::move(message));
}

}  // namespace edict::grammar
