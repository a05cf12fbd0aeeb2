// compiler/format.cc: the formatter: syntax tree + comments -> document -> text.
//
// External interface: format(), format_source(), format_condition(),
// canonicalize() and scan_comments() in format.h. The private Formatter walks a
// file's declarations in source order and builds one document (format_doc.h)
// per declaration.
//
// Comments are not in the tree: scan_comments() finds them in the text and the
// Formatter hands each out exactly once, in source order, through a cursor
// (`next_`). Before printing an element it takes the comments that start before
// the element (`leading`): a comment that had a line of its own keeps one, any
// other goes to the end of the current line. After printing an element it takes
// the comments that follow it on the same line with only blanks and closing
// punctuation between (`trailing`): they stay at the end of that line. Whatever
// a declaration did not take, the next declaration does, so no comment is lost.
#include "compiler/format.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <variant>

#include "compiler/format_doc.h"
#include "grammar/parse.h"

namespace edict::compiler {
namespace {

namespace d = doc;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

bool name_less(const ast::Name* a, const ast::Name* b) { return a->text < b->text; }

std::vector<const ast::Name*> in_order(const std::vector<ast::Name>& names, bool sort) {
  std::vector<const ast::Name*> out;
  for (const ast::Name& n : names) out.push_back(&n);
  if (sort) std::stable_sort(out.begin(), out.end(), name_less);
  return out;
}

bool obligation_less(const ast::ObligationUse& a, const ast::ObligationUse& b) {
  auto texts = [](const ast::ObligationUse& u) {
    std::vector<std::string> v{u.name.text};
    for (const ast::Name& n : u.args) v.push_back(n.text);
    return v;
  };
  return texts(a) < texts(b);
}

const char* op_text(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::kEq: return "==";
    case ast::CmpOp::kNe: return "!=";
    case ast::CmpOp::kLt: return "<";
    case ast::CmpOp::kLe: return "<=";
    case ast::CmpOp::kGt: return ">";
    case ast::CmpOp::kGe: return ">=";
  }
  return "==";
}

std::string type_text(const ast::TypeExpr& t) {
  std::string s;
  switch (t.kind) {
    case ast::TypeExpr::Kind::kBool: s = "bool"; break;
    case ast::TypeExpr::Kind::kInt: s = "int"; break;
    case ast::TypeExpr::Kind::kString: s = "string"; break;
    case ast::TypeExpr::Kind::kNamed: s = t.name.text; break;
    case ast::TypeExpr::Kind::kSet: s = "set<" + (t.element ? type_text(*t.element) : std::string()) + ">"; break;
  }
  return t.optional ? s + "?" : s;
}

class Formatter {
 public:
  Formatter(std::string_view src, std::vector<SourceComment> comments) : src_(src), comments_(std::move(comments)) {}

  std::string file(const ast::File& f) {
    std::vector<d::Doc> out;
    uint32_t prev_end = 0;
    bool any = false;
    // A new line before each unit, and one blank line where the source had any.
    auto separate = [&](uint32_t next_begin) {
      if (!any) return;
      out.push_back(d::hardline());
      if (blank_between(prev_end, next_begin)) out.push_back(d::hardline());
    };
    for (const ast::Decl& decl : f.decls) {
      const Span span = std::visit([](const auto& x) { return x.span; }, decl);
      while (next_ < comments_.size() && comments_[next_].begin < span.begin) {
        const SourceComment& c = comments_[next_++];
        separate(c.begin);
        out.push_back(d::text(c.text));
        prev_end = c.end;
        any = true;
      }
      separate(span.begin);
      out.push_back(std::visit([this](const auto& x) { return this->decl(x); }, decl));
      prev_end = span.end;
      out.push_back(trailing(span.end, &prev_end));
      any = true;
    }
    while (next_ < comments_.size()) {
      const SourceComment& c = comments_[next_++];
      separate(c.begin);
      out.push_back(d::text(c.text));
      prev_end = c.end;
      any = true;
    }
    if (any) out.push_back(d::hardline());
    return d::print(d::concat(std::move(out)), kFormatWidth);
  }

  d::Doc expr(const ast::Expr& e) {
    d::Doc inner = expr_inner(e);
    if (!e.parenthesized) return inner;
    return d::concat({leading(e.span.begin), d::text("("), inner, d::text(")")});
  }

 private:
  // ---- comments ----------------------------------------------------------------
  d::Doc leading(uint32_t pos) {
    std::vector<d::Doc> parts;
    while (next_ < comments_.size() && comments_[next_].begin < pos) {
      const SourceComment& c = comments_[next_++];
      parts.push_back(c.own_line ? d::own_line(c.text) : d::line_suffix("  " + c.text));
    }
    return d::concat(std::move(parts));
  }

