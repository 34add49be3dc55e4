// DEPTH-cycle delay of a W-bit word: the input skew and top-of-column skew of the array.
module delay_line #(
    parameter integer W = 8,
    parameter integer DEPTH = 1
) (
    /* verilator lint_off UNUSEDSIGNAL */  // DEPTH 0 is a wire
    input  wire         clk,
    input  wire         rst,  // clears the stages (valid bits are the words' top bit)
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [W-1:0] d,
    output wire [W-1:0] q
);
  generate
    if (DEPTH == 0) begin : g_wire
      assign q = d;
    end else if (DEPTH == 1) begin : g_reg
      reg [W-1:0] stage;
      always @(posedge clk) stage <= rst ? {W{1'b0}} : d;
      assign q = stage;
    end else begin : g_regs
      // One flat shift register (stage i in bits i*W +: W), not a memory.
      reg [W*DEPTH-1:0] stage;
      always @(posedge clk) stage <= rst ? {W*DEPTH{1'b0}} : {stage[W*(DEPTH-1)-1:0], d};
      assign q = stage[W*DEPTH-1-:W];
    end
  endgenerate
endmodule
