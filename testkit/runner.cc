// testkit/runner.cc: test files -> compiled policies -> cases -> results.
//
// External interface: run_tests() in runner.h. Private pieces: Storage owns every
// SourceMap diagnostics point into; PolicyCache compiles each policy once;
// CaseRunner resolves one expanded case against its world and evaluates it.
#include "testkit/runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "compiler/check.h"
#include "compiler/load.h"
#include "compiler/lower.h"
#include "compiler/permission_help.h"
#include "support/suggest.h"
#include "grammar/test_parse.h"
#include "runtime/custom_roles.h"
#include "runtime/eval.h"
#include "runtime/request_builder.h"
#include "support/expand_paths.h"
#include "support/text.h"
#include "testkit/reference_eval.h"

namespace edict::testkit {
namespace {

namespace fs = std::filesystem;
using Root = runtime::format::Root;
using compiler::Type;

struct CompiledPolicy {
  std::string path;
  std::unique_ptr<compiler::Workspace> ws;
  std::unique_ptr<compiler::Policy> policy;
  std::shared_ptr<const runtime::Table> table;
  std::unique_ptr<ReferenceEvaluator> oracle;
  std::vector<bool> exercised;  // per policy rule
  bool ok = false;
};

struct Storage {
  SourceMap test_sources;
  std::map<std::string, std::unique_ptr<CompiledPolicy>> policies;  // by canonical path
};

std::string read_file(const std::string& path, std::string& error) {
  compiler::ReadResult r = compiler::read_source_file(path);
  if (!r.ok) error = fmt::format("cannot read `{}`: {}", path, r.error);
  return std::move(r.text);
}

// ---- loop expansion -------------------------------------------------------------
using Bindings = std::vector<std::pair<std::string, testfile::Value>>;

// Replaces `$var` names with their bound values; reports unbound ones.
class Substituter {
 public:
  Substituter(const Bindings& b, Diagnostics& diags) : b_(b), diags_(diags) {}
  bool ok() const { return ok_; }

  void name(testfile::Name& n) {
    if (!n.text.starts_with('$')) return;
    const testfile::Value* v = lookup(n.text, n.span);
    if (v == nullptr) return;
    if (v->kind == testfile::Value::Kind::kList) {
      diags_.error("E0410", n.span, fmt::format("`{}` is a list here, where a name is needed", n.text));
      ok_ = false;
      return;
    }
    n.text = v->text;
  }
  void value(testfile::Value& v) {
    if (v.kind == testfile::Value::Kind::kList) {
      for (auto& item : v.items) value(item);
      return;
    }
    if (v.kind != testfile::Value::Kind::kName || !v.text.starts_with('$')) return;
    const testfile::Value* bound = lookup(v.text, v.span);
    if (bound == nullptr) return;
    const Span span = v.span;
    v = *bound;
    v.span = span;
  }

 private:
  const testfile::Value* lookup(const std::string& var, Span span) {
    for (auto it = b_.rbegin(); it != b_.rend(); ++it) {
      if (it->first == var) return &it->second;
    }
    diags_.error("E0410", span, fmt::format("`{}` is not bound by an enclosing `for`", var));
    ok_ = false;
    return nullptr;
  }
  const Bindings& b_;
  Diagnostics& diags_;
  bool ok_ = true;
};

std::string value_text(const testfile::Value& v) {
  if (v.kind != testfile::Value::Kind::kList) return v.text;
  std::string s = "[";
  for (const auto& i : v.items) s += (s.size() > 1 ? ", " : "") + value_text(i);
  return s + "]";
}

// ---- one test file -------------------------------------------------------------
class FileRunner {
 public:
  FileRunner(const testfile::File& file, CompiledPolicy& policy, const SourceMap& sources, Diagnostics& diags,
             TestRun& run)
      : f_(file), p_(policy), sources_(sources), diags_(diags), run_(run) {}

  // Cases run even after errors in the declarations, so one run reports every
  // unknown name; the file then fails as a whole (declare_world counts it).
  void run() {
    declare_world();
    for (const testfile::CaseGroup& g : f_.cases) expand(g, 0, {});
  }

 private:
  const compiler::Policy& policy() const { return *p_.policy; }
  const runtime::Table& table() const { return *p_.table; }

