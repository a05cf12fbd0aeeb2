// fuzz/policy_fuzzer.cc: policy text -> parse -> check -> lower -> load.
//
// Trust boundary: policy files written by anyone. Every input must end in
// diagnostics or a table, never a crash, a sanitizer report or a hang; the
// diagnostics must render (text and JSON) whatever their spans; and a table the
// compiler wrote must load (the writer and the verifying reader agree).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "compiler/check.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "fuzz/fuzz_support.h"
#include "grammar/diagnostic.h"
#include "runtime/table.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edict::fuzz::private_directory();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > fuzz::kMaxInput) return -1;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (fuzz::includes_outside_paths(text)) return -1;
  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text("fuzz.edict", std::move(text), diags);
  if (!ws.roots.empty()) {
    if (auto policy = compiler::check(ws, ws.roots[0], diags)) {
      compiler::LowerOptions options;
      options.debug_info = size % 2 == 0;
      if (auto bytes = compiler::lower(ws, ws.roots[0], *policy, options, diags)) {
        auto table = runtime::Table::load(*bytes);
        if (!table) fuzz::fail("the loader rejects a table the compiler wrote: " + table.error().message);
      }
    }
  }
  std::ostringstream out;
  render_text(diags, ws.sources, out, false);
  render_json(diags, ws.sources, out);
  return 0;
}
