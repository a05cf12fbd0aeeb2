// tests/runtime_test.cc: compiled tables evaluated: semantics, explanations,
// custom roles, the loader's rejection of corrupt tables, and zero allocation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <fmt/format.h>

#include "runtime/custom_roles.h"
#include "runtime/eval.h"
#include "runtime/request_builder.h"
#include "tests/testing/compile_text.h"
#include "tests/testing/general_path.h"

// Counts heap allocations made by this test binary (the zero-allocation test).
// GCC cannot see that the replacement new and delete below are a matched pair
// (both use malloc/free), so its mismatched-new-delete warning is a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<long> g_allocations{0};
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
// Every form that pairs with the malloc above frees with free: the library's own
// nothrow new (std::stable_sort's buffer) must not reach the sanitizer's new and
// then this delete (ASan: alloc-dealloc-mismatch).
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace edict {
namespace {

using runtime::Decision;
using runtime::Effect;
using runtime::Reason;
using runtime::RequestError;
using runtime::RequestBuilder;
using Root = runtime::format::Root;

const std::string kPolicy = R"(
enum Status { invited, active, suspended }
entity Group;
entity Ivr;
entity User { status: Status, groups: set<Group>, ivrs: set<Ivr>, level: int }
action view, edit, delete, assign_role, export;
action manage = view | edit | delete;
resource Call { group: Group?, ivr: Ivr?, owner: User?, label: string? } actions manage, export;
resource Transcript actions view;
resource Member { role: Role } actions view, edit, assign_role;
resource Billing actions view, edit;
context { mfa: bool, new_role: Role? }
superadmin role root;
role agent;
role manager extends agent;
role admin extends manager;
role accountant;
rank agent < manager < admin;
obligation redact(pii, payment);

admin_all: grant admin manage, export on Call;
scoped: grant agent view on Call
  when (resource has group && resource.group in principal.groups)
    || (resource has ivr && resource.ivr in principal.ivrs);
own_calls: grant agent edit on Call when resource has owner && resource.owner == principal;
scrubbed: grant agent view on Transcript with redact(pii);
full_transcript: grant manager view on Transcript;
edit_below: grant manager edit on Member when resource.role < principal.rank;
billing: grant accountant view, edit on Billing;
export_needs_mfa: forbid export on Call unless context.mfa;
no_admin_edits: forbid edit, assign_role on Member when resource.role == admin unless principal is root;
inactive: forbid * on * when principal.status != active;
labelled: grant agent delete on Call when resource has label && resource.label == "temp";

catalog custom for agent {
  grantable view, edit on Billing;
  grantable export on Call when resource has group && resource.group in principal.groups;
}
)";

class Runtime : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = testing::compile_source(kPolicy);
    ASSERT_NE(table_, nullptr);
  }
  // A request by an active principal of tenant t1 on a resource of t1.
  RequestBuilder make(const char* action, const char* type, std::initializer_list<const char*> roles) {
    RequestBuilder b(*table_, custom_.get());
    b.action(action).resource_type(type).principal("u1", "t1").resource_tenant("t1");
    for (const char* r : roles) b.role(r);
    b.attr(Root::kPrincipal, "status", "active");
    return b;
  }
  Decision eval(RequestBuilder& b) { return runtime::evaluate(*table_, b.build(), custom_.get()); }
  std::string rule(const Decision& d) { return d.rule == runtime::kNoRule ? "-" : std::string(table_->rule_name(d.rule)); }

  std::shared_ptr<const runtime::Table> table_;
  std::unique_ptr<runtime::CustomRoles> custom_;
};

TEST_F(Runtime, RoleOnlyGrantAndDefaultDeny) {
  auto b = make("view", "Call", {"admin"});
  Decision d = eval(b);
  EXPECT_EQ(d.effect, Effect::kAllow);
  EXPECT_EQ(rule(d), "admin_all");
  auto c = make("view", "Billing", {"admin"});
  d = eval(c);
  EXPECT_EQ(d.effect, Effect::kDeny);
  EXPECT_EQ(d.reason, Reason::kNoGrant);
}

TEST_F(Runtime, InheritanceGivesParentsPermissions) {
  auto b = make("view", "Transcript", {"admin"});  // admin extends manager extends agent
  Decision d = eval(b);
  EXPECT_EQ(d.effect, Effect::kAllow);
  EXPECT_EQ(d.obligations, 0u) << "full_transcript has no obligation, so redaction does not apply";
}

TEST_F(Runtime, ObligationAppliesOnlyIfEveryAllowingGrantCarriesIt) {
  auto b = make("view", "Transcript", {"agent"});
  Decision d = eval(b);
  ASSERT_EQ(d.effect, Effect::kAllow);
  ASSERT_NE(d.obligations, 0u);
  EXPECT_EQ(table_->obligation_text(static_cast<uint32_t>(__builtin_ctzll(d.obligations))), "redact(pii)");
}

TEST_F(Runtime, ScopeByGroupOrIvr) {
  auto in = make("view", "Call", {"agent"});
  in.attr(Root::kPrincipal, "groups", "g1,g2").attr(Root::kResource, "group", "g2");
  EXPECT_EQ(eval(in).effect, Effect::kAllow);
  auto out = make("view", "Call", {"agent"});
  out.attr(Root::kPrincipal, "groups", "g1,g2").attr(Root::kResource, "group", "g7");
  EXPECT_EQ(eval(out).effect, Effect::kDeny);
  auto by_ivr = make("view", "Call", {"agent"});
  by_ivr.attr(Root::kPrincipal, "groups", "g1").attr(Root::kPrincipal, "ivrs", "i1").attr(Root::kResource, "ivr", "i1");
  EXPECT_EQ(eval(by_ivr).effect, Effect::kAllow);
  auto neither = make("view", "Call", {"agent"});
  neither.attr(Root::kPrincipal, "groups", "g1");
  EXPECT_EQ(eval(neither).effect, Effect::kDeny);
}

