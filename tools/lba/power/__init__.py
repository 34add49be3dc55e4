"""The power flow (docs/cost.md): Yosys maps an RTL design onto the OSU 0.18 um standard cells,
OpenSTA reports its critical path, iverilog simulates the mapped netlist on a stimulus written
by `lbasim power` (outputs checked against the golden model bit for bit), and the per-net
toggle rates go back to OpenSTA for internal, switching and leakage power."""
