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
    end else begin : g_regs
      reg [W-1:0] stage[0:DEPTH-1];
      integer i;
      always @(posedge clk) begin
        stage[0] <= rst ? {W{1'b0}} : d;
        for (i = 1; i < DEPTH; i = i + 1) stage[i] <= rst ? {W{1'b0}} : stage[i-1];
      end
      assign q = stage[DEPTH-1];
    end
  endgenerate
endmodule