TEST_F(Runtime, OwnershipComparesWithThePrincipal) {
  auto mine = make("edit", "Call", {"agent"});
  mine.attr(Root::kResource, "owner", "u1");
  EXPECT_EQ(eval(mine).effect, Effect::kAllow);
  auto theirs = make("edit", "Call", {"agent"});
  theirs.attr(Root::kResource, "owner", "u2");
  EXPECT_EQ(eval(theirs).effect, Effect::kDeny);
}

TEST_F(Runtime, ForbidBeatsGrantAndMissingDataFailsClosed) {
  auto no_mfa = make("export", "Call", {"admin"});
  Decision d = eval(no_mfa);
  EXPECT_EQ(d.effect, Effect::kDeny);
  EXPECT_EQ(d.reason, Reason::kForbidden);
  EXPECT_EQ(rule(d), "export_needs_mfa") << "context.mfa absent: the forbid's condition errs, so it applies";
  auto mfa = make("export", "Call", {"admin"});
  mfa.attr(Root::kContext, "mfa", "true");
  EXPECT_EQ(eval(mfa).effect, Effect::kAllow);
}

TEST_F(Runtime, StatusForbidAppliesToEveryone) {
  auto b = make("view", "Call", {"admin"});
  b.attr(Root::kPrincipal, "status", "suspended");
  Decision d = eval(b);
  EXPECT_EQ(d.effect, Effect::kDeny);
  EXPECT_EQ(rule(d), "inactive");
  RequestBuilder no_status(*table_);
  no_status.action("view").resource_type("Call").principal("u1", "t1").resource_tenant("t1").role("admin");
  EXPECT_EQ(runtime::evaluate(*table_, no_status.build()).effect, Effect::kDeny) << "unknown status fails closed";
}

TEST_F(Runtime, RankLadderAndTheSuperadmin) {
  auto below = make("edit", "Member", {"manager"});
  below.attr(Root::kResource, "role", "agent");
  EXPECT_EQ(eval(below).effect, Effect::kAllow);
  auto same = make("edit", "Member", {"manager"});
  same.attr(Root::kResource, "role", "manager");
  EXPECT_EQ(eval(same).effect, Effect::kDeny);
  auto admin_target = make("edit", "Member", {"root"});
  admin_target.attr(Root::kResource, "role", "admin");
  Decision d = eval(admin_target);
  EXPECT_EQ(d.effect, Effect::kAllow) << "the superadmin holds every permission and is exempt from no_admin_edits";
  EXPECT_EQ(rule(d), "superadmin `root`");
  auto root_billing = make("edit", "Billing", {"root"});
  EXPECT_EQ(eval(root_billing).effect, Effect::kAllow);
}

TEST_F(Runtime, StringEquality) {
  auto temp = make("delete", "Call", {"agent"});
  temp.attr(Root::kResource, "label", "temp");
  EXPECT_EQ(eval(temp).effect, Effect::kAllow);
  auto other = make("delete", "Call", {"agent"});
  other.attr(Root::kResource, "label", "tempo");
  EXPECT_EQ(eval(other).effect, Effect::kDeny);
}

TEST_F(Runtime, TenantIsolationIsBuiltIn) {
  auto b = make("view", "Call", {"admin"});
  b.resource_tenant("t2");
  Decision d = eval(b);
  EXPECT_EQ(d.effect, Effect::kDeny);
  EXPECT_EQ(d.reason, Reason::kTenantMismatch);
  RequestBuilder none(*table_);
  none.action("view").resource_type("Call").principal("u1", "").role("admin");
  EXPECT_EQ(runtime::evaluate(*table_, none.build()).reason, Reason::kTenantMismatch);
}

// Every combination of a present, other or missing tenant on either side: only
// equal present tenants go on to the rules; a missing one is told apart.
TEST_F(Runtime, TenantsMustBeEqualAndPresent) {
  auto b = make("view", "Call", {"admin"});
  const runtime::Request base = b.build();
  for (int64_t p : {int64_t{7}, int64_t{8}, runtime::kNoTenant}) {
    for (int64_t r : {int64_t{7}, int64_t{8}, runtime::kNoTenant}) {
      SCOPED_TRACE(fmt::format("principal tenant {}, resource tenant {}", p, r));
      runtime::Request req = base;
      req.principal_tenant = p;
      req.resource_tenant = r;
      const Decision d = runtime::evaluate(*table_, req);
      if (p == r && p != runtime::kNoTenant) {
        EXPECT_EQ(d.effect, Effect::kAllow);
        continue;
      }
      EXPECT_EQ(d.effect, Effect::kDeny);
      EXPECT_EQ(d.reason, Reason::kTenantMismatch);
      const bool missing = p == runtime::kNoTenant || r == runtime::kNoTenant;
      EXPECT_EQ(d.request_error, missing ? RequestError::kMissingTenant : RequestError::kNone);
    }
  }
}

TEST_F(Runtime, UnknownNamesAreDeniedWithAReason) {
  for (auto [action, type, role] : {std::tuple{"fly", "Call", "admin"}, std::tuple{"view", "Plane", "admin"},
                                    std::tuple{"view", "Call", "pilot"}}) {
    auto b = make(action, type, {role});
    Decision d = eval(b);
    EXPECT_EQ(d.effect, Effect::kDeny);
    EXPECT_EQ(d.reason, Reason::kBadRequest);
    EXPECT_FALSE(b.error_message().empty());
  }
  runtime::Request raw;
  raw.action = 999;
  EXPECT_EQ(runtime::evaluate(*table_, raw).reason, Reason::kBadRequest);
  const uint32_t bad_role = 999;
  raw.action = raw.resource_type = 0;
  raw.roles = {&bad_role, 1};
  raw.principal_tenant = raw.resource_tenant = 1;
  EXPECT_EQ(runtime::evaluate(*table_, raw).request_error, runtime::RequestError::kUnknownRole);
}

