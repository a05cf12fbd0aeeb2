// compiler/policy.h: a checked policy: every name resolved to a dense index.
//
// Produced by check() (compiler/check.h) only when the policy has no errors, so
// everything here is consistent: indices are in range, role ancestry is acyclic,
// every (action, resource type) pair of a rule is supported. Rule conditions stay
// as pointers into the AST of the Workspace the policy was checked from, which
// must outlive it; the lowering pass (compiler/lower) reads them with the
// resolution rules of typecheck.cc. Dense indices are what the decision table uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grammar/ast.h"
#include "grammar/source.h"

namespace edict::compiler {

// A value type. Sets have the element's kind and `set` true; nested sets and
// optional elements do not exist.
struct Type {
  enum class Kind : uint8_t { kError, kBool, kInt, kString, kEnum, kEntity, kRole, kTenant };
  Kind kind = Kind::kError;
  uint32_t id = 0;  // enum or entity index
  bool set = false;
  bool optional = false;

  Type element() const { return {kind, id, false, false}; }
  bool same_value_type(const Type& o) const {
    const bool has_id = kind == Kind::kEnum || kind == Kind::kEntity;
    return kind == o.kind && set == o.set && (!has_id || id == o.id);
  }
};

struct Attribute {
  std::string name;
  Type type;
  Span span;
};

struct EnumType {
  std::string name;
  std::vector<std::string> values;  // declaration order is the `<` order
  Span span;
};

struct EntityType {
  std::string name;
  std::vector<Attribute> attrs;
  Span span;
};

struct ResourceType {
  std::string name;
  std::vector<Attribute> attrs;
  std::vector<uint32_t> actions;  // supported atomic actions, ascending
  Span span;
};

struct Category {
  std::string name;
  std::vector<uint32_t> members;  // resource types
  Span span;
};

struct Action {
  std::string name;
  Span span;
};

struct ActionGroup {
  std::string name;
  std::vector<uint32_t> members;  // atomic actions, flattened
  Span span;
};

struct Role {
  std::string name;
  std::vector<uint32_t> parents;
  std::vector<uint32_t> ancestors;  // itself and everything it extends, ascending
  bool superadmin = false;
  std::optional<uint32_t> rank;     // position on the ladder, 0 = lowest
  Span span;
};

struct Obligation {
  std::string name;
  std::vector<std::string> params;
  Span span;
};

struct ObligationRef {
  uint32_t obligation = 0;
  std::vector<uint32_t> args;  // indices into Obligation::params
};

// A grant or forbid, expanded: it applies to every supported (action, resource)
// pair of its targets.
struct Rule {
  ast::Effect effect = ast::Effect::kGrant;
  std::string name;                // the label, or "file:line"
  std::vector<uint32_t> roles;     // empty on a forbid: every principal
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (action, resource type)
  const ast::Expr* when = nullptr;
  const ast::Expr* unless = nullptr;
  std::vector<ObligationRef> obligations;
  Span span;
};

struct CatalogEntry {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  const ast::Expr* when = nullptr;
  Span span;
};

struct Catalog {
  std::string name;
  std::vector<uint32_t> holders;  // roles that may hold custom roles of this catalog
  std::vector<CatalogEntry> entries;
  Span span;
};

struct Policy {
  std::vector<EnumType> enums;
  std::vector<EntityType> entities;  // includes `User`, the principal's type
  uint32_t user_entity = 0;
  std::vector<ResourceType> resources;
  std::vector<Category> categories;
  std::vector<Action> actions;
  std::vector<ActionGroup> action_groups;
  std::vector<Role> roles;
  std::optional<uint32_t> superadmin;
  std::vector<uint32_t> rank_ladder;  // lowest first
  std::vector<Attribute> context;
  std::vector<Obligation> obligations;
  std::vector<Rule> rules;
  std::vector<Catalog> catalogs;
};

}  // namespace edict::compiler
