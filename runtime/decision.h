// runtime/decision.h: what the evaluator answers.
#pragma once

#include <cstdint>

#include "runtime/request.h"

namespace edict::runtime {

enum class Effect : uint8_t { kDeny = 0, kAllow = 1 };

// Why the effect is what it is.
enum class Reason : uint8_t {
  kGranted = 0,       // a grant applied and no forbid did
  kNoGrant,           // default deny: no grant applied
  kForbidden,         // a forbid applied (or could not be evaluated: fail closed)
  kTenantMismatch,    // principal and resource belong to different tenants
  kBadRequest,        // the request named something the table does not have
};
const char* to_string(Reason r);

inline constexpr uint32_t kNoRule = UINT32_MAX;

struct Decision {
  Effect effect = Effect::kDeny;
  Reason reason = Reason::kNoGrant;
  uint32_t rule = kNoRule;        // the deciding rule: the forbid that denied, or a grant that allowed
  uint64_t obligations = 0;       // bit i: obligation instance i of the table applies (allow only)
  uint32_t condition_errors = 0;  // conditions that could not be evaluated (missing data)
  RequestError request_error = RequestError::kNone;
  bool custom_role = false;       // the allow came from a custom role, not a policy rule

  bool allowed() const { return effect == Effect::kAllow; }
};

// Whether a custom role could change the decision of a request whose rules
// found no forbid: when no grant applies (a custom role may allow), or the one
// that does carries obligations (a custom role's allow lifts them).
inline bool custom_roles_may_change(uint32_t grant, uint64_t obligations) {
  return grant == kNoRule || obligations != 0;
}

// The decision once a request's rules are settled, custom roles aside: the
// deciding forbid if one applies, else the lowest applicable grant with its
// obligations, else the default deny (kNoRule: none). eval.cc builds every
// rule-decided Decision with it, and the plans' outcomes (Table::Outcome) hold
// theirs ready.
inline Decision rules_decision(uint32_t forbid, uint32_t grant, uint64_t obligations, uint32_t errors) {
  if (forbid != kNoRule) {
    return {.effect = Effect::kDeny, .reason = Reason::kForbidden, .rule = forbid, .condition_errors = errors};
  }
  if (grant == kNoRule) return {.reason = Reason::kNoGrant, .condition_errors = errors};
  return {.effect = Effect::kAllow,
          .reason = Reason::kGranted,
          .rule = grant,
          .obligations = obligations,
          .condition_errors = errors};
}

// The decision when a custom role allows a request that no forbid denies:
// allowed as the lowest applicable grant `grant` would, without its obligations
// (the custom role's allow lifts them), or by the custom role alone where no
// grant applies. The plans' outcomes (Table::Outcome) hold theirs ready.
inline Decision custom_role_decision(uint32_t grant, uint32_t errors) {
  if (grant == kNoRule) {
    return {.effect = Effect::kAllow, .reason = Reason::kGranted, .condition_errors = errors, .custom_role = true};
  }
  return rules_decision(kNoRule, grant, 0, errors);
}

}  // namespace edict::runtime
