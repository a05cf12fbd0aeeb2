// compiler/check.cc: name resolution and type checking of one policy.
//
// External interface: check() in check.h. Two private classes do the work:
//   Resolver     declarations -> Policy tables (types, actions, roles, ladders),
//                reporting unknown, duplicate and cyclic names (E01xx);
//   CondChecker  rule conditions, once per resource type a rule applies to, so
//                an attribute missing on one type of a category is caught (E02xx).
// Both report and continue: a bad declaration is left out (or marked as an
// error type) so one mistake does not cascade into many.
#include "compiler/check.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "support/suggest.h"

namespace edict::compiler {
namespace {

using Kind = Type::Kind;
using ast::ExprKind;
using ast::Root;

// ---- names -------------------------------------------------------------------
// A namespace of declared names: one for types (enums, entities, resources,
// categories share it), one each for actions, roles, obligations, rule labels.
struct NameTable {
  enum class What : uint8_t { kEnum, kEntity, kResource, kCategory, kAction, kGroup, kRole,
                              kObligation, kLabel, kBuiltin };
  struct Entry {
    What what;
    uint32_t index;
    Span span;
  };
  std::unordered_map<std::string, Entry> entries;
  std::vector<std::string> order;  // declaration order, for stable suggestions

  const Entry* find(const std::string& name) const {
    auto it = entries.find(name);
    return it == entries.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names_of(std::initializer_list<What> whats) const {
    std::vector<std::string> out;
    for (const std::string& n : order) {
      const Entry& e = entries.at(n);
      if (std::find(whats.begin(), whats.end(), e.what) != whats.end()) out.push_back(n);
    }
    return out;
  }
};

std::string type_name(const Policy& p, Type t) {
  std::string s;
  switch (t.kind) {
    case Kind::kError: s = "<error>"; break;
    case Kind::kBool: s = "bool"; break;
    case Kind::kInt: s = "int"; break;
    case Kind::kString: s = "string"; break;
    case Kind::kEnum: s = p.enums[t.id].name; break;
    case Kind::kEntity: s = p.entities[t.id].name; break;
    case Kind::kRole: s = "Role"; break;
    case Kind::kTenant: s = "Tenant"; break;
  }
  if (t.set) s = "set<" + s + ">";
  return t.optional ? s + "?" : s;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const Attribute* find_attr(const std::vector<Attribute>& attrs, std::string_view name) {
  for (const Attribute& a : attrs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::vector<std::string> attr_names(const std::vector<Attribute>& attrs) {
  std::vector<std::string> out;
  for (const Attribute& a : attrs) out.push_back(a.name);
  return out;
}

// ---- the resolver ------------------------------------------------------------
class Resolver {
 public:
  Resolver(const Workspace& ws, FileId root, Diagnostics& diags)
      : ws_(ws), root_(root), diags_(diags) {}

  Result<Policy> run();

 private:
  // One resolved item of a rule's action or resource list.
  struct Item {
    std::vector<uint32_t> ids;
    bool named_directly = false;  // an atomic action / a resource type, not a group
    std::string text;
    Span span;
  };

  void gather();
  bool declare(NameTable& table, const ast::Name& name, NameTable::What what, uint32_t index,
               std::string_view kind_text);
  void unknown(const ast::Name& name, std::string_view kind_text, const std::vector<std::string>& candidates,
               std::string_view code = "E0101");
  Type resolve_type(const ast::TypeExpr& t);
  std::vector<Attribute> resolve_attrs(const std::vector<ast::AttrDecl>& attrs, std::string_view owner,
                                       const std::vector<std::string>& reserved);
  void declare_types();
  void resolve_actions();
  void resolve_resources();
  void resolve_roles();
  void resolve_rank();
  void resolve_context_and_obligations();
  std::vector<Item> resolve_action_target(const ast::Target& t);
  std::vector<Item> resolve_resource_target(const ast::Target& t);
  std::vector<std::pair<uint32_t, uint32_t>> supported_pairs(const std::vector<Item>& actions,
                                                            const std::vector<Item>& resources);
  std::optional<uint32_t> resolve_role(const ast::Name& n);
  void check_rule(const ast::RuleDecl& r);
  void check_catalog(const ast::CatalogDecl& c);
  void check_conditions(const std::vector<std::pair<uint32_t, uint32_t>>& pairs,
                        const ast::Expr* when, const ast::Expr* unless);

  const Workspace& ws_;
  FileId root_;
  Diagnostics& diags_;
  Policy p_;
  NameTable types_, actions_, roles_, obligations_, labels_;

  std::vector<const ast::EnumDecl*> enum_decls_;
  std::vector<std::pair<const ast::EntityDecl*, size_t>> entity_decls_;  // (decl, name index)
  std::vector<std::pair<const ast::ResourceDecl*, size_t>> resource_decls_;
  std::vector<const ast::CategoryDecl*> category_decls_;
  std::vector<const ast::ActionDecl*> action_decls_;
  std::vector<const ast::RoleDecl*> role_decls_;
  std::vector<const ast::RankDecl*> rank_decls_;
  std::vector<const ast::ContextDecl*> context_decls_;
  std::vector<const ast::ObligationDecl*> obligation_decls_;
  std::vector<const ast::RuleDecl*> rule_decls_;
  std::vector<const ast::CatalogDecl*> catalog_decls_;
  std::vector<std::vector<const ast::Name*>> group_members_;  // per action group
  std::vector<std::vector<const ast::Name*>> role_parents_;   // per role
  std::vector<const ast::ResourceDecl*> resources_actions_src_;  // per resource type
  std::optional<Span> ladder_span_;

  friend class CondChecker;
};

void Resolver::gather() {
  for (FileId f : ws_.closure(root_)) {
    for (const ast::Decl& d : ws_.files[f].ast.decls) {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ast::EnumDecl>) enum_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::EntityDecl>) {
              for (size_t i = 0; i < x.names.size(); ++i) entity_decls_.emplace_back(&x, i);
            }
            if constexpr (std::is_same_v<T, ast::ResourceDecl>) {
              for (size_t i = 0; i < x.names.size(); ++i) resource_decls_.emplace_back(&x, i);
            }
            if constexpr (std::is_same_v<T, ast::CategoryDecl>) category_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::ActionDecl>) action_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::RoleDecl>) role_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::RankDecl>) rank_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::ContextDecl>) context_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::ObligationDecl>) obligation_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::RuleDecl>) rule_decls_.push_back(&x);
            if constexpr (std::is_same_v<T, ast::CatalogDecl>) catalog_decls_.push_back(&x);
          },
          d);
    }
  }
}

