// fuzz/fuzz_support.cc: the parts of fuzz_support.h that need the parser.
#include "fuzz/fuzz_support.h"

#include <variant>

#include "grammar/diagnostic.h"
#include "grammar/parse.h"
#include "grammar/source.h"

namespace edict::fuzz {

bool includes_outside_paths(const std::string& text) {
  if (text.find("include") == std::string::npos) return false;
  SourceMap sources;
  const FileId id = sources.add("fuzz.edict", text);
  Diagnostics diags;
  const ast::File file = grammar::parse(sources, id, diags);
  for (const ast::Decl& d : file.decls) {
    const auto* inc = std::get_if<ast::IncludeDecl>(&d);
    if (inc != nullptr && inc->path.find('/') != std::string::npos) return true;
  }
  return false;
}

}  // namespace edict::fuzz
