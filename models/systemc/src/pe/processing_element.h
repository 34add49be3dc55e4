// The PE interface of the array: what one processing element computes in one cycle, and how a
// dot product maps onto its steps. The dataflows (src/dataflow/) are templates over a type
// that satisfies ProcessingElement, so the step inlines into their loops and costs no call;
// make_dataflow.cpp is the one place that maps ArrayConfig::pe to a type. A new PE kind is a
// new file here plus one case there; the dataflows do not change.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>

#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc::detail {

// The two values a PE passes on (WS: down the column) or keeps (OS): the partial sum in the
// accumulator format and the chunk lane in the chunk-accumulator format.
struct Lanes {
  double psum = 0.0;
  double chunk = 0.0;
};

// A dot product of length K is `steps()` PE steps; step s consumes the operands
// activation(m, s) and weight(s, n) (an FMA PE: one product, s = k; a g-term dot-product PE
// would take g of them). The dataflows tile and skew steps, never k.
template <class Pe>
concept ProcessingElement = requires(Pe& pe, const Pe& cpe, const GemmProblem& p, std::int64_t i,
                                     Lanes lanes, bool restart, const typename Pe::Operand& op,
                                     PeStepEvents& ev, std::uint8_t& events) {
  typename Pe::Operand;  // what the operand registers hold (moved as a whole)
  pe.bind(p);            // a new GEMM: per-GEMM tables, chunk boundaries
  { cpe.steps() } -> std::convertible_to<std::int64_t>;
  { cpe.restarts(i) } -> std::convertible_to<bool>;  // step i starts a chunk other than the first
  { cpe.products(i) } -> std::convertible_to<int>;   // MACs step i does (a step of every output)
  { cpe.activation(i, i) } -> std::same_as<typename Pe::Operand>;  // A operand (row m, step s)
  { cpe.weight(i, i) } -> std::same_as<typename Pe::Operand>;      // W operand (step s, col n)
  { Pe::zero_operands(op, op) } -> std::convertible_to<int>;       // MACs with a 0 operand
  { Pe::words(op) } -> std::convertible_to<int>;  // buffer words the operand was read from
  // One step: if `restart`, the finished chunk joins the chunk lane and the psum restarts at
  // +0; then the operands' products are added into the psum. Events go to ev.
  { cpe.step(lanes, restart, op, op, ev) } -> std::same_as<Lanes>;
  // The column-bottom chunk accumulator: the dot product's result Q_cacc(psum + chunk).
  { cpe.result(lanes, events) } -> std::same_as<double>;
  // The arithmetic bind() chose for this GEMM (ArrayConfig::arith), for the statistics.
  { cpe.arith() } -> std::convertible_to<std::string>;
};

}  // namespace lbasim::sysc::detail