  d::Doc trailing(uint32_t end, uint32_t* last_end = nullptr) {
    std::vector<d::Doc> parts;
    uint32_t at = end;
    while (next_ < comments_.size() && comments_[next_].begin >= at) {
      const SourceComment& c = comments_[next_];
      const std::string_view gap = src_.substr(at, c.begin - at);
      const bool same_line = std::all_of(gap.begin(), gap.end(), [](char ch) {
        return is_blank(ch) || ch == ',' || ch == ';' || ch == ')' || ch == ']' || ch == ':' || ch == '{';
      });
      if (!same_line) break;
      parts.push_back(d::line_suffix("  " + c.text));
      at = c.end;
      ++next_;
    }
    if (last_end != nullptr) *last_end = at;
    return d::concat(std::move(parts));
  }

  bool blank_between(uint32_t a, uint32_t b) const {
    if (b <= a) return false;
    const std::string_view gap = src_.substr(a, b - a);
    return std::count(gap.begin(), gap.end(), '\n') >= 2;
  }

  bool in_comment(uint32_t at) const {
    return std::any_of(comments_.begin(), comments_.end(),
                       [at](const SourceComment& c) { return c.begin <= at && at < c.end; });
  }

  // The offset of the last `ch` in [from, to) outside comments (`to` if none).
  uint32_t find_last(char ch, uint32_t from, uint32_t to) const {
    for (uint32_t i = to; i > from; --i) {
      if (src_[i - 1] == ch && !in_comment(i - 1)) return i - 1;
    }
    return to;
  }

  // ---- lists ---------------------------------------------------------------------
  d::Doc name(const ast::Name& n, std::string_view after = {}) {
    return d::concat({leading(n.span.begin), d::text(n.text + std::string(after)), trailing(n.span.end)});
  }

