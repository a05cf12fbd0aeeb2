// bench/seed_decisions.cc: one seed case's decision, repeated, for counting
// instructions (bench/instructions.sh runs it under callgrind).
//
//   edict_seed_decisions CASE [N]     (N default 1000)
//   edict_seed_decisions --list
//
// Evaluates the prepared request of seed case CASE (bench/seed_requests.cc) N
// times. Exit status: 0; 1 if a decision differed from the case's expected
// effect; 2 for an unknown case or bad arguments.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/seed_requests.h"
#include "runtime/eval.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CASE [N] | --list\n", argv[0]);
    return 2;
  }
  const edict::bench::SeedCases cases;
  const std::string name = argv[1];
  if (name == "--list") {
    for (const auto& c : cases.cases()) std::printf("%s\n", c.name.c_str());
    return 0;
  }
  long n = 1000;
  if (argc > 2) {
    char* end = nullptr;
    n = std::strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || n <= 0) {
      std::fprintf(stderr, "%s: N must be a positive number, not `%s`\n", argv[0], argv[2]);
      return 2;
    }
  }
  for (const auto& c : cases.cases()) {
    if (c.name != name) continue;
    long wrong = 0;
    for (long i = 0; i < n; ++i) {
      const edict::runtime::Decision d = edict::runtime::evaluate(*c.table, *c.request, c.custom);
      wrong += d.effect != c.expected ? 1 : 0;
    }
    if (wrong != 0) {
      std::fprintf(stderr, "%s: %ld of %ld decisions differ from the expected effect\n", name.c_str(), wrong, n);
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "%s: no seed case `%s` (--list names them)\n", argv[0], name.c_str());
  return 2;
}
