#include "pe_design.h"

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"

namespace lbasim::power {
namespace {

// The ports of a weight-stationary PE (ws_pe, fused_ws_pe): weight and activation words of
// `terms` codes each (1 for the FMAq PE), the psum pair, the tags and valid bits.
void ws_ports(RtlDesign& d, const PeFormats& f, int terms) {
  d.inputs = {{"rst", 1},
              {"w_load", 1},
              {"w_in", terms * f.w.width()},
              {"av_in", 1},
              {"first_in", 1},
              {"restart_in", 1},
              {"a_in", terms * f.a.width()},
              {"pv_in", 1},
              {"ps_in", f.accumulator.width()},
              {"co_in", f.chunk_accumulator.width()}};
  d.outputs = {{"av_out", 1},
               {"first_out", 1},
               {"restart_out", 1},
               {"a_out", terms * f.a.width()},
               {"pv_out", 1},
               {"ps_out", f.accumulator.width()},
               {"co_out", f.chunk_accumulator.width()}};
}

}  // namespace

RtlDesign ws_pe_design(const PeFormats& f, const std::string& chunk_lane, int stages) {
  if (chunk_lane != "pe" && chunk_lane != "column")
    throw InputError("--chunk-lane " + chunk_lane + ": expected pe or column");
  RtlDesign d;
  d.top = "ws_pe";
  d.chunk_lane = chunk_lane;
  d.stages = stages;
  d.formats = {{"A", f.a.to_string()},
               {"W", f.w.to_string()},
               {"P", f.product.to_string()},
               {"ACC", f.accumulator.to_string()},
               {"CACC", f.chunk_accumulator.to_string()}};
  ws_ports(d, f, 1);
  d.unused_outputs = {"events"};
  return d;
}

RtlDesign fused_ws_pe_design(const PeFormats& f, int terms, int align_bits) {
  RtlDesign d;
  d.top = "fused_ws_pe";
  d.chunk_lane = "pe";
  d.formats = {{"A", f.a.to_string()},
               {"W", f.w.to_string()},
               {"ACC", f.accumulator.to_string()},
               {"CACC", f.chunk_accumulator.to_string()}};
  d.extra_params = {{"G", terms}, {"F", align_bits}};
  ws_ports(d, f, terms);
  d.unused_outputs = {"events", "terms"};
  return d;
}

RtlDesign os_pe_design(const PeFormats& f) {
  RtlDesign d;
  d.top = "os_pe";
  d.formats = {{"A", f.a.to_string()},
               {"W", f.w.to_string()},
               {"P", f.product.to_string()},
               {"ACC", f.accumulator.to_string()},
               {"CACC", f.chunk_accumulator.to_string()}};
  const int sw = f.accumulator.width(), cw = f.chunk_accumulator.width();
  d.inputs = {{"rst", 1},
              {"chain", 1},
              {"av_in", 1},
              {"first_in", 1},
              {"restart_in", 1},
              {"last_in", 1},
              {"a_in", f.a.width()},
              {"wv_in", 1},
              {"w_in", f.w.width()},
              {"up_valid", 1},
              {"up_ps", sw},
              {"up_co", cw},
              {"down_takes", 1}};
  d.outputs = {{"av_out", 1},
               {"first_out", 1},
               {"restart_out", 1},
               {"last_out", 1},
               {"a_out", f.a.width()},
               {"wv_out", 1},
               {"w_out", f.w.width()},
               {"ps", sw},
               {"co", cw},
               {"d_valid", 1}};
  d.unused_outputs = {"events"};
  return d;
}

RtlDesign column_lane_design(const PeFormats& f) {
  RtlDesign d;
  d.top = "chunk_lane";
  d.clocked = false;
  d.formats = {{"ACC", f.accumulator.to_string()}, {"CACC", f.chunk_accumulator.to_string()}};
  d.input_groups = {"ACC"};
  d.inputs = {
      {"add", 1}, {"psum", f.accumulator.width()}, {"chunk_in", f.chunk_accumulator.width()}};
  d.outputs = {{"chunk_out", f.chunk_accumulator.width()}};
  d.unused_outputs = {"events"};
  return d;
}

RtlDesign unit_design(const std::string& op, const num::Format& f) {
  RtlDesign d;
  d.clocked = false;
  d.unused_outputs = {"events"};
  if (op == "add") {
    d.top = "fp_add";
    d.formats = {{"X", f.to_string()}, {"Y", f.to_string()}, {"Z", f.to_string()}};
    d.inputs = {{"x", f.width()}, {"y", f.width()}};
    d.outputs = {{"z", f.width()}};
  } else if (op == "mul") {
    d.top = "fp_mul";
    d.formats = {{"A", f.to_string()}, {"W", f.to_string()}, {"P", f.to_string()}};
    d.inputs = {{"a", f.width()}, {"w", f.width()}};
    d.outputs = {{"p", f.width()}};
  } else {
    throw InputError("unit '" + op + "': expected add or mul");
  }
  return d;
}

RtlDesign dot_unit_design(const DotUnitFormats& f) {
  RtlDesign d;
  d.clocked = false;
  d.formats = {{"A", f.a.to_string()}, {"W", f.w.to_string()}, {"ACC", f.accumulator.to_string()}};
  if (f.fused) {
    d.top = "fused_dot";
    d.extra_params = {{"G", f.terms}, {"F", f.align_bits}};
    d.inputs = {{"a", f.terms * f.a.width()},
                {"w", f.terms * f.w.width()},
                {"acc_in", f.accumulator.width()}};
    d.unused_outputs = {"events", "inexact_terms", "cut_terms"};
  } else {
    d.top = "fmaq";
    d.formats.emplace_back("P", f.product.to_string());
    d.inputs = {{"a", f.a.width()}, {"w", f.w.width()}, {"acc_in", f.accumulator.width()}};
    d.unused_outputs = {"prod", "prod_events", "acc_events"};
  }
  d.outputs = {{"acc_out", f.accumulator.width()}};
  return d;
}

nlohmann::json to_json(const RtlDesign& d) {
  nlohmann::json formats = nlohmann::json::object();
  for (const auto& [k, v] : d.formats) formats[k] = v;
  const auto ports = [](const std::vector<std::pair<std::string, int>>& p) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [name, width] : p) a.push_back({name, width});
    return a;
  };
  return {{"top", d.top},
          {"formats", formats},
          {"clocked", d.clocked},
          {"inputs", ports(d.inputs)},
          {"outputs", ports(d.outputs)},
          {"unused_outputs", d.unused_outputs},
          {"input_groups", d.input_groups},
          {"stages", d.stages ? nlohmann::json(d.stages) : nlohmann::json()},
          {"chunk_lane", d.chunk_lane.empty() ? nlohmann::json() : nlohmann::json(d.chunk_lane)},
          {"extra_params", ports(d.extra_params)}};
}

}  // namespace lbasim::power
