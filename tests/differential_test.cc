// tests/differential_test.cc: the compiled decision table against the reference
// interpreter (testkit/reference_eval.h), after re2's tester.cc.
//
//   ReferenceEval.*   hand-written policies and requests whose answers are worked
//                     out by hand from docs/language.md, through the oracle
//                     (Decides) and through the compiled table (RuntimeAgrees);
//   PolicyGen.*       the generated policies check, and contain every construct;
//   Differential.*    every policy in policies/ and many generated ones: compile,
//                     load, then for random requests runtime::evaluate() must
//                     equal the oracle on effect, reason, rule, obligations and
//                     custom_role (with and without tenants' custom roles, built
//                     through CustomRoles::add, which must refuse pairs outside
//                     the catalog); explain() must decide as evaluate() does,
//                     and lowering the same policy twice must give the same bytes;
//   Metamorphic.*     rewrites that must not change any decision's effect:
//                     reordering the rules, adding rules that never apply.
//
// Sizes: EDICT_DIFF_POLICIES generated policies (default 1000), EDICT_DIFF_REQUESTS
// requests per generated policy (default 2000; each file of policies/ gets 25
// times as many; the metamorphic tests use a quarter and an eighth of the
// policies with half the requests). Debug and sanitizer builds default to a
// tenth. EDICT_DIFF_SEED changes the generators' seeds. On a mismatch the policy
// source, the request and both decisions are printed, with the smallest
// sub-conditions on which the two sides disagree; a policy stops after 5
// mismatches.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "compiler/check.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "grammar/diagnostic.h"
#include "runtime/custom_roles.h"
#include "runtime/eval.h"
#include "runtime/table.h"
#include "tests/testing/general_path.h"
#include "tests/testing/policy_gen.h"
#include "testkit/reference_eval.h"

namespace fs = std::filesystem;

namespace edict {
namespace {

using runtime::Decision;
using runtime::Value;
using testkit::ReferenceCustomRoles;
using testkit::ReferenceEvaluator;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 0);
}

// A checked policy with the workspace its conditions point into.
struct Checked {
  std::unique_ptr<compiler::Workspace> ws = std::make_unique<compiler::Workspace>();
  std::optional<compiler::Policy> policy;
  std::string diagnostics;
};

std::string render(const Diagnostics& diags, const compiler::Workspace& ws) {
  std::ostringstream out;
  render_text(diags, ws.sources, out, false);
  return out.str();
}

Checked check_text(const std::string& source, const std::string& name = "gen.edict") {
  Checked c;
  Diagnostics diags;
  *c.ws = compiler::load_text(name, source, diags);
  if (!c.ws->roots.empty()) {
    auto policy = compiler::check(*c.ws, c.ws->roots[0], diags);
    if (policy) c.policy = std::move(*policy);
  }
  c.diagnostics = render(diags, *c.ws);
  return c;
}

// "allow granted rule=0 obligations=0x1 custom", for readable expectations.
std::string brief(const Decision& d) {
  static const char* const kReasons[] = {"granted", "no-grant", "forbidden", "tenant-mismatch", "bad-request"};
  std::ostringstream o;
  o << (d.allowed() ? "allow " : "deny ") << kReasons[static_cast<int>(d.reason)];
  if (d.rule != runtime::kNoRule) o << " rule=" << d.rule;
  if (d.obligations != 0) o << " obligations=0x" << std::hex << d.obligations << std::dec;
  if (d.custom_role) o << " custom";
  return o.str();
}

// ---- requests by name, for the hand-written oracle tests ------------------------
class NamedRequest {
 public:
  explicit NamedRequest(const compiler::Policy& p) : p_(p), layout_(p) {
    request_.principal = 1;
    request_.principal_tenant = request_.resource_tenant = 100;
    principal_.resize(layout_.principal.size());
    resource_.resize(layout_.resource.size());
    context_.resize(layout_.context.size());
  }

  NamedRequest& on(const std::string& action, const std::string& type) {
    request_.action = index(p_.actions, action);
    request_.resource_type = index(p_.resources, type);
    return *this;
  }
  NamedRequest& role(const std::string& name) {
    roles_.push_back(index(p_.roles, name));
    return *this;
  }
  NamedRequest& raw_role(uint32_t id) {
    roles_.push_back(id);
    return *this;
  }
  NamedRequest& truncate(ast::Root root, size_t size) {
    auto& values = root == ast::Root::kPrincipal ? principal_ : root == ast::Root::kResource ? resource_ : context_;
    values.resize(size);
    return *this;
  }
  NamedRequest& custom(uint32_t index) {
    custom_.push_back(index);
    return *this;
  }
  NamedRequest& tenants(int64_t principal, int64_t resource) {
    request_.principal_tenant = principal;
    request_.resource_tenant = resource;
    return *this;
  }
  NamedRequest& principal_id(int64_t id) {
    request_.principal = id;
    return *this;
  }
  NamedRequest& attr(ast::Root root, const std::string& name, Value v) {
    slot(root, name) = v;
    return *this;
  }
  NamedRequest& ids(ast::Root root, const std::string& name, std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    slot(root, name) = Value::id_set(id_sets_.emplace_back(std::move(ids)));
    return *this;
  }
  NamedRequest& strings(ast::Root root, const std::string& name, std::vector<std::string_view> items) {
    slot(root, name) = Value::string_set(string_sets_.emplace_back(std::move(items)));
    return *this;
  }
  uint32_t enum_value(const std::string& name) const {
    for (const auto& e : p_.enums) {
      for (uint32_t i = 0; i < e.values.size(); ++i) {
        if (e.values[i] == name) return i;
      }
    }
    ADD_FAILURE() << "no enum value " << name;
    return 0;
  }
  uint32_t role_id(const std::string& name) const { return index(p_.roles, name); }

  const runtime::Request& get() {
    request_.roles = roles_;
    request_.custom_roles = custom_;
    request_.principal_attrs = principal_;
    request_.resource_attrs = resource_;
    request_.context_attrs = context_;
    return request_;
  }

 private:
  template <typename T>
  static uint32_t index(const std::vector<T>& items, const std::string& name) {
    for (uint32_t i = 0; i < items.size(); ++i) {
      if (items[i].name == name) return i;
    }
    ADD_FAILURE() << "no such name: " << name;
    return 0;
  }
  Value& slot(ast::Root root, const std::string& name) {
    const auto& slots = root == ast::Root::kPrincipal  ? layout_.principal
                        : root == ast::Root::kResource ? layout_.resource
                                                       : layout_.context;
    auto& values = root == ast::Root::kPrincipal ? principal_ : root == ast::Root::kResource ? resource_ : context_;
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].name == name) return values[i];
    }
    ADD_FAILURE() << "no attribute " << name;
    return values[0];
  }

  const compiler::Policy& p_;
  testkit::ReferenceLayout layout_;
  runtime::Request request_;
  std::vector<uint32_t> roles_, custom_;
  std::vector<Value> principal_, resource_, context_;
  std::deque<std::vector<int64_t>> id_sets_;
  std::deque<std::vector<std::string_view>> string_sets_;
};

