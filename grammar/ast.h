// grammar/ast.h: the Edict syntax tree, as written, with a byte span on every node.
//
// The parser builds it; the resolver and type checker read it and never change it.
// Names are kept as written (resolution lives in compiler/), so the tree can be
// dumped, formatted and diffed faithfully. Expressions are one node type with
// children: every walk over them is bounded by kMaxExprDepth, which the parser
// enforces, so no later pass can overflow the stack on hostile input.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "grammar/source.h"

namespace edict::ast {

// Deepest nesting of parentheses and `!` the parser accepts. Later passes recurse
// over expressions, so this bounds their stack use too.
inline constexpr uint32_t kMaxExprDepth = 256;

struct Name {
  std::string text;
  Span span;
};

// ---- types -------------------------------------------------------------------
struct TypeExpr {
  enum class Kind : uint8_t { kBool, kInt, kString, kNamed, kSet };
  Kind kind = Kind::kNamed;
  Name name;                          // kNamed: an enum, entity type, `Role` or `Tenant`
  std::unique_ptr<TypeExpr> element;  // kSet
  bool optional = false;              // written `T?`
  Span span;
};

struct AttrDecl {
  Name name;
  TypeExpr type;
  Span span;
};

// ---- expressions -------------------------------------------------------------
enum class ExprKind : uint8_t {
  kBool,     // true / false                     bool_value
  kInt,      // 42                               int_value
  kString,   // "text"                           text (unescaped)
  kName,     // admin, active                    name   (resolved by the checker)
  kQualified,// Status.active                    qualifier, name
  kPath,     // principal.groups                 root, name (empty for the bare root)
  kSetLit,   // [a, b]                           children
  kNot,      // !e                               children[0]
  kAnd,      // a && b && c                      children (2 or more)
  kOr,       // a || b                           children (2 or more)
  kCompare,  // a == b, a < b, ...               op, children[0..1]
  kIn,       // a in b                           children[0..1]
  kHas,      // resource has group               children[0], name
  kIs,       // principal is admin               children[0], name
};

enum class Root : uint8_t { kPrincipal, kResource, kContext };
enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr {
  ExprKind kind = ExprKind::kBool;
  Span span;
  bool bool_value = false;
  int64_t int_value = 0;
  std::string text;
  Root root = Root::kPrincipal;
  CmpOp op = CmpOp::kEq;
  Name qualifier;
  Name name;
  bool parenthesized = false;  // written inside `( )`: kept for dumps and the formatter
  std::vector<std::unique_ptr<Expr>> children;
};
using ExprPtr = std::unique_ptr<Expr>;

// ---- declarations ------------------------------------------------------------
// `*` or a list of names.
struct Target {
  bool wildcard = false;
  std::vector<Name> names;
  Span span;
};

struct IncludeDecl { std::string path; Span path_span; Span span; };
struct EnumDecl { Name name; std::vector<Name> values; Span span; };
struct EntityDecl { std::vector<Name> names; std::vector<AttrDecl> attrs; Span span; };
struct ResourceDecl {
  std::vector<Name> names;
  std::vector<AttrDecl> attrs;
  Target actions;  // what these resource types support
  Span span;
};
struct CategoryDecl { Name name; std::vector<Name> members; Span span; };
// `action a, b;` declares atomic actions; `action g = a | b;` declares a group.
struct ActionDecl {
  std::vector<Name> names;
  bool is_group = false;
  std::vector<Name> members;
  Span span;
};
struct RoleDecl {
  std::vector<Name> names;
  std::vector<Name> parents;  // `extends`
  bool superadmin = false;
  Span span;
};
struct RankDecl { std::vector<Name> ladder; Span span; };  // lowest first
struct ContextDecl { std::vector<AttrDecl> attrs; Span span; };
struct ObligationDecl { Name name; std::vector<Name> params; Span span; };

struct ObligationUse { Name name; std::vector<Name> args; Span span; };

enum class Effect : uint8_t { kGrant, kForbid };

struct RuleDecl {
  Effect effect = Effect::kGrant;
  std::optional<Name> label;
  Span keyword_span;        // `grant` / `forbid`
  std::vector<Name> roles;  // empty on a forbid: every principal
  Target actions;
  Target resources;
  ExprPtr when;             // may be null
  ExprPtr unless;           // may be null
  std::vector<ObligationUse> obligations;
  Span span;
};

struct CatalogEntry {
  Target actions;
  Target resources;
  ExprPtr when;
  Span span;
};
struct CatalogDecl {
  Name name;
  std::vector<Name> holders;  // `for` roles
  std::vector<CatalogEntry> entries;
  Span span;
};

using Decl = std::variant<IncludeDecl, EnumDecl, EntityDecl, ResourceDecl, CategoryDecl,
                          ActionDecl, RoleDecl, RankDecl, ContextDecl, ObligationDecl,
                          RuleDecl, CatalogDecl>;

struct File {
  FileId file = 0;
  std::vector<Decl> decls;
};

// A stable, indented text form of the tree for golden tests and `edict parse`.
std::string dump(const File& file);
std::string dump(const Expr& expr);
const char* to_string(CmpOp op);
const char* to_string(Root root);

}  // namespace edict::ast
