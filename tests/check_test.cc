// tests/check_test.cc: name resolution and type checking, one rule at a time over
// a shared schema, with Cedar-style assertions on the underlined text.
#include <gtest/gtest.h>

#include <algorithm>

#include "compiler/check.h"
#include "tests/testing/check_text.h"

namespace edict {
namespace {

const std::string kSchema = R"(
enum Status { invited, active, suspended }
entity Group;
entity Ivr;
entity User { status: Status, groups: set<Group>, ivrs: set<Ivr>, manager: User?, n: int, name: string, b: bool }
action view, edit, delete, assign_role, export;
action manage = view | edit | delete;
resource Call { group: Group?, ivr: Ivr?, owner: User?, role: Role, level: int } actions manage, export;
resource Billing actions view, edit;
resource Member { role: Role } actions view, edit, assign_role;
category Voice = Call | Billing;
context { mfa: bool, new_role: Role? }
role viewer;
role editor extends viewer;
role admin extends editor;
role accountant;
superadmin role root;
rank viewer < editor < admin;
obligation redact(pii, payment);
)";

class CheckOk : public ::testing::TestWithParam<const char*> {};

TEST_P(CheckOk, ChecksClean) {
  const auto out = testing::check_source(kSchema + GetParam());
  EXPECT_FALSE(out.diags.has_errors()) << GetParam() << "\n" << out.text;
}

INSTANTIATE_TEST_SUITE_P(Rules, CheckOk, ::testing::Values(
    "grant viewer view on Call;",
    "grant admin * on *;",
    "grant editor manage on Voice;",                       // group x category: supported subset
    "forbid * on * when principal.status != active;",
    "forbid * on * unless principal.status == Status.active;",
    "grant viewer view on Call when resource has group && resource.group in principal.groups;",
    "grant viewer view on Call when !(resource has group) || resource.group in principal.groups;",
    "grant viewer view on Call when (resource has group && resource.group in principal.groups)"
    " || (resource has ivr && resource.ivr in principal.ivrs);",
    "forbid edit on Call when resource has owner unless resource.owner == principal;",
    "grant viewer view on Call when resource has owner && resource.owner == principal;",
    "forbid assign_role on Member when context has new_role && context.new_role == admin unless principal is root;",
    "forbid edit on Member unless resource.role < principal.rank;",
    "forbid assign_role on Member when context has new_role && context.new_role in [admin, root];",
    "grant editor edit on Member when resource.role <= editor;",
    "grant viewer view on Call when resource.role is editor;",
    "grant viewer view on * when resource is Call || resource is Voice;",
    "grant viewer view on Voice when resource has level && resource.level > 3;",  // Billing lacks `level`
    "grant viewer view on Call when principal.n >= 18 && principal.name != \"x\" && principal.b;",
    "grant viewer view on Call with redact(pii, payment);",
    "grant viewer view on Call when principal.tenant == resource.tenant;",
    "catalog c for accountant { grantable view, edit on Billing; grantable view on Call when resource has group; }",
    "grant viewer view on Call when resource has group && (resource.group in principal.groups || principal is admin);"));

struct ErrorCase {
  const char* rule;
  const char* code;
  const char* message;
  const char* underlined;  // the text under the caret line
  const char* help;
};

class CheckError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CheckError, Reports) {
  const ErrorCase& c = GetParam();
  const std::string source = kSchema + c.rule;
  const auto out = testing::check_source(source);
  ASSERT_TRUE(out.diags.has_errors()) << c.rule;
  const Diagnostic& d = out.diags.items().front();
  EXPECT_EQ(d.code, c.code) << c.rule << "\n" << out.text;
  EXPECT_EQ(d.message, c.message) << c.rule;
  EXPECT_EQ(source.substr(d.span.begin, d.span.end - d.span.begin), c.underlined) << c.rule;
  EXPECT_EQ(d.help, c.help) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Rules, CheckError, ::testing::Values(
    ErrorCase{"grant viewr view on Call;", "E0101", "unknown role `viewr`", "viewr", "did you mean `viewer`?"},
    ErrorCase{"grant viewer veiw on Call;", "E0101", "unknown action `veiw`", "veiw", "did you mean `view`?"},
    ErrorCase{"grant viewer view on Cal;", "E0101", "unknown resource type `Cal`", "Cal", "did you mean `Call`?"},
    ErrorCase{"grant viewer view on Group;", "E0112", "`Group` is not a resource type", "Group",
              "rules apply to resource types (declared with `resource`) and categories"},
    ErrorCase{"grant viewer delete on Billing;", "E0208", "resource type `Billing` does not support action `delete`",
              "delete", "`Billing` supports: view, edit"},
    ErrorCase{"grant viewer assign_role on Voice;", "E0208", "no resource type of this rule supports `assign_role`",
              "assign_role", "check the resource types' `actions` clauses, or the rule's `on` list"},
    ErrorCase{"grant viewer view on Call when resource.group in principal.groups;", "E0204",
              "`resource.group` is optional and may be absent here", "resource.group",
              "guard the read: `resource has group && ...`"},
    ErrorCase{"grant viewer view on Call when resource has group || resource.group in principal.groups;", "E0204",
              "`resource.group` is optional and may be absent here", "resource.group",
              "guard the read: `resource has group && ...`"},
    ErrorCase{"grant viewer view on Call when resource has ivr && resource.group in principal.groups;", "E0204",
              "`resource.group` is optional and may be absent here", "resource.group",
              "guard the read: `resource has group && ...`"},
    ErrorCase{"grant viewer view on Call when resource has group && resource.group in principal.ivrs;", "E0205",
              "a `Group` is never in a `set<Ivr>`", "resource.group in principal.ivrs",
              "the value and the set's elements must have the same type"},
    ErrorCase{"grant viewer view on Call when principal.manager == principal;", "E0204",
              "`principal.manager` is optional and may be absent here", "principal.manager",
              "guard the read: `principal has manager && ...`"},
    ErrorCase{"grant viewer view on Call when resource has group && principal has manager && resource.group == principal.manager;",
              "E0202", "comparing `Group` with `User`: values of different entity types are never equal",
              "resource.group == principal.manager", ""},
    ErrorCase{"grant viewer view on Call when principal.n == \"3\";", "E0201", "cannot compare `int` with `string`",
              "principal.n == \"3\"", ""},
    ErrorCase{"grant viewer view on Call when principal.b < true;", "E0207", "`<` cannot order `bool` values",
              "principal.b < true", "`<`, `<=`, `>`, `>=` order ints, enum values and roles on the rank ladder"},
    ErrorCase{"grant viewer view on Call when principal.groups;", "E0206",
              "a condition must be a `bool`, not `set<Group>`", "principal.groups",
              "test membership with `in`, as in `resource.group in principal.groups`"},
    ErrorCase{"grant viewer view on Call when principal.n in principal.groups;", "E0205",
              "a `int` is never in a `set<Group>`", "principal.n in principal.groups",
              "the value and the set's elements must have the same type"},
    ErrorCase{"grant viewer view on Call when principal.status == activ;", "E0101",
              "`activ` is not a value of enum `Status`", "activ", "did you mean `active`?"},
    ErrorCase{"grant viewer view on Call when principal.statu == active;", "E0203",
              "`principal` (a `User`) has no attribute `statu`", "statu", "did you mean `status`?"},
    ErrorCase{"grant viewer view on Call when context.mfaa;", "E0203", "the context has no attribute `mfaa`", "mfaa",
              "did you mean `mfa`?"},
    ErrorCase{"grant viewer view on Voice when resource.level > 3;", "E0203",
              "resource type `Billing` has no attribute `level`", "level",
              "guard it with `resource has level` or leave `Billing` out of the rule"},
    ErrorCase{"grant viewer view on Call when resource has levl;", "E0203",
              "no resource type of this rule has an attribute `levl`", "levl", "did you mean `level`?"},
    ErrorCase{"grant viewer view on Call when principal is admn;", "E0101", "unknown role `admn`", "admn",
              "did you mean `admin`?"},
    ErrorCase{"grant viewer view on Call when principal.n is admin;", "E0210", "`is` tests roles, found `int`",
              "principal.n", "use `is` on `principal`, on a `Role` value, or on `resource` with a resource type"},
    ErrorCase{"grant viewer edit on Member when resource.role < accountant;", "E0209",
              "role `accountant` is not on the rank ladder", "accountant", "only roles on the ladder have a rank to compare"},
    ErrorCase{"forbid view on Call with redact(pii);", "E0212", "a forbid cannot carry an obligation", "redact",
              "obligations qualify an allow; attach `with` to a grant"},
    ErrorCase{"grant viewer view on Call with redact(ppi);", "E0101", "`ppi` is not an argument of obligation `redact`",
              "ppi", "did you mean `pii`?"},
    ErrorCase{"grant viewer view on Call with redact;", "E0216", "obligation `redact` needs an argument", "redact",
              "one or more of: pii, payment"},
    ErrorCase{"grant viewer view on Call with redcat(pii);", "E0101", "unknown obligation `redcat`", "redcat",
              "did you mean `redact`?"},
    ErrorCase{"grant viewer view on Call when resource == principal;", "E0215", "`resource` is not a value",
              "resource", "use one of its attributes, as in `resource.tenant`"},
    ErrorCase{"grant viewer view on Call when active == active;", "E0211", "cannot tell what `active` is", "active",
              "compare names with an attribute, as in `principal.status == active`"},
    ErrorCase{"grant * view on Call;", "E0110", "a grant names the roles it grants to; `*` is not a role", "grant",
              "list the roles, as in `grant editor, admin view on Flow`"},
    ErrorCase{"a: grant viewer view on Call; a: grant editor view on Call;", "E0102",
              "rule label `a` is declared twice", "a", ""},
    ErrorCase{"catalog c for acountant { grantable view on Billing; }", "E0101", "unknown role `acountant`",
              "acountant", "did you mean `accountant`?"},
    ErrorCase{"role viewer;", "E0102", "role `viewer` is declared twice", "viewer", ""},
    ErrorCase{"entity Tenant;", "E0102", "`Tenant` is a built-in type and cannot be redeclared", "Tenant", ""},
    ErrorCase{"role x extends y; role y extends x;", "E0103", "role inheritance cycle: x -> y -> x", "x",
              "`extends` must form a hierarchy; remove one of these edges"},
    ErrorCase{"action g = h | view; action h = g;", "E0103", "action group `h` contains itself through `g`", "g", ""},
    ErrorCase{"superadmin role root2;", "E0109", "a second super-administrator role `root2`", "root2", ""},
    ErrorCase{"rank accountant < root;", "E0108", "a policy has one rank ladder; this is a second one",
              "rank accountant < root;", ""},
    ErrorCase{"entity Bad { t: Call }", "E0112", "`Call` is a resource type and cannot be an attribute type", "Call",
              "attributes hold bool, int, string, enums, entities, `Role` or `Tenant`; declare an `entity`"},
    ErrorCase{"entity Bad { t: set<set<Group>> }", "E0213", "sets of sets are not supported", "set<Group>",
              "use `set<T>` with a plain element type"},
    ErrorCase{"category C = Call | Group;", "E0112", "`Group` is not a resource type", "Group",
              "a category lists resource types"}));

