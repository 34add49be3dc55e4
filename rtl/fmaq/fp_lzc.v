// Leading-zero count of a W-bit vector (W when the vector is zero). A priority chain: the
// widths here are small (at most ~60 bits) and synthesis flattens it well.
module fp_lzc #(
    parameter integer W = 8
) (
    input  wire [W-1:0] in,
    output reg  [31:0]  count
);
  integer i;
  always @* begin
    count = W;
    for (i = 0; i < W; i = i + 1) if (in[i]) count = W - 1 - i;
  end
endmodule
