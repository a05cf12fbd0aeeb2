// tests/steps_test.cc: the evaluator's load-time indexes (runtime/steps.h,
// runtime/branches.h and Table's per-cell records): a branching program runs only
// the leaves that decide and has the Kleene value of the whole condition, errors
// included; a condition too deep for one runs on the stack machine with the same
// value; and the deciding rule is the lowest applicable one in every layout of a
// cell's role rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "runtime/branches.h"
#include "runtime/eval.h"
#include "runtime/format/checksum.h"
#include "runtime/request_builder.h"
#include "runtime/steps.h"
#include "tests/testing/compile_text.h"
#include "tests/testing/general_path.h"

namespace edict {
namespace {

namespace f = runtime::format;
using runtime::RequestBuilder;
using Root = runtime::format::Root;

// `when` conditions over three booleans. A request may leave one out: reading it
// is then an error (fail closed).
const std::string kFlags = R"(
entity User { x: bool, y: bool, z: bool }
action view;
resource Doc actions view;
role a;
role b;
first: grant a view on Doc when (principal.x && principal.y) || principal.z;
second: grant b view on Doc when principal.z;
)";

// Sets up `b` for `action` on a Doc of tenant t by principal u of tenant t: the
// request every test here varies only in roles and attributes.
RequestBuilder& on_doc(RequestBuilder& b, const char* action) {
  return b.action(action).resource_type("Doc").principal("u", "t").resource_tenant("t");
}

// The first conditional rule of (view, Doc), as the evaluator reads it.
// Whether two operands read the same request attribute.
bool same_operand(const runtime::Operand& a, const runtime::Operand& b) {
  return a.attrs == b.attrs && a.slot == b.slot && a.source == b.source;
}

// The plan (Table::plan) of a principal holding only `role`, in the cell of
// (view, Doc).
uint32_t view_doc_plan(const runtime::Table& t, const char* role) {
  return t.plan(*t.find_action("view") * t.resource_count() + *t.find_resource("Doc"), *t.find_role(role));
}

const runtime::Table::CondRef& first_cond(const runtime::Table& t) {
  const runtime::Table::HotCell& cell = t.hot_cell(*t.find_action("view"), *t.find_resource("Doc"));
  return t.cond_refs()[cell.conds];
}

constexpr uint32_t kFalse = runtime::kBranchResult, kTrue = kFalse + 1, kError = kFalse + 2;

// evaluate(), checked against the general path: a request holding one role
// takes its cell's single-role plan (Table::plan), the same role given twice
// the general path, which the tests here are about as much. Both must decide
// alike in every field.
runtime::Decision evaluate_checked(const runtime::Table& t, const runtime::Request& r) {
  const runtime::Decision d = runtime::evaluate(t, r);
  const runtime::Decision g = testing::evaluate_general_path(t, r);
  EXPECT_TRUE(testing::identical(d, g)) << "the plan decides rule " << d.rule << " with " << d.condition_errors
                                        << " errors, the general path rule " << g.rule << " with "
                                        << g.condition_errors;
  return d;
}

TEST(Steps, BranchingProgramsRunOnlyTheLeavesThatDecide) {
  auto t = testing::compile_source(kFlags);
  ASSERT_NE(t, nullptr);
  const runtime::Table::CondRef& cond = first_cond(*t);
  ASSERT_EQ(cond.count, 5u);  // x y and z or
  ASSERT_NE(cond.branches, runtime::kNoBranches);
  const runtime::Branch* nodes = t->branches();
  const auto code = static_cast<uint32_t>(cond.code - t->steps().data());
  const runtime::Branch& x = nodes[cond.branches];
  EXPECT_EQ(x.test, &t->steps()[code + 0]);
  EXPECT_EQ(x.run, runtime::node_fn(x.test->exec, runtime::GuardOperand::kNone)) << "x's node runs x's kind of leaf";
  for (uint32_t v : x.next) ASSERT_LT(v, kFalse) << "every value of x leads to another test";
  const runtime::Branch& y = nodes[x.next[1]];
  EXPECT_EQ(y.test, &t->steps()[code + 1]) << "x true: y decides `x && y`";
  EXPECT_EQ(y.next[1], kTrue) << "`x && y` true decides the `or`: z is not run";
  const runtime::Branch& z = nodes[x.next[0]];
  EXPECT_EQ(z.test, &t->steps()[code + 3]) << "x false: `x && y` is false, y is not run";
  EXPECT_EQ(y.next[0], x.next[0]);
  EXPECT_EQ(z.next[0], kFalse);
  EXPECT_EQ(z.next[1], kTrue);
  EXPECT_EQ(z.next[2], kError);
  // x in error: y still runs (error && false is false), and its true is an error
  // that z can still overrule (error || true is true).
  const runtime::Branch& y_after_error = nodes[x.next[2]];
  EXPECT_EQ(y_after_error.test, &t->steps()[code + 1]);
  EXPECT_EQ(y_after_error.next[0], x.next[0]);
  ASSERT_LT(y_after_error.next[1], kFalse);
  const runtime::Branch& z_after_error = nodes[y_after_error.next[1]];
  EXPECT_EQ(z_after_error.test, &t->steps()[code + 3]);
  EXPECT_EQ(z_after_error.next[0], kError);
  EXPECT_EQ(z_after_error.next[1], kTrue);
  EXPECT_EQ(z_after_error.next[2], kError);
}

// Kleene logic over F, T and E (an absent attribute), as the test's oracle.
enum K { F, T, E };
K k_not(K a) { return a == E ? E : a == T ? F : T; }
K k_and(K a, K b) { return a == F || b == F ? F : a == E || b == E ? E : T; }
K k_or(K a, K b) { return a == T || b == T ? T : a == E || b == E ? E : F; }

// Sets `b` up for `role` viewing a Doc with the boolean attributes x, y and z
// (kFlags's schema) of those values; E leaves one out, which makes reading it err.
RequestBuilder& view_with_flags(RequestBuilder& b, const char* role, K x, K y, K z) {
  on_doc(b, "view").role(role);
  for (auto [name, v] : {std::pair{"x", x}, std::pair{"y", y}, std::pair{"z", z}}) {
    if (v != E) b.attr_bool(Root::kPrincipal, name, v == T);
  }
  return b;
}

// Every combination of true, false and absent gives the condition's Kleene
// value: a grant applies only on true, and an error is counted once.
TEST(Steps, BranchingProgramsKeepTheKleeneValueOfEveryCombination) {
  struct Condition {
    const char* text;
    std::function<K(K, K, K)> value;
  };
  const Condition conditions[] = {
      {"(principal.x && principal.y) || principal.z", [](K x, K y, K z) { return k_or(k_and(x, y), z); }},
      {"principal.x && (principal.y || !principal.z)", [](K x, K y, K z) { return k_and(x, k_or(y, k_not(z))); }},
      {"!(principal.x || principal.y) && principal.z", [](K x, K y, K z) { return k_and(k_not(k_or(x, y)), z); }},
      {"(principal.x || principal.y) && (principal.y || principal.z)",
       [](K x, K y, K z) { return k_and(k_or(x, y), k_or(y, z)); }},
      {"!(principal.x && !(principal.y && principal.z)) || principal.x",
       [](K x, K y, K z) { return k_or(k_not(k_and(x, k_not(k_and(y, z)))), x); }},
  };
  for (const Condition& cond : conditions) {
    auto t = testing::compile_source(std::string("entity User { x: bool, y: bool, z: bool }\naction view;\n") +
                                     "resource Doc actions view;\nrole a;\ng: grant a view on Doc when " + cond.text +
                                     ";\n");
    ASSERT_NE(t, nullptr) << cond.text;
    ASSERT_NE(first_cond(*t).branches, runtime::kNoBranches) << cond.text;
    for (K x : {F, T, E}) {
      for (K y : {F, T, E}) {
        for (K z : {F, T, E}) {
          RequestBuilder b(*t);
          view_with_flags(b, "a", x, y, z);
          const runtime::Decision d = evaluate_checked(*t, b.build());
          const K want = cond.value(x, y, z);
          EXPECT_EQ(d.allowed(), want == T) << cond.text << " " << x << y << z;
          EXPECT_EQ(d.condition_errors, want == E ? 1u : 0u) << cond.text << " " << x << y << z;
        }
      }
    }
  }
}

// `has x && test`, the guard the checker asks for, runs as the test alone: an
// absent x makes the test err, and only then does its node look at x, to tell
// absence (false, no error) from an ill-formed x (an error). No `has` node.
TEST(Steps, GuardedTestsRunAsOneTestAndTheirGuardOnlyOnError) {
  auto t = testing::compile_source(R"(
entity User { x: bool?, y: bool? }
action view;
resource Doc actions view;
role a;
guarded: grant a view on Doc when (principal has x && principal.x) || (principal has y && principal.y);
)");
  ASSERT_NE(t, nullptr);
  const runtime::Table::CondRef& cond = first_cond(*t);
  ASSERT_EQ(cond.count, 7u);  // has x, x, and, has y, y, and, or
  const auto code = static_cast<uint32_t>(cond.code - t->steps().data());
  const runtime::Step* steps = t->steps().data();
  const runtime::Branch* nodes = t->branches();
  const runtime::Branch& x = nodes[cond.branches];
  EXPECT_EQ(x.test, &t->steps()[code + 1]) << "x runs first, without a node for its guard";
  EXPECT_TRUE(same_operand(x.test->a, steps[code + 0].a)) << "x reads its guard's operand, as its operand a";
  EXPECT_EQ(x.run, runtime::node_fn(x.test->exec, runtime::GuardOperand::kA))
      << "x's node looks at the value its test read, operand a, when the test errs";
  EXPECT_EQ(x.plan_run, runtime::plan_node_fn(*x.test, runtime::GuardOperand::kA))
      << "and so do its plans' copies";
  EXPECT_EQ(x.next[1], kTrue);
  ASSERT_LT(x.next[0], kFalse) << "x false, or absent: on to y";
  const runtime::Branch& y = nodes[x.next[0]];
  EXPECT_EQ(y.test, &t->steps()[code + 4]) << "a false x goes on to y, without a node for its guard";
  EXPECT_TRUE(same_operand(y.test->a, steps[code + 3].a));
  EXPECT_EQ(y.run, runtime::node_fn(y.test->exec, runtime::GuardOperand::kA));
  EXPECT_EQ(y.next[0], kFalse) << "y false, or absent: `has y && y` is false";
  EXPECT_EQ(y.next[1], kTrue);
  EXPECT_EQ(y.next[2], kError) << "y present but ill-formed: an error";
  ASSERT_LT(x.next[2], kFalse) << "x present but ill-formed: y decides, and its false is an error";
  const runtime::Branch& y_after_error = nodes[x.next[2]];
  EXPECT_EQ(y_after_error.test, &t->steps()[code + 4]);
  EXPECT_EQ(y_after_error.run, y.run);
  EXPECT_EQ(y_after_error.next[0], kError);
  EXPECT_EQ(y_after_error.next[1], kTrue);
  EXPECT_EQ(y_after_error.next[2], kError);
  // Three nodes in all (x, y, y after an ill-formed x), none of them a `has`.
  std::vector<uint32_t> pending{cond.branches}, seen;
  while (!pending.empty()) {
    const uint32_t id = pending.back();
    pending.pop_back();
    if (id >= kFalse || std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    seen.push_back(id);
    EXPECT_NE(nodes[id].test->exec, runtime::Exec::kHas) << "node " << id;
    pending.insert(pending.end(), std::begin(nodes[id].next), std::end(nodes[id].next));
  }
  EXPECT_EQ(seen.size(), 3u);

  // Every value of x and y: absent, false, true, and (x only) present but of the
  // wrong kind, which the request builder never makes but a caller filling
  // Request by hand can.
  const uint32_t x_slot = *t->find_attr(Root::kPrincipal, "x");
  struct Case {
    const char* x;
    const char* y;
    bool allowed;
    uint32_t errors;
  };
  for (const Case& c : {Case{"absent", "true", true, 0}, Case{"false", "absent", false, 0},
                        Case{"true", "absent", true, 0}, Case{"false", "false", false, 0},
                        Case{"absent", "absent", false, 0}, Case{"ill", "true", true, 0},
                        Case{"ill", "false", false, 1}, Case{"ill", "absent", false, 1}}) {
    RequestBuilder b(*t);
    on_doc(b, "view").role("a");
    const std::string cx = c.x, cy = c.y;
    if (cx == "true" || cx == "false" || cx == "ill") b.attr_bool(Root::kPrincipal, "x", cx == "true");
    if (cy != "absent") b.attr_bool(Root::kPrincipal, "y", cy == "true");
    runtime::Request r = b.build();
    std::vector<runtime::Value> attrs(r.principal_attrs.begin(), r.principal_attrs.end());
    if (cx == "ill") attrs.at(x_slot) = runtime::Value::integer(1);
    r.principal_attrs = attrs;
    const runtime::Decision d = evaluate_checked(*t, r);
    EXPECT_EQ(d.allowed(), c.allowed) << c.x << " " << c.y;
    EXPECT_EQ(d.condition_errors, c.errors) << c.x << " " << c.y;
  }
}

// A plan starting with a row of forbids for everyone, each testing one request
// attribute against a constant, is entered by an express entry (branches.h):
// its tests in place, the nodes only when one fails. Four of the five forbids
// here make the entry (kMaxExpressTests), of two arrays, so compiled for
// any array; the fifth runs as its node. Every
// attribute takes the value that passes, another well-formed one, none, one
// of the wrong kind, and one past its type's range; or the request's array
// ends before it. The plan decides as the general path in every case.
TEST(Steps, ExpressEntriesDecideAsTheNodesTheyStandFor) {
  auto t = testing::compile_source(R"(enum Status { invited, active, suspended }
entity User { status: Status, verified: bool, locked: bool, level: int }
action view;
resource Doc actions view;
context { n0: int?, n1: int?, n2: int?, mfa: bool }
role agent;
f_status: forbid * on * unless principal.status == active;
f_verified: forbid * on * unless principal.verified;
f_locked: forbid * on * when principal.locked;
f_mfa: forbid * on * unless context.mfa;
f_level: forbid * on * when principal.level != 3;
g: grant agent view on Doc;
)");
  ASSERT_NE(t, nullptr);
  const uint32_t entry = view_doc_plan(*t, "agent");
  ASSERT_LT(entry, runtime::kChainResult);
  const runtime::Branch& e = t->branches()[entry];
  const auto tests = t->express_tests().subspan(e.express, runtime::kMaxExpressTests);
  ASSERT_EQ(e.plan_run, runtime::plan_express_fn(tests)) << "four tests, of the principal's and the context's arrays";
  EXPECT_NE(e.plan_run, runtime::plan_express_fn(tests.first(3))) << "three, of the principal's";
  EXPECT_EQ(e.express_tests, tests.data()) << "the entry holds its tests' address";
  const int64_t active = 1;
  EXPECT_EQ(tests[0].value, active);
  EXPECT_EQ(tests[1].value, 1) << "verified";
  EXPECT_EQ(tests[2].value, 0) << "not locked: locked's false goes on";
  EXPECT_EQ(tests[3].value, 1) << "mfa";
  EXPECT_EQ(tests[3].attrs, &runtime::Request::context_attrs);
  // context.mfa has the slot of principal.verified: code that read the wrong
  // array would see verified's true where mfa is false.
  ASSERT_EQ(tests[3].slot, tests[1].slot);
  ASSERT_LT(e.next[1], runtime::kChainResult) << "the fifth forbid runs as its node";
  EXPECT_EQ(t->branches()[e.next[1]].test->exec, runtime::Exec::kNeIdConst) << "level != 3";

  using runtime::Value;
  using runtime::ValueKind;
  struct Attr {
    Root root;
    uint32_t slot;
    std::array<Value, 5> values;  // passes, fails, absent, wrong kind, out of range (or the array too short)
  };
  const Attr attrs[] = {
      {Root::kPrincipal, *t->find_attr(Root::kPrincipal, "status"),
       {Value::enum_value(1), Value::enum_value(2), Value{}, Value::integer(1), Value::enum_value(7)}},
      {Root::kPrincipal, *t->find_attr(Root::kPrincipal, "verified"),
       {Value::boolean(true), Value::boolean(false), Value{}, Value::integer(1), Value::of(ValueKind::kBool, 2)}},
      {Root::kPrincipal, *t->find_attr(Root::kPrincipal, "locked"),
       {Value::boolean(false), Value::boolean(true), Value{}, Value::integer(0), Value::of(ValueKind::kBool, 2)}},
      {Root::kPrincipal, *t->find_attr(Root::kPrincipal, "level"),
       {Value::integer(3), Value::integer(4), Value{}, Value::boolean(true), Value{}}},
      {Root::kContext, *t->find_attr(Root::kContext, "mfa"),
       {Value::boolean(true), Value::boolean(false), Value{}, Value::integer(1), Value::of(ValueKind::kBool, 3)}},
  };
  RequestBuilder b(*t);
  on_doc(b, "view").role("agent");
  const runtime::Request base = b.build();
  size_t allowed = 0, cases = 0;
  std::array<size_t, 5> pick{};
  for (size_t n = 0; n < 5 * 5 * 5 * 5 * 5; ++n) {
    for (size_t k = 0, m = n; k < 5; ++k, m /= 5) pick[k] = m % 5;
    std::vector<Value> principal(base.principal_attrs.size()), context(base.context_attrs.size());
    for (size_t k = 0; k < 5; ++k) {
      (attrs[k].root == Root::kPrincipal ? principal : context).at(attrs[k].slot) = attrs[k].values[pick[k]];
    }
    runtime::Request r = base;
    r.principal_attrs = principal;
    r.context_attrs = context;
    // Level's fifth value: the principal's array ends before it (and so before
    // every attribute of a higher slot).
    if (pick[3] == 4) r.principal_attrs = r.principal_attrs.first(attrs[3].slot);
    const runtime::Decision d = evaluate_checked(*t, r);
    const bool passes = pick == std::array<size_t, 5>{};
    EXPECT_EQ(d.allowed(), passes) << n;
    allowed += d.allowed() ? 1 : 0;
    ++cases;
  }
  EXPECT_EQ(allowed, 1u);
  EXPECT_EQ(cases, 3125u);
}

// An express test holds for a value of its kind and equal to its value, and
// for nothing else: not another kind with the same `i`, nor the same kind with
// an `i` differing in any one byte. It compares a value's first 16 bytes at
// once but for the padding after the kind: whatever those bytes hold, and
// whatever the test keeps there (its slot), decides nothing. (The decisions
// above cannot tell: a test that never held would send every request to the
// nodes, which decide the same.)
TEST(Steps, ExpressTestsCompareKindAndValueButNotPadding) {
  using runtime::Value;
  using runtime::ValueKind;
  auto with_padding = [](Value v, unsigned char fill) {
    std::memset(reinterpret_cast<unsigned char*>(&v) + 1, fill, 7);
    return v;
  };
  for (const int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{0x0102030405060708}, INT64_MIN}) {
    for (const uint32_t slot : {0u, 7u, 0xFFFFFFFFu}) {
      runtime::ExpressTest x;
      x.want = ValueKind::kEnum;
      x.slot = slot;
      x.value = value;
      for (const unsigned char fill : std::array<unsigned char, 3>{0x00, 0xA5, 0xFF}) {
        EXPECT_TRUE(x.holds(with_padding(Value::of(ValueKind::kEnum, value), fill))) << value << " " << slot;
        EXPECT_FALSE(x.holds(with_padding(Value::of(ValueKind::kInt, value), fill))) << value;
        EXPECT_FALSE(x.holds(with_padding(Value::of(ValueKind::kAbsent, value), fill))) << value;
        for (int byte = 0; byte < 8; ++byte) {
          const auto other = static_cast<int64_t>(static_cast<uint64_t>(value) ^ (uint64_t{0x40} << (8 * byte)));
          EXPECT_FALSE(x.holds(with_padding(Value::of(ValueKind::kEnum, other), fill))) << value << " " << byte;
        }
      }
    }
  }
}

// The verifier accepts programs that share instructions: each program gets its
// own branching program, whatever the other makes of the shared instructions.
TEST(Steps, ProgramsSharingInstructionsEachGetTheirOwnBranches) {
  auto bytes = testing::compile_bytes(kFlags);
  auto loaded = runtime::Table::load(bytes);
  ASSERT_TRUE(loaded.has_value());
  const runtime::Table::CondRef& first = first_cond(**loaded);
  const uint32_t code_first = static_cast<uint32_t>(first.code - (*loaded)->steps().data());
  const f::Cell cell = (*loaded)->cell(*(*loaded)->find_action("view"), *(*loaded)->find_resource("Doc"));
  ASSERT_EQ(cell.cond_count, 2u);
  // Point the second rule's program at the first three instructions of the first's.
  const size_t offset = reinterpret_cast<const std::byte*>(&(*loaded)->cond_rules()[cell.cond_first + 1]) -
                        (*loaded)->bytes().data();
  f::CondRule second;
  std::memcpy(&second, bytes.data() + offset, sizeof second);
  second.code_first = code_first;
  second.code_count = 3;
  std::memcpy(bytes.data() + offset, &second, sizeof second);
  f::store_checksum(bytes);
  auto t = runtime::Table::load(bytes);
  ASSERT_TRUE(t.has_value()) << t.error().message;

  // Role b's condition is now `x && y`, and role a's is unchanged.
  auto decide = [&](const char* role, bool x, bool y, bool z) {
    RequestBuilder b(**t);
    on_doc(b, "view").role(role);
    b.attr_bool(Root::kPrincipal, "x", x).attr_bool(Root::kPrincipal, "y", y).attr_bool(Root::kPrincipal, "z", z);
    return evaluate_checked(**t, b.build()).allowed();
  };
  EXPECT_TRUE(decide("b", true, true, false));
  EXPECT_FALSE(decide("b", true, false, true));
  EXPECT_TRUE(decide("a", false, false, true));
  EXPECT_FALSE(decide("a", false, true, false));
}

// A condition nested deeper than a branching program is built for runs on the
// stack machine, with the same values.
TEST(Steps, ConditionsTooDeepForBranchesRunOnTheStackMachine) {
  std::string cond = "principal.y";
  for (int i = 0; i < 80; ++i) cond = "principal.x && (" + cond + ")";
  auto t = testing::compile_source("entity User { x: bool, y: bool }\naction view;\nresource Doc actions view;\n"
                                   "role a;\ng: grant a view on Doc when " + cond + ";\n");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(first_cond(*t).branches, runtime::kNoBranches);
  for (K x : {F, T, E}) {
    for (K y : {F, T, E}) {
      RequestBuilder b(*t);
      on_doc(b, "view").role("a");
      if (x != E) b.attr_bool(Root::kPrincipal, "x", x == T);
      if (y != E) b.attr_bool(Root::kPrincipal, "y", y == T);
      const runtime::Decision d = evaluate_checked(*t, b.build());
      const K want = k_and(x, y);
      EXPECT_EQ(d.allowed(), want == T) << x << y;
      EXPECT_EQ(d.condition_errors, want == E ? 1u : 0u) << x << y;
    }
  }
}

// Membership in a set of ids: scanned when small, searched when larger. Every
// member is found at every size and position, and nothing else is.
TEST(Steps, MembershipHoldsInSetsOfEverySize) {
  auto t = testing::compile_source(R"(
entity Group;
entity User { groups: set<Group> }
action view;
resource Doc { group: Group } actions view;
role a;
g: grant a view on Doc when resource.group in principal.groups;
)");
  ASSERT_NE(t, nullptr);
  for (int n = 0; n <= 40; ++n) {
    std::vector<std::string> groups;
    for (int i = 0; i < n; ++i) groups.push_back("g" + std::to_string(i));
    auto allowed = [&](const std::string& group) {
      RequestBuilder b(*t);
      on_doc(b, "view").role("a");
      b.attr_set(Root::kPrincipal, "groups", groups).attr(Root::kResource, "group", group);
      return evaluate_checked(*t, b.build()).allowed();
    };
    for (const std::string& g : groups) EXPECT_TRUE(allowed(g)) << n << " " << g;
    for (const char* other : {"a", "g", "g40", "zzz"}) EXPECT_FALSE(allowed(other)) << n << " " << other;
  }
}

// Consecutive forbids for everyone run as one chain (branches.h): one walk, whose
// result names the forbid that applies. The first applicable forbid still
// decides, with an error counted only if its own condition erred; and a chain
// that runs past a lower unconditional forbid (`only_b`) leaves it deciding.
TEST(Steps, ForbidsForEveryoneRunAsOneChainWithTheSameDecisions) {
  auto t = testing::compile_source(R"(
entity User { x: bool, y: bool, z: bool }
action view;
resource Doc actions view;
role a;
role b;
f0: forbid view on Doc unless principal.x;
only_b: forbid b view on Doc;
f2: forbid view on Doc when principal.x && principal.y;
b_only: forbid b view on Doc when principal.z;
f4: forbid view on Doc when principal.y || principal.z;
f5: forbid view on Doc when !principal.z;
g: grant a, b view on Doc;
)");
  ASSERT_NE(t, nullptr);
  const runtime::Table::HotCell& cell = t->hot_cell(*t->find_action("view"), *t->find_resource("Doc"));
  ASSERT_EQ(cell.cond_forbids, 3u) << "[f0, f2], b_only, [f4, f5]";
  const runtime::Table::CondRef* conds = t->cond_refs() + cell.conds;
  ASSERT_NE(conds[0].chain, runtime::Table::kNoChain);
  EXPECT_EQ(t->chain_rules()[conds[0].chain], 0u);
  EXPECT_EQ(t->chain_rules()[conds[0].chain + 1], 2u);
  EXPECT_EQ(conds[1].chain, runtime::Table::kNoChain) << "b_only is for b alone";
  EXPECT_EQ(conds[1].rule, 3u);
  ASSERT_NE(conds[2].chain, runtime::Table::kNoChain);
  EXPECT_EQ(t->chain_rules()[conds[2].chain], 4u);
  EXPECT_EQ(t->chain_rules()[conds[2].chain + 1], 5u);

  struct Forbid {
    uint32_t rule;
    bool b_only;
    std::function<K(K, K, K)> value;
  };
  const Forbid forbids[] = {
      {0, false, [](K x, K, K) { return k_not(x); }},
      {1, true, [](K, K, K) { return T; }},
      {2, false, [](K x, K y, K) { return k_and(x, y); }},
      {3, true, [](K, K, K z) { return z; }},
      {4, false, [](K, K y, K z) { return k_or(y, z); }},
      {5, false, [](K, K, K z) { return k_not(z); }},
  };
  for (const char* role : {"a", "b"}) {
    for (K x : {F, T, E}) {
      for (K y : {F, T, E}) {
        for (K z : {F, T, E}) {
          RequestBuilder b(*t);
          view_with_flags(b, role, x, y, z);
          uint32_t want_rule = runtime::kNoRule, want_errors = 0;
          for (const Forbid& f : forbids) {
            if (f.b_only && std::string(role) != "b") continue;
            const K v = f.value(x, y, z);
            if (v == F) continue;
            want_rule = f.rule;
            want_errors = v == E ? 1 : 0;
            break;
          }
          const runtime::Decision d = evaluate_checked(*t, b.build());
          const std::string what = std::string(role) + " " + std::to_string(x) + std::to_string(y) + std::to_string(z);
          EXPECT_EQ(d.allowed(), want_rule == runtime::kNoRule) << what;
          if (want_rule != runtime::kNoRule) {
            EXPECT_EQ(d.rule, want_rule) << what;
          }
          EXPECT_EQ(d.condition_errors, want_errors) << what;
        }
      }
    }
  }
}

// `unless principal is R` (and `!(principal is R || principal is S)`) at the top
// of a condition is tested with the rule's roles, not as a node of its program:
// whatever the rest's value, errors included, the rule does not apply to a holder.
TEST(Steps, RoleExceptionsAreTestedWithTheRulesRoles) {
  auto t = testing::compile_source(R"(
entity User { x: bool }
action view, edit, delete;
resource Doc actions view, edit, delete;
role a;
role b extends a;
role c;
one: forbid view on Doc when principal.x unless principal is b;
two: forbid edit on Doc unless principal is b || principal is c;
three: forbid a delete on Doc unless principal is b;
everyone: grant a, c view, edit, delete on Doc;
)");
  ASSERT_NE(t, nullptr);
  auto cond_of = [&](const char* action) -> const runtime::Table::CondRef& {
    const runtime::Table::HotCell& cell = t->hot_cell(*t->find_action(action), *t->find_resource("Doc"));
    return t->cond_refs()[cell.conds];
  };
  const uint32_t b = 1, c = 2;  // roles are numbered in declaration order
  ASSERT_EQ(t->role_name(b), "b");
  ASSERT_EQ(t->role_name(c), "c");
  const runtime::Table::CondRef& one = cond_of("view");
  EXPECT_EQ(one.except_mask, uint64_t{1} << b);
  ASSERT_LT(one.branches, kFalse);
  EXPECT_EQ(t->branches()[one.branches].test, one.code)
      << "only `principal.x` is left to run";
  EXPECT_EQ(t->branches()[one.branches].next[1], kTrue);
  const runtime::Table::CondRef& two = cond_of("edit");
  EXPECT_EQ(two.except_mask, (uint64_t{1} << b) | (uint64_t{1} << c));
  EXPECT_EQ(two.branches, kTrue) << "nothing is left: the rule applies to every other principal";
  const runtime::Table::CondRef& three = cond_of("delete");
  EXPECT_EQ(three.word, runtime::Table::kExcepting);
  EXPECT_EQ(three.roles_word, 0u) << "a's roles, in word 0";

  struct Case {
    const char* role;
    const char* action;
    const char* x;  // "absent" makes `principal.x` an error
    bool allowed;
    uint32_t errors;
  };
  for (const Case& k : {Case{"a", "view", "false", true, 0}, Case{"a", "view", "true", false, 0},
                        Case{"a", "view", "absent", false, 1}, Case{"b", "view", "true", true, 0},
                        Case{"b", "view", "absent", true, 0}, Case{"c", "view", "absent", false, 1},
                        Case{"a", "edit", "false", false, 0}, Case{"b", "edit", "false", true, 0},
                        Case{"c", "edit", "false", true, 0}, Case{"a", "delete", "false", false, 0},
                        Case{"b", "delete", "false", true, 0}, Case{"c", "delete", "false", true, 0}}) {
    RequestBuilder rb(*t);
    on_doc(rb, k.action).role(k.role);
    if (std::string(k.x) != "absent") rb.attr_bool(Root::kPrincipal, "x", std::string(k.x) == "true");
    const runtime::Decision d = evaluate_checked(*t, rb.build());
    EXPECT_EQ(d.allowed(), k.allowed) << k.role << " " << k.action << " " << k.x;
    EXPECT_EQ(d.condition_errors, k.errors) << k.role << " " << k.action << " " << k.x;
    // explain() runs the whole condition: the same decision, and the exception
    // is the part that failed, not the roles.
    const runtime::Explanation x = runtime::explain(*t, rb.build());
    EXPECT_EQ(x.decision.allowed(), k.allowed) << k.role << " " << k.action << " " << k.x;
    ASSERT_FALSE(x.rules.empty());
    const runtime::RuleTrace& forbid = x.rules.front();
    EXPECT_EQ(forbid.role_matched, std::string(k.action) != "delete" || std::string(k.role) != "c");
    if (std::string(k.role) == "b") {
      EXPECT_NE(forbid.failed.find("principal is b"), std::string::npos) << forbid.failed;
    }
  }
}

// `x in [...]` over ids below 64 tests one bit of a mask; a list with a larger id
// is scanned. Both agree with the list on every value, and neither takes an id
// past 63 for one below it.
TEST(Steps, ConstantListsMatchTheirMembersAsMaskOrScan) {
  std::string values;
  for (int k = 0; k < 130; ++k) values += (k ? ", v" : "v") + std::to_string(k);
  auto t = testing::compile_source("enum E { " + values + R"( }
entity User { e: E }
action view, edit;
resource Doc { e: E } actions view, edit;
role a;
small: grant a view on Doc when resource.e in [v0, v1, v63];
large: grant a edit on Doc when resource.e in [v1, v64, v129];
)");
  ASSERT_NE(t, nullptr);
  auto cond_of = [&](const char* action) -> const runtime::Step& {
    const runtime::Table::HotCell& cell = t->hot_cell(*t->find_action(action), *t->find_resource("Doc"));
    return *t->cond_refs()[cell.conds].code;
  };
  EXPECT_EQ(cond_of("view").exec, runtime::Exec::kInConstMask);
  EXPECT_EQ(cond_of("edit").exec, runtime::Exec::kInConst);
  for (int k = 0; k < 130; ++k) {
    for (const char* action : {"view", "edit"}) {
      RequestBuilder b(*t);
      on_doc(b, action).role("a").attr(Root::kResource, "e", "v" + std::to_string(k));
      const bool member = std::string(action) == "view" ? (k == 0 || k == 1 || k == 63) : (k == 1 || k == 64 || k == 129);
      EXPECT_EQ(evaluate_checked(*t, b.build()).allowed(), member) << action << " v" << k;
    }
  }
}

// `x == c` and `x != c` over ids are one test each; the other comparisons keep
// the three-way compare. Each agrees with its comparison on a value below, at
// and above the constant, and errs on an absent value or one out of range.
TEST(Steps, EqualityWithAConstantIsOneTest) {
  auto t = testing::compile_source(R"(
enum Level { low, mid, high }
entity User;
action view, edit, delete;
resource Doc { level: Level } actions view, edit, delete;
role a;
eq: grant a view on Doc when resource.level == mid;
ne: grant a edit on Doc when resource.level != mid;
lt: grant a delete on Doc when resource.level < mid;
)");
  ASSERT_NE(t, nullptr);
  auto cond_of = [&](const char* action) -> const runtime::Step& {
    const runtime::Table::HotCell& cell = t->hot_cell(*t->find_action(action), *t->find_resource("Doc"));
    const runtime::Table::CondRef& cr = t->cond_refs()[cell.conds];
    return cr.code[cr.count - 1];
  };
  EXPECT_EQ(cond_of("view").exec, runtime::Exec::kEqIdConst);
  EXPECT_EQ(cond_of("edit").exec, runtime::Exec::kNeIdConst);
  EXPECT_EQ(cond_of("delete").exec, runtime::Exec::kCmpIdConst);
  struct Case {
    const char* level;  // nullptr: absent
    bool view, edit, del;
  };
  for (const Case& k : {Case{"low", false, true, true}, Case{"mid", true, false, false}, Case{"high", false, true, false},
                        Case{nullptr, false, false, false}}) {
    for (const char* action : {"view", "edit", "delete"}) {
      RequestBuilder b(*t);
      on_doc(b, action).role("a");
      if (k.level != nullptr) b.attr(Root::kResource, "level", k.level);
      const runtime::Decision d = evaluate_checked(*t, b.build());
      const std::string act = action;
      EXPECT_EQ(d.allowed(), act == "view" ? k.view : act == "edit" ? k.edit : k.del)
          << action << " " << (k.level != nullptr ? k.level : "absent");
      EXPECT_EQ(d.condition_errors, k.level == nullptr ? 1u : 0u) << action;  // a required value, absent
    }
  }
  // An enum value past the enum's last is ill-formed: an error, not a compare.
  runtime::RequestBuilder b(*t);
  on_doc(b, "edit").role("a");
  runtime::Request r = b.build();
  std::vector<runtime::Value> attrs(r.resource_attrs.begin(), r.resource_attrs.end());
  const uint32_t slot = *t->find_attr(Root::kResource, "level");
  attrs[slot] = runtime::Value::enum_value(7);
  r.resource_attrs = attrs;
  const runtime::Decision d = evaluate_checked(*t, r);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.condition_errors, 1u);
}

