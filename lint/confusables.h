// lint/confusables.h: a compact subset of Unicode TR39 (security mechanisms)
// for identifiers: the script of a letter, mixed-script detection, and the
// confusable skeleton, for Latin, Cyrillic and Greek.
//
// skeleton(a) == skeleton(b) means a reader cannot tell `a` from `b`. The table
// holds the Cyrillic and Greek letters whose glyphs match a Latin letter (TR39's
// confusables.txt restricted to these scripts), plus the ASCII look-alikes TR39
// also folds: `I` and `1` read as `l`, `0` as `O`, and `rn` as `m`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edict::lint {

enum class Script : uint8_t { kCommon, kLatin, kGreek, kCyrillic, kOther };

Script script_of(uint32_t code_point);
std::string_view script_name(Script s);

// The scripts of an identifier's letters, as a bit set of (1 << Script); digits
// and `_` are kCommon and not counted.
uint32_t scripts_of(std::string_view identifier);
// More than one of Latin, Greek, Cyrillic, other.
bool mixed_script(std::string_view identifier);

std::string skeleton(std::string_view identifier);

}  // namespace edict::lint
