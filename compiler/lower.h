// compiler/lower.h: a checked Policy -> the bytes of a .edictc decision table.
//
// Lowering assigns the table's dense ids (roles, actions, resource types in
// declaration order; attribute slots by name per root), flattens inheritance
// into implied-role bitsets, splits each (action, resource type) pair's rules
// into role bitsets (unconditional, obligation-free) and conditional rules, and
// compiles each condition to a postfix program (runtime/format/table_format.h).
// Deterministic: the same policy always gives the same bytes. Errors (E03xx)
// are limits of the format, e.g. more than 64 obligation instances.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "compiler/load.h"
#include "compiler/policy.h"
#include "grammar/diagnostic.h"
#include "support/result.h"

namespace edict::compiler {

struct LowerOptions {
  bool debug_info = true;  // rule source locations and condition texts, for explain
};

[[nodiscard]] Result<std::vector<std::byte>> lower(const Workspace& ws, FileId root, const Policy& policy,
                                                   const LowerOptions& options, Diagnostics& diags);

// Front door: load, check and lower the policy rooted at `paths` (files that include
// one another form one policy; exactly one root is required). The checked
// policy goes to `checked` when given and the policy checks; its conditions
// point into `ws`.
[[nodiscard]] Result<std::vector<std::byte>> compile_files(const std::vector<std::string>& paths,
                                                           const LowerOptions& options, Diagnostics& diags,
                                                           Workspace& ws, std::optional<Policy>* checked = nullptr);

}  // namespace edict::compiler
