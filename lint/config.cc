// lint/config.cc: reading `.edict-lint` files.
#include "lint/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "lint/rules.h"

namespace edict::lint {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    const size_t comma = v.find(',');
    const std::string_view item = trim(v.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Result<Config, std::string> parse_config(std::string_view text, const std::string& name) {
  Config c;
  c.path = name;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Unexpected(fmt::format("{}:{}: expected `key = value`", name, line_no));
    }
    const std::string key(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    if (key == "sensitive-resources") {
      for (std::string& v : split_list(value)) c.sensitive_resources.push_back(std::move(v));
    } else if (key == "mfa-attributes") {
      for (std::string& v : split_list(value)) c.mfa_attributes.push_back(std::move(v));
    } else if (key == "role-assignment-actions") {
      for (std::string& v : split_list(value)) c.role_assignment_actions.push_back(std::move(v));
    } else if (find_rule(key) != nullptr) {
      if (value == "off") {
        c.severity[key] = std::nullopt;
      } else if (value == "error") {
        c.severity[key] = Severity::kError;
      } else if (value == "warning") {
        c.severity[key] = Severity::kWarning;
      } else if (value == "note") {
        c.severity[key] = Severity::kNote;
      } else {
        return Unexpected(fmt::format("{}:{}: `{}` is not a severity: use error, warning, note or off", name,
                                      line_no, value));
      }
    } else {
      return Unexpected(fmt::format(
          "{}:{}: unknown setting `{}`: expected a rule id, sensitive-resources, mfa-attributes or "
          "role-assignment-actions",
          name, line_no, key));
    }
  }
  return c;
}

Result<Config, std::string> read_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(fmt::format("cannot read lint configuration `{}`", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path);
}

std::optional<std::string> find_config(const std::string& policy_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(policy_path), ec).parent_path();
  if (ec) return std::nullopt;
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    const fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

}  // namespace edict::lint