TEST_F(Runtime, UnknownNamesSuggestTheClosestName) {
  custom_ = std::make_unique<runtime::CustomRoles>(table_);
  ASSERT_TRUE(custom_->add({"billing_person", "custom", {{"view", "Billing"}}}).has_value());
  auto message = [&](auto&& set) {
    RequestBuilder b(*table_, custom_.get());
    set(b);
    EXPECT_EQ(eval(b).reason, Reason::kBadRequest);
    return b.error_message();
  };
  EXPECT_EQ(message([](RequestBuilder& b) { b.action("veiw"); }), "unknown action `veiw`; did you mean `view`?");
  EXPECT_EQ(message([](RequestBuilder& b) { b.action("fly"); }), "unknown action `fly`");
  EXPECT_EQ(message([](RequestBuilder& b) { b.resource_type("Transcipt"); }),
            "unknown resource type `Transcipt`; did you mean `Transcript`?");
  EXPECT_EQ(message([](RequestBuilder& b) { b.role("agnet"); }), "unknown role `agnet`; did you mean `agent`?");
  EXPECT_EQ(message([](RequestBuilder& b) { b.custom_role("billing_persn"); }),
            "unknown custom role `billing_persn`; did you mean `billing_person`?");
  // Among the attributes of the root named, by the attribute's own name.
  EXPECT_EQ(message([](RequestBuilder& b) { b.attr(Root::kPrincipal, "group", "g1"); }),
            "unknown attribute `principal.group`; did you mean `groups`?");
  EXPECT_EQ(message([](RequestBuilder& b) { b.attr(Root::kResource, "groups", "g1"); }),
            "unknown attribute `resource.groups`; did you mean `group`?");
}

TEST_F(Runtime, RequestWithoutActionOrTypeIsDenied) {
  // A request whose caller forgot the action or the resource type must not ask
  // about action 0 or type 0 (which a role may well be granted).
  runtime::RequestBuilder only_principal(*table_);
  only_principal.principal("ann", "acme").resource_tenant("acme").role("agent");
  const runtime::Decision d = runtime::evaluate(*table_, only_principal.build());
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.request_error, runtime::RequestError::kUnknownAction);
  runtime::RequestBuilder no_type(*table_);
  no_type.action("view").principal("ann", "acme").resource_tenant("acme").role("agent");
  EXPECT_EQ(runtime::evaluate(*table_, no_type.build()).request_error, runtime::RequestError::kUnknownResourceType);
}

TEST_F(Runtime, WrongValueKindsFailClosed) {
  runtime::Request r;
  r.action = *table_->find_action("view");
  r.resource_type = *table_->find_resource("Call");
  r.principal_tenant = r.resource_tenant = 7;
  const uint32_t agent = *table_->find_role("agent");
  r.roles = {&agent, 1};
  std::vector<runtime::Value> p(table_->attr_count(Root::kPrincipal)), res(table_->attr_count(Root::kResource));
  p[*table_->find_attr(Root::kPrincipal, "status")] = runtime::Value::enum_value(1);
  p[*table_->find_attr(Root::kPrincipal, "groups")] = runtime::Value::integer(5);  // not a set
  res[*table_->find_attr(Root::kResource, "group")] = runtime::Value::entity(5);
  r.principal_attrs = p;
  r.resource_attrs = res;
  EXPECT_EQ(runtime::evaluate(*table_, r).effect, Effect::kDeny);
  p[*table_->find_attr(Root::kPrincipal, "status")] = runtime::Value::enum_value(77);  // out of range
  EXPECT_EQ(runtime::evaluate(*table_, r).effect, Effect::kDeny);
}

TEST_F(Runtime, CustomRolesAreCheckedAgainstTheCatalog) {
  custom_ = std::make_unique<runtime::CustomRoles>(table_);
  auto ok = custom_->add({"billing_person", "custom", {{"view", "Billing"}}});
  ASSERT_TRUE(ok.has_value()) << ok.error();
  auto exporter = custom_->add({"exporter", "custom", {{"export", "Call"}}});
  ASSERT_TRUE(exporter.has_value());
  auto too_much = custom_->add({"greedy", "custom", {{"delete", "Call"}}});
  ASSERT_FALSE(too_much.has_value());
  EXPECT_EQ(too_much.error(), "custom role `greedy` exceeds catalog `custom`: `delete` on `Call` is not grantable");
  // Every refusal says what is wrong, by name.
  auto error_of = [&](const runtime::CustomRoleSpec& spec) {
    auto added = custom_->add(spec);
    return added.has_value() ? std::string("(added)") : added.error();
  };
  EXPECT_EQ(error_of({"x", "nope", {}}), "unknown catalog `nope`");
  EXPECT_EQ(error_of({"x", "custon", {}}), "unknown catalog `custon`; did you mean `custom`?");
  EXPECT_EQ(error_of({"", "custom", {}}), "a custom role needs a name");
  EXPECT_EQ(error_of({"billing_person", "custom", {}}), "custom role `billing_person` already exists");
  EXPECT_EQ(error_of({"y", "custom", {{"veiw", "Billing"}}}), "unknown action `veiw`; did you mean `view`?");
  EXPECT_EQ(error_of({"y", "custom", {{"view", "Invoice"}}}), "unknown resource type `Invoice`");
  EXPECT_EQ(error_of({"y", "custom", {{"view", "Biling"}}}), "unknown resource type `Biling`; did you mean `Billing`?");

  auto b = make("view", "Billing", {"agent"});
  b.custom_role("billing_person");
  Decision d = eval(b);
  EXPECT_EQ(d.effect, Effect::kAllow);
  EXPECT_TRUE(d.custom_role);
  auto edit = make("edit", "Billing", {"agent"});
  edit.custom_role("billing_person");
  EXPECT_EQ(eval(edit).effect, Effect::kDeny) << "not in the custom role";
  auto not_holder = make("view", "Billing", {"accountant"});
  not_holder.custom_role("billing_person");
  EXPECT_EQ(eval(not_holder).custom_role, false) << "accountant is not a holder of this catalog";
  // The catalog entry's condition travels with the permission, and forbids still apply.
  auto exp = make("export", "Call", {"agent"});
  exp.custom_role("exporter").attr(Root::kContext, "mfa", "true");
  exp.attr(Root::kPrincipal, "groups", "g1").attr(Root::kResource, "group", "g1");
  EXPECT_EQ(eval(exp).effect, Effect::kAllow);
  auto exp_no_mfa = make("export", "Call", {"agent"});
  exp_no_mfa.custom_role("exporter").attr(Root::kPrincipal, "groups", "g1").attr(Root::kResource, "group", "g1");
  EXPECT_EQ(eval(exp_no_mfa).reason, Reason::kForbidden);
  auto exp_other_group = make("export", "Call", {"agent"});
  exp_other_group.custom_role("exporter").attr(Root::kContext, "mfa", "true");
  exp_other_group.attr(Root::kPrincipal, "groups", "g1").attr(Root::kResource, "group", "g2");
  EXPECT_EQ(eval(exp_other_group).effect, Effect::kDeny);
  // An entry without a condition is granted outright; one with runs it.
  auto always = [&](const char* role, const char* action, const char* type) {
    const uint32_t cell = *table_->find_action(action) * table_->resource_count() + *table_->find_resource(type);
    return custom_->always(*custom_->find(role), cell);
  };
  EXPECT_TRUE(always("billing_person", "view", "Billing"));
  EXPECT_FALSE(always("exporter", "export", "Call"));
}

