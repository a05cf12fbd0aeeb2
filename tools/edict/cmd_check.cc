// tools/edict/cmd_check.cc: `edict check FILE...`: parse, resolve and type-check.
//
// Each root file (one that no other given file includes) is checked as its own
// policy together with its includes; directories contribute every `.edict` file
// below them. Diagnostics go to stderr as text, or to stdout as one JSON document.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/check.h"
#include "compiler/load.h"
#include "support/expand_paths.h"
#include "tools/edict/commands.h"

namespace edict::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  Format format = Format::kText;
  std::string color = "auto";
};

int run_check(const CheckOptions& opts) {
  std::vector<std::string> errors;
  const std::vector<std::string> files = expand_paths(opts.paths, errors);
  Diagnostics diags;
  compiler::Workspace ws = compiler::load(files, diags);
  for (const compiler::IoError& e : ws.io_errors) errors.push_back(e.message);

  size_t checked = 0;
  for (FileId root : ws.roots) {
    (void)compiler::check(ws, root, diags);
    ++checked;
  }
  diags.sort_and_dedupe();

  if (opts.format == Format::kJson) {
    std::ostringstream buf;
    render_json(diags, ws.sources, buf);
    nlohmann::json doc = nlohmann::json::parse(buf.str());
    doc["io_errors"] = errors;
    doc["policies_checked"] = checked;
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    const bool color = opts.color == "always" || (opts.color == "auto" && isatty(STDERR_FILENO));
    render_text(diags, ws.sources, std::cerr, color);
    for (const std::string& e : errors) std::cerr << "edict: error: " << e << '\n';
    if (diags.has_errors()) {
      std::cerr << fmt::format("edict: {} error{} in {} polic{}\n", diags.error_count(),
                               diags.error_count() == 1 ? "" : "s", checked, checked == 1 ? "y" : "ies");
    } else if (errors.empty()) {
      std::cout << fmt::format("edict: {} polic{} ({} file{}) checked, no errors\n", checked,
                               checked == 1 ? "y" : "ies", ws.files.size(), ws.files.size() == 1 ? "" : "s");
    }
  }
  if (!errors.empty()) return kExitUsage;
  return diags.has_errors() ? kExitPolicyErrors : kExitOk;
}

}  // namespace

std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::vector<std::string>& errors) {
  return edict::expand_paths(paths, ".edict", errors);
}

void add_check_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Parse, resolve and type-check policies.\n"
      "Each file no other given file includes is checked as its own policy, with its includes;\n"
      "a directory stands for every .edict file below it.\n"
      "Exit status: 0 no errors, 1 the policy has errors, 2 usage or I/O error.");
  cmd->add_option("paths", opts->paths, "policy files or directories")->required();
  cmd->add_option("--format", opts->format, "output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"text", Format::kText}, {"json", Format::kJson}}));
  cmd->add_option("--color", opts->color, "color diagnostics: auto (default), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([opts, &exit_code] { exit_code = run_check(*opts); });
}

}  // namespace edict::cli
