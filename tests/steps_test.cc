// tests/steps_test.cc: the evaluator's load-time indexes (runtime/steps.h and
// Table's role-rule groups): short circuits are recorded where the program's tree
// has them and nowhere else, a short-circuited condition has the value of the
// whole one (errors included), and the deciding rule is the lowest applicable
// one whether a cell's role rules are scanned or searched.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "runtime/eval.h"
#include "runtime/format/checksum.h"
#include "runtime/request_builder.h"
#include "runtime/steps.h"
#include "tests/testing/compile_text.h"

namespace edict {
namespace {

namespace f = runtime::format;
using runtime::kNoShortCircuit;
using runtime::RequestBuilder;
using Root = runtime::format::Root;

// `when` conditions over three booleans, for short circuits. A request may still
// leave one out: reading it is then an error (fail closed).
const std::string kFlags = R"(
entity User { x: bool, y: bool, z: bool }
action view;
resource Doc actions view;
role a;
role b;
first: grant a view on Doc when (principal.x && principal.y) || principal.z;
second: grant b view on Doc when principal.z;
)";

// The program of the first conditional rule of (view, Doc).
std::pair<uint32_t, uint32_t> first_program(const runtime::Table& t) {
  const f::Cell& cell = t.cell(*t.find_action("view"), *t.find_resource("Doc"));
  const f::CondRule& cr = t.cond_rules()[cell.cond_first];
  return {cr.code_first, cr.code_count};
}

TEST(Steps, ShortCircuitsFollowTheTree) {
  auto t = testing::compile_source(kFlags);
  ASSERT_NE(t, nullptr);
  const auto [first, count] = first_program(*t);
  ASSERT_EQ(count, 5u);  // x y and z or
  const auto steps = t->steps().subspan(first, count);
  EXPECT_EQ(steps[0].short_on, 0) << "x false decides `x && y`";
  EXPECT_EQ(steps[0].parent, first + 2);
  EXPECT_EQ(steps[1].short_on, kNoShortCircuit) << "a right operand decides nothing alone";
  EXPECT_EQ(steps[2].short_on, 1) << "`x && y` true decides the `or`";
  EXPECT_EQ(steps[2].parent, first + 4);
  EXPECT_EQ(steps[3].short_on, kNoShortCircuit);
  EXPECT_EQ(steps[4].short_on, kNoShortCircuit);
}

// Kleene logic: false && error is false, true || error is true, and an error
// that is not short-circuited stays one (a grant then does not apply, and the
// decision counts it).
TEST(Steps, ShortCircuitedConditionsKeepTheirValue) {
  auto t = testing::compile_source(kFlags);
  ASSERT_NE(t, nullptr);
  struct Case {
    const char* x;  // "absent" leaves the attribute out: reading it errs
    const char* y;
    const char* z;
    bool allowed;
    uint32_t errors;
  };
  const Case cases[] = {
      {"false", "absent", "false", false, 0},  // (F && E) || F = F
      {"true", "true", "absent", true, 0},     // (T && T) || E = T
      {"true", "absent", "true", true, 0},     // (T && E) || T = T
      {"true", "absent", "false", false, 1},   // (T && E) || F = E
      {"absent", "false", "absent", false, 1}, // (E && F) || E = E
  };
  for (const Case& c : cases) {
    RequestBuilder b(*t);
    b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("a");
    for (auto [name, value] : {std::pair{"x", c.x}, std::pair{"y", c.y}, std::pair{"z", c.z}}) {
      if (std::string(value) != "absent") b.attr_bool(Root::kPrincipal, name, std::string(value) == "true");
    }
    const runtime::Decision d = runtime::evaluate(*t, b.build());
    EXPECT_EQ(d.allowed(), c.allowed) << c.x << " " << c.y << " " << c.z;
    EXPECT_EQ(d.condition_errors, c.errors) << c.x << " " << c.y << " " << c.z;
  }
}

// `has x && test`, the guard the checker asks for: one dispatch for the three
// instructions, and the same values as the whole program.
TEST(Steps, GuardedTestsRunAsOne) {
  auto t = testing::compile_source(R"(
entity User { x: bool?, y: bool? }
action view;
resource Doc actions view;
role a;
guarded: grant a view on Doc when (principal has x && principal.x) || (principal has y && principal.y);
)");
  ASSERT_NE(t, nullptr);
  const auto [first, count] = first_program(*t);
  ASSERT_EQ(count, 7u);  // has x, x, and, has y, y, and, or
  const auto steps = t->steps().subspan(first, count);
  for (uint32_t k = 0; k < count; ++k) EXPECT_EQ(steps[k].guards_next, k == 0 || k == 3) << k;
  struct Case {
    const char* x;
    const char* y;
    bool allowed;
  };
  for (const Case& c : {Case{"absent", "true", true}, Case{"false", "absent", false}, Case{"true", "absent", true},
                        Case{"false", "false", false}, Case{"absent", "absent", false}}) {
    RequestBuilder b(*t);
    b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("a");
    if (std::string(c.x) != "absent") b.attr_bool(Root::kPrincipal, "x", std::string(c.x) == "true");
    if (std::string(c.y) != "absent") b.attr_bool(Root::kPrincipal, "y", std::string(c.y) == "true");
    const runtime::Decision d = runtime::evaluate(*t, b.build());
    EXPECT_EQ(d.allowed(), c.allowed) << c.x << " " << c.y;
    EXPECT_EQ(d.condition_errors, 0u) << c.x << " " << c.y;
  }
}

// The verifier accepts programs that share instructions. Where two programs see
// one instruction differently (here `x && y` is the root of one program and the
// left operand of the other's `or`), the instruction gets no short circuit: a
// jump would leave the shorter program.
TEST(Steps, ProgramsSharingInstructionsGetOnlyTheShortCircuitsTheyAgreeOn) {
  auto bytes = testing::compile_bytes(kFlags);
  auto loaded = runtime::Table::load(bytes);
  ASSERT_TRUE(loaded.has_value());
  const auto [first, count] = first_program(**loaded);
  const f::Cell cell = (*loaded)->cell(*(*loaded)->find_action("view"), *(*loaded)->find_resource("Doc"));
  ASSERT_EQ(cell.cond_count, 2u);
  // Point the second rule's program at the first three instructions of the first's.
  const size_t offset = reinterpret_cast<const std::byte*>(&(*loaded)->cond_rules()[cell.cond_first + 1]) -
                        (*loaded)->bytes().data();
  f::CondRule second;
  std::memcpy(&second, bytes.data() + offset, sizeof second);
  second.code_first = first;
  second.code_count = 3;
  std::memcpy(bytes.data() + offset, &second, sizeof second);
  f::store_checksum(bytes);
  auto t = runtime::Table::load(bytes);
  ASSERT_TRUE(t.has_value()) << t.error().message;
  const auto steps = (*t)->steps();
  EXPECT_EQ(steps[first].short_on, 0) << "both programs see `x` as the left operand of `and`";
  EXPECT_EQ(steps[first + 2].short_on, kNoShortCircuit) << "the programs disagree about `x && y`";

  // Role b's condition is now `x && y`, and role a's is unchanged.
  auto decide = [&](const char* role, bool x, bool y, bool z) {
    RequestBuilder b(**t);
    b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role(role);
    b.attr_bool(Root::kPrincipal, "x", x).attr_bool(Root::kPrincipal, "y", y).attr_bool(Root::kPrincipal, "z", z);
    return runtime::evaluate(**t, b.build()).allowed();
  };
  EXPECT_TRUE(decide("b", true, true, false));
  EXPECT_FALSE(decide("b", true, false, true));
  EXPECT_TRUE(decide("a", false, false, true));
  EXPECT_FALSE(decide("a", false, true, false));
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
      b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role(role);
      const runtime::Decision d = runtime::evaluate(*t, b.build());
      ASSERT_TRUE(d.allowed()) << n << " " << role;
      // Rules are numbered in source order: g(n-1) first. The role `all` holds
      // every r_i, so the lowest-numbered rule is g(n-1).
      const std::string expected = std::string(role) == "all" ? "g" + std::to_string(n - 1) : "g" + std::string(role + 1);
      EXPECT_EQ(t->rule_name(d.rule), expected) << n << " " << role;
    }
    if (spread) {
      RequestBuilder b(*t);
      b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role("filler3");
      EXPECT_FALSE(runtime::evaluate(*t, b.build()).allowed()) << n;
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
    b.action("view").resource_type("Doc").principal("u", "t").resource_tenant("t").role(role);
    b.attr_bool(Root::kPrincipal, "x", x);
    const runtime::Decision d = runtime::evaluate(*t, b.build());
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

}  // namespace
}  // namespace edict