  void error(std::string_view code, Span span, std::string message, std::string help = {}) {
    diags_.error(code, span, std::move(message)).help = std::move(help);
    world_ok_ = false;
  }

  // Whether every permission of a custom role names an action and a resource
  // type of the table, as the runtime takes them; an error at each name that
  // does not, whose help says what it stands for (compiler/permission_help.h).
  bool permission_names_resolve(const testfile::CustomRoleDecl& c) {
    bool ok = true;
    auto unknown = [&](const testfile::Name& n, compiler::PermissionPart part) {
      const std::string_view kind = part == compiler::PermissionPart::kAction ? "action" : "resource type";
      error("E0412", n.span, fmt::format("custom role `{}` is rejected: unknown {} `{}`", c.name.text, kind, n.text),
            compiler::permission_name_help(policy(), part, n.text));
      ok = false;
    };
    for (const auto& [a, r] : c.permissions) {
      if (!table().find_action(a.text)) unknown(a, compiler::PermissionPart::kAction);
      if (!table().find_resource(r.text)) unknown(r, compiler::PermissionPart::kResourceType);
    }
    return ok;
  }

  std::vector<std::string> role_names() const {
    std::vector<std::string> v;
    for (const auto& r : policy().roles) v.push_back(r.name);
    for (const auto& c : f_.custom_roles) v.push_back(c.name.text);
    return v;
  }

  void declare_world() {
    const size_t errors_before = diags_.error_count();
    for (const auto& t : f_.tenants) {
      if (!tenants_.insert(t.text).second) error("E0411", t.span, fmt::format("tenant `{}` is declared twice", t.text));
    }
    for (const auto& e : f_.entities) {
      const auto type = std::find_if(policy().entities.begin(), policy().entities.end(),
                                     [&](const compiler::EntityType& x) { return x.name == e.type.text; });
      if (type == policy().entities.end() || type->name == "User") {
        std::vector<std::string> names;
        for (const auto& x : policy().entities) {
          if (x.name != "User") names.push_back(x.name);
        }
        error("E0401", e.type.span, fmt::format("unknown entity type `{}`", e.type.text),
              type != policy().entities.end() ? "declare users with `user`" : did_you_mean(e.type.text, names));
        continue;
      }
      for (const auto& n : e.names) entities_[type->name].insert(n.text);
    }
    custom_ = std::make_unique<runtime::CustomRoles>(p_.table);
    for (const auto& c : f_.custom_roles) {
      if (!permission_names_resolve(c)) continue;
      runtime::CustomRoleSpec spec{c.name.text, c.catalog.text, {}};
      for (const auto& [a, r] : c.permissions) spec.permissions.emplace_back(a.text, r.text);
      auto added = custom_->add(spec);
      if (!added) {
        error("E0412", c.span, fmt::format("custom role `{}` is rejected: {}", c.name.text, added.error()));
        continue;
      }
      ReferenceCustomRole ref{c.name.text, *table().find_catalog(c.catalog.text), {}};
      for (const auto& [a, r] : c.permissions) {
        ref.permissions.emplace_back(*table().find_action(a.text), *table().find_resource(r.text));
      }
      oracle_custom_.roles.push_back(std::move(ref));
    }
    for (const auto& u : f_.users) {
      if (users_.count(u.name.text)) {
        error("E0411", u.name.span, fmt::format("user `{}` is declared twice", u.name.text));
        continue;
      }
      for (const auto& m : u.memberships) {
        check_tenant(m.tenant);
        for (const auto& r : m.roles) {
          // A declared custom role that its catalog rejected has its own error already.
          const bool declared_custom = std::any_of(f_.custom_roles.begin(), f_.custom_roles.end(),
                                                   [&](const auto& c) { return c.name.text == r.text; });
          if (!table().find_role(r.text) && !declared_custom) {
            error("E0402", r.span, fmt::format("unknown role `{}`", r.text), did_you_mean(r.text, role_names()));
          }
        }
      }
      users_[u.name.text] = &u;
    }
    const std::vector<std::string> labels = rule_labels();
    for (const auto& g : f_.cases) {
      if (g.body.by && !g.body.by->text.starts_with('$') &&
          std::find(labels.begin(), labels.end(), g.body.by->text) == labels.end()) {
        error("E0409", g.body.by->span, fmt::format("no rule of the policy is labelled `{}`", g.body.by->text),
              did_you_mean(g.body.by->text, labels));
      }
    }
    if (diags_.error_count() > errors_before) ++run_.failed;  // the file's cases cannot run
  }

