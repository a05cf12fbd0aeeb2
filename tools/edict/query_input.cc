// tools/edict/query_input.cc: the table source, request input and decision output
// shared by `edict query` and `edict explain` (see query_input.h), and the
// compile-and-report step shared with `edict compile`.
#include "tools/edict/query_input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/lower.h"
#include "compiler/permission_help.h"
#include "grammar/diagnostic.h"
#include "runtime/eval.h"
#include "support/suggest.h"

namespace edict::cli {
namespace {

namespace tf = runtime::format;
using nlohmann::json;

// One attribute value to set, from a flag or from JSON.
struct AttrSetting {
  enum class Kind { kText, kBool, kInt, kSet, kAbsent };
  tf::Root root = tf::Root::kPrincipal;
  std::string name;
  Kind kind = Kind::kText;
  std::string text;
  bool b = false;
  int64_t i = 0;
  std::vector<std::string> items;
};

// The request as given, before names are resolved against the table.
struct RequestSpec {
  std::optional<std::string> action, resource, principal, tenant, resource_tenant;
  std::vector<std::string> roles;
  std::vector<runtime::CustomRoleSpec> custom_roles;
  std::vector<AttrSetting> attrs;
};

// A mistake in how the request was written (not in what it names): exit 2.
struct InputError {
  std::string message;
};

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(sep, start);
    out.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// "action/Resource" -> (action, Resource).
std::pair<std::string, std::string> parse_permission(std::string_view text, std::string_view context) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size())
    throw InputError{fmt::format("{}: expected `action/Resource`, got `{}`", context, text)};
  return {std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
}

// "NAME=catalog:action/Resource,action/Resource".
runtime::CustomRoleSpec parse_custom_role(std::string_view text) {
  const size_t eq = text.find('=');
  const size_t colon = eq == std::string_view::npos ? eq : text.find(':', eq + 1);
  if (eq == std::string_view::npos || eq == 0 || colon == std::string_view::npos || colon == eq + 1)
    throw InputError{fmt::format("custom role `{}`: expected NAME=catalog:action/Resource,...", text)};
  runtime::CustomRoleSpec spec;
  spec.name = std::string(text.substr(0, eq));
  spec.catalog = std::string(text.substr(eq + 1, colon - eq - 1));
  const std::string_view perms = text.substr(colon + 1);
  if (!perms.empty()) {
    for (const std::string& p : split(perms, ','))
      spec.permissions.push_back(parse_permission(p, fmt::format("custom role `{}`", spec.name)));
  }
  return spec;
}

// "name=value" from --principal-attr and friends. The builder reads the text by the
// attribute's declared type: a set takes a comma-separated list (groups=g1,g2).
AttrSetting parse_attr_flag(tf::Root root, std::string_view text, std::string_view flag) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw InputError{fmt::format("{} `{}`: expected name=value", flag, text)};
  AttrSetting a;
  a.root = root;
  a.name = std::string(text.substr(0, eq));
  a.kind = AttrSetting::Kind::kText;
  a.text = std::string(text.substr(eq + 1));
  return a;
}

// ---- JSON requests ----------------------------------------------------------------

const json& member(const json& obj, std::string_view key) {
  static const json kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

void expect_keys(const json& obj, std::string_view where, std::initializer_list<std::string_view> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (std::string_view k : keys) known = known || it.key() == k;
    if (!known) {
      std::string list;
      for (std::string_view k : keys) list += fmt::format("{}`{}`", list.empty() ? "" : ", ", k);
      throw InputError{fmt::format("request: unknown key `{}` in {}; expected {}", it.key(), where, list)};
    }
  }
}

std::optional<std::string> optional_string(const json& obj, std::string_view key, std::string_view where) {
  const json& v = member(obj, key);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) throw InputError{fmt::format("request: `{}{}` must be a string", where, key)};
  return v.get<std::string>();
}

