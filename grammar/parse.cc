// grammar/parse.cc: PEGTL actions that build the AST, the error control, byte-level
// checks (UTF-8, NUL) and error recovery. The only translation unit that
// instantiates pegtl::parse.
//
// Actions build the tree bottom-up on the stacks of a ParseState: names, targets,
// types, attributes and expressions are pushed as their rules succeed and popped by
// the rule that encloses them. A rule's span runs from its first byte to the end
// of its last token; `last_token_end` (set by every `seps`) supplies that end, so
// spans never include trailing whitespace or comments.
#include "grammar/parse.h"

#include <cassert>
#include <charconv>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "grammar/errors.h"
#include "grammar/parse_support.h"
#include "grammar/rules.h"

namespace edict::grammar {
namespace {

using ast::ExprKind;
using ast::ExprPtr;

struct ParseState {
  const char* text = nullptr;  // start of the file's text: spans are offsets from here
  FileId file = 0;
  Diagnostics* diags = nullptr;
  std::vector<ast::Decl>* out = nullptr;

  uint32_t depth = 0;          // nesting of `(` and `!`, bounded by kMaxExprDepth
  uint32_t last_token_end = 0;
  uint32_t string_open = 0;    // offset of the latest `"`, for unterminated strings
  uint32_t comment_open = 0;   // offset of the latest `/*`
  std::vector<uint32_t> paren_opens;

  std::vector<ast::Name> names;
  std::vector<ast::Target> targets;
  bool wildcard = false;
  Span wildcard_span;
  std::vector<ast::TypeExpr> types;
  std::vector<ast::AttrDecl> attrs;
  std::vector<ExprPtr> exprs;
  std::vector<size_t> set_marks;
  std::vector<ast::CmpOp> ops;
  std::optional<ast::Root> root;
  bool path_attr = false;
  ExprPtr when, unless;
  std::vector<ast::ObligationUse> obligations;
  std::optional<ast::Target> args;
  std::vector<ast::CatalogEntry> entries;
  std::optional<ast::Name> label;
  std::vector<ast::Name> group_members;
  bool is_group = false;
  bool superadmin = false;
  Span keyword_span;
  std::string string_value;
  Span string_span;
  ast::Name decl_name;  // taken off the pending names before a target could swallow it

  // Clears everything but the output before each declaration: a declaration that
  // failed half-way must not leak its pieces into the next one.
  void reset() {
    ParseState fresh;
    fresh.text = text;
    fresh.file = file;
    fresh.diags = diags;
    fresh.out = out;
    *this = std::move(fresh);
  }

  uint32_t offset(const char* p) const { return static_cast<uint32_t>(p - text); }

  template <typename Input>
  Span span(const Input& in) const {
    const uint32_t b = offset(in.begin());
    uint32_t e = offset(in.end());
    if (last_token_end > b && last_token_end < e) e = last_token_end;
    return {file, b, e};
  }

  ast::Name pop_name() {
    assert(!names.empty() && "a rule's action popped a name it did not push");
    ast::Name n = std::move(names.back());
    names.pop_back();
    return n;
  }
  ExprPtr pop_expr() {
    ExprPtr e = std::move(exprs.back());
    exprs.pop_back();
    return e;
  }
  ast::Target pop_target() {
    ast::Target t = std::move(targets.back());
    targets.pop_back();
    return t;
  }

  // Moves every pending name (or the pending `*`) into a new target.
  template <typename Input>
  void push_target(const Input& in) {
    ast::Target t;
    t.span = span(in);
    if (wildcard) {
      t.wildcard = true;
      t.span = wildcard_span;
      wildcard = false;
    } else {
      t.names = std::move(names);
      names.clear();
    }
    targets.push_back(std::move(t));
  }
};

Span join(Span a, Span b) { return {a.file, a.begin, b.end > a.end ? b.end : a.end}; }

ExprPtr make_expr(ExprKind kind, Span span) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

// `a && b && c` is one node with three children; parentheses start a new node.
void push_nary(ParseState& s, ExprKind kind) {
  ExprPtr rhs = s.pop_expr();
  ExprPtr lhs = s.pop_expr();
  if (lhs->kind == kind && !lhs->parenthesized) {
    lhs->span = join(lhs->span, rhs->span);
    lhs->children.push_back(std::move(rhs));
    s.exprs.push_back(std::move(lhs));
    return;
  }
  ExprPtr e = make_expr(kind, join(lhs->span, rhs->span));
  e->children.push_back(std::move(lhs));
  e->children.push_back(std::move(rhs));
  s.exprs.push_back(std::move(e));
}

// ---- actions -----------------------------------------------------------------
template <typename Rule>
struct action : pg::nothing<Rule> {};

template <> struct action<seps> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.last_token_end = s.offset(in.begin());
  }
};
template <> struct action<string_open> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.string_open = s.offset(in.begin());
  }
};
template <> struct action<comment_open> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.comment_open = s.offset(in.begin());
  }
};
template <> struct action<string_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.string_value = unescape(in.string_view());
    s.string_span = {s.file, s.offset(in.begin()), s.offset(in.end())};
  }
};