// `x < principal.rank` and `principal.rank > x` read the principal's top-ranked
// role in place: the same answers as by the ladder, for one role, several, and
// none on the ladder (an error: the grant does not apply).
TEST(Steps, PrincipalRankComparesEitherWayRound) {
  auto t = testing::compile_source(R"(
entity User;
action view, edit;
resource Doc { role: Role } actions view, edit;
role low;
role mid;
role high;
role clerk;
rank low < mid < high;
below: grant low, mid, high, clerk view on Doc when resource.role < principal.rank;
above: grant low, mid, high, clerk edit on Doc when principal.rank >= resource.role;
)");
  ASSERT_NE(t, nullptr);
  struct Case {
    std::vector<const char*> roles;
    const char* target;
    bool view, edit;
    uint32_t errors;
  };
  const Case cases[] = {
      {{"mid"}, "low", true, true, 0},          {{"mid"}, "mid", false, true, 0},
      {{"mid"}, "high", false, false, 0},       {{"low", "high"}, "mid", true, true, 0},
      {{"clerk", "mid"}, "mid", false, true, 0}, {{"clerk"}, "low", false, false, 1},
      {{"mid"}, "clerk", false, false, 1},
  };
  for (const Case& c : cases) {
    for (const char* action : {"view", "edit"}) {
      RequestBuilder b(*t);
      on_doc(b, action);
      for (const char* role : c.roles) b.role(role);
      b.attr(Root::kResource, "role", c.target);
      const runtime::Decision d = evaluate_checked(*t, b.build());
      const std::string what =
          std::string(action) + " " + c.roles[0] + (c.roles.size() > 1 ? "+" : "") + " " + c.target;
      EXPECT_EQ(d.allowed(), std::string(action) == "view" ? c.view : c.edit) << what;
      EXPECT_EQ(d.condition_errors, c.errors) << what;
    }
  }
}