TEST_F(Runtime, ExplainSaysWhichPartFailedAndWhere) {
  RequestBuilder b = make("view", "Call", {"agent"});
  b.attr(Root::kPrincipal, "groups", "g1,g2").attr(Root::kResource, "group", "g7");
  const auto x = runtime::explain(*table_, b.build(), nullptr, [&](int64_t id) { return b.entity_name(id); });
  EXPECT_EQ(x.decision.effect, Effect::kDeny);
  EXPECT_NE(x.summary.find("`scoped` (test.edict:22) did not apply"), std::string::npos) << x.summary;
  EXPECT_NE(x.summary.find("`resource.group in principal.groups` is false "
                           "(resource.group=g7, principal.groups={g1, g2})"),
            std::string::npos)
      << x.summary;
  // The right operand of `resource has ivr && ...` is an error (no ivr), but the
  // `has` already made the conjunction false: only the `has` is blamed.
  EXPECT_NE(x.summary.find("`resource has ivr` is false (resource.ivr=absent)"), std::string::npos) << x.summary;
  EXPECT_EQ(x.summary.find("resource.ivr in principal.ivrs"), std::string::npos) << x.summary;
  EXPECT_EQ(x.summary.find("resource has group"), std::string::npos) << "true parts are not blamed: " << x.summary;
  RequestBuilder f = make("export", "Call", {"admin"});
  const auto y = runtime::explain(*table_, f.build());
  EXPECT_EQ(y.summary, "denied by forbid `export_needs_mfa` (test.edict:30)");
}

// The superadmin's grant is named "superadmin `boss`": the summary quotes it once.
TEST(RuntimeExplain, QuotesTheSuperadminGrantOnce) {
  auto t = testing::compile_source(R"(
entity User { }
action view;
resource Doc actions view;
superadmin role boss;
)");
  ASSERT_NE(t, nullptr);
  RequestBuilder b(*t);
  b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("boss");
  const auto x = runtime::explain(*t, b.build());
  EXPECT_TRUE(x.decision.allowed());
  EXPECT_EQ(x.summary.rfind("allowed by superadmin `boss`", 0), 0u) << x.summary;
}

// An unlabelled rule is named by its place: the summary does not repeat it.
TEST(RuntimeExplain, NamesAnUnlabelledRuleByItsPlaceOnce) {
  auto t = testing::compile_source(R"(entity User { }
action view;
resource Doc actions view;
role viewer;
grant viewer view on Doc;
forbid view on Doc;
)");
  ASSERT_NE(t, nullptr);
  RequestBuilder b(*t);
  b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("viewer");
  EXPECT_EQ(runtime::explain(*t, b.build()).summary, "denied by forbid `test.edict:6`");
}

TEST(RuntimeExplain, SaysWhichCustomRoleAllowedOrWhyEachDidNot) {
  auto t = testing::compile_source(R"(entity User { }
action view, edit;
resource Doc { level: int } actions view, edit;
role reader;
role auditor;
role admin;
catalog extra for reader, auditor { grantable edit on Doc when resource.level < 3; grantable view on Doc; }
)");
  ASSERT_NE(t, nullptr);
  runtime::CustomRoles custom(t);
  ASSERT_TRUE(custom.add({"viewer", "extra", {{"view", "Doc"}}}).has_value());
  ASSERT_TRUE(custom.add({"editor", "extra", {{"edit", "Doc"}}}).has_value());
  auto summary = [&](const char* role, const char* action, int level, std::vector<const char*> customs) {
    RequestBuilder b(*t, &custom);
    b.action(action).resource_type("Doc").principal("u", "t").resource_tenant("t").role(role);
    b.attr(Root::kResource, "level", std::to_string(level));
    for (const char* c : customs) b.custom_role(c);
    const runtime::Explanation x = runtime::explain(*t, b.build(), &custom);
    EXPECT_EQ(x.decision.allowed(), x.summary.starts_with("allowed")) << x.summary;
    return x.summary;
  };
  EXPECT_EQ(summary("reader", "view", 5, {"viewer"}), "allowed by custom role `viewer` (catalog `extra`)");
  // The first custom role that allows is named, as evaluate() takes them.
  EXPECT_EQ(summary("reader", "edit", 1, {"viewer", "editor"}), "allowed by custom role `editor` (catalog `extra`)");
  EXPECT_EQ(summary("reader", "edit", 5, {"viewer", "editor"}),
            "denied: no grant applies"
            "; custom role `viewer` (catalog `extra`) did not apply: it does not grant `edit` on `Doc`"
            "; custom role `editor` (catalog `extra`) did not apply: `resource.level < 3` is false (resource.level=5)");
  EXPECT_EQ(summary("admin", "view", 1, {"viewer"}),
            "denied: no grant applies; custom role `viewer` (catalog `extra`) did not apply: only a principal "
            "holding `reader` or `auditor` may use it");
}

