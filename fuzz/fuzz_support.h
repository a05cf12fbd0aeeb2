// fuzz/fuzz_support.h: what the fuzz targets share: an input size cap, a
// byte reader for choices, a private working directory, and the rule that
// fuzzed text never reaches files outside it.
//
// Policy and test files can name other files (`include "x"`, `policy "x"`),
// resolved relative to the working directory. A fuzzer must not read the
// machine's files (`/dev/stdin` would block, `/proc/...` changes between runs),
// so targets run in an empty directory of their own and skip inputs that name
// a path with a `/` (every path outside that directory needs one). Names
// without a `/` still reach the loader, which reports them missing (E0105).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <unistd.h>

namespace edict::fuzz {

// Larger inputs only make runs slower, not more interesting.
inline constexpr size_t kMaxInput = 64 * 1024;

// Whether policy text includes a path with a `/` (parsed to find out, only when
// the text mentions `include` at all).
bool includes_outside_paths(const std::string& text);

// Moves the process into a fresh empty directory (once), so relative names in
// fuzzed text resolve to nothing. Returns that directory.
inline const std::string& private_directory() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/edict-fuzz.XXXXXX";
    const char* made = mkdtemp(tmpl);
    if (made == nullptr || chdir(made) != 0) {
      std::perror("edict fuzz: cannot make a private directory");
      std::abort();
    }
    return std::string(made);
  }();
  return dir;
}

// Draws choices from the input's bytes; past the end, every draw is 0, so any
// input is valid.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  uint64_t u64() { return (static_cast<uint64_t>(u32()) << 32) | u32(); }
  // In [0, n); n > 0.
  uint32_t below(uint32_t n) { return u32() % n; }
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Fails the run loudly: libFuzzer and the replay main both report an abort.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "edict fuzz: invariant broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace edict::fuzz
