// What both dataflows' tiling controllers share (docs/systolic.md, "Double buffering" and
// "Memory bandwidth"): a tile with its schedule and DRAM traffic, the DRAM port, and the set of
// tiles whose operands are in the array in a cycle.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace lbasim::sysc::detail {

inline constexpr std::int64_t kUnset = -1;

struct Tile {
  std::int64_t row0 = 0, col0 = 0;     // WS: first step k0 and column n0; OS: first row m0, n0
  int rows = 0, cols = 0;              // PEs the tile uses: WS kt x nt, OS mt x nt
  bool first_k = true, last_k = true;  // WS: first / last K tile of its columns
  // DRAM bytes: operands read before the tile starts, results written when it ends, and (WS)
  // partial pairs read back before it streams.
  double read_bytes = 0, write_bytes = 0, partial_read_bytes = 0;
  // Schedule in cycles of the GEMM, kUnset until decided: weight load start (WS), stream start
  // (first operand enters the array), end (the cycle after its last word left), and when its
  // DRAM data is usable.
  std::int64_t load = kUnset, stream = kUnset, end = kUnset;
  std::int64_t reads_ready = kUnset, partials_ready = kUnset;
};

// The DRAM port: one channel of `bytes_per_cycle` serving transfers in the order they are
// issued, each from the later of its issue cycle and the end of the one before. Data is usable
// from the first cycle after the transfer ends (ceil of its end time).
class DramChannel {
 public:
  void reset(double bytes_per_cycle) {
    bw_ = bytes_per_cycle;
    free_at_ = 0;
  }
  // Issues a transfer of `bytes` in cycle t; returns the first cycle its data is usable.
  std::int64_t issue(std::int64_t t, double bytes) {
    if (bytes <= 0 || std::isinf(bw_)) return t;
    free_at_ = std::max(free_at_, static_cast<double>(t)) + bytes / bw_;
    return static_cast<std::int64_t>(std::ceil(free_at_));
  }

 private:
  double bw_ = std::numeric_limits<double>::infinity();
  double free_at_ = 0;
};

// The tiles streaming in a cycle (their stream windows) and how many PEs they use together:
// the union of their rows x cols corners of the array.
class StreamWindows {
 public:
  void reset(int array_rows) {
    rows_ = array_rows;
    open_.clear();
    used_ = 0;
  }
  void open(std::int64_t end, int rows, int cols) {
    open_.push_back({end, rows, cols});
    recount();
  }
  // True if a window is open in cycle t (windows ending by t are closed first).
  bool active(std::int64_t t) {
    const auto gone =
        std::remove_if(open_.begin(), open_.end(), [t](const Window& w) { return w.end <= t; });
    if (gone != open_.end()) {
      open_.erase(gone, open_.end());
      recount();
    }
    return !open_.empty();
  }
  std::uint64_t used_pes() const { return used_; }

 private:
  struct Window {
    std::int64_t end;
    int rows, cols;
  };
  void recount() {
    used_ = 0;
    for (int r = 0; r < rows_; ++r) {
      int cols = 0;
      for (const Window& w : open_)
        if (w.rows > r) cols = std::max(cols, w.cols);
      used_ += static_cast<std::uint64_t>(cols);
    }
  }
  int rows_ = 0;
  std::vector<Window> open_;
  std::uint64_t used_ = 0;
};

}  // namespace lbasim::sysc::detail
