// compiler/load.cc: the include graph: reading, de-duplication, cycles, roots.
#include "compiler/load.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "grammar/parse.h"

namespace edict::compiler {
namespace {

namespace fs = std::filesystem;

}  // namespace

ReadResult read_source_file(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec) return {false, {}, ec.message()};
  if (fs::is_directory(status)) return {false, {}, "is a directory"};
  const auto size = fs::file_size(path, ec);
  if (!ec && size > grammar::kMaxFileBytes) {
    return {false, {}, fmt::format("file is too large ({} bytes; the limit is {} MiB)", size,
                                   grammar::kMaxFileBytes >> 20)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return {false, {}, std::strerror(errno)};
  // At most one byte past the limit: a device (/dev/zero) or a file that grows
  // while it is read has no trustworthy size, and must not exhaust memory.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= grammar::kMaxFileBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return {false, {}, "read error"};
  // Checked again after reading: the file may have grown in between.
  if (text.size() > grammar::kMaxFileBytes) return {false, {}, "file is too large"};
  return {true, std::move(text), {}};
}

namespace {

std::string canonical_of(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

class Loader {
 public:
  Loader(Workspace& ws, Diagnostics& diags) : ws_(ws), diags_(diags) {}

  // Adds a file with known text; returns its id.
  FileId add(std::string display, std::string canonical, std::string text) {
    const FileId id = ws_.sources.add(std::move(display), std::move(text));
    ws_.files.push_back({canonical, {}, {}});
    by_canonical_[canonical] = id;
    pending_.push_back(id);
    return id;
  }

  // Parses every pending file and loads what it includes, breadth first (no
  // recursion: include chains can be arbitrarily long).
  void drain() {
    while (!pending_.empty()) {
      const FileId id = pending_.front();
      pending_.erase(pending_.begin());
      const size_t errors_before = diags_.error_count();
      ws_.files[id].ast = grammar::parse(ws_.sources, id, diags_);
      ws_.files[id].parsed_clean = diags_.error_count() == errors_before;
      const fs::path dir = fs::path(ws_.sources.file(id).name()).parent_path();
      for (const ast::Decl& d : ws_.files[id].ast.decls) {
        const auto* inc = std::get_if<ast::IncludeDecl>(&d);
        if (inc == nullptr) continue;
        const std::string display = (dir / inc->path).lexically_normal().string();
        const std::string canonical = canonical_of(display);
        if (auto it = by_canonical_.find(canonical); it != by_canonical_.end()) {
          ws_.files[id].includes.push_back(it->second);
          edge_spans_[{id, it->second}] = inc->path_span;
          continue;
        }
        ReadResult r = inc->path.empty() ? ReadResult{false, {}, "empty file name"} : read_source_file(display);
        if (!r.ok) {
          diags_.error("E0105", inc->path_span,
                       fmt::format("cannot include `{}`: {}", inc->path, r.error))
              .help = "include paths are relative to the including file";
          continue;
        }
        const FileId target = add(display, canonical, std::move(r.text));
        ws_.files[id].includes.push_back(target);
        edge_spans_[{id, target}] = inc->path_span;
      }
    }
  }

  // Reports each include cycle once, at the include that closes it, with the
  // chain in the message and a note at every other include of the cycle.
  void report_cycles() {
    enum Color : uint8_t { kWhite, kGrey, kBlack };
    std::vector<Color> color(ws_.files.size(), kWhite);
    for (FileId start = 0; start < ws_.files.size(); ++start) {
      if (color[start] != kWhite) continue;
      std::vector<std::pair<FileId, size_t>> stack{{start, 0}};
      color[start] = kGrey;
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next == ws_.files[node].includes.size()) {
          color[node] = kBlack;
          stack.pop_back();
          continue;
        }
        const FileId to = ws_.files[node].includes[next++];
        if (color[to] == kWhite) {
          color[to] = kGrey;
          stack.emplace_back(to, 0);
        } else if (color[to] == kGrey) {
          report_cycle(stack, node, to);
        }
      }
    }
  }

  bool on_cycle(FileId f) const { return cyclic_.count(f) > 0; }

 private:
  void report_cycle(const std::vector<std::pair<FileId, size_t>>& stack, FileId from, FileId to) {
    size_t first = 0;
    while (stack[first].first != to) ++first;
    std::string chain;
    for (size_t i = first; i < stack.size(); ++i) {
      chain += ws_.sources.file(stack[i].first).name() + " -> ";
      cyclic_.insert(stack[i].first);
    }
    chain += ws_.sources.file(to).name();
    const Span at = edge_spans_[{from, to}];
    Diagnostic& d = diags_.error(
        "E0104", at,
        from == to ? fmt::format("`{}` includes itself", ws_.sources.file(to).name())
                   : fmt::format("include cycle: {}", chain));
    d.help = "each file may be included once; move shared declarations into a file both include";
    for (size_t i = first; i + 1 < stack.size(); ++i) {
      d.notes.push_back({edge_spans_[{stack[i].first, stack[i + 1].first}], "included from here"});
    }
  }

  Workspace& ws_;
  Diagnostics& diags_;
  std::map<std::string, FileId> by_canonical_;
  std::map<std::pair<FileId, FileId>, Span> edge_spans_;
  std::vector<FileId> pending_;
  std::set<FileId> cyclic_;
};

void choose_roots(Workspace& ws, const std::vector<FileId>& given, const Loader& loader) {
  std::vector<bool> included(ws.files.size(), false);
  for (FileId f = 0; f < ws.files.size(); ++f) {
    for (FileId to : ws.files[f].includes) {
      if (to != f) included[to] = true;
    }
  }
  for (FileId g : given) {
    const bool duplicate = std::find(ws.roots.begin(), ws.roots.end(), g) != ws.roots.end();
    if (!duplicate && (!included[g] || loader.on_cycle(g))) ws.roots.push_back(g);
  }
}

}  // namespace

std::vector<FileId> Workspace::closure(FileId root) const {
  // Post-order: a file's includes come before it, as if their text stood where the
  // `include` is, so "first declared" means first in reading order.
  std::vector<FileId> out;
  std::vector<bool> seen(files.size(), false);
  std::vector<std::pair<FileId, size_t>> stack{{root, 0}};
  seen[root] = true;
  while (!stack.empty()) {
    auto& [file, next] = stack.back();
    if (next == files[file].includes.size()) {
      out.push_back(file);
      stack.pop_back();
      continue;
    }
    const FileId to = files[file].includes[next++];
    if (!seen[to]) {
      seen[to] = true;
      stack.emplace_back(to, 0);
    }
  }
  return out;
}

bool Workspace::parsed_clean(FileId root) const {
  for (FileId f : closure(root)) {
    if (!files[f].parsed_clean) return false;
  }
  return true;
}

Workspace load(const std::vector<std::string>& paths, Diagnostics& diags) {
  Workspace ws;
  Loader loader(ws, diags);
  std::vector<FileId> given;
  std::map<std::string, FileId> seen;
  for (const std::string& path : paths) {
    const std::string canonical = canonical_of(path);
    if (auto it = seen.find(canonical); it != seen.end()) continue;
    ReadResult r = read_source_file(path);
    if (!r.ok) {
      ws.io_errors.push_back({path, fmt::format("cannot read `{}`: {}", path, r.error)});
      continue;
    }
    const FileId id = loader.add(path, canonical, std::move(r.text));
    seen[canonical] = id;
    given.push_back(id);
  }
  loader.drain();
  loader.report_cycles();
  choose_roots(ws, given, loader);
  return ws;
}

Workspace load_text(std::string name, std::string text, Diagnostics& diags) {
  Workspace ws;
  Loader loader(ws, diags);
  const std::string canonical = "<memory>/" + name;
  const FileId id = loader.add(std::move(name), canonical, std::move(text));
  loader.drain();
  loader.report_cycles();
  choose_roots(ws, {id}, loader);
  return ws;
}

}  // namespace edict::compiler