// A policy whose (view, Doc) cell has `n` roles, each granted by its own rule,
// in reverse order of role id, and a role holding them all. With `spread`, 64
// other roles are declared after r0, so that r0 and the others lie in different
// words of the role bitsets.
std::string many_grants(int n, bool spread) {
  std::string s = "entity User; action view; resource Doc actions view;\n";
  for (int i = 0; i < n; ++i) {
    s += "role r" + std::to_string(i) + ";\n";
    for (int k = 0; spread && i == 0 && k < 64; ++k) s += "role filler" + std::to_string(k) + ";\n";
  }
  s += "role all extends";
  for (int i = 0; i < n; ++i) s += std::string(i ? "," : "") + " r" + std::to_string(i);
  s += ";\n";
  for (int i = n - 1; i >= 0; --i) s += "g" + std::to_string(i) + ": grant r" + std::to_string(i) + " view on Doc;\n";
  return s;
}

// A cell's role rules are tested as one word's mask, scanned by rule across
// words, or (more than Table::kMaxScannedRoleRules) searched by role: each finds
// the lowest-numbered applicable rule.
TEST(Steps, TheLowestApplicableRoleRuleDecidesInEveryLayout) {
  constexpr int kScanned = static_cast<int>(runtime::Table::kMaxScannedRoleRules);
  for (auto [n, spread] : {std::pair{3, false}, std::pair{3, true}, std::pair{kScanned + 4, false},
                           std::pair{kScanned + 4, true}}) {
    auto t = testing::compile_source(many_grants(n, spread));
    ASSERT_NE(t, nullptr) << n;
    const uint32_t action = *t->find_action("view"), doc = *t->find_resource("Doc");
    const uint32_t word = t->hot_cell(action, doc).grants.word;
    EXPECT_EQ(word, n > kScanned ? runtime::Table::kSearched : spread ? runtime::Table::kMultiWord : 0u)
        << n << " " << spread;
    for (const char* role : {"all", "r0", "r1", "r2"}) {
      RequestBuilder b(*t);
      on_doc(b, "view").role(role);
      const runtime::Decision d = evaluate_checked(*t, b.build());
      ASSERT_TRUE(d.allowed()) << n << " " << role;
      // Rules are numbered in source order: g(n-1) first. The role `all` holds
      // every r_i, so the lowest-numbered rule is g(n-1).
      const std::string expected =
          std::string(role) == "all" ? "g" + std::to_string(n - 1) : "g" + std::string(role + 1);
      EXPECT_EQ(t->rule_name(d.rule), expected) << n << " " << role;
    }
    if (spread) {
      RequestBuilder b(*t);
      on_doc(b, "view").role("filler3");
      EXPECT_FALSE(evaluate_checked(*t, b.build()).allowed()) << n;
    }
  }
}

