// Technology scaling from the flow's 180 nm node (OSU 0.18 um, 1.8 V) to other nodes, after
// A. Stillmaker and B. Baas, "Scaling equations for the accurate prediction of CMOS device
// performance from 180 nm to 7 nm", Integration, the VLSI Journal 58 (2017) 74-81: delay is a
// cubic and energy a quadratic polynomial of the supply voltage per node (their fitted
// coefficients), area a per-node factor. Scaled numbers are estimates (docs/cost.md).
#pragma once

#include <string>
#include <vector>

namespace lbasim::cost {

struct NodeScaling {
  int node_nm = 180;
  double vdd = 1.8;       // the node's nominal supply (PTM; HP models below 65 nm)
  double delay = 1;       // delay at the node / delay at 180 nm, 1.8 V
  double energy = 1;      // energy per operation, same ratio
  double area = 1;        // area, same ratio
  bool estimate = false;  // true for every node but 180
};

// The nodes `--node` accepts: 180 (the flow's own), 45, 16, 7.
const std::vector<int>& supported_nodes();

// Factors from 180 nm at 1.8 V to `node_nm` at its nominal supply. Throws InputError naming
// `what` and the value for a node that is not supported.
NodeScaling scaling_from_180nm(int node_nm, const std::string& what = "--node");

// The model's energy and delay polynomials at one node and supply (for checks at another
// voltage, e.g. Horowitz's 45 nm figures at 0.9 V). Same errors.
double energy_polynomial(int node_nm, double vdd, const std::string& what = "--node");
double delay_polynomial(int node_nm, double vdd, const std::string& what = "--node");

}  // namespace lbasim::cost
