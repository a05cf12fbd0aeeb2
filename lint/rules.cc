// lint/rules.cc: the rule registry. Keep docs/lint.md in step with this table.
#include "lint/rules.h"

#include <array>

namespace edict::lint {
namespace {

constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;
constexpr Severity N = Severity::kNote;

constexpr std::array kRules = {
    RuleInfo{ids::kEmptyRole, W, "role that grants nothing",
             "A declared role that no grant reaches, directly or through a role it extends, gives its holders "
             "nothing: assigning it is a no-op that looks like access. It usually means a grant was forgotten, or "
             "names a different role by mistake. The super-administrator (which holds everything) and roles that "
             "hold custom roles of a catalog (`catalog ... for ROLE`) are exempt, since their permissions come "
             "from elsewhere. A role referenced nowhere at all is reported as unused-declaration instead.",
             "add the grants the role is meant to carry, or remove the role"},
    RuleInfo{ids::kCatalogShadowsAdmin, E, "custom-role catalog that could restrict or shadow an admin",
             "Tenants fill custom roles from a catalog at run time, so a catalog is a ceiling that the policy "
             "author must make safe for every tenant. This rule reports a catalog whose holders include an "
             "admin-level role (the super-administrator, or a role that holds every permission), which lets a "
             "tenant's custom role shadow the built-in admin, and a catalog entry that hands out roles "
             "(a role-assignment action) or acts on a resource carrying a `Role` attribute (a user record) with no "
             "forbid that protects each admin-level role on that pair: a custom-role holder could then create, "
             "demote, delete or lock out an admin.",
             "add a forbid on the pair that names the admin roles (e.g. `forbid assign_role on Member when "
             "context.new_role == admin unless principal is admin;`), or drop the entry"},
    RuleInfo{ids::kGrantShadowedByForbid, W, "grant that an unconditional forbid always overrides",
             "A forbid beats every grant. When an unconditional forbid covers every (action, resource type) pair "
             "of a grant and applies to every role of the grant (it names no roles, or a role each grantee holds), "
             "the grant can never allow anything. Either the grant is dead code, or the forbid is broader than "
             "intended and silently takes access away.",
             "narrow the forbid (a condition, fewer actions or resources), or delete the grant"},
    RuleInfo{ids::kRedundantGrant, W, "grant already given by an identical or broader grant",
             "A grant whose every (role, action, resource type) is already allowed by other grants that apply to "
             "the same principals unconditionally (or under the identical condition) and carry the same "
             "obligations adds nothing. Grants to the super-administrator are always redundant. Redundant grants "
             "make reviews harder and hide the real scope of a role: removing the broader grant later will not "
             "remove the access a reader believed it controlled.",
             "delete the redundant grant, or narrow the broader one"},
    RuleInfo{ids::kConstantCondition, W, "condition that is always true or always false",
             "A `when`/`unless` condition, or a part of one, whose value does not depend on the request: a "
             "literal `true`/`false`, a comparison of two literals or of an attribute with itself, `x && !x`, "
             "`has` on a required attribute, `resource is T` when the rule's resource types all are (or none is) "
             "a `T`, or `principal is R` in a rule whose roles all hold `R`. Such a condition is usually a "
             "mistake (a wrong attribute, a wrong role); when it is always false the rule never applies.",
             "fix the condition, or drop it if the rule is meant to be unconditional"},
    RuleInfo{ids::kWildcardGrant, W, "wildcard grant (`* on *`) to a role other than the super-administrator",
             "`grant R * on *` gives R every action on every resource type, including the ones added to the "
             "policy later, billing and role management among them. The language has a distinguished "
             "`superadmin role` for 'holds every permission'; any other full-access role should be an explicit, "
             "reviewed decision.",
             "list the actions and resource types the role needs, or suppress with the reason the role is "
             "meant to have full access"},
    RuleInfo{ids::kSensitiveUnconditioned, W, "sensitive resource granted without a condition to a non-admin role",
             "Billing, payment data, API keys and tokens, credentials, call recordings and transcripts deserve a "
             "condition (ownership, scope, MFA) or an obligation such as `with redact(...)`. A resource type is "
             "sensitive when its name, or the name of a category holding it, contains billing, invoice, payment, "
             "credit, subscription, apikey/api_key, token, secret, credential, password, transcript or recording, "
             "or when the configuration lists it (`sensitive-resources = ...`). Admin-level roles are exempt.",
             "add a condition or an obligation, or suppress with the reason the role needs unscoped access"},
    RuleInfo{ids::kAdminActionWithoutMfa, W, "admin-level action allowed without an MFA requirement",
             "Admin-level actions are role assignment (`assign_role` and the configured role-assignment actions), "
             "`transfer_ownership`, `reset_password`, `impersonate`, `delete` on anything, and every action other "
             "than reading on a resource whose name says role, member, user, account, setting, API key, token or "
             "credential. A grant that allows one should require multi-factor authentication: its own condition "
             "reads a context attribute named like mfa, 2fa, two_factor or otp (or one listed in "
             "`mfa-attributes`), or a forbid on the same pairs binding the same roles does (`forbid assign_role on "
             "Member unless context.mfa;`).",
             "add `unless context.mfa` to a forbid covering the admin actions, or disable the rule in the project "
             "configuration when the product does not require MFA"},
    RuleInfo{ids::kAssignAboveRank, E, "role that can assign a role ranked above itself",
             "A role holding a role-assignment action can escalate: give itself or an accomplice a higher role. "
             "'Above' means higher on the rank ladder than the role's own rank, and, with or without a ladder, "
             "the super-administrator and the full-access roles the assigning role does not hold. The grant is "
             "safe when its condition, or a forbid on the same pair that binds the role, compares with "
             "`principal.rank` or names each higher role.",
             "add `forbid assign_role on Member unless context.new_role < principal.rank;` or a forbid naming the "
             "higher roles"},
    RuleInfo{ids::kUnusedDeclaration, W, "declaration that nothing uses",
             "A role no rule, catalog, ladder, `extends` or condition mentions; an attribute no condition reads "
             "(including every attribute of an entity type other than `User`, which conditions cannot reach); an "
             "obligation no grant carries. Unused declarations are often typos of the names that were meant, and "
             "an attribute that is never read suggests a check that was forgotten.",
             "use it, or delete it"},
    RuleInfo{ids::kUnusedEnumValue, N, "enum value that no condition names",
             "An enum value that no condition mentions. Values often exist only to describe the data requests "
             "carry (`invited`, `suspended` under `status != active`), so this is a note; it can also reveal a "
             "state the policy forgot to handle.",
             "handle the value in a condition, remove it, or suppress with the reason it exists"},
    RuleInfo{ids::kObligationBypassed, W, "obligation that another unconditional grant bypasses",
             "When several grants allow, an obligation is kept only if every allowing grant carries it: an "
             "unredacted grant wins. A grant `with redact(pii)` is bypassed when another unconditional grant "
             "reaches the same holders on the same (action, resource type) without that obligation, so "
             "the redaction the author wrote never happens.",
             "add the obligation to the other grant, or give the other grant a condition that excludes these "
             "principals"},
    RuleInfo{ids::kUntestedRole, W, "role that no policy test exercises",
             "When `*.edict-test` files for the policy sit next to it, every role should be held by at least one "
             "user that a test case uses; otherwise nothing pins what the role may and may not do, and a change "
             "to it goes unnoticed.",
             "add a user holding the role and cases for its permissions to the policy's tests"},
    RuleInfo{ids::kConfusableIdentifier, E, "identifiers that look alike (Unicode TR39 skeletons)",
             "Two different identifiers whose TR39 confusable skeletons are equal (Latin `admin` and `аdmin` "
             "with a Cyrillic `а`, `rn` and `m`, `I` and `l`) look identical in review while naming different "
             "things: a grant can appear to name one role and name another. Edict compares skeletons built from "
             "a compact Latin/Cyrillic/Greek confusables table.",
             "rename one of them so they differ visibly; use ASCII names"},
    RuleInfo{ids::kMixedScriptIdentifier, W, "identifier mixing Latin, Cyrillic or Greek letters",
             "An identifier whose letters come from more than one script (Unicode TR39 'mixed script'), such as "
             "Latin with one Cyrillic letter, is almost never intended and is the usual way to forge a name that "
             "looks like another.",
             "write the identifier in one script"},
    RuleInfo{ids::kBidiControl, E, "bidirectional control character in the source",
             "Unicode bidirectional controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F) reorder how text "
             "is displayed, so a reviewer can be shown a different policy from the one that compiles "
             "(CVE-2021-42574, 'Trojan Source'). They are reported anywhere in the file, comments and strings "
             "included.",
             "delete the character; write right-to-left text without explicit controls"},
    RuleInfo{ids::kSuppressionWithoutReason, W, "lint suppression without a reason",
             "`# edict-lint: allow RULE — reason` silences a finding on its line or the next one; the reason "
             "after the dash is for the next reviewer and is required. A suppression without it still applies, "
             "and is reported.",
             "write why the finding is intended after a dash: `# edict-lint: allow wildcard-grant - full access "
             "by design`"},
    RuleInfo{ids::kInvalidSuppression, W, "lint suppression naming an unknown rule, or malformed",
             "A suppression comment that names a rule id the linter does not know (a typo silences nothing), or "
             "an `edict-lint:` comment that is not `allow RULE[, RULE...] — reason`.",
             "fix the rule id (see `edict lint --list-rules`)"},
};

}  // namespace

std::span<const RuleInfo> all_rules() { return kRules; }

const RuleInfo* find_rule(std::string_view id) {
  for (const RuleInfo& r : kRules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

int rule_index(std::string_view id) {
  for (size_t i = 0; i < kRules.size(); ++i) {
    if (kRules[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace edict::lint