// Names: every identifier and attribute word goes on the pending list.
template <typename In>
void push_word(const In& in, ParseState& s) {
  s.names.push_back({in.string(), {s.file, s.offset(in.begin()), s.offset(in.end())}});
}
template <> struct action<identifier> {
  template <typename In> static void apply(const In& in, ParseState& s) { push_word(in, s); }
};
template <> struct action<member_word> {
  template <typename In> static void apply(const In& in, ParseState& s) { push_word(in, s); }
};
template <> struct action<attr_ref> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_word(in, s);
    s.path_attr = true;
  }
};
template <> struct action<qualified_tail> {
  template <typename In> static void apply(const In& in, ParseState& s) { push_word(in, s); }
};
template <> struct action<wildcard> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.wildcard = true;
    s.wildcard_span = {s.file, s.offset(in.begin()), s.offset(in.begin()) + 1};
  }
};

// Targets: each use of `target` under its own name turns pending names into one.
template <typename In> void target_action(const In& in, ParseState& s) { s.push_target(in); }
#define EDICT_TARGET_ACTION(rule)                                                 \
  template <> struct action<rule> {                                               \
    template <typename In> static void apply(const In& in, ParseState& s) {       \
      target_action(in, s);                                                       \
    }                                                                             \
  };
EDICT_TARGET_ACTION(supported)
EDICT_TARGET_ACTION(grant_roles)
EDICT_TARGET_ACTION(grant_actions)
EDICT_TARGET_ACTION(forbid_first)
EDICT_TARGET_ACTION(forbid_second)
EDICT_TARGET_ACTION(rule_resources)
EDICT_TARGET_ACTION(catalog_actions)
EDICT_TARGET_ACTION(catalog_resources)
EDICT_TARGET_ACTION(holder_names)
EDICT_TARGET_ACTION(entity_names)
EDICT_TARGET_ACTION(resource_names)
EDICT_TARGET_ACTION(action_names)
EDICT_TARGET_ACTION(role_names)
EDICT_TARGET_ACTION(parent_names)
EDICT_TARGET_ACTION(param_names)
#undef EDICT_TARGET_ACTION

template <> struct action<arg_names> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.push_target(in);
    s.args = s.pop_target();
  }
};

// Types.
template <typename In>
void push_type(const In& in, ParseState& s, ast::TypeExpr::Kind kind) {
  ast::TypeExpr t;
  t.kind = kind;
  t.span = s.span(in);
  s.types.push_back(std::move(t));
}
template <> struct action<kw_bool> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_type(in, s, ast::TypeExpr::Kind::kBool);
  }
};
template <> struct action<kw_int> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_type(in, s, ast::TypeExpr::Kind::kInt);
  }
};
template <> struct action<kw_string> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_type(in, s, ast::TypeExpr::Kind::kString);
  }
};
template <> struct action<named_type> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_type(in, s, ast::TypeExpr::Kind::kNamed);
    s.types.back().name = s.pop_name();
  }
};
template <> struct action<set_type> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto element = std::make_unique<ast::TypeExpr>(std::move(s.types.back()));
    s.types.pop_back();
    push_type(in, s, ast::TypeExpr::Kind::kSet);
    s.types.back().element = std::move(element);
  }
};
template <> struct action<optional_mark> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.types.back().optional = true;
    s.types.back().span.end = s.offset(in.begin()) + 1;
  }
};
template <> struct action<attr_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::AttrDecl a;
    a.type = std::move(s.types.back());
    s.types.pop_back();
    a.name = s.pop_name();
    a.span = s.span(in);
    s.attrs.push_back(std::move(a));
  }
};

