// lint/sarif.cc: SARIF 2.1.0 output (OASIS, sarif-schema-2.1.0.json).
//
// One run; tool.driver lists every rule (so ruleIndex is the registry order);
// results carry level, message, one physical location and related locations for
// notes, and partialFingerprints (see fingerprints() in render.h). Columns count
// code points, as everywhere in Edict, so the run says columnKind
// "unicodeCodePoints". Paths given relative stay relative URI references against
// the %SRCROOT% base (the directory lint ran in); absolute ones become file: URIs.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lint/render.h"
#include "lint/rules.h"

namespace edict::lint {
namespace {

const char* level_of(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "warning";
}

// RFC 3986: keep unreserved characters and `/`, percent-encode every other byte.
std::string uri_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || c == '/';
    out += keep ? std::string(1, c) : fmt::format("%{:02X}", u);
  }
  return out;
}

nlohmann::json artifact_location(std::string_view path) {
  if (!path.empty() && path.front() == '/') return {{"uri", "file://" + uri_path(path)}};
  std::string_view p = path;
  while (p.substr(0, 2) == "./") p.remove_prefix(2);
  return {{"uri", uri_path(p)}, {"uriBaseId", "%SRCROOT%"}};
}

nlohmann::json physical_location(const SourceMap& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  const LineCol b = file.line_col(span.begin);
  const LineCol e = file.line_col(span.end);
  return {{"artifactLocation", artifact_location(file.name())},
          {"region", {{"startLine", b.line}, {"startColumn", b.column}, {"endLine", e.line}, {"endColumn", e.column}}}};
}

}  // namespace

void render_sarif(const Report& r, const ToolInfo& tool, std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleInfo& info : all_rules()) {
    rules.push_back({{"id", std::string(info.id)},
                     {"shortDescription", {{"text", std::string(info.summary)}}},
                     {"fullDescription", {{"text", std::string(info.explanation)}}},
                     {"help", {{"text", std::string(info.help)}}},
                     {"defaultConfiguration", {{"level", level_of(info.severity)}}}});
  }
  nlohmann::json driver = {{"name", std::string(tool.name)},
                           {"version", std::string(tool.version)},
                           {"semanticVersion", std::string(tool.version)},
                           {"rules", std::move(rules)}};
  // Optional in SARIF; only a real address is worth printing (set at build time).
  if (!tool.information_uri.empty()) driver["informationUri"] = std::string(tool.information_uri);

  const std::vector<std::string> prints = fingerprints(r);
  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    std::string text = f.message;
    if (!f.help.empty()) text += fmt::format(" (help: {})", f.help);
    nlohmann::json result = {{"ruleId", f.rule},
                             {"ruleIndex", rule_index(f.rule)},
                             {"level", level_of(f.severity)},
                             {"message", {{"text", text}}},
                             {"locations", nlohmann::json::array({{{"physicalLocation",
                                                                     physical_location(*r.sources, f.span)}}})},
                             {"partialFingerprints", {{"edictLint/v1", prints[i]}}}};
    if (!f.notes.empty()) {
      nlohmann::json related = nlohmann::json::array();
      for (size_t n = 0; n < f.notes.size(); ++n) {
        related.push_back({{"id", n + 1},
                           {"physicalLocation", physical_location(*r.sources, f.notes[n].span)},
                           {"message", {{"text", f.notes[n].message}}}});
      }
      result["relatedLocations"] = std::move(related);
    }
    results.push_back(std::move(result));
  }

  const nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", std::move(driver)}}},
                                       {"columnKind", "unicodeCodePoints"},
                                       {"results", std::move(results)}}})}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace edict::lint
