// fuzz/request_fuzzer.cc: a JSON request, as `edict query --request` reads it,
// against the contact-center policy's table: parse, resolve names, build the
// request, evaluate, explain, and render the answer as text and JSON.
//
// Trust boundary: request JSON from a user or a gateway. Every input must end
// in a decision or a located "request: ..." error (exit 2), never a crash, and
// never an exception escaping to the CLI's "internal error" handler: the CLI
// code is linked as is (tools/edict/query_input.cc), so an exception that
// escapes prepare_query() crashes this target.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "compiler/lower.h"
#include "fuzz/fuzz_support.h"
#include "runtime/eval.h"
#include "tools/edict/query_input.h"

namespace {

std::string table_path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace edict;
  const std::string dir = fuzz::private_directory();
  Diagnostics diags;
  compiler::Workspace ws;
  auto bytes = compiler::compile_files({std::string(EDICT_SOURCE_DIR) + "/policies/contact_center.edict"},
                                       compiler::LowerOptions{}, diags, ws);
  if (!bytes) fuzz::fail("policies/contact_center.edict does not compile");
  table_path = dir + "/contact_center.edictc";
  std::ofstream out(table_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  if (!out.flush()) fuzz::fail("cannot write " + table_path);
  // prepare_query() reports bad requests on std::cerr: silence it (aborts still print).
  std::cerr.setstate(std::ios::badbit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > fuzz::kMaxInput) return -1;
  cli::QueryOptions opts;
  opts.request.assign(reinterpret_cast<const char*>(data), size);
  // `@FILE` reads a file: not fuzzed text. An empty --request means none given.
  if (opts.request.empty() || opts.request[0] == '@') return -1;
  opts.table_path = table_path;
  cli::PreparedQuery q;
  if (cli::prepare_query(opts, q) != cli::kExitOk) return 0;
  const runtime::Decision d = runtime::evaluate(*q.table, q.builder->build(), q.custom.get());
  const runtime::Explanation e = runtime::explain(*q.table, q.builder->build(), q.custom.get(),
                                                  [&](int64_t id) { return q.builder->entity_name(id); });
  if (e.decision.effect != d.effect) fuzz::fail("explain() and evaluate() decide differently");
  (void)cli::decision_json(q, d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)cli::decision_text(q, d);
  return 0;
}