// Declarations.
template <> struct action<include_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.out->push_back(ast::IncludeDecl{s.string_value, s.string_span, s.span(in)});
  }
};
template <> struct action<enum_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::EnumDecl d;
    d.name = std::move(s.names.front());
    d.values.assign(std::make_move_iterator(s.names.begin() + 1),
                    std::make_move_iterator(s.names.end()));
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<entity_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::EntityDecl d;
    d.names = s.pop_target().names;
    d.attrs = std::move(s.attrs);
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<resource_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::ResourceDecl d;
    d.actions = s.pop_target();
    d.names = s.pop_target().names;
    d.attrs = std::move(s.attrs);
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<category_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::CategoryDecl d;
    d.name = std::move(s.names.front());
    d.members.assign(std::make_move_iterator(s.names.begin() + 1),
                     std::make_move_iterator(s.names.end()));
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<action_group> {
  template <typename In> static void apply(const In&, ParseState& s) {
    s.is_group = true;
    s.group_members = std::move(s.names);
    s.names.clear();
  }
};
template <> struct action<action_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::ActionDecl d;
    d.names = s.pop_target().names;
    d.is_group = s.is_group;
    d.members = std::move(s.group_members);
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<superadmin_mark> {
  template <typename In> static void apply(const In&, ParseState& s) { s.superadmin = true; }
};
template <> struct action<role_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::RoleDecl d;
    if (s.targets.size() == 2) d.parents = s.pop_target().names;
    d.names = s.pop_target().names;
    d.superadmin = s.superadmin;
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};
template <> struct action<rank_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.out->push_back(ast::RankDecl{std::move(s.names), s.span(in)});
  }
};
template <> struct action<context_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.out->push_back(ast::ContextDecl{std::move(s.attrs), s.span(in)});
  }
};
template <> struct action<obligation_name> {
  template <typename In> static void apply(const In&, ParseState& s) { s.decl_name = s.pop_name(); }
};
template <> struct action<catalog_name> {
  template <typename In> static void apply(const In&, ParseState& s) { s.decl_name = s.pop_name(); }
};
template <> struct action<obligation_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::ObligationDecl d;
    if (!s.targets.empty()) d.params = s.pop_target().names;
    d.name = std::move(s.decl_name);
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};

// Expressions.
template <> struct action<true_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto e = make_expr(ExprKind::kBool, s.span(in));
    e->bool_value = true;
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<false_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.exprs.push_back(make_expr(ExprKind::kBool, s.span(in)));
  }
};
template <> struct action<int_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto e = make_expr(ExprKind::kInt, s.span(in));
    const auto text = in.string_view();
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), e->int_value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      s.diags->error("E0007", e->span, "integer literal is out of range")
          .help = fmt::format("integers are 64-bit: at most {}", INT64_MAX);
    }
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<str_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto e = make_expr(ExprKind::kString, s.span(in));
    // str_lit is its own rule, so string_lit's action did not run for it.
    e->text = unescape(std::string_view(in.begin(), static_cast<size_t>(s.offset(in.end()) - s.offset(in.begin()))));
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<name_ref> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    const bool qualified = in.string_view().find('.') != std::string_view::npos;
    auto e = make_expr(qualified ? ExprKind::kQualified : ExprKind::kName,
                       {s.file, s.offset(in.begin()), s.offset(in.end())});
    e->name = s.pop_name();
    if (qualified) e->qualifier = s.pop_name();
    s.exprs.push_back(std::move(e));
  }
};
template <typename In>
void set_root(const In&, ParseState& s, ast::Root r) {
  s.root = r;
  s.path_attr = false;
}
template <> struct action<root_principal> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    set_root(in, s, ast::Root::kPrincipal);
  }
};
template <> struct action<root_resource> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    set_root(in, s, ast::Root::kResource);
  }
};
template <> struct action<root_context> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    set_root(in, s, ast::Root::kContext);
  }
};
template <> struct action<path> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto e = make_expr(ExprKind::kPath, s.span(in));
    e->root = *s.root;
    if (s.path_attr) e->name = s.pop_name();
    s.path_attr = false;
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<lbracket> {
  template <typename In> static void apply(const In&, ParseState& s) {
    s.set_marks.push_back(s.exprs.size());
  }
};
template <> struct action<set_lit> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    auto e = make_expr(ExprKind::kSetLit, s.span(in));
    const size_t mark = s.set_marks.back();
    s.set_marks.pop_back();
    for (size_t i = mark; i < s.exprs.size(); ++i) e->children.push_back(std::move(s.exprs[i]));
    s.exprs.resize(mark);
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<paren_open> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.paren_opens.push_back(s.offset(in.begin()));
  }
};
template <> struct action<paren_expr> {
  // The span takes the parentheses in, so that `(a || b) && c` spans from its `(`
  // (explanations and carets quote whole source text, never half a group).
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.paren_opens.pop_back();
    s.exprs.back()->parenthesized = true;
    s.exprs.back()->span = s.span(in);
  }
};
template <> struct action<cmp_op> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    const auto t = in.string_view();
    using ast::CmpOp;
    const CmpOp op = t.starts_with("==") ? CmpOp::kEq
                     : t.starts_with("!=") ? CmpOp::kNe
                     : t.starts_with("<=") ? CmpOp::kLe
                     : t.starts_with(">=") ? CmpOp::kGe
                     : t.starts_with("<")  ? CmpOp::kLt
                                           : CmpOp::kGt;
    s.ops.push_back(op);
  }
};
template <> struct action<compare_tail> {
  template <typename In> static void apply(const In&, ParseState& s) {
    ExprPtr rhs = s.pop_expr();
    ExprPtr lhs = s.pop_expr();
    auto e = make_expr(ExprKind::kCompare, join(lhs->span, rhs->span));
    e->op = s.ops.back();
    s.ops.pop_back();
    e->children.push_back(std::move(lhs));
    e->children.push_back(std::move(rhs));
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<in_tail> {
  template <typename In> static void apply(const In&, ParseState& s) {
    ExprPtr rhs = s.pop_expr();
    ExprPtr lhs = s.pop_expr();
    auto e = make_expr(ExprKind::kIn, join(lhs->span, rhs->span));
    e->children.push_back(std::move(lhs));
    e->children.push_back(std::move(rhs));
    s.exprs.push_back(std::move(e));
  }
};
template <typename In>
void push_named_test(ParseState& s, ExprKind kind) {
  ast::Name n = s.pop_name();
  ExprPtr lhs = s.pop_expr();
  auto e = make_expr(kind, join(lhs->span, n.span));
  e->name = std::move(n);
  e->children.push_back(std::move(lhs));
  s.exprs.push_back(std::move(e));
}
template <> struct action<has_tail> {
  template <typename In> static void apply(const In&, ParseState& s) {
    push_named_test<In>(s, ExprKind::kHas);
  }
};
template <> struct action<is_tail> {
  template <typename In> static void apply(const In&, ParseState& s) {
    push_named_test<In>(s, ExprKind::kIs);
  }
};
template <> struct action<negation> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ExprPtr operand = s.pop_expr();
    auto e = make_expr(ExprKind::kNot, join({s.file, s.offset(in.begin()), 0}, operand->span));
    e->children.push_back(std::move(operand));
    s.exprs.push_back(std::move(e));
  }
};
template <> struct action<and_rhs> {
  template <typename In> static void apply(const In&, ParseState& s) {
    push_nary(s, ExprKind::kAnd);
  }
};
template <> struct action<or_rhs> {
  template <typename In> static void apply(const In&, ParseState& s) {
    push_nary(s, ExprKind::kOr);
  }
};