  // The label `by` uses for a rule: its own, or `superadmin` for the synthetic last
  // rule the super-administrator's implicit grant lowers to (its table name,
  // superadmin `role`, is not a name a test file can write).
  std::string rule_label(uint32_t rule) const {
    if (table().meta().superadmin != runtime::format::kNone && rule + 1 == table().rule_count()) return "superadmin";
    return std::string(table().rule_name(rule));
  }
  std::vector<std::string> rule_labels() const {
    std::vector<std::string> v;
    for (uint32_t i = 0; i < table().rule_count(); ++i) v.push_back(rule_label(i));
    return v;
  }

  bool check_tenant(const testfile::Name& t) {
    if (tenants_.count(t.text)) return true;
    error("E0403", t.span, fmt::format("unknown tenant `{}`", t.text),
          did_you_mean(t.text, {tenants_.begin(), tenants_.end()}).empty()
              ? "declare it: `tenant " + t.text + ";`"
              : did_you_mean(t.text, {tenants_.begin(), tenants_.end()}));
    return false;
  }

  void expand(const testfile::CaseGroup& g, size_t level, const Bindings& bindings) {
    if (level < g.loops.size()) {
      for (const auto& item : g.loops[level].items) {
        Bindings next = bindings;
        next.emplace_back(g.loops[level].var.text, item);
        expand(g, level + 1, next);
      }
      return;
    }
    testfile::Case c = g.body;
    Substituter sub(bindings, diags_);
    for (testfile::Name* n : {&c.user, &c.action, &c.resource_type}) sub.name(*n);
    if (c.acting_tenant) sub.name(*c.acting_tenant);
    if (c.resource_tenant) sub.name(*c.resource_tenant);
    if (c.by) sub.name(*c.by);
    for (auto& o : c.obligations) {
      sub.name(o.name);
      if (o.arg) sub.name(*o.arg);
    }
    for (auto& a : c.resource_attrs) sub.value(a.value);
    for (auto& a : c.context) sub.value(a.value);
    if (!sub.ok()) {
      ++run_.failed;
      return;
    }
    std::string suffix;
    for (const auto& [var, v] : bindings) suffix += fmt::format("{}{}={}", suffix.empty() ? " [" : ", ", var, value_text(v));
    if (!suffix.empty()) suffix += "]";
    run_case(c, suffix);
  }

  // Sets one attribute through the builder, reporting a bad name or value at its span.
  bool set_attr(runtime::RequestBuilder& b, Root root, const std::vector<compiler::Attribute>& declared,
                const testfile::Attr& a, std::string_view owner) {
    const compiler::Attribute* decl = nullptr;
    for (const auto& d : declared) {
      if (d.name == a.name.text) decl = &d;
    }
    if (decl == nullptr) {
      std::vector<std::string> names;
      for (const auto& d : declared) names.push_back(d.name);
      error("E0405", a.name.span, fmt::format("{} has no attribute `{}`", owner, a.name.text),
            did_you_mean(a.name.text, names));
      return false;
    }
    std::vector<const testfile::Value*> items;
    if (a.value.kind == testfile::Value::Kind::kList) {
      for (const auto& i : a.value.items) items.push_back(&i);
    } else {
      items.push_back(&a.value);
    }
    // Entity values must be declared: a typo in `g1` must not silently deny.
    if (decl->type.kind == Type::Kind::kEntity || decl->type.kind == Type::Kind::kTenant) {
      const std::string type = decl->type.kind == Type::Kind::kTenant ? "Tenant" : policy().entities[decl->type.id].name;
      for (const testfile::Value* v : items) {
        const bool known = type == "Tenant" ? tenants_.count(v->text) > 0
                           : type == "User" ? users_.count(v->text) > 0
                                            : entities_[type].count(v->text) > 0;
        if (!known) {
          error("E0406", v->span, fmt::format("unknown {} `{}`", type, v->text),
                type == "User" || type == "Tenant" ? "" : fmt::format("declare it: `entity {}: {};`", type, v->text));
          return false;
        }
      }
    }
    const runtime::RequestError before = b.build().error;
    if (decl->type.set) {
      std::vector<std::string> texts;
      for (const testfile::Value* v : items) texts.push_back(v->text);
      b.attr_set(root, a.name.text, texts);
    } else if (items.size() == 1) {
      b.attr(root, a.name.text, items[0]->text);
    } else {
      error("E0408", a.value.span, fmt::format("`{}` holds one value, not a list", a.name.text));
      return false;
    }
    if (before == runtime::RequestError::kNone && b.build().error != runtime::RequestError::kNone) {
      error("E0408", a.value.span, b.error_message());
      return false;
    }
    return true;
  }

