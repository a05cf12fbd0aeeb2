// support/suggest.h: "did you mean" hints by edit distance, as Cedar's fuzzy_search.
// Header-only, like the rest of support/: the compiler, the test runner and the
// runtime's request builder all suggest names, and none may depend on another.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edict {

// Damerau-Levenshtein (optimal string alignment) distance, case-sensitive.
inline size_t edit_distance(std::string_view a, std::string_view b) {
  // Names are short; a full matrix is fine. Long inputs are cut off by closest().
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The closest candidate within a distance that grows with the word's length
// (1 for short words, up to 3), or nothing. Ties go to the earliest candidate, so
// results are stable for a given declaration order.
inline std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 64) return std::nullopt;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const size_t limit = word.size() <= 3 ? 1 : word.size() <= 6 ? 2 : 3;
  std::optional<std::string> best;
  size_t best_d = limit + 1;
  const std::string lw = lower(word);
  for (const std::string& c : candidates) {
    if (c == word || c.size() > 64) continue;
    // A difference only in case counts as one edit: `Ivr` for `IVR`.
    const size_t d = lower(c) == lw ? 1 : edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// "did you mean `x`?" or "" when nothing is close.
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto c = closest(word, candidates);
  return c ? "did you mean `" + *c + "`?" : std::string();
}

// "; did you mean `view`?" when one of `count` names (the k-th is `name_of(k)`)
// is close to `name`, else "": for messages of one line, such as unknown_name's.
template <typename NameOf>
std::string suggestion(std::string_view name, uint32_t count, NameOf name_of) {
  std::vector<std::string> candidates;
  for (uint32_t k = 0; k < count; ++k) candidates.emplace_back(name_of(k));
  const std::string hint = did_you_mean(name, candidates);
  return hint.empty() ? hint : "; " + hint;
}

// "unknown action `veiw`; did you mean `view`?" (the suggestion as above).
template <typename NameOf>
std::string unknown_name(std::string_view what, std::string_view name, uint32_t count, NameOf name_of) {
  return "unknown " + std::string(what) + " `" + std::string(name) + "`" + suggestion(name, count, name_of);
}

}  // namespace edict