std::vector<std::string> string_array(const json& v, std::string_view where) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) throw InputError{fmt::format("request: `{}` must be an array of strings", where)};
  for (const json& item : v) {
    if (!item.is_string()) throw InputError{fmt::format("request: `{}` must be an array of strings", where)};
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A JSON scalar as the textual form RequestBuilder reads.
std::string scalar_text(const json& v, std::string_view where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  throw InputError{fmt::format("request: `{}` items must be strings, integers or booleans", where)};
}

void json_attrs(const json& obj, tf::Root root, std::string_view where, std::vector<AttrSetting>& out) {
  if (obj.is_null()) return;
  if (!obj.is_object()) throw InputError{fmt::format("request: `{}` must be an object", where)};
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string path = fmt::format("{}.{}", where, it.key());
    const json& v = it.value();
    AttrSetting a;
    a.root = root;
    a.name = it.key();
    if (v.is_null()) {
      a.kind = AttrSetting::Kind::kAbsent;
    } else if (v.is_boolean()) {
      a.kind = AttrSetting::Kind::kBool;
      a.b = v.get<bool>();
    } else if (v.is_number_integer()) {
      a.kind = AttrSetting::Kind::kInt;
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        throw InputError{fmt::format("request: `{}` is out of the 64-bit integer range", path)};
      a.i = v.get<int64_t>();
    } else if (v.is_string()) {
      a.kind = AttrSetting::Kind::kText;
      a.text = v.get<std::string>();
    } else if (v.is_array()) {
      a.kind = AttrSetting::Kind::kSet;
      for (const json& item : v) a.items.push_back(scalar_text(item, path));
    } else {
      throw InputError{fmt::format("request: `{}` must be a string, integer, boolean, array or null", path)};
    }
    out.push_back(std::move(a));
  }
}

runtime::CustomRoleSpec json_custom_role(const json& v, size_t index) {
  const std::string where = fmt::format("custom_roles[{}]", index);
  if (v.is_string()) return parse_custom_role(v.get<std::string>());
  if (!v.is_object())
    throw InputError{fmt::format("request: `{}` must be an object or \"NAME=catalog:action/Resource,...\"", where)};
  expect_keys(v, where, {"name", "catalog", "permissions"});
  runtime::CustomRoleSpec spec;
  spec.name = optional_string(v, "name", where + ".").value_or("");
  spec.catalog = optional_string(v, "catalog", where + ".").value_or("");
  if (spec.name.empty() || spec.catalog.empty())
    throw InputError{fmt::format("request: `{}` needs a `name` and a `catalog`", where)};
  const json& perms = member(v, "permissions");
  if (!perms.is_null() && !perms.is_array())
    throw InputError{fmt::format("request: `{}.permissions` must be an array", where)};
  for (const json& p : perms.is_null() ? json::array() : perms) {
    if (p.is_string()) {
      spec.permissions.push_back(parse_permission(p.get<std::string>(), "request: " + where));
    } else if (p.is_object() && member(p, "action").is_string() && member(p, "resource").is_string()) {
      spec.permissions.emplace_back(p["action"].get<std::string>(), p["resource"].get<std::string>());
    } else {
      throw InputError{fmt::format(
          "request: `{}.permissions` items must be \"action/Resource\" or {{\"action\", \"resource\"}}", where)};
    }
  }
  return spec;
}

std::string read_request_text(const std::string& arg) {
  if (arg.empty() || arg[0] != '@') {
    // `--request req.json` for `--request @req.json`: say so, rather than
    // reporting the file's name as malformed JSON.
    const size_t first = arg.find_first_not_of(" \t\r\n");
    std::error_code ec;
    if (first != std::string::npos && arg[first] != '{' && std::filesystem::is_regular_file(arg, ec)) {
      throw InputError{fmt::format("request: `{}` is a file, not JSON; to read the request from it, write `@{}`",
                                   arg, arg)};
    }
    return arg;
  }
  const std::string path = arg.substr(1);
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
    return buf.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError{fmt::format("cannot read `{}`: {}", path, std::strerror(errno))};
  buf << in.rdbuf();
  return buf.str();
}

