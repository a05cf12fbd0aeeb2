// compiler/suggest.h: "did you mean" hints by edit distance, as Cedar's fuzzy_search.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edict::compiler {

// Damerau-Levenshtein (optimal string alignment) distance, case-sensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a distance that grows with the word's length
// (1 for short words, up to 3), or nothing. Ties go to the earliest candidate, so
// results are stable for a given declaration order.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean `x`?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace edict::compiler
