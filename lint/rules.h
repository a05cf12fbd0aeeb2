// lint/rules.h: the registry of lint rules: ids, default severities, explanations.
//
// Every rule has a stable kebab-case id (used in suppressions, the configuration,
// SARIF `ruleId`s and `edict lint --explain`), a default severity, a one-line
// summary and a paragraph that explains what it finds, why it matters and how to
// fix or suppress it. Ids are never reused for another meaning. The order of
// all_rules() is the SARIF `ruleIndex` order.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "grammar/diagnostic.h"
#include "lint/finding.h"

namespace edict::lint {

struct LintContext;

// Appends the findings of one rule family to `out`.
using CheckFn = void (*)(const LintContext& ctx, std::vector<Finding>& out);

struct RuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view summary;      // one line: SARIF shortDescription
  std::string_view explanation;  // one paragraph: SARIF fullDescription, --explain
  std::string_view help;         // what to do about it: SARIF help
};

std::span<const RuleInfo> all_rules();
const RuleInfo* find_rule(std::string_view id);
// Index into all_rules(), or -1.
int rule_index(std::string_view id);

// Rule ids, so checks and tests name them without typos.
namespace ids {
inline constexpr std::string_view kEmptyRole = "empty-role";
inline constexpr std::string_view kCatalogShadowsAdmin = "catalog-shadows-admin";
inline constexpr std::string_view kGrantShadowedByForbid = "grant-shadowed-by-forbid";
inline constexpr std::string_view kRedundantGrant = "redundant-grant";
inline constexpr std::string_view kConstantCondition = "constant-condition";
inline constexpr std::string_view kWildcardGrant = "wildcard-grant";
inline constexpr std::string_view kSensitiveUnconditioned = "sensitive-unconditioned";
inline constexpr std::string_view kAdminActionWithoutMfa = "admin-action-without-mfa";
inline constexpr std::string_view kAssignAboveRank = "assign-above-own-rank";
inline constexpr std::string_view kUnusedDeclaration = "unused-declaration";
inline constexpr std::string_view kUnusedEnumValue = "unused-enum-value";
inline constexpr std::string_view kObligationBypassed = "obligation-bypassed";
inline constexpr std::string_view kUntestedRole = "untested-role";
inline constexpr std::string_view kConfusableIdentifier = "confusable-identifier";
inline constexpr std::string_view kMixedScriptIdentifier = "mixed-script-identifier";
inline constexpr std::string_view kBidiControl = "bidi-control";
inline constexpr std::string_view kSuppressionWithoutReason = "suppression-without-reason";
inline constexpr std::string_view kInvalidSuppression = "invalid-suppression";
}  // namespace ids

}  // namespace edict::lint