  // a, b, c: as many per line as fit, continuation lines indented.
  d::Doc commas(const std::vector<const ast::Name*>& names) {
    std::vector<d::Doc> parts;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) parts.push_back(d::line());
      parts.push_back(name(*names[i], i + 1 < names.size() ? "," : ""));
    }
    return d::nest(4, d::fill(std::move(parts)));
  }

  // a | b | c (or a < b < c): breaks go before the operator.
  d::Doc chain(const std::vector<ast::Name>& names, const std::string& op) {
    std::vector<d::Doc> parts;
    for (size_t i = 0; i < names.size(); ++i) {
      const ast::Name& n = names[i];
      if (i == 0) {
        parts.push_back(name(n));
        continue;
      }
      parts.push_back(d::line());
      parts.push_back(d::concat({leading(n.span.begin), d::text(op + " " + n.text), trailing(n.span.end)}));
    }
    return d::nest(4, d::fill(std::move(parts)));
  }

  d::Doc target(const ast::Target& t) {
    if (t.wildcard) return d::concat({leading(t.span.begin), d::text("*"), trailing(t.span.end)});
    return commas(in_order(t.names, /*sort=*/true));
  }

  // `{ item, item }` on one line when it fits and has no comments, else one item
  // per line with a trailing separator; blank lines between items are kept.
  struct Item {
    uint32_t begin;
    uint32_t end;
    std::function<d::Doc()> content;
  };
  d::Doc block(const std::vector<Item>& items, uint32_t close, const std::string& sep, bool force_break) {
    std::vector<d::Doc> inner;
    uint32_t prev_end = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& it = items[i];
      const uint32_t first = next_ < comments_.size() && comments_[next_].begin < it.begin ? comments_[next_].begin
                                                                                          : it.begin;
      inner.push_back(force_break ? d::hardline() : d::line());
      if (i > 0 && blank_between(prev_end, first)) inner.push_back(d::hardline());
      const bool last = i + 1 == items.size();
      d::Doc lead = leading(it.begin);
      d::Doc body = it.content();
      inner.push_back(d::concat({lead, body, last && !force_break ? d::if_break(sep) : d::text(sep),
                                 trailing(it.end, &prev_end)}));
    }
    inner.push_back(leading(close));
    d::Doc after_close = trailing(close + 1);
    return d::concat({d::group(d::concat({d::text("{"), d::nest(2, d::concat(inner)),
                                          items.empty() ? d::softline() : d::line(), d::text("}")})),
                      after_close});
  }

  d::Doc attrs(const std::vector<ast::AttrDecl>& list, uint32_t close) {
    std::vector<Item> items;
    for (const ast::AttrDecl& a : list) {
      items.push_back({a.span.begin, a.span.end, [&a] { return d::text(a.name.text + ": " + type_text(a.type)); }});
    }
    return block(items, close, ",", false);
  }

  std::string literal(Span s) const { return std::string(src_.substr(s.begin, s.end - s.begin)); }

  // ---- declarations ----------------------------------------------------------------
  d::Doc decl(const ast::IncludeDecl& x) {
    return d::concat({d::text("include "), leading(x.path_span.begin), d::text(literal(x.path_span) + ";")});
  }

  d::Doc decl(const ast::EnumDecl& x) {
    std::vector<Item> items;
    for (const ast::Name& v : x.values) items.push_back({v.span.begin, v.span.end, [&v] { return d::text(v.text); }});
    d::Doc head = d::concat({d::text("enum "), name(x.name), d::text(" ")});
    return d::concat({head, block(items, find_last('}', x.span.begin, x.span.end), ",", false)});
  }

  d::Doc decl(const ast::EntityDecl& x) {
    d::Doc head = d::concat({d::text("entity "), commas(in_order(x.names, false))});
    if (x.attrs.empty()) return d::concat({head, d::text(";")});
    return d::concat({head, d::text(" "), attrs(x.attrs, find_last('}', x.span.begin, x.span.end))});
  }

  d::Doc decl(const ast::ResourceDecl& x) {
    std::vector<d::Doc> parts{d::text("resource "), commas(in_order(x.names, false))};
    if (!x.attrs.empty()) {
      parts.push_back(d::text(" "));
      parts.push_back(attrs(x.attrs, find_last('}', x.span.begin, x.actions.span.begin)));
    }
    parts.push_back(d::group(d::nest(2, d::concat({d::line(), d::text("actions "), target(x.actions)}))));
    parts.push_back(d::text(";"));
    return d::concat(std::move(parts));
  }

  d::Doc decl(const ast::CategoryDecl& x) {
    return d::concat({d::text("category "), name(x.name), d::text(" = "), chain(x.members, "|"), d::text(";")});
  }

  d::Doc decl(const ast::ActionDecl& x) {
    d::Doc names = commas(in_order(x.names, false));
    if (!x.is_group) return d::concat({d::text("action "), names, d::text(";")});
    return d::concat({d::text("action "), names, d::text(" = "), chain(x.members, "|"), d::text(";")});
  }

  d::Doc decl(const ast::RoleDecl& x) {
    std::vector<d::Doc> parts{d::text(x.superadmin ? "superadmin role " : "role "), commas(in_order(x.names, false))};
    if (!x.parents.empty()) {
      parts.push_back(d::text(" extends "));
      parts.push_back(commas(in_order(x.parents, true)));
    }
    parts.push_back(d::text(";"));
    return d::concat(std::move(parts));
  }

  d::Doc decl(const ast::RankDecl& x) { return d::concat({d::text("rank "), chain(x.ladder, "<"), d::text(";")}); }

  d::Doc decl(const ast::ContextDecl& x) {
    return d::concat({d::text("context "), attrs(x.attrs, find_last('}', x.span.begin, x.span.end))});
  }

  d::Doc decl(const ast::ObligationDecl& x) {
    std::vector<d::Doc> parts{d::text("obligation "), name(x.name)};
    if (!x.params.empty()) parts.push_back(d::concat({d::text("("), commas(in_order(x.params, false)), d::text(")")}));
    parts.push_back(d::text(";"));
    return d::concat(std::move(parts));
  }

  d::Doc obligation(const ast::ObligationUse& u) {
    std::vector<d::Doc> parts{leading(u.span.begin), d::text(u.name.text)};
    if (!u.args.empty()) parts.push_back(d::concat({d::text("("), commas(in_order(u.args, true)), d::text(")")}));
    parts.push_back(trailing(u.span.end));
    return d::concat(std::move(parts));
  }

  d::Doc decl(const ast::RuleDecl& x) {
    std::vector<d::Doc> out;
    if (x.label) {
      out.push_back(d::concat({d::text(x.label->text + ":"), trailing(x.label->span.end), d::hardline()}));
    }
    std::vector<d::Doc> head{leading(x.keyword_span.begin),
                             d::text(x.effect == ast::Effect::kGrant ? "grant " : "forbid ")};
    if (!x.roles.empty()) {
      head.push_back(commas(in_order(x.roles, true)));
      head.push_back(d::text(" "));
    } else if (x.effect == ast::Effect::kGrant) {
      head.push_back(d::text("* "));  // written `grant * ...`: kept, so the checker still rejects it (E0110)
    }
    head.push_back(target(x.actions));
    head.push_back(d::text(" on "));
    head.push_back(target(x.resources));
    std::vector<d::Doc> clauses;
    if (x.when) clauses.push_back(d::concat({d::line(), d::text("when "), expr(*x.when)}));
    if (x.unless) clauses.push_back(d::concat({d::line(), d::text("unless "), expr(*x.unless)}));
    if (!x.obligations.empty()) {
      std::vector<const ast::ObligationUse*> uses;
      for (const ast::ObligationUse& u : x.obligations) uses.push_back(&u);
      std::stable_sort(uses.begin(), uses.end(),
                       [](const ast::ObligationUse* a, const ast::ObligationUse* b) { return obligation_less(*a, *b); });
      std::vector<d::Doc> list;
      for (size_t i = 0; i < uses.size(); ++i) {
        if (i > 0) list.push_back(d::concat({d::text(","), d::line()}));
        list.push_back(obligation(*uses[i]));
      }
      clauses.push_back(d::concat({d::line(), d::text("with "), d::nest(4, d::concat(std::move(list)))}));
    }
    head.push_back(d::nest(2, d::concat(std::move(clauses))));
    head.push_back(d::text(";"));
    out.push_back(d::group(d::concat(std::move(head))));
    return d::concat(std::move(out));
  }

  d::Doc decl(const ast::CatalogDecl& x) {
    std::vector<Item> items;
    for (const ast::CatalogEntry& e : x.entries) {
      items.push_back({e.span.begin, e.span.end, [this, &e] {
                         std::vector<d::Doc> parts{d::text("grantable "), target(e.actions), d::text(" on "),
                                                   target(e.resources)};
                         if (e.when) parts.push_back(d::nest(2, d::concat({d::line(), d::text("when "), expr(*e.when)})));
                         parts.push_back(d::text(";"));
                         return d::group(d::concat(std::move(parts)));
                       }});
    }
    d::Doc head = d::concat({d::text("catalog "), name(x.name), d::text(" for "), commas(in_order(x.holders, true)),
                             d::text(" ")});
    return d::concat({head, block(items, find_last('}', x.span.begin, x.span.end), "", true)});
  }

  // ---- expressions ----------------------------------------------------------------
  d::Doc leaf(const ast::Expr& e, std::string s) {
    return d::concat({leading(e.span.begin), d::text(std::move(s)), trailing(e.span.end)});
  }

  d::Doc expr_inner(const ast::Expr& e) {
    using K = ast::ExprKind;
    switch (e.kind) {
      case K::kBool: return leaf(e, e.bool_value ? "true" : "false");
      case K::kInt:
      case K::kString: return leaf(e, literal(e.span));
      case K::kName: return leaf(e, e.name.text);
      case K::kQualified: return leaf(e, e.qualifier.text + "." + e.name.text);
      case K::kPath: {
        std::string t = ast::to_string(e.root);
        if (!e.name.text.empty()) t += "." + e.name.text;
        return leaf(e, t);
      }
      case K::kSetLit: {
        std::vector<d::Doc> parts;
        for (size_t i = 0; i < e.children.size(); ++i) {
          if (i > 0) parts.push_back(d::line());
          const bool last = i + 1 == e.children.size();
          parts.push_back(d::concat({expr(*e.children[i]), d::text(last ? "" : ",")}));
        }
        return d::concat({leading(e.span.begin), d::text("["), d::nest(4, d::fill(std::move(parts))), d::text("]")});
      }
      case K::kNot: return d::concat({leading(e.span.begin), d::text("!"), expr(*e.children[0])});
      case K::kAnd:
      case K::kOr: {
        const std::string op = e.kind == K::kAnd ? "&& " : "|| ";
        d::Doc first = expr(*e.children[0]);  // before the rest: comments are taken in source order
        std::vector<d::Doc> rest;
        for (size_t i = 1; i < e.children.size(); ++i) {
          rest.push_back(d::line());
          rest.push_back(leading(e.children[i]->span.begin));
          rest.push_back(d::text(op));
          rest.push_back(expr(*e.children[i]));
        }
        return d::group(d::concat({first, d::nest(2, d::concat(std::move(rest)))}));
      }
      case K::kCompare:
        return d::concat({expr(*e.children[0]), d::text(std::string(" ") + op_text(e.op) + " "), expr(*e.children[1])});
      case K::kIn: return d::concat({expr(*e.children[0]), d::text(" in "), expr(*e.children[1])});
      case K::kHas: return d::concat({expr(*e.children[0]), d::text(" has "), name(e.name)});
      case K::kIs: return d::concat({expr(*e.children[0]), d::text(" is "), name(e.name)});
    }
    return d::text("");
  }

  std::string_view src_;
  std::vector<SourceComment> comments_;
  size_t next_ = 0;  // INVARIANT: comments_[0, next_) are in the document, each once
};

