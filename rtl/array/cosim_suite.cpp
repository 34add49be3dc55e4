#include "cosim_suite.h"

#include "lbasim/systemc/random_operands.h"

namespace lbasim::rtl {

const std::vector<CosimCase>& default_cosim_cases() {
  static const std::vector<CosimCase> cases = {
      {1, 1, 1, 0},    {4, 4, 4, 4},     {5, 9, 6, 0},   {5, 9, 6, 1},     {7, 13, 9, 3},
      {7, 13, 9, 4},   {3, 11, 5, 5},    {6, 8, 4, 8},   {2, 17, 7, 6},    {9, 11, 6, 3},
      {17, 23, 13, 5}, {33, 9, 10, 0},   {5, 40, 7, 16}, {13, 17, 19, 8},  {31, 7, 3, 1},
      {2, 64, 9, 16},  {20, 33, 11, 12}, {7, 5, 22, 2},  {16, 16, 16, 16}, {11, 30, 14, 7},
      {40, 12, 17, 4}, {24, 19, 21, 5},  {11, 2, 9, 0},  {9, 1, 6, 0}};
  return cases;
}

std::vector<CosimCase> default_cosim_cases(const ArrayParams& p) {
  std::vector<CosimCase> cases = default_cosim_cases();
  const std::int64_t unit = std::int64_t{p.rows} * p.terms();  // products of a K tile
  if (p.chunk_lane == sysc::ChunkLane::column)
    for (CosimCase& c : cases) c.chunk = (c.chunk + unit - 1) / unit * unit;
  return cases;
}

CosimResult cosim_random(ArrayDutFactory make_dut, const CosimCase& c, std::uint64_t seed,
                         const CosimOptions& opt) {
  const ArrayParams p = make_dut()->params();
  const num::AccumConfig cfg{p.product, p.accumulator, p.chunk_accumulator, c.chunk, p.fused};
  const std::vector<double> a = sysc::random_operand(c.m * c.k, p.a, seed, 2.0);
  const std::vector<double> w = sysc::random_operand(c.k * c.n, p.w, seed + 1, 2.0);
  return run_cosim(make_dut, a.data(), w.data(), c.m, c.k, c.n, cfg, opt);
}

}  // namespace lbasim::rtl
