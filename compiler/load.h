// compiler/load.h: reading policy files and following their `include`s.
//
// A policy is a root file plus every file it includes, transitively; each file is
// read and parsed once however often it is included. Files named together (on the
// command line, say) that include one another form one policy: a given file that
// another given file includes is not a root of its own. Include cycles and
// missing includes are diagnostics (E0104, E0105) at the `include` that causes
// them; a file that cannot be read at all is an I/O error, reported separately so
// tools can exit with their I/O status.
#pragma once

#include <string>
#include <vector>

#include "grammar/ast.h"
#include "grammar/diagnostic.h"
#include "grammar/source.h"

namespace edict::compiler {

struct LoadedFile {
  std::string canonical;       // for de-duplication
  ast::File ast;
  std::vector<FileId> includes;  // resolved targets of its `include`s, in order
  bool parsed_clean = false;     // no syntax or encoding errors: safe to check names
};

struct IoError {
  std::string path;
  std::string message;  // "cannot read `x`: No such file or directory"
};

// Reads a source file (policy or test file) of at most grammar::kMaxFileBytes.
// Never reads more than one byte past the limit, so a device (/dev/zero) or a file
// growing while it is read cannot exhaust memory. `error` says why on failure.
struct ReadResult {
  bool ok = false;
  std::string text;
  std::string error;
};
ReadResult read_source_file(const std::string& path);

struct Workspace {
  SourceMap sources;
  std::vector<LoadedFile> files;  // indexed by FileId
  std::vector<FileId> roots;      // one per policy, in the order given
  std::vector<IoError> io_errors;

  // The root and everything it includes, each file once, in reading order: a
  // file's includes before the file itself, the root last.
  std::vector<FileId> closure(FileId root) const;
  // Whether every file of the root's policy parsed without errors. Names and types
  // are checked only then: after a syntax error, a declaration is missing and every
  // use of it would be reported again as an unknown name.
  bool parsed_clean(FileId root) const;
};

// Reads and parses `paths` and their includes. Never throws.
Workspace load(const std::vector<std::string>& paths, Diagnostics& diags);

// Same, for text already in memory (tests, fuzzers, stdin). `name` is used in
// diagnostics; includes are resolved relative to the current directory.
Workspace load_text(std::string name, std::string text, Diagnostics& diags);

}  // namespace edict::compiler
