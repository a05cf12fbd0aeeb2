// runtime/branches.h: condition programs compiled on load into branching programs.
//
// A condition is a tree of leaves (tests of the request) under not, and, or,
// ==, != in Kleene logic (false, true, error). Stored as a postfix program it
// needs a stack, operators and short-circuit bookkeeping at run time. Here each
// program becomes a branching program instead: a graph whose nodes each run one
// leaf and go, by that leaf's value, to the next node or to the program's value.
// The evaluator then runs only the leaves that matter, one dispatch each, with
// no stack and no operators: `x && y` goes from x's false straight to false.
//
// Leaves are run left to right, as the stack machine would run them, and each
// edge is taken on exactly the value Kleene logic gives: an erring left operand
// of `and` leads to a copy of the right operand whose true means error, for
// `error && true = error` but `error && false = false`. The construction
// (BranchCompiler) shares copies with the same targets, so a condition of n
// leaves takes a few times n nodes; a program that would need more than a bound
// is not compiled and runs on the stack machine.
//
// One exception to left to right: `has a && test(a)`, the guard the checker
// asks for, runs as the test alone, which errs when `a` is absent; only then
// is `a` looked at, by the node itself (Branch::guard), to tell absence (false)
// from another error. The value is the same, with one leaf run instead of two.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "runtime/steps.h"

namespace edict::runtime {

// Node ids at or above kBranchResult are a program's value: kBranchResult + 0
// false, + 1 true, + 2 error (the evaluator's Tri).
inline constexpr uint32_t kBranchResult = UINT32_MAX - 3;
inline constexpr uint32_t kNoBranches = UINT32_MAX;  // a program left to the stack machine

// A forbid chain (compile_chain) ends in false, or in kChainResult + 2k + e:
// its k-th forbid applies, e = 1 if because its condition erred. Node ids stay
// below kChainResult (the node budget is far smaller).
inline constexpr uint32_t kChainResult = 1u << 31;
inline constexpr uint32_t kMaxChain = 64;

struct Branch;
struct Decision;
struct Request;
class Table;
class CustomRoles;
namespace detail {
struct DecisionFrame;
}
// What the evaluator reads while it decides (eval.cc).
struct LeafContext;
// Runs a node of a condition's program: its leaf, and returns the id of the
// node (or result) its value leads to. Each is code for one kind of leaf
// (eval.cc's node_fn()), so a walk runs no shared dispatch over every kind of
// leaf.
using NodeFn = uint32_t (*)(const LeafContext& c, const Branch& node);
// Runs a node of a single-role plan (table.h) and the rest of the plan's walk:
// its leaf, then the next node's code, as a tail call, until an outcome; returns
// that outcome's decision (in the table, or built in the frame when custom
// roles decide). No loop calls a plan's nodes in turn: each node's code goes on
// to the next's itself (eval.cc's plan_node()). The arguments come in the
// registers evaluate()'s own arrive in (the frame, the table, the request), and
// the node last: in another order, evaluate() and every node moved them about,
// 6 to 9 instructions per decision.
using PlanNodeFn = const Decision* (*)(detail::DecisionFrame& frame, const Table& t, const Request& r,
                                       const Branch& node) noexcept;

struct ExpressTest;
struct ScopeTest;

struct Branch {
  union {
    const Step* test;                  // a node: its leaf (a Step whose exec is not kOperator)
    const ExpressTest* express_tests;  // an express entry (below): its tests
    const ScopeTest* scope_tests;      // a scope entry: its tests
  };
  NodeFn run;           // node_fn(test->exec, guard): a condition's walk runs this
  PlanNodeFn plan_run;  // plan_node_fn(*test, guard): a plan's walk runs this
  // By the test's value (false, true, error): a node id, or the result. A next
  // node's id is below this node's: BranchCompiler::emit() builds a node's
  // targets first, and a plan's copies keep that order (role_plans.cc bounds
  // its walks by it).
  uint32_t next[3];
  // `has g && test`, the guard the checker asks for, runs as this one node: the
  // test reads g's value, so an absent g makes it err, and on that error only
  // is g looked at, by the node's code (node_fn's and plan_node_fn's `guard`,
  // which operand of the test g is). Absent, the guard is false and so is the
  // conjunction (next[0]); present, the test erred for another reason (next[2]).

