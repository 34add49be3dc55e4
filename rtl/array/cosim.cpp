#include "cosim.h"

#include <fmt/format.h>

#include <bit>
#include <chrono>
#include <vector>

#include "lbasim/numerics/encoding.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::rtl {
namespace {

using Clock = std::chrono::steady_clock;

// A SystemC PE record in the RTL's event bits (rtl/pe/pe_core.v).
PeEventBits to_bits(const sysc::PeStepEvents& e) {
  return static_cast<PeEventBits>(e.done | e.product << 2 | e.accumulator << 5 | e.chunk << 9);
}

// "MAC, chunk add, accumulator inexact".
std::string describe_pe_events(std::uint64_t bits) {
  static const char* const kEvents[] = {"overflow", "underflow", "inexact", "swamped"};
  std::string s;
  const auto add = [&](const std::string& what) { s += (s.empty() ? "" : ", ") + what; };
  if (bits & 1) add("MAC");
  if (bits & 2) add("chunk add");
  const struct {
    const char* stage;
    int lsb, count;
  } stages[] = {{"product", 2, 3}, {"accumulator", 5, 4}, {"chunk", 9, 4}};
  for (const auto& st : stages)
    for (int i = 0; i < st.count; ++i)
      if (bits >> (st.lsb + i) & 1) add(fmt::format("{} {}", st.stage, kEvents[i]));
  return s.empty() ? "idle" : s;
}

class Comparator {
 public:
  Comparator(const ArrayParams& p, CosimResult& r) : p_(p), r_(r) {}

  // Compares the words both sides produced in one cycle.
  void compare(std::uint64_t cycle, const std::vector<sysc::OutputWord>& want,
               const std::vector<RtlWord>& got) {
    std::vector<bool> used(got.size(), false);
    for (const sysc::OutputWord& e : want) {
      ++r_.words;
      std::size_t j = 0;
      while (j < got.size() && got[j].word.column != e.column) ++j;
      if (j == got.size()) {
        fail(cycle, e, "word", 1, 0, 1, 0);
        continue;
      }
      used[j] = true;
      compare_word(cycle, e, got[j]);
    }
    for (std::size_t j = 0; j < got.size(); ++j)
      if (!used[j]) {
        ++r_.words;
        fail(cycle, got[j].word, "word", 0, 1, 0, 1);
      }
  }

  // Compares every PE's events of one cycle; `want` empty: a cycle without PE arithmetic.
  // Fused arrays: also the number of terms whose alignment dropped bits and of terms cut to
  // zero (the SystemC model counts them; the RTL flags each term).
  void compare(std::uint64_t cycle, const std::vector<sysc::PeStepEvents>& want,
               const RtlCycle& got) {
    const bool terms = p_.fused.has_value();
    for (std::size_t i = 0; i < got.pe_events.size(); ++i) {
      ++r_.pe_events;
      const sysc::PeStepEvents e = i < want.size() ? want[i] : sysc::PeStepEvents{};
      const std::uint64_t inexact = terms ? got.pe_inexact_terms.at(i) : 0;
      const std::uint64_t cut = terms ? got.pe_cut_terms.at(i) : 0;
      const char* field = nullptr;
      std::uint64_t want_code = 0, got_code = 0;
      if (to_bits(e) != got.pe_events[i]) {
        field = "PE events";
        want_code = to_bits(e);
        got_code = got.pe_events[i];
      } else if (std::popcount(inexact) != e.align_inexact) {
        field = "PE align_inexact terms";
        want_code = e.align_inexact;
        got_code = inexact;
      } else if (std::popcount(cut) != e.cut) {
        field = "PE cut terms";
        want_code = e.cut;
        got_code = cut;
      }
      if (!field) continue;
      ++r_.mismatched_pe_events;
      if (r_.first) continue;
      r_.first = Mismatch{.cycle = cycle,
                          .column = static_cast<int>(i % p_.cols),
                          .row = static_cast<int>(i / p_.cols),
                          .field = field,
                          .expected_code = want_code,
                          .actual_code = got_code};
    }
  }

 private:
  void compare_word(std::uint64_t cycle, const sysc::OutputWord& e, const RtlWord& g) {
    if (g.word.m != e.m || g.word.n != e.n)
      return fail(cycle, e, "m", e.m, g.word.m, double(e.m), double(g.word.m));
    if (g.word.final != e.final)
      return fail(cycle, e, "final", e.final, g.word.final, e.final, g.word.final);
    if (g.word.chunk_add != e.chunk_add)
      return fail(cycle, e, "chunk add", e.chunk_add, g.word.chunk_add, e.chunk_add,
                  g.word.chunk_add);
    const std::uint64_t ps = num::encode(e.psum, p_.accumulator);
    if (ps != g.psum_code) return fail(cycle, e, "psum", ps, g.psum_code, e.psum, g.word.psum);
    const std::uint64_t co = num::encode(e.chunk, p_.chunk_accumulator);
    if (co != g.chunk_code) return fail(cycle, e, "chunk", co, g.chunk_code, e.chunk, g.word.chunk);
    if (!e.chunk_add) {
      // Chunk lane 'column': the column-bottom accumulator must not add here (its chunk_lane
      // passes the running-sum input, without events); with 'pe' it adds every word.
      if (p_.chunk_lane == sysc::ChunkLane::column &&
          (g.value_code != g.chunk_code || g.value_events != 0))
        return fail(cycle, e, "chunk add", 0, 1, 0, 1);
      return;
    }
    const std::uint64_t v = num::encode(e.value, p_.chunk_accumulator);
    if (v != g.value_code) return fail(cycle, e, "value", v, g.value_code, e.value, g.word.value);
    if (e.events != g.value_events)
      return fail(cycle, e, "value events", e.events, g.value_events, e.events, g.value_events);
  }

