// tools/edict/cmd_explain.cc: `edict explain`: the decision of `edict query` and why:
// every rule of the request's (action, resource type) cell, forbids first, whether
// it applied, the parts of its condition that failed (with the values seen), and
// where it is written (file:line from the table's debug section; rule ids only
// when the table was compiled with --no-debug). runtime::explain() computes all
// of it; this file only renders it.
#include <iostream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "runtime/eval.h"
#include "tools/edict/commands.h"
#include "tools/edict/query_input.h"

namespace edict::cli {
namespace {

std::string status_of(const runtime::RuleTrace& r) {
  if (r.applied) return r.error ? "applied: its condition could not be evaluated (a forbid fails closed)" : "applied";
  if (r.error) return "not applied: its condition could not be evaluated";
  return r.role_matched ? "not applied: its condition is false" : "not applied";
}

std::string source_text(const runtime::Table& t, uint32_t rule) {
  const runtime::format::DebugRule* d = rule < t.rule_count() ? t.debug_rule(rule) : nullptr;
  if (d == nullptr || d->text == runtime::format::kNone) return "";
  return std::string(t.string(d->text));
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

void print_text(const PreparedQuery& q, const runtime::Explanation& e) {
  const runtime::Table& t = *q.table;
  std::cout << decision_text(q, e.decision);
  if (!e.summary.empty()) std::cout << "  why: " << e.summary << '\n';
  if (e.decision.request_error != runtime::RequestError::kNone) return;
  if (e.rules.empty()) {
    std::cout << "rules: none for this action on this resource type\n";
    return;
  }
  std::cout << "rules:\n";
  for (const runtime::RuleTrace& r : e.rules) {
    const std::string where = rule_location(t, r.rule);
    const std::string name(t.rule_name(r.rule));
    std::cout << fmt::format("  {} {} {}{}\n", r.applied ? "*" : "-", r.forbid ? "forbid" : "grant", name,
                             where.empty() || where == name ? "" : fmt::format(" at {}", where));
    std::cout << fmt::format("      {}\n", status_of(r));
    if (!r.failed.empty()) {
      std::cout << fmt::format("      failed: {}\n", r.failed);
    } else if (!r.role_matched && !r.applied) {
      std::cout << "      failed: the principal holds none of its roles\n";
    }
    // The rule's source, indented, so the reader sees what was evaluated.
    const std::string text = source_text(t, r.rule);
    for (std::string_view line : split_lines(text)) std::cout << "      | " << line << '\n';
  }
  if (!t.has_debug()) std::cout << "(the table has no debug section: compiled with --no-debug)\n";
}

nlohmann::json explanation_json(const PreparedQuery& q, const runtime::Explanation& e) {
  const runtime::Table& t = *q.table;
  nlohmann::json out = decision_json(q, e.decision);
  out["summary"] = e.summary;
  nlohmann::json rules = nlohmann::json::array();
  for (const runtime::RuleTrace& r : e.rules) {
    const std::string where = rule_location(t, r.rule);
    const std::string text = source_text(t, r.rule);
    rules.push_back({{"id", r.rule},
                     {"name", std::string(t.rule_name(r.rule))},
                     {"effect", r.forbid ? "forbid" : "grant"},
                     {"location", where.empty() ? nlohmann::json() : nlohmann::json(where)},
                     {"role_matched", r.role_matched},
                     {"applied", r.applied},
                     {"error", r.error},
                     {"failed", r.failed},
                     {"source", text.empty() ? nlohmann::json() : nlohmann::json(text)}});
  }
  out["rules"] = rules;
  out["debug_info"] = t.has_debug();
  return out;
}

int run_explain(const QueryOptions& opts) {
  PreparedQuery q;
  if (int rc = prepare_query(opts, q); rc != kExitOk) return rc;
  const runtime::RequestBuilder& b = *q.builder;
  const runtime::Explanation e = runtime::explain(*q.table, q.builder->build(), q.custom.get(),
                                                  [&b](int64_t id) { return b.entity_name(id); });
  if (opts.format == Format::kJson) {
    std::cout << explanation_json(q, e).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_text(q, e);
  }
  return query_exit_code(opts, e.decision);
}

}  // namespace

void add_explain_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Like `query`, and also why: every rule for the action and resource type, applied or not,\n"
      "the failed parts of its condition, and where it is written (file:line).\n"
      "Exit status: as `query`.");
  add_query_options(*cmd, *opts);
  cmd->callback([opts, &exit_code] { exit_code = run_explain(*opts); });
}

}  // namespace edict::cli
