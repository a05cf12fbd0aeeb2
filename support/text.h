// support/text.h: source text shown on one line (matrix notes, lint
// fingerprints, the names of unlabelled test cases), UTF-8 cut short (rule
// texts in a table's debug section, those names), and names listed as
// alternatives in messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edict {

// `text` with each run of spaces, tabs and line breaks made one space, and none
// at either end.
inline std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// At most `max` bytes of `s`, cut at a character boundary (`s` is UTF-8).
inline std::string truncate_utf8(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// Names as alternatives, each quoted: "`a`", "`a` or `b`", "`a`, `b` or `c`".
inline std::string quoted_alternatives(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t k = 0; k < names.size(); ++k) {
    out += k == 0 ? "" : k + 1 == names.size() ? " or " : ", ";
    out += '`';
    out += names[k];
    out += '`';
  }
  return out;
}

}  // namespace edict
