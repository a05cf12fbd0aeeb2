// tests/testing/check_text.cc: see check_text.h.
#include "tests/testing/check_text.h"

#include <sstream>

namespace edict::testing {
namespace {
CheckOutput finish(compiler::Workspace& ws, Diagnostics& diags) {
  CheckOutput out;
  for (FileId root : ws.roots) (void)compiler::check(ws, root, diags);
  diags.sort_and_dedupe();
  std::ostringstream text, json;
  render_text(diags, ws.sources, text, false);
  render_json(diags, ws.sources, json);
  out.text = text.str();
  out.json = json.str();
  out.io_error = !ws.io_errors.empty();
  for (const auto& e : ws.io_errors) out.text += "io error: " + e.message + "\n";
  out.diags = std::move(diags);
  return out;
}
}  // namespace

CheckOutput check_files(const std::vector<std::string>& paths) {
  Diagnostics diags;
  compiler::Workspace ws = compiler::load(paths, diags);
  return finish(ws, diags);
}

CheckOutput check_source(const std::string& source, const std::string& name) {
  Diagnostics diags;
  compiler::Workspace ws = compiler::load_text(name, source, diags);
  return finish(ws, diags);
}

}  // namespace edict::testing