// A custom role's holders are found whichever words of the roles bitset the
// principal's roles take: `chief` (role 0) implies `r70` (in the second word),
// a holder; `r69` implies nothing. evaluate() decides the usual custom role
// from two bits computed when the role is added (CustomRoles::usable_by(),
// tested where the request is checked, and allows_outright(), where the plan's
// walk ends); a role that may not use it takes the general path, where its
// own grants still apply (`r1` edits).
TEST(RuntimeCustomRoles, HoldersAreFoundAcrossTheWordsOfTheRoles) {
  std::string text = "entity User { }\naction view, edit;\nresource Doc actions view, edit;\n";
  text += "role chief extends r70;\n";
  for (int k = 1; k <= 70; ++k) text += "role r" + std::to_string(k) + ";\n";
  text += "grant r1 edit on Doc;\n";
  text += "catalog extra for r70 { grantable view on Doc; grantable edit on Doc; }\n";
  auto t = testing::compile_source(text);
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(*t->find_role("chief"), 0u);
  ASSERT_EQ(*t->find_role("r70") / 64, 1u);
  runtime::CustomRoles custom(t);
  ASSERT_TRUE(custom.add({"viewer", "extra", {{"view", "Doc"}}}).has_value());
  auto decide = [&](const char* role, const char* action) {
    RequestBuilder b(*t, &custom);
    b.action(action).resource_type("Doc").principal("u", "t").resource_tenant("t").role(role).custom_role("viewer");
    const runtime::Request& r = b.build();
    const Decision d = runtime::evaluate(*t, r, &custom);
    EXPECT_TRUE(testing::identical(d, testing::evaluate_general_path(*t, r, &custom))) << role << " " << action;
    return d;
  };
  for (const char* role : {"chief", "r70"}) {
    const Decision d = decide(role, "view");
    EXPECT_TRUE(d.allowed()) << role;
    EXPECT_TRUE(d.custom_role) << role;
  }
  EXPECT_FALSE(decide("r69", "view").allowed()) << "r69 holds no role of the catalog";
  EXPECT_FALSE(decide("r1", "view").allowed()) << "r1 holds no role of the catalog";
  EXPECT_FALSE(decide("chief", "edit").allowed()) << "viewer does not grant edit";
  EXPECT_FALSE(decide("chief", "edit").custom_role);
  const Decision own = decide("r1", "edit");
  EXPECT_TRUE(own.allowed()) << "r1's own grant, with a custom role it may not use";
  EXPECT_FALSE(own.custom_role);
}

// Without the debug section (--no-debug), explain writes each failed leaf back
// from its instruction. Conditions written in that form read the same either way.
TEST(RuntimeExplain, WritesLeavesBackFromTheirInstructionsWithoutDebugTexts) {
  const std::string source = R"(enum Level { low, high }
entity Group;
entity User { groups: set<Group>, level: Level, mfa: bool, tags: set<string> }
action view, edit;
resource Doc { owner: User?, group: Group?, size: int, label: string, level: Level, role: Role } actions view, edit;
role reader;
role admin;
role editor extends reader;
small: grant reader view on Doc when resource.size < 3;
owned: grant reader view on Doc when resource has owner && resource.owner == principal;
scoped: grant reader view on Doc when resource has group && resource.group in principal.groups;
labelled: grant reader view on Doc when resource.label == "temp";
levels: grant reader view on Doc when resource.level in [high] || principal.level == high;
tagged: grant reader view on Doc when "vip" in principal.tags;
admins: grant reader view on Doc when principal is admin;
roles: grant reader view on Doc when resource.role is editor;
sure: grant reader view on Doc when principal.mfa;
)";
  auto with = testing::compile_source(source, true);
  auto without = testing::compile_source(source, false);
  ASSERT_NE(with, nullptr);
  ASSERT_NE(without, nullptr);
  // With `owned`'s and `scoped`'s attributes present or absent (then their `has` fails).
  auto failed = [](const std::shared_ptr<const runtime::Table>& t, bool present) {
    RequestBuilder b(*t);
    b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("reader");
    if (present) b.attr(Root::kResource, "owner", "v").attr(Root::kResource, "group", "g2");
    b.attr(Root::kResource, "size", "5");
    b.attr(Root::kPrincipal, "groups", "g1").attr(Root::kResource, "label", "keep").attr(Root::kResource, "level", "low");
    b.attr(Root::kPrincipal, "level", "low").attr(Root::kPrincipal, "tags", "a,b").attr(Root::kResource, "role", "reader");
    b.attr_bool(Root::kPrincipal, "mfa", false);
    std::vector<std::string> out;
    for (const auto& rt : runtime::explain(*t, b.build()).rules) out.push_back(rt.failed);
    return out;
  };
  for (const bool present : {true, false}) {
    const std::vector<std::string> want = failed(with, present);
    ASSERT_EQ(want.size(), 9u);
    EXPECT_EQ(failed(without, present), want);
    EXPECT_EQ(want[0], "`resource.size < 3` is false (resource.size=5)");
    EXPECT_EQ(want[1], present ? "`resource.owner == principal` is false (resource.owner=#2)"
                               : "`resource has owner` is false (resource.owner=absent)");
    EXPECT_EQ(want[3], "`resource.label == \"temp\"` is false (resource.label=\"keep\")");
    EXPECT_EQ(want[4], "`resource.level in [high]` is false (resource.level=low); "
                       "`principal.level == high` is false (principal.level=low)");
  }
}

TEST(RuntimeDeterminism, CompilingTwiceGivesTheSameBytes) {
  EXPECT_EQ(testing::compile_bytes(kPolicy), testing::compile_bytes(kPolicy));
}