void sort_names(std::vector<ast::Name>& names) {
  std::stable_sort(names.begin(), names.end(), [](const ast::Name& a, const ast::Name& b) { return a.text < b.text; });
}
void sort_target(ast::Target& t) { sort_names(t.names); }

}  // namespace

std::vector<SourceComment> scan_comments(std::string_view t) {
  std::vector<SourceComment> out;
  bool code_on_line = false;
  size_t i = 0;
  const size_t n = t.size();
  auto push = [&](size_t b, size_t e) {
    out.push_back({std::string(t.substr(b, e - b)), static_cast<uint32_t>(b), static_cast<uint32_t>(e), !code_on_line});
  };
  while (i < n) {
    const char c = t[i];
    if (c == '\n') {
      code_on_line = false;
      ++i;
    } else if (c == '"') {
      code_on_line = true;
      ++i;
      while (i < n && t[i] != '"' && t[i] != '\n') i += (t[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i < n && t[i] == '"') ++i;
    } else if (c == '#' || (c == '/' && i + 1 < n && t[i + 1] == '/')) {
      const size_t b = i;
      while (i < n && t[i] != '\n') ++i;
      size_t e = i;
      while (e > b && is_blank(t[e - 1])) --e;
      push(b, e);
    } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
      const size_t b = i;
      const size_t close = t.find("*/", i + 2);
      i = close == std::string_view::npos ? n : close + 2;
      push(b, i);
      // What follows a comment that spans lines shares a line with its end, not
      // with the line the comment began on: count it as code on that line.
      if (t.substr(b, i - b).find('\n') != std::string_view::npos) code_on_line = true;
    } else {
      if (!is_blank(c)) code_on_line = true;
      ++i;
    }
  }
  return out;
}

