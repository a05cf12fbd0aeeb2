// runtime/role_plans.cc: single-role plans, built on load (Table::plan_single_roles;
// table.h says what a plan is).
//
// A plan decides a cell exactly as evaluate()'s general path does for a
// principal holding one role, whose effective roles are that role's implied
// set. The general path, for that principal:
//   - forbids: F0, the lowest of the forbid for everyone and the unconditional
//     forbids of implied roles; before it, the conditional forbids whose roles
//     match, in rule order: the first whose condition is true or errs decides
//     (one error counted if it erred);
//   - grants: G0, the lowest unconditional grant of an implied role (with no
//     obligations); then each matching conditional grant in rule order, until
//     one applied without obligations and the rest are numbered above the best:
//     an error counts, true lowers the best grant and intersects obligations.
// A plan is that walk unrolled: a copy of each rule's branching program whose
// results lead, with the state they make (best grant, obligations, errors), to
// the next rule that can still change the decision, and at the end to an
// Outcome. Only the role tests are resolved here; every condition leaf,
// `principal is R` inside a condition included, still runs on the request.
#include <algorithm>
#include <array>
#include <bit>
#include <span>
#include <vector>

#include "runtime/table.h"

namespace edict::runtime {
namespace {

namespace f = format;

// Cells with more rules keep the general path: a plan's grants may branch on
// every earlier grant's result, and each role's plan costs a pass over them.
constexpr uint32_t kMaxPlannedRules = 32;
// Past this many (role, implied role) pairs in all, no plans: a cell's plans
// start from the roles implying the roles its rules name.
constexpr size_t kMaxImplications = size_t{1} << 20;
// A plan reaches each grant in at most this many states (a crafted table's
// obligations could make their number exponential in the grants); past it, the
// cell keeps the general path. Real plans have a handful.
constexpr size_t kMaxPlanStates = 256;
// A plan's longest walk, in nodes. A plan is walked by threaded code (eval.cc's
// plan_node()), each node's code calling the next's in tail position: where the
// optimizer does not make those calls jumps (an unoptimized build), each node
// takes a frame, so this bounds the stack a walk takes. Each of a plan's rules
// adds its condition's longest path; real plans walk a handful of nodes, and a
// cell past this keeps the general path.
constexpr uint32_t kMaxPlanWalk = 512;

}  // namespace

void Table::plan_single_roles(const std::vector<NodeRange>& rule_nodes) {
  const auto role_count = static_cast<uint32_t>(roles_.size());
  // The roles implying each role (itself included), as one array by role.
  std::vector<uint32_t> by_first(size_t{role_count} + 1, 0), implied_by;
  auto each_implied = [&](uint32_t role, auto&& fn) {
    const ImpliedRoles& x = implied_[role];
    for (uint32_t w = x.first; w < x.first + x.words; ++w) {
      for (uint64_t m = x.bits[w]; m != 0; m &= m - 1) fn(w * 64 + static_cast<uint32_t>(std::countr_zero(m)));
    }
  };
  size_t implications = 0;
  for (uint32_t r = 0; r < role_count && implications <= kMaxImplications; ++r) {
    each_implied(r, [&](uint32_t m) {
      ++by_first[m + 1];
      ++implications;
    });
  }
  if (implications > kMaxImplications) return;
  for (uint32_t m = 0; m < role_count; ++m) by_first[m + 1] += by_first[m];
  implied_by.resize(implications);
  {
    std::vector<uint32_t> fill(by_first.begin(), by_first.end() - 1);
    for (uint32_t r = 0; r < role_count; ++r) each_implied(r, [&](uint32_t m) { implied_by[fill[m]++] = r; });
  }

  // Budgets, all linear in the table; cells past them keep the general path.
  // A plan copies its rules' programs, one copy per state a rule is reached in
  // (nodes); each role planned for costs a pass over its cell's rules and maybe
  // a RolePlan (roles); grant states are bounded too, and through them and the
  // roles the outcomes, far below the kBranchResult - kChainResult ids they take.
  const size_t max_nodes = std::min(5 * branches_.size() + 4096, size_t{kChainResult});
  size_t roles_left = 4 * (cond_refs_.size() + role_rules_.size()) + 65536;
  size_t states_left = 16 * cond_refs_.size() + 65536;

  // A copy of rule `k`'s program going to `to` (false, true, error) instead of
  // its results; kNoPlan past the budget. Its nodes are copied as they are, but
  // for their next nodes: the copies', or `to` for the results.
  auto copy_rule = [&](uint32_t k, std::array<uint32_t, 3> to) -> uint32_t {
    const uint32_t root = cond_refs_[k].branches;
    if (root == kNoBranches) return kNoPlan;  // not reached: such cells have no plans
    if (root >= kBranchResult) return to[root - kBranchResult];  // a constant condition
    const NodeRange r = rule_nodes[k];
    if (branches_.size() + (r.end - r.first) > max_nodes) return kNoPlan;
    const auto base = static_cast<uint32_t>(branches_.size());
    for (uint32_t id = r.first; id < r.end; ++id) {
      Branch b = branches_[id];  // by value: push_back may reallocate
      for (uint32_t& next : b.next) next = next >= kBranchResult ? to[next - kBranchResult] : next - r.first + base;
      branches_.push_back(b);
    }
    return root - r.first + base;
  };

  // Whether rule `k`'s condition can err: otherwise its plans need no error state.
  auto can_err = [&](uint32_t k) {
    constexpr uint32_t kErrs = kBranchResult + 2;
    const uint32_t root = cond_refs_[k].branches;
    if (root >= kBranchResult) return root == kErrs;
    const NodeRange r = rule_nodes[k];
    return std::any_of(branches_.begin() + r.first, branches_.begin() + r.end,
                       [](const Branch& b) { return b.next[0] == kErrs || b.next[1] == kErrs || b.next[2] == kErrs; });
  };

  // Outcomes are shared within a plan (a plan has a few): found by a scan of
  // those it added, from `plan_outcomes` on. So each is one cell's:
  // `cell_planned`, the cell being planned.
  size_t plan_outcomes = 0;
  uint32_t cell_planned = 0;
  auto outcome_of = [&](uint64_t obligations, uint32_t forbid, uint32_t grant, uint32_t errors) -> uint32_t {
    size_t k = plan_outcomes;
    while (k < outcomes_.size() && !(outcomes_[k].obligations == obligations && outcomes_[k].forbid == forbid &&
                                     outcomes_[k].grant == grant && outcomes_[k].errors == errors)) {
      ++k;
    }
    if (k == outcomes_.size()) {
      outcomes_.push_back({rules_decision(forbid, grant, obligations, errors), obligations, forbid, grant, errors,
                           forbid == f::kNone && custom_roles_may_change(grant, obligations),
                           words() * 64 + cell_planned, custom_role_decision(grant, errors)});
    }
    return static_cast<uint32_t>(kChainResult + k);
  };

  // One plan from its rules: the matching conditional forbids below F0 and
  // grants (indices into cond_refs_), in rule order. kNoPlan past a budget.
  std::vector<uint32_t> forbids, grants;
  // A plan's grant states: (k, grant, obligations, errors) and the node each starts at.
  struct State {
    uint32_t k, grant;
    uint64_t obligations;
    uint32_t errors, root;
  };
  std::vector<State> states;
  // The longest walk from each node of the plan being built, whose nodes are
  // [first, branches_.size()): a node's next nodes have lower ids (branches.h),
  // so one pass in id order. kNoPlan if it is longer than kMaxPlanWalk; also if
  // a node went anywhere but to a node of the plan built before it, which
  // copy_rule() never makes.
  std::vector<uint32_t> walk_from;
  auto bounded_walk = [&](size_t first, uint32_t root) -> uint32_t {
    if (root >= kChainResult) return root;  // an outcome: no walk
    walk_from.resize(branches_.size());
    for (size_t id = first; id < branches_.size(); ++id) {
      uint32_t longest = 0;
      for (const uint32_t next : branches_[id].next) {
        if (next >= kChainResult) continue;
        if (next < first || next >= id) return kNoPlan;
        longest = std::max(longest, walk_from[next]);
      }
      if (longest >= kMaxPlanWalk) return kNoPlan;
      walk_from[id] = longest + 1;
    }
    return root;
  };
  auto build_plan = [&](uint32_t f0, uint32_t g0) -> uint32_t {
    states.clear();
    plan_outcomes = outcomes_.size();
    const size_t first_node = branches_.size();
    // The grant walk from grants[k] on, in state (best grant, obligations, errors).
    auto grant_state = [&](auto& self, uint32_t k, uint32_t grant, uint64_t obligations, uint32_t errors) -> uint32_t {
      if (k == grants.size() || (grant != f::kNone && obligations == 0 && cond_refs_[grants[k]].rule > grant)) {
        return outcome_of(obligations, f::kNone, grant, errors);
      }
      for (const State& x : states) {
        if (x.k == k && x.grant == grant && x.obligations == obligations && x.errors == errors) return x.root;
      }
      const CondRef& cr = cond_refs_[grants[k]];
      if (states.size() >= kMaxPlanStates || states_left == 0) return kNoPlan;
      --states_left;
      const uint32_t on_false = self(self, k + 1, grant, obligations, errors);
      const uint32_t on_error = can_err(grants[k]) ? self(self, k + 1, grant, obligations, errors + 1) : on_false;
      const uint32_t on_true = self(self, k + 1, std::min(grant, cr.rule), obligations & cr.obligations, errors);
      if (on_false == kNoPlan || on_error == kNoPlan || on_true == kNoPlan) return kNoPlan;
      const uint32_t root = copy_rule(grants[k], {on_false, on_true, on_error});
      if (root == kNoPlan) return kNoPlan;
      states.push_back({k, grant, obligations, errors, root});
      return root;
    };
    uint32_t next = f0 != f::kNone ? outcome_of(0, f0, f::kNone, 0)
                                   : grant_state(grant_state, 0, g0, g0 != f::kNone ? 0 : ~uint64_t{0}, 0);
    for (size_t k = forbids.size(); k-- > 0 && next != kNoPlan;) {
      const uint32_t rule = cond_refs_[forbids[k]].rule;
      next = copy_rule(forbids[k], {next, outcome_of(0, rule, f::kNone, 0), outcome_of(0, rule, f::kNone, 1)});
    }
    return next == kNoPlan ? kNoPlan : bounded_walk(first_node, next);
  };

  // Per cell, its plan for everyone else; the roles with a plan of their own, as
  // (cell, role, root), by cell and then role.
  others_.assign(cells_.size(), kNoPlan);
  struct RolePlan {
    uint32_t cell, role, root;
  };
  std::vector<RolePlan> role_plans;
  branches_.reserve(2 * branches_.size() + 1024);  // about one copy of each rule's program, and the outcomes:
  outcomes_.reserve(2 * cond_refs_.size() + 64);   // regrowing them was a tenth of the work
  role_plans.reserve(cond_refs_.size() + 64);
  bool any = false;
  // A cell's plans by their rules (F0, G0, forbids, grants): roles meeting the
  // same rules share one. Keys are kept end to end in `keys`.
  struct Planned {
    uint32_t key_first, key_size, root;
  };
  std::vector<Planned> cell_memo;
  std::vector<uint32_t> keys, candidates;
  std::vector<uint64_t> named(words());
  std::vector<uint8_t> seen(role_count);
  for (size_t i = 0; i < cells_.size(); ++i) {
    const f::Cell& cell = cells_[i];
    cell_planned = static_cast<uint32_t>(i);
    if (size_t{cell.cond_count} + cell.forbid_count + cell.grant_count > kMaxPlannedRules) {
      continue;
    }
    const CondRef* const conds = cond_refs_.data() + cell.cond_first;  // the rules' own records, not chains
    if (std::any_of(conds, conds + cell.cond_count, [](const CondRef& cr) { return cr.branches == kNoBranches; })) {
      continue;
    }
    const auto forbid_rules = role_rules_.subspan(cell.forbid_first, cell.forbid_count);
    const auto grant_rules = role_rules_.subspan(cell.grant_first, cell.grant_count);

    // The roles the cell's rules name; the roles implying one of them may meet
    // other rules than the rest do.
    std::fill(named.begin(), named.end(), 0);
    for (const f::RoleRule& rr : forbid_rules) named[rr.role / 64] |= uint64_t{1} << (rr.role % 64);
    for (const f::RoleRule& rr : grant_rules) named[rr.role / 64] |= uint64_t{1} << (rr.role % 64);
    for (const CondRef& cr : std::span(conds, cell.cond_count)) {
      if (cr.roles_word < kMultiWord) {
        named[cr.roles_word] |= cr.mask;
      } else if (cr.roles_word != kAllRoles) {
        for (uint32_t w = 0; w < words(); ++w) named[w] |= bits(cr.role_bits)[w];
      }
      if (cr.except_mask != 0) named[cr.except_word] |= cr.except_mask;
    }
    candidates.clear();
    for (uint32_t w = 0; w < words(); ++w) {
      for (uint64_t m = named[w]; m != 0; m &= m - 1) {
        const uint32_t role = w * 64 + static_cast<uint32_t>(std::countr_zero(m));
        for (uint32_t k = by_first[role]; k < by_first[role + 1]; ++k) {
          if (!seen[implied_by[k]]) {
            seen[implied_by[k]] = true;
            candidates.push_back(implied_by[k]);
          }
        }
      }
    }
    for (uint32_t r : candidates) seen[r] = false;
    std::sort(candidates.begin(), candidates.end());

    // The plan of a principal whose effective roles are `held` (nullptr: none
    // the cell's rules name).
    auto plan_for = [&](const ImpliedRoles* held) -> uint32_t {
      auto holds = [&](uint32_t role) {
        const uint32_t w = role / 64;
        return held != nullptr && w - held->first < held->words && ((held->bits[w] >> (role % 64)) & 1u) != 0;
      };
      auto matches = [&](const CondRef& cr) {
        if (held == nullptr) return cr.roles_word == kAllRoles;  // exceptions name roles it does not hold
        const uint32_t ew = cr.except_word;
        if (cr.except_mask != 0 && ew - held->first < held->words && (held->bits[ew] & cr.except_mask) != 0) {
          return false;
        }
        if (cr.roles_word == kAllRoles) return true;
        for (uint32_t w = held->first; w < held->first + held->words; ++w) {
          if ((held->bits[w] & bits(cr.role_bits)[w]) != 0) return true;
        }
        return false;
      };
      uint32_t f0 = cell.forbid_all_rule, g0 = f::kNone;
      for (const f::RoleRule& rr : forbid_rules) f0 = holds(rr.role) ? std::min(f0, rr.rule) : f0;
      for (const f::RoleRule& rr : grant_rules) g0 = holds(rr.role) ? std::min(g0, rr.rule) : g0;
      forbids.clear();
      grants.clear();
      for (uint32_t k = cell.cond_first; k < cell.cond_first + cell.cond_count; ++k) {
        const CondRef& cr = cond_refs_[k];
        if (!matches(cr)) continue;
        if (cond_rules_[k].effect != 0) {
          grants.push_back(k);
        } else if (cr.rule < f0) {
          forbids.push_back(k);
        }
      }
      const auto key_first = static_cast<uint32_t>(keys.size());
      keys.insert(keys.end(), {f0, g0, static_cast<uint32_t>(forbids.size())});
      keys.insert(keys.end(), forbids.begin(), forbids.end());
      keys.insert(keys.end(), grants.begin(), grants.end());
      const auto key_size = static_cast<uint32_t>(keys.size()) - key_first;
      for (const Planned& x : cell_memo) {
        if (x.key_size == key_size && std::equal(keys.begin() + x.key_first, keys.begin() + x.key_first + key_size,
                                                 keys.begin() + key_first)) {
          keys.resize(key_first);
          return x.root;
        }
      }
      const uint32_t root = build_plan(f0, g0);
      cell_memo.push_back({key_first, key_size, root});
      return root;
    };

    cell_memo.clear();
    keys.clear();
    const size_t rollback = role_plans.size(), nodes_before = branches_.size(), outcomes_before = outcomes_.size();
    const uint32_t others = plan_for(nullptr);
    bool ok = others != kNoPlan && candidates.size() < roles_left;
    if (ok) roles_left -= candidates.size() + 1;
    for (size_t k = 0; ok && k < candidates.size(); ++k) {
      const uint32_t root = plan_for(&implied_[candidates[k]]);
      ok = root != kNoPlan;
      if (ok && root != others) role_plans.push_back({static_cast<uint32_t>(i), candidates[k], root});
    }
    if (!ok) {  // the cell keeps the general path; what its plans added goes
      role_plans.resize(rollback);
      branches_.resize(nodes_before);
      outcomes_.resize(outcomes_before);
      continue;
    }
    others_[i] = others;
    any = true;
  }
  if (!any) {
    others_.clear();
    return;
  }

  // Express entries (branches.h). A plan often starts with a row of nodes that
  // each test one request attribute against a constant, and go on to the next
  // on one value: the forbids for everyone, such as `unless principal.status ==
  // active`, run first in every cell of their policy. Each node's walk reads its
  // leaf's step and jumps to the next node's code; an express entry runs the
  // row's tests in place, and only a request failing one runs the nodes.
  // Where a test holds, its node's value is the one the entry follows:
  //   - `a == c` true: a well-formed and equal to c, if c is in a's range (a
  //     checked policy's constants are; a crafted table's need not be);
  //   - `a != c` false: the same test;
  //   - a bool `a` true (a == 1) or false (a == 0): whichever goes to a node,
  //     else to an outcome without a forbid (a request is seldom forbidden).
  auto forbidden = [&](uint32_t result) { return result >= kChainResult && outcome(result).forbid != f::kNone; };
  auto express_test = [&](const Branch& b, uint32_t& edge, ExpressTest& x) {
    const Step& s = *b.test;
    const Operand& a = s.a;
    if (b.plan_run != plan_node_fn(s, GuardOperand::kNone) || a.source > Source::kContextAttr ||
        a.want == ValueKind::kAbsent) {
      return false;  // a guarded node, a computed operand, or one no value fits
    }
    x = {a.want, a.slot, s.constant, a.attrs, a.offset};
    switch (s.exec) {
      case Exec::kEqIdConst: edge = 1; return static_cast<uint64_t>(s.constant) <= a.max;
      case Exec::kNeIdConst: edge = 0; return static_cast<uint64_t>(s.constant) <= a.max;
      case Exec::kTruthy: {
        const bool to_node = b.next[0] < kChainResult && b.next[1] >= kChainResult;
        edge = to_node || (forbidden(b.next[1]) && !forbidden(b.next[0])) ? 0 : 1;
        x.value = edge;
        return a.max == 1 && a.want == ValueKind::kBool;
      }
      default: return false;
    }
  };
  // Adds an entry (express or scope) to the row at `root`, running
  // `entry_code` on its tests from `first`: to next[1] as the row goes on
  // that edge, next[2] on the other the entry knows of, next[0] (the row's
  // first node) on anything it leaves to the nodes. Reached from plan roots
  // only, never by a condition's walk; were it, its code would err and go to
  // next[2] (for an express entry, the row's first node). Its tests' address
  // is set once the tests are all pushed (`entries`, below).
  std::vector<std::pair<uint32_t, bool>> entries;  // (id, a scope entry)
  auto push_entry = [&](bool scope, uint32_t root, PlanNodeFn entry_code, uint32_t first, uint32_t next1,
                        uint32_t next2) {
    Branch entry = branches_[root];
    entry.plan_run = entry_code;
    entry.run = entry_node_fn();
    entry.express_tests = nullptr;
    entry.next[0] = root;
    entry.next[1] = next1;
    entry.next[2] = next2;
    entry.express = first;
    branches_.push_back(entry);
    entries.emplace_back(static_cast<uint32_t>(branches_.size() - 1), scope);
    return static_cast<uint32_t>(branches_.size() - 1);
  };
  // Scope entries (branches.h). The scoped grants start their plans with a
  // row of `has a && a in b` joined by `||`: an item's group in the
  // principal's groups, or its IVR in theirs. Each node's walk reads its step,
  // and a request failing the first runs the second by a jump to its code; a
  // scope entry runs the row's tests in place. It stands for the row while
  // each test is the node's usual case: a absent (its guard false, and the
  // node goes on to the next), or a well-formed id and b a set of ids. Every
  // node of the row goes to one node or outcome on true (a grant's row: where
  // its condition holds), and the entry goes there too at the first test that
  // holds, or where the last node's false goes if none does.
  auto scope_test = [&](const Branch& b, ScopeTest& x) {
    const Step& s = *b.test;
    if (s.exec != Exec::kInIdAttr || b.plan_run != plan_node_fn(s, GuardOperand::kA) ||
        s.a.source > Source::kContextAttr || s.b.source > Source::kContextAttr || s.a.want == ValueKind::kAbsent ||
        s.b.want != ValueKind::kIdSet) {
      return false;  // another test, unguarded, a computed operand, or one no value fits
    }
    x = {s.a.attrs, s.b.attrs, s.a.slot, s.b.slot, s.a.want, false, s.a.max, s.a.offset, s.b.offset};
    return true;
  };
  auto scope_entry = [&](uint32_t root) -> uint32_t {
    const auto first = static_cast<uint32_t>(scope_tests_.size());
    uint32_t node = root, on_true = 0;
    ScopeTest x;
    while (node < kChainResult && scope_tests_.size() - first < kMaxScopeTests && scope_test(branches_[node], x)) {
      const Branch& b = branches_[node];
      if (scope_tests_.size() > first && b.next[1] != on_true) break;
      on_true = b.next[1];
      scope_tests_.push_back(x);
      node = b.next[0];
    }
    const auto count = static_cast<uint32_t>(scope_tests_.size() - first);
    if (count < 2 || branches_.size() >= kChainResult - 1) {
      scope_tests_.resize(first);
      return root;
    }
    scope_tests_.back().last = true;
    return push_entry(true, root, plan_scope_fn(std::span(scope_tests_).subspan(first, count)), first, on_true, node);
  };
  std::vector<uint32_t> express_of(branches_.size(), kNoPlan);  // by root: its entry (or itself); kNoPlan: not yet
  auto express_entry = [&](uint32_t root) -> uint32_t {
    if (root >= kChainResult) return root;  // an outcome (or kNoPlan)
    if (express_of[root] != kNoPlan) return express_of[root];
    const auto first = static_cast<uint32_t>(express_tests_.size());
    uint32_t node = root, edge = 0;
    ExpressTest x;
    while (node < kChainResult && express_tests_.size() - first < kMaxExpressTests &&
           express_test(branches_[node], edge, x)) {
      express_tests_.push_back(x);
      node = branches_[node].next[edge];
    }
    const auto count = static_cast<uint32_t>(express_tests_.size() - first);
    if (count < 2 || branches_.size() >= kChainResult - 1) {
      express_tests_.resize(first);
      return express_of[root] = scope_entry(root);
    }
    return express_of[root] = push_entry(false, root,
                                         plan_express_fn(std::span(express_tests_).subspan(first, count)), first,
                                         node, root);
  };
  for (uint32_t& root : others_) root = express_entry(root);
  for (RolePlan& x : role_plans) x.root = express_entry(x.root);
  // The tests are all pushed: each entry gets its first test's address.
  express_tests_.shrink_to_fit();
  scope_tests_.shrink_to_fit();
  for (const auto& [id, scope] : entries) {
    Branch& e = branches_[id];
    if (scope) {
      e.scope_tests = scope_tests_.data() + e.express;
    } else {
      e.express_tests = express_tests_.data() + e.express;
    }
  }
  if (size_t{role_count} * cells_.size() <= kMaxDensePlans) {
    // Each cell's row is its plan for everyone else, but where a role has its own.
    dense_plans_.resize(size_t{role_count} * cells_.size());
    dense_stride_ = role_count;
    for (size_t cell = 0; cell < cells_.size(); ++cell) {
      uint32_t* const row = dense_plans_.data() + cell * role_count;
      std::fill(row, row + role_count, others_[cell]);
    }
    for (const RolePlan& x : role_plans) dense_plans_[size_t{x.cell} * role_count + x.role] = x.root;
    std::vector<uint32_t>().swap(others_);  // in the rows now; only the hashed lookup reads it
    return;
  }
  // At most half of the slots taken, so that a probe ends soon (and does end).
  const size_t slots = std::bit_ceil(2 * role_plans.size() + 2);
  plan_slots_.assign(slots, PlanSlot{});
  plan_shift_ = 64 - static_cast<uint32_t>(std::countr_zero(slots));
  for (const RolePlan& x : role_plans) {
    const uint64_t key = plan_key(x.cell, x.role);
    size_t h = plan_hash(key);
    while (plan_slots_[h].key != kNoPlanKey) h = (h + 1) & (slots - 1);
    plan_slots_[h] = {key, x.root};
  }
}

}  // namespace edict::runtime