// A conditional rule's roles are one word's mask where they fit in one, else the
// whole bitset: either way only its roles' holders reach the condition.
TEST(Steps, ConditionalRulesMatchTheirRolesInOneWordOrAcrossWords) {
  std::string src = "entity User { x: bool } action view; resource Doc actions view;\n";
  for (int i = 0; i < 70; ++i) src += "role r" + std::to_string(i) + ";\n";
  src += "high: grant r66, r69 view on Doc when principal.x;\n";
  src += "spread: grant r1, r68 view on Doc when principal.x;\n";
  auto t = testing::compile_source(src);
  ASSERT_NE(t, nullptr);
  const uint32_t action = *t->find_action("view"), doc = *t->find_resource("Doc");
  const runtime::Table::HotCell& cell = t->hot_cell(action, doc);
  ASSERT_EQ(cell.cond_grants, 2u);
  const runtime::Table::CondRef* conds = t->cond_refs() + cell.conds;
  EXPECT_EQ(conds[0].word, 1u);
  EXPECT_EQ(conds[0].mask, (uint64_t{1} << 2) | (uint64_t{1} << 5));
  EXPECT_EQ(conds[1].word, runtime::Table::kMultiWord);
  auto decide = [&](const char* role, bool x) {
    RequestBuilder b(*t);
    on_doc(b, "view").role(role);
    b.attr_bool(Root::kPrincipal, "x", x);
    const runtime::Decision d = evaluate_checked(*t, b.build());
    return d.allowed() ? std::string(t->rule_name(d.rule)) : std::string("deny");
  };
  EXPECT_EQ(decide("r69", true), "high");
  EXPECT_EQ(decide("r66", true), "high");
  EXPECT_EQ(decide("r1", true), "spread");
  EXPECT_EQ(decide("r68", true), "spread");
  EXPECT_EQ(decide("r69", false), "deny");
  EXPECT_EQ(decide("r0", true), "deny");
  EXPECT_EQ(decide("r67", true), "deny");
}


