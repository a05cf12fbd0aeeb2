// runtime/steps.h: condition programs decoded once, on load, for the evaluator.
//
// A table's condition programs (format::Instr) name attributes by (root, slot)
// and leave their types in the attribute section. Decoding resolves, for every
// instruction, what the evaluator would otherwise look up on every decision:
// where each operand is read from, which value kind and range a well-formed value
// has, string constants, and comparisons that can only err (Exec). branches.h
// then compiles each program into a branching program over these steps' leaves;
// the stack machine runs the steps in order (explain(), and the rare program too
// large for a branching program).
//
// The steps are derived from verified bytes only (Table::load verifies first) and
// live as long as their Table. Step k describes instruction k of Table::code().
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/format/table_format.h"
#include "runtime/request.h"

namespace edict::runtime {

class Table;

// Where an operand's value comes from. The first three equal format::Root: a
// request attribute of that root. The others are computed from the request.
enum class Source : uint8_t {
  kPrincipalAttr = 0,
  kResourceAttr = 1,
  kContextAttr = 2,
  kPrincipalTenant,
  kResourceTenant,
  kPrincipalRank,  // the principal's highest-ranked role
};

// The slot of a computed operand: past the attributes of any request (whose
// spans hold fewer than 2^32 - 1 values), so that reading one is the evaluator's
// out-of-bounds path and a request attribute's read needs no test of the source.
inline constexpr uint32_t kComputedSlot = UINT32_MAX;

struct Operand {
  // A request attribute is (request.*attrs)[slot] (sources up to kContextAttr);
  // a computed value has slot kComputedSlot.
  std::span<const Value> Request::* attrs = &Request::principal_attrs;
  uint32_t slot = 0;
  Source source = Source::kPrincipalAttr;
  // A value is well-formed for the attribute when its kind is `want` and, read as
  // unsigned, its `i` is at most `max` (enum values, roles, booleans). An enum
  // without values (or a role in a table without roles) wants kAbsent: nothing is
  // well-formed, and a step that would read such an operand's value is kError.
  ValueKind want = ValueKind::kAbsent;
  format::AttrKind kind = format::AttrKind::kBool;  // of the value, or of each element of a set
  bool set = false;
  uint64_t max = UINT64_MAX;
  // slot * sizeof(Value): where a request attribute's value is in its array, in
  // bytes. The evaluator reads the value with one add, once it has checked slot.
  size_t offset = 0;
};

// What the evaluator does for an instruction: its op, refined by the types of its
// operands so that the type dispatch happens once, here, and not per decision.
// An operand's value is used only when it is well-formed (Operand::want), so an
// op whose operand types cannot work is kError without reading anything: the
// result (error) is the same.
enum class Exec : uint8_t {
  kOperator,        // not, and, or, equal, not_equal (Step::in.op says which)
  kError,           // a comparison whose operand types can never compare: error
  kConst,
  kHas,
  kTruthy,
  kCmpIdConst,      // integers, enums, entities, booleans; roles by identity
  kEqIdConst,       // kCmpIdConst with ==: one test
  kNeIdConst,       // kCmpIdConst with !=
  kCmpRankConst,    // roles ordered by rank
  kCmpStringConst,
  kCmpIdAttr,
  kCmpRankAttr,
  kCmpAttrToPrincipalRank,  // kCmpRankAttr with operand b principal.rank: `resource.role < principal.rank`
  kCmpPrincipalRankToAttr,  // kCmpRankAttr with operand a principal.rank: `principal.rank > resource.role`
  kCmpStringAttr,
  kCmpPrincipal,
  kInIdAttr,        // an id in a set of ids
  kInStringAttr,    // a string in a set of strings
  kInConst,
  kInConstMask,     // kInConst of ids in [0, 64): `constant` has bit k set for each id k
  kPrincipalIn,
  kConstInIds,
  kConstInStrings,
  kIsRole,
  kIsRoleAttr,
  kIsType,
  kCount,  // not an Exec: how many there are (eval.cc's table of node code)
};

// Whether a leaf of this Exec reads the value (not only the presence) of its
// operand a, or b: eval.cc's value(), which errs on an absent or ill-formed value.
constexpr bool reads_value_a(Exec e) {
  switch (e) {
    case Exec::kTruthy:
    case Exec::kCmpIdConst:
    case Exec::kEqIdConst:
    case Exec::kNeIdConst:
    case Exec::kCmpRankConst:
    case Exec::kCmpStringConst:
    case Exec::kCmpIdAttr:
    case Exec::kCmpRankAttr:
    case Exec::kCmpAttrToPrincipalRank:
    case Exec::kCmpStringAttr:
    case Exec::kCmpPrincipal:
    case Exec::kInIdAttr:
    case Exec::kInStringAttr:
    case Exec::kInConst:
    case Exec::kInConstMask:
    case Exec::kConstInIds:
    case Exec::kConstInStrings:
    case Exec::kIsRoleAttr: return true;
    default: return false;
  }
}
constexpr bool reads_value_b(Exec e) {
  switch (e) {
    case Exec::kCmpIdAttr:
    case Exec::kCmpRankAttr:
    case Exec::kCmpPrincipalRankToAttr:
    case Exec::kCmpStringAttr:
    case Exec::kInIdAttr:
    case Exec::kInStringAttr:
    case Exec::kPrincipalIn: return true;
    default: return false;
  }
}

// A comparison as the set of three-way results that make it true: bit 0 less,
// bit 1 equal, bit 2 greater.
inline uint8_t cmp_mask(format::Cmp cmp) {
  switch (cmp) {
    case format::Cmp::kEq: return 0b010;
    case format::Cmp::kNe: return 0b101;
    case format::Cmp::kLt: return 0b001;
    case format::Cmp::kLe: return 0b011;
    case format::Cmp::kGt: return 0b100;
    case format::Cmp::kGe: return 0b110;
  }
  return 0;
}

struct Step {
  format::Instr in;  // the instruction as stored
  Exec exec = Exec::kOperator;
  uint8_t cmp_true = 0;  // comparisons: cmp_mask(in.cmp)
  Operand a, b;            // in.root_a/in.a and in.root_b/in.b, decoded (where the op has them)
  int64_t constant = 0;    // (in.b | in.c << 32): integer, enum, role and entity constants
  std::string_view text;   // string constants (cmp_const, const_in on strings)
};
// Decoded programs take six times the bytes of the stored ones.
static_assert(sizeof(Step) == 112);

// One Step per instruction of `table.code()`. Call only on a verified table.
std::vector<Step> decode_steps(const Table& table);

}  // namespace edict::runtime
