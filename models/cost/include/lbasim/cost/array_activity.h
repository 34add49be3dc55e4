// The energy model's activity from a SystemC array run (models/systemc ArrayStats).
#pragma once

#include "lbasim/cost/energy.h"
#include "lbasim/systemc/array_stats.h"

namespace lbasim::cost {

// Bits per word of each buffer: activations and weights (W/A format), outputs (the output
// buffer holds partial-sum / chunk words or results, in the accumulator formats).
struct WordBits {
  int act = 8, weight = 8, out = 16;
};

// MACs, zero-operand MACs, register writes (summed over PEs), chunk adds, buffer traffic in
// bytes (size from size_words), and compulsory DRAM traffic: A and W read once, C written once.
Activity activity_from_array(const sysc::ArrayStats& s, const WordBits& bits);

}  // namespace lbasim::cost
