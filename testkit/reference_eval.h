// testkit/reference_eval.h: test oracle; never link into the product.
//
// A deliberately simple tree-walking evaluator over a checked compiler::Policy
// and the AST conditions its rules point to. It shares no code with the
// lowering or the runtime's table and evaluator: the differential test
// (tests/differential_test.cc) compares the two on generated policies and
// requests, so any disagreement is a bug on one side.
//
// Ids are those the lowering assigns (compiler/lower.h):
//   role, action, resource type: index in Policy::roles / actions / resources;
//   enum value: index in declaration order;
//   principal slots: 0 tenant, 1 rank, then the User entity's attributes (2 + i);
//   resource slots: 0 tenant, then every distinct attribute name over all
//     resource types, in order of first appearance (types in Policy order,
//     attributes in declaration order);
//   context slots: Policy::context order;
//   obligation instances: Policy::obligations order, one per parameter (or one
//     for an obligation without parameters).
// Semantics are docs/language.md made exact; see reference_eval.cc for the one
// place each rule is written down.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/policy.h"
#include "runtime/decision.h"
#include "runtime/request.h"

namespace edict::testkit {

// The oracle's model of runtime::CustomRoles: a custom role is a catalog and a
// list of (action id, resource type id) permissions drawn from it.
struct ReferenceCustomRole {
  std::string name;
  uint32_t catalog = 0;  // index into Policy::catalogs
  std::vector<std::pair<uint32_t, uint32_t>> permissions;
};
struct ReferenceCustomRoles {
  std::vector<ReferenceCustomRole> roles;  // Request::custom_roles indexes this
};

// The attribute slot layout above, computed from a Policy.
struct ReferenceLayout {
  struct Slot {
    std::string name;
    compiler::Type type;  // for resource slots: the type at the first appearance
  };
  std::vector<Slot> principal;  // [0] tenant, [1] rank, then User's attributes
  std::vector<Slot> resource;   // [0] tenant, then distinct names
  std::vector<Slot> context;
  // Obligation instance of (obligation, parameter index); parameterless
  // obligations have their one instance at parameter index 0.
  std::vector<std::vector<uint32_t>> obligation_instance;
  std::vector<std::string> instance_text;  // "redact(pii)", "audit"

  explicit ReferenceLayout(const compiler::Policy& policy);
  std::optional<uint32_t> resource_slot(const std::string& name) const;
};

// The oracle, with the layout computed once (evaluate is then cheap enough to
// run millions of times).
class ReferenceEvaluator {
 public:
  explicit ReferenceEvaluator(const compiler::Policy& policy);
  runtime::Decision evaluate(const runtime::Request& request, const ReferenceCustomRoles* custom = nullptr) const;
  const ReferenceLayout& layout() const { return layout_; }
  const compiler::Policy& policy() const { return policy_; }
  // The bit mask of one grant's `with` obligations.
  uint64_t obligation_mask(const compiler::Rule& rule) const;

 private:
  const compiler::Policy& policy_;
  ReferenceLayout layout_;
};

runtime::Decision reference_evaluate(const compiler::Policy& policy, const runtime::Request& request,
                                     const ReferenceCustomRoles* custom = nullptr);

// Readable forms for failure messages, using the policy's names.
std::string describe_request(const compiler::Policy& policy, const runtime::Request& request,
                             const ReferenceCustomRoles* custom = nullptr);
std::string describe_decision(const compiler::Policy& policy, const runtime::Decision& decision);

}  // namespace edict::testkit
