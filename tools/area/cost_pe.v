// The processing element whose area and switching energy lbasim reports (docs/cost.md): the
// verified fmaq_pe (FP8 multiplier, product rounding, accumulator adder, psum/activation/event
// registers) plus a weight register and the chunk lane of the array's PE (docs/systolic.md):
// when `restart` begins a new chunk, chunk_out <= Q_acc(psum_in + chunk_in), else chunk_in
// passes. The chunk adder's operands are forced to +0 outside chunk starts (operand isolation),
// so it only switches when it does a chunk add. Chunk-accumulator format = accumulator format.
module cost_pe #(
    parameter integer A_MAN = 4, parameter integer A_EXP = 3, parameter integer A_BIAS = 3,
    parameter integer A_SUB = 0, parameter integer A_IEEE = 0,
    parameter integer W_MAN = 4, parameter integer W_EXP = 3, parameter integer W_BIAS = 3,
    parameter integer W_SUB = 0, parameter integer W_IEEE = 0,
    parameter integer P_MAN = 7, parameter integer P_EXP = 4, parameter integer P_BIAS = 12,
    parameter integer P_SUB = 0, parameter integer P_IEEE = 0,
    parameter integer P_RNE = 0, parameter integer P_INF = 0,
    parameter integer ACC_MAN = 7, parameter integer ACC_EXP = 4, parameter integer ACC_BIAS = 10,
    parameter integer ACC_SUB = 0, parameter integer ACC_IEEE = 0,
    parameter integer ACC_RNE = 0, parameter integer ACC_INF = 0
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire                     en,
    input  wire                     restart,
    input  wire                     w_load,
    input  wire [W_EXP+W_MAN:0]     w_in,
    input  wire [A_EXP+A_MAN:0]     a,
    input  wire [ACC_EXP+ACC_MAN:0] psum_in,
    input  wire [ACC_EXP+ACC_MAN:0] chunk_in,
    output wire [A_EXP+A_MAN:0]     a_out,
    output wire [ACC_EXP+ACC_MAN:0] psum_out,
    output reg  [ACC_EXP+ACC_MAN:0] chunk_out,
    output wire [2:0]               prod_events,
    output wire [3:0]               acc_events
);
  localparam integer CW = 1 + ACC_EXP + ACC_MAN;

  reg [W_EXP+W_MAN:0] w;
  always @(posedge clk) if (w_load) w <= w_in;

  fmaq_pe #(
      .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
      .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
      .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
      .P_RNE(P_RNE), .P_INF(P_INF),
      .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
      .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF)
  ) u_pe (
      .clk(clk), .rst(rst), .en(en), .restart(restart), .a(a), .w(w), .psum_in(psum_in),
      .a_out(a_out), .psum_out(psum_out), .prod_events(prod_events), .acc_events(acc_events));

  wire [CW-1:0] cx = restart ? chunk_in : {CW{1'b0}};
  wire [CW-1:0] cy = restart ? psum_in : {CW{1'b0}};
  wire [CW-1:0] csum;
  /* verilator lint_off PINCONNECTEMPTY */
  fp_add #(
      .X_MAN(ACC_MAN), .X_EXP(ACC_EXP), .X_BIAS(ACC_BIAS), .X_SUB(ACC_SUB), .X_IEEE(ACC_IEEE),
      .Y_MAN(ACC_MAN), .Y_EXP(ACC_EXP), .Y_BIAS(ACC_BIAS), .Y_SUB(ACC_SUB), .Y_IEEE(ACC_IEEE),
      .Z_MAN(ACC_MAN), .Z_EXP(ACC_EXP), .Z_BIAS(ACC_BIAS), .Z_SUB(ACC_SUB), .Z_IEEE(ACC_IEEE),
      .Z_RNE(ACC_RNE), .Z_INF(ACC_INF)
  ) u_chunk (
      .x(cx), .y(cy), .z(csum), .events());
  /* verilator lint_on PINCONNECTEMPTY */

  always @(posedge clk) begin
    if (rst) chunk_out <= {CW{1'b0}};
    else if (en) chunk_out <= restart ? csum : chunk_in;
  end
endmodule
