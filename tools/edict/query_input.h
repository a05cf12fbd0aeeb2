// tools/edict/query_input.h: what `edict query` and `edict explain` share: the
// table source (--table or policy files compiled in memory), the request (flags
// and/or --request JSON) built with runtime::RequestBuilder, and the decision's
// rendering as text or JSON. The logic lives in the runtime; this only translates
// command-line text into its calls.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "compiler/load.h"
#include "compiler/lower.h"
#include "runtime/custom_roles.h"
#include "runtime/decision.h"
#include "runtime/request_builder.h"
#include "runtime/table.h"
#include "tools/edict/commands.h"

namespace edict::cli {

struct QueryOptions {
  std::string table_path;             // --table
  std::vector<std::string> policies;  // or policy files, compiled in memory
  std::string request;                // --request JSON, or @file (@- for stdin)
  std::string action, resource, principal, tenant, resource_tenant;
  std::vector<std::string> roles;
  std::vector<std::string> custom_roles;  // NAME=catalog:action/Resource,action/Resource
  std::vector<std::string> principal_attrs, resource_attrs, context;  // name=value
  Format format = Format::kText;
  bool exit_code = false;  // --exit-code: exit 1 on deny
  std::string color = "auto";
};

// Loads, checks and lowers the one policy made of `paths` (files and directories,
// as `edict check` takes them). Diagnostics go to stderr as text, or, with
// Format::kJson and a `json_doc`, into *json_doc ({"diagnostics", "errors",
// "warnings", "io_errors"}) for the caller to complete and print. Returns kExitOk
// with the table's bytes, kExitPolicyErrors, or kExitUsage (I/O, not one root).
// The checked policy goes to `checked` when given.
int compile_policy(const std::vector<std::string>& paths, const compiler::LowerOptions& options, Format format,
                   const std::string& color, compiler::Workspace& ws, std::vector<std::byte>& bytes,
                   nlohmann::json* json_doc, std::optional<compiler::Policy>* checked = nullptr);

// Registers the options above on `cmd`.
void add_query_options(CLI::App& cmd, QueryOptions& opts);

// A loaded table and a built request, alive together (the builder points into the
// table and the custom roles).
struct PreparedQuery {
  compiler::Workspace ws;  // the policy's sources, when compiled from files
  std::optional<compiler::Policy> policy;  // the checked policy, when compiled from files
  std::shared_ptr<const runtime::Table> table;
  std::shared_ptr<runtime::CustomRoles> custom;
  std::unique_ptr<runtime::RequestBuilder> builder;
  std::vector<std::string> notes;  // e.g. a custom role its catalog rejected
};

// Loads the table and builds the request. On failure prints what went wrong to
// stderr and returns the exit code (kExitUsage, or kExitPolicyErrors when the
// policy files have errors); returns kExitOk when `out` is ready.
int prepare_query(const QueryOptions& opts, PreparedQuery& out);

// "policies/x.edict:12" for a rule, from the debug section; "" without one.
std::string rule_location(const runtime::Table& table, uint32_t rule);

// The decision as JSON (the shape `edict query --format json` prints).
nlohmann::json decision_json(const PreparedQuery& q, const runtime::Decision& d);
// The decision as text lines: "allow" or "deny", then indented details.
std::string decision_text(const PreparedQuery& q, const runtime::Decision& d);

// The exit status of an answered query.
int query_exit_code(const QueryOptions& opts, const runtime::Decision& d);

}  // namespace edict::cli
