// lint/source_scan.h: a lexical scan of policy text for the rules that look at
// characters rather than the tree: comments (for suppressions), strings and
// identifiers (for confusables), and where each byte belongs.
//
// It mirrors the lexical structure of docs/language.md (`//` and `#` line
// comments, `/* */` block comments, `"..."` strings with backslash escapes) and is
// only run on files that parsed, so it never meets an unterminated comment or
// string; on one it stops at the end of the line or file.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace edict::lint {

struct Token {
  enum class Kind : uint8_t { kComment, kString, kIdentifier };
  Kind kind;
  uint32_t begin = 0;  // byte offsets into the text
  uint32_t end = 0;
};

std::vector<Token> scan_tokens(std::string_view text);

}  // namespace edict::lint
