// testkit/runner.h: runs policy test files (*.edict-test) for `edict test`.
//
// Each test file names its policy; the runner compiles it (once per policy, however
// many files test it), builds the world the file declares (tenants, entities,
// users with per-tenant roles and attributes, custom roles), expands `for` loops,
// and evaluates every case twice: with the compiled table (runtime::evaluate) and
// with the reference interpreter over the checked policy. A case passes when both
// give the expected effect, obligations and (if named) deciding rule; the two
// disagreeing is reported as an internal error. Names the policy or the file does
// not declare are errors (E04xx), never silent denies.
//
// Coverage: a rule is exercised when some case's request made it apply (its roles
// matched and its condition held), whether or not it decided the case.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "grammar/diagnostic.h"

namespace edict::testkit {

struct CaseResult {
  std::string name;         // label, or the case's text on one line; plus loop bindings
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  bool passed = false;
  std::string expected;     // "allow with redact(pii)", "deny by only_owner_billing"
  std::string actual;
  std::string explanation;  // explain() summary of the actual decision; "" when it adds nothing to `actual`
};

struct RuleCoverage {
  std::string name;
  std::string file;
  uint32_t line = 0;
  bool forbid = false;
  bool exercised = false;
};

struct PolicyCoverage {
  std::string policy;  // the policy's root file
  std::vector<RuleCoverage> rules;
};

// Diagnostics and the sources they point into (test files share one SourceMap;
// each compiled policy has its own).
struct DiagnosticGroup {
  const SourceMap* sources = nullptr;
  Diagnostics diags;
};

struct TestRun {
  std::vector<CaseResult> cases;
  std::vector<PolicyCoverage> coverage;
  size_t passed = 0;
  size_t failed = 0;
  std::vector<std::string> io_errors;
  std::vector<DiagnosticGroup> diagnostics;
  std::shared_ptr<void> storage;  // keeps the SourceMaps above alive

  size_t error_count() const;
};

// Runs the test files in `paths` (files, or directories searched for *.edict-test).
TestRun run_tests(const std::vector<std::string>& paths);

}  // namespace edict::testkit
