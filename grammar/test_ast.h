// grammar/test_ast.h: the syntax tree of a policy test file (*.edict-test).
//
// A test file names the policy it tests, declares the world the cases run in
// (tenants, entities, users with their roles per tenant and attributes, custom
// roles) and lists cases: a request and the outcome expected. Names are kept as
// written, with spans; the test runner (testkit/) resolves them against the
// compiled policy and reports unknown ones as errors. `$var` names are filled in
// by `for` loops before resolution. docs/testing.md describes the language.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grammar/ast.h"

namespace edict::testfile {

using ast::Name;

// A value in attributes: a name (entity, enum value, role), an int, a string,
// a bool, or a list of values.
struct Value {
  enum class Kind : uint8_t { kName, kInt, kString, kBool, kList };
  Kind kind = Kind::kName;
  std::string text;  // kName (may start with '$'), kString, kInt as written
  int64_t int_value = 0;
  bool bool_value = false;
  std::vector<Value> items;
  Span span;
};

struct Attr {
  Name name;
  Value value;
};

struct Membership {
  Name tenant;
  std::vector<Name> roles;  // policy roles or custom roles of this file
};

struct UserDecl {
  Name name;
  std::vector<Membership> memberships;  // the first one is where the user acts by default
  std::vector<Attr> attrs;
  Span span;
};

struct CustomRoleDecl {
  Name name;
  Name catalog;
  std::vector<std::pair<Name, Name>> permissions;  // (action, resource type)
  Span span;
};

struct EntityDecl {
  Name type;
  std::vector<Name> names;
  Span span;
};

struct Obligation {
  Name name;
  std::optional<Name> arg;
};

struct Case {
  std::optional<std::string> label;
  bool allow = false;
  Name user;
  std::optional<Name> acting_tenant;   // user@tenant
  Name action;
  Name resource_type;
  std::optional<Name> resource_tenant;  // Type@tenant
  std::vector<Attr> resource_attrs;
  std::vector<Attr> context;
  bool has_with = false;
  std::vector<Obligation> obligations;
  std::optional<Name> by;                // expected deciding rule
  Span span;
};

// for $var in [a, b]: <case or nested for>
struct Loop {
  Name var;
  std::vector<Value> items;
};

struct CaseGroup {
  std::vector<Loop> loops;  // outermost first
  Case body;
};

struct File {
  FileId file = 0;
  std::optional<std::string> policy;  // `policy "path";`, relative to this file
  Span policy_span;
  std::vector<Name> tenants;
  std::vector<EntityDecl> entities;
  std::vector<UserDecl> users;
  std::vector<CustomRoleDecl> custom_roles;
  std::vector<CaseGroup> cases;
};

}  // namespace edict::testfile