bool Resolver::declare(NameTable& table, const ast::Name& name, NameTable::What what,
                       uint32_t index, std::string_view kind_text) {
  if (const auto* prev = table.find(name.text)) {
    Diagnostic& d = diags_.error("E0102", name.span,
                                 prev->what == NameTable::What::kBuiltin
                                     ? fmt::format("`{}` is a built-in type and cannot be redeclared", name.text)
                                     : fmt::format("{} `{}` is declared twice", kind_text, name.text));
    if (prev->what != NameTable::What::kBuiltin) d.notes.push_back({prev->span, "first declared here"});
    return false;
  }
  table.entries.emplace(name.text, NameTable::Entry{what, index, name.span});
  table.order.push_back(name.text);
  return true;
}

// How to declare a name of this kind, for an unknown name that is no near
// miss of a declared one: more likely never declared than misspelt.
std::string declaration_hint(std::string_view kind_text, std::string_view name) {
  if (kind_text == "action") {
    return fmt::format("no action is declared by that name: declare it, as in `action {};`", name);
  }
  if (kind_text == "role") return fmt::format("no role is declared by that name: declare it, as in `role {};`", name);
  if (kind_text == "resource type") {
    return fmt::format("no resource type or category is declared by that name: declare it, as in "
                       "`resource {} {{ ... }} actions ...;`",
                       name);
  }
  if (kind_text == "obligation") {
    return fmt::format("no obligation is declared by that name: declare it, as in `obligation {};`", name);
  }
  if (kind_text == "type") {
    return fmt::format("a type is bool, int, string, Role, Tenant, set<T>, or an entity or enum of the policy: "
                       "declare it, as in `entity {} {{ ... }}` or `enum {} {{ ... }}`",
                       name, name);
  }
  return {};
}

void Resolver::unknown(const ast::Name& name, std::string_view kind_text,
                       const std::vector<std::string>& candidates, std::string_view code) {
  std::string help = did_you_mean(name.text, candidates);
  if (help.empty()) help = declaration_hint(kind_text, name.text);
  diags_.error(code, name.span, fmt::format("unknown {} `{}`", kind_text, name.text)).help = std::move(help);
}

Type Resolver::resolve_type(const ast::TypeExpr& t) {
  Type out;
  switch (t.kind) {
    case ast::TypeExpr::Kind::kBool: out.kind = Kind::kBool; break;
    case ast::TypeExpr::Kind::kInt: out.kind = Kind::kInt; break;
    case ast::TypeExpr::Kind::kString: out.kind = Kind::kString; break;
    case ast::TypeExpr::Kind::kSet: {
      const Type e = t.element ? resolve_type(*t.element) : Type{};
      if (e.kind == Kind::kError) return {};
      if (e.set || e.optional) {
        diags_.error("E0213", t.element->span,
                     e.set ? "sets of sets are not supported" : "set elements cannot be optional")
            .help = "use `set<T>` with a plain element type";
        return {};
      }
      out = e;
      out.set = true;
      break;
    }
    case ast::TypeExpr::Kind::kNamed: {
      const std::string& n = t.name.text;
      if (n == "Role") { out.kind = Kind::kRole; break; }
      if (n == "Tenant") { out.kind = Kind::kTenant; break; }
      const auto* e = types_.find(n);
      if (e == nullptr) {
        unknown(t.name, "type", [&] {
          auto c = types_.names_of({NameTable::What::kEnum, NameTable::What::kEntity});
          c.push_back("Role");
          c.push_back("Tenant");
          c.insert(c.end(), {"bool", "int", "string"});
          return c;
        }());
        return {};
      }
      if (e->what == NameTable::What::kEnum) { out.kind = Kind::kEnum; out.id = e->index; break; }
      if (e->what == NameTable::What::kEntity) { out.kind = Kind::kEntity; out.id = e->index; break; }
      diags_.error("E0112", t.name.span,
                   fmt::format("`{}` is a {} and cannot be an attribute type", n,
                               e->what == NameTable::What::kResource ? "resource type" : "category"))
          .help = "attributes hold bool, int, string, enums, entities, `Role` or `Tenant`; declare an `entity`";
      return {};
    }
  }
  out.optional = t.optional;
  return out;
}

std::vector<Attribute> Resolver::resolve_attrs(const std::vector<ast::AttrDecl>& attrs,
                                               std::string_view owner,
                                               const std::vector<std::string>& reserved) {
  std::vector<Attribute> out;
  for (const ast::AttrDecl& a : attrs) {
    if (std::find(reserved.begin(), reserved.end(), a.name.text) != reserved.end()) {
      diags_.error("E0107", a.name.span,
                   fmt::format("`{}` is a built-in attribute of {} and cannot be declared", a.name.text, owner))
          .help = a.name.text == "tenant" ? "every principal and resource already has `tenant`"
                                          : "`principal.rank` is the principal's highest rank";
      continue;
    }
    auto prev = std::find_if(attrs.begin(), attrs.end(),
                             [&](const ast::AttrDecl& b) { return b.name.text == a.name.text; });
    if (&*prev != &a) {
      diags_.error("E0102", a.name.span, fmt::format("attribute `{}` is declared twice in {}", a.name.text, owner))
          .notes.push_back({prev->name.span, "first declared here"});
      continue;
    }
    out.push_back({a.name.text, resolve_type(a.type), a.name.span});
  }
  return out;
}

