// support/expand_paths.h: command-line paths to the files they stand for.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace edict {

// Keeps files as given and expands each directory to the files below it whose
// name ends in `suffix` (".edict", ".edict-test"), sorted so output is stable.
// A directory that cannot be listed or holds no such file is an error.
inline std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::string_view suffix,
                                             std::vector<std::string>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (it->is_regular_file(ec) && name.size() > suffix.size() && name.ends_with(suffix)) {
        found.push_back(it->path().string());
      }
    }
    if (ec) errors.push_back("cannot list `" + p + "`: " + ec.message());
    if (found.empty() && !ec) errors.push_back("no `" + std::string(suffix) + "` files in `" + p + "`");
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace edict