// A principal holding one role meets a fixed set of a cell's rules, resolved on
// load into the cell's plan for that role (Table::plan): roles implying no role
// the rules name share the cell's plan for everyone else, a cell without
// conditional rules has plans that are outcomes, and every plan decides as the
// general path does (evaluate_checked) for every value of the conditions'
// attributes.
TEST(Steps, SingleRolePlansDecideAsTheGeneralPath) {
  auto t = testing::compile_source(R"(
entity User { x: bool, y: bool, z: bool }
action view;
action edit;
resource Doc actions view, edit;
role agent;
role manager extends agent;
role admin extends manager;
role guest;
role auditor;
obligation log(info, full);
f_all: forbid view on Doc unless principal.x;
f_mgr: forbid manager view on Doc when principal.y && !principal.z;
f_exc: forbid view on Doc when principal.z unless principal is admin;
g_agent: grant agent view on Doc when principal.y with log(info);
g_guest: grant guest view on Doc when principal.z || principal.y;
g_admin: grant admin view on Doc;
g_all: grant agent, guest view on Doc when principal.x with log(full);
g_edit: grant agent edit on Doc;
)");
  ASSERT_NE(t, nullptr);
  const uint32_t doc = *t->find_resource("Doc"), view = *t->find_action("view"), edit = *t->find_action("edit");
  const uint32_t view_cell = view * t->resource_count() + doc, edit_cell = edit * t->resource_count() + doc;
  auto plan = [&](uint32_t cell, const char* role) { return t->plan(cell, *t->find_role(role)); };
  // A cell of role rules only: each plan is its outcome, with no node to run.
  const uint32_t agent_edits = plan(edit_cell, "agent"), guest_edits = plan(edit_cell, "guest");
  ASSERT_GE(agent_edits, runtime::kChainResult);
  ASSERT_GE(guest_edits, runtime::kChainResult);
  EXPECT_EQ(t->rule_name(t->outcome(agent_edits).grant), "g_edit");
  EXPECT_EQ(t->outcome(agent_edits).obligations, 0u);
  EXPECT_EQ(plan(edit_cell, "admin"), agent_edits) << "an admin is an agent";
  EXPECT_EQ(t->outcome(guest_edits).grant, f::kNone);
  EXPECT_EQ(t->outcome(guest_edits).forbid, f::kNone);
  for (const char* role : {"agent", "manager", "admin", "guest", "auditor"}) {
    EXPECT_NE(plan(view_cell, role), runtime::Table::kNoPlan) << role;
  }
  EXPECT_NE(plan(view_cell, "agent"), plan(view_cell, "manager")) << "f_mgr is the manager's";
  EXPECT_NE(plan(view_cell, "manager"), plan(view_cell, "admin")) << "f_exc and g_admin are not the admin's";
  EXPECT_NE(plan(view_cell, "guest"), plan(view_cell, "auditor"));
  // The auditor meets only the forbids for everyone: their plan is f_all, then
  // f_exc, then no grant. Both test a bool: the plan is entered by an express
  // entry (branches.h) testing x == 1, then z == 0 (f_exc's false: its edges
  // both go to outcomes, and false to the one without a forbid), and on a
  // failed test going to f_all.
  const runtime::Branch* nodes = t->branches();
  const uint32_t entry = plan(view_cell, "auditor");
  ASSERT_LT(entry, runtime::kChainResult);
  ASSERT_EQ(nodes[entry].plan_run, runtime::plan_express_fn(t->express_tests().subspan(nodes[entry].express, 2)));
  const uint32_t auditor = nodes[entry].next[0];
  EXPECT_EQ(nodes[entry].next[2], auditor);
  const auto tests = t->express_tests().subspan(nodes[entry].express, 2);
  EXPECT_EQ(tests[0].slot, nodes[auditor].test->a.slot);
  EXPECT_EQ(tests[0].value, 1);
  EXPECT_EQ(tests[1].value, 0);
  EXPECT_EQ(nodes[entry].next[1], nodes[nodes[auditor].next[1]].next[0]) << "x and not z: no forbid applies";
  ASSERT_LT(auditor, runtime::kChainResult);
  EXPECT_EQ(t->outcome(nodes[auditor].next[0]).forbid, 0u) << "x false: f_all applies";
  ASSERT_LT(nodes[auditor].next[1], runtime::kChainResult) << "x true: f_all does not apply, f_exc runs";
  const runtime::Branch& f_exc = nodes[nodes[auditor].next[1]];
  ASSERT_GE(f_exc.next[0], runtime::kChainResult) << "z false: no forbid applies, and the auditor has no grant";
  const runtime::Table::Outcome& none = t->outcome(f_exc.next[0]);
  EXPECT_EQ(none.forbid, f::kNone);
  EXPECT_EQ(none.grant, f::kNone);
  EXPECT_EQ(t->outcome(f_exc.next[1]).forbid, 2u) << "z true: f_exc";
  EXPECT_EQ(t->outcome(f_exc.next[2]).errors, 1u) << "z absent: f_exc, erring";

  struct Want {
    const char* role;
    K x, y, z;
    const char* rule;  // nullptr: no rule decides (denied)
    bool allowed;
    const char* obligation;  // the one the allow carries, or nullptr
  };
  const Want wants[] = {
      {"agent", T, T, F, "g_agent", true, nullptr},  // g_agent and g_all: their obligations intersect to none
      {"agent", T, F, F, "g_all", true, "full"},
      {"agent", T, E, F, "g_all", true, "full"},
      {"manager", T, T, F, "f_mgr", false, nullptr},
      {"manager", T, T, T, "f_exc", false, nullptr},
      // f_exc excepts admins and f_mgr is false (z); an admin is an agent, and
      // g_agent is below g_admin, whose lack of obligations leaves none.
      {"admin", T, T, T, "g_agent", true, nullptr},
      {"admin", T, F, T, "g_admin", true, nullptr},
      {"admin", F, T, T, "f_all", false, nullptr},
      {"guest", T, F, E, "f_exc", false, nullptr},  // an erring forbid applies
      {"guest", T, F, F, "g_all", true, "full"},
      {"auditor", T, T, F, nullptr, false, nullptr},
  };
  for (const Want& w : wants) {
    RequestBuilder b(*t);
    view_with_flags(b, w.role, w.x, w.y, w.z);
    const runtime::Decision d = evaluate_checked(*t, b.build());
    const std::string what = std::string(w.role) + " " + std::to_string(w.x) + std::to_string(w.y) + std::to_string(w.z);
    EXPECT_EQ(d.allowed(), w.allowed) << what;
    EXPECT_EQ(w.rule == nullptr ? std::string("none") : std::string(w.rule),
              d.rule == runtime::kNoRule ? std::string("none") : std::string(t->rule_name(d.rule)))
        << what;
    EXPECT_EQ(d.obligations != 0, w.obligation != nullptr) << what;
  }
  // And every role against the general path, on every combination, and on the
  // cell of role rules.
  for (const char* role : {"agent", "manager", "admin", "guest", "auditor"}) {
    RequestBuilder edits(*t);
    on_doc(edits, "edit").role(role);
    EXPECT_EQ(evaluate_checked(*t, edits.build()).allowed(), std::string(role) != "guest" && std::string(role) != "auditor")
        << role;
    for (K x : {F, T, E}) {
      for (K y : {F, T, E}) {
        for (K z : {F, T, E}) {
          RequestBuilder b(*t);
          view_with_flags(b, role, x, y, z);
          evaluate_checked(*t, b.build());
        }
      }
    }
  }
}