std::string format(std::string_view text, const ast::File& file) {
  return Formatter(text, scan_comments(text)).file(file);
}

std::optional<std::string> format_source(std::string_view text, Diagnostics* diags) {
  SourceMap sources;
  const FileId id = sources.add("<input>", std::string(text));
  Diagnostics local;
  const ast::File f = grammar::parse(sources, id, local);
  if (diags != nullptr) {
    for (const Diagnostic& dg : local.items()) diags->add(dg);
  }
  if (local.has_errors()) return std::nullopt;
  return format(sources.file(id).text(), f);
}

std::string format_condition(std::string_view text, const ast::Expr& expr) {
  Formatter f(text, {});
  return d::print(f.expr(expr), 1 << 30);
}

void canonicalize(ast::File& file) {
  for (ast::Decl& decl : file.decls) {
    if (auto* r = std::get_if<ast::RuleDecl>(&decl)) {
      sort_names(r->roles);
      sort_target(r->actions);
      sort_target(r->resources);
      for (ast::ObligationUse& u : r->obligations) sort_names(u.args);
      std::stable_sort(r->obligations.begin(), r->obligations.end(), obligation_less);
    } else if (auto* c = std::get_if<ast::CatalogDecl>(&decl)) {
      sort_names(c->holders);
      for (ast::CatalogEntry& e : c->entries) {
        sort_target(e.actions);
        sort_target(e.resources);
      }
    } else if (auto* role = std::get_if<ast::RoleDecl>(&decl)) {
      sort_names(role->parents);
    } else if (auto* res = std::get_if<ast::ResourceDecl>(&decl)) {
      sort_target(res->actions);
    }
  }
}

namespace {

std::vector<std::string> comment_texts(std::string_view text) {
  std::vector<std::string> out;
  for (SourceComment& c : scan_comments(text)) out.push_back(std::move(c.text));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<std::string> verify_format(std::string_view original, std::string_view formatted) {
  SourceMap sources;
  const FileId before_id = sources.add("<original>", std::string(original));
  const FileId after_id = sources.add("<formatted>", std::string(formatted));
  Diagnostics diags;
  ast::File before = grammar::parse(sources, before_id, diags);
  if (diags.has_errors()) return "the original does not parse";
  ast::File after = grammar::parse(sources, after_id, diags);
  if (diags.has_errors()) return "the formatted text does not parse";
  canonicalize(before);
  canonicalize(after);
  if (ast::dump(before) != ast::dump(after)) return "the formatted text parses to a different tree";
  if (comment_texts(original) != comment_texts(formatted)) return "the formatted text has different comments";
  return std::nullopt;
}

}  // namespace edict::compiler