  // An express entry of a plan (role_plans.cc's express_entry()) is a node of
  // its own, reached only from the plan's root: it runs the tests of a row of
  // the plan's first nodes, Table::express_tests()[express ...], in place, and
  // goes to next[1] if each passes, as the row would; else to next[0] (and
  // next[2]), the row's first node, which runs it in full. A scope entry
  // (scope_entry()) runs Table::scope_tests()[express ...], a row of `has a
  // && a in b` joined by `||`: to next[1] at the first that holds, next[2] if
  // none does, next[0] (the row's first node) on anything it leaves to the
  // nodes. In the padding. An entry has no leaf: in the place of `test` it
  // holds the address of its first test (express_tests or scope_tests), so
  // that its code finds them with one load, not two (the table's array, then
  // the index); its `run` is entry_node_fn(), which reads neither.
  uint32_t express = 0;
};
static_assert(sizeof(Branch) == 40);

// A test of an express entry: request attribute `slot` of `attrs` holds a
// value of kind `want` equal to `value`. Where that holds, the node it stands
// for takes the edge the express entry follows; anything else (a value that
// differs, is absent or ill-formed, a slot past the request's) fails the
// test, and the node runs in full.
struct alignas(16) ExpressTest {
  ValueKind want = ValueKind::kAbsent;
  uint32_t slot = 0;
  int64_t value = 0;
  std::span<const Value> Request::* attrs = &Request::principal_attrs;
  size_t offset = 0;  // slot * sizeof(Value), as Operand::offset

  // Whether `v` is of kind `want` and equal to `value`. The test's first 16
  // bytes are laid out as a Value's (its kind, then `i` at byte 8); compiled
  // with SSE2 (every x86-64 build), they are compared with the value's at
  // once, but for the bytes after the kind (a Value's padding; here, `slot`):
  // two loads where two compares took four, and each load counts on the
  // hottest path (docs/performance.md, seventeenth session).
  bool holds(const Value& v) const {
#if defined(__SSE2__)
    const __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&v));
    const __m128i wanted = _mm_load_si128(reinterpret_cast<const __m128i*>(this));
    // Bit k of the mask: byte k is equal. Bit 0 is the kind, bits 8 to 15 `i`.
    return (_mm_movemask_epi8(_mm_cmpeq_epi8(got, wanted)) | 0xFE) == 0xFFFF;
#else
    return v.kind == want && v.i == value;
#endif
  }
};
static_assert(sizeof(ExpressTest) == 32 && offsetof(ExpressTest, slot) == 4 && offsetof(ExpressTest, value) == 8);
static_assert(offsetof(Value, kind) == 0 && offsetof(Value, i) == 8);
// An express entry runs 2 to kMaxExpressTests tests.
inline constexpr uint32_t kMaxExpressTests = 4;

// A test of a scope entry (role_plans.cc's scope_entry()): `has a && a in b`,
// a an id that request attribute `slot_a` of `attrs_a` holds (of kind
// `want_a`, at most `max_a`, as Operand), b a set of ids that attribute
// `slot_b` of `attrs_b` holds. Where a is absent the test is false; where it
// holds, the test is whether b holds it; anything else (a value or a set
// ill-formed, a set of more than 16 ids, a slot past the request's array)
// leaves the node to decide.
struct alignas(64) ScopeTest {  // one cache line: found by a shift
  std::span<const Value> Request::* attrs_a = &Request::principal_attrs;
  std::span<const Value> Request::* attrs_b = &Request::principal_attrs;
  uint32_t slot_a = 0, slot_b = 0;
  ValueKind want_a = ValueKind::kAbsent;
  bool last = false;  // the entry's last test: its loop ends here
  uint64_t max_a = 0;
  size_t offset_a = 0, offset_b = 0;  // slot * sizeof(Value), as Operand::offset
};
// A scope entry runs 2 to kMaxScopeTests tests.
inline constexpr uint32_t kMaxScopeTests = 4;