// Rules.
template <> struct action<when_expr> {
  template <typename In> static void apply(const In&, ParseState& s) { s.when = s.pop_expr(); }
};
template <> struct action<unless_expr> {
  template <typename In> static void apply(const In&, ParseState& s) { s.unless = s.pop_expr(); }
};
template <> struct action<obligation_ref> {
  template <typename In> static void apply(const In&, ParseState& s) { s.decl_name = s.pop_name(); }
};
template <typename In>
void push_obligation(const In& in, ParseState& s) {
  ast::ObligationUse o;
  o.name = std::move(s.decl_name);
  if (s.args) o.args = std::move(s.args->names);
  s.args.reset();
  o.span = s.span(in);
  s.obligations.push_back(std::move(o));
}
template <> struct action<obligation_use> {
  template <typename In> static void apply(const In& in, ParseState& s) { push_obligation(in, s); }
};
template <> struct action<next_obligation> {
  template <typename In> static void apply(const In& in, ParseState& s) { push_obligation(in, s); }
};
template <> struct action<rule_label> {
  template <typename In> static void apply(const In&, ParseState& s) { s.label = s.pop_name(); }
};
template <> struct action<kw_grant> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.keyword_span = {s.file, s.offset(in.begin()), s.offset(in.end())};
  }
};
template <> struct action<kw_forbid> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    s.keyword_span = {s.file, s.offset(in.begin()), s.offset(in.end())};
  }
};
template <typename In>
void push_rule(const In& in, ParseState& s, ast::Effect effect) {
  ast::RuleDecl r;
  r.effect = effect;
  r.resources = s.pop_target();
  r.actions = s.pop_target();
  if (!s.targets.empty()) r.roles = s.pop_target().names;
  r.label = std::move(s.label);
  r.keyword_span = s.keyword_span;
  r.when = std::move(s.when);
  r.unless = std::move(s.unless);
  r.obligations = std::move(s.obligations);
  r.span = s.span(in);
  if (r.label) r.span.begin = r.label->span.begin;
  s.out->push_back(std::move(r));
}
template <> struct action<grant_rule> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_rule(in, s, ast::Effect::kGrant);
  }
};
template <> struct action<forbid_rule> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    push_rule(in, s, ast::Effect::kForbid);
  }
};
template <> struct action<catalog_entry> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::CatalogEntry e;
    e.resources = s.pop_target();
    e.actions = s.pop_target();
    e.when = std::move(s.when);
    e.span = s.span(in);
    s.entries.push_back(std::move(e));
  }
};
template <> struct action<catalog_decl> {
  template <typename In> static void apply(const In& in, ParseState& s) {
    ast::CatalogDecl d;
    d.holders = s.pop_target().names;
    d.name = std::move(s.decl_name);
    d.entries = std::move(s.entries);
    d.span = s.span(in);
    s.out->push_back(std::move(d));
  }
};