// A scoped grant's plan starts with a row of `has a && a in b` joined by `||`,
// run by one scope entry (branches.h) where each test is the node's usual case,
// and by the nodes otherwise. Every combination of a usual and an unusual
// value for each test (an id held or not, absent, of the wrong kind, out of
// its enum's range; a set holding it, empty, absent, of the wrong kind)
// decides as the general path does.
TEST(Steps, ScopeEntriesDecideAsTheNodesTheyStandFor) {
  auto t = testing::compile_source(R"(
enum Level { low, mid, high }
entity Group, Ivr;
entity User { groups: set<Group>, ivrs: set<Ivr>, levels: set<Level> }
action view;
resource Doc { group: Group?, ivr: Ivr?, level: Level? } actions view;
role supervisor;
scoped: grant supervisor view on Doc
  when (resource has group && resource.group in principal.groups)
    || (resource has ivr && resource.ivr in principal.ivrs)
    || (resource has level && resource.level in principal.levels);
)");
  ASSERT_NE(t, nullptr);
  const uint32_t entry = view_doc_plan(*t, "supervisor");
  ASSERT_LT(entry, runtime::kChainResult);
  const runtime::Branch& e = t->branches()[entry];
  const auto tests = t->scope_tests().subspan(e.express, 3);
  ASSERT_EQ(e.plan_run, runtime::plan_scope_fn(tests)) << "three tests, of the resource's and principal's arrays";
  EXPECT_EQ(tests[0].slot_a, *t->find_attr(Root::kResource, "group"));
  EXPECT_EQ(tests[2].slot_b, *t->find_attr(Root::kPrincipal, "levels"));
  EXPECT_EQ(tests[2].max_a, 2u) << "three levels";
  EXPECT_EQ(e.scope_tests, tests.data()) << "the entry holds its tests' address";
  const runtime::Step& first = *t->branches()[e.next[0]].test;
  EXPECT_EQ(first.exec, runtime::Exec::kInIdAttr) << "anything unusual: the row's first node";
  EXPECT_EQ(first.a.slot, tests[0].slot_a) << "anything unusual: the row's first node";
  EXPECT_GE(e.next[1], runtime::kChainResult) << "true: the grant's outcome";
  EXPECT_GE(e.next[2], runtime::kChainResult) << "all false: no grant";

  using runtime::Value;
  using runtime::ValueKind;
  EXPECT_FALSE(tests[0].last);
  EXPECT_FALSE(tests[1].last);
  EXPECT_TRUE(tests[2].last) << "the entry's loop ends at the last test";
  // Sets the entry scans (up to 8 ids), searches (9 to 16), and leaves to the
  // nodes (more than 16); the larger two hold every test's held id and none
  // of the ids not held (11, 21, level 1).
  const int64_t held[] = {10, 20, 30}, levels[] = {0, 2};
  const int64_t held12[] = {2, 5, 10, 12, 13, 14, 15, 16, 20, 25, 30, 40};
  const int64_t held20[] = {2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 20, 22, 25, 30, 40};
  const std::string_view word = "w";
  const Value strings = Value::string_set(std::span<const std::string_view>(&word, 1));
  const Value set_values[6] = {Value::id_set(held), Value::id_set({}),     Value{},
                               strings,             Value::id_set(held12), Value::id_set(held20)};
  const Value level_held[6] = {Value::id_set(levels), Value::id_set({}),     Value{},
                               strings,               Value::id_set(held12), Value::id_set(held20)};
  struct Pair {
    uint32_t slot_a, slot_b;
    std::array<Value, 5> ids;  // held, not held, absent, wrong kind, out of range (or held)
    const Value* sets;         // holds the held id, empty, absent, wrong kind, 12 ids and 20 holding it
  };
  const Pair pairs[] = {
      {tests[0].slot_a, tests[0].slot_b,
       {Value::entity(20), Value::entity(21), Value{}, Value::integer(20), Value::entity(30)}, set_values},
      {tests[1].slot_a, tests[1].slot_b,
       {Value::entity(10), Value::entity(11), Value{}, Value::string("10"), Value::entity(10)}, set_values},
      {tests[2].slot_a, tests[2].slot_b,
       {Value::enum_value(2), Value::enum_value(1), Value{}, Value::entity(2), Value::of(ValueKind::kEnum, 3)},
       level_held},
  };
  RequestBuilder b(*t);
  on_doc(b, "view").role("supervisor");
  const runtime::Request base = b.build();
  size_t allowed = 0, errors = 0, cases = 0;
  for (size_t n = 0; n < 30 * 30 * 30; ++n) {
    std::vector<Value> principal(base.principal_attrs.begin(), base.principal_attrs.end());
    std::vector<Value> resource(base.resource_attrs.begin(), base.resource_attrs.end());
    for (size_t k = 0, m = n; k < 3; ++k, m /= 30) {
      resource.at(pairs[k].slot_a) = pairs[k].ids[m % 5];
      principal.at(pairs[k].slot_b) = pairs[k].sets[(m / 5) % 6];
    }
    runtime::Request r = base;
    r.principal_attrs = principal;
    r.resource_attrs = resource;
    const runtime::Decision d = evaluate_checked(*t, r);
    allowed += d.allowed() ? 1 : 0;
    errors += d.condition_errors != 0 ? 1 : 0;
    ++cases;
  }
  EXPECT_EQ(cases, 27000u);
  // Each test holds in 6 of its 30 cases (a held id, and the out-of-range
  // column's held id for the entities, with each of the three sets holding
  // them), 3 for the levels: the grant applies unless none does, 24 * 24 * 27
  // of 27000.
  EXPECT_EQ(allowed, 27000u - 24u * 24u * 27u);
  EXPECT_GT(errors, 0u) << "ill-formed values make the condition err where nothing holds";
}

