// bench/memory_soak.cc: memory stays flat over many decisions.
//
//   edict_memory_soak [decisions]     (default 100,000,000)
//
// Compiles and loads the seed tables (bench/seed_requests.cc), then evaluates
// the prepared requests round-robin, printing the resident set size (VmRSS of
// /proc/self/status) before, every 10,000,000 decisions and after, with the
// decision rate. Not a ctest: it takes tens of seconds; docs/performance.md
// records a run. Exit status: 0; 1 if a decision differed from the expected one
// (a correctness check, never a judgement of time or memory); 2 on setup failure.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "bench/seed_requests.h"
#include "runtime/eval.h"

namespace {

// VmRSS in kB, or -1.
long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t total = 100'000'000;
  if (argc > 1) {
    char* end = nullptr;
    total = std::strtoull(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0') {
      std::fprintf(stderr, "usage: %s [decisions]\n", argv[0]);
      return 2;
    }
  }
  const edict::bench::SeedCases seeds;
  const auto& cases = seeds.cases();
  std::printf("requests: %zu prepared (", cases.size());
  for (size_t i = 0; i < cases.size(); ++i) std::printf("%s%s", i ? ", " : "", cases[i].name.c_str());
  std::printf(")\n");
  // Warm-up, so that "before" already counts the pages any decision touches (code,
  // stack, stdio's number formatting): what follows measures growth per decision.
  uint64_t warm = 0;
  for (int k = 0; k < 1000; ++k) {
    const edict::bench::SeedCase& c = cases[static_cast<size_t>(k) % cases.size()];
    warm += edict::runtime::evaluate(*c.table, *c.request, c.custom).allowed();
  }
  std::printf("warm-up: 1000 decisions, %.1f%% allowed\n", static_cast<double>(warm) / 10.0);
  const long before = rss_kb();
  std::printf("%13s decisions  VmRSS %6ld kB  (before)\n", "0", before);
  std::fflush(stdout);

  constexpr uint64_t kReport = 10'000'000;
  uint64_t allowed = 0, mismatches = 0;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  auto last = start;
  size_t next_case = 0;
  for (uint64_t done = 0; done < total;) {
    const uint64_t chunk_end = std::min(total, (done / kReport + 1) * kReport);
    for (; done < chunk_end; ++done) {
      const edict::bench::SeedCase& c = cases[next_case];
      next_case = next_case + 1 == cases.size() ? 0 : next_case + 1;
      const edict::runtime::Decision d = edict::runtime::evaluate(*c.table, *c.request, c.custom);
      allowed += d.allowed();
      mismatches += d.effect != c.expected;
    }
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - last).count();
    last = now;
    std::printf("%13" PRIu64 " decisions  VmRSS %6ld kB  %6.1f M decisions/s\n", done, rss_kb(),
                static_cast<double>(done % kReport == 0 ? kReport : done % kReport) / secs / 1e6);
    std::fflush(stdout);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_secs = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const long after = rss_kb();
  std::printf("%13" PRIu64 " decisions  VmRSS %6ld kB  (after; %+ld kB)\n", total, after, after - before);
  // Rates per wall-clock second (the per-10M lines too); the machine may be shared,
  // so the CPU-time figure is printed as well.
  std::printf("total: %.2f s wall, %.2f s CPU; %.1f M decisions/s wall, %.1f ns/decision CPU; %" PRIu64
              " allowed, %" PRIu64 " unexpected\n",
              secs, cpu_secs, static_cast<double>(total) / secs / 1e6, cpu_secs * 1e9 / static_cast<double>(total),
              allowed, mismatches);
  return mismatches == 0 ? 0 : 1;
}
