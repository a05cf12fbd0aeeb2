// grammar/parse_support.h: pieces shared by the policy parser (parse.cc) and the
// test-file parser (test_parse.cc): byte checks, string unescaping, recovery
// after a syntax error, and turning a PEGTL error into a Diagnostic.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "grammar/diagnostic.h"
#include "grammar/source.h"

namespace edict::grammar {

// Reports a file that is too large, contains NUL or is not valid UTF-8 (E0002,
// E0003, E0009). Returns false when the file must not be parsed.
bool check_bytes(const SourceMap& sources, FileId id, Diagnostics& diags);

// The text of a string literal, quotes removed and escapes resolved.
std::string unescape(std::string_view quoted);

// After a syntax error at `from`, the offset where parsing should resume: the next
// point (after `;`, `}` or a newline) whose next token is one of `starters` (or
// `NAME:` / `"label":`). Strings and comments are skipped so their contents
// cannot fool it.
size_t resync(std::string_view text, size_t from, std::span<const std::string_view> starters);

// A syntax error as a Diagnostic, placed where a reader looks for the mistake:
// unterminated strings and comments at their opener, a missing `;` just after
// the last token. `string_open`/`comment_open` are the latest openers seen.
Diagnostic& report_syntax_error(std::string message, uint32_t at, uint32_t last_token_end, uint32_t string_open,
                                uint32_t comment_open, FileId file, Diagnostics& diags);

}  // namespace edict::grammar