void Resolver::declare_types() {
  types_.entries.emplace("Role", NameTable::Entry{NameTable::What::kBuiltin, 0, {}});
  types_.entries.emplace("Tenant", NameTable::Entry{NameTable::What::kBuiltin, 0, {}});
  for (const ast::EnumDecl* e : enum_decls_) {
    if (!declare(types_, e->name, NameTable::What::kEnum, static_cast<uint32_t>(p_.enums.size()), "type")) continue;
    EnumType t{e->name.text, {}, e->name.span};
    for (const ast::Name& v : e->values) {
      auto prev = std::find_if(e->values.begin(), e->values.end(),
                               [&](const ast::Name& w) { return w.text == v.text; });
      if (&*prev != &v) {
        diags_.error("E0102", v.span, fmt::format("value `{}` is declared twice in enum `{}`", v.text, e->name.text))
            .notes.push_back({prev->span, "first declared here"});
        continue;
      }
      t.values.push_back(v.text);
    }
    p_.enums.push_back(std::move(t));
  }
  std::vector<const ast::EntityDecl*> entity_of;
  for (auto [d, i] : entity_decls_) {
    if (declare(types_, d->names[i], NameTable::What::kEntity, static_cast<uint32_t>(p_.entities.size()), "type")) {
      p_.entities.push_back({d->names[i].text, {}, d->names[i].span});
      entity_of.push_back(d);
    }
  }
  std::vector<const ast::ResourceDecl*> resource_of;
  for (auto [d, i] : resource_decls_) {
    if (declare(types_, d->names[i], NameTable::What::kResource, static_cast<uint32_t>(p_.resources.size()), "type")) {
      p_.resources.push_back({d->names[i].text, {}, {}, d->names[i].span});
      resource_of.push_back(d);
    }
  }
  for (const ast::CategoryDecl* c : category_decls_) {
    if (declare(types_, c->name, NameTable::What::kCategory, static_cast<uint32_t>(p_.categories.size()), "type")) {
      p_.categories.push_back({c->name.text, {}, c->name.span});
    }
  }
  // Attribute types may name any type, so they are resolved after every name is in.
  for (size_t i = 0; i < p_.entities.size(); ++i) {
    const bool is_user = p_.entities[i].name == "User";
    p_.entities[i].attrs = resolve_attrs(entity_of[i]->attrs, fmt::format("`{}`", p_.entities[i].name),
                                         is_user ? std::vector<std::string>{"tenant", "rank"}
                                                 : std::vector<std::string>{});
  }
  for (size_t i = 0; i < p_.resources.size(); ++i) {
    p_.resources[i].attrs = resolve_attrs(resource_of[i]->attrs, fmt::format("`{}`", p_.resources[i].name),
                                          {"tenant"});
  }
  if (const auto* u = types_.find("User"); u && u->what == NameTable::What::kEntity) {
    p_.user_entity = u->index;
  } else {
    diags_.error("E0106", {root_, 0, 0}, "the policy declares no `entity User`")
        .help = "the principal of every request is a User: declare `entity User { ... }` with its attributes";
  }
  for (size_t ci = 0; ci < p_.categories.size(); ++ci) {
    for (const ast::Name& m : category_decls_[ci]->members) {
      const auto* e = types_.find(m.text);
      if (e == nullptr) {
        unknown(m, "resource type", types_.names_of({NameTable::What::kResource}));
      } else if (e->what != NameTable::What::kResource) {
        diags_.error("E0112", m.span, fmt::format("`{}` is not a resource type", m.text))
            .help = "a category lists resource types";
      } else {
        p_.categories[ci].members.push_back(e->index);
      }
    }
  }
  resources_actions_src_ = resource_of;
}

void Resolver::resolve_actions() {
  using W = NameTable::What;
  std::vector<const ast::ActionDecl*> group_decl;
  for (const ast::ActionDecl* d : action_decls_) {
    if (d->is_group) {
      if (d->names.size() != 1) {
        diags_.error("E0111", d->names[1].span, "an action group declares exactly one name")
            .help = "write one `action NAME = a | b;` per group";
      }
      if (declare(actions_, d->names[0], W::kGroup, static_cast<uint32_t>(p_.action_groups.size()), "action")) {
        p_.action_groups.push_back({d->names[0].text, {}, d->names[0].span});
        group_decl.push_back(d);
      }
      continue;
    }
    for (const ast::Name& n : d->names) {
      if (declare(actions_, n, W::kAction, static_cast<uint32_t>(p_.actions.size()), "action")) {
        p_.actions.push_back({n.text, n.span});
      }
    }
  }
  // Flatten groups of groups; a group reached again while being expanded is a cycle.
  enum State : uint8_t { kNew, kActive, kDone };
  std::vector<State> state(p_.action_groups.size(), kNew);
  std::function<void(uint32_t)> expand = [&](uint32_t g) {
    state[g] = kActive;
    std::set<uint32_t> members;
    for (const ast::Name& m : group_decl[g]->members) {
      const auto* e = actions_.find(m.text);
      if (e == nullptr) {
        unknown(m, "action", actions_.names_of({W::kAction, W::kGroup}));
      } else if (e->what == W::kAction) {
        members.insert(e->index);
      } else if (state[e->index] == kActive) {
        diags_.error("E0103", m.span, fmt::format("action group `{}` contains itself through `{}`",
                                                  p_.action_groups[g].name, m.text));
      } else {
        if (state[e->index] == kNew) expand(e->index);  // depth bounded by the group count
        const auto& sub = p_.action_groups[e->index].members;
        members.insert(sub.begin(), sub.end());
      }
    }
    p_.action_groups[g].members.assign(members.begin(), members.end());
    state[g] = kDone;
  };
  for (uint32_t g = 0; g < p_.action_groups.size(); ++g) {
    if (state[g] == kNew) expand(g);
  }
}

std::vector<Resolver::Item> Resolver::resolve_action_target(const ast::Target& t) {
  using W = NameTable::What;
  std::vector<Item> items;
  if (t.wildcard) {
    Item all{{}, false, "*", t.span};
    for (uint32_t a = 0; a < p_.actions.size(); ++a) all.ids.push_back(a);
    items.push_back(std::move(all));
    return items;
  }
  for (const ast::Name& n : t.names) {
    const auto* e = actions_.find(n.text);
    if (e == nullptr) {
      unknown(n, "action", actions_.names_of({W::kAction, W::kGroup}));
      continue;
    }
    if (e->what == W::kAction) {
      items.push_back({{e->index}, true, n.text, n.span});
    } else {
      items.push_back({p_.action_groups[e->index].members, false, n.text, n.span});
    }
  }
  return items;
}

std::vector<Resolver::Item> Resolver::resolve_resource_target(const ast::Target& t) {
  using W = NameTable::What;
  std::vector<Item> items;
  if (t.wildcard) {
    Item all{{}, false, "*", t.span};
    for (uint32_t r = 0; r < p_.resources.size(); ++r) all.ids.push_back(r);
    items.push_back(std::move(all));
    return items;
  }
  for (const ast::Name& n : t.names) {
    const auto* e = types_.find(n.text);
    if (e == nullptr) {
      unknown(n, "resource type", types_.names_of({W::kResource, W::kCategory}));
    } else if (e->what == W::kResource) {
      items.push_back({{e->index}, true, n.text, n.span});
    } else if (e->what == W::kCategory) {
      items.push_back({p_.categories[e->index].members, false, n.text, n.span});
    } else {
      diags_.error("E0112", n.span, fmt::format("`{}` is not a resource type", n.text))
          .help = "rules apply to resource types (declared with `resource`) and categories";
    }
  }
  return items;
}