  std::string decision_text(const runtime::Decision& d) const {
    if (!d.allowed()) {
      switch (d.reason) {
        case runtime::Reason::kForbidden: return fmt::format("deny by {}", table().rule_name(d.rule));
        case runtime::Reason::kTenantMismatch: return "deny (different tenants)";
        case runtime::Reason::kBadRequest: return fmt::format("deny (bad request: {})", to_string(d.request_error));
        default: return "deny (no grant applies)";
      }
    }
    std::string s = d.custom_role ? "allow (custom role)" : fmt::format("allow by {}", table().rule_name(d.rule));
    std::string obs;
    for (uint32_t i = 0; i < 64; ++i) {
      if ((d.obligations >> i) & 1u) obs += (obs.empty() ? "" : ", ") + std::string(table().obligation_text(i));
    }
    return obs.empty() ? s : s + " with " + obs;
  }

  // An unlabelled case is named by its text, on one line and at most 100
  // bytes (cut before a UTF-8 sequence): its place is reported beside it.
  static std::string case_text(std::string_view text) {
    const std::string out = one_line(text);
    return out.size() > 100 ? truncate_utf8(out, 97) + "..." : out;
  }

  void run_case(const testfile::Case& c, const std::string& suffix) {
    const size_t errors_before = diags_.error_count();
    const SourceFile& file = sources_.file(c.span.file);
    const LineCol at = file.line_col(c.span.begin);
    CaseResult result;
    result.name = (c.label ? *c.label : case_text(file.text().substr(c.span.begin, c.span.end - c.span.begin))) + suffix;
    result.file = file.name();
    result.line = at.line;
    result.column = at.column;

    auto user_it = users_.find(c.user.text);
    if (user_it == users_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, u] : users_) names.push_back(n);
      error("E0404", c.user.span, fmt::format("unknown user `{}`", c.user.text), did_you_mean(c.user.text, names));
    }
    std::vector<std::string> action_names, type_names;
    for (const auto& a : policy().actions) action_names.push_back(a.name);
    for (const auto& r : policy().resources) type_names.push_back(r.name);
    const auto action = table().find_action(c.action.text);
    if (!action) {
      error("E0407", c.action.span, fmt::format("unknown action `{}`", c.action.text),
            did_you_mean(c.action.text, action_names));
    }
    const auto type = table().find_resource(c.resource_type.text);
    if (!type) {
      error("E0407", c.resource_type.span, fmt::format("unknown resource type `{}`", c.resource_type.text),
            did_you_mean(c.resource_type.text, type_names));
    }
    if (action && type) {
      // A case asking for an action its resource type does not support would be a
      // deny that tests nothing: the policy checker rejects such grants too.
      const auto& supported = policy().resources[*type].actions;
      if (!std::binary_search(supported.begin(), supported.end(), *action)) {
        std::vector<std::string> names;
        for (uint32_t a : supported) names.push_back(policy().actions[a].name);
        error("E0413", c.action.span,
              fmt::format("`{}` does not support action `{}`", c.resource_type.text, c.action.text),
              did_you_mean(c.action.text, names));
      }
    }
    if (c.acting_tenant) check_tenant(*c.acting_tenant);
    if (c.resource_tenant) check_tenant(*c.resource_tenant);
    if (diags_.error_count() > errors_before) {
      ++run_.failed;
      return;
    }
    const testfile::UserDecl& user = *user_it->second;
    const std::string tenant = c.acting_tenant ? c.acting_tenant->text : user.memberships.front().tenant.text;