TEST(Check, MissingUserEntityIsOneError) {
  const auto out = testing::check_source("role a; action v; resource R actions v; grant a v on R when principal.x;");
  ASSERT_EQ(out.diags.error_count(), 1u) << out.text;
  EXPECT_EQ(out.diags.items()[0].code, "E0106");
}

TEST(Check, ReportsIndependentErrorsTogether) {
  const auto out = testing::check_source(kSchema +
                                         "grant viewr view on Call;\n"
                                         "grant viewer veiw on Call;\n"
                                         "grant viewer view on Call when principal.n == \"x\";\n");
  EXPECT_EQ(out.diags.error_count(), 3u) << out.text;
}

TEST(Check, SyntaxErrorsStopBeforeNameResolution) {
  // The broken role declaration must not turn every later use of `a` into an error.
  const auto out = testing::check_source("entity User; role a\naction v; resource R actions v; grant a v on R;");
  ASSERT_EQ(out.diags.error_count(), 1u) << out.text;
  EXPECT_EQ(out.diags.items()[0].code, "E0001");
}

Result<compiler::Policy> checked(const std::string& rules, compiler::Workspace& ws, Diagnostics& diags) {
  ws = compiler::load_text("t.edict", kSchema + rules, diags);
  return compiler::check(ws, ws.roots.at(0), diags);
}