using ast::Root;

const std::string kSchema = R"(
enum Status { invited, active, suspended }
entity Group;
entity User { status: Status, groups: set<Group>, manager: User?, n: int, name: string, b: bool, tags: set<string>? }
action view, edit, delete, export;
action manage = view | edit | delete;
resource Call { group: Group?, owner: User?, role: Role, level: int, flag: bool? } actions manage, export;
resource Billing { flag: bool } actions view, edit;
category Voice = Call | Billing;
context { mfa: bool, new_role: Role?, score: int? }
role viewer;
role editor extends viewer;
role admin extends editor;
role accountant;
superadmin role root;
rank viewer < editor < admin;
obligation redact(pii, payment);
obligation audit;
)";

struct OracleCase {
  const char* id;
  std::string rules;
  std::function<void(NamedRequest&)> request;
  const char* expected;  // brief()
};

void PrintTo(const OracleCase& c, std::ostream* os) { *os << c.id; }

class ReferenceEval : public ::testing::TestWithParam<OracleCase> {};

TEST_P(ReferenceEval, Decides) {
  const OracleCase& c = GetParam();
  Checked checked = check_text(kSchema + c.rules);
  ASSERT_TRUE(checked.policy) << checked.diagnostics;
  NamedRequest r(*checked.policy);
  c.request(r);
  testkit::ReferenceCustomRoles custom;
  // One custom role per catalog, with every pair its catalog lists.
  for (uint32_t k = 0; k < checked.policy->catalogs.size(); ++k) {
    testkit::ReferenceCustomRole role{"custom" + std::to_string(k), k, {}};
    for (const auto& e : checked.policy->catalogs[k].entries) {
      role.permissions.insert(role.permissions.end(), e.pairs.begin(), e.pairs.end());
    }
    custom.roles.push_back(role);
  }
  const runtime::Request& req = r.get();
  const Decision d = testkit::reference_evaluate(*checked.policy, req, &custom);
  EXPECT_EQ(brief(d), c.expected) << c.id << "\n" << c.rules << "\n" << testkit::describe_request(*checked.policy, req, &custom);
}

using R = NamedRequest;