    runtime::RequestBuilder b(table(), custom_.get());
    b.action(c.action.text).resource_type(c.resource_type.text);
    b.principal(user.name.text, tenant).resource_tenant(c.resource_tenant ? c.resource_tenant->text : tenant);
    for (const auto& m : user.memberships) {
      if (m.tenant.text != tenant) continue;
      for (const auto& r : m.roles) {
        if (table().find_role(r.text)) {
          b.role(r.text);
        } else {
          b.custom_role(r.text);
        }
      }
    }
    const auto& user_attrs = policy().entities[policy().user_entity].attrs;
    for (const auto& a : user.attrs) set_attr(b, Root::kPrincipal, user_attrs, a, "`User`");
    for (const auto& a : c.resource_attrs) {
      set_attr(b, Root::kResource, policy().resources[*type].attrs, a, fmt::format("`{}`", c.resource_type.text));
    }
    for (const auto& a : c.context) set_attr(b, Root::kContext, policy().context, a, "the context");
    std::set<std::string> expected_obligations;
    for (const auto& o : c.obligations) {
      const std::string text = o.arg ? fmt::format("{}({})", o.name.text, o.arg->text) : o.name.text;
      bool known = false;
      for (uint32_t i = 0; i < table().meta().obligation_count; ++i) known = known || table().obligation_text(i) == text;
      if (!known) error("E0409", o.name.span, fmt::format("the policy has no obligation `{}`", text));
      expected_obligations.insert(text);
    }
    if (diags_.error_count() > errors_before) {
      ++run_.failed;
      return;
    }

    const runtime::Request& request = b.build();
    const runtime::Decision d = runtime::evaluate(table(), request, custom_.get());
    const runtime::Decision oracle = p_.oracle->evaluate(request, &oracle_custom_);
    const auto x = runtime::explain(table(), request, custom_.get(), [&](int64_t id) { return b.entity_name(id); });
    for (const runtime::RuleTrace& rt : x.rules) {
      if (rt.applied && rt.rule < p_.exercised.size()) p_.exercised[rt.rule] = true;
    }
    if (d.allowed() && d.custom_role) {
      // Custom-role grants exercise no rule of the policy.
    }

    std::set<std::string> actual_obligations;
    for (uint32_t i = 0; i < 64; ++i) {
      if ((d.obligations >> i) & 1u) actual_obligations.emplace(table().obligation_text(i));
    }
    bool passed = d.allowed() == c.allow;
    if (c.allow) passed = passed && actual_obligations == expected_obligations;
    if (c.by) passed = passed && !d.custom_role && d.rule != runtime::kNoRule && rule_label(d.rule) == c.by->text;
    result.expected = c.allow ? "allow" : "deny";
    if (c.allow && !expected_obligations.empty()) {
      std::string obs;
      for (const auto& o : expected_obligations) obs += (obs.empty() ? "" : ", ") + o;
      result.expected += " with " + obs;
    }
    if (c.by) result.expected += " by " + c.by->text;
    result.actual = decision_text(d);
    // The summary, unless it only says again what `actual` says ("denied: no
    // grant applies", with no rule that came close): then there is no why.
    if (x.summary != fmt::format("denied: {}", runtime::to_string(d.reason))) result.explanation = x.summary;
    const bool agree = oracle.effect == d.effect && oracle.reason == d.reason && oracle.rule == d.rule &&
                       oracle.obligations == d.obligations && oracle.custom_role == d.custom_role;
    if (!agree) {
      passed = false;
      result.actual += fmt::format(" (internal error: the reference interpreter says {})", decision_text(oracle));
    }
    result.passed = passed;
    ++(passed ? run_.passed : run_.failed);
    run_.cases.push_back(std::move(result));
  }

  const testfile::File& f_;
  CompiledPolicy& p_;
  const SourceMap& sources_;
  Diagnostics& diags_;
  TestRun& run_;
  bool world_ok_ = true;
  std::set<std::string> tenants_;
  std::map<std::string, std::set<std::string>> entities_;  // type -> names
  std::map<std::string, const testfile::UserDecl*> users_;
  std::unique_ptr<runtime::CustomRoles> custom_;
  ReferenceCustomRoles oracle_custom_;
};

