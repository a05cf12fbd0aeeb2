// tests/testing/general_path.h: a request decided on evaluate()'s general path.
//
// evaluate() decides a request holding one role by its cell's single-role plan
// (runtime::Table::plan) when the cell has one; the same role given twice is
// decided on the general path (the role tests, then the cell's rules in order).
// Tests compare the two, which must agree in every field.
#pragma once

#include <cstdint>

#include "runtime/custom_roles.h"
#include "runtime/eval.h"

namespace edict::testing {

// evaluate() of `r` on the general path: `r` itself unless it holds one role.
inline runtime::Decision evaluate_general_path(const runtime::Table& t, const runtime::Request& r,
                                               const runtime::CustomRoles* custom = nullptr) {
  if (r.roles.size() != 1) return runtime::evaluate(t, r, custom);
  runtime::Request twice = r;
  const uint32_t both[2] = {r.roles[0], r.roles[0]};
  twice.roles = both;
  return runtime::evaluate(t, twice, custom);
}

// Two decisions of the runtime alike in every field.
inline bool identical(const runtime::Decision& a, const runtime::Decision& b) {
  return a.effect == b.effect && a.reason == b.reason && a.rule == b.rule && a.obligations == b.obligations &&
         a.condition_errors == b.condition_errors && a.request_error == b.request_error &&
         a.custom_role == b.custom_role;
}

}  // namespace edict::testing