TEST(RuntimeAllocation, EvaluateNeverAllocates) {
  auto table = testing::compile_source(kPolicy);
  ASSERT_NE(table, nullptr);
  runtime::CustomRoles custom(table);
  ASSERT_TRUE(custom.add({"billing_person", "custom", {{"view", "Billing"}}}).has_value());
  std::vector<std::unique_ptr<RequestBuilder>> builders;
  for (const char* action : {"view", "edit", "export", "delete"}) {
    for (const char* type : {"Call", "Billing", "Transcript", "Member"}) {
      for (const char* role : {"agent", "manager", "admin", "root", "accountant"}) {
        auto b = std::make_unique<RequestBuilder>(*table, &custom);
        b->action(action).resource_type(type).principal("u1", "t1").resource_tenant("t1").role(role);
        b->attr(Root::kPrincipal, "status", "active").attr(Root::kPrincipal, "groups", "g1,g2");
        b->attr(Root::kResource, "group", "g2").attr(Root::kResource, "role", "agent").custom_role("billing_person");
        b->attr(Root::kResource, "label", "temp").attr(Root::kContext, "mfa", "true");
        builders.push_back(std::move(b));
      }
    }
  }
  std::vector<const runtime::Request*> requests;
  for (auto& b : builders) requests.push_back(&b->build());
  long allows = 0;
  const long before = g_allocations.load();
  for (int i = 0; i < 200; ++i) {
    for (const runtime::Request* r : requests) allows += runtime::evaluate(*table, *r, &custom).allowed();
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "evaluate allocated";
  EXPECT_GT(allows, 0);
}

// Every truncation and every single-bit flip of a compiled table is rejected.
TEST(RuntimeLoader, RejectsEveryTruncationAndBitFlip) {
  const std::string small = R"(
    entity User { ok: bool }
    action view;
    resource Doc { level: int } actions view;
    role reader;
    grant reader view on Doc when principal.ok && resource.level < 3;
  )";
  const auto bytes = testing::compile_bytes(small, /*debug=*/true);
  ASSERT_FALSE(bytes.empty());
  ASSERT_TRUE(runtime::Table::load(bytes).has_value());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto t = runtime::Table::load(std::span(bytes.data(), n));
    ASSERT_FALSE(t.has_value()) << "truncation to " << n << " bytes loaded";
  }
  std::vector<std::byte> copy = bytes;
  for (size_t i = 0; i < copy.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      copy[i] ^= std::byte(1 << bit);
      auto t = runtime::Table::load(copy);
      ASSERT_FALSE(t.has_value()) << "flip of bit " << bit << " of byte " << i << " loaded";
      copy[i] ^= std::byte(1 << bit);
    }
  }
  std::vector<std::byte> longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_FALSE(runtime::Table::load(longer).has_value());
}

TEST(RuntimeLoader, ReportsWhatIsWrong) {
  auto empty = runtime::Table::load({});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, runtime::LoadErrorCode::kTruncated);
  std::vector<std::byte> junk(200, std::byte{'x'});
  auto bad = runtime::Table::load(junk);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, runtime::LoadErrorCode::kBadMagic);
  EXPECT_FALSE(runtime::Table::load_file("/nonexistent.edictc").has_value());
}

TEST(SeedPolicies, AllCompileAndLoad) {
  for (const char* name : {"voice_workspace", "tenant_crm", "pbx", "dashboard", "contact_center"}) {
    SCOPED_TRACE(name);
    auto t = testing::compile_repo_file(std::string("policies/") + name + ".edict");
    ASSERT_NE(t, nullptr);
    EXPECT_GT(t->rule_count(), 0u);
  }
}

}  // namespace
}  // namespace edict

#include <thread>

#include "runtime/engine.h"

namespace edict {
namespace {

// Hot swap under load: evaluations running on other threads always see a whole
// table, either the old or the new one, never a mix or a freed one.
TEST(RuntimeEngine, SwapWhileEvaluating) {
  const std::string allow = "entity User; action view; resource Doc actions view; role r; grant r view on Doc;";
  const std::string deny = allow + " forbid * on *;";
  auto a = testing::compile_source(allow);
  auto b = testing::compile_source(deny);
  ASSERT_TRUE(a && b);
  runtime::Engine engine(a);
  runtime::Request req;
  req.action = req.resource_type = 0;
  const uint32_t role = 0;
  req.roles = {&role, 1};
  req.principal_tenant = req.resource_tenant = 1;
  std::atomic<bool> stop{false};
  std::atomic<long> allowed{0}, denied{0}, wrong{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        const Decision d = engine.evaluate(req);
        if (d.allowed()) {
          ++allowed;
        } else if (d.reason == Reason::kForbidden) {
          ++denied;
        } else {
          ++wrong;
        }
      }
    });
  }
  // Swap until the readers have made plenty of decisions across many swaps
  // (bounded by counts, never by time).
  long swaps = 0;
  while ((swaps < 2000 || allowed.load() + denied.load() < 100000) && swaps < 50'000'000) {
    engine.swap(++swaps % 2 ? a : b);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(allowed.load() + denied.load(), 0);
}

}  // namespace
}  // namespace edict

#include <cstring>
#include <span>

#include "runtime/format/checksum.h"

