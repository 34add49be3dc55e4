// The closed forms of docs/systolic.md, written out independently of the model: the tile order
// and the schedule (load, stream start, end) of every tile in both dataflows and buffering
// modes, with unlimited DRAM bandwidth.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "lbasim/systemc/array_config.h"

namespace lbasim::sysc::test {

struct TileTimes {
  std::int64_t row0, col0;  // WS: k0, n0; OS: m0, n0
  std::int64_t rows, cols;  // WS: kt x nt; OS: mt x nt
  std::int64_t load, stream, end;
};

inline std::vector<TileTimes> schedule(const ArrayConfig& ac, std::int64_t m, std::int64_t k,
                                       std::int64_t n) {
  const std::int64_t R = ac.rows, C = ac.cols;
  const bool dbl = ac.buffering == Buffering::double_;
  std::vector<TileTimes> tiles;
  if (ac.dataflow == DataflowKind::ws) {
    // N tiles outer, K tiles inner.
    for (std::int64_t n0 = 0; n0 < n; n0 += C)
      for (std::int64_t k0 = 0; k0 < k; k0 += R) {
        TileTimes t{k0, n0, std::min(R, k - k0), std::min(C, n - n0), 0, 0, 0};
        if (tiles.empty()) {
          t.load = 0;
        } else {
          const TileTimes& p = tiles.back();
          t.load = dbl ? std::max(p.load + p.rows, p.stream + p.cols - 1) : p.end;
        }
        if (!dbl) {
          t.stream = t.load + t.rows;
        } else if (tiles.empty()) {
          t.stream = t.load + 1;
        } else {
          const TileTimes& p = tiles.back();
          t.stream = std::max({t.load + 1, p.stream + m, k0 > 0 ? p.stream + R + 1 : 0});
        }
        t.end = t.stream + m + R + t.cols - 1;
        tiles.push_back(t);
      }
  } else {
    // M tiles outer, N tiles inner.
    for (std::int64_t m0 = 0; m0 < m; m0 += R)
      for (std::int64_t n0 = 0; n0 < n; n0 += C) {
        TileTimes t{m0, n0, std::min(R, m - m0), std::min(C, n - n0), 0, 0, 0};
        if (!tiles.empty()) {
          const TileTimes& p = tiles.back();
          t.stream = dbl ? p.stream + std::max(k, p.rows) : p.end;
        }
        t.load = t.stream;
        t.end = t.stream + k + t.rows + t.cols - 2 + (dbl ? R : t.rows);
        tiles.push_back(t);
      }
  }
  return tiles;
}

inline std::uint64_t total_cycles(const std::vector<TileTimes>& tiles) {
  std::int64_t end = 0;
  for (const TileTimes& t : tiles) end = std::max(end, t.end);
  return static_cast<std::uint64_t>(end);
}

}  // namespace lbasim::sysc::test
