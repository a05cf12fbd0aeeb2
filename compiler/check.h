// compiler/check.h: the front door of the front end: names and types.
//
// check() resolves every name of one policy (a root file and its includes) and
// type-checks every rule, reporting as many independent errors as it can in one
// run (codes E01xx for names, E02xx for types; see docs/diagnostics.md). It
// returns the checked Policy only when there were no errors. A policy whose files
// did not parse cleanly is not checked further (its syntax errors are already in
// `diags`), since missing declarations would only cascade into unknown names. Pure function of
// its inputs; no I/O. The Workspace must outlive the returned Policy (rule
// conditions point into its AST).
#pragma once

#include "compiler/load.h"
#include "compiler/policy.h"
#include "grammar/diagnostic.h"
#include "support/result.h"

namespace edict::compiler {

[[nodiscard]] Result<Policy> check(const Workspace& ws, FileId root, Diagnostics& diags);

}  // namespace edict::compiler
