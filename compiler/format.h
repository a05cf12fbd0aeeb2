// compiler/format.h: `edict fmt`: the canonical layout of an Edict source file.
//
// format() is a pure function of one file's text and its syntax tree: no I/O, no
// name resolution, so each file of a policy is formatted on its own and the
// result never depends on what it includes. The layout is described in
// docs/formatting.md. Guarantees, each held by tests/fmt_test.cc:
//   - every comment of the input appears in the output exactly once (its text
//     kept, trailing blanks of line comments dropped);
//   - formatting is idempotent: format(format(x)) == format(x);
//   - the output parses to the same tree as the input after canonicalize(), and
//     compiles to the same decision table apart from source locations;
//   - only lists whose order means nothing to the compiled table are sorted
//     (rule targets, `extends`, catalog holders, `actions` clauses, obligations):
//     declarations, enum values, category members and rules keep their order,
//     since those orders define ids, `<` on enums and the deciding rule.
// Thread-safe: no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.h"
#include "grammar/diagnostic.h"

namespace edict::compiler {

// Output lines aim to stay within this many columns (code points). A single
// name or comment longer than that is never split.
inline constexpr int kFormatWidth = 100;

// Formats `file`, the tree parsed without errors from `text`. The result ends in
// exactly one newline (or is empty for a file with neither code nor comments).
std::string format(std::string_view text, const ast::File& file);

// Parses `text` and formats it; nullopt when it does not parse (the diagnostics
// go to `diags` when given). The entry point for fuzzers and editors.
std::optional<std::string> format_source(std::string_view text, Diagnostics* diags = nullptr);

// A condition on one line in canonical form (spacing, parentheses as written);
// `text` is the source the expression was parsed from (string and integer
// literals are printed as written). Used by `edict diff` to compare conditions.
std::string format_condition(std::string_view text, const ast::Expr& expr);

// Sorts, in place, the lists the formatter sorts: the tree format() prints.
void canonicalize(ast::File& file);

// Proves that `formatted` is a faithful layout of `original`: both parse, their
// trees are equal after canonicalize(), and they hold the same comments (as a
// multiset of texts). Returns what differs, or nullopt. `edict fmt` runs it
// before writing anything, as Cedar's formatter re-parses its own output.
std::optional<std::string> verify_format(std::string_view original, std::string_view formatted);

// One comment of a source file: its exact text (a line comment without its line
// terminator or trailing blanks) and byte range.
struct SourceComment {
  std::string text;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool own_line = false;  // nothing but blanks and comments before it on its line
};

// The comments of `text`, in order. `text` must be a file that lexes (strings and
// block comments closed), as every file that parses does.
std::vector<SourceComment> scan_comments(std::string_view text);

}  // namespace edict::compiler
