// grammar/parse.h: source text -> ast::File, with diagnostics.
//
// The only entry point into the PEGTL grammar. It never throws: syntax errors,
// invalid UTF-8, NUL bytes, oversized files and over-deep nesting all become
// located diagnostics (codes E00xx). After a syntax error the parser skips to the
// next declaration and goes on, so one missing `;` does not hide later mistakes;
// declarations that failed to parse are left out of the returned tree.
#pragma once

#include "grammar/ast.h"
#include "grammar/diagnostic.h"
#include "grammar/source.h"

namespace edict::grammar {

// Largest file accepted: offsets are 32-bit, and no sane policy comes near this.
inline constexpr size_t kMaxFileBytes = 64u << 20;

// Parses file `id` of `sources`. Returns the declarations that parsed; any errors
// are in `diags` (check diags.has_errors() before trusting the tree to be whole).
ast::File parse(const SourceMap& sources, FileId id, Diagnostics& diags);

}  // namespace edict::grammar
