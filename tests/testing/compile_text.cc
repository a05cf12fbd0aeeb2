// tests/testing/compile_text.cc: see compile_text.h.
#include "tests/testing/compile_text.h"

#include <gtest/gtest.h>

#include <sstream>

#include "compiler/check.h"
#include "compiler/lower.h"

namespace edict::testing {

std::vector<std::byte> compile_bytes(const std::string& source, bool debug) {
  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text("test.edict", source, diags);
  auto policy = compiler::check(ws, ws.roots.at(0), diags);
  if (!policy) {
    std::ostringstream out;
    render_text(diags, ws.sources, out, false);
    ADD_FAILURE() << "policy does not check:\n" << out.str();
    return {};
  }
  auto bytes = compiler::lower(ws, ws.roots[0], *policy, {debug}, diags);
  if (!bytes) {
    std::ostringstream out;
    render_text(diags, ws.sources, out, false);
    ADD_FAILURE() << "policy does not lower:\n" << out.str();
    return {};
  }
  return *bytes;
}

std::shared_ptr<const runtime::Table> compile_source(const std::string& source, bool debug) {
  const auto bytes = compile_bytes(source, debug);
  if (bytes.empty()) return nullptr;
  auto table = runtime::Table::load(bytes);
  if (!table) {
    ADD_FAILURE() << "table does not load: " << table.error().message;
    return nullptr;
  }
  return *table;
}

std::shared_ptr<const runtime::Table> compile_repo_file(const std::string& relative_path) {
  Diagnostics diags;
  compiler::Workspace ws;
  auto bytes = compiler::compile_files({std::string(EDICT_SOURCE_DIR) + "/" + relative_path}, {}, diags, ws);
  if (!bytes) {
    std::ostringstream out;
    render_text(diags, ws.sources, out, false);
    ADD_FAILURE() << relative_path << " does not compile:\n" << out.str();
    return nullptr;
  }
  auto table = runtime::Table::load(*bytes);
  if (!table) {
    ADD_FAILURE() << "table does not load: " << table.error().message;
    return nullptr;
  }
  return *table;
}

}  // namespace edict::testing