void Resolver::resolve_resources() {
  // A declaration like `resource A, B actions ...` resolves its action list once,
  // so a mistake in it is reported once.
  std::map<const ast::ResourceDecl*, std::vector<uint32_t>> resolved;
  for (size_t i = 0; i < p_.resources.size(); ++i) {
    const ast::ResourceDecl* d = resources_actions_src_[i];
    auto it = resolved.find(d);
    if (it == resolved.end()) {
      std::set<uint32_t> supported;
      for (const Item& item : resolve_action_target(d->actions)) {
        supported.insert(item.ids.begin(), item.ids.end());
      }
      it = resolved.emplace(d, std::vector<uint32_t>(supported.begin(), supported.end())).first;
    }
    p_.resources[i].actions = it->second;
  }
  // Requests carry one value per resource attribute name, whatever the resource's
  // type (the table has one slot per name), so a name has one type everywhere.
  std::map<std::string_view, std::pair<const Attribute*, const ResourceType*>> first_seen;
  for (const ResourceType& rt : p_.resources) {
    for (const Attribute& a : rt.attrs) {
      auto [it, fresh] = first_seen.emplace(a.name, std::make_pair(&a, &rt));
      if (fresh || it->second.first->type.same_value_type(a.type)) continue;
      Diagnostic& d = diags_.error(
          "E0301", a.span,
          fmt::format("attribute `{}` is `{}` here but `{}` on `{}`", a.name, type_name(p_, a.type),
                      type_name(p_, it->second.first->type), it->second.second->name));
      d.help = "requests carry one value per attribute name: give it one type on every resource type";
      d.notes.push_back({it->second.first->span, fmt::format("`{}` declared on `{}` here", a.name, it->second.second->name)});
    }
  }
}

std::optional<uint32_t> Resolver::resolve_role(const ast::Name& n) {
  const auto* e = roles_.find(n.text);
  if (e == nullptr) {
    unknown(n, "role", roles_.order);
    return std::nullopt;
  }
  return e->index;
}

void Resolver::resolve_roles() {
  const ast::Name* superadmin_name = nullptr;
  for (const ast::RoleDecl* d : role_decls_) {
    for (const ast::Name& n : d->names) {
      if (!declare(roles_, n, NameTable::What::kRole, static_cast<uint32_t>(p_.roles.size()), "role")) continue;
      Role r;
      r.name = n.text;
      r.span = n.span;
      r.superadmin = d->superadmin;
      if (d->superadmin) {
        if (superadmin_name != nullptr) {
          diags_.error("E0109", n.span, fmt::format("a second super-administrator role `{}`", n.text))
              .notes.push_back({superadmin_name->span, fmt::format("`{}` is already the super-administrator", superadmin_name->text)});
        } else {
          superadmin_name = &n;
          p_.superadmin = static_cast<uint32_t>(p_.roles.size());
        }
      }
      p_.roles.push_back(std::move(r));
      std::vector<const ast::Name*> parents;
      for (const ast::Name& parent : d->parents) parents.push_back(&parent);
      role_parents_.push_back(std::move(parents));
    }
  }
  for (uint32_t i = 0; i < p_.roles.size(); ++i) {
    for (const ast::Name* parent : role_parents_[i]) {
      if (auto id = resolve_role(*parent)) {
        if (*id == i) {
          diags_.error("E0103", parent->span, fmt::format("role `{}` extends itself", parent->text));
          continue;
        }
        p_.roles[i].parents.push_back(*id);
      }
    }
  }
  // Cycles: depth-first over `extends` edges with an explicit stack; each cycle is
  // reported once, at the edge that closes it, naming every role on it.
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(p_.roles.size(), kWhite);
  std::vector<bool> cyclic(p_.roles.size(), false);
  for (uint32_t start = 0; start < p_.roles.size(); ++start) {
    if (color[start] != kWhite) continue;
    std::vector<std::pair<uint32_t, size_t>> stack{{start, 0}};
    color[start] = kGrey;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == p_.roles[node].parents.size()) {
        color[node] = kBlack;
        stack.pop_back();
        continue;
      }
      const size_t edge = next++;
      const uint32_t to = p_.roles[node].parents[edge];
      if (color[to] == kWhite) {
        color[to] = kGrey;
        stack.emplace_back(to, 0);
        continue;
      }
      if (color[to] != kGrey) continue;
      size_t first = 0;
      while (stack[first].first != to) ++first;
      std::string chain;
      for (size_t k = first; k < stack.size(); ++k) {
        chain += p_.roles[stack[k].first].name + " -> ";
        cyclic[stack[k].first] = true;
      }
      chain += p_.roles[to].name;
      const ast::Name* at = nullptr;
      for (const ast::Name* n : role_parents_[node]) {
        if (n->text == p_.roles[to].name) at = n;
      }
      Diagnostic& d = diags_.error("E0103", at ? at->span : p_.roles[node].span,
                                   fmt::format("role inheritance cycle: {}", chain));
      d.help = "`extends` must form a hierarchy; remove one of these edges";
      for (size_t k = first; k + 1 < stack.size(); ++k) {
        for (const ast::Name* n : role_parents_[stack[k].first]) {
          if (n->text == p_.roles[stack[k + 1].first].name) d.notes.push_back({n->span, "the cycle continues here"});
        }
      }
    }
  }
  // Ancestors (reflexive, transitive). Acyclic roles only; cyclic ones keep their
  // direct parents so later passes still resolve, and the error stops compilation.
  std::vector<bool> done(p_.roles.size(), false);
  std::function<void(uint32_t, uint32_t)> collect = [&](uint32_t r, uint32_t depth) {
    if (done[r]) return;
    std::set<uint32_t> all{r};
    if (!cyclic[r] && depth < p_.roles.size()) {
      for (uint32_t parent : p_.roles[r].parents) {
        collect(parent, depth + 1);
        all.insert(p_.roles[parent].ancestors.begin(), p_.roles[parent].ancestors.end());
      }
    }
    p_.roles[r].ancestors.assign(all.begin(), all.end());
    done[r] = true;
  };
  for (uint32_t r = 0; r < p_.roles.size(); ++r) collect(r, 0);
}

void Resolver::resolve_rank() {
  if (rank_decls_.empty()) return;
  const ast::RankDecl* first = rank_decls_.front();
  ladder_span_ = first->span;
  for (size_t i = 1; i < rank_decls_.size(); ++i) {
    diags_.error("E0108", rank_decls_[i]->span, "a policy has one rank ladder; this is a second one")
        .notes.push_back({first->span, "the first ladder is here"});
  }
  for (const ast::Name& n : first->ladder) {
    auto prev = std::find_if(first->ladder.begin(), first->ladder.end(),
                             [&](const ast::Name& m) { return m.text == n.text; });
    if (&*prev != &n) {
      diags_.error("E0108", n.span, fmt::format("role `{}` appears twice in the rank ladder", n.text))
          .notes.push_back({prev->span, "first placed here"});
      continue;
    }
    if (auto id = resolve_role(n)) {
      p_.roles[*id].rank = static_cast<uint32_t>(p_.rank_ladder.size());
      p_.rank_ladder.push_back(*id);
    }
  }
}