CompiledPolicy& compile_policy(Storage& storage, const std::string& path, TestRun& run) {
  std::error_code ec;
  std::string canonical = fs::weakly_canonical(path, ec).string();
  if (ec) canonical = path;
  auto& slot = storage.policies[canonical];
  if (slot) return *slot;
  slot = std::make_unique<CompiledPolicy>();
  CompiledPolicy& p = *slot;
  p.path = path;
  p.ws = std::make_unique<compiler::Workspace>();
  DiagnosticGroup group;
  *p.ws = compiler::load({path}, group.diags);
  for (const auto& e : p.ws->io_errors) run.io_errors.push_back(e.message);
  if (p.ws->io_errors.empty() && p.ws->roots.size() == 1) {
    auto policy = compiler::check(*p.ws, p.ws->roots[0], group.diags);
    if (policy) {
      p.policy = std::make_unique<compiler::Policy>(std::move(*policy));
      auto bytes = compiler::lower(*p.ws, p.ws->roots[0], *p.policy, {}, group.diags);
      if (bytes) {
        auto table = runtime::Table::load(*bytes);
        if (table) {
          p.table = *table;
          p.oracle = std::make_unique<ReferenceEvaluator>(*p.policy);
          p.exercised.assign(p.policy->rules.size(), false);
          p.ok = true;
        } else {
          run.io_errors.push_back("internal error: compiled table does not load: " + table.error().message);
        }
      }
    }
  }
  if (group.diags.error_count() > 0) {
    group.sources = &p.ws->sources;
    group.diags.sort_and_dedupe();
    run.diagnostics.push_back(std::move(group));
  }
  return p;
}

}  // namespace

size_t TestRun::error_count() const {
  size_t n = io_errors.size();
  for (const auto& g : diagnostics) n += g.diags.error_count();
  return n;
}

TestRun run_tests(const std::vector<std::string>& paths) {
  TestRun run;
  auto storage = std::make_shared<Storage>();
  run.storage = storage;
  DiagnosticGroup test_diags;
  test_diags.sources = &storage->test_sources;
  std::vector<testfile::File> files;
  for (const std::string& path : expand_paths(paths, ".edict-test", run.io_errors)) {
    std::string error;
    std::string text = read_file(path, error);
    if (!error.empty()) {
      run.io_errors.push_back(error);
      continue;
    }
    const FileId id = storage->test_sources.add(path, std::move(text));
    const size_t before = test_diags.diags.error_count();
    testfile::File f = grammar::parse_test_file(storage->test_sources, id, test_diags.diags);
    // A file that cannot run counts as one failure, so the summary never reads clean.
    if (test_diags.diags.error_count() > before) {
      ++run.failed;
      continue;
    }
    if (!f.policy) {
      test_diags.diags.error("E0400", {id, 0, 0}, "the test file names no policy")
          .help = "start it with `policy \"path/to/policy.edict\";`";
      ++run.failed;
      continue;
    }
    const std::string policy_path = (fs::path(path).parent_path() / *f.policy).lexically_normal().string();
    CompiledPolicy& p = compile_policy(*storage, policy_path, run);
    if (!p.ok) {
      ++run.failed;
      if (p.ws->io_errors.empty() && p.ws->roots.size() == 1) continue;  // its diagnostics say why
      test_diags.diags.error("E0400", f.policy_span, fmt::format("cannot compile policy `{}`", *f.policy));
      continue;
    }
    FileRunner(f, p, storage->test_sources, test_diags.diags, run).run();
  }
  for (const auto& [canonical, p] : storage->policies) {
    if (!p->ok) continue;
    PolicyCoverage cov{p->path, {}};
    for (size_t i = 0; i < p->policy->rules.size(); ++i) {
      const compiler::Rule& r = p->policy->rules[i];
      const SourceFile& f = p->ws->sources.file(r.span.file);
      cov.rules.push_back({r.name, f.name(), f.line_col(r.span.begin).line, r.effect == ast::Effect::kForbid,
                           p->exercised[i]});
    }
    run.coverage.push_back(std::move(cov));
  }
  if (test_diags.diags.error_count() > 0) {
    test_diags.diags.sort_and_dedupe();
    run.diagnostics.push_back(std::move(test_diags));
  }
  return run;
}

}  // namespace edict::testkit