void parse_json_request(const std::string& text, RequestSpec& spec) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    std::string what = e.what();
    if (const size_t at = what.find("] "); what.starts_with("[json.exception") && at != std::string::npos)
      what = what.substr(at + 2);
    throw InputError{"request: malformed JSON: " + what};
  }
  if (!doc.is_object()) throw InputError{"request: expected a JSON object"};
  expect_keys(doc, "the request", {"principal", "action", "resource", "context", "custom_roles"});

  if (const json& p = member(doc, "principal"); !p.is_null()) {
    if (!p.is_object()) throw InputError{"request: `principal` must be an object"};
    expect_keys(p, "`principal`", {"id", "tenant", "roles", "attrs"});
    spec.principal = optional_string(p, "id", "principal.");
    spec.tenant = optional_string(p, "tenant", "principal.");
    spec.roles = string_array(member(p, "roles"), "principal.roles");
    json_attrs(member(p, "attrs"), tf::Root::kPrincipal, "principal.attrs", spec.attrs);
  }
  spec.action = optional_string(doc, "action", "");
  if (const json& r = member(doc, "resource"); !r.is_null()) {
    if (!r.is_object()) throw InputError{"request: `resource` must be an object"};
    expect_keys(r, "`resource`", {"type", "tenant", "attrs"});
    spec.resource = optional_string(r, "type", "resource.");
    spec.resource_tenant = optional_string(r, "tenant", "resource.");
    json_attrs(member(r, "attrs"), tf::Root::kResource, "resource.attrs", spec.attrs);
  }
  json_attrs(member(doc, "context"), tf::Root::kContext, "context", spec.attrs);
  if (const json& c = member(doc, "custom_roles"); !c.is_null()) {
    if (!c.is_array()) throw InputError{"request: `custom_roles` must be an array"};
    for (size_t i = 0; i < c.size(); ++i) spec.custom_roles.push_back(json_custom_role(c[i], i));
  }
}

// The JSON request first, then flags on top (a flag overrides or adds).
RequestSpec gather(const QueryOptions& opts) {
  RequestSpec spec;
  if (!opts.request.empty()) parse_json_request(read_request_text(opts.request), spec);
  if (!opts.action.empty()) spec.action = opts.action;
  if (!opts.resource.empty()) spec.resource = opts.resource;
  if (!opts.principal.empty()) spec.principal = opts.principal;
  if (!opts.tenant.empty()) spec.tenant = opts.tenant;
  if (!opts.resource_tenant.empty()) spec.resource_tenant = opts.resource_tenant;
  spec.roles.insert(spec.roles.end(), opts.roles.begin(), opts.roles.end());
  for (const std::string& c : opts.custom_roles) spec.custom_roles.push_back(parse_custom_role(c));
  for (const std::string& a : opts.principal_attrs)
    spec.attrs.push_back(parse_attr_flag(tf::Root::kPrincipal, a, "--principal-attr"));
  for (const std::string& a : opts.resource_attrs)
    spec.attrs.push_back(parse_attr_flag(tf::Root::kResource, a, "--resource-attr"));
  for (const std::string& a : opts.context)
    spec.attrs.push_back(parse_attr_flag(tf::Root::kContext, a, "--context"));

  if (!spec.action) throw InputError{"no action given (--action, or \"action\" in --request)"};
  if (!spec.resource) throw InputError{"no resource type given (--resource, or \"resource\": {\"type\"} in --request)"};
  if (!spec.tenant) throw InputError{"no tenant given (--tenant, or \"principal\": {\"tenant\"} in --request)"};
  return spec;
}

// Why a custom role's permission names no action or resource type of the
// table. With the policy's source at hand (policy files, not --table), an
// action group or a category says what it stands for, as in `edict test`
// (compiler/permission_help.h). A compiled table holds neither: a name with
// no near miss then gets that said. nullopt when every name resolves.
std::optional<std::string> unresolved_permission(const compiler::Policy* policy, const runtime::Table& t,
                                                 const runtime::CustomRoleSpec& c) {
  auto unknown = [&](compiler::PermissionPart part, const std::string& name) {
    const bool action = part == compiler::PermissionPart::kAction;
    std::string tail;  // "; " and the help, or ""
    if (policy != nullptr) {
      const std::string help = compiler::permission_name_help(*policy, part, name);
      if (!help.empty()) tail = "; " + help;
    } else {
      tail = action ? suggestion(name, t.action_count(), [&](uint32_t k) { return t.action_name(k); })
                    : suggestion(name, t.resource_count(), [&](uint32_t k) { return t.resource_name(k); });
      if (tail.empty()) {
        tail = action ? fmt::format("; a compiled table holds single actions only: if `{}` is an action group, "
                                    "name its actions, or query the policy files",
                                    name)
                      : fmt::format("; a compiled table holds resource types only: if `{}` is a category, name "
                                    "its types, or query the policy files",
                                    name);
      }
    }
    return fmt::format("custom role `{}`: unknown {} `{}`{}", c.name, action ? "action" : "resource type", name, tail);
  };
  for (const auto& [action, resource] : c.permissions) {
    if (!t.find_action(action)) return unknown(compiler::PermissionPart::kAction, action);
    if (!t.find_resource(resource)) return unknown(compiler::PermissionPart::kResourceType, resource);
  }
  return std::nullopt;
}