namespace edict {
namespace {

namespace fmtx = runtime::format;

fmtx::SectionEntry* section(std::vector<std::byte>& bytes, fmtx::SectionKind kind) {
  fmtx::Header h;
  std::memcpy(&h, bytes.data(), sizeof h);
  auto* entries = reinterpret_cast<fmtx::SectionEntry*>(bytes.data() + h.section_table);
  for (uint32_t i = 0; i < h.section_count; ++i) {
    if (entries[i].kind == static_cast<uint32_t>(kind)) return &entries[i];
  }
  return nullptr;
}

// A policy of 60 actions on 60 resource types (3,600 cells) with the given
// entity and rules: the raw material of tables whose cells are rewritten to
// reference one long range of conditional rules.
std::string sixty_by_sixty(const std::string& entity, const std::string& rules) {
  std::string src = entity + "\naction";
  for (int i = 0; i < 60; ++i) src += (i ? ", a" : " a") + std::to_string(i);
  src += ";\nresource";
  for (int i = 0; i < 60; ++i) src += (i ? ", R" : " R") + std::to_string(i);
  return src + " actions *;\n" + rules;
}

// A compiled table's cells, to rewrite in place (empty without a cells section).
std::span<fmtx::Cell> cells_of(std::vector<std::byte>& bytes) {
  fmtx::SectionEntry* s = section(bytes, fmtx::SectionKind::kCells);
  if (s == nullptr) return {};
  return {reinterpret_cast<fmtx::Cell*>(bytes.data() + s->offset), s->count};
}

// The cell with the most conditional rules.
fmtx::Cell busiest(std::span<const fmtx::Cell> cells) {
  return *std::max_element(cells.begin(), cells.end(),
                           [](const fmtx::Cell& x, const fmtx::Cell& y) { return x.cond_count < y.cond_count; });
}

// Found by an independent reader written from docs/table-format.md: unsorted
// catalog entries loaded, and the evaluator's binary search then missed
// permissions the catalog grants.
TEST(RuntimeLoader, RejectsUnsortedCatalogEntries) {
  auto bytes = testing::compile_bytes(kPolicy);
  ASSERT_FALSE(bytes.empty());
  fmtx::SectionEntry* s = section(bytes, fmtx::SectionKind::kCatalogEntries);
  ASSERT_NE(s, nullptr);
  ASSERT_GE(s->count, 2u);
  auto* entries = reinterpret_cast<fmtx::CatalogEntry*>(bytes.data() + s->offset);
  std::swap(entries[0], entries[s->count - 1]);
  fmtx::store_checksum(bytes);  // after the deliberate edit, so the checks behind it run
  auto t = runtime::Table::load(bytes);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().message, "catalog entries are not sorted");
}

// Found by table_fuzzer: a role bitset with a bit past the last role loaded,
// and the loader's top-ranked-role index then read past the roles.
TEST(RuntimeLoader, RejectsABitsetNamingARolePastTheLast) {
  auto bytes = testing::compile_bytes(kPolicy);
  ASSERT_FALSE(bytes.empty());
  auto loaded = runtime::Table::load(bytes);
  ASSERT_TRUE(loaded.has_value());
  const uint32_t roles = (*loaded)->role_count();
  ASSERT_NE(roles % 64, 0u) << "the test needs unused bits in the last word";
  fmtx::SectionEntry* s = section(bytes, fmtx::SectionKind::kBitsets);
  ASSERT_NE(s, nullptr);
  auto* words = reinterpret_cast<uint64_t*>(bytes.data() + s->offset);
  words[s->count - 1] |= uint64_t{1} << 63;  // the last bitset's last word
  fmtx::store_checksum(bytes);
  auto t = runtime::Table::load(bytes);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().message, "a role bitset names a role past the last");
}

// Every cell's conditional rules are checked where the cell references them. A
// table whose cells all reference one long range makes that work the product of
// the two counts: past a budget linear in its size, the loader refuses it
// rather than keep a load busy (a crafted 256 MiB table could take hours).
TEST(RuntimeLoader, RefusesTablesThatMultiplyItsWork) {
  std::string rules;
  for (int i = 0; i < 2000; ++i) rules += "g" + std::to_string(i) + ": grant r a0 on R0 when principal.x;\n";
  auto bytes = testing::compile_bytes(sixty_by_sixty("entity User { x: bool }\nrole r;", rules), /*debug=*/false);
  ASSERT_FALSE(bytes.empty());
  ASSERT_TRUE(runtime::Table::load(bytes).has_value());
  const std::span<fmtx::Cell> cells = cells_of(bytes);
  ASSERT_FALSE(cells.empty());
  const fmtx::Cell busy = busiest(cells);
  ASSERT_EQ(busy.cond_count, 2000u);
  for (fmtx::Cell& cell : cells) {
    cell.cond_first = busy.cond_first;
    cell.cond_count = busy.cond_count;
  }
  fmtx::store_checksum(bytes);
  auto t = runtime::Table::load(bytes);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, runtime::LoadErrorCode::kTooLarge);
  EXPECT_EQ(t.error().message, "its records are referenced so often that checking them would take too long");
}

// Forbid chains (branches.h) are compiled once per distinct sequence of forbids.
// A crafted table can give every cell its own sequence, each rebuilding the same
// programs: the loader stops forming chains past a budget of a few times the
// table's code, and the cells past it keep their forbids one by one, with the
// same decisions. The conditions here compare role values in a table without
// roles: they can only err, so their programs emit no nodes, and only the work
// budget, not the node budget, stops the chains.
TEST(RuntimeLoader, StopsFormingForbidChainsPastItsBudget) {
  std::string errs = "principal.p == principal.q";
  for (int k = 0; k < 24; ++k) errs += " || principal.p == principal.q";  // 49 instructions
  std::string rules;
  for (int i = 0; i < 2000; ++i) rules += "f" + std::to_string(i) + ": forbid a0 on R0 when " + errs + ";\n";
  auto bytes = testing::compile_bytes(sixty_by_sixty("entity User { p: Role, q: Role }", rules), /*debug=*/false);
  ASSERT_FALSE(bytes.empty());
  const std::span<fmtx::Cell> cells = cells_of(bytes);
  ASSERT_FALSE(cells.empty());
  const fmtx::Cell busy = busiest(cells);
  ASSERT_EQ(busy.cond_count, 2000u);
  // Cell i: the 64 forbids from rule i % 1900 on, a sequence no other cell has
  // (but cell i + 1900).
  for (uint32_t i = 0; i < cells.size(); ++i) {
    cells[i].cond_first = busy.cond_first + i % 1900;
    cells[i].cond_count = 64;
  }
  fmtx::store_checksum(bytes);
  auto loaded = runtime::Table::load(bytes);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  const runtime::Table& t = **loaded;
  uint32_t chained = 0, unchained = 0, first_unchained = UINT32_MAX;
  for (uint32_t action = 0; action < 60; ++action) {
    for (uint32_t type = 0; type < 60; ++type) {
      const runtime::Table::HotCell& cell = t.hot_cell(action, type);
      if (t.cond_refs()[cell.conds].chain != runtime::Table::kNoChain) {
        ++chained;
        EXPECT_EQ(cell.cond_forbids, 1u);
      } else {
        ++unchained;
        EXPECT_EQ(cell.cond_forbids, 64u);
        first_unchained = std::min(first_unchained, action * 60 + type);
      }
    }
  }
  EXPECT_GT(chained, 100u) << "the first cells' chains are within the budget";
  EXPECT_GT(unchained, 3000u) << "4 x 98,000 instructions of budget, 3,136 per chain";
  ASSERT_LT(first_unchained, 3600u);
  // The same decisions either way: the first forbid of the cell's range decides,
  // its condition an error (fail closed).
  for (const uint32_t cell : {0u, first_unchained}) {
    RequestBuilder b(t);
    b.action("a" + std::to_string(cell / 60)).resource_type("R" + std::to_string(cell % 60));
    b.principal("u", "t").resource_tenant("t");
    const Decision d = runtime::evaluate(t, b.build());
    EXPECT_EQ(d.reason, Reason::kForbidden) << cell;
    EXPECT_EQ(d.rule, cell % 1900) << cell;
    EXPECT_EQ(d.condition_errors, 1u) << cell;
  }
}

