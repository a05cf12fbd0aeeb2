// compiler/format_doc.cc: document constructors and the printer (see format_doc.h).
//
// The printer is the usual stack machine: each command is (indent, flat?, node).
// A group is tried flat with fits(), which reads ahead through the rest of the
// stack until the first line that will break; a fill decides separator by
// separator. Comments never change the decisions of groups they are not in.
#include "compiler/format_doc.h"

#include <algorithm>
#include <string_view>

#include "grammar/source.h"

namespace edict::compiler::doc {
namespace {

Doc make(Node::Kind kind, std::string s = {}, std::vector<Doc> parts = {}, int indent = 0) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->text = std::move(s);
  n->indent = indent;
  n->parts = std::move(parts);
  // A line suffix does not break its group: the comment moves to the end of
  // whatever line its element ends up on, which keeps layouts stable.
  n->hard = kind == Node::Kind::kHardLine || kind == Node::Kind::kOwnLine;
  for (const Doc& p : n->parts) n->hard = n->hard || p->hard;
  return n;
}

int width_of(std::string_view s) { return static_cast<int>(count_code_points(s)); }

struct Cmd {
  int indent = 0;
  bool flat = false;
  const Node* node = nullptr;
  size_t from = 0;  // kFill: the first part still to print
};

// Whether `next`, printed flat, and what follows it up to the next line that
// breaks fit in `width` columns. Inside `next`, a comment on a line of its own
// starts a new line of `full` columns, less its indentation.
bool fits(const Cmd& next, const std::vector<Cmd>& rest, int width, int full) {
  std::vector<Cmd> local{next};
  size_t rest_at = rest.size();
  while (width >= 0) {
    if (local.empty()) {
      if (rest_at == 0) return true;
      local.push_back(rest[--rest_at]);
    }
    const Cmd c = local.back();
    local.pop_back();
    const Node& n = *c.node;
    switch (n.kind) {
      case Node::Kind::kText: {
        const size_t nl = n.text.find('\n');
        if (nl != std::string::npos) return width - width_of(std::string_view(n.text).substr(0, nl)) >= 0;
        width -= width_of(n.text);
        break;
      }
      case Node::Kind::kIfBreak:
        if (!c.flat) width -= width_of(n.text);
        break;
      case Node::Kind::kLine:
        if (!c.flat) return true;
        width -= 1;
        break;
      case Node::Kind::kSoftLine:
        if (!c.flat) return true;
        break;
      case Node::Kind::kHardLine:
      case Node::Kind::kOwnLine:
        if (rest_at < rest.size()) return true;  // past `next`: the rest is on a later line
        width = full - c.indent;
        break;
      case Node::Kind::kLineSuffix: break;
      case Node::Kind::kConcat:
      case Node::Kind::kFill:
        for (size_t i = n.parts.size(); i > c.from; --i) local.push_back({c.indent, c.flat, n.parts[i - 1].get(), 0});
        break;
      case Node::Kind::kNest: local.push_back({c.indent + n.indent, c.flat, n.parts[0].get(), 0}); break;
      case Node::Kind::kGroup: local.push_back({c.indent, c.flat && !n.hard, n.parts[0].get(), 0}); break;
    }
  }
  return false;
}

class Printer {
 public:
  explicit Printer(int width) : width_(width) {}

  std::string run(const Doc& d) {
    cmds_.push_back({0, false, d.get(), 0});
    while (!cmds_.empty()) {
      const Cmd c = cmds_.back();
      cmds_.pop_back();
      step(c);
    }
    flush_suffixes();
    if (!carry_.empty()) {
      if (!line_empty_) newline(0);
      pending_indent_ = 0;
      print_carried();
    }
    return std::move(out_);
  }

 private:
  void step(const Cmd& c) {
    const Node& n = *c.node;
    switch (n.kind) {
      case Node::Kind::kText: put(n.text); break;
      case Node::Kind::kIfBreak:
        if (!c.flat) put(n.text);
        break;
      case Node::Kind::kLine:
        if (c.flat) {
          put(" ");
        } else {
          newline(c.indent);
        }
        break;
      case Node::Kind::kSoftLine:
        if (!c.flat) newline(c.indent);
        break;
      case Node::Kind::kHardLine: newline(c.indent); break;
      case Node::Kind::kOwnLine:
        if (!line_empty_) newline(c.indent);
        put(n.text);
        // INVARIANT: whatever is printed next starts on a new line; a line or
        // hard line that comes next ends this one rather than adding a blank.
        end_pending_ = true;
        end_indent_ = c.indent;
        break;
      case Node::Kind::kLineSuffix: suffixes_.push_back(n.text); break;
      case Node::Kind::kConcat:
        for (size_t i = n.parts.size(); i > 0; --i) cmds_.push_back({c.indent, c.flat, n.parts[i - 1].get(), 0});
        break;
      case Node::Kind::kNest: cmds_.push_back({c.indent + n.indent, c.flat, n.parts[0].get(), 0}); break;
      case Node::Kind::kGroup: {
        if (c.flat || n.hard) {
          cmds_.push_back({c.indent, c.flat, n.parts[0].get(), 0});
          break;
        }
        const Cmd flat{c.indent, true, n.parts[0].get(), 0};
        cmds_.push_back(fits(flat, cmds_, width_ - column(), width_) ? flat : Cmd{c.indent, false, n.parts[0].get(), 0});
        break;
      }
      case Node::Kind::kFill: fill(c); break;
    }
  }

