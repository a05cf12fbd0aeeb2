// lint/rules_text.cc: what the reader sees versus what the compiler reads:
// bidi-control, mixed-script-identifier, confusable-identifier.
//
// These look at the characters of every file of the policy, not at the tree:
// a bidirectional override in a comment changes what a reviewer sees as much as
// one in code does.
#include <map>
#include <set>

#include <fmt/format.h>

#include "lint/confusables.h"
#include "lint/context.h"
#include "lint/source_scan.h"

namespace edict::lint {
namespace {

bool bidi_control(uint32_t cp) {
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

const char* bidi_name(uint32_t cp) {
  switch (cp) {
    case 0x200E: return "LEFT-TO-RIGHT MARK";
    case 0x200F: return "RIGHT-TO-LEFT MARK";
    case 0x202A: return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B: return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C: return "POP DIRECTIONAL FORMATTING";
    case 0x202D: return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E: return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068: return "FIRST STRONG ISOLATE";
    case 0x2069: return "POP DIRECTIONAL ISOLATE";
  }
  return "bidirectional control";
}

void bidi(const LintContext& ctx, FileId f, const std::vector<Token>& tokens, std::vector<Finding>& out) {
  const std::string_view text = ctx.ws.sources.file(f).text();
  size_t t = 0;
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) { ++i; continue; }
    const Utf8Char ch = decode_utf8(text, i);
    if (ch.valid && bidi_control(ch.code_point)) {
      const auto at = static_cast<uint32_t>(i);
      while (t < tokens.size() && tokens[t].end <= at) ++t;
      const char* where = "in the code";
      if (t < tokens.size() && tokens[t].begin <= at) {
        where = tokens[t].kind == Token::Kind::kComment ? "in a comment"
                : tokens[t].kind == Token::Kind::kString ? "in a string"
                                                          : "in an identifier";
      }
      Finding& fd = ctx.report(out, ids::kBidiControl, Span{f, at, at + ch.length},
                               fmt::format("bidirectional control character U+{:04X} ({}) {}", ch.code_point,
                                           bidi_name(ch.code_point), where));
      fd.anchor = fd.span;
      fd.help = "delete it: it can make the text display differently from how it compiles";
    }
    i += ch.valid ? ch.length : 1;
  }
}

}  // namespace

void check_text(const LintContext& ctx, std::vector<Finding>& out) {
  struct Seen {
    Span first;
    std::string text;
  };
  std::map<std::string, std::vector<Seen>> by_skeleton;  // skeleton -> distinct spellings, first use each
  std::set<std::string> spellings;
  for (FileId f : ctx.files) {
    const std::string_view text = ctx.ws.sources.file(f).text();
    const std::vector<Token> tokens = scan_tokens(text);
    bidi(ctx, f, tokens, out);
    for (const Token& t : tokens) {
      if (t.kind != Token::Kind::kIdentifier) continue;
      const std::string id(text.substr(t.begin, t.end - t.begin));
      const Span span{f, t.begin, t.end};
      if (!spellings.insert(id).second) continue;
      if (mixed_script(id)) {
        std::vector<std::string> names;
        const uint32_t set = scripts_of(id);
        for (Script s : {Script::kLatin, Script::kGreek, Script::kCyrillic, Script::kOther}) {
          if (set & (1u << static_cast<unsigned>(s))) names.emplace_back(script_name(s));
        }
        Finding& fd = ctx.report(out, ids::kMixedScriptIdentifier, span,
                                 fmt::format("identifier `{}` mixes {} letters", id, fmt::join(names, " and ")));
        fd.anchor = span;
        fd.help = fmt::format("it reads as `{}`; write it in one script", skeleton(id));
      }
      std::vector<Seen>& group = by_skeleton[skeleton(id)];
      if (!group.empty()) {
        Finding& fd = ctx.report(out, ids::kConfusableIdentifier, span,
                                 fmt::format("identifier `{}` looks like `{}`", id, group.front().text));
        fd.anchor = span;
        fd.notes.push_back({group.front().first, fmt::format("`{}` is used here", group.front().text)});
        fd.help = "rename one of them so they differ visibly";
      }
      group.push_back({span, id});
    }
  }
}

}  // namespace edict::lint