TEST(CheckedPolicy, ExpandsGroupsCategoriesAndWildcardsToSupportedPairs) {
  compiler::Workspace ws;
  Diagnostics diags;
  auto p = checked("grant editor manage on Voice;", ws, diags);
  ASSERT_TRUE(p.has_value());
  const compiler::Rule& r = p->rules.back();
  std::vector<std::string> pairs;
  for (auto [a, res] : r.pairs) pairs.push_back(p->actions[a].name + "/" + p->resources[res].name);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(pairs, (std::vector<std::string>{"delete/Call", "edit/Billing", "edit/Call", "view/Billing", "view/Call"}));
  EXPECT_EQ(r.name, "t.edict:20");
}

TEST(CheckedPolicy, RolesCarryAncestorsRanksAndTheSuperadmin) {
  compiler::Workspace ws;
  Diagnostics diags;
  auto p = checked("", ws, diags);
  ASSERT_TRUE(p.has_value());
  auto role = [&](const std::string& n) {
    return *std::find_if(p->roles.begin(), p->roles.end(), [&](const compiler::Role& r) { return r.name == n; });
  };
  EXPECT_EQ(role("admin").ancestors.size(), 3u);  // admin, editor, viewer
  EXPECT_EQ(role("admin").rank, 2u);
  EXPECT_FALSE(role("accountant").rank.has_value());
  ASSERT_TRUE(p->superadmin.has_value());
  EXPECT_EQ(p->roles[*p->superadmin].name, "root");
}

}  // namespace
}  // namespace edict
