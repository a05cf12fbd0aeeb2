// tools/edict/cmd_diff.cc: `edict diff OLD NEW`: which decisions a change grants
// or revokes (compiler/diff.h), for code review.
//
// OLD and NEW are each one policy: a root file (with its includes), or a
// directory or several files that form exactly one policy. Both are checked;
// errors in either are printed and the exit status is 2. Otherwise the exit
// status is 1 when some change may allow more than before (a second reviewer
// is due) and 0 when nothing is newly allowed.
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/check.h"
#include "compiler/diff.h"
#include "compiler/load.h"
#include "tools/edict/commands.h"

namespace edict::cli {
namespace {

struct DiffOptions {
  std::string old_path, new_path;
  Format format = Format::kText;
};

struct Loaded {
  compiler::Workspace ws;
  std::optional<compiler::Policy> policy;
};

// Loads and checks one side; prints what is wrong and returns false on error.
bool load_side(const std::string& path, const char* side, Loaded& out) {
  std::vector<std::string> errors;
  const std::vector<std::string> files = expand_paths({path}, errors);
  Diagnostics diags;
  out.ws = compiler::load(files, diags);
  for (const compiler::IoError& e : out.ws.io_errors) errors.push_back(e.message);
  if (errors.empty() && out.ws.roots.size() != 1) {
    errors.push_back(fmt::format("{} policy `{}`: {} separate policies; give one root file (or a directory with one)",
                                 side, path, out.ws.roots.size()));
  }
  if (errors.empty() && !diags.has_errors()) {
    auto checked = compiler::check(out.ws, out.ws.roots[0], diags);
    if (checked) out.policy = std::move(*checked);
  }
  diags.sort_and_dedupe();
  render_text(diags, out.ws.sources, std::cerr, false);
  for (const std::string& e : errors) std::cerr << "edict: error: " << e << '\n';
  if (diags.has_errors()) std::cerr << fmt::format("edict: the {} policy `{}` has errors\n", side, path);
  return errors.empty() && out.policy.has_value();
}

nlohmann::json to_json(const compiler::DiffReport& report) {
  nlohmann::json changes = nlohmann::json::array();
  for (const compiler::DecisionChange& c : report.changes) {
    nlohmann::json j{{"what", c.what}, {"summary", c.summary}, {"wider", c.wider}};
    if (!c.role.empty()) j[c.what == "catalog" ? "catalog" : "role"] = c.role;
    if (!c.action.empty()) j["action"] = c.action;
    if (!c.resource.empty()) j["resource"] = c.resource;
    if (!c.before.empty()) j["before"] = c.before;
    if (!c.after.empty()) j["after"] = c.after;
    if (!c.details.empty()) j["details"] = c.details;
    changes.push_back(std::move(j));
  }
  return {{"wider", report.wider()}, {"changes", changes}};
}

int run_diff(const DiffOptions& opts) {
  Loaded before, after;
  const bool ok_before = load_side(opts.old_path, "old", before);
  const bool ok_after = load_side(opts.new_path, "new", after);
  if (!ok_before || !ok_after) return kExitUsage;
  const compiler::DiffReport report =
      compiler::diff(compiler::summarize(before.ws, *before.policy), compiler::summarize(after.ws, *after.policy));
  if (opts.format == Format::kJson) {
    std::cout << to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    std::cout << compiler::render_diff_text(report);
  }
  return report.wider() ? 1 : kExitOk;
}

}  // namespace

void add_diff_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Compare two policies by their decisions: per role, action and resource type, what becomes\n"
      "allowed, denied or conditional; obligations; custom-role catalogs (docs/diff.md).\n"
      "Exit status: 0 nothing is newly allowed, 1 something may be allowed that was not before,\n"
      "2 usage or I/O error, or either policy has errors.");
  cmd->add_option("old", opts->old_path, "the policy before the change (root file or directory)")->required();
  cmd->add_option("new", opts->new_path, "the policy after the change (root file or directory)")->required();
  cmd->add_option("--format", opts->format, "output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"text", Format::kText}, {"json", Format::kJson}}));
  cmd->callback([opts, &exit_code] { exit_code = run_diff(*opts); });
}

}  // namespace edict::cli
