// grammar/test_parse.h: *.edict-test text -> testfile::File, with diagnostics.
// Never throws; recovers at declaration boundaries like grammar/parse.h.
#pragma once

#include "grammar/diagnostic.h"
#include "grammar/source.h"
#include "grammar/test_ast.h"

namespace edict::grammar {

testfile::File parse_test_file(const SourceMap& sources, FileId id, Diagnostics& diags);

}  // namespace edict::grammar
