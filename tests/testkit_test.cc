// tests/testkit_test.cc: `edict test`'s runner on fixture test files
// (tests/data/testkit/): passing and failing cases, loops, custom roles, tenant
// isolation, coverage, and every error a test file can make.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "testkit/runner.h"

namespace edict {
namespace {

const std::string kDir = std::string(EDICT_SOURCE_DIR) + "/tests/data/testkit/";

std::set<std::string> codes(const testkit::TestRun& run) {
  std::set<std::string> out;
  for (const auto& g : run.diagnostics) {
    for (const auto& d : g.diags.items()) out.insert(d.code);
  }
  return out;
}

TEST(Testkit, PassingFileRunsEveryCaseIncludingLoops) {
  const auto run = testkit::run_tests({kDir + "pass.edict-test"});
  EXPECT_EQ(run.error_count(), 0u);
  EXPECT_EQ(run.failed, 0u);
  EXPECT_EQ(run.passed, 11u);  // 10 cases, one a loop over two actions
  ASSERT_FALSE(run.cases.empty());
  EXPECT_EQ(run.cases.front().name, "agent sees her group");
  const auto loop_case = std::find_if(run.cases.begin(), run.cases.end(),
                                      [](const testkit::CaseResult& c) { return c.name.find("[$a=edit]") != std::string::npos; });
  EXPECT_NE(loop_case, run.cases.end());
}

TEST(Testkit, UnlabelledCasesAreNamedByTheirTextOnOneLine) {
  const auto run = testkit::run_tests({kDir + "long_name.edict-test"});
  EXPECT_EQ(run.error_count(), 0u);
  ASSERT_EQ(run.cases.size(), 2u);
  // Whitespace runs (line breaks, indentation) become one space; comments stay.
  const std::string first = run.cases[0].name;
  EXPECT_EQ(first.rfind("deny ann view Call { group: g1 } // the case goes on", 0), 0u) << first;
  // Cut at 97 bytes or just before, never inside a UTF-8 sequence (é is two bytes).
  ASSERT_GE(first.size(), 99u) << first;
  EXPECT_LE(first.size(), 100u) << first;
  EXPECT_EQ(first.substr(first.size() - 3), "...") << first;
  EXPECT_EQ(first.substr(first.size() - 5, 2), "é") << first;
  EXPECT_EQ(run.cases[1].name, "allow ann edit Call { group: g12 };");
}

TEST(Testkit, FailuresSayWhatWasExpectedWhatHappenedAndWhy) {
  const auto run = testkit::run_tests({kDir + "fail.edict-test"});
  EXPECT_EQ(run.error_count(), 0u);
  EXPECT_EQ(run.passed, 0u);
  ASSERT_EQ(run.failed, 3u);
  const auto& c = run.cases[2];
  EXPECT_EQ(c.name, "deny ann view Call by inactive;") << "an unlabelled case is named by its text";
  EXPECT_EQ(c.line, 6u);
  EXPECT_EQ(c.expected, "deny by inactive");
  EXPECT_EQ(c.actual, "deny (no grant applies)");
  EXPECT_NE(c.explanation.find("`scoped`"), std::string::npos) << c.explanation;
  EXPECT_EQ(run.cases[1].expected, "allow with redact(pii)");
  // No rule came close to allowing `edit`: the explanation would only repeat
  // `actual` ("denied: no grant applies"), so there is none.
  EXPECT_EQ(run.cases[0].actual, "deny (no grant applies)");
  EXPECT_EQ(run.cases[0].explanation, "");
}

TEST(Testkit, UnknownNamesAreErrorsNotDenies) {
  const auto run = testkit::run_tests({kDir + "errors.edict-test"});
  EXPECT_EQ(run.passed, 0u);
  EXPECT_GT(run.failed, 0u);
  EXPECT_EQ(codes(run), (std::set<std::string>{"E0402", "E0403", "E0404", "E0406", "E0407", "E0408", "E0409", "E0413"}));
}

TEST(Testkit, CustomRolePermissionsNameActionsAndResourceTypes) {
  const auto run = testkit::run_tests({kDir + "custom_errors.edict-test"});
  EXPECT_EQ(run.passed, 0u);
  EXPECT_GT(run.failed, 0u);
  ASSERT_EQ(run.diagnostics.size(), 1u);
  std::vector<std::string> got;
  for (const auto& d : run.diagnostics[0].diags.items()) {
    const LineCol at = run.diagnostics[0].sources->file(d.span.file).line_col(d.span.begin);
    got.push_back(fmt::format("{}:{} {}: {} | {}", at.line, at.column, d.code, d.message, d.help));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "4:29 E0412: custom role `router` is rejected: unknown action `manage` | `manage` is an action "
                     "group; a custom role names single actions: `view`, `create` or `edit`",
                     "4:47 E0412: custom role `router` is rejected: unknown resource type `Routing` | `Routing` is a "
                     "category; a custom role names resource types: `Flow` or `Queue`",
                     "4:56 E0412: custom role `router` is rejected: unknown action `veiw` | did you mean `view`?",
                     "5:1 E0412: custom role `payer` is rejected: custom role `payer` exceeds catalog `custom`: "
                     "`view` on `Billing` is not grantable | ",
                 }))
      << "and no second error for `ann`, who holds the rejected roles";
}

TEST(Testkit, UnboundLoopVariableIsAnError) {
  const auto run = testkit::run_tests({kDir + "unbound.edict-test"});
  EXPECT_EQ(codes(run), (std::set<std::string>{"E0410"}));
  EXPECT_EQ(run.failed, 1u);
}

TEST(Testkit, MalformedTestFilesGetLocatedSyntaxErrors) {
  const auto run = testkit::run_tests({kDir + "syntax.edict-test"});
  ASSERT_EQ(run.diagnostics.size(), 1u);
  const auto& items = run.diagnostics[0].diags.items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].message, "expected `;` at the end of the declaration");
  EXPECT_EQ(items[1].message, "expected `;` at the end of the case (or `{`, `context`, `with`, `by`)");
  EXPECT_EQ(run.failed, 1u) << "a file that cannot run is a failure";
}

TEST(Testkit, CoverageListsRulesNoCaseExercised) {
  const auto run = testkit::run_tests({kDir + "pass.edict-test"});
  ASSERT_EQ(run.coverage.size(), 1u);
  std::set<std::string> exercised, missed;
  for (const auto& r : run.coverage[0].rules) (r.exercised ? exercised : missed).insert(r.name);
  EXPECT_EQ(exercised, (std::set<std::string>{"scoped", "all_calls", "billing", "inactive"}));
  EXPECT_TRUE(missed.empty());
}

TEST(Testkit, PolicyThatDoesNotCompileFailsTheFile) {
  const auto run = testkit::run_tests({kDir + "broken_policy.edict-test"});
  EXPECT_GT(run.error_count(), 0u);
  EXPECT_EQ(run.failed, 1u);
}

TEST(Testkit, DirectoriesAreSearchedForTestFiles) {
  const auto run = testkit::run_tests({kDir});
  EXPECT_GE(run.cases.size(), 13u);
}

}  // namespace
}  // namespace edict
