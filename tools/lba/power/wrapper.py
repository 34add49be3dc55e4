"""The design as it sits in the array, for OpenSTA: every input bit driven by a flip-flop (the
neighbour's register, so in-to-register paths are register-to-register paths; its D is tied
to its Q, so the netlist has no input ports besides the clock and OpenSTA's activity
propagation, which would overwrite per-pin activities, has nothing to start from), every
output a port with a load."""

WRAPPER = "lbasim_in_array"
DRIVER_CELL = "DFFPOSX1"
OUTPUT_LOAD_PF = 0.05  # four NAND2X1 inputs (0.0125 pF each)


def verilog(design):
    ins = [(n, w) for n, w in design["inputs"]]
    outs = [(n, w) for n, w in design["outputs"]]
    lines = [f"module {WRAPPER}(clk, {', '.join(n for n, _ in outs)});", "  input clk;"]
    for n, w in outs:
        lines.append(f"  output [{w - 1}:0] {n};")
    for n, w in ins:
        lines.append(f"  wire [{w - 1}:0] {n};")
    for n, w in ins:
        for i in range(w):
            lines.append(f"  {DRIVER_CELL} src_{n}_{i} (.CLK(clk), .D({n}[{i}]), .Q({n}[{i}]));")
    conns = [".clk(clk)"] if design["clocked"] else []
    conns += [f".{n}({n})" for n, _ in ins + outs]
    lines.append(f"  {design['top']} dut ({', '.join(conns)});")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def sta_header(liberty, netlist, wrapper, period_ns):
    return f"""read_liberty {liberty}
read_verilog {netlist}
read_verilog {wrapper}
link_design {WRAPPER}
create_clock -name clk -period {period_ns} [get_ports clk]
set_output_delay 0 -clock clk [all_outputs]
set_load {OUTPUT_LOAD_PF} [all_outputs]
"""
