// runtime/branches.cc: compiling condition programs to branching programs (branches.h).
#include "runtime/branches.h"

#include <algorithm>

namespace edict::runtime {
namespace {

namespace f = format;

constexpr uint32_t kFalse = kBranchResult + 0, kTrue = kBranchResult + 1, kError = kBranchResult + 2;

// Deeper trees run on the stack machine: the construction recurses once per level.
constexpr uint32_t kMaxDepth = 64;

// Where a (sub)condition goes on each of its values.
struct Targets {
  uint32_t on_false, on_true, on_error;
  bool operator==(const Targets&) const = default;
};

// Leaves that never err (they read nothing that can be absent or ill-typed).
bool leaf_can_err(Exec e) { return e != Exec::kConst && e != Exec::kHas && e != Exec::kIsRole && e != Exec::kIsType; }

bool same_attribute(const Operand& x, const Operand& y) {
  return x.source <= Source::kContextAttr && x.source == y.source && x.slot == y.slot;
}

// Which operand of leaf `s` reads the request attribute `o` as a value (steps.h),
// if one does: an absent `o` then makes the leaf err, whatever else it reads.
GuardOperand operand_reading(const Step& s, const Operand& o) {
  if (reads_value_a(s.exec) && same_attribute(s.a, o)) return GuardOperand::kA;
  if (reads_value_b(s.exec) && same_attribute(s.b, o)) return GuardOperand::kB;
  return GuardOperand::kNone;
}
bool errs_when_absent(const Step& s, const Operand& o) { return operand_reading(s, o) != GuardOperand::kNone; }

}  // namespace

// The program as a tree, built from its postfix form, and the memo of the nodes
// already emitted for a (subtree, targets) pair: both reused between programs.
struct BranchCompiler::Tree {
  struct Node {
    f::Op op;
    uint32_t step;  // its instruction
    uint32_t left = 0, right = 0;
    uint32_t depth = 1;  // of its subtree
    bool can_err = true;
    uint32_t memo = kNone;  // the first Memo entry of this node
  };
  struct Memo {
    Targets targets;
    uint32_t id;
    uint32_t next;
  };
  static constexpr uint32_t kNone = UINT32_MAX;
  std::vector<Node> nodes;
  std::vector<Memo> memo;
  std::vector<uint32_t> stack;
};

BranchCompiler::BranchCompiler(std::span<const Step> steps, std::vector<Branch>& out)
    : steps_(steps),
      out_(out),
      tree_(std::make_unique<Tree>()),
      max_nodes_(std::min(out.size() + 4 * steps.size() + 1024, size_t{kChainResult})) {}

BranchCompiler::~BranchCompiler() = default;

uint32_t BranchCompiler::compile(uint32_t first, uint32_t count) {
  if (count == 0) return kTrue;
  if (out_.size() >= max_nodes_) return kNoBranches;
  const Step& head = steps_[first];
  // The usual conditions, one test or its negation, need no tree.
  if (count == 1 && head.exec != Exec::kOperator) return leaf(first, {kFalse, kTrue, kError});
  if (count == 2 && head.exec != Exec::kOperator && static_cast<f::Op>(steps_[first + 1].in.op) == f::Op::kNot) {
    return leaf(first, {kTrue, kFalse, kError});
  }
  if (!build(first, count)) return kNoBranches;
  return compile_tree(static_cast<uint32_t>(tree_->nodes.size()) - 1, count, {kFalse, kTrue, kError});
}

uint32_t BranchCompiler::compile_rule(uint32_t first, uint32_t count, RoleExceptions& except) {
  except = {};
  if (count == 0) return kTrue;
  if (out_.size() >= max_nodes_) return kNoBranches;
  if (!build(first, count)) return kNoBranches;
  const uint32_t root = peel_exceptions(static_cast<uint32_t>(tree_->nodes.size()) - 1, except);
  if (root == Tree::kNone) return kTrue;  // nothing left once the exceptions are peeled
  return compile_tree(root, count, {kFalse, kTrue, kError});
}

uint32_t BranchCompiler::compile_chain(std::span<const std::pair<uint32_t, uint32_t>> conditions) {
  if (conditions.empty() || conditions.size() > kMaxChain) return kNoBranches;
  const size_t chain_base = out_.size();
  uint32_t next = kFalse;  // where the k-th condition's false leads: the next one's root
  for (size_t k = conditions.size(); k-- > 0;) {
    const auto [first, count] = conditions[k];
    const auto applies = static_cast<uint32_t>(kChainResult + 2 * k);
    if (count == 0) {  // no condition: it applies
      next = applies;
      continue;
    }
    next = out_.size() < max_nodes_ && build(first, count)
               ? compile_tree(static_cast<uint32_t>(tree_->nodes.size()) - 1, count, {next, applies, applies + 1})
               : kNoBranches;
    if (next == kNoBranches) {
      out_.resize(chain_base);
      return kNoBranches;
    }
  }
  return next;
}

// Emits the tree under `root` with the given targets, within its share of the
// budget; kNoBranches (and nothing emitted) past it.
uint32_t BranchCompiler::compile_tree(uint32_t root, uint32_t count, Targets3 to) {
  base_ = out_.size();
  limit_ = std::min(base_ + 8 * size_t{count} + 16, max_nodes_);
  over_ = false;
  const uint32_t id = emit(root, to);
  if (over_) {
    out_.resize(base_);
    return kNoBranches;
  }
  return id;
}

// Strips `!(principal is R)` conjuncts (also `!(principal is R || principal is
// S)`) off the top of the tree, while their roles share one word, and returns
// what remains: a node, or kNone if nothing does.
uint32_t BranchCompiler::peel_exceptions(uint32_t root, RoleExceptions& except) const {
  const Tree& t = *tree_;
  if (exception_roles(root, except)) return Tree::kNone;
  while (steps_[t.nodes[root].step].exec == Exec::kOperator && t.nodes[root].op == f::Op::kAnd) {
    const Tree::Node& n = t.nodes[root];
    if (exception_roles(n.right, except)) {
      root = n.left;
    } else if (exception_roles(n.left, except)) {
      root = n.right;
    } else {
      break;
    }
  }
  return root;
}

// Adds to `except` the roles of `node` if it is `!(principal is R || ...)` and
// they fit the word `except` is in; false, leaving it as it was, if not.
bool BranchCompiler::exception_roles(uint32_t node, RoleExceptions& except) const {
  const Tree& t = *tree_;
  auto is_op = [&](uint32_t k, f::Op op) { return steps_[t.nodes[k].step].exec == Exec::kOperator && t.nodes[k].op == op; };
  if (!is_op(node, f::Op::kNot)) return false;
  RoleExceptions found = except;
  uint32_t pending[kMaxDepth + 1];
  uint32_t n = 0;
  pending[n++] = t.nodes[node].left;
  while (n > 0) {
    const uint32_t k = pending[--n];
    if (is_op(k, f::Op::kOr)) {
      pending[n++] = t.nodes[k].left;  // depth <= kMaxDepth: at most one pending per level
      pending[n++] = t.nodes[k].right;
      continue;
    }
    const Step& s = steps_[t.nodes[k].step];
    if (s.exec != Exec::kIsRole) return false;
    const uint32_t role = s.in.a;
    if (found.mask != 0 && role / 64 != found.word) return false;
    found.word = role / 64;
    found.mask |= uint64_t{1} << (role % 64);
  }
  except = found;
  return true;
}

bool BranchCompiler::build(uint32_t first, uint32_t count) {
  Tree& t = *tree_;
  t.nodes.clear();
  t.memo.clear();
  t.stack.clear();
  for (uint32_t k = first; k < first + count; ++k) {
    const Step& s = steps_[k];
    Tree::Node n{static_cast<f::Op>(s.in.op), k};
    if (s.exec != Exec::kOperator) {
      n.can_err = leaf_can_err(s.exec);
    } else {
      const bool unary = n.op == f::Op::kNot;
      if (t.stack.size() < (unary ? 1u : 2u)) return false;
      n.right = t.stack.back();
      t.stack.pop_back();
      n.left = n.right;
      if (!unary) {
        n.left = t.stack.back();
        t.stack.pop_back();
      }
      n.can_err = t.nodes[n.left].can_err || t.nodes[n.right].can_err;
      n.depth = 1 + std::max(t.nodes[n.left].depth, t.nodes[n.right].depth);
      if (n.depth > kMaxDepth) return false;
    }
    t.stack.push_back(static_cast<uint32_t>(t.nodes.size()));
    t.nodes.push_back(n);
  }
  // The root is the last node; a well-formed program leaves exactly it.
  return t.stack.size() == 1 && t.stack.back() == t.nodes.size() - 1;
}

uint32_t BranchCompiler::leaf(uint32_t step, Targets3 to, const Operand* guard) {
  const Step& s = steps_[step];
  if (s.exec == Exec::kConst) return s.in.a != 0 ? to[1] : to[0];
  if (s.exec == Exec::kError) return to[2];
  const GuardOperand which = guard == nullptr ? GuardOperand::kNone : operand_reading(s, *guard);
  out_.push_back({{&s}, node_fn(s.exec, which), plan_node_fn(s, which), {to[0], to[1], to[2]}});
  return static_cast<uint32_t>(out_.size() - 1);
}

uint32_t BranchCompiler::emit(uint32_t node, Targets3 to) {
  Tree& t = *tree_;
  if (over_) return kError;
  const Tree::Node n = t.nodes[node];
  // A value that cannot occur needs no edge of its own: sharing one makes more
  // (subtree, targets) pairs equal.
  if (!n.can_err) to[2] = to[0];
  const Targets key{to[0], to[1], to[2]};
  for (uint32_t m = n.memo; m != Tree::kNone; m = t.memo[m].next) {
    if (t.memo[m].targets == key) return t.memo[m].id;
  }
  if (out_.size() >= limit_) {
    over_ = true;
    return kError;
  }
  const auto [on_false, on_true, on_error] = to;
  uint32_t id = kError;
  switch (steps_[n.step].exec == Exec::kOperator ? n.op : f::Op::kCount) {
    case f::Op::kNot: id = emit(n.left, {on_true, on_false, on_error}); break;
    case f::Op::kAnd:
      if (const Step& left = steps_[t.nodes[n.left].step], &right = steps_[t.nodes[n.right].step];
          left.exec == Exec::kHas && errs_when_absent(right, left.a)) {
        // `has a && test(a)`, the guard the checker asks for: the test alone runs,
        // and only when it errs does its node look at `a`, to tell an absent `a`
        // (false: `has` is never an error) from another error. One test where
        // there were two, and no second node even on absence.
        // (A test that reads a value is never constant: leaf() makes it a node.)
        id = leaf(t.nodes[n.right].step, {on_false, on_true, on_error}, &left.a);
        break;
      }
      [[fallthrough]];
    case f::Op::kOr: {
      // The left operand's deciding value (false for `and`, true for `or`) is the
      // result; its other value leaves the result to the right operand. So does an
      // error, but the right's other value then means error (error && true and
      // error || false are errors), while its deciding value still decides.
      const size_t decides = n.op == f::Op::kAnd ? 0 : 1, passes = 1 - decides;
      Targets3 after_error = to;
      after_error[passes] = on_error;
      const uint32_t right = emit(n.right, to);
      const uint32_t right_after_error = t.nodes[n.left].can_err ? emit(n.right, after_error) : on_error;
      Targets3 left{right, right, right_after_error};
      left[decides] = to[decides];
      id = emit(n.left, left);
      break;
    }
    case f::Op::kEqual:
    case f::Op::kNotEqual: {
      // left error: error; otherwise the right's value, or its negation.
      const uint32_t same = emit(n.right, to);
      const uint32_t negated = emit(n.right, {on_true, on_false, on_error});
      const bool eq = n.op == f::Op::kEqual;
      id = emit(n.left, {eq ? negated : same, eq ? same : negated, on_error});
      break;
    }
    default: id = leaf(n.step, to); break;
  }
  t.memo.push_back({key, id, n.memo});
  t.nodes[node].memo = static_cast<uint32_t>(t.memo.size() - 1);
  return id;
}

}  // namespace edict::runtime
