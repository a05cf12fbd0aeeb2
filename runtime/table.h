// runtime/table.h: a loaded, verified decision table.
//
// Table::load() checks every byte of a .edictc image before anything reads it:
// magic, version, checksum, then every section's bounds and every index, count and
// offset inside it, and the stack discipline of every condition program. A Table
// that loaded is safe to evaluate with any Request; a corrupt one never loads.
// The Table owns an (8-aligned) copy of the bytes and is immutable: safe for
// concurrent use by any number of threads.
//
// docs/table-format.md specifies the format; runtime/format/table_format.h is
// the one header shared by the writer (compiler/lower.cc) and this reader.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/format/table_format.h"
#include "runtime/branches.h"
#include "runtime/decision.h"
#include "runtime/steps.h"
#include "support/result.h"

namespace edict::runtime {

enum class LoadErrorCode : uint8_t {
  kTruncated,      // shorter than its header or than the size the header states
  kBadMagic,       // not an Edict table
  kVersion,        // a format major version this reader does not implement
  kChecksum,       // the bytes do not match their checksum (corruption)
  kBadSection,     // a section outside the file, overlapping, misaligned or missing
  kBadIndex,       // an index, count or offset inside a section is out of range
  kBadProgram,     // a condition program that could underflow or overflow its stack
  kTooLarge,       // larger than the reader accepts
  kIo,             // the file could not be read
};

struct LoadError {
  LoadErrorCode code;
  uint64_t offset = 0;  // where in the file the problem was found
  std::string message;
};
const char* to_string(LoadErrorCode c);

class Table {
 public:
  // Not copied: its nodes hold addresses in its own arrays (steps, entries' tests).
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  // Verifies and keeps a copy of `bytes`.
  static Result<std::shared_ptr<const Table>, LoadError> load(std::span<const std::byte> bytes) noexcept;
  static Result<std::shared_ptr<const Table>, LoadError> load_file(const std::string& path) noexcept;

  uint64_t policy_hash() const { return header().policy_hash; }
  size_t size() const { return bytes_.size(); }
  std::span<const std::byte> bytes() const { return bytes_; }

  // Counts.
  const format::Meta& meta() const { return meta_; }
  uint32_t role_count() const { return meta_.role_count; }
  uint32_t action_count() const { return meta_.action_count; }
  uint32_t resource_count() const { return meta_.resource_count; }
  uint32_t rule_count() const { return meta_.rule_count; }

  // Names (string views into the table).
  std::string_view string(uint32_t id) const;
  std::string_view role_name(uint32_t role) const { return string(roles_[role].name); }
  std::string_view action_name(uint32_t action) const { return string(actions_[action].name); }
  std::string_view resource_name(uint32_t type) const { return string(resources_[type].name); }
  std::string_view rule_name(uint32_t rule) const { return string(rules_[rule].name); }
  std::string_view obligation_text(uint32_t instance) const;  // "redact(pii)"

  // Lookups by name for builders and tools (linear: not for the hot path).
  std::optional<uint32_t> find_role(std::string_view name) const;
  std::optional<uint32_t> find_action(std::string_view name) const;
  std::optional<uint32_t> find_resource(std::string_view name) const;
  std::optional<uint32_t> find_catalog(std::string_view name) const;
  // Attribute slots: principal, resource (shared by every resource type), context.
  std::optional<uint32_t> find_attr(format::Root root, std::string_view name) const;
  const format::Attr& attr(format::Root root, uint32_t slot) const;
  uint32_t attr_count(format::Root root) const;
  // attr_count() of the principal and of the resource, inline for evaluate().
  uint32_t principal_attr_count() const { return meta_.principal_attrs; }
  uint32_t resource_attr_count() const { return meta_.resource_attrs; }
  // Both, as principal_attr_count() | resource_attr_count() << 32: the
  // evaluator checks a request's arrays against them with one load.
  uint64_t attr_counts() const { return attr_counts_; }
  // action_count() | resource_count() << 32, likewise for a request's ids.
  uint64_t cell_counts() const { return cell_counts_; }
  std::optional<uint32_t> find_enum_value(uint32_t enum_id, std::string_view name) const;
  std::string_view enum_value_name(uint32_t enum_id, uint32_t value) const;

