// bench/scale_policy.h: synthetic policies of a given rule count, for the scaling
// benchmarks (bench/eval_bench.cc). Benchmark-only; not part of the product.
//
// Shape (deterministic for a given (rules, roles)):
//   - roles r0..r{R-1} (R = rules / 4 clamped to [4, 4096] unless given; think of
//     every tenant's custom roles compiled as roles), every fourth role extending
//     the one before it, plus `superadmin role root`;
//   - A x T (action, resource type) cells with about 8 rules each
//     (cells = ceil(rules / 8), A = min(16, cells), T = ceil(cells / A));
//   - rule i lands in cell i % cells, so every cell gets the same share; its kind
//     cycles through 50% unconditional grants, 30% conditional grants, 10%
//     unconditional forbids and 10% conditional forbids, naming one random role
//     (unconditional forbids never name r0 or r1, and no forbid condition holds
//     for the probe request, so the probe is allowed at every size);
//   - rules 0 and 1 are a fixed probe in cell (a0, T0): a scoped grant for r1 and a
//     forbid for everyone on suspended principals. The fixed request of the scaling
//     benchmark (r1 does a0 on a T0 of one of its 4 groups) is allowed by rule 0
//     after running both probes and whatever else landed in the cell.
#pragma once

#include <cstdint>
#include <string>

namespace edict::bench {

struct ScaleShape {
  uint32_t rules = 0;
  uint32_t roles = 0;
  uint32_t actions = 0;
  uint32_t resources = 0;
};

// roles == 0: the default (rules / 4 clamped to [4, 4096]).
ScaleShape scale_shape(uint32_t rules, uint32_t roles = 0);
std::string scale_policy(const ScaleShape& shape);

}  // namespace edict::bench
