// grammar/ast.cc: the AST's text dump, used by golden tests and `edict parse`.
// One line per node, children indented by two spaces; names appear as written.
#include "grammar/ast.h"

#include <fmt/format.h>

namespace edict::ast {
namespace {

std::string join_names(const std::vector<Name>& names) {
  std::string out;
  for (const Name& n : names) {
    if (!out.empty()) out += ", ";
    out += n.text;
  }
  return out;
}

std::string target_text(const Target& t) { return t.wildcard ? "*" : join_names(t.names); }

std::string type_text(const TypeExpr& t) {
  std::string s;
  switch (t.kind) {
    case TypeExpr::Kind::kBool: s = "bool"; break;
    case TypeExpr::Kind::kInt: s = "int"; break;
    case TypeExpr::Kind::kString: s = "string"; break;
    case TypeExpr::Kind::kNamed: s = t.name.text; break;
    case TypeExpr::Kind::kSet: s = "set<" + (t.element ? type_text(*t.element) : "?") + ">"; break;
  }
  return t.optional ? s + "?" : s;
}

const char* kind_name(ExprKind k) {
  switch (k) {
    case ExprKind::kBool: return "bool";
    case ExprKind::kInt: return "int";
    case ExprKind::kString: return "string";
    case ExprKind::kName: return "name";
    case ExprKind::kQualified: return "qualified";
    case ExprKind::kPath: return "path";
    case ExprKind::kSetLit: return "set";
    case ExprKind::kNot: return "not";
    case ExprKind::kAnd: return "and";
    case ExprKind::kOr: return "or";
    case ExprKind::kCompare: return "compare";
    case ExprKind::kIn: return "in";
    case ExprKind::kHas: return "has";
    case ExprKind::kIs: return "is";
  }
  return "?";
}

// Iterative pre-order walk with an explicit stack: dumps must not recurse on
// input depth (the parser bounds it, but dump is also a debugging tool).
void dump_expr(const Expr& root, int indent, std::string& out) {
  std::vector<std::pair<const Expr*, int>> stack{{&root, indent}};
  while (!stack.empty()) {
    auto [e, depth] = stack.back();
    stack.pop_back();
    out.append(static_cast<size_t>(depth) * 2, ' ');
    out += kind_name(e->kind);
    switch (e->kind) {
      case ExprKind::kBool: out += e->bool_value ? " true" : " false"; break;
      case ExprKind::kInt: out += fmt::format(" {}", e->int_value); break;
      case ExprKind::kString: out += fmt::format(" \"{}\"", e->text); break;
      case ExprKind::kName: out += " " + e->name.text; break;
      case ExprKind::kQualified: out += " " + e->qualifier.text + "." + e->name.text; break;
      case ExprKind::kPath:
        out += std::string(" ") + to_string(e->root) + (e->name.text.empty() ? "" : "." + e->name.text);
        break;
      case ExprKind::kCompare: out += std::string(" ") + to_string(e->op); break;
      case ExprKind::kHas:
      case ExprKind::kIs: out += " " + e->name.text; break;
      default: break;
    }
    if (e->parenthesized) out += " (parenthesized)";
    out += '\n';
    for (auto it = e->children.rbegin(); it != e->children.rend(); ++it) {
      stack.emplace_back(it->get(), depth + 1);
    }
  }
}

void dump_attrs(const std::vector<AttrDecl>& attrs, std::string& out) {
  for (const AttrDecl& a : attrs) out += fmt::format("  attr {}: {}\n", a.name.text, type_text(a.type));
}

struct Dumper {
  std::string& out;
  void operator()(const IncludeDecl& d) { out += fmt::format("include \"{}\"\n", d.path); }
  void operator()(const EnumDecl& d) { out += fmt::format("enum {} {{ {} }}\n", d.name.text, join_names(d.values)); }
  void operator()(const EntityDecl& d) {
    out += fmt::format("entity {}\n", join_names(d.names));
    dump_attrs(d.attrs, out);
  }
  void operator()(const ResourceDecl& d) {
    out += fmt::format("resource {} actions {}\n", join_names(d.names), target_text(d.actions));
    dump_attrs(d.attrs, out);
  }
  void operator()(const CategoryDecl& d) {
    out += fmt::format("category {} = {}\n", d.name.text, join_names(d.members));
  }
  void operator()(const ActionDecl& d) {
    out += fmt::format("action {}{}\n", join_names(d.names),
                       d.is_group ? " = " + join_names(d.members) : "");
  }
  void operator()(const RoleDecl& d) {
    out += fmt::format("{}role {}{}\n", d.superadmin ? "superadmin " : "", join_names(d.names),
                       d.parents.empty() ? "" : " extends " + join_names(d.parents));
  }
  void operator()(const RankDecl& d) { out += fmt::format("rank {}\n", join_names(d.ladder)); }
  void operator()(const ContextDecl& d) {
    out += "context\n";
    dump_attrs(d.attrs, out);
  }
  void operator()(const ObligationDecl& d) {
    out += fmt::format("obligation {}({})\n", d.name.text, join_names(d.params));
  }
  void operator()(const RuleDecl& d) {
    out += fmt::format("{}{} [{}] {} on {}\n", d.label ? d.label->text + ": " : "",
                       d.effect == Effect::kGrant ? "grant" : "forbid", join_names(d.roles),
                       target_text(d.actions), target_text(d.resources));
    if (d.when) {
      out += "  when\n";
      dump_expr(*d.when, 2, out);
    }
    if (d.unless) {
      out += "  unless\n";
      dump_expr(*d.unless, 2, out);
    }
    for (const ObligationUse& o : d.obligations) {
      out += fmt::format("  with {}({})\n", o.name.text, join_names(o.args));
    }
  }
  void operator()(const CatalogDecl& d) {
    out += fmt::format("catalog {} for {}\n", d.name.text, join_names(d.holders));
    for (const CatalogEntry& e : d.entries) {
      out += fmt::format("  grantable {} on {}\n", target_text(e.actions), target_text(e.resources));
      if (e.when) dump_expr(*e.when, 2, out);
    }
  }
};

}  // namespace

const char* to_string(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "==";
    case CmpOp::kNe: return "!=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
  }
  return "?";
}

const char* to_string(Root root) {
  switch (root) {
    case Root::kPrincipal: return "principal";
    case Root::kResource: return "resource";
    case Root::kContext: return "context";
  }
  return "?";
}

std::string dump(const File& file) {
  std::string out;
  for (const Decl& d : file.decls) std::visit(Dumper{out}, d);
  return out;
}

std::string dump(const Expr& expr) {
  std::string out;
  dump_expr(expr, 0, out);
  return out;
}

}  // namespace edict::ast