// Each case: rules appended to kSchema, a request, the decision worked out by hand.
// Rule ids are the rules' order; the super-administrator's grant is rules.size().
INSTANTIATE_TEST_SUITE_P(Cases, ReferenceEval, ::testing::Values(
    // 1. requests, tenants, default deny
    OracleCase{"1.1 default deny", "grant viewer view on Call;", [](R& r) { r.on("edit", "Call").role("viewer"); }, "deny no-grant"},
    OracleCase{"1.2 grant", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=0"},
    OracleCase{"1.3 inherited", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("admin"); }, "allow granted rule=0"},
    OracleCase{"1.4 not inherited downward", "grant admin view on Call;", [](R& r) { r.on("view", "Call").role("editor"); }, "deny no-grant"},
    OracleCase{"1.5 other tenant", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer").tenants(1, 2); }, "deny tenant-mismatch"},
    OracleCase{"1.6 no tenant", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer").tenants(runtime::kNoTenant, runtime::kNoTenant); }, "deny tenant-mismatch"},
    OracleCase{"1.7 role out of range", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer").raw_role(9); }, "deny bad-request"},
    OracleCase{"1.8 custom role out of range", "grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer").custom(0); }, "deny bad-request"},
    // 2. forbids
    OracleCase{"2.1 forbid beats grant", "grant viewer view on Call; forbid viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer"); }, "deny forbidden rule=1"},
    OracleCase{"2.2 lowest forbid", "forbid view on *; forbid viewer view on Call; grant viewer view on Call;", [](R& r) { r.on("view", "Call").role("viewer"); }, "deny forbidden rule=0"},
    OracleCase{"2.3 forbid on error applies", "grant viewer view on Call; forbid view on Call when context has score && context.score > 3;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kContext, "score", Value::string("x")); }, "deny forbidden rule=1"},
    OracleCase{"2.4 forbid unless", "grant viewer view on Call; forbid view on Call unless principal.status == active;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "status", Value::enum_value(1)); }, "allow granted rule=0"},
    OracleCase{"2.5 forbid on superadmin", "forbid view on Call when resource.level > 1;",
               [](R& r) { r.on("view", "Call").role("root").attr(Root::kResource, "level", Value::integer(2)); }, "deny forbidden rule=0"},
    // 3. Kleene logic
    OracleCase{"3.1 false && error", "forbid view on Call when false && principal.b; grant viewer view on Call;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=1"},
    OracleCase{"3.2 true || error", "grant viewer view on Call when principal.b || principal.n > 1;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "b", Value::boolean(true)); }, "allow granted rule=0"},
    OracleCase{"3.3 error grant", "grant viewer view on Call when principal.b || principal.n > 1;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "b", Value::boolean(false)); }, "deny no-grant"},
    OracleCase{"3.4 not error", "forbid view on Call when !(principal.n > 1); grant viewer view on Call;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "deny forbidden rule=0"},
    OracleCase{"3.5 unless error", "grant viewer view on Call unless principal.n > 1;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "deny no-grant"},
    OracleCase{"3.6 has never errs", "grant viewer view on Call when !(resource has owner);",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=0"},
    OracleCase{"3.7 wrong kind", "grant viewer view on Call when principal.n >= 0;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "n", Value::boolean(true)); }, "deny no-grant"},
    OracleCase{"3.8 enum out of range", "grant viewer view on Call when principal.status != active;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "status", Value::enum_value(3)); }, "deny no-grant"},
    // 4. leaves
    OracleCase{"4.1 owner", "grant viewer edit on Call when resource has owner && resource.owner == principal;",
               [](R& r) { r.on("edit", "Call").role("viewer").principal_id(5).attr(Root::kResource, "owner", Value::entity(5)); }, "allow granted rule=0"},
    OracleCase{"4.2 not owner", "grant viewer edit on Call when resource has owner && resource.owner == principal;",
               [](R& r) { r.on("edit", "Call").role("viewer").principal_id(5).attr(Root::kResource, "owner", Value::entity(6)); }, "deny no-grant"},
    OracleCase{"4.3 group in set", "grant viewer view on Call when resource has group && resource.group in principal.groups;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kResource, "group", Value::entity(3)).ids(Root::kPrincipal, "groups", {1, 3, 9}); }, "allow granted rule=0"},
    OracleCase{"4.4 string set", "grant viewer view on Call when principal has tags && \"x\" in principal.tags;",
               [](R& r) { r.on("view", "Call").role("viewer").strings(Root::kPrincipal, "tags", {"a", "x"}); }, "allow granted rule=0"},
    OracleCase{"4.5 string set wrong kind", "grant viewer view on Call when principal has tags && \"x\" in principal.tags;",
               [](R& r) { r.on("view", "Call").role("viewer").ids(Root::kPrincipal, "tags", {1}); }, "deny no-grant"},
    OracleCase{"4.6 literal list", "forbid edit on Call when context has new_role && context.new_role in [admin, root]; grant viewer edit on Call;",
               [](R& r) { r.on("edit", "Call").role("viewer").attr(Root::kContext, "new_role", Value::role(r.role_id("root"))); }, "deny forbidden rule=0"},
    OracleCase{"4.7 rank order", "grant editor edit on Call when resource.role < principal.rank;",
               [](R& r) { r.on("edit", "Call").role("admin").attr(Root::kResource, "role", Value::role(r.role_id("editor"))); }, "allow granted rule=0"},
    OracleCase{"4.8 unranked role errs", "forbid edit on Call when resource.role >= principal.rank; grant editor edit on Call;",
               [](R& r) { r.on("edit", "Call").role("admin").attr(Root::kResource, "role", Value::role(r.role_id("accountant"))); }, "deny forbidden rule=0"},
    OracleCase{"4.9 no rank errs", "grant accountant view on Call when principal.rank >= viewer;",
               [](R& r) { r.on("view", "Call").role("accountant"); }, "deny no-grant"},
    OracleCase{"4.10 rank is the highest", "grant viewer view on Call when principal.rank == admin;",
               [](R& r) { r.on("view", "Call").role("viewer").role("admin").role("accountant"); }, "allow granted rule=0"},
    OracleCase{"4.11 has rank", "grant accountant view on Call when principal has rank;",
               [](R& r) { r.on("view", "Call").role("accountant"); }, "deny no-grant"},
    OracleCase{"4.12 role is", "grant viewer view on Call when resource.role is editor;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kResource, "role", Value::role(r.role_id("admin"))); }, "allow granted rule=0"},
    OracleCase{"4.13 role is not", "grant viewer view on Call when resource.role is admin;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kResource, "role", Value::role(r.role_id("editor"))); }, "deny no-grant"},
    OracleCase{"4.14 principal is", "grant viewer view on Call when principal is editor;",
               [](R& r) { r.on("view", "Call").role("viewer").role("admin"); }, "allow granted rule=0"},
    OracleCase{"4.15 resource is category", "grant viewer view on * when resource is Voice && !(resource is Billing);",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=0"},
    OracleCase{"4.16 qualified enum", "grant viewer view on Call when principal.status >= Status.active;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "status", Value::enum_value(2)); }, "allow granted rule=0"},
    OracleCase{"4.17 string compare", "grant viewer view on Call when principal.name == \"\\\"x\";",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "name", Value::string("\"x")); }, "allow granted rule=0"},
    OracleCase{"4.18 guard absent on type", "grant viewer view on Voice when resource has owner && resource.owner == principal;",
               [](R& r) { r.on("view", "Billing").role("viewer"); }, "deny no-grant"},
    OracleCase{"4.19 bool compare of conditions", "grant viewer view on Call when (principal.n > 1) == (principal.b);",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kPrincipal, "n", Value::integer(0)).attr(Root::kPrincipal, "b", Value::boolean(false)); }, "allow granted rule=0"},
    OracleCase{"4.20 tenants equal", "grant viewer view on Call when principal.tenant == resource.tenant && principal has tenant;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=0"},
    OracleCase{"4.21 slot", "grant viewer view on Call when context.mfa;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kContext, "mfa", Value::boolean(true)); }, "allow granted rule=0"},
    OracleCase{"4.22 slot past the end", "grant viewer view on Call when context.mfa;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kContext, "mfa", Value::boolean(true)).truncate(Root::kContext, 0); }, "deny no-grant"},
    OracleCase{"4.23 bool out of range", "grant viewer view on Call when context.mfa;",
               [](R& r) { r.on("view", "Call").role("viewer").attr(Root::kContext, "mfa", Value::of(runtime::ValueKind::kBool, 2)); }, "deny no-grant"},
    OracleCase{"4.24 condition compared with a literal", "grant viewer view on Call when (principal is admin) == false;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "allow granted rule=0"},
    OracleCase{"4.25 condition compared with a literal, false", "grant viewer view on Call when (principal is admin) == false;",
               [](R& r) { r.on("view", "Call").role("admin"); }, "deny no-grant"},
    OracleCase{"4.26 forbid on a condition compared", "forbid view on Call when (principal is admin) != true; grant viewer view on Call;",
               [](R& r) { r.on("view", "Call").role("admin"); }, "allow granted rule=1"},
    OracleCase{"4.27 compared condition errs", "grant viewer view on Call when (principal.n > 1) == false;",
               [](R& r) { r.on("view", "Call").role("viewer"); }, "deny no-grant"},
    // 5. obligations, super-administrator
    OracleCase{"5.1 obligations intersect", "grant viewer view on Call with redact(pii, payment); grant editor view on Call with redact(pii), audit;",
               [](R& r) { r.on("view", "Call").role("editor"); }, "allow granted rule=0 obligations=0x1"},
    OracleCase{"5.2 plain grant clears", "grant viewer view on Call with redact(pii); grant editor view on Call;",
               [](R& r) { r.on("view", "Call").role("editor"); }, "allow granted rule=0"},
    OracleCase{"5.3 only applying grants count", "grant viewer view on Call with audit; grant editor view on Call when false;",
               [](R& r) { r.on("view", "Call").role("editor"); }, "allow granted rule=0 obligations=0x4"},
    OracleCase{"5.4 superadmin", "grant viewer view on Call with audit;",
               [](R& r) { r.on("export", "Call").role("root"); }, "allow granted rule=1"},
    OracleCase{"5.5 superadmin clears obligations", "grant root view on Call with audit;",
               [](R& r) { r.on("view", "Call").role("root"); }, "allow granted rule=0"},
    OracleCase{"5.6 superadmin: supported pairs only", "grant viewer view on Call;",
               [](R& r) { r.on("export", "Billing").role("root"); }, "deny no-grant"},
    // 6. custom roles (custom0: every pair of the first catalog)
    OracleCase{"6.1 custom role", "catalog c for accountant { grantable view, edit on Billing; }",
               [](R& r) { r.on("edit", "Billing").role("accountant").custom(0); }, "allow granted custom"},
    OracleCase{"6.2 custom role: not a holder", "catalog c for accountant { grantable view, edit on Billing; }",
               [](R& r) { r.on("edit", "Billing").role("admin").custom(0); }, "deny no-grant"},
    OracleCase{"6.3 custom role: condition", "catalog c for accountant { grantable view on Call when resource has owner && resource.owner == principal; }",
               [](R& r) { r.on("view", "Call").role("accountant").custom(0); }, "deny no-grant"},
    OracleCase{"6.4 custom role: one entry suffices", "catalog c for accountant { grantable view on Call when false; grantable view on Voice; }",
               [](R& r) { r.on("view", "Call").role("accountant").custom(0); }, "allow granted custom"},
    OracleCase{"6.5 forbid beats custom role", "forbid view on Billing; catalog c for accountant { grantable view on Billing; }",
               [](R& r) { r.on("view", "Billing").role("accountant").custom(0); }, "deny forbidden rule=0"},
    OracleCase{"6.6 grant with obligations", "grant accountant view on Billing with audit; catalog c for accountant { grantable view on Billing; }",
               [](R& r) { r.on("view", "Billing").role("accountant"); }, "allow granted rule=0 obligations=0x4"},
    OracleCase{"6.7 a custom role's grant carries no obligation", "grant accountant view on Billing with audit; catalog c for accountant { grantable view on Billing; }",
               [](R& r) { r.on("view", "Billing").role("accountant").custom(0); }, "allow granted rule=0"}));

// ---- the seed policies, through the oracle alone ------------------------------------
TEST(ReferenceEvalSeeds, EveryPolicyChecksAndEvaluates) {
  for (const auto& entry : fs::directory_iterator(fs::path(EDICT_SOURCE_DIR) / "policies")) {
    if (entry.path().extension() != ".edict") continue;
    SCOPED_TRACE(entry.path().string());
    Diagnostics diags;
    compiler::Workspace ws = compiler::load({entry.path().string()}, diags);
    ASSERT_EQ(ws.roots.size(), 1u);
    auto policy = compiler::check(ws, ws.roots[0], diags);
    ASSERT_TRUE(policy) << render(diags, ws);
    ReferenceEvaluator oracle(*policy);
    testing::RequestGenerator gen(*policy);
    testing::GeneratedRequest g;
    size_t allowed = 0;
    for (int i = 0; i < 2000; ++i) {
      gen.next(g);
      allowed += oracle.evaluate(g.request).allowed() ? 1 : 0;
    }
    EXPECT_GT(allowed, 0u) << "requests never allowed: the generator misses the policy";
  }
}

// What the generated policies contain, so the generator cannot silently lose a
// construct: every operator and every kind of declaration must show up.
void count_condition(const ast::Expr& e, std::map<std::string, int>& seen) {
  using K = ast::ExprKind;
  auto is_condition = [](const ast::Expr& x) {
    return x.kind == K::kNot || x.kind == K::kAnd || x.kind == K::kOr || x.kind == K::kCompare ||
           x.kind == K::kIn || x.kind == K::kHas || x.kind == K::kIs;
  };
  switch (e.kind) {
    case K::kAnd: ++seen["&&"]; break;
    case K::kOr: ++seen["||"]; break;
    case K::kNot: ++seen["!"]; break;
    case K::kBool: ++seen["true/false"]; return;
    case K::kPath: ++seen["bool attribute"]; return;
    case K::kCompare:
      ++seen[std::string("cmp ") + ast::to_string(e.op)];
      if (is_condition(*e.children[0]) || is_condition(*e.children[1])) ++seen["conditions compared"];
      for (const auto& c : e.children) {
        if (c->kind == K::kQualified) ++seen["Enum.value"];
        if (c->kind == K::kName) ++seen["bare name"];
        if (c->kind == K::kString) ++seen["string literal"];
        if (c->kind == K::kInt) ++seen["int literal"];
        if (c->kind == K::kPath && c->name.text.empty()) ++seen["principal as a value"];
        if (c->kind == K::kPath && c->name.text == "rank") ++seen["principal.rank"];
        if (c->kind == K::kPath && c->name.text == "tenant") ++seen["tenant"];
      }
      break;
    case K::kIn:
      ++seen[e.children[1]->kind == K::kSetLit ? "in [list]" : "in set"];
      if (e.children[0]->kind == K::kPath && e.children[0]->name.text.empty()) ++seen["principal in"];
      break;
    case K::kHas: ++seen[std::string(ast::to_string(e.children[0]->root)) + " has"]; return;
    case K::kIs: {
      const ast::Expr& subject = *e.children[0];
      const bool bare = subject.kind == K::kPath && subject.name.text.empty();
      ++seen[bare ? std::string(ast::to_string(subject.root)) + " is" : "Role value is"];
      break;
    }
    default: break;
  }
  for (const auto& c : e.children) {
    if (is_condition(*c) || c->kind == K::kBool || (c->kind == K::kPath && e.kind != K::kCompare && e.kind != K::kIn && e.kind != K::kIs)) {
      count_condition(*c, seen);
    }
  }
}

TEST(PolicyGen, CoversTheLanguage) {
  testing::PolicyGenerator gen(testing::kDefaultPolicySeed);
  std::map<std::string, int> seen;
  for (int i = 0; i < 1000; ++i) {
    const Checked c = check_text(gen.next().source());
    ASSERT_TRUE(c.policy) << c.diagnostics;
    const compiler::Policy& p = *c.policy;
    if (p.superadmin) ++seen["superadmin"];
    for (const auto& r : p.roles) {
      if (p.superadmin && r.ancestors.size() > 1 && std::count(r.ancestors.begin(), r.ancestors.end(), *p.superadmin) && r.ancestors.front() != *p.superadmin) ++seen["role extending the superadmin"];
    }
    if (!p.rank_ladder.empty()) ++seen["rank ladder"];
    if (!p.categories.empty()) ++seen["category"];
    if (!p.action_groups.empty()) ++seen["action group"];
    if (p.roles.size() > 64) ++seen["more than 64 roles"];
    if (p.obligations[0].params.size() > 32) ++seen["more than 32 obligation instances"];
    if (p.rules.size() > 30) ++seen["more than 30 rules"];
    for (const auto& r : p.rules) {
      ++seen[r.effect == ast::Effect::kGrant ? "grant" : "forbid"];
      if (r.effect == ast::Effect::kForbid && r.roles.empty()) ++seen["forbid for everyone"];
      if (!r.obligations.empty()) ++seen["with"];
      if (r.when) count_condition(*r.when, seen);
      if (r.unless) count_condition(*r.unless, seen);
      if (r.unless && r.unless->kind == ast::ExprKind::kIs && r.unless->children[0]->root == ast::Root::kPrincipal) {
        ++seen["unless principal is"];
      }
      if (r.when && r.unless) ++seen["when and unless"];
    }
    for (const auto& cat : p.catalogs) {
      ++seen["catalog"];
      for (const auto& e : cat.entries) {
        if (e.when) ++seen["catalog condition"];
      }
    }
  }
  std::ostringstream all;
  for (const auto& [k, v] : seen) all << k << ": " << v << "\n";
  for (const char* k : {"&&", "||", "!", "true/false", "bool attribute", "cmp ==", "cmp !=", "cmp <", "cmp <=", "cmp >",
                        "cmp >=", "conditions compared", "Enum.value", "bare name", "string literal", "int literal",
                        "principal as a value", "principal.rank", "tenant", "in [list]", "in set", "principal in",
                        "principal has", "resource has", "context has", "principal is", "resource is", "Role value is",
                        "superadmin", "role extending the superadmin", "rank ladder", "category", "action group",
                        "more than 64 roles", "more than 32 obligation instances", "more than 30 rules", "grant",
                        "forbid", "forbid for everyone", "with", "when and unless", "unless principal is", "catalog",
                        "catalog condition"}) {
    EXPECT_GE(seen[k], 3) << "generated policies rarely contain: " << k << "\n" << all.str();
  }
}

TEST(PolicyGen, GeneratedPoliciesCheck) {
  testing::PolicyGenerator gen(env_or("EDICT_DIFF_SEED", testing::kDefaultPolicySeed));
  int rejected = 0;
  const int n = 300;
  for (int i = 0; i < n; ++i) {
    const auto p = gen.next();
    const Checked c = check_text(p.source());
    if (!c.policy) {
      ++rejected;
      if (rejected <= 3) std::cerr << "rejected (seed " << p.seed << "):\n" << p.source() << c.diagnostics << "\n";
    }
  }
  std::cerr << "generated " << n << " policies, " << rejected << " rejected by the checker\n";
  EXPECT_LE(rejected, n / 50) << "generated policies should almost always check";
}

// ---- the differential runs ---------------------------------------------------------
// A policy compiled both ways: checked (for the oracle) and lowered and loaded
// (for the runtime).
struct Subject {
  std::string name;    // file name, or "generated seed N"
  std::string source;  // printed on a mismatch
  Checked checked;
  std::shared_ptr<const runtime::Table> table;
};

std::vector<std::byte> lower_checked(const Checked& c, std::string& error) {
  Diagnostics diags;
  auto bytes = compiler::lower(*c.ws, c.ws->roots[0], *c.policy, {}, diags);
  if (!bytes) {
    error = "does not lower:\n" + render(diags, *c.ws);
    return {};
  }
  return *bytes;
}

std::shared_ptr<const runtime::Table> load_table(const std::vector<std::byte>& bytes, std::string& error) {
  auto table = runtime::Table::load(bytes);
  if (!table) {
    error = "does not load: " + table.error().message;
    return nullptr;
  }
  return *table;
}

// Generated text: load_text + check + lower + load. Null policy: the checker
// rejected it (counted by the caller); null table: a failure, with `error` set.
Subject compile_generated(const std::string& name, const std::string& source, std::string& error) {
  Subject s{name, source, check_text(source), nullptr};
  if (!s.checked.policy) return s;
  const auto bytes = lower_checked(s.checked, error);
  if (bytes.empty()) return s;
  // The lowering is deterministic: the same policy gives the same bytes.
  if (lower_checked(s.checked, error) != bytes) {
    error = "lowering the same policy twice gave different bytes";
    return s;
  }
  s.table = load_table(bytes, error);
  return s;
}

// A policy file: compile_files for the table, load + check for the oracle.
Subject compile_file(const fs::path& path, std::string& error) {
  Subject s{path.filename().string(), {}, {}, nullptr};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  s.source = text.str();
  Diagnostics diags;
  compiler::Workspace ws;
  auto bytes = compiler::compile_files({path.string()}, {}, diags, ws);
  if (!bytes) {
    error = "does not compile:\n" + render(diags, ws);
    return s;
  }
  Diagnostics diags2;
  *s.checked.ws = compiler::load({path.string()}, diags2);
  auto policy = compiler::check(*s.checked.ws, s.checked.ws->roots.at(0), diags2);
  if (!policy) {
    error = "compiles but does not check:\n" + render(diags2, *s.checked.ws);
    return s;
  }
  s.checked.policy = std::move(*policy);
  s.table = load_table(*bytes, error);
  return s;
}

struct Totals {
  uint64_t policies = 0;
  uint64_t requests = 0;
  uint64_t mismatches = 0;
  uint64_t by_reason[5] = {};
  uint64_t custom_allows = 0;
  uint64_t obligation_allows = 0;
  uint64_t planned = 0;  // decided by a single-role plan (table.h)
  uint64_t cut = 0;      // asked again with trailing absent attributes cut off

  void add(const Totals& o) {
    policies += o.policies;
    requests += o.requests;
    mismatches += o.mismatches;
    for (int i = 0; i < 5; ++i) by_reason[i] += o.by_reason[i];
    custom_allows += o.custom_allows;
    obligation_allows += o.obligation_allows;
    planned += o.planned;
    cut += o.cut;
  }
  std::string text() const {
    std::ostringstream o;
    o << policies << " policies, " << requests << " requests, " << mismatches << " mismatches; granted "
      << by_reason[0] << " (custom role " << custom_allows << ", with obligations " << obligation_allows
      << "), no-grant " << by_reason[1] << ", forbidden " << by_reason[2] << ", tenant-mismatch " << by_reason[3]
      << ", bad-request " << by_reason[4] << "; " << planned << " decided by single-role plans; " << cut
      << " asked again with shorter attribute arrays";
    return o.str();
  }
};

bool same(const Decision& a, const Decision& b) {
  return a.effect == b.effect && a.reason == b.reason && a.rule == b.rule && a.obligations == b.obligations &&
         a.custom_role == b.custom_role;
}

// Tenants' custom roles: for each catalog, a few roles over random subsets of the
// pairs it lists, added through runtime::CustomRoles and mirrored for the oracle.
// Also checks that add() refuses a pair its catalog does not list.
void make_custom_roles(const compiler::Policy& p, testing::Rng& rng, runtime::CustomRoles& custom,
                       ReferenceCustomRoles& ref, const std::string& name) {
  for (uint32_t k = 0; k < p.catalogs.size(); ++k) {
    std::set<std::pair<uint32_t, uint32_t>> listed;
    for (const auto& e : p.catalogs[k].entries) listed.insert(e.pairs.begin(), e.pairs.end());
    const std::vector<std::pair<uint32_t, uint32_t>> pairs(listed.begin(), listed.end());
    for (uint32_t j = 0, n = 1 + rng.below(3); j < n; ++j) {
      testkit::ReferenceCustomRole role{"c" + std::to_string(k) + "_" + std::to_string(j), k, {}};
      runtime::CustomRoleSpec spec{role.name, p.catalogs[k].name, {}};
      for (const auto& pair : pairs) {
        if (!rng.chance(60)) continue;
        role.permissions.push_back(pair);
        spec.permissions.emplace_back(p.actions[pair.first].name, p.resources[pair.second].name);
      }
      auto added = custom.add(spec);
      ASSERT_TRUE(added) << name << ": CustomRoles::add refused a role within its catalog: " << added.error();
      ASSERT_EQ(*added, ref.roles.size()) << name;
      ref.roles.push_back(std::move(role));
    }
    // A supported pair outside the catalog must be refused.
    for (uint32_t t = 0; t < p.resources.size(); ++t) {
      for (uint32_t a : p.resources[t].actions) {
        if (listed.count({a, t})) continue;
        runtime::CustomRoleSpec spec{"too_much" + std::to_string(k), p.catalogs[k].name,
                                     {{p.actions[a].name, p.resources[t].name}}};
        EXPECT_FALSE(custom.add(spec)) << name << ": CustomRoles::add accepted `" << p.actions[a].name << "` on `"
                                       << p.resources[t].name << "`, which catalog `" << p.catalogs[k].name
                                       << "` does not list";
        goto next_catalog;  // one is enough
      }
    }
  next_catalog:;
  }
}

// ---- localizing a mismatch -----------------------------------------------------------
// Source text for an expression, fully parenthesized (spans are not used: a
// binary expression's span may start inside its first operand's parentheses).
std::string expr_text(const ast::Expr& e) {
  auto child = [&](size_t i) { return "(" + expr_text(*e.children[i]) + ")"; };
  switch (e.kind) {
    case ast::ExprKind::kBool: return e.bool_value ? "true" : "false";
    case ast::ExprKind::kInt: return std::to_string(e.int_value);
    case ast::ExprKind::kString: {
      std::string out = "\"";
      for (char c : e.text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        if (c == '\t') { out += "\\t"; continue; }
        out += c;
      }
      return out + "\"";
    }
    case ast::ExprKind::kName: return e.name.text;
    case ast::ExprKind::kQualified: return e.qualifier.text + "." + e.name.text;
    case ast::ExprKind::kPath:
      return std::string(ast::to_string(e.root)) + (e.name.text.empty() ? "" : "." + e.name.text);
    case ast::ExprKind::kSetLit: {
      std::string out = "[";
      for (size_t i = 0; i < e.children.size(); ++i) out += (i ? ", " : "") + expr_text(*e.children[i]);
      return out + "]";
    }
    case ast::ExprKind::kNot: return "!" + child(0);
    case ast::ExprKind::kAnd:
    case ast::ExprKind::kOr: {
      std::string out;
      for (size_t i = 0; i < e.children.size(); ++i) {
        out += (i ? (e.kind == ast::ExprKind::kAnd ? " && " : " || ") : "") + child(i);
      }
      return out;
    }
    case ast::ExprKind::kCompare: return child(0) + " " + ast::to_string(e.op) + " " + child(1);
    case ast::ExprKind::kIn: return child(0) + " in " + child(1);
    case ast::ExprKind::kHas: return expr_text(*e.children[0]) + " has " + e.name.text;
    case ast::ExprKind::kIs: return expr_text(*e.children[0]) + " is " + e.name.text;
  }
  return "?";
}

void post_order(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
  for (const auto& c : e.children) post_order(*c, out);
  out.push_back(&e);
}

const char* truth_name(bool when_applies, bool unless_applies) {
  if (when_applies && unless_applies) return "error";
  if (when_applies) return "true";
  if (unless_applies) return "false";
  return "neither?";
}

// Finds the smallest conditions on which the runtime and the oracle disagree:
// each condition of the rules (and catalog entries) of the request's cell, and
// each of their sub-conditions, becomes the only rule of a copy of the policy,
// as `forbid * on TYPES when (C)` and `forbid * on TYPES unless (C)` (TYPES: the
// resource types of the original rule, so the checker judges `has` guards as
// it did there); which of the two applies tells C's truth value (true / false
// / error) on each side.
std::string localize(const Subject& s, const runtime::Request& original) {
  const compiler::Policy& p = *s.checked.policy;
  if (s.checked.ws->files.size() != 1) return "  (not localized: the policy has several files)\n";
  runtime::Request req = original;
  req.custom_roles = {};
  if (req.action >= p.actions.size() || req.resource_type >= p.resources.size()) return "";
  const auto& sup = p.resources[req.resource_type].actions;
  if (!std::binary_search(sup.begin(), sup.end(), req.action)) return "";
  // The declarations alone: every rule and catalog blanked out.
  std::string base(s.checked.ws->sources.file(s.checked.ws->roots[0]).text());
  auto blank = [&](Span sp) {
    for (uint32_t i = sp.begin; i < sp.end && i < base.size(); ++i) {
      if (base[i] != '\n') base[i] = ' ';
    }
  };
  for (const auto& r : p.rules) blank(r.span);
  for (const auto& c : p.catalogs) blank(c.span);

  // The truth of `cond` on each side; nullopt when the variant does not check.
  auto truth = [&](const std::string& types, const std::string& cond) -> std::optional<std::pair<std::string, std::string>> {
    std::string results[2][2];  // [when/unless][oracle/runtime]
    for (int k = 0; k < 2; ++k) {
      const std::string src = base + "\nforbid * on " + types + (k == 0 ? " when (" : " unless (") + cond + ");\n";
      std::string error;
      const Subject v = compile_generated("variant", src, error);
      if (!v.checked.policy || !v.table) return std::nullopt;
      results[k][0] = ReferenceEvaluator(*v.checked.policy).evaluate(req).reason == runtime::Reason::kForbidden ? "1" : "0";
      results[k][1] = runtime::evaluate(*v.table, req).reason == runtime::Reason::kForbidden ? "1" : "0";
    }
    return std::make_pair(std::string(truth_name(results[0][0] == "1", results[1][0] == "1")),
                          std::string(truth_name(results[0][1] == "1", results[1][1] == "1")));
  };

  std::ostringstream out;
  int found = 0;
  auto examine = [&](const std::string& owner, const ast::Expr* e, const std::vector<std::pair<uint32_t, uint32_t>>& pairs) {
    if (e == nullptr || found >= 3) return;
    std::set<uint32_t> type_ids;
    for (auto [a, t] : pairs) type_ids.insert(t);
    std::string types;
    for (uint32_t t : type_ids) types += (types.empty() ? "" : ", ") + p.resources[t].name;
    std::vector<const ast::Expr*> nodes;
    post_order(*e, nodes);
    for (const ast::Expr* n : nodes) {
      const std::string text = expr_text(*n);
      const auto t = truth(types, text);
      if (!t || t->first == t->second) continue;
      out << "  " << owner << ": `" << text << "` is " << t->first << " for the oracle, " << t->second
          << " for the runtime\n";
      if (++found >= 3) return;
      break;  // the smallest in this condition; its ancestors differ because of it
    }
  };
  for (uint32_t i = 0; i < p.rules.size(); ++i) {
    const auto& r = p.rules[i];
    if (std::find(r.pairs.begin(), r.pairs.end(), std::make_pair(req.action, req.resource_type)) == r.pairs.end()) continue;
    examine("rule " + std::to_string(i) + " `" + r.name + "` when", r.when, r.pairs);
    examine("rule " + std::to_string(i) + " `" + r.name + "` unless", r.unless, r.pairs);
  }
  for (const auto& c : p.catalogs) {
    for (const auto& e : c.entries) {
      if (std::find(e.pairs.begin(), e.pairs.end(), std::make_pair(req.action, req.resource_type)) == e.pairs.end()) continue;
      examine("catalog `" + c.name + "` entry", e.when, e.pairs);
    }
  }
  if (found == 0) {
    return "  every condition of the cell that can stand alone has the same truth value on both sides: the difference "
           "is in how rules combine\n";
  }
  return out.str();
}

// `values` without its trailing absent values.
std::span<const Value> without_trailing_absent(std::span<const Value> values) {
  while (!values.empty() && values.back().kind == runtime::ValueKind::kAbsent) values = values.first(values.size() - 1);
  return values;
}

// `requests` random requests: the runtime must agree with the oracle.
Totals differential(const Subject& s, uint64_t seed, uint64_t requests) {
  Totals totals;
  totals.policies = 1;
  const compiler::Policy& policy = *s.checked.policy;
  const ReferenceEvaluator oracle(policy);
  testing::Rng rng(seed);
  runtime::CustomRoles custom(s.table);
  ReferenceCustomRoles ref;
  make_custom_roles(policy, rng, custom, ref, s.name);
  testing::RequestGenOptions options;
  options.custom_role_count = static_cast<uint32_t>(ref.roles.size());
  testing::RequestGenerator gen(policy, rng.next(), options);
  testing::GeneratedRequest g;
  bool printed_policy = false;
  for (uint64_t i = 0; i < requests; ++i) {
    gen.next(g);
    const bool with_custom = rng.chance(85);
    if (!with_custom && rng.chance(90)) g.request.custom_roles = {};
    const Decision want = oracle.evaluate(g.request, with_custom ? &ref : nullptr);
    const Decision got = runtime::evaluate(*s.table, g.request, with_custom ? &custom : nullptr);
    ++totals.requests;
    ++totals.by_reason[static_cast<int>(want.reason)];
    totals.custom_allows += want.custom_role ? 1 : 0;
    totals.obligation_allows += want.allowed() && want.obligations != 0 ? 1 : 0;
    // explain() evaluates the same request; its decision must be evaluate()'s.
    if (i % 64 == 0) {
      const Decision explained = runtime::explain(*s.table, g.request, with_custom ? &custom : nullptr).decision;
      EXPECT_TRUE(same(explained, got)) << s.name << ": explain() decides " << brief(explained) << " but evaluate() "
                                        << brief(got) << "\n  request: "
                                        << testkit::describe_request(policy, g.request, with_custom ? &ref : nullptr);
    }
    // An attribute past the end of its array is absent: the request with its
    // arrays' trailing absent values cut off decides identically. A node reads
    // an attribute in its array in place, and one past the end on another path
    // (eval.cc's node_general()).
    runtime::Request cut = g.request;
    cut.principal_attrs = without_trailing_absent(cut.principal_attrs);
    cut.resource_attrs = without_trailing_absent(cut.resource_attrs);
    cut.context_attrs = without_trailing_absent(cut.context_attrs);
    if (cut.principal_attrs.size() + cut.resource_attrs.size() + cut.context_attrs.size() <
        g.request.principal_attrs.size() + g.request.resource_attrs.size() + g.request.context_attrs.size()) {
      ++totals.cut;
      const Decision got_cut = runtime::evaluate(*s.table, cut, with_custom ? &custom : nullptr);
      EXPECT_TRUE(testing::identical(got_cut, got))
          << s.name << ": with trailing absent attributes cut off, the runtime decides " << brief(got_cut) << " ("
          << got_cut.condition_errors << " errors), with them " << brief(got) << " (" << got.condition_errors
          << " errors)\n  request: " << testkit::describe_request(policy, g.request, with_custom ? &ref : nullptr);
    }
    // A request holding one role takes its cell's plan, if the cell has one; the
    // same role given twice takes the general path. Both must decide alike,
    // whatever the oracle says.
    const runtime::Request& q = g.request;
    if (q.roles.size() == 1 && q.action < s.table->action_count() && q.resource_type < s.table->resource_count() &&
        q.roles[0] < s.table->role_count()) {
      const uint32_t cell = q.action * s.table->resource_count() + q.resource_type;
      if (s.table->plan(cell, q.roles[0]) != runtime::Table::kNoPlan) {
        ++totals.planned;
        // Also the conditions that erred: the oracle may count those its own
        // way, but the runtime's two paths must not differ.
        const Decision general = testing::evaluate_general_path(*s.table, q, with_custom ? &custom : nullptr);
        EXPECT_TRUE(testing::identical(general, got))
            << s.name << ": the plan decides " << brief(got) << " (" << got.condition_errors
            << " errors), the general path " << brief(general) << " (" << general.condition_errors
            << " errors)\n  request: " << testkit::describe_request(policy, q, with_custom ? &ref : nullptr);
      }
    }
    if (same(want, got)) continue;
    ++totals.mismatches;
    std::ostringstream msg;
    if (!printed_policy) {
      msg << "==== policy " << s.name << " ====\n" << s.source << "\n==== end of policy ====\n";
      printed_policy = true;
    }
    msg << "MISMATCH in " << s.name << ", request " << i << ": ";
    if (want.allowed() != got.allowed()) {
      msg << (want.allowed() ? "should allow (but denies)" : "should deny (but allows)");
    } else {
      msg << "same effect, different details";
    }
    msg << "\n  request: " << testkit::describe_request(policy, g.request, with_custom ? &ref : nullptr)
        << "\n  custom roles " << (with_custom ? "given" : "not given (null)")
        << "\n  oracle:  " << testkit::describe_decision(policy, want)
        << "\n  runtime: " << testkit::describe_decision(policy, got) << "\n";
    if (totals.mismatches == 1) msg << localize(s, g.request);
    ADD_FAILURE() << msg.str();
    if (totals.mismatches == 5) {
      ADD_FAILURE() << s.name << ": stopping after 5 mismatches";
      break;
    }
  }
  return totals;
}

// Debug and sanitizer builds run a tenth of the default sizes (re2's RE2_DEBUG_MODE).
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDebugDivisor = 10;
#else
constexpr uint64_t kDebugDivisor = 1;
#endif
uint64_t requests_per_policy() { return env_or("EDICT_DIFF_REQUESTS", 2000 / kDebugDivisor); }
uint64_t policy_count() { return env_or("EDICT_DIFF_POLICIES", 1000 / kDebugDivisor); }
uint64_t base_seed() { return env_or("EDICT_DIFF_SEED", testing::kDefaultPolicySeed); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(Differential, RepositoryPolicies) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(EDICT_SOURCE_DIR) / "policies")) {
    if (entry.path().extension() == ".edict") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  Totals totals;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string error;
    const Subject s = compile_file(files[i], error);
    if (!s.table) {
      ADD_FAILURE() << files[i] << " " << error;
      continue;
    }
    totals.add(differential(s, base_seed() + 1000 + i, 25 * requests_per_policy()));
  }
  std::cerr << "policies/: " << totals.text() << " in " << seconds_since(start) << " s\n";
  EXPECT_EQ(totals.mismatches, 0u);
  EXPECT_GT(totals.planned, totals.requests / 20);  // the plans were exercised
  EXPECT_GT(totals.cut, totals.requests / 20);
}

TEST(Differential, GeneratedPolicies) {
  const auto start = std::chrono::steady_clock::now();
  testing::PolicyGenerator gen(base_seed());
  Totals totals;
  uint64_t rejected = 0;
  for (uint64_t i = 0; i < policy_count(); ++i) {
    const testing::GeneratedPolicy p = gen.next();
    const std::string name = "generated seed " + std::to_string(p.seed);
    std::string error;
    const Subject s = compile_generated(name, p.source(), error);
    if (!s.checked.policy) {
      ++rejected;
      continue;
    }
    if (!s.table) {
      ADD_FAILURE() << name << " " << error << "\n" << p.source();
      continue;
    }
    totals.add(differential(s, p.seed, requests_per_policy()));
  }
  std::cerr << "generated: " << totals.text() << "; " << rejected << " generated sources rejected by the checker; "
            << seconds_since(start) << " s\n";
  EXPECT_EQ(totals.mismatches, 0u);
  EXPECT_GT(totals.planned, totals.requests / 20);  // the plans were exercised
  EXPECT_GT(totals.cut, totals.requests / 20);
  EXPECT_LE(rejected, policy_count() / 50 + 1);
}

// The hand-written cases again, through the compiled table and the runtime.
TEST_P(ReferenceEval, RuntimeAgrees) {
  const OracleCase& c = GetParam();
  std::string error;
  const Subject s = compile_generated(c.id, kSchema + c.rules, error);
  ASSERT_TRUE(s.checked.policy) << s.checked.diagnostics;
  ASSERT_TRUE(s.table) << error;
  runtime::CustomRoles custom(s.table);
  for (const auto& cat : s.checked.policy->catalogs) {
    runtime::CustomRoleSpec spec{"custom_" + cat.name, cat.name, {}};
    for (const auto& e : cat.entries) {
      for (auto [a, t] : e.pairs) spec.permissions.emplace_back(s.checked.policy->actions[a].name, s.checked.policy->resources[t].name);
    }
    ASSERT_TRUE(custom.add(spec));
  }
  NamedRequest r(*s.checked.policy);
  c.request(r);
  const runtime::Request& req = r.get();
  EXPECT_EQ(brief(runtime::evaluate(*s.table, req, &custom)), c.expected)
      << c.id << "\n" << c.rules << "\n" << testkit::describe_request(*s.checked.policy, req);
}

// ---- metamorphic invariants ---------------------------------------------------------------
// Rewrites of a policy that must not change any decision's effect (nor, by the
// semantics, its reason, obligations or custom-role origin; only which rule is
// named may change). Both versions are compiled and run on the same requests.
void metamorphic(const std::string& what, const testing::GeneratedPolicy& p, const std::string& rewritten,
                 uint64_t requests, uint64_t& compared) {
  const std::string name = "generated seed " + std::to_string(p.seed);
  std::string error;
  const Subject a = compile_generated(name, p.source(), error);
  if (!a.checked.policy) return;  // rejected by the checker: counted elsewhere
  ASSERT_TRUE(a.table) << name << " " << error;
  const Subject b = compile_generated(name + " " + what, rewritten, error);
  ASSERT_TRUE(b.checked.policy) << what << " made the policy invalid:\n" << rewritten << b.checked.diagnostics;
  ASSERT_TRUE(b.table) << name << " " << what << ": " << error;
  const compiler::Policy& policy = *a.checked.policy;
  testing::Rng rng(p.seed ^ 0x5A5A);
  runtime::CustomRoles custom_a(a.table), custom_b(b.table);
  ReferenceCustomRoles ref_a, ref_b;
  testing::Rng rng_b = rng;  // the same custom roles on both sides
  make_custom_roles(policy, rng, custom_a, ref_a, name);
  make_custom_roles(*b.checked.policy, rng_b, custom_b, ref_b, name);
  testing::RequestGenOptions options;
  options.custom_role_count = static_cast<uint32_t>(ref_a.roles.size());
  testing::RequestGenerator gen(policy, rng.next(), options);
  testing::GeneratedRequest g;
  int mismatches = 0;
  for (uint64_t i = 0; i < requests && mismatches < 5; ++i) {
    gen.next(g);
    const Decision da = runtime::evaluate(*a.table, g.request, &custom_a);
    const Decision db = runtime::evaluate(*b.table, g.request, &custom_b);
    ++compared;
    if (da.effect == db.effect && da.reason == db.reason && da.obligations == db.obligations &&
        da.custom_role == db.custom_role) {
      continue;
    }
    ++mismatches;
    ADD_FAILURE() << what << " changed a decision of " << name << ":\n==== original ====\n" << p.source()
                  << "==== " << what << " ====\n" << rewritten << "====\n  request: "
                  << testkit::describe_request(policy, g.request, &ref_a)
                  << "\n  original:  " << testkit::describe_decision(policy, da)
                  << "\n  rewritten: " << testkit::describe_decision(*b.checked.policy, db);
  }
}

TEST(Metamorphic, RuleOrderDoesNotMatter) {
  const auto start = std::chrono::steady_clock::now();
  testing::PolicyGenerator gen(base_seed() ^ 0x0DDE);
  uint64_t compared = 0;
  const uint64_t n = std::max<uint64_t>(1, policy_count() / 4);
  for (uint64_t i = 0; i < n; ++i) {
    const testing::GeneratedPolicy p = gen.next();
    std::vector<size_t> order(p.rules.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = order.size() - 1 - k;  // reversed, then shuffled
    testing::Rng rng(p.seed);
    for (size_t k = order.size(); k > 1; --k) {
      if (rng.chance(50)) std::swap(order[k - 1], order[rng.below(static_cast<uint32_t>(k))]);
    }
    metamorphic("reordering the rules", p, p.source(order), requests_per_policy() / 2, compared);
  }
  std::cerr << "rule order: " << n << " policies, " << compared << " requests compared in " << seconds_since(start)
            << " s\n";
}

TEST(Metamorphic, RulesThatNeverApplyChangeNothing) {
  testing::PolicyGenerator gen(base_seed() ^ 0xFA15E);
  uint64_t compared = 0;
  const uint64_t n = std::max<uint64_t>(1, policy_count() / 8);
  for (uint64_t i = 0; i < n; ++i) {
    testing::GeneratedPolicy p = gen.next();
    testing::GeneratedPolicy q = p;
    // Every generated policy has a role `viewer`; `*` on `*` reaches every cell.
    q.rules.insert(q.rules.begin(), "forbid * on * when false;\n");
    q.rules.push_back("grant viewer * on * when false with redact(pii);\n");
    q.rules.push_back("forbid viewer * on * unless true;\n");
    metamorphic("adding rules that never apply", p, q.source(), requests_per_policy() / 2, compared);
  }
  std::cerr << "never-applying rules: " << n << " policies, " << compared << " requests compared\n";
}

}  // namespace
}  // namespace edict