TEST(RuntimeLoader, RejectsADebugFlagThatDisagreesWithTheSections) {
  auto bytes = testing::compile_bytes(kPolicy, /*debug=*/false);
  ASSERT_TRUE(runtime::Table::load(bytes).has_value());
  bytes[40] = std::byte{1};  // Header::flags: claims debug sections
  fmtx::store_checksum(bytes);  // after the deliberate edit, so the checks behind it run
  EXPECT_FALSE(runtime::Table::load(bytes).has_value());
}

TEST(RuntimeLoader, TablesWithoutDebugInfoCarryNoSourceText) {
  const auto bytes = testing::compile_bytes(kPolicy, /*debug=*/false);
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_EQ(text.find("resource.group in principal.groups"), std::string::npos);
  EXPECT_NE(text.find("scoped"), std::string::npos) << "rule names stay: decisions report them";
}

// Set membership searches sets of more than 8 ids (eval.cc's sorted_ids_have):
// every size up to 70, and every place an id can be: each element, each gap
// between two, and past both ends; through each leaf that searches (an id in a
// set, the principal in a set, a constant in a set).
TEST(RuntimeConditions, SetMembershipAtEverySizeAndPlace) {
  std::string enum_e = "enum E { v0";  // 160 values, v0 to v159
  for (int k = 1; k < 160; ++k) enum_e += ", v" + std::to_string(k);
  enum_e += " }";
  auto t = testing::compile_source(
      enum_e +
      "entity Group; entity User { groups: set<Group> }"
      "action view, edit, delete;"
      "resource Doc { group: Group, watchers: set<User>, tags: set<E> } actions view, edit, delete; role a;"
      "grant a view on Doc when resource.group in principal.groups;"
      "grant a edit on Doc when principal in resource.watchers;"
      "grant a delete on Doc when v80 in resource.tags;");
  ASSERT_NE(t, nullptr);
  const uint32_t groups = *t->find_attr(Root::kPrincipal, "groups");
  const uint32_t group = *t->find_attr(Root::kResource, "group");
  const uint32_t watchers = *t->find_attr(Root::kResource, "watchers");
  RequestBuilder view(*t), edit(*t), del(*t);
  view.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("a");
  edit.action("edit").resource_type("Doc").principal("u", "t").resource_tenant("t").role("a");
  del.action("delete").resource_type("Doc").principal("u", "t").resource_tenant("t").role("a");
  const runtime::Request view_base = view.build(), edit_base = edit.build(), del_base = del.build();
  for (uint32_t n = 0; n <= 70; ++n) {
    std::vector<int64_t> ids;  // -30, -20, ...: negative and positive, 10 apart
    for (uint32_t k = 0; k < n; ++k) ids.push_back(10 * static_cast<int64_t>(k) - 30);
    std::vector<int64_t> probes = {-1000, -31, 10 * static_cast<int64_t>(n) - 29, 1000};
    for (int64_t id : ids) probes.insert(probes.end(), {id, id + 1});
    for (int64_t id : probes) {
      const bool held = std::find(ids.begin(), ids.end(), id) != ids.end();
      std::vector<runtime::Value> principal(t->attr_count(Root::kPrincipal)), resource(t->attr_count(Root::kResource));
      principal[groups] = runtime::Value::id_set(ids);
      resource[group] = runtime::Value::entity(id);
      resource[watchers] = runtime::Value::id_set(ids);
      runtime::Request in_set = view_base;
      in_set.principal_attrs = principal;
      in_set.resource_attrs = resource;
      EXPECT_EQ(runtime::evaluate(*t, in_set).allowed(), held) << "group " << id << " of " << n;
      runtime::Request principal_in = edit_base;
      principal_in.principal = id;
      principal_in.principal_attrs = principal;
      principal_in.resource_attrs = resource;
      EXPECT_EQ(runtime::evaluate(*t, principal_in).allowed(), held) << "principal " << id << " of " << n;
    }
    // The constant v80 (enum index 80) at every place in sets of every other
    // value, {first, first + 2, ...}, from past its end to before its start.
    const int64_t span = 2 * (static_cast<int64_t>(n) - 1);
    for (int64_t first = std::max<int64_t>(0, 79 - span); first <= 81 && first + span < 160; ++first) {
      std::vector<int64_t> tags;
      for (uint32_t k = 0; k < n; ++k) tags.push_back(first + 2 * k);
      const bool held = std::find(tags.begin(), tags.end(), 80) != tags.end();
      std::vector<runtime::Value> resource(t->attr_count(Root::kResource));
      resource[*t->find_attr(Root::kResource, "tags")] = runtime::Value::id_set(tags);
      runtime::Request const_in = del_base;
      const_in.resource_attrs = resource;
      EXPECT_EQ(runtime::evaluate(*t, const_in).allowed(), held) << "v80 in " << n << " from " << first;
    }
  }
}

// Found by the differential test: a condition compared with a bool literal was
// folded as if both sides were constants.
TEST(RuntimeConditions, ComparedWithBools) {
  auto t = testing::compile_source(
      "entity User; action view; resource Doc actions view; role a; role b;"
      "grant a view on Doc when (principal is b) == false;"
      "grant b view on Doc when (principal is a) != (principal is b);");
  ASSERT_NE(t, nullptr);
  auto decide = [&](std::initializer_list<const char*> roles) {
    RequestBuilder r(*t);
    r.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t");
    for (const char* role : roles) r.role(role);
    return runtime::evaluate(*t, r.build()).allowed();
  };
  EXPECT_TRUE(decide({"a"}));
  EXPECT_FALSE(decide({"a", "b"}));
  EXPECT_TRUE(decide({"b"}));
}

}  // namespace
}  // namespace edict
