// tools/edict/main.cc: the `edict` command: subcommand dispatch, --help, --version.
#include <exception>
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>

#include "tools/edict/commands.h"

#ifndef EDICT_VERSION
#define EDICT_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "edict: policy-as-code for multi-tenant access control.\n"
      "Exit status: 0 success, 1 the policy has errors (or a query was denied, with --exit-code),\n"
      "2 usage, I/O or internal error.",
      "edict"};
  app.set_version_flag("--version", "edict " EDICT_VERSION);
  app.require_subcommand(1);
  int exit_code = edict::cli::kExitOk;
  edict::cli::add_check_command(app, exit_code);
  edict::cli::add_compile_command(app, exit_code);
  edict::cli::add_query_command(app, exit_code);
  edict::cli::add_explain_command(app, exit_code);
  edict::cli::add_test_command(app, exit_code);
  edict::cli::add_matrix_command(app, exit_code);
  edict::cli::add_fmt_command(app, exit_code);
  edict::cli::add_diff_command(app, exit_code);
  edict::cli::add_lint_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // --help and --version are successes; every other parse error is a usage error.
    return code == 0 ? 0 : edict::cli::kExitUsage;
  } catch (const std::bad_alloc&) {
    // A policy too large for the memory this process may use: an I/O-class error.
    std::cerr << "edict: error: out of memory\n";
    return edict::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "edict: internal error: " << e.what() << '\n';
    return edict::cli::kExitUsage;
  }
  return exit_code;
}