  // Debug information (empty when the table was compiled without it).
  bool has_debug() const { return !debug_rules_.empty(); }
  const format::DebugRule* debug_rule(uint32_t rule) const;
  std::string_view instr_text(uint32_t instr) const;

  // ---- raw views for the evaluator (all verified by load) ----
  std::span<const format::Role> roles() const { return roles_; }
  std::span<const format::Cell> cells() const { return cells_; }
  std::span<const uint64_t> bitsets() const { return bitsets_; }
  std::span<const format::RoleRule> role_rules() const { return role_rules_; }
  std::span<const format::CondRule> cond_rules() const { return cond_rules_; }
  std::span<const format::Instr> code() const { return code_; }
  std::span<const int64_t> pool() const { return pool_; }
  std::span<const format::Rule> rules() const { return rules_; }
  std::span<const format::Catalog> catalogs() const { return catalogs_; }
  std::span<const format::CatalogEntry> catalog_entries() const { return catalog_entries_; }
  std::span<const format::Enum> enums() const { return enums_; }
  uint32_t words() const { return meta_.words; }
  const uint64_t* bits(uint32_t bitset) const { return bitsets_.data() + static_cast<size_t>(bitset) * meta_.words; }
  const format::Cell& cell(uint32_t action, uint32_t type) const {
    return cells_[static_cast<size_t>(action) * meta_.resource_count + type];
  }
  // Role `role`'s implied bitset, and the words [first, first + words) outside
  // which it is zero (words == 0 for none). Computed on load, so the evaluator
  // touches only the words a request's roles can set, however many roles the
  // policy has.
  struct ImpliedRoles {
    const uint64_t* bits = nullptr;
    uint32_t first = 0, words = 0;  // in the order of eval.cc's RoleSet lo and n: copied together
    uint32_t top_ranked = format::kNone;  // the highest-ranked implied role (principal.rank), or kNone
  };
  const ImpliedRoles& implied(uint32_t role) const { return implied_[role]; }

  // ---- the evaluator's per-cell index, derived on load ----
  // Role masks that fit in one bitset word (every policy of up to 64 roles, and
  // most rules of larger ones) are tested in place; `word` says which word, or
  // one of these:
  static constexpr uint32_t kMultiWord = UINT32_MAX - 2;  // the roles span words: test the whole bitset
  static constexpr uint32_t kSearched = UINT32_MAX - 1;   // a large cell: search from the held roles
  static constexpr uint32_t kAllRoles = UINT32_MAX;       // a rule for every principal
  static constexpr uint32_t kExcepting = UINT32_MAX - 3;  // a conditional rule with role exceptions

