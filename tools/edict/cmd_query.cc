// tools/edict/cmd_query.cc: `edict query`: ask a compiled table (or policy files,
// compiled in memory) one question and print the decision: allow or deny, the
// reason, the deciding rule and the obligations. The request comes from flags
// and/or --request JSON (tools/edict/query_input.h); names the table does not know
// make the decision a deny with the reason, as they would at run time.
#include <iostream>

#include "runtime/eval.h"
#include "tools/edict/commands.h"
#include "tools/edict/query_input.h"

namespace edict::cli {
namespace {

int run_query(const QueryOptions& opts) {
  PreparedQuery q;
  if (int rc = prepare_query(opts, q); rc != kExitOk) return rc;
  const runtime::Decision d = runtime::evaluate(*q.table, q.builder->build(), q.custom.get());
  if (opts.format == Format::kJson) {
    std::cout << decision_json(q, d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    std::cout << decision_text(q, d);
  }
  return query_exit_code(opts, d);
}

}  // namespace

void add_query_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand(
      "query",
      "Ask a decision table one question: may this principal do this action on this resource?\n"
      "  edict query --table cc.edictc --tenant t1 --role agent --action answer --resource Call \\\n"
      "      --principal-attr queues=q1,q2 --resource-attr queue=q1\n"
      "Prints allow or deny, the reason, the deciding rule and the obligations.\n"
      "Names the table does not know deny the request, with the reason.\n"
      "Exit status: 0 answered (allow or deny), 1 denied with --exit-code, or the policy has errors,\n"
      "2 usage, I/O or malformed request.");
  add_query_options(*cmd, *opts);
  cmd->callback([opts, &exit_code] { exit_code = run_query(*opts); });
}

}  // namespace edict::cli