// ---- control: error messages plus the nesting bound ---------------------------
constexpr const char* kTooDeep = "expression is nested too deeply";

template <typename Rule>
struct control : pg::must_if<error>::control<Rule> {
  template <pg::apply_mode A, pg::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput>
  [[nodiscard]] static bool match(ParseInput& in, ParseState& s) {
    if constexpr (std::is_same_v<Rule, paren_expr> || std::is_same_v<Rule, negation>) {
      // Every later pass recurses over expressions: bounding the depth here bounds
      // them all (see ast::kMaxExprDepth).
      struct Guard {
        uint32_t& d;
        explicit Guard(uint32_t& depth) : d(++depth) {}
        ~Guard() { --d; }
      } guard(s.depth);
      if (s.depth > ast::kMaxExprDepth) throw pg::parse_error(kTooDeep, in);
      return pg::must_if<error>::control<Rule>::template match<A, M, Action, Control>(in, s);
    } else {
      return pg::must_if<error>::control<Rule>::template match<A, M, Action, Control>(in, s);
    }
  }
};

// ---- recovery and reporting ----------------------------------------------------
constexpr std::string_view kStarters[] = {
    "include", "enum",    "entity",     "resource", "category", "action", "role", "superadmin",
    "rank",    "context", "obligation", "catalog",  "grant",    "forbid", "test"};

void report(const pg::parse_error& e, size_t base, ParseState& s) {
  const auto at = static_cast<uint32_t>(base + e.positions().front().byte);
  const std::string_view message = e.message();
  Diagnostic& d = report_syntax_error(std::string(message), at, s.last_token_end, s.string_open, s.comment_open,
                                      s.file, *s.diags);
  if (message == kTooDeep) {
    d.code = "E0006";
    d.help = fmt::format("at most {} nested `(` or `!` are allowed", ast::kMaxExprDepth);
  }
  if (message == error_message<paren_close> && !s.paren_opens.empty()) {
    d.notes.push_back({{s.file, s.paren_opens.back(), s.paren_opens.back() + 1}, "to match this `(`"});
  }
}

}  // namespace

ast::File parse(const SourceMap& sources, FileId id, Diagnostics& diags) {
  const SourceFile& file = sources.file(id);
  const std::string_view text = file.text();
  ast::File result;
  result.file = id;

  if (!check_bytes(sources, id, diags)) return result;

  ParseState s;
  s.text = text.data();
  s.file = id;
  s.diags = &diags;
  s.out = &result.decls;

  size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a BOM is not an error
  const size_t errors_before = diags.error_count();
  while (true) {
    s.reset();
    pg::memory_input<pg::tracking_mode::lazy> in(text.data() + pos, text.data() + text.size(),
                                                 file.name());
    try {
      (void)pg::parse<seps, action, control>(in, s);
      pos = static_cast<size_t>(in.current() - text.data());
      if (pos >= text.size()) break;
      s.reset();
      pg::memory_input<pg::tracking_mode::lazy> decl_in(text.data() + pos,
                                                         text.data() + text.size(), file.name());
      (void)pg::parse<decl, action, control>(decl_in, s);
      pos = static_cast<size_t>(decl_in.current() - text.data());
    } catch (const pg::parse_error& e) {
      report(e, pos, s);
      if (diags.error_count() - errors_before >= 50) break;  // hopeless file: stop early
      const size_t at = pos + e.positions().front().byte;
      const size_t next = resync(text, at, kStarters);
      pos = next > pos ? next : pos + 1;  // always make progress
      if (pos >= text.size()) break;
    }
  }
  if (result.decls.empty() && diags.error_count() == errors_before) {
    diags.error("E0008", {id, 0, 0}, "file has no declarations")
        .help = "a policy declares at least `entity User` and one rule";
  }
  return result;
}

}  // namespace edict::grammar