void Resolver::resolve_context_and_obligations() {
  std::vector<ast::AttrDecl const*> seen;
  for (const ast::ContextDecl* c : context_decls_) {
    for (Attribute& a : resolve_attrs(c->attrs, "the context", {})) {
      if (const Attribute* prev = find_attr(p_.context, a.name)) {
        diags_.error("E0102", a.span, fmt::format("context attribute `{}` is declared twice", a.name))
            .notes.push_back({prev->span, "first declared here"});
        continue;
      }
      p_.context.push_back(std::move(a));
    }
  }
  for (const ast::ObligationDecl* o : obligation_decls_) {
    if (!declare(obligations_, o->name, NameTable::What::kObligation,
                 static_cast<uint32_t>(p_.obligations.size()), "obligation")) {
      continue;
    }
    Obligation ob{o->name.text, {}, o->name.span};
    for (const ast::Name& param : o->params) {
      if (std::find(ob.params.begin(), ob.params.end(), param.text) != ob.params.end()) {
        diags_.error("E0102", param.span, fmt::format("argument value `{}` is declared twice", param.text));
        continue;
      }
      ob.params.push_back(param.text);
    }
    p_.obligations.push_back(std::move(ob));
  }
}

std::vector<std::pair<uint32_t, uint32_t>> Resolver::supported_pairs(const std::vector<Item>& actions,
                                                                    const std::vector<Item>& resources) {
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<bool> resource_used(resources.size(), false);
  const size_t errors_before = diags_.error_count();
  for (const Item& a : actions) {
    bool action_used = false;
    for (size_t ri = 0; ri < resources.size(); ++ri) {
      const Item& r = resources[ri];
      bool any = false;
      for (uint32_t act : a.ids) {
        for (uint32_t res : r.ids) {
          const auto& sup = p_.resources[res].actions;
          if (std::binary_search(sup.begin(), sup.end(), act)) {
            pairs.emplace(act, res);
            any = true;
          }
        }
      }
      if (!any && a.named_directly && r.named_directly) {
        const ResourceType& rt = p_.resources[r.ids[0]];
        std::vector<std::string> names;
        for (uint32_t s : rt.actions) names.push_back(p_.actions[s].name);
        Diagnostic& d = diags_.error("E0208", a.span,
                                     fmt::format("resource type `{}` does not support action `{}`", rt.name, a.text));
        d.help = names.empty() ? fmt::format("`{}` supports no actions", rt.name)
                               : fmt::format("`{}` supports: {}", rt.name, list_names(names));
        d.notes.push_back({rt.span, fmt::format("`{}` is declared here", rt.name)});
        action_used = true;  // reported; no second error for this action
        resource_used[ri] = true;
      }
      action_used = action_used || any;
      resource_used[ri] = resource_used[ri] || any;
    }
    if (!action_used && !resources.empty()) {
      diags_.error("E0208", a.span, fmt::format("no resource type of this rule supports `{}`", a.text))
          .help = "check the resource types' `actions` clauses, or the rule's `on` list";
    }
  }
  // A resource item that supports none of the actions is worth its own error only
  // when no action was reported already (the same mistake, seen from the other side).
  for (size_t ri = 0; ri < resources.size() && diags_.error_count() == errors_before; ++ri) {
    if (!resource_used[ri] && !actions.empty()) {
      diags_.error("E0208", resources[ri].span,
                   fmt::format("`{}` supports none of this rule's actions", resources[ri].text));
    }
  }
  return {pairs.begin(), pairs.end()};
}

// ---- conditions --------------------------------------------------------------
// Attributes known to be present at a point of a condition: established by `has`
// on the way there (`resource has group && <here>`).
using Guards = std::set<std::pair<Root, std::string>>;

Guards intersect(const Guards& a, const Guards& b) {
  Guards out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.begin()));
  return out;
}

// What is known when `e` evaluates to `value`.
Guards facts(const ast::Expr& e, bool value) {
  switch (e.kind) {
    case ExprKind::kHas:
      if (value && e.children[0]->kind == ExprKind::kPath && e.children[0]->name.text.empty()) {
        return {{e.children[0]->root, e.name.text}};
      }
      return {};
    case ExprKind::kNot: return facts(*e.children[0], !value);
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      // A conjunction that holds makes every part hold; a disjunction that fails
      // makes every part fail. Otherwise only what every part establishes.
      const bool all = (e.kind == ExprKind::kAnd) == value;
      Guards out;
      bool first = true;
      for (const auto& c : e.children) {
        Guards f = facts(*c, value);
        if (all) {
          out.insert(f.begin(), f.end());
        } else {
          out = first ? f : intersect(out, f);
        }
        first = false;
      }
      return out;
    }
    default: return {};
  }
}

class CondChecker {
 public:
  CondChecker(const Policy& p, const NameTable& types, const NameTable& roles, std::optional<Span> ladder,
              Diagnostics& diags, uint32_t resource, std::map<const ast::Expr*, bool>& has_found)
      : p_(p), types_(types), roles_(roles), ladder_(ladder), diags_(diags), resource_(resource),
        has_found_(has_found) {}

  void condition(const ast::Expr& e, const Guards& g);

 private:
  Type value(const ast::Expr& e, const Guards& g, const Type* expected);
  Type attribute(const ast::Expr& e, const Guards& g);
  void compare(const ast::Expr& e, const Guards& g);
  void membership(const ast::Expr& e, const Guards& g);
  void has(const ast::Expr& e);
  void is(const ast::Expr& e, const Guards& g);
  bool needs_context(const ast::Expr& e) const {
    return e.kind == ExprKind::kName || e.kind == ExprKind::kSetLit;
  }
  std::string tn(Type t) const { return type_name(p_, t); }

  const Policy& p_;
  const NameTable& types_;
  const NameTable& roles_;
  std::optional<Span> ladder_;
  Diagnostics& diags_;
  uint32_t resource_;
  std::map<const ast::Expr*, bool>& has_found_;
};

