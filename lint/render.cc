// lint/render.cc: text, JSON, GitHub and JUnit output, and fingerprints.
// SARIF is in sarif.cc.
#include "lint/render.h"

#include <map>
#include <ostream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "grammar/diagnostic.h"
#include "support/text.h"
#include "support/xml_escape.h"

namespace edict::lint {
namespace {

std::string normalized_line(const SourceMap& sources, Span span) {
  const SourceFile& f = sources.file(span.file);
  return one_line(f.line(f.line_col(span.begin).line));
}

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

nlohmann::json location_json(const SourceMap& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  const LineCol b = file.line_col(span.begin);
  const LineCol e = file.line_col(span.end);
  return {{"file", file.name()}, {"line", b.line}, {"column", b.column}, {"end_line", e.line}, {"end_column", e.column}};
}

// GitHub workflow commands: data escapes %, CR, LF; properties also `:` and `,`.
std::string gh_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

size_t count(const Report& r, Severity s) {
  size_t n = 0;
  for (const Finding& f : r.findings) n += f.severity == s ? 1 : 0;
  return n;
}

}  // namespace

std::vector<std::string> fingerprints(const Report& r) {
  std::map<std::tuple<FileId, std::string, std::string>, size_t> seen;
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    const std::string line = normalized_line(*r.sources, f.span);
    const size_t occurrence = seen[{f.span.file, f.rule, line}]++;
    uint64_t h = fnv1a(f.rule);
    h = fnv1a(std::string_view("\0", 1), h);
    h = fnv1a(line, h);
    h = fnv1a(fmt::format("\n{}", occurrence), h);
    out.push_back(fmt::format("{:016x}", h));
  }
  return out;
}

void render_text(const Report& r, std::ostream& out, bool color) {
  for (const Finding& f : r.findings) {
    Diagnostics one;
    Diagnostic& d = one.add(Diagnostic{f.severity, f.rule, f.span, f.message, f.help, f.notes});
    (void)d;
    edict::render_text(one, *r.sources, out, color);
  }
}

void render_json(const Report& r, std::ostream& out) {
  const std::vector<std::string> prints = fingerprints(r);
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    nlohmann::json j = {{"rule", f.rule},
                        {"severity", severity_name(f.severity)},
                        {"message", f.message},
                        {"location", location_json(*r.sources, f.span)},
                        {"fingerprint", prints[i]}};
    if (!f.help.empty()) j["help"] = f.help;
    nlohmann::json notes = nlohmann::json::array();
    for (const Note& n : f.notes) notes.push_back({{"message", n.message}, {"location", location_json(*r.sources, n.span)}});
    j["notes"] = std::move(notes);
    list.push_back(std::move(j));
  }
  const nlohmann::json doc = {{"findings", std::move(list)},
                              {"errors", count(r, Severity::kError)},
                              {"warnings", count(r, Severity::kWarning)},
                              {"notes", count(r, Severity::kNote)},
                              {"suppressed", r.suppressed},
                              {"policies_linted", r.policies}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void render_github(const Report& r, std::ostream& out) {
  for (const Finding& f : r.findings) {
    const SourceFile& file = r.sources->file(f.span.file);
    const LineCol b = file.line_col(f.span.begin);
    const LineCol e = file.line_col(f.span.end);
    const char* level = f.severity == Severity::kError ? "error" : f.severity == Severity::kWarning ? "warning" : "notice";
    out << "::" << level << " file=" << gh_escape(file.name(), true) << ",line=" << b.line;
    if (e.line != b.line) out << ",endLine=" << e.line;
    out << ",col=" << b.column << ",endColumn=" << e.column << ",title=" << gh_escape(f.rule, true)
        << "::" << gh_escape(f.message, false);
    if (!f.help.empty()) out << "%0A" << gh_escape("help: " + f.help, false);
    out << '\n';
  }
}

void render_junit(const Report& r, std::ostream& out) {
  std::map<FileId, std::vector<const Finding*>> by_file;
  for (FileId f : r.files) by_file[f];
  for (const Finding& f : r.findings) by_file[f.span.file].push_back(&f);
  size_t tests = 0;
  for (const auto& [file, list] : by_file) tests += list.empty() ? 1 : list.size();
  const size_t failures = r.findings.size();
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"edict lint\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", tests, failures);
  for (const auto& [file, list] : by_file) {
    const std::string name = xml_escape(r.sources->file(file).name());
    out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", name,
                       list.empty() ? 1 : list.size(), list.size());
    if (list.empty()) out << fmt::format("    <testcase classname=\"{}\" name=\"lint\"/>\n", name);
    for (const Finding* f : list) {
      const LineCol b = r.sources->file(file).line_col(f->span.begin);
      out << fmt::format("    <testcase classname=\"{}\" name=\"{} at {}:{}\">\n", name, xml_escape(f->rule), b.line,
                         b.column);
      std::string body = fmt::format("{}:{}:{}: {}: {} [{}]", r.sources->file(file).name(), b.line, b.column,
                                     severity_name(f->severity), f->message, f->rule);
      if (!f->help.empty()) body += "\nhelp: " + f->help;
      out << fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", severity_name(f->severity),
                         xml_escape(f->message), xml_escape(body));
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace edict::lint
