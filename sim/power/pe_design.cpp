#include "pe_design.h"

#include <nlohmann/json.hpp>

#include "lbasim/numerics/error.h"

namespace lbasim::power {
namespace {

const std::vector<std::string> kFmaqFiles = {"rtl/fmaq/fp_lzc.v",   "rtl/fmaq/fp_unpack.v",
                                             "rtl/fmaq/fp_round.v", "rtl/fmaq/fp_mul.v",
                                             "rtl/fmaq/fp_add.v",   "rtl/fmaq/fmaq.v"};

// The RTL's format parameters (docs/rtl.md): PREFIX_MAN/EXP/BIAS/SUB/IEEE, and for formats
// that round a result also PREFIX_RNE/INF.
void add_format(RtlDesign& d, const std::string& prefix, const num::Format& f, bool output) {
  if (!f.encodable() || f.specials == num::Specials::nan)
    throw InputError("format " + f.to_string() +
                     ": the RTL supports flush/subnormal, saturate/inf, specials none/ieee");
  d.params.push_back({prefix + "_MAN", f.man});
  d.params.push_back({prefix + "_EXP", f.exp});
  d.params.push_back({prefix + "_BIAS", f.bias});
  d.params.push_back({prefix + "_SUB", f.underflow == num::Underflow::subnormal});
  d.params.push_back({prefix + "_IEEE", f.specials == num::Specials::ieee});
  if (output) {
    d.params.push_back({prefix + "_RNE", f.rounding == num::Rounding::rne});
    d.params.push_back({prefix + "_INF", f.overflow == num::Overflow::inf});
  }
}

}  // namespace

RtlDesign ws_pe_design(const PeFormats& f) {
  RtlDesign d;
  d.top = "ws_pe";
  d.files = kFmaqFiles;
  d.files.push_back("rtl/array/ws_pe.v");
  add_format(d, "A", f.a, false);
  add_format(d, "W", f.w, false);
  add_format(d, "P", f.product, true);
  add_format(d, "ACC", f.accumulator, true);
  add_format(d, "CACC", f.chunk_accumulator, true);
  d.inputs = {{"rst", 1},
              {"w_load", 1},
              {"w_in", f.w.width()},
              {"active", 1},
              {"restart", 1},
              {"av_in", 1},
              {"a_in", f.a.width()},
              {"pv_in", 1},
              {"ps_in", f.accumulator.width()},
              {"co_in", f.chunk_accumulator.width()}};
  d.outputs = {{"av_out", 1},
               {"a_out", f.a.width()},
               {"pv_out", 1},
               {"ps_out", f.accumulator.width()},
               {"co_out", f.chunk_accumulator.width()}};
  return d;
}

RtlDesign unit_design(const std::string& op, const num::Format& f) {
  RtlDesign d;
  d.files = kFmaqFiles;
  d.clocked = false;
  if (op == "add") {
    d.top = "fp_add";
    add_format(d, "X", f, false);
    add_format(d, "Y", f, false);
    add_format(d, "Z", f, true);
    d.inputs = {{"x", f.width()}, {"y", f.width()}};
    d.outputs = {{"z", f.width()}};
  } else if (op == "mul") {
    d.top = "fp_mul";
    add_format(d, "A", f, false);
    add_format(d, "W", f, false);
    add_format(d, "P", f, true);
    d.inputs = {{"a", f.width()}, {"w", f.width()}};
    d.outputs = {{"p", f.width()}};
  } else {
    throw InputError("unit '" + op + "': expected add or mul");
  }
  return d;
}

nlohmann::json to_json(const RtlDesign& d) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : d.params) params[k] = v;
  const auto ports = [](const std::vector<std::pair<std::string, int>>& p) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [name, width] : p) a.push_back({name, width});
    return a;
  };
  return {{"top", d.top},         {"files", d.files},          {"params", params},
          {"clocked", d.clocked}, {"inputs", ports(d.inputs)}, {"outputs", ports(d.outputs)}};
}

}  // namespace lbasim::power