void CondChecker::condition(const ast::Expr& e, const Guards& g) {
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      Guards local = g;
      for (const auto& c : e.children) {
        condition(*c, local);
        Guards f = facts(*c, e.kind == ExprKind::kAnd);
        local.insert(f.begin(), f.end());
      }
      return;
    }
    case ExprKind::kNot: condition(*e.children[0], g); return;
    case ExprKind::kCompare: compare(e, g); return;
    case ExprKind::kIn: membership(e, g); return;
    case ExprKind::kHas: has(e); return;
    case ExprKind::kIs: is(e, g); return;
    case ExprKind::kBool: return;
    default: break;
  }
  const Type bool_type{Kind::kBool};
  const Type t = value(e, g, &bool_type);
  if (t.kind != Kind::kError && !(t.kind == Kind::kBool && !t.set)) {
    diags_.error("E0206", e.span, fmt::format("a condition must be a `bool`, not `{}`", tn(t)))
        .help = t.set ? "test membership with `in`, as in `resource.group in principal.groups`"
                      : "compare it with a value, as in `== ...`";
  }
}

Type CondChecker::attribute(const ast::Expr& e, const Guards& g) {
  const std::string& name = e.name.text;
  const std::vector<Attribute>* attrs = nullptr;
  std::string owner;
  Type builtin;
  switch (e.root) {
    case Root::kPrincipal:
      if (name == "tenant") builtin = {Kind::kTenant};
      if (name == "rank") builtin = {Kind::kRole};
      attrs = &p_.entities[p_.user_entity].attrs;
      owner = "`principal` (a `User`)";
      break;
    case Root::kResource:
      if (name == "tenant") builtin = {Kind::kTenant};
      attrs = &p_.resources[resource_].attrs;
      owner = fmt::format("resource type `{}`", p_.resources[resource_].name);
      break;
    case Root::kContext:
      attrs = &p_.context;
      owner = "the context";
      break;
  }
  if (builtin.kind != Kind::kError) {
    if (name == "rank" && p_.rank_ladder.empty()) {
      diags_.error("E0209", e.span, "`principal.rank` needs a rank ladder, and this policy declares none")
          .help = "declare one, lowest first: `rank agent < manager < owner;`";
      return {};
    }
    return builtin;
  }
  const Attribute* a = find_attr(*attrs, name);
  if (a == nullptr) {
    // Present on other resource types and guarded here: unreachable for this one.
    if (e.root == Root::kResource && g.count({Root::kResource, name})) return {};
    std::vector<std::string> names = attr_names(*attrs);
    if (e.root != Root::kContext) names.push_back("tenant");
    if (e.root == Root::kPrincipal) names.push_back("rank");
    Diagnostic& d = diags_.error("E0203", e.name.span, fmt::format("{} has no attribute `{}`", owner, name));
    d.help = did_you_mean(name, names);
    if (d.help.empty() && e.root == Root::kResource) {
      // Guarding helps a rule over several types only when another has it.
      const bool elsewhere = std::any_of(p_.resources.begin(), p_.resources.end(),
                                         [&](const ResourceType& r) { return find_attr(r.attrs, name) != nullptr; });
      d.help = elsewhere ? fmt::format("guard it with `resource has {}` or leave `{}` out of the rule", name,
                                       p_.resources[resource_].name)
                         : fmt::format("no resource type declares `{}`: declare it, as in `resource {} {{ {}: ... }}`",
                                       name, p_.resources[resource_].name, name);
    }
    return {};
  }
  if (a->type.kind == Kind::kError) return {};
  if (a->type.optional && !g.count({e.root, name})) {
    const std::string path = fmt::format("{}.{}", ast::to_string(e.root), name);
    diags_.error("E0204", e.span, fmt::format("`{}` is optional and may be absent here", path))
        .help = fmt::format("guard the read: `{} has {} && ...`", ast::to_string(e.root), name);
  }
  Type t = a->type;
  t.optional = false;
  return t;
}

Type CondChecker::value(const ast::Expr& e, const Guards& g, const Type* expected) {
  switch (e.kind) {
    case ExprKind::kBool: return {Kind::kBool};
    case ExprKind::kInt: return {Kind::kInt};
    case ExprKind::kString: return {Kind::kString};
    case ExprKind::kPath:
      if (!e.name.text.empty()) return attribute(e, g);
      if (e.root == Root::kPrincipal) return {Kind::kEntity, p_.user_entity};
      diags_.error("E0215", e.span, fmt::format("`{}` is not a value", ast::to_string(e.root)))
          .help = fmt::format("use one of its attributes, as in `{}.tenant`",
                              e.root == Root::kResource ? "resource" : "context");
      return {};
    case ExprKind::kName: {
      if (expected == nullptr || expected->kind == Kind::kError) {
        if (expected == nullptr) {
          diags_.error("E0211", e.span, fmt::format("cannot tell what `{}` is", e.name.text))
              .help = "compare names with an attribute, as in `principal.status == active`";
        }
        return {};
      }
      const Type want = expected->element();
      if (want.kind == Kind::kEnum) {
        const auto& values = p_.enums[want.id].values;
        if (std::find(values.begin(), values.end(), e.name.text) == values.end()) {
          diags_.error("E0101", e.span, fmt::format("`{}` is not a value of enum `{}`", e.name.text, p_.enums[want.id].name))
              .help = did_you_mean(e.name.text, values).empty()
                          ? fmt::format("`{}` has: {}", p_.enums[want.id].name, list_names(values))
                          : did_you_mean(e.name.text, values);
          return {};
        }
        return want;
      }
      if (want.kind == Kind::kRole) {
        if (roles_.find(e.name.text) == nullptr) {
          diags_.error("E0101", e.span, fmt::format("unknown role `{}`", e.name.text)).help =
              did_you_mean(e.name.text, roles_.order);
          return {};
        }
        return want;
      }
      diags_.error("E0211", e.span, fmt::format("`{}` is not a value of type `{}`", e.name.text, tn(want)))
          .help = want.kind == Kind::kEntity || want.kind == Kind::kTenant
                      ? "entities come from the request: compare with an attribute or `principal`"
                      : "names stand for enum values and roles";
      return {};
    }
    case ExprKind::kQualified: {
      const auto* t = types_.find(e.qualifier.text);
      if (t == nullptr || t->what != NameTable::What::kEnum) {
        diags_.error("E0101", e.qualifier.span, fmt::format("unknown enum `{}`", e.qualifier.text)).help =
            did_you_mean(e.qualifier.text, types_.names_of({NameTable::What::kEnum}));
        return {};
      }
      const auto& values = p_.enums[t->index].values;
      if (std::find(values.begin(), values.end(), e.name.text) == values.end()) {
        diags_.error("E0101", e.name.span, fmt::format("`{}` is not a value of enum `{}`", e.name.text, e.qualifier.text))
            .help = did_you_mean(e.name.text, values).empty()
                        ? fmt::format("`{}` has: {}", e.qualifier.text, list_names(values))
                        : did_you_mean(e.name.text, values);
        return {};
      }
      return {Kind::kEnum, t->index};
    }
    case ExprKind::kSetLit: {
      if (expected == nullptr) {
        diags_.error("E0211", e.span, "a list needs a value to test, as in `context.new_role in [agent, manager]`");
        return {};
      }
      const Type want = expected->element();
      for (const auto& c : e.children) {
        const Type t = value(*c, g, &want);
        if (t.kind != Kind::kError && !t.same_value_type(want)) {
          diags_.error("E0205", c->span, fmt::format("list item is a `{}`, but the list holds `{}`", tn(t), tn(want)));
        }
      }
      Type s = want;
      s.set = true;
      return s;
    }
    default:
      condition(e, g);
      return {Kind::kBool};
  }
}

