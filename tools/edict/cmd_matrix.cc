// tools/edict/cmd_matrix.cc: `edict matrix POLICY`: who can do what, as a table.
//
// One table per role: a row per resource type (grouped by category), a column per
// action. A cell says `allow` (unconditional), `if [n]` (a grant with condition n),
// `with o` (obligations), `deny` (no grant), `forbid [n]` (a forbid applies always
// or under condition n), or is empty when the resource type does not support the
// action. Conditions and forbid reasons are listed under each table with their
// source text and location. Built from the checked policy, so it shows the rules as
// written (roles include what they inherit; the super-administrator holds all).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "compiler/check.h"
#include "compiler/load.h"
#include "support/text.h"
#include "support/xml_escape.h"
#include "tools/edict/commands.h"

namespace edict::cli {
namespace {

enum class MatrixFormat { kText, kMarkdown, kCsv, kHtml };

struct MatrixOptions {
  std::string policy;
  MatrixFormat format = MatrixFormat::kText;
};

struct Note {
  std::string text;  // "resource has group && ..." or "forbid `x`: ..."
  std::string where;
};

struct Cell {
  std::string text;          // what the cell shows
  std::vector<size_t> notes; // indices into the table's notes
};

struct RoleTable {
  std::string role;
  std::vector<std::string> rows;                 // "Category / Type"
  std::vector<std::vector<Cell>> cells;          // [row][action]
  std::vector<Note> notes;
};

std::string source_text(const compiler::Workspace& ws, const ast::Expr* e) {
  if (e == nullptr) return {};
  return one_line(ws.sources.file(e->span.file).text().substr(e->span.begin, e->span.end - e->span.begin));
}

std::string condition_text(const compiler::Workspace& ws, const compiler::Rule& r) {
  std::string s = source_text(ws, r.when);
  if (r.unless) s += (s.empty() ? "unless " : " unless ") + source_text(ws, r.unless);
  return s;
}

std::string where(const compiler::Workspace& ws, const compiler::Rule& r) {
  const SourceFile& f = ws.sources.file(r.span.file);
  return fmt::format("{}:{}", f.name(), f.line_col(r.span.begin).line);
}

// How a note names its rule: " `label`", or nothing for an unlabelled rule,
// whose name is its place, which the note gives beside it.
std::string named(const compiler::Workspace& ws, const compiler::Rule& r) {
  return r.name == where(ws, r) ? std::string() : fmt::format(" `{}`", r.name);
}

std::vector<RoleTable> build(const compiler::Workspace& ws, const compiler::Policy& p) {
  // Rows: resource types by category (a type in several categories appears under
  // the first), then the types in no category.
  std::vector<std::pair<std::string, uint32_t>> rows;
  std::set<uint32_t> placed;
  for (const auto& c : p.categories) {
    for (uint32_t r : c.members) {
      if (placed.insert(r).second) rows.emplace_back(c.name + " / " + p.resources[r].name, r);
    }
  }
  for (uint32_t r = 0; r < p.resources.size(); ++r) {
    if (!placed.count(r)) rows.emplace_back(p.resources[r].name, r);
  }
  std::vector<RoleTable> tables;
  for (uint32_t role = 0; role < p.roles.size(); ++role) {
    const auto& anc = p.roles[role].ancestors;
    auto holds_any = [&](const std::vector<uint32_t>& roles) {
      return std::any_of(roles.begin(), roles.end(),
                         [&](uint32_t x) { return std::binary_search(anc.begin(), anc.end(), x); });
    };
    RoleTable t;
    t.role = p.roles[role].name + (p.roles[role].superadmin ? " (super-administrator)" : "");
    std::map<size_t, size_t> note_of_rule;
    auto note = [&](size_t rule_index, std::string text) {
      auto it = note_of_rule.find(rule_index);
      if (it != note_of_rule.end()) return it->second;
      t.notes.push_back({std::move(text), where(ws, p.rules[rule_index])});
      return note_of_rule[rule_index] = t.notes.size();
    };
    for (const auto& [label, res] : rows) {
      t.rows.push_back(label);
      std::vector<Cell> line;
      for (uint32_t a = 0; a < p.actions.size(); ++a) {
        Cell cell;
        const auto& sup = p.resources[res].actions;
        if (!std::binary_search(sup.begin(), sup.end(), a)) {
          line.push_back(cell);
          continue;
        }
        bool allow = p.roles[role].superadmin, conditional = false, forbidden = false;
        std::vector<std::string> obligations;
        bool unobliged_allow = p.roles[role].superadmin;
        for (size_t i = 0; i < p.rules.size(); ++i) {
          const compiler::Rule& r = p.rules[i];
          if (!std::binary_search(r.pairs.begin(), r.pairs.end(), std::pair{a, res})) continue;
          const bool applies_to_role = r.roles.empty() || holds_any(r.roles);
          if (!applies_to_role) continue;
          const bool has_cond = r.when || r.unless;
          if (r.effect == ast::Effect::kForbid) {
            if (!has_cond) forbidden = true;
            cell.notes.push_back(note(i, fmt::format("forbid{}{}{}", named(ws, r), has_cond ? " when " : "",
                                                     has_cond ? condition_text(ws, r) : "")));
            continue;
          }
          if (has_cond) {
            conditional = true;
            cell.notes.push_back(note(i, fmt::format("grant{} when {}", named(ws, r), condition_text(ws, r))));
            continue;
          }
          allow = true;
          if (r.obligations.empty()) {
            unobliged_allow = true;
          } else {
            for (const auto& o : r.obligations) {
              std::string s = p.obligations[o.obligation].name;
              for (uint32_t arg : o.args) s += "(" + p.obligations[o.obligation].params[arg] + ")";
              obligations.push_back(s);
            }
          }
        }
        std::sort(cell.notes.begin(), cell.notes.end());
        cell.notes.erase(std::unique(cell.notes.begin(), cell.notes.end()), cell.notes.end());
        if (forbidden) {
          cell.text = "forbid";
        } else if (allow) {
          cell.text = unobliged_allow || obligations.empty() ? "allow" : "with " + obligations.front();
        } else if (conditional) {
          cell.text = "if";
        } else {
          cell.text = "deny";
        }
        // Notes only matter where they can change the answer.
        if (cell.text == "deny") cell.notes.clear();
        line.push_back(cell);
      }
      t.cells.push_back(std::move(line));
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

std::string cell_text(const Cell& c) {
  std::string s = c.text;
  for (size_t n : c.notes) s += fmt::format(" [{}]", n);
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void print(const std::vector<RoleTable>& tables, const compiler::Policy& p, MatrixFormat format, std::ostream& out,
           const std::string& policy_name) {
  std::vector<std::string> actions;
  for (const auto& a : p.actions) actions.push_back(a.name);
  switch (format) {
    case MatrixFormat::kCsv:
      out << "role,resource";
      for (const auto& a : actions) out << ',' << csv_field(a);
      out << ",notes\n";
      for (const RoleTable& t : tables) {
        for (size_t r = 0; r < t.rows.size(); ++r) {
          out << csv_field(t.role) << ',' << csv_field(t.rows[r]);
          std::string notes;
          std::set<size_t> used;
          for (const Cell& c : t.cells[r]) {
            out << ',' << csv_field(cell_text(c));
            used.insert(c.notes.begin(), c.notes.end());
          }
          for (size_t n : used) notes += fmt::format("{}[{}] {} ({})", notes.empty() ? "" : "; ", n, t.notes[n - 1].text, t.notes[n - 1].where);
          out << ',' << csv_field(notes) << '\n';
        }
      }
      return;
    case MatrixFormat::kHtml:
      out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Permission matrix: "
          << xml_escape(policy_name) << "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
          << "table{border-collapse:collapse;margin-bottom:.5em}td,th{border:1px solid #ccc;padding:.25em .5em;"
          << "text-align:center}th.row{text-align:left}.allow{background:#d8f5d0}.if{background:#fff3c4}"
          << ".forbid{background:#f8d0d0}.deny{color:#999}.with{background:#d0e4f8}ol{font-size:.9em}"
          << "code{background:#f4f4f4}</style></head><body>\n<h1>Permission matrix: " << xml_escape(policy_name)
          << "</h1>\n<p>allow: always; if: under a condition; with: allowed with an obligation; forbid: a forbid "
             "applies; deny: no grant; blank: the resource type has no such action. Numbers refer to the notes.</p>\n";
      for (const RoleTable& t : tables) {
        out << "<h2>" << xml_escape(t.role) << "</h2>\n<table><tr><th></th>";
        for (const auto& a : actions) out << "<th>" << xml_escape(a) << "</th>";
        out << "</tr>\n";
        for (size_t r = 0; r < t.rows.size(); ++r) {
          out << "<tr><th class=\"row\">" << xml_escape(t.rows[r]) << "</th>";
          for (const Cell& c : t.cells[r]) {
            const std::string cls = c.text.starts_with("with") ? "with" : c.text;
            std::string title;
            for (size_t n : c.notes) title += t.notes[n - 1].text + "\n";
            out << "<td class=\"" << xml_escape(cls) << "\" title=\"" << xml_escape(title) << "\">"
                << xml_escape(cell_text(c)) << "</td>";
          }
          out << "</tr>\n";
        }
        out << "</table>\n";
        if (!t.notes.empty()) {
          out << "<ol>";
          for (const Note& n : t.notes) out << "<li><code>" << xml_escape(n.text) << "</code> (" << xml_escape(n.where) << ")</li>";
          out << "</ol>\n";
        }
      }
      out << "</body></html>\n";
      return;
    case MatrixFormat::kMarkdown:
      for (const RoleTable& t : tables) {
        out << "### " << t.role << "\n\n| resource |";
        for (const auto& a : actions) out << ' ' << a << " |";
        out << "\n|---|";
        for (size_t i = 0; i < actions.size(); ++i) out << "---|";
        out << '\n';
        for (size_t r = 0; r < t.rows.size(); ++r) {
          out << "| " << t.rows[r] << " |";
          for (const Cell& c : t.cells[r]) out << ' ' << cell_text(c) << " |";
          out << '\n';
        }
        out << '\n';
        for (size_t n = 0; n < t.notes.size(); ++n) {
          out << n + 1 << ". `" << t.notes[n].text << "` (" << t.notes[n].where << ")\n";
        }
        out << '\n';
      }
      return;
    case MatrixFormat::kText: {
      out << "allow: always  if [n]: when grant n's condition holds  with o: allowed with obligation o\n"
             "deny: no grant  forbid: always forbidden  [n] after allow: unless forbid n applies  blank: no such action\n\n";
      for (const RoleTable& t : tables) {
        std::vector<size_t> width(actions.size() + 1, 0);
        width[0] = 8;
        for (const auto& r : t.rows) width[0] = std::max(width[0], r.size());
        for (size_t a = 0; a < actions.size(); ++a) {
          width[a + 1] = actions[a].size();
          for (const auto& line : t.cells) width[a + 1] = std::max(width[a + 1], cell_text(line[a]).size());
        }
        out << "role " << t.role << '\n' << fmt::format("  {:<{}}", "", width[0]);
        for (size_t a = 0; a < actions.size(); ++a) out << fmt::format("  {:<{}}", actions[a], width[a + 1]);
        out << '\n';
        for (size_t r = 0; r < t.rows.size(); ++r) {
          out << fmt::format("  {:<{}}", t.rows[r], width[0]);
          for (size_t a = 0; a < actions.size(); ++a) out << fmt::format("  {:<{}}", cell_text(t.cells[r][a]), width[a + 1]);
          out << '\n';
        }
        for (size_t n = 0; n < t.notes.size(); ++n) {
          out << fmt::format("  [{}] {} ({})\n", n + 1, t.notes[n].text, t.notes[n].where);
        }
        out << '\n';
      }
      return;
    }
  }
}

int run_matrix(const MatrixOptions& opts) {
  Diagnostics diags;
  compiler::Workspace ws = compiler::load({opts.policy}, diags);
  for (const auto& e : ws.io_errors) {
    std::cerr << "edict: error: " << e.message << '\n';
    return kExitUsage;
  }
  if (ws.roots.size() != 1) {
    std::cerr << "edict: error: matrix takes one policy\n";
    return kExitUsage;
  }
  auto policy = compiler::check(ws, ws.roots[0], diags);
  if (!policy) {
    diags.sort_and_dedupe();
    render_text(diags, ws.sources, std::cerr, false);
    return kExitPolicyErrors;
  }
  print(build(ws, *policy), *policy, opts.format, std::cout, opts.policy);
  return kExitOk;
}

}  // namespace

void add_matrix_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<MatrixOptions>();
  CLI::App* cmd = app.add_subcommand(
      "matrix",
      "Print the permission matrix of a policy: for each role, resource types by category against actions.\n"
      "Exit status: 0 printed, 1 the policy has errors, 2 usage or I/O error.");
  cmd->add_option("policy", opts->policy, "the policy's root file")->required();
  cmd->add_option("--format", opts->format, "text (default), markdown, csv or html (a self-contained page)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, MatrixFormat>{{"text", MatrixFormat::kText},
                                                                             {"markdown", MatrixFormat::kMarkdown},
                                                                             {"csv", MatrixFormat::kCsv},
                                                                             {"html", MatrixFormat::kHtml}}));
  cmd->callback([opts, &exit_code] { exit_code = run_matrix(*opts); });
}

}  // namespace edict::cli
