// tests/testing/check_text.h: run the front end over files or text and render
// the diagnostics, for golden and unit tests.
#pragma once

#include <string>
#include <vector>

#include "compiler/check.h"
#include "compiler/load.h"
#include "grammar/diagnostic.h"

namespace edict::testing {

struct CheckOutput {
  std::string text;   // render_text of every diagnostic, sorted
  std::string json;   // render_json of the same
  Diagnostics diags;
  bool io_error = false;
};

// Loads `paths` (relative to the current directory) and checks every root.
CheckOutput check_files(const std::vector<std::string>& paths);
// Checks one in-memory policy named `name`.
CheckOutput check_source(const std::string& source, const std::string& name = "test.edict");

}  // namespace edict::testing