void CondChecker::compare(const ast::Expr& e, const Guards& g) {
  const ast::Expr& l = *e.children[0];
  const ast::Expr& r = *e.children[1];
  Type lt, rt;
  if (needs_context(l) && !needs_context(r)) {
    rt = value(r, g, nullptr);
    lt = value(l, g, &rt);
  } else {
    lt = value(l, g, nullptr);
    rt = value(r, g, &lt);
  }
  if (lt.kind == Kind::kError || rt.kind == Kind::kError) return;
  const char* op = ast::to_string(e.op);
  if (lt.set || rt.set) {
    diags_.error("E0201", e.span, fmt::format("`{}` cannot compare sets", op))
        .help = "test membership with `in`";
    return;
  }
  if (!lt.same_value_type(rt)) {
    if (lt.kind == Kind::kEntity && rt.kind == Kind::kEntity) {
      diags_.error("E0202", e.span, fmt::format("comparing `{}` with `{}`: values of different entity types are never equal", tn(lt), tn(rt)));
    } else {
      diags_.error("E0201", e.span, fmt::format("cannot compare `{}` with `{}`", tn(lt), tn(rt)));
    }
    return;
  }
  if (e.op == ast::CmpOp::kEq || e.op == ast::CmpOp::kNe) return;
  if (lt.kind == Kind::kInt || lt.kind == Kind::kEnum) return;
  if (lt.kind != Kind::kRole) {
    diags_.error("E0207", e.span, fmt::format("`{}` cannot order `{}` values", op, tn(lt)))
        .help = "`<`, `<=`, `>`, `>=` order ints, enum values and roles on the rank ladder";
    return;
  }
  if (p_.rank_ladder.empty()) {
    diags_.error("E0209", e.span, "comparing roles by rank needs a rank ladder, and this policy declares none")
        .help = "declare one, lowest first: `rank agent < manager < owner;`";
    return;
  }
  for (const ast::Expr* side : {&l, &r}) {
    if (side->kind != ExprKind::kName) continue;
    const auto* role = roles_.find(side->name.text);
    if (role != nullptr && !p_.roles[role->index].rank) {
      Diagnostic& d = diags_.error("E0209", side->span, fmt::format("role `{}` is not on the rank ladder", side->name.text));
      d.help = "only roles on the ladder have a rank to compare";
      if (ladder_) d.notes.push_back({*ladder_, "the ladder is declared here"});
    }
  }
}

void CondChecker::membership(const ast::Expr& e, const Guards& g) {
  const ast::Expr& l = *e.children[0];
  const ast::Expr& r = *e.children[1];
  if (r.kind == ExprKind::kSetLit) {
    const Type lt = value(l, g, nullptr);
    if (lt.kind == Kind::kError) return;
    if (lt.set) {
      diags_.error("E0205", l.span, fmt::format("`in` tests one value, found `{}`", tn(lt)));
      return;
    }
    (void)value(r, g, &lt);
    return;
  }
  const Type rt = value(r, g, nullptr);
  if (rt.kind == Kind::kError) return;
  if (!rt.set) {
    diags_.error("E0205", r.span, fmt::format("`in` needs a set on its right, found `{}`", tn(rt)))
        .help = rt.kind == Kind::kEntity ? "to test equality, use `==`" : "";
    return;
  }
  const Type want = rt.element();
  const Type lt = value(l, g, &want);
  if (lt.kind == Kind::kError) return;
  if (!lt.same_value_type(want)) {
    diags_.error("E0205", e.span, fmt::format("a `{}` is never in a `{}`", tn(lt), tn(rt)))
        .help = "the value and the set's elements must have the same type";
  }
}

void CondChecker::has(const ast::Expr& e) {
  const ast::Expr& subject = *e.children[0];
  if (subject.kind != ExprKind::kPath || !subject.name.text.empty()) {
    diags_.error("E0214", subject.span, "`has` tests an attribute of `principal`, `resource` or `context`")
        .help = "write `resource has group`";
    return;
  }
  const std::string& name = e.name.text;
  switch (subject.root) {
    case Root::kResource:
      // Judged over all of the rule's resource types once they are all checked.
      has_found_[&e] = has_found_[&e] || find_attr(p_.resources[resource_].attrs, name) != nullptr ||
                       name == "tenant";
      return;
    case Root::kPrincipal:
    case Root::kContext: {
      const auto& attrs = subject.root == Root::kPrincipal ? p_.entities[p_.user_entity].attrs : p_.context;
      if (find_attr(attrs, name) == nullptr && !(subject.root == Root::kPrincipal && (name == "tenant" || name == "rank"))) {
        diags_.error("E0203", e.name.span,
                     fmt::format("{} has no attribute `{}`",
                                 subject.root == Root::kPrincipal ? "`principal` (a `User`)" : "the context", name))
            .help = did_you_mean(name, attr_names(attrs));
      }
      return;
    }
  }
}

void CondChecker::is(const ast::Expr& e, const Guards& g) {
  const ast::Expr& subject = *e.children[0];
  const ast::Name& n = e.name;
  if (subject.kind == ExprKind::kPath && subject.name.text.empty() && subject.root == Root::kResource) {
    const auto* t = types_.find(n.text);
    if (t == nullptr || (t->what != NameTable::What::kResource && t->what != NameTable::What::kCategory)) {
      diags_.error("E0101", n.span, fmt::format("unknown resource type `{}`", n.text)).help =
          did_you_mean(n.text, types_.names_of({NameTable::What::kResource, NameTable::What::kCategory}));
    }
    return;
  }
  const bool principal = subject.kind == ExprKind::kPath && subject.name.text.empty() && subject.root == Root::kPrincipal;
  if (!principal) {
    const Type t = value(subject, g, nullptr);
    if (t.kind == Kind::kError) return;
    if (t.kind != Kind::kRole || t.set) {
      diags_.error("E0210", subject.span, fmt::format("`is` tests roles, found `{}`", tn(t)))
          .help = "use `is` on `principal`, on a `Role` value, or on `resource` with a resource type";
      return;
    }
  }
  if (roles_.find(n.text) == nullptr) {
    diags_.error("E0101", n.span, fmt::format("unknown role `{}`", n.text)).help = did_you_mean(n.text, roles_.order);
  }
}