void build_request(const RequestSpec& spec, PreparedQuery& q) {
  q.custom = std::make_shared<runtime::CustomRoles>(q.table);
  for (const runtime::CustomRoleSpec& c : spec.custom_roles) {
    if (auto why = unresolved_permission(q.policy ? &*q.policy : nullptr, *q.table, c)) {
      q.notes.push_back(std::move(*why));
      continue;
    }
    auto added = q.custom->add(c);
    if (!added) {
      const std::string& why = added.error();
      q.notes.push_back(why.starts_with("custom role") ? why : fmt::format("custom role `{}`: {}", c.name, why));
    }
  }
  q.builder = std::make_unique<runtime::RequestBuilder>(*q.table, q.custom.get());
  runtime::RequestBuilder& b = *q.builder;
  b.action(*spec.action);
  b.resource_type(*spec.resource);
  b.principal(spec.principal.value_or("principal"), *spec.tenant);
  b.resource_tenant(spec.resource_tenant.value_or(*spec.tenant));
  for (const std::string& r : spec.roles) b.role(r);
  // A rejected custom role is still named: the request then denies as naming an
  // unknown custom role, which is what a gateway would see.
  for (const runtime::CustomRoleSpec& c : spec.custom_roles) b.custom_role(c.name);
  for (const AttrSetting& a : spec.attrs) {
    switch (a.kind) {
      case AttrSetting::Kind::kText: b.attr(a.root, a.name, a.text); break;
      case AttrSetting::Kind::kBool: b.attr_bool(a.root, a.name, a.b); break;
      case AttrSetting::Kind::kInt: b.attr_int(a.root, a.name, a.i); break;
      case AttrSetting::Kind::kSet: b.attr_set(a.root, a.name, a.items); break;
      case AttrSetting::Kind::kAbsent: break;
    }
  }
}

}  // namespace