  // A cell's unconditional grants (or forbids) as the roles of each rule, one
  // record per (rule, bitset word), sorted by rule: the first record whose roles
  // the principal holds names the deciding rule.
  struct RuleRoles {
    uint64_t mask;  // roles word `word` of the rule names
    uint32_t word;
    uint32_t rule;
  };
  static constexpr uint32_t kMaxScannedRoleRules = 8;
  // The unconditional grants (or forbids) of a cell. A cell of at most
  // kMaxScannedRoleRules role rules has records [first, first + count) of
  // rule_roles(); when they all lie in one word, `word` is it and `any` the union
  // of their masks (one test rejects a principal holding none of the roles), else
  // `word` is kMultiWord. A larger cell has `word` kSearched, [first, first +
  // count) of role_rules() and its roles in bitset `bitset`: the evaluator
  // searches from the held roles, so the cost follows the principal, not the policy.
  struct RuleRolesRange {
    uint32_t first = 0, count = 0;
    uint32_t word = 0;
    uint32_t bitset = 0;
    uint64_t any = 0;
  };
  // A conditional rule as the evaluator reads it: its condition as a branching
  // program (branches.h), or, if it has none (kNoBranches), as `count` decoded
  // steps from `code`; its roles as one word's mask where they fit in one
  // (`roles_word`), else kMultiWord (bitset `role_bits`) or kAllRoles.
  //
  // The branching program leaves out the condition's role exceptions (`unless
  // principal is R`, branches.h): a principal holding a role of `except_mask` in
  // roles word `except_word` is not one the rule applies to. `code` is always the
  // whole condition (explain() runs it). `word` is what the decision path tests
  // first: `roles_word`, or kExcepting for a rule with exceptions, so that the
  // others pay nothing for them.
  //
  // A forbid chain (branches.h) is one CondRef for consecutive forbids of a cell:
  // `branches` its program, `rule` the first forbid's rule, `chain` where its
  // rules start in chain_rules() (kNoChain for any other CondRef), and no code.
  static constexpr uint32_t kNoChain = UINT32_MAX;
  struct CondRef {
    uint32_t branches;
    uint32_t rule;
    const Step* code;
    uint32_t count;
    uint32_t word;
    uint64_t mask;
    uint64_t obligations;
    uint32_t role_bits;
    uint32_t roles_word;
    uint32_t except_word;
    uint32_t chain;
    uint64_t except_mask;
  };
  static_assert(sizeof(CondRef) == 64);
  // Everything the decision path reads of a cell, in one cache line.
  struct alignas(64) HotCell {
    RuleRolesRange forbids, grants;
    uint32_t forbid_all_rule = format::kNone;
    uint32_t conds = 0;         // the cell's conditional rules: cond_refs()[conds ...]
    uint32_t cond_forbids = 0;  // the first cond_forbids of them are forbids,
    uint32_t cond_grants = 0;   // then cond_grants grants
  };
  static_assert(sizeof(HotCell) == 64);
  const HotCell& hot_cell(uint32_t action, uint32_t type) const {
    return hot_cells_[static_cast<size_t>(action) * meta_.resource_count + type];
  }
  const HotCell& hot_cell(uint32_t cell) const { return hot_cells_[cell]; }  // action * resource_count() + type
  // The records of a range that is not kSearched.
  std::span<const RuleRoles> rule_roles(const RuleRolesRange& r) const { return {rule_roles_.data() + r.first, r.count}; }
  // cond_refs()[k] is the conditional rule cond_rules()[k]; after them come the
  // CondRefs of cells whose forbids run as chains (HotCell::conds says where a
  // cell's start).
  const CondRef* cond_refs() const { return cond_refs_.data(); }
  // The rules of the forbid chains, each chain's in order.
  const uint32_t* chain_rules() const { return chain_rules_.data(); }
  // The nodes of every branching program; a program's root is an index here.
  const Branch* branches() const { return branches_.data(); }

