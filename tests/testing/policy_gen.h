// tests/testing/policy_gen.h: random policies and requests for differential tests.
//
// Test-only (edict_testing). Both generators are deterministic functions of
// their seed, with fixed defaults, so a failure reproduces from its seed alone:
//
//   PolicyGenerator   valid policy source over a small vocabulary: 2-4 roles
//                     with `extends`, a rank ladder, actions and a group,
//                     resource types with required and optional attributes of
//                     every kind, a category, context, obligations, an optional
//                     super-administrator, grants and forbids whose conditions
//                     use every operator (guarded with `has` where the checker
//                     requires it), `with` obligations and catalogs. Now and
//                     then a policy is large in one dimension (over 64 roles,
//                     over 32 obligation instances, 30-70 rules, deeper
//                     nesting). The rules are kept apart so a test can reorder
//                     them.
//   RequestGenerator  requests for any checked Policy: ids, roles, tenants and
//                     attribute values mostly well formed and drawn from small
//                     universes (so equality and membership hit often), and
//                     sometimes absent, of the wrong kind, or out of range.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/policy.h"
#include "runtime/request.h"
#include "testkit/reference_eval.h"

namespace edict::testing {

inline constexpr uint64_t kDefaultPolicySeed = 0xED1C7'0001;
inline constexpr uint64_t kDefaultRequestSeed = 0xED1C7'0002;

// splitmix64: small, fast, and the same on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  // True with probability percent/100.
  bool chance(uint32_t percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(static_cast<uint32_t>(v.size()))]; }

 private:
  uint64_t state_;
};

// ---- policies -----------------------------------------------------------------
struct PolicyGenOptions {
  uint32_t max_rules = 8;        // 1..max_rules rules
  uint32_t max_depth = 3;        // nesting of &&, ||, ! in a condition
  bool nested_bool_compare = true;   // `(a) == (b)` over conditions, now and then
  uint32_t big_percent = 8;      // policies large in one dimension: roles (> 64), obligation
                                 // instances (up to 63), rules (30-70), nesting (7)
};

struct GeneratedPolicy {
  uint64_t seed = 0;
  std::string prelude;             // declarations
  std::vector<std::string> rules;  // one grant or forbid each, with its `;`
  std::string postlude;            // catalogs

  std::string source() const;
  // The same policy with its rules in another order (a permutation of indices).
  std::string source(const std::vector<size_t>& rule_order) const;
};

class PolicyGenerator {
 public:
  explicit PolicyGenerator(uint64_t seed = kDefaultPolicySeed, PolicyGenOptions options = {});
  // The next policy; each is generated from its own seed (GeneratedPolicy::seed),
  // so generate(seed) reproduces it.
  GeneratedPolicy next();
  GeneratedPolicy generate(uint64_t seed) const;

 private:
  Rng seeds_;
  PolicyGenOptions options_;
};

// ---- requests ------------------------------------------------------------------
// A Request and the storage it points into. Neither copyable nor movable: the
// request's spans point at the members.
struct GeneratedRequest {
  GeneratedRequest() = default;
  GeneratedRequest(const GeneratedRequest&) = delete;
  GeneratedRequest& operator=(const GeneratedRequest&) = delete;

  runtime::Request request;
  std::vector<uint32_t> roles;
  std::vector<uint32_t> custom_roles;
  std::vector<runtime::Value> principal_attrs, resource_attrs, context_attrs;
  std::deque<std::vector<int64_t>> id_sets;
  std::deque<std::vector<std::string_view>> string_sets;
};

struct RequestGenOptions {
  uint32_t custom_role_count = 0;  // custom roles the request may name (indices 0..n-1)
  uint32_t out_of_range_percent = 1;  // ids past the end (actions, types, roles, enum values, ...)
  uint32_t absent_percent = 8;       // a required attribute left out (optional: 3x as often)
  uint32_t wrong_kind_percent = 3;   // a value of another kind than declared
};

class RequestGenerator {
 public:
  RequestGenerator(const compiler::Policy& policy, uint64_t seed = kDefaultRequestSeed, RequestGenOptions options = {});
  void next(GeneratedRequest& out);

 private:
  runtime::Value value(const compiler::Type& type, bool optional, GeneratedRequest& out);
  runtime::Value scalar(const compiler::Type& type);
  runtime::Value wrong_kind(const compiler::Type& type, GeneratedRequest& out);
  int64_t entity();
  void fill(std::vector<runtime::Value>& values, const std::vector<testkit::ReferenceLayout::Slot>& slots,
            const std::vector<bool>& optional, size_t first, GeneratedRequest& out);

  const compiler::Policy& policy_;
  testkit::ReferenceLayout layout_;
  Rng rng_;
  RequestGenOptions options_;
  std::vector<std::pair<uint32_t, uint32_t>> pairs_;  // (action, type) pairs some rule or catalog names
  std::vector<bool> principal_optional_, resource_optional_, context_optional_;
  std::deque<std::string> strings_;  // string literals of the policy's conditions, and a few more
  std::vector<std::string_view> string_pool_;
  std::vector<int64_t> int_pool_;    // int literals of the policy's conditions, +-1, and a few more
};

}  // namespace edict::testing