// ---- rules and catalogs ------------------------------------------------------
void Resolver::check_conditions(const std::vector<std::pair<uint32_t, uint32_t>>& pairs,
                                const ast::Expr* when, const ast::Expr* unless) {
  if (when == nullptr && unless == nullptr) return;
  std::set<uint32_t> resources;
  for (auto [a, r] : pairs) resources.insert(r);
  std::map<const ast::Expr*, bool> has_found;
  for (uint32_t r : resources) {
    CondChecker c(p_, types_, roles_, ladder_span_, diags_, r, has_found);
    if (when) c.condition(*when, {});
    if (unless) c.condition(*unless, when ? facts(*when, true) : Guards{});
  }
  for (auto [e, found] : has_found) {
    if (found) continue;
    std::set<std::string> names;
    for (uint32_t r : resources) {
      for (const Attribute& a : p_.resources[r].attrs) names.insert(a.name);
    }
    diags_.error("E0203", e->name.span, fmt::format("no resource type of this rule has an attribute `{}`", e->name.text))
        .help = did_you_mean(e->name.text, {names.begin(), names.end()});
  }
}

void Resolver::check_rule(const ast::RuleDecl& r) {
  Rule rule;
  rule.effect = r.effect;
  rule.span = r.span;
  const SourceFile& file = ws_.sources.file(r.span.file);
  rule.name = r.label ? r.label->text
                      : fmt::format("{}:{}", file.name(), file.line_col(r.keyword_span.begin).line);
  if (r.label) declare(labels_, *r.label, NameTable::What::kLabel, 0, "rule label");
  for (const ast::Name& n : r.roles) {
    if (auto id = resolve_role(n)) rule.roles.push_back(*id);
  }
  if (r.effect == ast::Effect::kGrant && r.roles.empty()) {
    diags_.error("E0110", r.keyword_span, "a grant names the roles it grants to; `*` is not a role")
        .help = "list the roles, as in `grant editor, admin view on Flow`";
  } else if (r.effect == ast::Effect::kForbid && r.roles.empty() && r.actions.wildcard &&
             !r.resources.wildcard && false) {
  }
  const auto actions = resolve_action_target(r.actions);
  const auto resources = resolve_resource_target(r.resources);
  rule.pairs = supported_pairs(actions, resources);
  rule.when = r.when.get();
  rule.unless = r.unless.get();
  check_conditions(rule.pairs, rule.when, rule.unless);
  for (const ast::ObligationUse& o : r.obligations) {
    if (r.effect == ast::Effect::kForbid) {
      diags_.error("E0212", o.name.span, "a forbid cannot carry an obligation")
          .help = "obligations qualify an allow; attach `with` to a grant";
      continue;
    }
    const auto* ob = obligations_.find(o.name.text);
    if (ob == nullptr) {
      unknown(o.name, "obligation", obligations_.order);
      continue;
    }
    const Obligation& decl = p_.obligations[ob->index];
    ObligationRef ref{ob->index, {}};
    if (o.args.empty() && !decl.params.empty()) {
      diags_.error("E0216", o.name.span, fmt::format("obligation `{}` needs an argument", o.name.text))
          .help = fmt::format("one or more of: {}", list_names(decl.params));
    }
    for (const ast::Name& arg : o.args) {
      auto it = std::find(decl.params.begin(), decl.params.end(), arg.text);
      if (it == decl.params.end()) {
        diags_.error("E0101", arg.span, fmt::format("`{}` is not an argument of obligation `{}`", arg.text, o.name.text))
            .help = decl.params.empty() ? fmt::format("`{}` takes no arguments", o.name.text)
                                        : did_you_mean(arg.text, decl.params).empty()
                                              ? fmt::format("`{}` takes: {}", o.name.text, list_names(decl.params))
                                              : did_you_mean(arg.text, decl.params);
        continue;
      }
      ref.args.push_back(static_cast<uint32_t>(it - decl.params.begin()));
    }
    rule.obligations.push_back(std::move(ref));
  }
  p_.rules.push_back(std::move(rule));
}

void Resolver::check_catalog(const ast::CatalogDecl& c) {
  Catalog cat{c.name.text, {}, {}, c.span};
  for (const ast::Name& n : c.holders) {
    if (auto id = resolve_role(n)) cat.holders.push_back(*id);
  }
  for (const ast::CatalogEntry& e : c.entries) {
    CatalogEntry entry;
    entry.pairs = supported_pairs(resolve_action_target(e.actions), resolve_resource_target(e.resources));
    entry.when = e.when.get();
    entry.span = e.span;
    check_conditions(entry.pairs, entry.when, nullptr);
    cat.entries.push_back(std::move(entry));
  }
  p_.catalogs.push_back(std::move(cat));
}

Result<Policy> Resolver::run() {
  const size_t errors_before = diags_.error_count();
  gather();
  declare_types();
  resolve_actions();
  resolve_resources();
  resolve_roles();
  resolve_rank();
  resolve_context_and_obligations();
  std::set<std::string> catalog_names;
  for (const ast::CatalogDecl* c : catalog_decls_) {
    if (!catalog_names.insert(c->name.text).second) {
      diags_.error("E0102", c->name.span, fmt::format("catalog `{}` is declared twice", c->name.text));
    }
  }
  // Conditions need the principal's type; without `entity User` they would only
  // repeat that one error.
  if (types_.find("User") != nullptr) {
    for (const ast::RuleDecl* r : rule_decls_) check_rule(*r);
    for (const ast::CatalogDecl* c : catalog_decls_) check_catalog(*c);
  }
  if (diags_.error_count() > errors_before) return Unexpected(SeeDiagnostics{});
  return std::move(p_);
}

}  // namespace

Result<Policy> check(const Workspace& ws, FileId root, Diagnostics& diags) {
  if (!ws.parsed_clean(root)) return Unexpected(SeeDiagnostics{});
  return Resolver(ws, root, diags).run();
}

}  // namespace edict::compiler
