// lint/lint.h: the front door of the linter: lint one checked policy.
//
// lint_policy() runs every rule family over a policy that compiler::check()
// accepted, then applies the configuration (severities, disabled rules) and the
// suppression comments of the policy's files. Findings come back sorted by file
// and position. The only I/O is reading the `*.edict-test` files next to the
// policy's root (for untested-role), which find_tested_roles() does and tests can
// replace.
#pragma once

#include <vector>

#include "compiler/load.h"
#include "compiler/policy.h"
#include "lint/config.h"
#include "lint/context.h"
#include "lint/finding.h"

namespace edict::lint {

struct LintResult {
  std::vector<Finding> findings;
  size_t suppressed = 0;  // findings silenced by `edict-lint: allow` comments
};

// The roles held by users that the test files next to `root` use in cases, for
// test files whose `policy "..."` is `root`.
TestedRoles find_tested_roles(const compiler::Workspace& ws, FileId root);

LintResult lint_policy(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                       const Config& config, TestedRoles tested);
// Same, finding the tested roles on disk.
LintResult lint_policy(const compiler::Workspace& ws, FileId root, const compiler::Policy& policy,
                       const Config& config);

}  // namespace edict::lint