// A supervisor's grant scoped by group or IVR, as the seed policies write it:
// its plan starts with a scope entry of two tests.
constexpr const char* kScopedByGroupOrIvr = R"(
entity Group, Ivr;
entity User { groups: set<Group>, ivrs: set<Ivr> }
action view;
resource Doc { group: Group?, ivr: Ivr? } actions view;
role supervisor;
scoped: grant supervisor view on Doc
  when (resource has group && resource.group in principal.groups)
    || (resource has ivr && resource.ivr in principal.ivrs);
)";

// An id set from Value::id_set() carries the buckets (an id's low 6 bits)
// none of its ids falls in, and the evaluator tells an id in such a bucket
// not held without a search. Ids sharing a bucket (64 apart, negative ones),
// sets scanned, searched and halved, and a set built by hand, whose buckets
// claim nothing (0), decide as membership does, by the scope entry, the nodes
// and the general path alike.
TEST(Steps, IdSetsTellIdsNotHeldByTheirBuckets) {
  auto t = testing::compile_source(kScopedByGroupOrIvr);
  ASSERT_NE(t, nullptr);
  const uint32_t group = *t->find_attr(Root::kResource, "group"), groups = *t->find_attr(Root::kPrincipal, "groups");
  const std::vector<std::vector<int64_t>> sets = {
      {},
      {-1, 5, 69},
      {-64, 0, 3, 64, 67, 128, 131, 200, 264, 1000},
      {-3, 1, 2, 4, 8, 16, 32, 65, 66, 68, 72, 80, 96, 129, 130, 300, 301, 302, 303, 1000000},
  };
  RequestBuilder b(*t);
  on_doc(b, "view").role("supervisor");
  const runtime::Request base = b.build();
  size_t held = 0, cases = 0;
  for (const std::vector<int64_t>& ids : sets) {
    runtime::Value by_hand;  // no buckets: every id searched
    by_hand.kind = runtime::ValueKind::kIdSet;
    by_hand.ids = ids.data();
    by_hand.count = static_cast<uint32_t>(ids.size());
    EXPECT_EQ(runtime::Value::id_set(ids).lacks_bucket_of(5), std::find(ids.begin(), ids.end(), 5) == ids.end() &&
                                                                 std::find(ids.begin(), ids.end(), 69) == ids.end())
        << ids.size() << " ids";
    for (const runtime::Value& set : {runtime::Value::id_set(ids), by_hand}) {
      for (int64_t id = -140; id <= 340; ++id) {
        std::vector<runtime::Value> principal(base.principal_attrs.begin(), base.principal_attrs.end());
        std::vector<runtime::Value> resource(base.resource_attrs.begin(), base.resource_attrs.end());
        principal.at(groups) = set;
        resource.at(group) = runtime::Value::entity(id);
        runtime::Request r = base;
        r.principal_attrs = principal;
        r.resource_attrs = resource;
        const bool member = std::binary_search(ids.begin(), ids.end(), id);
        EXPECT_EQ(evaluate_checked(*t, r).allowed(), member) << id << " in a set of " << ids.size();
        held += member ? 1 : 0;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 4u * 2u * 481u);
  EXPECT_EQ(held, 2u * (0u + 3u + 9u + 19u)) << "the ids of each set in [-140, 340]";
}

// A plan's nodes read the principal's and the resource's arrays with no test
// of the slot (eval.cc's kCovered): evaluate() walks a plan only for a request
// whose two arrays hold a value for every attribute of the table, as
// RequestBuilder's do. A request with shorter arrays is decided by the general
// path, where an attribute past the end of its array is absent. Here the
// values past each shortened array's end would allow: a plan that read them
// would decide otherwise.
TEST(Steps, PlansReadOnlyArraysThatHoldEveryAttribute) {
  auto t = testing::compile_source(kScopedByGroupOrIvr);
  ASSERT_NE(t, nullptr);
  const uint32_t plan = view_doc_plan(*t, "supervisor");
  ASSERT_LT(plan, runtime::kChainResult) << "the supervisor's plan walks nodes";
  ASSERT_EQ(t->attr_count(Root::kPrincipal), 4u) << "tenant, rank, groups, ivrs";
  ASSERT_EQ(t->attr_count(Root::kResource), 3u) << "tenant, group, ivr";

  RequestBuilder b(*t);
  on_doc(b, "view").role("supervisor").attr_set(Root::kPrincipal, "groups", {"g1"});
  b.attr_set(Root::kPrincipal, "ivrs", {"i1"}).attr(Root::kResource, "group", "g1").attr(Root::kResource, "ivr", "i1");
  const runtime::Request full = b.build();
  ASSERT_EQ(full.principal_attrs.size(), 4u);
  ASSERT_EQ(full.resource_attrs.size(), 3u);
  EXPECT_TRUE(evaluate_checked(*t, full).allowed());

  // Each array cut short before the group's or the IVR's slot: the values past
  // the end are still in memory, and present.
  const uint32_t group = *t->find_attr(Root::kResource, "group"), ivr = *t->find_attr(Root::kResource, "ivr");
  const uint32_t groups = *t->find_attr(Root::kPrincipal, "groups"), ivrs = *t->find_attr(Root::kPrincipal, "ivrs");
  struct Cut {
    size_t principal, resource;
    // With the attributes past each end absent: an absent resource attribute
    // fails its `has`; an absent set makes its `in` err, and the condition
    // errs if both do.
    bool allowed;
    uint32_t errors;
  };
  const Cut cuts[] = {
      {4, std::max(group, ivr), true, 0},    // the later of group and ivr gone: the other allows
      {4, std::min(group, ivr), false, 0},   // both gone
      {std::max(groups, ivrs), 3, true, 0},  // one set gone: the other allows
      {std::min(groups, ivrs), 3, false, 1}, // both sets gone
      {0, 0, false, 0},                      // no attributes at all
  };
  for (const Cut& c : cuts) {
    runtime::Request r = full;
    r.principal_attrs = full.principal_attrs.first(c.principal);
    r.resource_attrs = full.resource_attrs.first(c.resource);
    const runtime::Decision d = evaluate_checked(*t, r);
    EXPECT_EQ(d.allowed(), c.allowed) << "principal's array cut to " << c.principal << ", resource's to " << c.resource;
    EXPECT_EQ(d.condition_errors, c.errors) << "principal's array cut to " << c.principal << ", resource's to "
                                            << c.resource;
  }
  // Longer arrays than the table's are read as far as the table's attributes.
  std::vector<runtime::Value> principal(full.principal_attrs.begin(), full.principal_attrs.end());
  principal.resize(8);
  runtime::Request longer = full;
  longer.principal_attrs = principal;
  EXPECT_TRUE(evaluate_checked(*t, longer).allowed());
}

// Plans are for the cells they pay off in, within budgets linear in the table:
// a cell of more than 32 rules, or one whose grants' obligations make too many
// states (each subset of 20 grants applying leaves different obligations), keeps
// the general path, with the same decisions.
TEST(Steps, CellsPastThePlansLimitsKeepTheGeneralPath) {
  std::string many = "entity User { x: bool }\naction view;\nresource Doc actions view;\nrole a;\n";
  // Conditions that cannot err: 33 grants make 33 states, within their limit.
  for (int k = 0; k < 33; ++k) many += "g" + std::to_string(k) + ": grant a view on Doc when principal is a;\n";
  std::string states = "entity User { x: bool }\naction view;\nresource Doc actions view;\nrole a;\nobligation tag(";
  for (int k = 0; k < 20; ++k) states += (k ? ", v" : "v") + std::to_string(k);
  states += ");\n";
  for (int k = 0; k < 20; ++k) {
    states += "g" + std::to_string(k) + ": grant a view on Doc when principal.x with ";
    for (int o = 0, first = 1; o < 20; ++o) {
      if (o == k) continue;
      states += (first ? "tag(v" : ", tag(v") + std::to_string(o) + ")";
      first = 0;
    }
    states += ";\n";
  }
  for (const std::string* source : {&many, &states}) {
    const std::string& text = *source;
    const bool reads_x = source == &states;
    auto t = testing::compile_source(text);
    ASSERT_NE(t, nullptr) << text;
    EXPECT_EQ(view_doc_plan(*t, "a"), runtime::Table::kNoPlan) << text;
    for (bool x : {false, true}) {
      RequestBuilder b(*t);
      on_doc(b, "view").role("a");
      b.attr_bool(Root::kPrincipal, "x", x);
      const runtime::Decision d = runtime::evaluate(*t, b.build());
      EXPECT_EQ(d.allowed(), x || !reads_x);
      if (d.allowed()) {
        EXPECT_EQ(t->rule_name(d.rule), "g0");
      }
      EXPECT_EQ(d.obligations, 0u) << "each obligation is missing from one grant";
    }
  }
}

// A plan is walked by threaded code, each node's code calling the next's in
// tail position (eval.cc's plan_node()); where those calls stay calls (an
// unoptimized build), each node takes a frame. So a plan walks at most 512
// nodes (role_plans.cc's kMaxPlanWalk): a cell whose plan would walk more keeps
// the general path, with the same decisions.
TEST(Steps, PlansWalkABoundedNumberOfNodes) {
  constexpr int kLeaves = 60;  // each grant's condition: 60 tests, all false for n = 0
  auto policy = [&](int grants) {
    std::string text = "entity User { n: int }\naction view;\nresource Doc actions view;\nrole a;\n";
    for (int g = 0; g < grants; ++g) {
      text += "g" + std::to_string(g) + ": grant a view on Doc when ";
      for (int k = 0; k < kLeaves; ++k) {
        text += (k ? " || principal.n == " : "principal.n == ") + std::to_string(g * kLeaves + k + 1);
      }
      text += ";\n";
    }
    return text;
  };
  for (const int grants : {8, 9}) {  // the longest walk: 480 nodes, then 540
    auto t = testing::compile_source(policy(grants));
    ASSERT_NE(t, nullptr);
    const uint32_t plan = view_doc_plan(*t, "a");
    if (grants * kLeaves <= 512) {
      ASSERT_NE(plan, runtime::Table::kNoPlan);
      // n = 0 takes the longest walk: every test of every grant, in turn.
      uint32_t walked = 0;
      for (uint32_t node = plan; node < runtime::kChainResult; node = t->branches()[node].next[0]) ++walked;
      EXPECT_EQ(walked, static_cast<uint32_t>(grants * kLeaves));
    } else {
      EXPECT_EQ(plan, runtime::Table::kNoPlan) << grants * kLeaves << " nodes in a walk";
    }
    for (const int64_t n : {int64_t{0}, int64_t{1}, int64_t{grants} * kLeaves, int64_t{grants} * kLeaves + 1}) {
      RequestBuilder b(*t);
      on_doc(b, "view").role("a");
      b.attr_int(Root::kPrincipal, "n", n);
      const runtime::Decision d = evaluate_checked(*t, b.build());
      EXPECT_EQ(d.allowed(), n >= 1 && n <= grants * kLeaves) << n;
    }
  }
}

// A table with more (cell, role) pairs than Table::kMaxDensePlans finds each
// request's plan by a probe of the hashed pairs (Table::plan) rather than by one
// read: the same plans, deciding as the general path does. Two forbids for
// everyone start every plan with an express entry.
TEST(Steps, LargeTablesFindTheirPlansByRole) {
  constexpr int kActions = 16, kTypes = 16, kRoles = 300;
  std::string text = "enum State { up, down }\nentity User { x: bool, y: bool, s: State }\n";
  text += "f_y: forbid * on * unless principal.y;\nf_s: forbid * on * unless principal.s == up;\naction ";
  for (int a = 0; a < kActions; ++a) text += (a ? ", a" : "a") + std::to_string(a);
  text += ";\nresource ";
  for (int r = 0; r < kTypes; ++r) text += (r ? ", T" : "T") + std::to_string(r);
  text += " actions ";
  for (int a = 0; a < kActions; ++a) text += (a ? ", a" : "a") + std::to_string(a);
  text += ";\n";
  for (int k = 0; k < kRoles; ++k) {
    text += "role r" + std::to_string(k) + (k % 3 == 1 ? " extends r" + std::to_string(k - 1) : "") + ";\n";
  }
  // Per role, one grant, and every fifth a conditional forbid too, in cells
  // spread over the table.
  for (int k = 0; k < kRoles; ++k) {
    const std::string cell = " a" + std::to_string(k % kActions) + " on T" + std::to_string(k / kActions % kTypes);
    text += "g" + std::to_string(k) + ": grant r" + std::to_string(k) + cell +
            (k % 2 ? " when principal.x;\n" : ";\n");
    if (k % 5 == 0) text += "f" + std::to_string(k) + ": forbid r" + std::to_string(k) + cell + " unless principal.x;\n";
  }
  auto t = testing::compile_source(text);
  ASSERT_NE(t, nullptr);
  ASSERT_GT(size_t{t->role_count()} * t->action_count() * t->resource_count(), runtime::Table::kMaxDensePlans);
  // Whether `b` is an express entry: of 2 to 4 tests, all of the principal's array.
  auto is_express = [&](const runtime::Branch& b) {
    const auto all = t->express_tests();
    for (size_t n = 2; n <= runtime::kMaxExpressTests && b.express + n <= all.size(); ++n) {
      if (b.plan_run == runtime::plan_express_fn(all.subspan(b.express, n))) return true;
    }
    return false;
  };
  size_t planned = 0, express = 0, allowed = 0;
  for (int k = 0; k < kRoles; k += 7) {
    const uint32_t role = *t->find_role("r" + std::to_string(k));
    for (int a = 0; a < kActions; ++a) {
      for (int r = 0; r < kTypes; ++r) {
        const uint32_t plan =
            t->plan(static_cast<uint32_t>(a) * t->resource_count() + *t->find_resource("T" + std::to_string(r)), role);
        planned += plan != runtime::Table::kNoPlan;
        // Two tests, and more where the role's own forbid or grant on x follows.
        express += plan < runtime::kChainResult && is_express(t->branches()[plan]);
        for (K x : {F, T, E}) {
          for (K y : {F, T, E}) {
            for (const char* state : {"up", "down", ""}) {
              RequestBuilder b(*t);
              b.action("a" + std::to_string(a)).resource_type("T" + std::to_string(r)).principal("u", "t");
              b.resource_tenant("t").role("r" + std::to_string(k));
              if (x != E) b.attr_bool(Root::kPrincipal, "x", x == T);
              if (y != E) b.attr_bool(Root::kPrincipal, "y", y == T);
              if (*state != 0) b.attr(Root::kPrincipal, "s", state);
              allowed += evaluate_checked(*t, b.build()).allowed();
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(planned, size_t{(kRoles + 6) / 7} * kActions * kTypes) << "every cell has plans";
  EXPECT_EQ(express, planned) << "every plan starts with the forbids for everyone";
  EXPECT_GT(allowed, 0u);
}

}  // namespace
}  // namespace edict