void add_query_options(CLI::App& cmd, QueryOptions& opts) {
  cmd.add_option("policies", opts.policies, "policy files or directories, compiled in memory (or use --table)");
  cmd.add_option("--table,-t", opts.table_path, "a compiled table (.edictc), from `edict compile`");
  cmd.add_option("--request", opts.request,
                 "the request as JSON, or @FILE (@- for stdin): {\"principal\": {\"id\", \"tenant\", \"roles\", "
                 "\"attrs\"}, \"action\", \"resource\": {\"type\", \"tenant\", \"attrs\"}, \"context\", "
                 "\"custom_roles\"}; flags add to it");
  cmd.add_option("--action", opts.action, "the action");
  cmd.add_option("--resource", opts.resource, "the resource type");
  cmd.add_option("--principal", opts.principal, "the principal's id (default `principal`)");
  cmd.add_option("--tenant", opts.tenant, "the principal's tenant (the resource's too, by default)");
  cmd.add_option("--resource-tenant", opts.resource_tenant, "the resource's tenant");
  cmd.add_option("--role", opts.roles, "a role the principal holds (repeatable)")->allow_extra_args(false);
  cmd.add_option("--custom-role", opts.custom_roles,
                 "a custom role the principal holds: NAME=catalog:action/Resource,... (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--principal-attr", opts.principal_attrs,
                 "name=value (repeatable; sets as comma lists: groups=g1,g2)")
      ->allow_extra_args(false);
  cmd.add_option("--resource-attr", opts.resource_attrs, "name=value (repeatable)")->allow_extra_args(false);
  cmd.add_option("--context", opts.context, "name=value (repeatable)")->allow_extra_args(false);
  cmd.add_option("--format", opts.format, "output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"text", Format::kText}, {"json", Format::kJson}}));
  cmd.add_flag("--exit-code", opts.exit_code, "exit 1 when the request is denied");
  cmd.add_option("--color", opts.color, "color diagnostics: auto (default), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

int compile_policy(const std::vector<std::string>& paths, const compiler::LowerOptions& options, Format format,
                   const std::string& color, compiler::Workspace& ws, std::vector<std::byte>& bytes,
                   nlohmann::json* json_doc, std::optional<compiler::Policy>* checked) {
  std::vector<std::string> errors;
  const std::vector<std::string> files = expand_paths(paths, errors);
  Diagnostics diags;
  std::optional<std::vector<std::byte>> compiled;
  if (errors.empty()) {
    auto result = compiler::compile_files(files, options, diags, ws, checked);
    if (result) compiled = std::move(*result);
    for (const compiler::IoError& e : ws.io_errors) errors.push_back(e.message);
    if (!compiled && errors.empty() && !diags.has_errors() && ws.roots.size() != 1) {
      std::string roots;
      for (FileId r : ws.roots) roots += fmt::format(" `{}`", ws.sources.file(r).name());
      errors.push_back(ws.roots.empty() ? std::string("no policy file given")
                                        : fmt::format("expected one policy (one root file), got {}:{}",
                                                      ws.roots.size(), roots));
    }
  }
  diags.sort_and_dedupe();
  if (format == Format::kJson && json_doc != nullptr) {
    std::ostringstream buf;
    render_json(diags, ws.sources, buf);
    *json_doc = nlohmann::json::parse(buf.str());
    (*json_doc)["io_errors"] = errors;
  } else {
    const bool use_color = color == "always" || (color == "auto" && isatty(STDERR_FILENO));
    render_text(diags, ws.sources, std::cerr, use_color);
    for (const std::string& e : errors) std::cerr << "edict: error: " << e << '\n';
    if (diags.has_errors())
      std::cerr << fmt::format("edict: {} error{}\n", diags.error_count(), diags.error_count() == 1 ? "" : "s");
  }
  if (!errors.empty()) return kExitUsage;
  if (diags.has_errors()) return kExitPolicyErrors;
  if (!compiled) {
    if (format != Format::kJson || json_doc == nullptr) std::cerr << "edict: error: the policy did not compile\n";
    return kExitUsage;
  }
  bytes = std::move(*compiled);
  return kExitOk;
}

int prepare_query(const QueryOptions& opts, PreparedQuery& q) {
  if (!opts.table_path.empty() && !opts.policies.empty()) {
    std::cerr << "edict: error: give either --table or policy files, not both\n";
    return kExitUsage;
  }
  if (opts.table_path.empty() && opts.policies.empty()) {
    std::cerr << "edict: error: no table: give --table T.edictc or policy files\n";
    return kExitUsage;
  }
  if (!opts.table_path.empty()) {
    auto loaded = runtime::Table::load_file(opts.table_path);
    if (!loaded) {
      const runtime::LoadError& e = loaded.error();
      // Policy source given as the table: say how to ask it instead.
      std::error_code ec;
      const bool source = opts.table_path.ends_with(".edict") || std::filesystem::is_directory(opts.table_path, ec);
      std::cerr << fmt::format("edict: error: cannot load `{}`: {}{}{}{}\n", opts.table_path, runtime::to_string(e.code),
                               e.code == runtime::LoadErrorCode::kIo ? "" : fmt::format(" at byte {}", e.offset),
                               e.message.empty() ? "" : ": " + e.message,
                               source ? "; that is policy source, not a compiled table: give it without --table to "
                                        "compile it in memory, or compile it with `edict compile`"
                                      : "");
      return kExitUsage;
    }
    q.table = std::move(*loaded);
  } else {
    std::vector<std::byte> bytes;
    compiler::LowerOptions options;
    options.debug_info = true;
    // Diagnostics always go to stderr as text here: stdout carries the decision.
    if (int rc = compile_policy(opts.policies, options, Format::kText, opts.color, q.ws, bytes, nullptr, &q.policy);
        rc != kExitOk)
      return rc;
    auto loaded = runtime::Table::load(bytes);
    if (!loaded) {
      std::cerr << fmt::format("edict: internal error: the compiled table does not load: {} at byte {}: {}\n",
                               runtime::to_string(loaded.error().code), loaded.error().offset, loaded.error().message);
      return kExitUsage;
    }
    q.table = std::move(*loaded);
  }
  try {
    build_request(gather(opts), q);
  } catch (const InputError& e) {
    std::cerr << "edict: error: " << e.message << '\n';
    return kExitUsage;
  }
  for (const std::string& n : q.notes) std::cerr << "edict: note: " << n << '\n';
  return kExitOk;
}

std::string rule_location(const runtime::Table& table, uint32_t rule) {
  if (rule >= table.rule_count()) return "";
  const tf::DebugRule* d = table.debug_rule(rule);
  if (d == nullptr) return "";
  return fmt::format("{}:{}", table.string(d->file), d->line);
}

namespace {

std::vector<std::string> obligation_texts(const runtime::Table& table, const runtime::Decision& d) {
  std::vector<std::string> out;
  if (!d.allowed()) return out;
  for (uint32_t i = 0; i < table.meta().obligation_count && i < 64; ++i)
    if ((d.obligations >> i) & 1u) out.emplace_back(table.obligation_text(i));
  return out;
}

std::string rule_label(const runtime::Table& table, uint32_t rule) {
  std::string name(table.rule_name(rule));
  const std::string where = rule_location(table, rule);
  if (!where.empty() && where != name) name += fmt::format(" ({})", where);
  return name;
}

// The name of the custom role whose allow decided `d`, or empty. evaluate()
// says only that one did; explain() finds which.
std::string allowing_custom_role(const PreparedQuery& q, const runtime::Decision& d) {
  if (!d.custom_role || !q.builder || !q.custom) return {};
  const uint32_t index = runtime::explain(*q.table, q.builder->build(), q.custom.get()).custom_role;
  return index < q.custom->size() ? q.custom->name(index) : std::string();
}

}  // namespace

nlohmann::json decision_json(const PreparedQuery& q, const runtime::Decision& d) {
  const runtime::Table& t = *q.table;
  json out;
  out["decision"] = d.allowed() ? "allow" : "deny";
  out["reason"] = runtime::to_string(d.reason);
  if (d.rule != runtime::kNoRule && d.rule < t.rule_count()) {
    json rule;
    rule["id"] = d.rule;
    rule["name"] = std::string(t.rule_name(d.rule));
    rule["effect"] = t.rules()[d.rule].effect != 0 ? "grant" : "forbid";
    const std::string where = rule_location(t, d.rule);
    rule["location"] = where.empty() ? json() : json(where);
    out["rule"] = rule;
  } else {
    out["rule"] = nullptr;
  }
  out["obligations"] = obligation_texts(t, d);
  out["custom_role"] = d.custom_role;
  const std::string custom_role = allowing_custom_role(q, d);
  out["custom_role_name"] = custom_role.empty() ? json() : json(custom_role);
  out["condition_errors"] = d.condition_errors;
  if (d.request_error != runtime::RequestError::kNone) {
    out["request_error"] = {{"kind", runtime::to_string(d.request_error)},
                            {"message", q.builder ? q.builder->error_message() : std::string()}};
  } else {
    out["request_error"] = nullptr;
  }
  out["notes"] = q.notes;
  out["policy_hash"] = fmt::format("{:016x}", t.policy_hash());
  return out;
}

std::string decision_text(const PreparedQuery& q, const runtime::Decision& d) {
  const runtime::Table& t = *q.table;
  std::string out = d.allowed() ? "allow\n" : "deny\n";
  out += fmt::format("  reason: {}", runtime::to_string(d.reason));
  if (d.request_error != runtime::RequestError::kNone) {
    const std::string message = q.builder ? q.builder->error_message() : std::string();
    out += fmt::format(": {}", message.empty() ? runtime::to_string(d.request_error) : message);
  }
  out += '\n';
  if (d.rule != runtime::kNoRule && d.rule < t.rule_count()) {
    out += fmt::format("  rule: {} {}\n", t.rules()[d.rule].effect != 0 ? "grant" : "forbid", rule_label(t, d.rule));
  } else if (d.custom_role) {
    const std::string custom_role = allowing_custom_role(q, d);
    out += custom_role.empty() ? std::string("  rule: a custom role\n")
                               : fmt::format("  rule: custom role `{}`\n", custom_role);
  }
  if (d.allowed()) {
    const std::vector<std::string> obligations = obligation_texts(t, d);
    std::string list;
    for (const std::string& o : obligations) list += (list.empty() ? "" : ", ") + o;
    out += fmt::format("  obligations: {}\n", list.empty() ? "none" : list);
  }
  if (d.condition_errors > 0)
    out += fmt::format("  condition errors: {} (missing data; failed closed)\n", d.condition_errors);
  return out;
}

int query_exit_code(const QueryOptions& opts, const runtime::Decision& d) {
  return opts.exit_code && !d.allowed() ? kExitPolicyErrors : kExitOk;
}

}  // namespace edict::cli
