// runtime/eval.cc: the decision path (evaluate) and its explanation (explain).
//
// evaluate() allocates nothing: a principal's effective roles are its role's
// implied bitset in the table, or for several roles a fixed stack buffer (tables
// hold at most format::kMaxRoles roles), the condition stack is a fixed array
// (kMaxStack), and every table index was verified on load.
//
// Two paths decide alike (tests/testing/general_path.h): a request holding one
// role walks its cell's single-role plan (table.h), node to node (plan_node<>);
// every other request takes evaluate_general(), the role tests and the cell's
// rules.
//
// Decisive rule: the lowest-numbered applicable forbid, else the lowest-numbered
// applicable grant. Cells keep conditional rules sorted by rule id, forbids first,
// so each search needs only the rules numbered below the best candidate so far.
//
// Conditions run as the branching programs compiled on load (branches.h), which
// run only the leaves that decide, each node by the code for its kind of leaf
// (Branch::run, node<>; a plan's copies by Branch::plan_run, plan_node<>);
// explain() runs the steps in full on the stack machine, since it reports every
// leaf's value.
#include "runtime/eval.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "runtime/custom_roles.h"
#include "support/text.h"

namespace edict::runtime {

// What every part of a decision reads. A node's code (Branch::run) takes it by
// reference: a walk builds it in memory once, and each node loads only what its
// kind of leaf reads. Most other functions kept out of line take it by value,
// which copies it only on the calls that are made. The custom-role calls take
// it by reference: with a copy, the custom-role decision measured 10 ns slower
// (30 against 20), for no reason the instruction counts show. The roles are
// held by value (a view: three words).
struct LeafContext {
  // The principal's effective roles (held roles and every role they imply). Only
  // words [lo, lo + n) of `bits` are read: a role outside them is not held. The
  // range comes from the held roles' implied-word ranges (Table::implied), so a
  // decision costs the same whether the policy declares 4 roles or 4,000. A
  // principal holding one role reads that role's implied bitset in the table, in
  // place; several roles are merged into a RoleBuffer.
  struct Roles {
    const uint64_t* bits = nullptr;
    uint32_t lo = 0, n = 0;
  };

  const Table& t;
  const Request& r;
  Roles roles;

  // Whether roles word `w` is one the request's roles can set (else it is zero).
  bool in_words(uint32_t w) const { return w - roles.lo < roles.n; }
  bool holds(uint32_t role) const { return in_words(role / 64) && ((roles.bits[role / 64] >> (role % 64)) & 1u); }
  [[gnu::always_inline]] bool intersects(const uint64_t* bits) const {
    if (roles.n == 1) [[likely]] return (roles.bits[roles.lo] & bits[roles.lo]) != 0;  // up to 64 roles
    for (uint32_t w = roles.lo; w < roles.lo + roles.n; ++w) {
      if (roles.bits[w] & bits[w]) return true;
    }
    return false;
  }
};

namespace {

namespace f = format;

// The decision path's small helpers are inlined into it whatever the optimizer's
// size heuristics say: as calls they were a third of a simple decision's time.
#define EDICT_HOT [[gnu::always_inline]] inline

enum Tri : uint8_t { kF = 0, kT = 1, kE = 2 };  // also the index of Branch::next and the order of its results

Tri tri(bool b) { return b ? kT : kF; }
Tri tri_not(Tri a) { return a == kE ? kE : a == kT ? kF : kT; }
Tri tri_and(Tri a, Tri b) { return (a == kF || b == kF) ? kF : (a == kE || b == kE) ? kE : kT; }
Tri tri_or(Tri a, Tri b) { return (a == kT || b == kT) ? kT : (a == kE || b == kE) ? kE : kF; }
Tri tri_eq(Tri a, Tri b) { return (a == kE || b == kE) ? kE : tri(a == b); }

using RoleSet = LeafContext::Roles;
using RoleBuffer = uint64_t[f::kMaxRoles / 64];

RoleSet implied_roles(const Table& t, uint32_t role) {
  const Table::ImpliedRoles& implied = t.implied(role);
  return {implied.bits, implied.first, implied.words};
}

using Ctx = LeafContext;
using Frame = detail::DecisionFrame;

// Storage for a value computed from the request (a tenant, the principal's rank),
// constructed only when one is read: most leaves read the request in place, and
// zeroing a Value per operand would be a measurable part of a simple condition.
class Scratch {
 public:
  const Value* put(const Value& v) { return std::construct_at(reinterpret_cast<Value*>(storage_), v); }