  // Prints content c.from, then decides whether the separator after it breaks:
  // it stays flat when the next content fits on the line too.
  void fill(const Cmd& c) {
    const Node& n = *c.node;
    if (c.from >= n.parts.size()) return;
    if (c.flat) {
      for (size_t i = n.parts.size(); i > c.from; --i) cmds_.push_back({c.indent, true, n.parts[i - 1].get(), 0});
      return;
    }
    const Node* content = n.parts[c.from].get();
    const bool last = c.from + 1 >= n.parts.size();
    const std::vector<Cmd> none;
    const Cmd content_flat{c.indent, true, content, 0};
    const bool content_fits = !content->hard && fits(content_flat, last ? cmds_ : none, width_ - column(), width_);
    if (last) {
      cmds_.push_back({c.indent, content_fits, content, 0});
      return;
    }
    const Node* sep = n.parts[c.from + 1].get();
    bool sep_flat = false;
    if (c.from + 2 < n.parts.size()) {
      Node pair;
      pair.kind = Node::Kind::kConcat;
      pair.parts = {n.parts[c.from], n.parts[c.from + 1], n.parts[c.from + 2]};
      const bool next_last = c.from + 3 >= n.parts.size();
      sep_flat = fits({c.indent, true, &pair, 0}, next_last ? cmds_ : none, width_ - column(), width_);
    }
    cmds_.push_back({c.indent, false, c.node, c.from + 2});
    cmds_.push_back({c.indent, sep_flat, sep, 0});
    cmds_.push_back({c.indent, content_fits, content, 0});
  }

  int column() const { return line_empty_ ? pending_indent_ : column_; }

  void put(std::string_view s) {
    if (s.empty()) return;
    if (end_pending_) newline(end_indent_);
    if (line_empty_ && !carry_.empty()) print_carried();
    if (line_empty_) {
      out_.append(static_cast<size_t>(pending_indent_), ' ');
      column_ = pending_indent_;
      line_empty_ = false;
    }
    out_ += s;
    const size_t nl = s.rfind('\n');
    column_ = nl == std::string_view::npos ? column_ + width_of(s) : width_of(s.substr(nl + 1));
  }

  // Deferred comments go at the end of the current line. Where that line has no
  // code, or is already closed by a line comment (anything after it would be
  // commented out) or by a comment on a line of its own, they are carried to the
  // start of the next printed line instead, one per line, at its indentation:
  // exactly where a second run, seeing them as own-line comments, puts them.
  void flush_suffixes() {
    const std::vector<std::string> pending = std::move(suffixes_);
    suffixes_.clear();
    for (const std::string& s : pending) {
      const std::string_view body = std::string_view(s).substr(std::min(s.size(), s.find_first_not_of(' ')));
      if (line_empty_ || end_pending_ || line_closed_) {
        carry_.emplace_back(body);
        continue;
      }
      while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) out_.pop_back();
      out_ += s;
      if (body.starts_with("//") || body.starts_with("#")) line_closed_ = true;
    }
  }

  void print_carried() {
    const std::vector<std::string> carried = std::move(carry_);
    carry_.clear();
    for (const std::string& c : carried) {
      out_.append(static_cast<size_t>(pending_indent_), ' ');
      out_ += c;
      out_ += '\n';
    }
  }

  void newline(int indent) {
    flush_suffixes();
    end_pending_ = false;
    line_closed_ = false;
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) out_.pop_back();
    out_ += '\n';
    line_empty_ = true;
    pending_indent_ = indent;
    column_ = indent;
  }

  int width_;
  std::vector<Cmd> cmds_;
  std::string out_;
  std::vector<std::string> suffixes_;
  int column_ = 0;
  int pending_indent_ = 0;
  bool line_empty_ = true;
  bool end_pending_ = false;
  bool line_closed_ = false;        // the line ends in a line comment
  std::vector<std::string> carry_;  // comments for the start of the next line
  int end_indent_ = 0;
};

}  // namespace

Doc text(std::string s) { return make(Node::Kind::kText, std::move(s)); }
Doc line() { return make(Node::Kind::kLine); }
Doc softline() { return make(Node::Kind::kSoftLine); }
Doc hardline() { return make(Node::Kind::kHardLine); }
Doc if_break(std::string s) { return make(Node::Kind::kIfBreak, std::move(s)); }
Doc concat(std::vector<Doc> parts) { return make(Node::Kind::kConcat, {}, std::move(parts)); }
Doc nest(int indent, Doc d) { return make(Node::Kind::kNest, {}, {std::move(d)}, indent); }
Doc group(Doc d) { return make(Node::Kind::kGroup, {}, {std::move(d)}); }
Doc fill(std::vector<Doc> parts) { return make(Node::Kind::kFill, {}, std::move(parts)); }
Doc line_suffix(std::string s) { return make(Node::Kind::kLineSuffix, std::move(s)); }
Doc own_line(std::string s) { return make(Node::Kind::kOwnLine, std::move(s)); }

std::string print(const Doc& d, int width) { return Printer(width).run(d); }

}  // namespace edict::compiler::doc
