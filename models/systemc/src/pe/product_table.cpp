#include "product_table.h"

#include <bit>
#include <unordered_map>

namespace lbasim::sysc::detail {
namespace {

// Beyond this many table entries the table costs more than it saves.
constexpr std::size_t kMaxEntries = 1 << 16;

// Distinct values of x[0..n) by bit pattern (so -0 and +0 differ), in order of appearance.
std::vector<double> index_values(const double* x, std::int64_t n, std::vector<std::int32_t>& idx,
                                 std::size_t limit) {
  std::unordered_map<std::uint64_t, std::int32_t> seen;
  std::vector<double> values;
  idx.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto [it, fresh] = seen.try_emplace(std::bit_cast<std::uint64_t>(x[i]),
                                              static_cast<std::int32_t>(values.size()));
    if (fresh) {
      values.push_back(x[i]);
      if (values.size() > limit) return values;
    }
    idx[i] = it->second;
  }
  return values;
}

}  // namespace

void ProductTable::build(const GemmProblem& p, const num::Format& product) {
  product_ = product;
  enabled_ = false;
  table_.clear();
  const std::vector<double> av = index_values(p.a, p.m * p.k, a_idx_, kMaxEntries);
  const std::vector<double> wv = index_values(p.w, p.k * p.n, w_idx_, kMaxEntries);
  const std::size_t entries = av.size() * wv.size();
  // Worth it only when the GEMM does more MACs than the table has entries.
  if (entries > kMaxEntries || entries > static_cast<std::size_t>(p.m * p.k * p.n)) return;
  w_count_ = wv.size();
  table_.resize(entries);
  for (std::size_t i = 0; i < av.size(); ++i)
    for (std::size_t j = 0; j < wv.size(); ++j)
      table_[i * w_count_ + j] = num::mul_q(av[i], wv[j], product);
  enabled_ = true;
}

}  // namespace lbasim::sysc::detail
