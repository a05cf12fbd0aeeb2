// tools/edict/cmd_compile.cc: `edict compile POLICY... -o OUT.edictc`: load, check and
// lower one policy, and write its decision table.
//
// The table is written to a temporary file in the output's directory, flushed to
// disk and renamed over the output, so a failure (policy errors, a full disk, a
// missing or read-only directory) never leaves a half-written or stale-looking
// table behind: readers see the old file or the complete new one.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <span>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/lower.h"
#include "tools/edict/commands.h"
#include "tools/edict/query_input.h"

namespace edict::cli {
namespace {

struct CompileOptions {
  std::vector<std::string> paths;
  std::string output;
  bool no_debug = false;
  Format format = Format::kText;
  std::string color = "auto";
};

// Writes all of `bytes` to `fd`; false with errno set on failure.
bool write_all(int fd, std::span<const std::byte> bytes) {
  const auto* p = reinterpret_cast<const char*>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// An output that exists and is not a regular file (/dev/stdout, a pipe, a
// device) is written in place: renaming a temporary file over it would replace
// the device itself (and root may do that in /dev).
std::optional<std::string> write_in_place(const std::string& path, std::span<const std::byte> bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
  const bool ok = write_all(fd, bytes);
  const int err = errno;
  if (close(fd) != 0 && ok) return fmt::format("cannot write `{}`: close: {}", path, std::strerror(errno));
  if (!ok) return fmt::format("cannot write `{}`: write: {}", path, std::strerror(err));
  return std::nullopt;
}

// Writes `bytes` to `path` through a temporary file and rename(2). On failure
// returns a message and leaves nothing behind.
std::optional<std::string> write_atomically(const std::string& path, std::span<const std::byte> bytes) {
  namespace fs = std::filesystem;
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return write_in_place(path, bytes);
  // A symbolic link is followed: the file it names is replaced, never the link
  // (renaming over /dev/stdout -> /proc/self/fd/1 would replace /dev/stdout).
  std::error_code ec;
  fs::path target(path);
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    const fs::path real = fs::canonical(target, ec);
    if (!ec) target = real;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / fmt::format(".{}.tmp.XXXXXX", target.filename().string())).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
  auto fail = [&](const char* what) {
    const int err = errno;
    close(fd);
    unlink(tmpl.c_str());
    return fmt::format("cannot write `{}`: {}: {}", path, what, std::strerror(err));
  };
  // mkstemp creates the file 0600; give the table the usual permissions.
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, static_cast<mode_t>(0666 & ~mask)) != 0) return fail("chmod");
  if (!write_all(fd, bytes)) return fail("write");
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmpl.c_str());
    return fmt::format("cannot write `{}`: close: {}", path, std::strerror(err));
  }
  if (rename(tmpl.c_str(), target.c_str()) != 0) {
    const int err = errno;
    unlink(tmpl.c_str());
    return fmt::format("cannot write `{}`: {}", path, std::strerror(err));
  }
  return std::nullopt;
}

int run_compile(const CompileOptions& opts) {
  compiler::LowerOptions options;
  options.debug_info = !opts.no_debug;
  compiler::Workspace ws;
  std::vector<std::byte> bytes;
  nlohmann::json doc;
  int rc = compile_policy(opts.paths, options, opts.format, opts.color, ws, bytes, &doc);
  std::optional<std::string> write_error;
  if (rc == kExitOk) {
    write_error = write_atomically(opts.output, bytes);
    if (write_error) rc = kExitUsage;
  }
  if (opts.format == Format::kJson) {
    if (write_error) doc["io_errors"].push_back(*write_error);
    doc["output"] = rc == kExitOk ? nlohmann::json(opts.output) : nlohmann::json();
    doc["bytes"] = rc == kExitOk ? bytes.size() : 0;
    doc["debug_info"] = options.debug_info;
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else if (write_error) {
    std::cerr << "edict: error: " << *write_error << '\n';
  } else if (rc == kExitOk) {
    std::cout << fmt::format("edict: compiled {} file{} into {} ({} bytes{})\n", ws.files.size(),
                             ws.files.size() == 1 ? "" : "s", opts.output, bytes.size(),
                             options.debug_info ? "" : ", no debug info");
  }
  return rc;
}

}  // namespace

void add_compile_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CompileOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compile",
      "Check a policy and compile it into a decision table (.edictc) for the runtime.\n"
      "The given files (and directories) form one policy: exactly one root file, with its includes.\n"
      "The output is replaced atomically; on failure nothing is written.\n"
      "Exit status: 0 compiled, 1 the policy has errors, 2 usage or I/O error.");
  cmd->add_option("paths", opts->paths, "policy files or directories")->required();
  cmd->add_option("-o,--output", opts->output, "the table to write")->required();
  cmd->add_flag("--no-debug", opts->no_debug,
                "leave out the debug section (rule locations and condition texts used by `explain`)");
  cmd->add_option("--format", opts->format, "output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"text", Format::kText}, {"json", Format::kJson}}));
  cmd->add_option("--color", opts->color, "color diagnostics: auto (default), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([opts, &exit_code] { exit_code = run_compile(*opts); });
}

}  // namespace edict::cli
