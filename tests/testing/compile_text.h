// tests/testing/compile_text.h: compile policy text to a loaded table, for tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace edict::testing {

// Compiles `source` (a whole policy, no includes) and loads it; fails the
// calling test (ADD_FAILURE) and returns null on any error.
std::shared_ptr<const runtime::Table> compile_source(const std::string& source, bool debug = true);
std::vector<std::byte> compile_bytes(const std::string& source, bool debug = true);
// Compiles a policy file of the repository, e.g. "policies/dashboard.edict".
std::shared_ptr<const runtime::Table> compile_repo_file(const std::string& relative_path);

}  // namespace edict::testing
