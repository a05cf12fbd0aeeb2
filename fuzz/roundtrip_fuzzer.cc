// fuzz/roundtrip_fuzzer.cc: round trips and determinism over policy text.
//
// `edict fmt` (compiler/format.h): for text that parses, the formatted text
// passes verify_format() against the original (same tree after
// canonicalize(), same comments) and formatting is idempotent:
// format(format(x)) == format(x).
// Parsing is deterministic (the same AST dump twice). For text that checks:
// lowering twice gives the same bytes (compiler/lower.h promises determinism),
// the table loads with and without debug information, and the loaded table's
// bytes are the written ones (write -> load -> bytes is the identity).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/check.h"
#include "compiler/format.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "fuzz/fuzz_support.h"
#include "grammar/ast.h"
#include "grammar/diagnostic.h"
#include "grammar/parse.h"
#include "runtime/table.h"

namespace {

std::string parse_dump(const std::string& text) {
  using namespace edict;
  SourceMap sources;
  Diagnostics diags;
  const FileId id = sources.add("fuzz.edict", text);
  return ast::dump(grammar::parse(sources, id, diags));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edict::fuzz::private_directory();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > fuzz::kMaxInput) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (fuzz::includes_outside_paths(text)) return -1;
  if (parse_dump(text) != parse_dump(text)) fuzz::fail("parsing the same text twice gives different trees");
  if (const auto formatted = compiler::format_source(text)) {
    if (auto diff = compiler::verify_format(text, *formatted)) fuzz::fail("fmt changed the policy: " + *diff);
    const auto again = compiler::format_source(*formatted);
    if (!again) fuzz::fail("fmt's output does not parse");
    if (*again != *formatted) fuzz::fail("fmt is not idempotent:\n" + *formatted + "\n---- then ----\n" + *again);
  }

  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text("fuzz.edict", text, diags);
  if (ws.roots.empty()) return 0;
  auto policy = compiler::check(ws, ws.roots[0], diags);
  if (!policy) return 0;
  compiler::LowerOptions with_debug;
  with_debug.debug_info = true;
  auto first = compiler::lower(ws, ws.roots[0], *policy, with_debug, diags);
  auto second = compiler::lower(ws, ws.roots[0], *policy, with_debug, diags);
  if (first.has_value() != second.has_value()) fuzz::fail("lowering the same policy twice: one fails");
  if (!first) return 0;
  if (*first != *second) fuzz::fail("lowering the same policy twice gives different bytes");
  auto loaded = runtime::Table::load(*first);
  if (!loaded) fuzz::fail("the loader rejects a table the compiler wrote: " + loaded.error().message);
  const auto bytes = (*loaded)->bytes();
  if (!std::equal(bytes.begin(), bytes.end(), first->begin(), first->end())) {
    fuzz::fail("a loaded table's bytes differ from the bytes it was loaded from");
  }
  compiler::LowerOptions without_debug;
  without_debug.debug_info = false;
  auto stripped = compiler::lower(ws, ws.roots[0], *policy, without_debug, diags);
  if (!stripped) fuzz::fail("lowering fails without debug information only");
  auto stripped_loaded = runtime::Table::load(*stripped);
  if (!stripped_loaded) fuzz::fail("the loader rejects a table without debug information: " + stripped_loaded.error().message);
  if ((*stripped_loaded)->policy_hash() != (*loaded)->policy_hash()) fuzz::fail("debug information changes the policy hash");
  return 0;
}