  // ---- single-role plans (role_plans.cc) ----
  // A principal holding one role (the usual request) meets, in a cell, a fixed
  // set of the cell's rules: the unconditional forbids and grants its role
  // implies, and the conditional rules whose roles it holds and whose role
  // exceptions it does not. A plan is that whole cell for that role as one
  // branching program: the conditional forbids in rule order, then the
  // conditional grants, each result leading to the next rule that can still
  // change the decision, ending in an Outcome. The evaluator then runs only
  // condition leaves: no role tests, no rule loop. In a cell of role rules only,
  // a plan is its Outcome, with no node to run.
  //
  // Roles that imply none of the roles a cell's rules name share the cell's
  // plan for everyone else; the rest have a plan of their own where theirs
  // differs. A cell past the plans' limits has none (kNoPlan): the evaluator
  // takes the general path. Where there are few enough (cell, role) pairs
  // (kMaxDensePlans), every pair's plan is kept in one array; in a larger table
  // the pairs with a plan of their own are hashed.
  static constexpr uint32_t kNoPlan = UINT32_MAX;
  struct Outcome {
    // rules_decision() of the fields below: the decision of a request without
    // custom roles, built on load, so that evaluate() copies it. First: a
    // walk's last node returns the outcome's own address, with no offset to add.
    Decision decision;
    uint64_t obligations;  // of the grants that applied: 0 if an unconditional one did, all ones if none did
    uint32_t forbid;       // the deciding forbid, or kNone
    uint32_t grant;        // the lowest applicable grant, or kNone
    uint32_t errors;       // the conditions that erred on the way (Decision::condition_errors)
    // Whether a custom role could change that decision: no forbid applies, and
    // custom_roles_may_change().
    bool open_to_custom;
    // The bit of a custom role's usual row (CustomRoles::usual_row()) that
    // says it allows outright the cell whose plan this outcome ends (a plan's
    // outcomes are its own): past the row's words() words of usable-by bits,
    // words() * 64 + cell. Below 2^32: a table has at most 4,096 roles
    // (format::kMaxRoles) and, in at most 256 MiB, fewer than 2^23 cells.
    uint32_t custom_bit;
    // The decision when a custom role allows: custom_role_decision() of the
    // above, built on load like `decision` (only read when open_to_custom).
    Decision custom_allowed;
  };
  static_assert(sizeof(Outcome) == 80, "5 x 16: found by an index times 5, shifted");
  // The plan of a principal holding only `role` in cell `cell` (action *
  // resource_count() + type), or kNoPlan: one read of the dense index; in a
  // larger table, a probe of the hashed (cell, role) pairs that have a plan of
  // their own, else the cell's plan for everyone else. Either way the cost does
  // not grow with the table.
  static constexpr size_t kMaxDensePlans = size_t{1} << 16;  // 256 KiB
  uint32_t plan(uint32_t cell, uint32_t role) const {
    return has_dense_plans() ? dense_plan(cell, role) : hashed_plan(cell, role);
  }
  // plan() of a table that keeps every pair's plan in one array, and of one
  // that hashes them (evaluate() takes the second out of line). dense_plan()
  // may be asked of any table: one without the array has a row of kNoPlan
  // for every role, which every cell reads (its stride is 0), so that
  // evaluate() reads the array without first asking which table it has.
  bool has_dense_plans() const { return dense_stride_ != 0; }
  uint32_t dense_plan(size_t cell, uint32_t role) const { return dense_plans_[cell * dense_stride_ + role]; }
  uint32_t hashed_plan(uint32_t cell, uint32_t role) const {
    if (others_.empty()) return kNoPlan;
    const uint64_t key = plan_key(cell, role);
    // Ends: at most half of the slots are taken.
    for (size_t h = plan_hash(key);; h = (h + 1) & (plan_slots_.size() - 1)) {
      const PlanSlot& slot = plan_slots_[h];
      if (slot.key == key) return slot.root;
      if (slot.key == kNoPlanKey) return others_[cell];
    }
  }
  // A plan's result, where the walk of its program ends (eval.cc's plan_next()):
  // kChainResult + the outcome's index.
  const Outcome& outcome(uint32_t result) const { return outcomes_[result - kChainResult]; }
  // The tests of the plans' express entries (Branch::express).
  std::span<const ExpressTest> express_tests() const { return express_tests_; }
  // The tests of the plans' scope entries (Branch::express).
  std::span<const ScopeTest> scope_tests() const { return scope_tests_; }
  // The branching program of catalog_entries()[entry]'s condition (or kNoBranches).
  uint32_t catalog_entry_branches(uint32_t entry) const { return catalog_branches_[entry]; }
  // The catalog entries of one cell (action * resource_count() + resource type):
  // for each catalog with entries for it, their range in catalog_entries().
  struct CatalogRun {
    uint32_t catalog;
    uint32_t entry_first, entry_count;
  };
  std::span<const CatalogRun> catalog_runs(uint32_t cell) const {
    const uint32_t first = catalog_runs_first_[cell];
    return {catalog_runs_.data() + first, catalog_runs_first_[cell + 1] - first};
  }
  // Condition programs decoded for the evaluator: steps()[k] is code()[k] (steps.h).
  std::span<const Step> steps() const { return steps_; }