// Which operand of its test a node's guard is: the guard `has x` of `has x &&
// test(x)` is always one the test reads as a value, so an absent x makes it err.
enum class GuardOperand : uint8_t { kNone, kA, kB };

// The code that runs a node whose test is of kind `exec`, with a guard on its
// operand `guard`: the node looks at the value its test has just read.
NodeFn node_fn(Exec exec, GuardOperand guard);
// An entry's Branch::run. Entries are reached from plan roots only, never by
// a condition's walk; were one, this would read nothing of it and err (next[2]).
NodeFn entry_node_fn();
// A plan node's code also depends on which of the request's arrays its test's
// operands are read from (eval.cc's Span).
PlanNodeFn plan_node_fn(const Step& test, GuardOperand guard);
// The code of an express entry of `tests` (2 to kMaxExpressTests of them):
// compiled for their number and for the request array they read, where they
// all read one.
PlanNodeFn plan_express_fn(std::span<const ExpressTest> tests);
// The code of a scope entry of `tests` (2 to kMaxScopeTests of them, the
// last marked ScopeTest::last): compiled for the arrays they read, where each
// reads a from the resource and b from the principal.
PlanNodeFn plan_scope_fn(std::span<const ScopeTest> tests);

// Roles whose holders a rule's condition excludes outright: the top-level
// conjuncts `!(principal is R)` (`unless principal is R`), all in one word of
// the roles bitset. A principal holding one makes the whole condition false,
// whatever the rest's value (false && error is false), so the evaluator tests
// them with the rule's roles and runs only the rest.
struct RoleExceptions {
  uint32_t word = 0;
  uint64_t mask = 0;  // none when 0
};

// Compiles programs of one table's steps into one vector of nodes. Reuses its
// working memory between programs: a table has thousands of them. The nodes of
// all programs together stay within a budget linear in the number of steps (a
// table may reference overlapping programs many times over); programs past it
// run on the stack machine.
class BranchCompiler {
 public:
  BranchCompiler(std::span<const Step> steps, std::vector<Branch>& out);
  ~BranchCompiler();
  BranchCompiler(const BranchCompiler&) = delete;
  BranchCompiler& operator=(const BranchCompiler&) = delete;

  // Appends the branching program of the verified postfix program steps[first,
  // first + count) to `out` and returns its root: a node id (an index into
  // `out`), a result if the program is constant, or kNoBranches if it would take
  // more than a small multiple of its length or is nested too deep.
  uint32_t compile(uint32_t first, uint32_t count);
  // The same for a rule's condition, less the role exceptions it starts or ends
  // with, which go to `except`.
  uint32_t compile_rule(uint32_t first, uint32_t count, RoleExceptions& except);

  // One branching program for consecutive forbids of a cell, each for every
  // principal and without role exceptions, given as the (first, count) of their
  // conditions in rule order (at most kMaxChain): the first whose condition is
  // not false decides the forbids, so the k-th program's false leads to the
  // (k+1)-th, and its true and error to the chain's results (kChainResult). One
  // walk instead of one per rule. kNoBranches if any does not compile.
  uint32_t compile_chain(std::span<const std::pair<uint32_t, uint32_t>> conditions);

 private:
  using Targets3 = std::array<uint32_t, 3>;
  struct Tree;
  bool build(uint32_t first, uint32_t count);
  uint32_t compile_tree(uint32_t root, uint32_t count, Targets3 to);
  uint32_t peel_exceptions(uint32_t root, RoleExceptions& except) const;
  bool exception_roles(uint32_t node, RoleExceptions& except) const;
  uint32_t emit(uint32_t node, Targets3 to);
  uint32_t leaf(uint32_t step, Targets3 to, const Operand* guard = nullptr);

  std::span<const Step> steps_;
  std::vector<Branch>& out_;
  std::unique_ptr<Tree> tree_;
  size_t max_nodes_ = 0;  // the budget of all programs' nodes
  size_t base_ = 0, limit_ = 0;
  bool over_ = false;
};

}  // namespace edict::runtime
