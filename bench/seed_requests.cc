// bench/seed_requests.cc: see seed_requests.h.
#include "bench/seed_requests.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "compiler/lower.h"
#include "runtime/eval.h"

namespace edict::bench {

namespace {
using Root = runtime::format::Root;
using runtime::Effect;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "edict bench: %s\n", message.c_str());
  std::exit(2);
}

std::vector<std::string> groups(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("g" + std::to_string(i));
  return out;
}
}  // namespace

std::shared_ptr<const runtime::Table> compile_seed(const std::string& file) {
  const std::string path = std::string(EDICT_SOURCE_DIR) + "/policies/" + file;
  Diagnostics diags;
  compiler::Workspace ws;
  auto bytes = compiler::compile_files({path}, {}, diags, ws);
  if (!bytes) {
    render_text(diags, ws.sources, std::cerr, false);
    die(path + " does not compile");
  }
  auto table = runtime::Table::load(*bytes);
  if (!table) die(path + ": table does not load: " + table.error().message);
  return *table;
}

runtime::RequestBuilder& SeedCases::builder(const runtime::Table& t, const runtime::CustomRoles* custom) {
  builders_.push_back(std::make_unique<runtime::RequestBuilder>(t, custom));
  return *builders_.back();
}

SeedCases::SeedCases() {
  pbx_ = compile_seed("pbx.edict");
  dashboard_ = compile_seed("dashboard.edict");
  contact_center_ = compile_seed("contact_center.edict");

  // "Receptionist: view on Extensions, CallFlows, RingGroups, CallQueues (queue
  // stats), CallHistory; view/create/edit on Voicemail and Media" (pbx.edict).
  pbx_custom_ = std::make_unique<runtime::CustomRoles>(pbx_);
  runtime::CustomRoleSpec receptionist{"Receptionist", "custom_role", {}};
  for (const char* type : {"UserExtension", "CallFlow", "RingGroup", "CallQueue", "CallRecord"}) {
    receptionist.permissions.emplace_back("view", type);
  }
  for (const char* type : {"VoicemailBox", "VoicemailMessage", "MediaFile"}) {
    for (const char* action : {"view", "create", "edit"}) receptionist.permissions.emplace_back(action, type);
  }
  if (auto added = pbx_custom_->add(receptionist); !added) die("custom role: " + added.error());

  auto add = [&](std::string name, std::string what, const runtime::Table& t, const runtime::CustomRoles* custom,
                 runtime::RequestBuilder& b, Effect expected) {
    const runtime::Request& r = b.build();
    if (r.error != runtime::RequestError::kNone) die(name + ": " + b.error_message());
    const runtime::Decision d = runtime::evaluate(t, r, custom);
    if (d.effect != expected) {
      die(name + ": expected " + (expected == Effect::kAllow ? "allow" : "deny") + ", got " +
          runtime::to_string(d.reason));
    }
    cases_.push_back({std::move(name), std::move(what), &t, custom, &r, expected});
  };
  // A pbx principal that may act at all: active, verified (two forbid-all rules check it).
  auto pbx_request = [&](const char* role, const char* action, const char* type) -> runtime::RequestBuilder& {
    auto& b = builder(*pbx_, pbx_custom_.get());
    b.action(action).resource_type(type).principal("u1", "t1").resource_tenant("t1").role(role);
    b.attr(Root::kPrincipal, "status", "active").attr_bool(Root::kPrincipal, "email_verified", true);
    b.attr_set(Root::kPrincipal, "extensions", {"e100", "e101"});
    return b;
  };
  auto dashboard_request = [&](const char* role, const char* action, const char* type) -> runtime::RequestBuilder& {
    auto& b = builder(*dashboard_);
    b.action(action).resource_type(type).principal("u1", "t1").resource_tenant("t1").role(role);
    return b;
  };

  add("role_only_pbx_tenant_admin", "pbx: tenant_admin view UserExtension (2 forbid-all conditions + role bit)",
      *pbx_, pbx_custom_.get(), pbx_request("tenant_admin", "view", "UserExtension"), Effect::kAllow);
  add("role_only_dashboard_accountant", "dashboard: accountant view Credits (role bits only)", *dashboard_, nullptr,
      dashboard_request("accountant", "view", "Credits"), Effect::kAllow);

  for (int n : {1, 4, 16}) {
    auto& b = dashboard_request("supervisor", "view", "Activity");
    b.attr_set(Root::kPrincipal, "groups", groups(n)).attr_set(Root::kPrincipal, "ivrs", {"ivr1"});
    b.attr(Root::kResource, "group", "g" + std::to_string(n - 1));
    add("scoped_groups_" + std::to_string(n),
        "dashboard: supervisor view Activity, resource.group in principal.groups (" + std::to_string(n) + ")",
        *dashboard_, nullptr, b, Effect::kAllow);
  }
  {
    auto& b = dashboard_request("supervisor", "view", "Activity");
    b.attr_set(Root::kPrincipal, "groups", groups(16)).attr_set(Root::kPrincipal, "ivrs", {"ivr1"});
    b.attr(Root::kResource, "group", "g99");
    add("scoped_groups_16_denied", "dashboard: as scoped_groups_16, but the group is not the principal's: denied",
        *dashboard_, nullptr, b, Effect::kDeny);
  }
  {
    auto& b = dashboard_request("admin", "edit", "Member");
    b.attr(Root::kResource, "role", "admin");
    add("forbid_admin_edits_admin", "dashboard: admin edit Member whose role is admin: denied by a forbid",
        *dashboard_, nullptr, b, Effect::kDeny);
  }
  {
    auto& b = builder(*contact_center_);
    b.action("edit").resource_type("Member").principal("u1", "t1").resource_tenant("t1").role("manager");
    b.attr(Root::kResource, "account", "u2").attr(Root::kResource, "role", "agent");
    add("rank_manager_edits_agent",
        "contact_center: manager edit Member whose role is agent (forbid unless resource.role < principal.rank)",
        *contact_center_, nullptr, b, Effect::kAllow);
  }
  {
    auto& b = pbx_request("tenant_user", "view", "UserExtension");
    b.custom_role("Receptionist");
    add("custom_role_pbx_receptionist", "pbx: tenant_user + custom role Receptionist view UserExtension", *pbx_,
        pbx_custom_.get(), b, Effect::kAllow);
  }
}

const SeedCase& SeedCases::get(const std::string& name) const {
  for (const SeedCase& c : cases_) {
    if (c.name == name) return c;
  }
  die("no seed case `" + name + "`");
}

}  // namespace edict::bench