 private:
  Table() = default;
  const format::Header& header() const { return *reinterpret_cast<const format::Header*>(bytes_.data()); }
  std::optional<LoadError> verify();
  void index_cells();  // implied_, hot_cells_, rule_roles_, cond_refs_, branches_ (after steps_)
  void chain_forbids(BranchCompiler& compiler);  // the forbid chains of hot_cells_ (index_cells())
  // Where one program's nodes are in branches_: [first, end), all of them its
  // own (BranchCompiler emits a program's nodes together).
  struct NodeRange {
    uint32_t first = 0, end = 0;
  };
  // others_, dense_plans_ or plan_slots_, outcomes_ (role_plans.cc), from the
  // conditional rules' programs: rule_nodes[k] holds cond_refs_[k].branches.
  void plan_single_roles(const std::vector<NodeRange>& rule_nodes);
  // The hashed plans: (cell, role) as one key, open addressing, linear probing.
  static constexpr uint64_t kNoPlanKey = UINT64_MAX;  // an empty slot (no cell is UINT32_MAX)
  struct PlanSlot {
    uint64_t key = kNoPlanKey;
    uint32_t root = kNoPlan;
  };
  static uint64_t plan_key(uint32_t cell, uint32_t role) { return uint64_t{cell} << 32 | role; }
  size_t plan_hash(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> plan_shift_); }

  std::vector<uint64_t> aligned_;  // the bytes, 8-aligned so records are read in place
  std::span<const std::byte> bytes_;
  mutable std::mutex obligation_text_mutex_;
  mutable std::vector<std::string> obligation_texts_;
  format::Meta meta_{};
  std::span<const uint32_t> string_index_;  // pairs (offset, length)
  std::span<const char> string_data_;
  std::span<const format::Role> roles_;
  std::span<const format::Name> actions_;
  std::span<const format::Name> resources_;
  std::span<const format::Attr> attrs_;
  std::span<const format::Enum> enums_;
  std::span<const uint32_t> enum_values_;
  std::span<const format::Cell> cells_;
  std::span<const uint64_t> bitsets_;
  std::span<const format::RoleRule> role_rules_;
  std::span<const format::CondRule> cond_rules_;
  std::span<const format::Instr> code_;
  std::span<const int64_t> pool_;
  std::span<const format::Rule> rules_;
  std::span<const format::Obligation> obligations_;
  std::span<const format::Catalog> catalogs_;
  std::span<const format::CatalogEntry> catalog_entries_;
  std::span<const format::DebugRule> debug_rules_;
  std::span<const uint32_t> debug_instrs_;
  // Derived on load from the verified bytes (the evaluator's indexes).
  std::vector<ImpliedRoles> implied_;   // per role
  uint64_t attr_counts_ = 0;  // attr_counts()
  uint64_t cell_counts_ = 0;  // cell_counts()
  std::vector<HotCell> hot_cells_;      // per cell
  std::vector<RuleRoles> rule_roles_;   // the ranges of hot_cells_
  std::vector<CondRef> cond_refs_;      // per conditional rule, in cond_rules_ order; then chained cells'
  std::vector<uint32_t> chain_rules_;   // CondRef::chain indexes here
  std::vector<uint32_t> catalog_branches_;  // per catalog entry
  std::vector<CatalogRun> catalog_runs_;    // by cell
  std::vector<uint32_t> catalog_runs_first_;  // per cell and one more: where its runs start
  std::vector<Branch> branches_;        // the nodes of the conditions' branching programs
  std::vector<uint32_t> others_;        // per cell, its plan for everyone else (hashed plans only); or empty
  std::vector<uint32_t> dense_plans_;   // per (cell, role), cell-major; or one row of kNoPlan
  size_t dense_stride_ = 0;             // the roles of a row of dense_plans_; 0 if it is one row for every cell
  std::vector<PlanSlot> plan_slots_;    // a power of two of them, at most half taken; or empty (dense)
  uint32_t plan_shift_ = 63;            // 64 - log2(plan_slots_.size())
  std::vector<Outcome> outcomes_;
  std::vector<ExpressTest> express_tests_;  // of the plans' express entries
  std::vector<ScopeTest> scope_tests_;      // of the plans' scope entries
  std::vector<Step> steps_;             // per instruction of code_
};

}  // namespace edict::runtime
