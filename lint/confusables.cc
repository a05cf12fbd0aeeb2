// lint/confusables.cc: scripts and TR39 skeletons for Latin, Cyrillic, Greek.
#include "lint/confusables.h"

#include <algorithm>
#include <iterator>
#include <bit>
#include <utility>

#include "grammar/source.h"

namespace edict::lint {
namespace {

// Sorted by code point: letter -> the Latin it is drawn like.
constexpr std::pair<uint32_t, char> kConfusable[] = {
    {0x0131, 'i'}, {0x0251, 'a'},
    {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'l'},
    {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'},
    {0x03A5, 'Y'}, {0x03A7, 'X'}, {0x03B1, 'a'}, {0x03B3, 'y'}, {0x03B9, 'i'}, {0x03BA, 'k'},
    {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C5, 'u'}, {0x03C7, 'x'},
    {0x0405, 'S'}, {0x0406, 'l'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'},
    {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'},
    {0x0422, 'T'}, {0x0423, 'Y'}, {0x0425, 'X'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'},
    {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'},
    {0x0458, 'j'}, {0x0475, 'v'}, {0x04AE, 'Y'}, {0x04AF, 'y'}, {0x04BB, 'h'}, {0x04C0, 'l'},
    {0x04CF, 'l'}, {0x0501, 'd'}, {0x050C, 'G'}, {0x051A, 'Q'}, {0x051B, 'q'}, {0x051C, 'W'},
    {0x051D, 'w'},
};

constexpr bool sorted_table() {
  for (size_t i = 1; i < std::size(kConfusable); ++i) {
    if (kConfusable[i - 1].first >= kConfusable[i].first) return false;
  }
  return true;
}

}  // namespace

Script script_of(uint32_t cp) {
  if (cp < 0x80) {
    const bool letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return letter ? Script::kLatin : Script::kCommon;
  }
  if ((cp >= 0x00C0 && cp <= 0x024F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
      (cp >= 0x0250 && cp <= 0x02AF)) {
    return Script::kLatin;
  }
  if ((cp >= 0x0370 && cp <= 0x03FF) || (cp >= 0x1F00 && cp <= 0x1FFF)) return Script::kGreek;
  if (cp >= 0x0400 && cp <= 0x052F) return Script::kCyrillic;
  return Script::kOther;
}

std::string_view script_name(Script s) {
  switch (s) {
    case Script::kCommon: return "Common";
    case Script::kLatin: return "Latin";
    case Script::kGreek: return "Greek";
    case Script::kCyrillic: return "Cyrillic";
    case Script::kOther: return "other";
  }
  return "other";
}

uint32_t scripts_of(std::string_view id) {
  uint32_t set = 0;
  for (size_t i = 0; i < id.size();) {
    const Utf8Char ch = decode_utf8(id, i);
    const uint32_t cp = ch.valid ? ch.code_point : static_cast<unsigned char>(id[i]);
    const Script s = script_of(cp);
    if (s != Script::kCommon) set |= 1u << static_cast<unsigned>(s);
    i += ch.valid ? ch.length : 1;
  }
  return set;
}

bool mixed_script(std::string_view id) { return std::popcount(scripts_of(id)) > 1; }

std::string skeleton(std::string_view id) {
  static_assert(sorted_table(), "kConfusable must be sorted by code point");
  std::string out;
  for (size_t i = 0; i < id.size();) {
    const Utf8Char ch = decode_utf8(id, i);
    if (!ch.valid) {
      out += id[i];
      ++i;
      continue;
    }
    const uint32_t cp = ch.code_point;
    const auto* end = std::end(kConfusable);
    const auto* it = std::lower_bound(std::begin(kConfusable), end, cp,
                                     [](const std::pair<uint32_t, char>& e, uint32_t v) { return e.first < v; });
    if (it != end && it->first == cp) {
      out += it->second;
    } else if (cp == 'I' || cp == '1') {
      out += 'l';
    } else if (cp == '0') {
      out += 'O';
    } else if (cp == 'm') {
      out += "rn";
    } else {
      out.append(id.substr(i, ch.length));
    }
    i += ch.length;
  }
  return out;
}

}  // namespace edict::lint
