#include "lbasim/cost/array_activity.h"

namespace lbasim::cost {

Activity activity_from_array(const sysc::ArrayStats& s, const WordBits& bits) {
  Activity a;
  a.macs = s.macs;
  a.chunk_adds = s.chunk_adds;
  for (const sysc::PeCounters& pe : s.pe) {
    a.zero_operand_macs += pe.zero_operand;
    a.reg_writes += pe.reg_writes;
  }
  auto traffic = [](const char* name, const sysc::BufferCounters& b, int word_bits) {
    const double bytes = word_bits / 8.0;
    return BufferTraffic{name, static_cast<double>(b.size_words) * bytes,
                         static_cast<double>(b.reads) * bytes,
                         static_cast<double>(b.writes) * bytes};
  };
  a.buffers = {traffic("act", s.act_buffer, bits.act),
               traffic("weight", s.weight_buffer, bits.weight),
               traffic("out", s.out_buffer, bits.out)};
  a.dram_bytes =
      (static_cast<double>(s.m * s.k) * bits.act + static_cast<double>(s.k * s.n) * bits.weight +
       static_cast<double>(s.m * s.n) * bits.out) /
      8.0;
  return a;
}

}  // namespace lbasim::cost
