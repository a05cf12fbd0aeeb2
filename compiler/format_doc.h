// compiler/format_doc.h: a small document algebra for the formatter, and its printer.
//
// Wadler's "prettier printer" as prettier and rustfmt use it: the formatter
// describes a declaration as text joined by possible line breaks, grouped; the
// printer puts each group on one line when it fits the width and breaks all of
// its lines otherwise. `fill` breaks only where needed (long name lists).
// Comments use two extra forms: `own_line` text always starts on a fresh line and
// is followed by a newline; `line_suffix` text is deferred to the end of the
// current output line (a trailing comment can never swallow code that follows).
// A group containing a hard break or an own-line text never prints flat; a line
// suffix does not break its group (the comment follows its line). Documents are immutable and shared; building them allocates, printing is
// linear in the output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edict::compiler::doc {

struct Node;
using Doc = std::shared_ptr<const Node>;

struct Node {
  enum class Kind : uint8_t {
    kText,        // text, never containing a newline unless it is a comment
    kLine,        // a space when flat, a newline when broken
    kSoftLine,    // nothing when flat, a newline when broken
    kHardLine,    // always a newline
    kIfBreak,     // text printed only when the enclosing group is broken
    kConcat,      // parts in order
    kNest,        // parts[0] with `indent` more columns after each newline
    kGroup,       // parts[0], flat if it fits
    kFill,        // parts: content, separator, content, ...; breaks separators as needed
    kLineSuffix,  // text printed before the next newline
    kOwnLine,     // text on a line of its own
  };
  Kind kind = Kind::kText;
  std::string text;
  int indent = 0;
  bool hard = false;  // contains something that forces the enclosing groups to break
  std::vector<Doc> parts;
};

Doc text(std::string s);
Doc line();
Doc softline();
Doc hardline();
Doc if_break(std::string s);
Doc concat(std::vector<Doc> parts);
Doc nest(int indent, Doc d);
Doc group(Doc d);
Doc fill(std::vector<Doc> parts);
Doc line_suffix(std::string s);
Doc own_line(std::string s);

// Lays `d` out in `width` columns (code points). Lines carry no trailing blanks.
std::string print(const Doc& d, int width);

}  // namespace edict::compiler::doc