 private:
  alignas(Value) std::byte storage_[sizeof(Value)];
};

// The principal's highest-ranked role, or kNone.
[[gnu::noinline]] uint32_t top_ranked_of_many(Ctx c) {
  uint32_t best_rank = 0, best_role = f::kNone;
  const auto roles = c.t.roles();
  for (uint32_t w = c.roles.lo; w < c.roles.lo + c.roles.n; ++w) {
    for (uint64_t bits = c.roles.bits[w]; bits != 0; bits &= bits - 1) {
      const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(bits));
      const uint32_t rank = roles[role].rank;
      if (rank != f::kNone && (best_role == f::kNone || rank > best_rank)) {
        best_rank = rank;
        best_role = role;
      }
    }
  }
  return best_role;
}
EDICT_HOT uint32_t top_ranked(const Ctx& c) {
  // One role (prepare() checked it): its top-ranked implied role, computed on load.
  return c.r.roles.size() == 1 ? c.t.implied(c.r.roles[0]).top_ranked : top_ranked_of_many(c);
}

// principal.rank: the principal's highest-ranked role, if any.
const Value* principal_rank(const Ctx& c, Scratch& scratch) {
  const uint32_t top = top_ranked(c);
  return top == f::kNone ? nullptr : scratch.put(Value::role(top));
}

// The value of an operand computed from the request; nullptr when absent.
[[gnu::noinline]] const Value* read_computed(Ctx c, const Operand& o, Scratch& scratch) {
  switch (o.source) {
    case Source::kPrincipalTenant:
      return c.r.principal_tenant != kNoTenant ? scratch.put(Value::entity(c.r.principal_tenant)) : nullptr;
    case Source::kResourceTenant:
      return c.r.resource_tenant != kNoTenant ? scratch.put(Value::entity(c.r.resource_tenant)) : nullptr;
    case Source::kPrincipalRank: return principal_rank(c, scratch);
    default: return nullptr;
  }
}

// The value at byte offset `offset` of `attrs` (a slot in bounds, times
// sizeof(Value)): one add. at(attrs, o) is attrs[o.slot].
EDICT_HOT const Value& at(std::span<const Value> attrs, size_t offset) {
  return *reinterpret_cast<const Value*>(reinterpret_cast<const std::byte*>(attrs.data()) + offset);
}
EDICT_HOT const Value& at(std::span<const Value> attrs, const Operand& o) { return at(attrs, o.offset); }

// Which of the request's attribute arrays an operand is read from, where the
// code that reads it is compiled for one (a plan node's: plan_node_fn()), or
// kAny: through the operand's member pointer. Known when compiled, the array's
// address is loaded as the node starts, beside its step; through the member
// pointer, only once the step has been read: one load more on the way to every
// value, and the scoped decisions took 1.15-1.2 times as long (docs/performance.md,
// fourteenth session).
enum class Span : uint8_t { kPrincipal, kResource, kContext, kAny };
using Attrs = std::span<const Value> Request::*;
template <Span S>
EDICT_HOT const std::span<const Value>& attrs_of(const Request& r, Attrs attrs) {
  if constexpr (S == Span::kPrincipal) return r.principal_attrs;
  if constexpr (S == Span::kResource) return r.resource_attrs;
  if constexpr (S == Span::kContext) return r.context_attrs;
  if constexpr (S == Span::kAny) return r.*attrs;
}
template <Span S>
EDICT_HOT const std::span<const Value>& attrs_of(const Request& r, const Operand& o) {
  return attrs_of<S>(r, o.attrs);
}
// Whether the code for array S reads it with no test of the slot: a plan
// node's code for the principal's or the resource's. decide() walks a plan
// only for a request whose two arrays hold every attribute of the table
// (covers_attrs()), and load() checked that every request attribute's slot is
// below its count. The context's array is tested (requests often leave it
// empty), and so is every array read through an operand's member pointer.
// Without the tests of the slots the denied scoped decision took 0.9 of the
// time (docs/performance.md, fifteenth session).
template <Span S>
constexpr bool kCovered = S == Span::kPrincipal || S == Span::kResource;
template <Span S>
EDICT_HOT bool in_bounds(std::span<const Value> attrs, uint32_t slot) {
  return kCovered<S> || slot < attrs.size();
}

// Whether the request's principal and resource arrays are long enough for a
// plan's nodes (kCovered): as RequestBuilder builds them, a value (perhaps
// kAbsent) for every attribute of the table. A request with shorter ones is
// decided by the general path, which reads past an array's end as absent.
EDICT_HOT bool covers_attrs(const Table& t, const Request& r) {
  const uint64_t counts = t.attr_counts();  // one load for both counts, on every walk
  return r.principal_attrs.size() >= static_cast<uint32_t>(counts) && r.resource_attrs.size() >= (counts >> 32);
}

// The array read through `attrs` (a computed operand's member pointer is the
// default one, the principal's: plan_node_fn() gives the nodes that read one
// code for any array).
Span span_of(Attrs attrs) {
  if (attrs == &Request::resource_attrs) return Span::kResource;
  if (attrs == &Request::context_attrs) return Span::kContext;
  return Span::kPrincipal;
}

// An operand's value: a pointer into the request, or into `scratch` for the
// values computed from it; nullptr when absent. A computed operand's slot is
// past any request's attributes (steps.h), so the in-bounds read needs no test
// of the source, and computed values are found on the out-of-bounds path.
template <Span S = Span::kAny>
EDICT_HOT const Value* read(const Ctx& c, const Operand& o, Scratch& scratch) {
  const std::span<const Value>& attrs = attrs_of<S>(c.r, o);
  if (in_bounds<S>(attrs, o.slot)) [[likely]] {
    const Value& v = at(attrs, o);
    return v.kind == ValueKind::kAbsent ? nullptr : &v;
  }
  return o.source > Source::kContextAttr ? read_computed(c, o, scratch) : nullptr;
}

// Whether `v` is a well-formed value of the operand's declared type.
EDICT_HOT bool fits(const Operand& o, const Value& v) { return v.kind == o.want && static_cast<uint64_t>(v.i) <= o.max; }

// Reads and type-checks; nullptr means the condition errs. Steps call this only
// for operands whose `want` is a kind a value can have (decode_steps makes the
// others kError), so a value that fits is present: no separate test for absence.
template <Span S = Span::kAny>
EDICT_HOT const Value* value(const Ctx& c, const Operand& o, Scratch& scratch) {
  const std::span<const Value>& attrs = attrs_of<S>(c.r, o);
  if (in_bounds<S>(attrs, o.slot)) [[likely]] {
    const Value& v = at(attrs, o);
    return fits(o, v) ? &v : nullptr;
  }
  if (o.source <= Source::kContextAttr) return nullptr;
  const Value* v = read_computed(c, o, scratch);
  return v != nullptr && fits(o, *v) ? v : nullptr;
}

// value() of a set operand: a set has no range to check (decode_operand leaves
// a set's `max` at UINT64_MAX), only its kind. Sets are never computed, but an
// out-of-bounds read still takes value()'s path.
template <Span S = Span::kAny>
EDICT_HOT const Value* set_value(const Ctx& c, const Operand& o, Scratch& scratch) {
  const std::span<const Value>& attrs = attrs_of<S>(c.r, o);
  if (in_bounds<S>(attrs, o.slot)) [[likely]] {
    const Value& v = at(attrs, o);
    return v.kind == o.want ? &v : nullptr;
  }
  return value<S>(c, o, scratch);
}

template <typename T>
EDICT_HOT Tri compare(uint8_t cmp_true, T a, T b) {
  const unsigned result = a < b ? 0 : a == b ? 1 : 2;  // the bit of cmp_mask
  return tri((cmp_true >> result) & 1u);
}

// Roles ordered by rank: a role off the ladder has no order (error).
EDICT_HOT Tri compare_ranks(const Ctx& c, uint8_t cmp_true, int64_t a, int64_t b) {
  const uint32_t ra = c.t.roles()[static_cast<size_t>(a)].rank, rb = c.t.roles()[static_cast<size_t>(b)].rank;
  if (ra == f::kNone || rb == f::kNone) [[unlikely]] return kE;
  return compare(cmp_true, ra, rb);
}

// p += step when p[step] <= id, as a branch. The empty asm in the taken arm
// keeps the compiler from making it a conditional move: with a branch, the
// next probe's load starts on the predicted path; with a conditional move it
// waits for this one's load and compare, and a search of 16 ids waits 4 times.
EDICT_HOT void probe(const int64_t*& p, uint32_t step, int64_t id) {
  if (p[step] <= id) {
    asm volatile("");
    p += step;
  }
}

// The most ids sorted_ids_have() searches without first halving them.
inline constexpr uint32_t kSearchedUnhalved = 16;

// Whether sorted `ids` (count > 8) hold `id`: halves the range to at most 16
// ids, then three probes at fixed steps leave two ids, and `id` is held if it
// is one of them. Every read is in bounds: after the halving 9 <= n <= 16, and
// the reads after the first probe reach p[7] at most, below n. Inlined: it is
// compiled only into the code of the nodes that search (node<>), which then
// call nothing.
EDICT_HOT bool sorted_ids_have(const int64_t* p, uint32_t n, int64_t id) {
  while (n > kSearchedUnhalved) {  // invariant: if `id` is held, it is in [p, p + n)
    const uint32_t half = n / 2;
    probe(p, half, id);
    n -= half;
  }
  probe(p, n - 8, id);  // now in [p, p + 8)
  probe(p, 4, id);
  probe(p, 2, id);
  // Both of the last two compared, where a fourth probe and then one compare
  // made two jumps more (the probe's arms each jumped to the compare).
  return (p[0] == id) | (p[1] == id);
}

// Whether id set `set` holds `id`, by a search of its ids.
EDICT_HOT bool set_search_id(const Value& set, int64_t id) {
  if (set.count <= 8) {  // the usual size: a scan beats the search's unpredictable branches
    for (uint32_t k = 0; k < set.count; ++k) {
      if (set.ids[k] == id) return true;
    }
    return false;
  }
  // Measured against a branch-free search (conditional moves): that one waits on
  // each load in turn, where predicted branches let the loads run ahead. The
  // decision over 16 ids (scoped_groups_16_denied) took 33 ns with it, 29 with
  // std::binary_search, whose call and loop this search saves.
  return sorted_ids_have(set.ids, set.count, id);
}

// Whether id set `set` holds `id`. Most ids a set does not hold are in a
// bucket none of its ids is in (Value::id_set()): one bit test, where the
// search of 16 ids was a seventh of the decision that found none.
EDICT_HOT bool set_has_id(const Value& set, int64_t id) { return !set.lacks_bucket_of(id) && set_search_id(set, id); }
bool set_has_string(const Value& set, std::string_view s) {
  for (uint32_t k = 0; k < set.count; ++k) {
    if (set.strs[k] == s) return true;
  }
  return false;
}

// The value of leaf `s`, whose Exec is `exec` (s.exec): a constant where a
// node's code (node<>) runs it, so that only that kind's case is compiled in.
template <Span SA = Span::kAny, Span SB = Span::kAny>
EDICT_HOT Tri leaf(const Ctx& c, const Step& s, Exec exec) {
  Scratch sa, sb;
  const Value* a = nullptr;
  const Value* b = nullptr;
  const f::Instr& in = s.in;
  switch (exec) {
    case Exec::kConst: return tri(in.a != 0);
    case Exec::kHas: return tri(read<SA>(c, s.a, sa) != nullptr);
    case Exec::kTruthy:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return tri(a->i != 0);
    case Exec::kCmpIdConst:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return compare(s.cmp_true, a->i, s.constant);
    case Exec::kEqIdConst:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return tri(a->i == s.constant);
    case Exec::kNeIdConst:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return tri(a->i != s.constant);
    case Exec::kCmpRankConst:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return compare_ranks(c, s.cmp_true, a->i, s.constant);
    case Exec::kCmpStringConst:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return compare(s.cmp_true, a->s.compare(s.text), 0);
    case Exec::kCmpIdAttr:
      if (!(a = value<SA>(c, s.a, sa)) || !(b = value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return compare(s.cmp_true, a->i, b->i);
    case Exec::kCmpRankAttr:
      if (!(a = value<SA>(c, s.a, sa)) || !(b = value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return compare_ranks(c, s.cmp_true, a->i, b->i);
    case Exec::kCmpAttrToPrincipalRank: {
      const uint32_t top = top_ranked(c);
      if (!(a = value<SA>(c, s.a, sa)) || top == f::kNone) [[unlikely]] return kE;
      return compare_ranks(c, s.cmp_true, a->i, top);
    }
    case Exec::kCmpPrincipalRankToAttr: {
      const uint32_t top = top_ranked(c);
      if (top == f::kNone || !(b = value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return compare_ranks(c, s.cmp_true, top, b->i);
    }
    case Exec::kCmpStringAttr:
      if (!(a = value<SA>(c, s.a, sa)) || !(b = value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return compare(s.cmp_true, a->s.compare(b->s), 0);
    case Exec::kCmpPrincipal:
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return compare(s.cmp_true, a->i, c.r.principal);
    case Exec::kInIdAttr:
      if (!(a = value<SA>(c, s.a, sa)) || !(b = set_value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return tri(set_has_id(*b, a->i));
    case Exec::kInStringAttr:
      if (!(a = value<SA>(c, s.a, sa)) || !(b = set_value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return tri(set_has_string(*b, a->s));
    case Exec::kInConst: {
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      const bool strings = s.a.kind == f::AttrKind::kString;
      for (int64_t k : c.t.pool().subspan(in.b, in.c)) {
        if (strings ? a->s == c.t.string(static_cast<uint32_t>(k)) : a->i == k) return kT;
      }
      return kF;
    }
    case Exec::kInConstMask: {
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      const auto id = static_cast<uint64_t>(a->i);
      return tri(id < 64 && ((static_cast<uint64_t>(s.constant) >> id) & 1u));
    }
    case Exec::kPrincipalIn:
      if (!(b = set_value<SB>(c, s.b, sb))) [[unlikely]] return kE;
      return tri(set_has_id(*b, c.r.principal));
    case Exec::kConstInIds:
      if (!(a = set_value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return tri(set_has_id(*a, s.constant));
    case Exec::kConstInStrings:
      if (!(a = set_value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      return tri(set_has_string(*a, s.text));
    case Exec::kIsRole: return tri(c.holds(in.a));
    case Exec::kIsRoleAttr: {
      if (!(a = value<SA>(c, s.a, sa))) [[unlikely]] return kE;
      const uint64_t* implied = c.t.bits(c.t.roles()[static_cast<size_t>(a->i)].implied);
      return tri((implied[in.b / 64] >> (in.b % 64)) & 1u);
    }
    case Exec::kIsType: {
      const auto pool = c.t.pool().subspan(in.b, in.c);
      return tri(std::find(pool.begin(), pool.end(), int64_t{c.r.resource_type}) != pool.end());
    }
    case Exec::kError:
    case Exec::kOperator: return kE;
    default: __builtin_unreachable();  // decode_steps() gives every step one of the above: no range check
  }
}

// Runs instruction `s` on the stack: a leaf pushes its value, an operator
// combines the values on top.
EDICT_HOT void execute(const Ctx& c, const Step& s, Tri* stack, uint32_t& sp) {
  if (s.exec != Exec::kOperator) {
    stack[sp++] = leaf(c, s, s.exec);
    return;
  }
  // load() verified that every operator finds its operands on the stack; the
  // test keeps a program that did not (and the analyzer) from reading below it.
  if (sp < (static_cast<f::Op>(s.in.op) == f::Op::kNot ? 1u : 2u)) [[unlikely]] {
    stack[0] = kE;
    sp = 1;
    return;
  }
  switch (static_cast<f::Op>(s.in.op)) {
    case f::Op::kNot: stack[sp - 1] = tri_not(stack[sp - 1]); break;
    case f::Op::kAnd: --sp; stack[sp - 1] = tri_and(stack[sp - 1], stack[sp]); break;
    case f::Op::kOr: --sp; stack[sp - 1] = tri_or(stack[sp - 1], stack[sp]); break;
    case f::Op::kEqual: --sp; stack[sp - 1] = tri_eq(stack[sp - 1], stack[sp]); break;
    case f::Op::kNotEqual: --sp; stack[sp - 1] = tri_not(tri_eq(stack[sp - 1], stack[sp])); break;
    default: break;  // not an operator: decode_steps gives those a leaf Exec
  }
}

// Runs a verified program in full on the stack machine, recording each
// instruction's value in `trace` if given: for explain(), which needs the value
// of every leaf, and for the conditions without a branching program (larger or
// deeper than BranchCompiler takes).
// cppcheck-suppress passedByValue ; by value on purpose (Ctx)
[[gnu::noinline]] Tri run_program(Ctx c, const Step* first, uint32_t count, Tri* trace = nullptr) {
  if (count == 0) return kT;
  Tri stack[f::kMaxStack];
  stack[0] = kE;  // overwritten by the first leaf; keeps analyzers sure of it
  uint32_t sp = 0;
  for (uint32_t k = 0; k < count; ++k) {
    execute(c, first[k], stack, sp);
    if (trace != nullptr) trace[k] = stack[sp - 1];
  }
  return stack[0];
}

// Whether operand `o`, if a request attribute, is one of the request's: then
// it is read in place, with no call. A computed operand's slot is past every
// request's (kComputedSlot).
template <Span S = Span::kAny>
EDICT_HOT bool in_request(const Request& r, const Operand& o) {
  return in_bounds<S>(attrs_of<S>(r, o), o.slot);
}

// Whether an operand a leaf of kind E reads as a value is not one of the
// request's attributes, read in place: computed from the request, or past the
// end of its array. node() and plan_node() run the other nodes without a call.
// Whether a leaf of kind `e` reads its operand a from the request: its value,
// or (kHas) its presence.
constexpr bool reads_a(Exec e) { return reads_value_a(e) || e == Exec::kHas; }

template <Exec E, Span SA = Span::kAny, Span SB = Span::kAny>
EDICT_HOT bool operand_past_request(const Request& r, const Step& s) {
  // Each test is marked unlikely where it is made: as one expression returned
  // here, the callers' hint did not reach it, and the plan nodes moved their
  // arguments about, 5 to 14 more instructions per decision.
  if (reads_a(E) && !in_request<SA>(r, s.a)) [[unlikely]] return true;
  if (reads_value_b(E) && !in_request<SB>(r, s.b)) [[unlikely]] return true;
  return false;
}

// Whether request attribute `o` (never a computed value: a guard) is absent.
template <Span S = Span::kAny>
EDICT_HOT bool absent_from_request(const Ctx& c, const Operand& o) {
  return !in_request<S>(c.r, o) || at(attrs_of<S>(c.r, o), o).kind == ValueKind::kAbsent;
}

// Runs node `b`, whose test is of kind E: its leaf, then the edge its value
// takes. With a guard (on the test's operand G), an error is looked at again:
// the guard absent makes the node false. The test has just read that operand,
// so the look reads nothing new.
template <Exec E, GuardOperand G, Span SA = Span::kAny, Span SB = Span::kAny>
EDICT_HOT uint32_t run_node(const Ctx& c, const Branch& b) {
  // Chosen by branches, not by indexing next[] with the value: a predicted
  // branch lets the next node's loads start before the leaf's value is known,
  // where an index would make every node wait for the one before.
  switch (leaf<SA, SB>(c, *b.test, E)) {
    case kF: return b.next[0];
    case kT: return b.next[1];
    default:
      if constexpr (G == GuardOperand::kA) {
        if (absent_from_request<SA>(c, b.test->a)) return b.next[0];
      } else if constexpr (G == GuardOperand::kB) {
        if (absent_from_request<SB>(c, b.test->b)) return b.next[0];
      }
      return b.next[2];
  }
}

// run_node() for any request: operands computed from it, or past its spans.
template <Exec E, GuardOperand G>
[[gnu::noinline]] uint32_t node_general(const Ctx& c, const Branch& b) {
  return run_node<E, G>(c, b);
}

// A node's code (Branch::run). The usual node reads request attributes only,
// one role held: that is run here, a function that calls nothing, so it saves
// no registers and keeps no frame; the rest jumps to node_general().
template <Exec E, GuardOperand G>
uint32_t node(const Ctx& c, const Branch& b) {
  constexpr bool ranks = E == Exec::kCmpAttrToPrincipalRank || E == Exec::kCmpPrincipalRankToAttr;
  if (operand_past_request<E>(c.r, *b.test) || (ranks && c.r.roles.size() != 1)) [[unlikely]] {
    return node_general<E, G>(c, b);
  }
  return run_node<E, G>(c, b);
}

// A condition's nodes (Branch::run): node<> for every kind of leaf and guard,
// by Exec and then GuardOperand. kOperator's is never a node's: it errs, as
// kError's. (A plan's nodes: kPlanNodeCode, by their operands' arrays too.)
template <Exec E>
constexpr std::array<NodeFn, 3> kNodeCodeOf = {node<E, GuardOperand::kNone>, node<E, GuardOperand::kA>,
                                               node<E, GuardOperand::kB>};
template <size_t... E>
constexpr auto node_code_table(std::index_sequence<E...> /*execs*/) {
  return std::array<std::array<NodeFn, 3>, sizeof...(E)>{kNodeCodeOf<static_cast<Exec>(E)>...};
}
constexpr auto kNodeCode = node_code_table(std::make_index_sequence<static_cast<size_t>(Exec::kCount)>{});

// Walks a condition's branching program from `root`, one leaf per node, to its
// result: the first id at or above kChainResult. Each node runs its own code
// (Branch::run): the walk itself keeps only the node id, and the code for each
// kind of leaf is a small function of its own, not one case of a switch. (A
// plan's walk goes from node to node without a loop: plan_node().)
EDICT_HOT uint32_t walk(const Ctx& c, uint32_t root) {
  const Branch* const nodes = c.t.branches();
  while (root < kChainResult) {
    const Branch& b = nodes[root];
    root = b.run(c, b);
  }
  return root;
}

// Runs a condition: its branching program (branches.h), only the leaves that
// decide; or, without one, its steps on the stack machine. Returns the result
// node: kBranchResult + the condition's value, or a forbid chain's result
// (kChainResult + 2k + e).
EDICT_HOT uint32_t run_to_result(const Ctx& c, uint32_t root, const Step* code, uint32_t count) {
  if (root == kNoBranches) [[unlikely]] {
    return kBranchResult + run_program(c, code, count);
  }
  return walk(c, root);
}
EDICT_HOT Tri run(const Ctx& c, uint32_t root, const Step* code, uint32_t count) {
  return static_cast<Tri>(run_to_result(c, root, code, count) - kBranchResult);
}
EDICT_HOT Tri run(const Ctx& c, const Table::CondRef& cr) { return run(c, cr.branches, cr.code, cr.count); }

// The lowest rule of a large cell's role rules whose role the principal holds,
// searched from the held roles: the cost follows the principal's roles, not the
// policy's size (a cell that every custom role of thousands reaches).
[[gnu::noinline]] uint32_t lowest_searched_rule(Ctx c, const Table::RuleRolesRange& range) {
  uint32_t best = f::kNone;
  const auto rr = c.t.role_rules().subspan(range.first, range.count);
  const uint64_t* cell_bits = c.t.bits(range.bitset);
  for (uint32_t w = c.roles.lo; w < c.roles.lo + c.roles.n; ++w) {
    for (uint64_t bits = c.roles.bits[w] & cell_bits[w]; bits != 0; bits &= bits - 1) {
      const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(bits));
      auto it = std::lower_bound(rr.begin(), rr.end(), role,
                                 [](const f::RoleRule& x, uint32_t r) { return x.role < r; });
      if (it != rr.end() && it->role == role) best = std::min(best, it->rule);
    }
  }
  return best;
}

// The lowest rule of a cell's unconditional grants (or forbids) whose roles the
// principal holds. A cell usually has a handful, grouped by rule on load, all in
// one roles word: one test tells whether any applies, and the first group the
// principal holds a role of decides.
EDICT_HOT uint32_t lowest_role_rule(const Ctx& c, const Table::RuleRolesRange& range) {
  if (range.word < Table::kMultiWord) [[likely]] {
    if (!c.in_words(range.word)) return f::kNone;
    const uint64_t held = c.roles.bits[range.word] & range.any;
    if (held == 0) return f::kNone;
    for (const Table::RuleRoles& x : c.t.rule_roles(range)) {
      if ((held & x.mask) != 0) return x.rule;
    }
    return f::kNone;  // not reached: `any` is the union of the masks
  }
  if (range.word == Table::kSearched) [[unlikely]] return lowest_searched_rule(c, range);
  for (const Table::RuleRoles& x : c.t.rule_roles(range)) {
    if (c.in_words(x.word) && (c.roles.bits[x.word] & x.mask) != 0) return x.rule;
  }
  return f::kNone;
}

// Whether the principal holds one of a conditional rule's roles.
bool holds_rule_roles(const Ctx& c, const Table::CondRef& cr) {
  if (cr.roles_word < Table::kMultiWord) return c.in_words(cr.roles_word) && (c.roles.bits[cr.roles_word] & cr.mask) != 0;
  return cr.roles_word == Table::kAllRoles || c.intersects(c.t.bits(cr.role_bits));
}

// holds_rule_roles() out of line, for the rules roles_match() does not test in place.
// cppcheck-suppress passedByValue ; by value on purpose (Ctx)
[[gnu::noinline]] bool holds_rule_roles_slow(Ctx c, const Table::CondRef& cr) { return holds_rule_roles(c, cr); }

// Whether a conditional rule's branching program decides it for this principal:
// it holds one of the rule's roles and none of its condition's role exceptions
// (`unless principal is R`), which make the condition false. In place: roles in
// one word, and exceptions to a rule for everyone, the forbids policies write.
EDICT_HOT bool roles_match(const Ctx& c, const Table::CondRef& cr) {
  if (cr.word < Table::kExcepting) return c.in_words(cr.word) && (c.roles.bits[cr.word] & cr.mask) != 0;
  if (cr.word == Table::kAllRoles) return true;
  if (cr.word == Table::kExcepting) {
    if (c.in_words(cr.except_word) && (c.roles.bits[cr.except_word] & cr.except_mask) != 0) return false;
    if (cr.roles_word == Table::kAllRoles) return true;
  }
  return holds_rule_roles_slow(c, cr);
}

// Whether an entry of `catalog` for `cell` allows the request: the first whose
// condition is true does, and each that errs is counted. Out of line: most
// custom roles are granted outright (CustomRoles::Role::always), and this loop's
// registers would make every custom-role decision save and restore them.
// cppcheck-suppress passedByValue ; by value on purpose (Ctx)
[[gnu::noinline]] bool catalog_entries_allow(Ctx c, uint32_t catalog, uint32_t cell, uint32_t* errors) {
  for (const Table::CatalogRun& run_of_cell : c.t.catalog_runs(cell)) {
    if (run_of_cell.catalog != catalog) continue;
    for (uint32_t entry = run_of_cell.entry_first; entry < run_of_cell.entry_first + run_of_cell.entry_count; ++entry) {
      const f::CatalogEntry& e = c.t.catalog_entries()[entry];
      const Tri t = run(c, c.t.catalog_entry_branches(entry), c.t.steps().data() + e.code_first, e.code_count);
      if (t == kT) return true;
      if (t == kE) ++*errors;
    }
  }
  return false;
}

// Whether a custom role may allow the request's cell: it grants the cell, and
// the principal holds one of its catalog's holder roles.
EDICT_HOT bool custom_role_grants(const CustomRoles::Role& role, uint32_t cell) {
  return ((role.cells[cell / 64] >> (cell % 64)) & 1u) != 0;
}
EDICT_HOT bool custom_role_reaches(const Ctx& c, const CustomRoles::Role& role, uint32_t cell) {
  return custom_role_grants(role, cell) && c.intersects(role.holders);
}

// Whether one of the request's custom roles, from the `first`-th on, allows
// its cell: the first that reaches it and whose catalog entries allow it. Each
// entry that errs on the way is counted.
[[gnu::noinline]] bool custom_roles_allow_from(const Ctx& c, const CustomRoles& custom, size_t first, uint32_t cell,
                                               uint32_t* errors) {
  for (size_t k = first; k < c.r.custom_roles.size(); ++k) {
    const CustomRoles::Role& role = custom.role(c.r.custom_roles[k]);
    if (!custom_role_reaches(c, role, cell)) continue;
    if (custom.always(c.r.custom_roles[k], cell) || catalog_entries_allow(c, role.catalog, cell, errors)) return true;
  }
  return false;
}

// The conditional rules are inlined into evaluate(): it already saves every
// register a call would, so out of line they cost a second prologue, and a cell
// without them (role-only decisions) skips them on one test of its count.

// The lowest applicable rule among `forbid` and the conditional forbids `conds`.
// The first of them that applies decides (they are sorted by rule), and counts
// an error if its condition erred: an erring forbid applies, and no other
// forbid's condition is run after it.
EDICT_HOT uint32_t conditional_forbids(const Ctx& c, const Table::CondRef* conds, uint32_t count, uint32_t forbid,
                                      uint32_t& errors) {
  for (const Table::CondRef *cr = conds, *const end = conds + count; cr < end; ++cr) {
    if (cr->rule > forbid) break;  // sorted by rule: none after it can decide
    if (!roles_match(c, *cr)) continue;
    const uint32_t res = run_to_result(c, cr->branches, cr->code, cr->count);
    if (res == kBranchResult + kF) continue;
    if (res >= kBranchResult) {
      errors += res == kBranchResult + kE ? 1 : 0;
      return cr->rule;
    }
    // A chain: its k-th forbid applies, unless a lower rule already does (the
    // chain ran past it, where the loop would have stopped).
    const uint32_t rule = c.t.chain_rules()[cr->chain + ((res - kChainResult) >> 1)];
    if (rule > forbid) return forbid;
    errors += (res - kChainResult) & 1u;
    return rule;
  }
  return forbid;
}

// Lowers `grant` to the lowest applicable conditional grant of `conds` and
// intersects the obligations of every one that applies.
EDICT_HOT void conditional_grants(const Ctx& c, const Table::CondRef* conds, uint32_t count, uint32_t& grant,
                                  uint64_t& obligations, uint32_t& errors) {
  for (const Table::CondRef *cr = conds, *const end = conds + count; cr < end; ++cr) {
    if (grant != f::kNone && obligations == 0 && cr->rule > grant) break;  // nothing left to change
    if (!roles_match(c, *cr)) continue;
    const Tri res = run(c, *cr);
    if (res == kE) ++errors;
    if (res != kT) continue;
    grant = std::min(grant, cr->rule);
    obligations &= cr->obligations;
  }
}

// Whether one of the request's custom roles allows its cell. The usual request
// holds one, which allows the cell outright (CustomRoles::always()), and
// its principal's roles fit one word: decided here in straight code, without
// a loop or call. Anything else goes on in custom_roles_allow_from().
EDICT_HOT bool custom_roles_allow(const Ctx& c, const CustomRoles& custom, uint32_t* errors) {
  const uint32_t cell = c.r.action * c.t.resource_count() + c.r.resource_type;
  if (c.r.custom_roles.size() == 1 && c.roles.n == 1) [[likely]] {
    const CustomRoles::Role& role = custom.role(c.r.custom_roles[0]);
    if (!custom_role_reaches(c, role, cell)) return false;
    if (custom.always(c.r.custom_roles[0], cell)) return true;
  }
  return custom_roles_allow_from(c, custom, 0, cell, errors);
}

// The effective roles of a request holding any number of roles; false when it
// names a role the table does not have.
bool effective_roles(const Table& t, const Request& r, RoleBuffer& buffer, RoleSet& roles) {
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t role : r.roles) {
    if (role >= t.role_count()) return false;
    const Table::ImpliedRoles& implied = t.implied(role);
    if (implied.words == 0) continue;
    lo = std::min(lo, implied.first);
    hi = std::max(hi, implied.first + implied.words);
  }
  if (lo >= hi) lo = hi = 0;
  roles = {buffer, lo, hi - lo};
  if (hi - lo == 1) {
    // The common case (up to 64 roles, or roles near each other): one word, built
    // in a register. A role whose range is empty contributes its zero word.
    uint64_t word = 0;
    for (uint32_t role : r.roles) word |= t.implied(role).bits[lo];
    buffer[lo] = word;
  } else {
    for (uint32_t w = lo; w < hi; ++w) buffer[w] = 0;
    for (uint32_t role : r.roles) {
      const Table::ImpliedRoles& implied = t.implied(role);
      for (uint32_t w = implied.first; w < implied.first + implied.words; ++w) buffer[w] |= implied.bits[w];
    }
  }
  return true;
}

// Principal and resource in one tenant, which is present: two tests, joined
// by `&`, not `&&`. With `&&`, GCC laid out the block decide()'s refusals share
// between the two, and the usual path jumped over it: a taken jump on every
// decision, and where it fell at the end of a 64-byte line (decide() starting
// a line), the role-only decision took 1.3 times as long. Joined, the usual
// path runs straight through to the plan, wherever decide() starts
// (docs/performance.md, seventeenth session).
EDICT_HOT bool one_tenant(const Request& r) {
  return (r.principal_tenant == r.resource_tenant) & (r.principal_tenant != kNoTenant);
}

// Whether the request's custom roles (usually none) are roles of `custom`, added
// to this table.
EDICT_HOT bool custom_roles_known(const Table& t, const Request& r, const CustomRoles* custom) {
  if (r.custom_roles.empty()) [[likely]] return true;
  if (custom == nullptr || &custom->table() != &t) return false;
  const size_t size = custom->size();
  for (uint32_t idx : r.custom_roles) {
    if (idx >= size) return false;
  }
  return true;
}

// The decision once the forbids are settled: no forbid applies, and `grant`
// (or kNone) is the lowest applicable grant with `obligations`. A custom role
// may allow what no grant does, or lift a grant's obligations. Both decision
// paths end here.
EDICT_HOT Decision allow_or_not(const Ctx& c, const CustomRoles* custom, uint32_t grant, uint64_t obligations,
                                uint32_t errors) {
  if (!c.r.custom_roles.empty() && custom != nullptr && custom_roles_may_change(grant, obligations) &&
      custom_roles_allow(c, *custom, &errors)) [[unlikely]] {
    return custom_role_decision(grant, errors);
  }
  return rules_decision(kNoRule, grant, obligations, errors);
}

// ---- plan walks ------------------------------------------------------------------
// A single-role plan (table.h) is walked by threaded code: each node's code
// (Branch::plan_run, plan_node()) runs its leaf and goes on to the next node's
// code by a call in tail position, which the optimizer makes a jump; the node
// the walk ends at returns the decision, straight to evaluate() (detail::decide()
// jumps to the first node). No loop calls the nodes in turn (as walk() does for
// a condition's program), so a node costs its leaf and one indirect jump, no
// return, and nothing keeps context in memory for them: a node is given the
// table and the request, and builds the context in registers. Against walk(),
// fewer instructions and less time for every walking seed decision
// (docs/performance.md, twelfth session). Every function on the walk is
// noexcept: a noexcept caller makes no tail call of one that may throw.
// A plan's longest walk is bounded when it is built (role_plans.cc,
// kMaxPlanWalk): where the tail calls stay calls (an unoptimized build), each
// node is one more frame.

// A plan's outcome open to custom roles, for a request holding some, past the
// usual one (one custom role, which grants the cell outright): decided into
// the frame. Out of line, as every custom-role path: the usual request returns
// its outcome's decision and needs none of this.
[[gnu::noinline]] const Decision* plan_custom_roles_decision(Decision* scratch, const Table& t, const Request& r,
                                                             const CustomRoles& custom,
                                                             const Table::Outcome& o) noexcept {
  const Ctx c{t, r, implied_roles(t, r.roles[0])};
  return std::construct_at(scratch, allow_or_not(c, &custom, o.grant, o.obligations, o.errors));
}

// A plan's outcome open to custom roles (Outcome::open_to_custom), for a
// request holding one (decide() checked it is one of `custom`'s, that the
// principal's role may use, and put its row in the frame). The usual one
// grants the cell outright (custom_roles_allow()'s first test, here without
// a call); anything else is decided in full by plan_custom_roles_decision().
// Finding the row and testing the role in decide(), where the request's
// custom role and role are at hand, took 3 loads fewer per decision than
// reading them again here, and 0.96 of the time (docs/performance.md,
// seventeenth session).
[[gnu::noinline]] const Decision* plan_custom_decision(Frame& frame, const Table& t, const Request& r,
                                                       const CustomRoles& custom, const Table::Outcome& o) noexcept {
  // One bit, known before any request: the outcome's cell is the custom
  // role's outright (decide() checked that the principal's role may use it).
  // The analyzer does not follow that only a request holding a custom role,
  // for which carry_custom_role() set the row, reaches here.
  // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
  if (CustomRoles::allows_outright(frame.custom_row, o.custom_bit)) return &o.custom_allowed;
  return plan_custom_roles_decision(frame.place(), t, r, custom, o);
}

// Where a plan's walk ends: the decision of its outcome (`result`, at or
// above kChainResult), in the table; or, if custom roles change it, one
// decided into the frame.
EDICT_HOT const Decision* plan_outcome(Frame& frame, const Table& t, const Request& r, uint32_t result,
                                       const CustomRoles* custom) noexcept {
  const Table::Outcome& o = t.outcome(result);
  // The request's custom roles first: known from the start of the decision,
  // where the outcome's flag is one load more at its end.
  if (r.custom_roles.empty() || !o.open_to_custom) [[likely]] return &o.decision;
  return plan_custom_decision(frame, t, r, *custom, o);
}

// Goes on to plan node `next`, or ends the walk at an outcome.
EDICT_HOT const Decision* plan_next(Frame& frame, const Table& t, const Request& r, uint32_t next) noexcept {
  if (next < kChainResult) [[likely]] {
    const Branch& b = t.branches()[next];
    return b.plan_run(frame, t, r, b);
  }
  return plan_outcome(frame, t, r, next, frame.custom);
}

// plan_node() for an operand computed from the request, or past its spans.
template <Exec E, GuardOperand G>
[[gnu::noinline]] const Decision* plan_node_general(Frame& frame, const Table& t, const Request& r,
                                                    const Branch& b) noexcept {
  const Ctx c{t, r, implied_roles(t, r.roles[0])};
  return plan_next(frame, t, r, run_node<E, G>(c, b));
}

// A plan node's code (Branch::plan_run), as node() but for a request holding
// one role (a plan's), and going on to the next node itself. Its context is
// built in registers, and only what its leaf reads of it is loaded. Compiled
// for the arrays its operands are read from (SA, SB; Span).
template <Exec E, GuardOperand G, Span SA, Span SB>
const Decision* plan_node(Frame& frame, const Table& t, const Request& r, const Branch& b) noexcept {
  const Step& s = *b.test;
  if (operand_past_request<E, SA, SB>(r, s)) [[unlikely]] {
    return plan_node_general<E, G>(frame, t, r, b);
  }
  // Plans are walked for one-role requests only (evaluate() tests it): said
  // here, the leaves that read the principal's roles (top_ranked()) compile no
  // other case, and so no call.
  if (r.roles.size() != 1) __builtin_unreachable();
  return plan_next(frame, t, r, run_node<E, G, SA, SB>(Ctx{t, r, implied_roles(t, r.roles[0])}, b));
}

// Where an express entry (Branch::express) goes, given its K tests from `x`:
// next[1] if each holds, else next[0].
template <uint32_t K, Span S>
EDICT_HOT uint32_t express_next(const Request& r, const Branch& b, const ExpressTest* x) {
#pragma GCC unroll 4  // as a loop, 3 more instructions for two tests
  for (uint32_t k = 0; k < K; ++k, ++x) {
    const std::span<const Value>& attrs = attrs_of<S>(r, x->attrs);
    if (!in_bounds<S>(attrs, x->slot)) [[unlikely]] return b.next[0];
    if (!x->holds(at(attrs, x->offset))) [[unlikely]] return b.next[0];
  }
  return b.next[1];
}

// An express entry's code (Branch::express): K tests of request attributes,
// each one load and compare of its value where a node reads its step first,
// and no jump between them. Compiled for the one array all its tests read
// (S, as plan_node<>), or for any (Span::kAny). Its one plan_next() goes to
// the node express_next() picks: with a plan_next() at each exit, GCC kept
// the arguments in other registers than they came in, and saved one, 5
// instructions more per decision (so too plan_scope()).
template <uint32_t K, Span S>
const Decision* plan_express(Frame& frame, const Table& t, const Request& r, const Branch& b) noexcept {
  return plan_next(frame, t, r, express_next<K, S>(r, b, b.express_tests));
}

// Where a scope entry (Branch::express) goes, given its tests from `x`:
// next[1] at the first that holds, next[2] if none does (the last has
// ScopeTest::last), next[0] where it leaves the row to its nodes: a slot past
// the request's array, a value or set ill-formed, or a set of more than 16
// ids (kSearchedUnhalved). Those the nodes search: the loop that halves a
// larger set, inlined here, kept two values more live, and the entry saved
// and restored two registers on every decision. A loop over the tests, ended
// by the last one's flag: unrolled for a count, it kept a register for each
// test's address, and as a loop to a count, one for the count.
template <Span SA, Span SB>
EDICT_HOT uint32_t scope_next(const Request& r, const Branch& b, const ScopeTest* x) {
  for (;; ++x) {
    const std::span<const Value>& as = attrs_of<SA>(r, x->attrs_a);
    const std::span<const Value>& bs = attrs_of<SB>(r, x->attrs_b);
    if (!in_bounds<SA>(as, x->slot_a) || !in_bounds<SB>(bs, x->slot_b)) [[unlikely]] return b.next[0];
    const Value& v = at(as, x->offset_a);
    if (v.kind == x->want_a) {
      const Value& set = at(bs, x->offset_b);
      if (static_cast<uint64_t>(v.i) > x->max_a || set.kind != ValueKind::kIdSet) [[unlikely]] return b.next[0];
      if (!set.lacks_bucket_of(v.i)) {  // set_has_id(), with the bit tested before the count is read
        if (set.count > kSearchedUnhalved) [[unlikely]] return b.next[0];
        if (set_search_id(set, v.i)) return b.next[1];
      }
    } else if (v.kind != ValueKind::kAbsent) [[unlikely]] {
      return b.next[0];
    }  // else the guard is false, and so is the test
    if (x->last) return b.next[2];
  }
}

// A scope entry's code (Branch::express): tests `has a && a in b` joined by
// `||` (ScopeTest), each read in place where a node reads its step first, and
// no jump between them but the loop's. Compiled for a read from the resource
// and b from the principal (SA, SB), or for any arrays (Span::kAny).
template <Span SA, Span SB>
const Decision* plan_scope(Frame& frame, const Table& t, const Request& r, const Branch& b) noexcept {
  return plan_next(frame, t, r, scope_next<SA, SB>(r, b, b.scope_tests));
}

// A plan's nodes (Branch::plan_run): plan_node<> by Exec, GuardOperand and the
// arrays of operands a and b. An Exec that reads no operand a (b) has one code
// for every array of it, so that only the codes that differ are compiled.
template <Exec E, GuardOperand G, size_t A, size_t B>
constexpr PlanNodeFn kPlanNodeOf = plan_node<E, G, reads_a(E) ? static_cast<Span>(A) : Span::kPrincipal,
                                             reads_value_b(E) ? static_cast<Span>(B) : Span::kPrincipal>;
template <Exec E, GuardOperand G, size_t... A>
constexpr std::array<std::array<PlanNodeFn, 3>, 3> plan_nodes_by_span(std::index_sequence<A...> /*spans*/) {
  return {std::array<PlanNodeFn, 3>{kPlanNodeOf<E, G, A, 0>, kPlanNodeOf<E, G, A, 1>, kPlanNodeOf<E, G, A, 2>}...};
}
template <Exec E>
constexpr std::array<std::array<std::array<PlanNodeFn, 3>, 3>, 3> kPlanNodesOf = {
    plan_nodes_by_span<E, GuardOperand::kNone>(std::make_index_sequence<3>{}),
    plan_nodes_by_span<E, GuardOperand::kA>(std::make_index_sequence<3>{}),
    plan_nodes_by_span<E, GuardOperand::kB>(std::make_index_sequence<3>{})};
template <size_t... E>
constexpr auto plan_node_table(std::index_sequence<E...> /*execs*/) {
  return std::array<std::array<std::array<std::array<PlanNodeFn, 3>, 3>, 3>, sizeof...(E)>{
      kPlanNodesOf<static_cast<Exec>(E)>...};
}
constexpr auto kPlanNodeCode = plan_node_table(std::make_index_sequence<static_cast<size_t>(Exec::kCount)>{});
// plan_node_general<> by Exec and GuardOperand: the nodes that read a value
// computed from the request (plan_node_fn()).
template <Exec E>
constexpr std::array<PlanNodeFn, 3> kPlanNodeGeneralOf = {
    plan_node_general<E, GuardOperand::kNone>, plan_node_general<E, GuardOperand::kA>,
    plan_node_general<E, GuardOperand::kB>};
template <size_t... E>
constexpr auto plan_node_general_table(std::index_sequence<E...> /*execs*/) {
  return std::array<std::array<PlanNodeFn, 3>, sizeof...(E)>{kPlanNodeGeneralOf<static_cast<Exec>(E)>...};
}
constexpr auto kPlanNodeGeneralCode =
    plan_node_general_table(std::make_index_sequence<static_cast<size_t>(Exec::kCount)>{});

// Why a request is denied before any rule is looked at.
struct Refusal {
  Reason reason = Reason::kBadRequest;
  RequestError error = RequestError::kNone;
};
Decision refused(const Refusal& why) {
  Decision d;
  d.reason = why.reason;
  d.request_error = why.error;
  return d;
}

// Validates the request's ids and fills the effective role bitset. On a request
// that cannot be evaluated, says why in `why` and returns false. evaluate()
// builds its Decision only on the path it returns by, rather than initialising
// one up front and writing its fields a second time.
[[gnu::always_inline]] inline bool prepare(const Table& t, const Request& r, const CustomRoles* custom,
                                           RoleBuffer& buffer, RoleSet& roles, Refusal& why) {
  auto refuse = [&why](Reason reason, RequestError error) {
    why = {reason, error};
    return false;
  };
  // The refusals are marked unlikely, and so is every other way off the usual
  // request's path: the compiler then lays that path out as one straight run,
  // which measured faster than the same instructions with jumps between them.
  if (r.error != RequestError::kNone) [[unlikely]] return refuse(Reason::kBadRequest, r.error);
  if (r.action >= t.action_count()) [[unlikely]] return refuse(Reason::kBadRequest, RequestError::kUnknownAction);
  if (r.resource_type >= t.resource_count()) [[unlikely]] {
    return refuse(Reason::kBadRequest, RequestError::kUnknownResourceType);
  }
  if (r.roles.size() == 1) [[likely]] {
    // The most common request: one role in the tenant.
    const uint32_t role = r.roles[0];
    if (role >= t.role_count()) [[unlikely]] return refuse(Reason::kBadRequest, RequestError::kUnknownRole);
    roles = implied_roles(t, role);
  } else if (!effective_roles(t, r, buffer, roles)) {
    return refuse(Reason::kBadRequest, RequestError::kUnknownRole);
  }
  if (!custom_roles_known(t, r, custom)) [[unlikely]] {
    return refuse(Reason::kBadRequest, RequestError::kUnknownCustomRole);
  }
  if (!one_tenant(r)) [[unlikely]] {
    const bool missing = r.principal_tenant == kNoTenant || r.resource_tenant == kNoTenant;
    return refuse(Reason::kTenantMismatch, missing ? RequestError::kMissingTenant : RequestError::kNone);
  }
  return true;
}

// Every request evaluate() does not decide by a plan: refusals, several roles,
// and cells past the plans' limits. The role tests, then the cell's rules in
// order. A call of its own, so that the single-role path pays neither its
// frame nor its registers.
[[gnu::noinline]] Decision evaluate_general(const Table& t, const Request& r, const CustomRoles* custom) noexcept {
  RoleBuffer buffer;
  RoleSet roles;
  Refusal why;
  if (!prepare(t, r, custom, buffer, roles, why)) [[unlikely]] return refused(why);
  uint32_t errors = 0;  // conditions that erred, as Decision::condition_errors
  const Ctx c{t, r, roles};
  // In range: prepare() checked both ids, and load() that there are action_count *
  // resource_count cells (fewer than 2^32 in a table of at most 256 MiB).
  const Table::HotCell& cell = t.hot_cell(r.action * t.resource_count() + r.resource_type);
  const Table::CondRef* const conds = t.cond_refs() + cell.conds;  // verified: the cell's records

  // Forbids: the lowest applicable one decides; an erring condition applies.
  uint32_t forbid = std::min(cell.forbid_all_rule, lowest_role_rule(c, cell.forbids));
  if (cell.cond_forbids != 0) forbid = conditional_forbids(c, conds, cell.cond_forbids, forbid, errors);
  if (forbid != f::kNone) return rules_decision(forbid, f::kNone, 0, errors);

  // Grants: any applicable one allows; the lowest decides; obligations intersect.
  uint32_t grant = lowest_role_rule(c, cell.grants);
  uint64_t obligations = grant == f::kNone ? ~uint64_t{0} : 0;
  if (cell.cond_grants != 0) {
    conditional_grants(c, conds + cell.cond_forbids, cell.cond_grants, grant, obligations, errors);
  }
  return allow_or_not(c, custom, grant, obligations, errors);
}

// Whether the request holds exactly one custom role, and it is one of
// `custom`, added to this table. (Several take the general path.)
EDICT_HOT bool one_known_custom_role(const Table& t, const Request& r, const CustomRoles* custom) {
  return r.custom_roles.size() == 1 && custom != nullptr && &custom->table() == &t &&
         r.custom_roles[0] < custom->size();
}

// Whether the request holds no custom roles, or one of `custom`'s that its
// role may use; for the latter, the frame carries `custom` and the custom
// role's row to the walk's end (plan_outcome() reads them only for a request
// holding some, so the usual one stores nothing). A custom role the role may
// not use takes the general path.
EDICT_HOT bool carry_custom_role(Frame& frame, const Table& t, const Request& r, const CustomRoles* custom) {
  if (r.custom_roles.empty()) [[likely]] return true;
  frame.custom = custom;
  if (!one_known_custom_role(t, r, custom)) return false;
  const uint64_t* const row = custom->usual_row(r.custom_roles[0]);
  frame.custom_row = row;
  return CustomRoles::usable_by(row, r.roles[0]);
}

// evaluate_general()'s decision, built in the frame. It takes decide()'s own
// arguments, so that the block decide()'s refusals share is one jump with
// nothing stored first.
[[gnu::noinline]] const Decision* decide_general(Frame& frame, const Table& t, const Request& r,
                                                 const CustomRoles* custom) noexcept {
  return std::construct_at(frame.place(), evaluate_general(t, r, custom));
}

// evaluate() past its checks, where the dense array has no plan, or the
// request's arrays are too short for its nodes (covers_attrs()): in a table
// whose plans are hashed, the hashed plan, else the general path.
// decide() stores the custom roles in the frame first: taking them as an
// argument, this function kept them in a register across the probe of the
// hashed plans, and saved one more (docs/performance.md, seventeenth session).
[[gnu::noinline]] const Decision* decide_without_dense_plan(Frame& frame, const Table& t, const Request& r) noexcept {
  if (!t.has_dense_plans()) {
    const uint32_t plan = t.hashed_plan(r.action * t.resource_count() + r.resource_type, r.roles[0]);
    if (plan != Table::kNoPlan && (plan >= kChainResult || covers_attrs(t, r))) [[likely]] {
      return plan_next(frame, t, r, plan);
    }
  }
  return decide_general(frame, t, r, frame.custom);
}

}  // namespace

// decode_steps() gives every leaf an Exec below kCount; anything else errs.
NodeFn node_fn(Exec exec, GuardOperand guard) {
  const auto e = static_cast<size_t>(exec);
  if (e >= kNodeCode.size()) return kNodeCode[static_cast<size_t>(Exec::kError)][0];
  return kNodeCode[e][static_cast<size_t>(guard)];
}
NodeFn entry_node_fn() {
  return [](const Ctx&, const Branch& b) { return b.next[2]; };
}
PlanNodeFn plan_node_fn(const Step& test, GuardOperand guard) {
  const auto e = static_cast<size_t>(test.exec);
  const auto a = static_cast<size_t>(span_of(test.a.attrs)), b = static_cast<size_t>(span_of(test.b.attrs));
  if (e >= kPlanNodeCode.size()) return kPlanNodeCode[static_cast<size_t>(Exec::kError)][0][0][0];
  // A value computed from the request has no slot in an array: such a node
  // runs the code that reads any operand (kCovered's code would read its slot).
  const bool computed = (reads_a(test.exec) && test.a.source > Source::kContextAttr) ||
                        (reads_value_b(test.exec) && test.b.source > Source::kContextAttr);
  if (computed) return kPlanNodeGeneralCode[e][static_cast<size_t>(guard)];
  return kPlanNodeCode[e][static_cast<size_t>(guard)][a][b];
}
PlanNodeFn plan_express_fn(std::span<const ExpressTest> tests) {
  static_assert(kMaxExpressTests == 4);
  Span span = tests.empty() ? Span::kAny : span_of(tests[0].attrs);
  for (const ExpressTest& x : tests) span = span_of(x.attrs) == span ? span : Span::kAny;
  auto code = [span]<uint32_t K>() -> PlanNodeFn {
    switch (span) {
      case Span::kPrincipal: return plan_express<K, Span::kPrincipal>;
      case Span::kResource: return plan_express<K, Span::kResource>;
      case Span::kContext: return plan_express<K, Span::kContext>;
      default: return plan_express<K, Span::kAny>;
    }
  };
  switch (tests.size()) {
    case 2: return code.template operator()<2>();
    case 3: return code.template operator()<3>();
    default: return code.template operator()<4>();
  }
}

PlanNodeFn plan_scope_fn(std::span<const ScopeTest> tests) {
  const bool usual = std::all_of(tests.begin(), tests.end(), [](const ScopeTest& x) {
    return span_of(x.attrs_a) == Span::kResource && span_of(x.attrs_b) == Span::kPrincipal;
  });
  return usual ? plan_scope<Span::kResource, Span::kPrincipal> : plan_scope<Span::kAny, Span::kAny>;
}

const char* to_string(Reason r) {
  switch (r) {
    case Reason::kGranted: return "granted";
    case Reason::kNoGrant: return "no grant applies";
    case Reason::kForbidden: return "forbidden";
    case Reason::kTenantMismatch: return "principal and resource are in different tenants";
    case Reason::kBadRequest: return "bad request";
  }
  return "unknown";
}

const char* to_string(RequestError e) {
  switch (e) {
    case RequestError::kNone: return "none";
    case RequestError::kUnknownAction: return "unknown action";
    case RequestError::kUnknownResourceType: return "unknown resource type";
    case RequestError::kUnknownRole: return "unknown role";
    case RequestError::kUnknownAttribute: return "unknown attribute";
    case RequestError::kBadValue: return "bad attribute value";
    case RequestError::kMissingTenant: return "missing tenant";
    case RequestError::kUnknownCustomRole: return "unknown custom role";
  }
  return "unknown";
}

// Aligned to a 64-byte line: where it starts decides which instructions share
// a line, so each build of the same code now lays them out alike, whatever
// the linker puts before it (the same code ran 1.3 times as long in one
// build as in the next: docs/performance.md, seventeenth session).
[[gnu::aligned(64)]] const Decision* detail::decide(Frame& frame, const Table& t, const Request& r,
                                                    const CustomRoles* custom) noexcept {
  // The usual request: one role, ids in range, one tenant, at most one custom
  // role, and a cell with a plan for that role (every cell within the plans'
  // limits has one). Its plan runs only the conditions that matter and ends in
  // the forbid or grant that decides: a plan's walk starts here by a jump, and
  // its last node returns to evaluate() the decision its outcome holds.
  // Everything else takes the general path, which checks the request again and
  // says why it refuses one. The rarer cases are each a call in tail position
  // (a table of hashed plans too), so that this path saves no register, where
  // loops inlined here took four. The tenants and the custom roles are tested
  // before the ids: after them, with the ids held, their tests took a register
  // more (kNoTenant is a 64-bit constant), saved on every decision, and a
  // role-only decision took 1.25 times as long (docs/performance.md).
  if (r.roles.size() == 1 && r.error == RequestError::kNone) [[likely]] {
    const uint32_t role = r.roles[0];
    // Both counts of the cell index by one load (Table::cell_counts()), as
    // the array lengths (covers_attrs()): each load counts on this path, where
    // a shift does not (docs/performance.md, seventeenth session).
    const uint64_t counts = t.cell_counts();
    const auto resource_count = static_cast<uint32_t>(counts >> 32);
    if (one_tenant(r) && carry_custom_role(frame, t, r, custom) && r.action < static_cast<uint32_t>(counts) &&
        r.resource_type < resource_count && role < t.role_count()) [[likely]] {
      // Every table has the dense array (a table of hashed plans, one row of
      // kNoPlan). A node first, then an outcome, then kNoPlan (above both):
      // one test on the way to a node, where plan_next() after a test of
      // kNoPlan took two.
      const uint32_t plan = t.dense_plan(size_t{r.action} * resource_count + r.resource_type, role);
      if (plan < kChainResult) [[likely]] {
        if (covers_attrs(t, r)) [[likely]] return plan_next(frame, t, r, plan);
      } else if (plan != Table::kNoPlan) [[likely]] {
        return plan_outcome(frame, t, r, plan, custom);
      }
      frame.custom = custom;
      return decide_without_dense_plan(frame, t, r);
    }
  }
  return decide_general(frame, t, r, custom);
}

// ---- explain -------------------------------------------------------------------
namespace {

std::string value_text(const Table& t, const f::Attr& a, const Value& v,
                       const std::function<std::string(int64_t)>& entity) {
  auto one = [&](int64_t id) -> std::string {
    switch (static_cast<f::AttrKind>(a.kind)) {
      case f::AttrKind::kEnum: return std::string(t.enum_value_name(a.enum_id, static_cast<uint32_t>(id)));
      case f::AttrKind::kRole:
        return id >= 0 && static_cast<uint64_t>(id) < t.role_count() ? std::string(t.role_name(static_cast<uint32_t>(id)))
                                                                       : fmt::format("role#{}", id);
      case f::AttrKind::kEntity:
      case f::AttrKind::kTenant: return entity ? entity(id) : fmt::format("#{}", id);
      case f::AttrKind::kBool: return id ? "true" : "false";
      default: return fmt::format("{}", id);
    }
  };
  switch (v.kind) {
    case ValueKind::kAbsent: return "absent";
    case ValueKind::kString: return fmt::format("\"{}\"", v.s);
    case ValueKind::kIdSet: {
      std::string s = "{";
      for (uint32_t k = 0; k < v.count && k < 20; ++k) s += (k ? ", " : "") + one(v.ids[k]);
      return s + (v.count > 20 ? ", ...}" : "}");
    }
    case ValueKind::kStringSet: {
      std::string s = "{";
      for (uint32_t k = 0; k < v.count && k < 20; ++k) s += fmt::format("{}\"{}\"", k ? ", " : "", v.strs[k]);
      return s + (v.count > 20 ? ", ...}" : "}");
    }
    default: return one(v.i);
  }
}

// `items` one after another, `sep` between each two.
std::string joined(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& x : items) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

// "resource.group": an attribute as a condition names it.
std::string attr_name(const Table& t, uint8_t root, uint32_t slot) {
  static constexpr const char* kRoots[] = {"principal", "resource", "context"};
  return fmt::format("{}.{}", kRoots[root], t.string(t.attr(static_cast<f::Root>(root), slot).name));
}

std::string operand_text(const Ctx& c, uint8_t root, uint32_t slot, const Operand& o,
                         const std::function<std::string(int64_t)>& entity) {
  const f::Attr& a = c.t.attr(static_cast<f::Root>(root), slot);
  Scratch scratch;
  const Value* v = read(c, o, scratch);
  std::string text = v != nullptr ? value_text(c.t, a, *v, entity) : "absent";
  if (v != nullptr && !fits(o, *v)) text += " (wrong type)";
  return fmt::format("{}={}", attr_name(c.t, root, slot), text);
}

// A leaf written back from its instruction, for a table without the debug
// texts of its conditions (compiled with --no-debug): `resource.level < 3`,
// `resource has owner`. Names are the table's; an entity constant, which
// only ids stand for there, shows as `#id`.
std::string instr_source(const Table& t, uint32_t instr) {
  const Step& s = t.steps()[instr];
  const f::Instr& in = s.in;
  static constexpr const char* kCmp[] = {"==", "!=", "<", "<=", ">", ">="};
  const char* cmp = in.cmp < std::size(kCmp) ? kCmp[in.cmp] : "?";
  const auto a = [&] { return attr_name(t, in.root_a, in.a); };
  const auto b = [&] { return attr_name(t, in.root_b, in.b); };
  // A constant of attribute a's type (of its elements, for a set); a string
  // constant is a string id.
  const auto constant = [&](int64_t v) {
    const f::Attr& attr = t.attr(static_cast<f::Root>(in.root_a), in.a);
    if (static_cast<f::AttrKind>(attr.kind) == f::AttrKind::kString) {
      return fmt::format("\"{}\"", t.string(static_cast<uint32_t>(v)));
    }
    return value_text(t, attr, Value::integer(v), {});
  };
  const auto pool = [&](auto&& show) {
    std::vector<std::string> items;
    for (const int64_t v : t.pool().subspan(in.b, in.c)) items.push_back(show(v));
    return items;
  };
  switch (static_cast<f::Op>(in.op)) {
    case f::Op::kConst: return in.a != 0 ? "true" : "false";
    case f::Op::kHas: {
      const std::string name = a();
      const size_t dot = name.find('.');
      return fmt::format("{} has {}", name.substr(0, dot), name.substr(dot + 1));
    }
    case f::Op::kTruthy: return a();
    case f::Op::kCmpConst: return fmt::format("{} {} {}", a(), cmp, constant(s.constant));
    case f::Op::kCmpAttr: return fmt::format("{} {} {}", a(), cmp, b());
    case f::Op::kCmpPrincipal: return fmt::format("{} {} principal", a(), cmp);
    case f::Op::kInAttr: return fmt::format("{} in {}", a(), b());
    case f::Op::kInConst: return fmt::format("{} in [{}]", a(), joined(pool(constant), ", "));
    case f::Op::kPrincipalIn: return fmt::format("principal in {}", b());
    case f::Op::kConstIn: return fmt::format("{} in {}", constant(s.constant), a());
    case f::Op::kIsRole: return fmt::format("principal is {}", in.a < t.role_count() ? t.role_name(in.a) : "?");
    case f::Op::kIsRoleAttr: return fmt::format("{} is {}", a(), in.b < t.role_count() ? t.role_name(in.b) : "?");
    case f::Op::kIsType:
      return fmt::format("resource is {}", joined(pool([&](int64_t v) {
                                                    return static_cast<uint64_t>(v) < t.resource_count()
                                                               ? std::string(t.resource_name(static_cast<uint32_t>(v)))
                                                               : std::string("?");
                                                  }),
                                                  " | "));
    default: return f::op_name(static_cast<f::Op>(in.op));
  }
}

// One leaf of a condition and the values it read: "`resource.group in
// principal.groups` is false (resource.group=g7, principal.groups={g1, g2})".
std::string leaf_text(const Ctx& c, uint32_t instr, Tri value, const std::function<std::string(int64_t)>& entity) {
  const Step& step = c.t.steps()[instr];
  const f::Instr& in = step.in;
  const auto op = static_cast<f::Op>(in.op);
  std::string part = std::string(c.t.instr_text(instr));
  if (part.empty()) part = instr_source(c.t, instr);
  std::vector<std::string> values;
  switch (op) {
    case f::Op::kHas:
    case f::Op::kTruthy:
    case f::Op::kCmpConst:
    case f::Op::kCmpPrincipal:
    case f::Op::kInConst:
    case f::Op::kConstIn:
    case f::Op::kIsRoleAttr: values.push_back(operand_text(c, in.root_a, in.a, step.a, entity)); break;
    case f::Op::kCmpAttr:
    case f::Op::kInAttr:
      values.push_back(operand_text(c, in.root_a, in.a, step.a, entity));
      values.push_back(operand_text(c, in.root_b, in.b, step.b, entity));
      break;
    case f::Op::kPrincipalIn: values.push_back(operand_text(c, in.root_b, in.b, step.b, entity)); break;
    case f::Op::kIsType: values.push_back(fmt::format("resource is {}", c.t.resource_name(c.r.resource_type))); break;
    default: break;
  }
  const std::string read = joined(values, ", ");
  return fmt::format("`{}` is {}{}", part, value == kE ? "an error" : value == kT ? "true" : "false",
                     read.empty() ? "" : " (" + read + ")");
}

// Why a program was not true: the leaves that decided its value, with the values
// they read. Under Kleene logic only some leaves matter: `F && x` is false because
// of the F whatever x is, so x is not blamed (it may well be an error, such as a
// read of an attribute the `has` before it found absent).
std::string failed_parts(const Ctx& c, uint32_t first, uint32_t count,
                         const std::function<std::string(int64_t)>& entity) {
  std::vector<Tri> trace(count);
  run_program(c, c.t.steps().data() + first, count, trace.data());
  // Rebuild the tree of the postfix program: children of each operator.
  std::vector<std::vector<uint32_t>> children(count);
  std::vector<uint32_t> stack;
  for (uint32_t k = 0; k < count; ++k) {
    const auto op = static_cast<f::Op>(c.t.code()[first + k].op);
    const uint32_t arity = op == f::Op::kNot ? 1
                           : (op == f::Op::kAnd || op == f::Op::kOr || op == f::Op::kEqual || op == f::Op::kNotEqual) ? 2
                                                                                                                      : 0;
    children[k].assign(stack.end() - arity, stack.end());
    stack.resize(stack.size() - arity);
    stack.push_back(k);
  }
  std::string out;
  // Explains why node k has the value it has (the run verified the stack discipline).
  auto blame = [&](auto&& self, uint32_t k) -> void {
    const auto op = static_cast<f::Op>(c.t.code()[first + k].op);
    const Tri v = trace[k];
    if (children[k].empty()) {
      out += (out.empty() ? "" : "; ") + leaf_text(c, first + k, v, entity);
      return;
    }
    // And: an F child alone makes it F; Or: a T child alone makes it T. Otherwise
    // the children with the node's own value (E, or all F / all T) explain it.
    const bool decisive_only = (op == f::Op::kAnd && v == kF) || (op == f::Op::kOr && v == kT) ||
                               ((op == f::Op::kAnd || op == f::Op::kOr) && v == kE);
    for (uint32_t child : children[k]) {
      if (decisive_only && trace[child] != v) continue;
      self(self, child);
    }
  };
  if (count > 0 && !stack.empty()) blame(blame, stack.back());
  return out;
}

// A rule's name as a summary quotes it. Source rules are named by identifiers,
// quoted here; the superadmin's grant is named `superadmin `role`` by the
// compiler, already quoting what it names, and is not quoted twice.
std::string quoted_rule(const Table& t, uint32_t rule) {
  const std::string_view name = t.rule_name(rule);
  return name.find('`') == std::string_view::npos ? fmt::format("`{}`", name) : std::string(name);
}

std::string where(const Table& t, uint32_t rule) {
  const f::DebugRule* d = t.debug_rule(rule);
  if (d == nullptr) return {};
  const std::string at = fmt::format("{}:{}", t.string(d->file), d->line);
  // An unlabelled rule is named by its place (`file:line`): not said twice.
  return at == t.rule_name(rule) ? std::string() : fmt::format(" ({})", at);
}

// The roles of a bitset of the table, by name, as alternatives: "`a`, `b` or `c`".
std::string role_names(const Table& t, const uint64_t* bits) {
  std::vector<std::string_view> names;
  for (uint32_t role = 0; role < t.role_count(); ++role) {
    if ((bits[role / 64] >> (role % 64)) & 1u) names.push_back(t.role_name(role));
  }
  return quoted_alternatives(names);
}

// What explain() says of the request's custom roles: the first that allows its
// cell (as evaluate() takes them), or why each does not.
struct CustomRolesTrace {
  uint32_t allowing = kNoIndex;  // the custom role that allows, or kNoIndex
  std::string allowed_by;  // "custom role `x` (catalog `c`)", or empty
  std::string why_not;     // "; custom role `x` (catalog `c`) did not apply: ..." for each that did not
};
CustomRolesTrace trace_custom_roles(const Ctx& c, const CustomRoles& custom,
                                    const std::function<std::string(int64_t)>& entity) {
  const Table& t = c.t;
  const uint32_t cell = c.r.action * t.resource_count() + c.r.resource_type;
  CustomRolesTrace out;
  for (uint32_t idx : c.r.custom_roles) {
    const CustomRoles::Role& role = custom.role(idx);
    const std::string who = fmt::format("custom role `{}` (catalog `{}`)", custom.name(idx),
                                        t.string(t.catalogs()[role.catalog].name));
    std::string why;
    if (!custom_role_grants(role, cell)) {
      why = fmt::format("it does not grant `{}` on `{}`", t.action_name(c.r.action), t.resource_name(c.r.resource_type));
    } else if (!c.intersects(role.holders)) {
      const std::string holders = role_names(t, role.holders);
      why = holders.empty() ? std::string("its catalog names no role that may use it")
                            : fmt::format("only a principal holding {} may use it", holders);
    } else if (custom.always(idx, cell)) {
      out.allowing = idx;
      out.allowed_by = who;
      return out;
    } else {
      // Its catalog's entries for the cell carry conditions: the first true one allows.
      for (const Table::CatalogRun& run_of_cell : t.catalog_runs(cell)) {
        if (run_of_cell.catalog != role.catalog) continue;
        for (uint32_t e = run_of_cell.entry_first; e < run_of_cell.entry_first + run_of_cell.entry_count; ++e) {
          const f::CatalogEntry& entry = t.catalog_entries()[e];
          if (run_program(c, t.steps().data() + entry.code_first, entry.code_count) == kT) {
            out.allowing = idx;
            out.allowed_by = who;
            return out;
          }
          why += (why.empty() ? "" : "; ") + failed_parts(c, entry.code_first, entry.code_count, entity);
        }
      }
    }
    out.why_not += fmt::format("; {} did not apply: {}", who, why);
  }
  return out;
}

}  // namespace

Explanation explain(const Table& t, const Request& r, const CustomRoles* custom,
                    const std::function<std::string(int64_t)>& entity) {
  Explanation x;
  x.decision = evaluate(t, r, custom);
  RoleBuffer buffer;
  RoleSet roles;
  Refusal why;
  if (!prepare(t, r, custom, buffer, roles, why)) {
    x.summary = x.decision.reason == Reason::kBadRequest
                    ? fmt::format("denied: bad request: {}", to_string(x.decision.request_error))
                    : fmt::format("denied: {}", to_string(x.decision.reason));
    return x;
  }
  const Ctx c{t, r, roles};
  const f::Cell& cell = t.cell(r.action, r.resource_type);
  if (cell.forbid_all_rule != f::kNone) x.rules.push_back({cell.forbid_all_rule, true, true, true, false, {}});
  auto role_rules = [&](uint32_t first, uint32_t count, bool forbid) {
    for (const f::RoleRule& rr : t.role_rules().subspan(first, count)) {
      const bool held = c.holds(rr.role);
      RuleTrace rt{rr.rule, forbid, held, held, false, {}};
      if (!held) rt.failed = fmt::format("the principal does not hold role `{}`", t.role_name(rr.role));
      x.rules.push_back(std::move(rt));
    }
  };
  // A forbid applies unless its condition is false (an error fails closed); a
  // grant only when it is true.
  auto cond_rules = [&](bool forbid) {
    for (uint32_t k = cell.cond_first; k < cell.cond_first + cell.cond_count; ++k) {
      const f::CondRule& cr = t.cond_rules()[k];
      const Table::CondRef& ref = t.cond_refs()[k];
      if (cr.effect != (forbid ? 0 : 1)) continue;
      RuleTrace rt{cr.rule, forbid, holds_rule_roles(c, ref), false, false, {}};
      if (rt.role_matched) {
        // The whole condition, role exceptions included (the branching program
        // leaves them to roles_match()).
        const Tri res = run_program(c, ref.code, ref.count);
        rt.applied = forbid ? res != kF : res == kT;
        rt.error = res == kE;
        if (res != kT) rt.failed = failed_parts(c, cr.code_first, cr.code_count, entity);
      } else {
        rt.failed = "the principal holds none of its roles";
      }
      x.rules.push_back(std::move(rt));
    }
  };
  role_rules(cell.forbid_first, cell.forbid_count, true);
  cond_rules(true);
  role_rules(cell.grant_first, cell.grant_count, false);
  cond_rules(false);
  const Decision& d = x.decision;
  // custom_roles_known() (prepare()) holds: a request's custom roles are roles of `custom`.
  const CustomRolesTrace customs =
      custom != nullptr && d.reason != Reason::kForbidden ? trace_custom_roles(c, *custom, entity) : CustomRolesTrace{};
  if (d.allowed()) {
    if (d.custom_role) {
      x.custom_role = customs.allowing;
      x.summary = fmt::format("allowed by {}", customs.allowed_by.empty() ? "a custom role" : customs.allowed_by);
    } else {
      x.summary = fmt::format("allowed by {}{}", quoted_rule(t, d.rule), where(t, d.rule));
    }
    if (d.obligations != 0) {
      std::string obs;
      for (uint32_t i = 0; i < 64; ++i) {
        if ((d.obligations >> i) & 1u) obs += (obs.empty() ? "" : ", ") + std::string(t.obligation_text(i));
      }
      x.summary += ", with " + obs;
    }
  } else if (d.reason == Reason::kForbidden) {
    x.summary = fmt::format("denied by forbid {}{}", quoted_rule(t, d.rule), where(t, d.rule));
  } else {
    // The grants that came closest: their role matched but their condition did not hold.
    std::string close;
    for (const RuleTrace& rt : x.rules) {
      if (!rt.forbid && rt.role_matched && !rt.applied) {
        close += fmt::format("; {}{} did not apply: {}", quoted_rule(t, rt.rule), where(t, rt.rule), rt.failed);
      }
    }
    x.summary = "denied: no grant applies" + close + customs.why_not;
  }
  return x;
}

}  // namespace edict::runtime
