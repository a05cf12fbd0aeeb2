// runtime/custom_roles.h: tenants' custom roles and role templates, as data.
//
// A custom role is a set of (action, resource type) permissions drawn from one
// catalog of the policy. add() checks it against that catalog (every permission
// must be listed there: the catalog is the ceiling) and rejects it otherwise, with
// a message naming the first permission that exceeds it. No recompilation: the
// evaluator tests a custom role's permission bitset for the request's cell, the
// catalog's holder roles, and the catalog entry's condition, if any. Forbids of
// the policy apply to custom-role grants like to any other.
//
// Templates are the same thing under another name: a user referencing a template
// gets its current permissions at the next evaluation; the store swaps the set.
// A CustomRoles is built once and then immutable; share it between threads freely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/table.h"
#include "support/result.h"

namespace edict::runtime {

struct CustomRoleSpec {
  std::string name;
  std::string catalog;
  std::vector<std::pair<std::string, std::string>> permissions;  // (action, resource type)
};

class CustomRoles {
 public:
  explicit CustomRoles(std::shared_ptr<const Table> table);

  // Checks `spec` against its catalog; on success returns the new role's index
  // (what Request::custom_roles holds), else a message saying what exceeds it.
  Result<uint32_t, std::string> add(const CustomRoleSpec& spec);

  size_t size() const { return count_; }
  const std::string& name(uint32_t index) const { return roles_[index].name; }
  std::optional<uint32_t> find(std::string_view name) const;
  const Table& table() const { return *table_; }

  // For the evaluator.
  struct Role {
    std::string name;
    uint32_t catalog;
    // The catalog's holder roles (a bitset in the table): only a principal
    // holding one of them may use the role.
    const uint64_t* holders;
    std::vector<uint64_t> cells;  // bit (action * resource_count + type): granted
  };
  const Role& role(uint32_t index) const { return roles_[index]; }
  // Whether role `index` allows cell `cell` outright: the role grants it and
  // its catalog's first entry for it has no condition (a program that is
  // constant true), so no entry is run. Implies that the role grants the cell.
  bool always(uint32_t index, uint32_t cell) const {
    return ((usual_[size_t{index} * usual_stride_ + role_words_ + cell / 64] >> (cell % 64)) & 1u) != 0;
  }
  // The usual custom-role decision, for a principal holding only table role
  // `role`: whether the custom role may be used by them (usable_by()), and
  // allows the request's cell outright (allows_outright(), always()). Per
  // role, its usable-by bitset (bit R: a principal holding R, and so the
  // roles R implies, holds one of `holders`; computed on add(), so that the
  // usual request tests one bit for it, however many words the table's roles
  // take) and then its always bitset are one row of an array, found from the
  // index by one multiply, where through a role's record the test would read
  // the record, then the bitsets' addresses, then the words. The evaluator
  // finds the row and tests the role where it checks the request, and the
  // cell where a plan's walk ends, by the cell's bit in the row,
  // Table::Outcome::custom_bit (past the table's role words, the cell).
  const uint64_t* usual_row(uint32_t index) const { return usual_.data() + size_t{index} * usual_stride_; }
  static bool usable_by(const uint64_t* row, uint32_t role) { return ((row[role / 64] >> (role % 64)) & 1u) != 0; }
  static bool allows_outright(const uint64_t* row, uint32_t bit) { return ((row[bit / 64] >> (bit % 64)) & 1u) != 0; }

 private:
  std::shared_ptr<const Table> table_;
  std::vector<Role> roles_;
  // Per role: its usable-by bitset (role_words_, the table's words()), then
  // its always bitset (cell_words_).
  std::vector<uint64_t> usual_;
  size_t role_words_ = 0, cell_words_ = 0, usual_stride_ = 0;
  // roles_.size(), kept: the evaluator checks every custom role index of a
  // request against it, and a vector's size divides by sizeof(Role).
  size_t count_ = 0;
};

}  // namespace edict::runtime
