#include "lbasim/cost/node_scaling.h"

#include <fmt/format.h>

#include <array>

#include "lbasim/base/error.h"

namespace lbasim::cost {
namespace {

// Stillmaker and Baas (2017): per node, delay = d3 V^3 + d2 V^2 + d1 V + d0 and
// energy = e2 V^2 + e1 V + e0 (arbitrary units, only ratios are meaningful); area relative to
// 180 nm. 180 nm is their bulk PTM model; 45 nm the HP PTM model; 16 and 7 nm the HP FinFET
// (PTM-MG) models. Nominal supplies as in their PTM models.
struct NodeModel {
  int node;
  double vdd;
  std::array<double, 4> delay;   // d3, d2, d1, d0
  std::array<double, 3> energy;  // e2, e1, e0
  double area;                   // relative to 180 nm
};

constexpr std::array<NodeModel, 4> kNodes{{
    {180, 1.8, {0, 97.09, -356.7, 406.5}, {0, 24.64, -17.98}, 1.0},
    {45, 1.0, {-501.6, 1567, -1619, 566.1}, {1.018, -0.3107, 0.1539}, 1.0 / 19},
    {16, 0.85, {0, 24.8, -47.52, 28.87}, {0.2958, -0.1241, 0.03024}, 1.0 / 99},
    {7, 0.7, {-28.58, 76.6, -70.26, 24.69}, {0.1776, -0.09097, 0.02447}, 1.0 / 320},
}};

const NodeModel& model(int node_nm, const std::string& what) {
  for (const NodeModel& m : kNodes)
    if (m.node == node_nm) return m;
  throw InputError(
      fmt::format("{} {}: unsupported technology node; expected 180, 45, 16 or 7", what, node_nm));
}

}  // namespace

const std::vector<int>& supported_nodes() {
  static const std::vector<int> nodes{180, 45, 16, 7};
  return nodes;
}

double delay_polynomial(int node_nm, double v, const std::string& what) {
  const auto& d = model(node_nm, what).delay;
  return ((d[0] * v + d[1]) * v + d[2]) * v + d[3];
}

double energy_polynomial(int node_nm, double v, const std::string& what) {
  const auto& e = model(node_nm, what).energy;
  return (e[0] * v + e[1]) * v + e[2];
}

NodeScaling scaling_from_180nm(int node_nm, const std::string& what) {
  const NodeModel& m = model(node_nm, what);
  const NodeModel& base = kNodes[0];
  NodeScaling s;
  s.node_nm = node_nm;
  s.vdd = m.vdd;
  s.delay = delay_polynomial(node_nm, m.vdd, what) / delay_polynomial(180, base.vdd, what);
  s.energy = energy_polynomial(node_nm, m.vdd, what) / energy_polynomial(180, base.vdd, what);
  s.area = m.area;
  s.estimate = node_nm != 180;
  return s;
}

}  // namespace lbasim::cost