  void fail(std::uint64_t cycle, const sysc::OutputWord& at, const char* field,
            std::uint64_t want_code, std::uint64_t got_code, double want, double got) {
    ++r_.mismatched_words;
    if (r_.first) return;
    r_.first = Mismatch{.cycle = cycle,
                        .column = at.column,
                        .m = at.m,
                        .n = at.n,
                        .field = field,
                        .expected_code = want_code,
                        .actual_code = got_code,
                        .expected = want,
                        .actual = got};
  }

  const ArrayParams& p_;
  CosimResult& r_;
};

}  // namespace

CosimResult run_cosim(ArrayDutFactory make_dut, const double* a, const double* w, std::int64_t m,
                      std::int64_t k, std::int64_t n, const num::AccumConfig& cfg,
                      const CosimOptions& opt) {
  CosimResult r;
  std::unique_ptr<ArrayDut> dut = make_dut();
  const ArrayParams p = dut->params();
  if (!opt.vcd.empty()) dut->open_vcd(opt.vcd);
  const GemmJob job{a, w, m, k, n, cfg, opt.fault, opt.buffering == sysc::Buffering::double_};
  std::unique_ptr<ArrayDriver> driver = make_array_driver(*dut, job);
  Comparator cmp(p, r);

  std::vector<double> c(m * n);
  std::vector<sysc::OutputWord> sc_words;
  std::vector<sysc::PeStepEvents> sc_events;  // of this cycle; empty: no PE arithmetic
  sysc::RunHooks hooks;
  hooks.on_output = [&](const sysc::OutputWord& word) { sc_words.push_back(word); };
  hooks.on_pe_events = [&](const sysc::CycleEvents& e) {
    sc_events.assign(e.pe.begin(), e.pe.end());
  };
  double rtl_seconds = 0;
  hooks.after_cycle = [&](std::uint64_t cycle) {
    const auto t0 = Clock::now();
    const RtlCycle rtl = driver->step();
    rtl_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    cmp.compare(cycle, sc_words, rtl.words);
    cmp.compare(cycle, sc_events, rtl);
    sc_words.clear();
    sc_events.clear();
  };
  const auto t0 = Clock::now();
  sysc::ArrayConfig array{p.rows, p.cols, p.dataflow};
  array.buffering = opt.buffering;
  array.chunk_lane = p.chunk_lane;
  array.pe = p.fused ? sysc::PeKind::fused : sysc::PeKind::fmaq;
  r.stats = sysc::run_gemm({a, w, c.data(), m, k, n, {}, p.floors()}, array, cfg, hooks);
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  r.sc_cycles = r.stats.total_cycles;
  // The RTL may still be busy: let it finish (bounded); every word or event it emits is
  // unexpected.
  const std::uint64_t limit = 2 * r.sc_cycles + 1000;
  while (!driver->done() && driver->cycles() < limit) {
    const std::uint64_t cycle = driver->cycles();
    const RtlCycle rtl = driver->step();
    cmp.compare(cycle, {}, rtl.words);
    cmp.compare(cycle, std::vector<sysc::PeStepEvents>{}, rtl);
  }
  r.rtl_cycles = driver->done() ? driver->cycles() : limit;
  r.rtl_seconds = rtl_seconds;
  r.sc_seconds = total - rtl_seconds;

  // A window of RTL waveforms around the first mismatch: rerun the RTL alone, dumping only it.
  if (r.first && !opt.window_vcd.empty()) {
    std::unique_ptr<ArrayDut> again = make_dut();
    again->open_vcd(opt.window_vcd);
    std::unique_ptr<ArrayDriver> replay = make_array_driver(*again, job);
    const std::uint64_t lo =
        r.first->cycle > std::uint64_t(opt.window) ? r.first->cycle - opt.window : 0;
    const std::uint64_t hi = r.first->cycle + opt.window;
    while (!replay->done() && replay->cycles() <= hi) {
      again->set_vcd_dump(replay->cycles() >= lo);
      replay->step();
    }
    again->close_vcd();
  }
  return r;
}

std::string describe(const Mismatch& mm) {
  if (mm.row >= 0 && mm.field != "PE events")  // a count of terms, and the RTL's term flags
    return fmt::format(
        "cycle {}, PE({}, {}), {}: expected {}, RTL {} (flags 0x{:x}, bit 0 the "
        "running sum, bit 1 + i product i)",
        mm.cycle, mm.row, mm.column, mm.field, mm.expected_code, std::popcount(mm.actual_code),
        mm.actual_code);
  if (mm.row >= 0)
    return fmt::format("cycle {}, PE({}, {}), {}: expected 0x{:x} ({}), RTL 0x{:x} ({})", mm.cycle,
                       mm.row, mm.column, mm.field, mm.expected_code,
                       describe_pe_events(mm.expected_code), mm.actual_code,
                       describe_pe_events(mm.actual_code));
  return fmt::format("cycle {}, column {} (C[{}][{}]), {}: expected 0x{:x} ({}), RTL 0x{:x} ({})",
                     mm.cycle, mm.column, mm.m, mm.n, mm.field, mm.expected_code, mm.expected,
                     mm.actual_code, mm.actual);
}

}  // namespace lbasim::rtl
