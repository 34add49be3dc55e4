// One weight-stationary PE with a chunk lane (docs/systolic.md): each cycle with a valid
// psum pair it registers, when the PE is used by the tile,
//   psum_out  = Q_acc(Q_prod(a*w) + (restart ? +0 : psum_in))
//   chunk_out = restart ? Q_cacc(psum_in + chunk_in) : chunk_in
// and otherwise passes the pair through. The activation moves on to the next column.
module ws_pe #(
    parameter integer A_MAN = 4, parameter integer A_EXP = 3, parameter integer A_BIAS = 3,
    parameter integer A_SUB = 0, parameter integer A_IEEE = 0,
    parameter integer W_MAN = 4, parameter integer W_EXP = 3, parameter integer W_BIAS = 3,
    parameter integer W_SUB = 0, parameter integer W_IEEE = 0,
    parameter integer P_MAN = 7, parameter integer P_EXP = 4, parameter integer P_BIAS = 12,
    parameter integer P_SUB = 0, parameter integer P_IEEE = 0,
    parameter integer P_RNE = 0, parameter integer P_INF = 0,
    parameter integer ACC_MAN = 7, parameter integer ACC_EXP = 4, parameter integer ACC_BIAS = 10,
    parameter integer ACC_SUB = 0, parameter integer ACC_IEEE = 0,
    parameter integer ACC_RNE = 0, parameter integer ACC_INF = 0,
    parameter integer CACC_MAN = 7, parameter integer CACC_EXP = 4,
    parameter integer CACC_BIAS = 10, parameter integer CACC_SUB = 0,
    parameter integer CACC_IEEE = 0, parameter integer CACC_RNE = 0, parameter integer CACC_INF = 0
) (
    input  wire                          clk,
    input  wire                          rst,       // synchronous: clears the valid bits
    input  wire                          w_load,    // load w_in into the weight register
    input  wire [W_EXP+W_MAN:0]          w_in,
    input  wire                          active,    // row and column used by the tile
    input  wire                          restart,   // this row's product starts a new chunk
    input  wire                          av_in,
    input  wire [A_EXP+A_MAN:0]          a_in,
    input  wire                          pv_in,
    input  wire [ACC_EXP+ACC_MAN:0]      ps_in,
    input  wire [CACC_EXP+CACC_MAN:0]    co_in,
    output reg                           av_out,
    output reg  [A_EXP+A_MAN:0]          a_out,
    output reg                           pv_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps_out,
    output reg  [CACC_EXP+CACC_MAN:0]    co_out
);
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;

  reg  [W_EXP+W_MAN:0] w;
  wire [SW-1:0] acc_next;
  wire [CACC_EXP+CACC_MAN:0] co_sum;
  /* verilator lint_off PINCONNECTEMPTY */
  fmaq #(
      .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
      .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
      .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
      .P_RNE(P_RNE), .P_INF(P_INF),
      .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
      .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF)
  ) u_fmaq (
      .a(a_in), .w(w), .acc_in(restart ? {SW{1'b0}} : ps_in), .acc_out(acc_next), .prod(),
      .prod_events(), .acc_events());
  // The chunk lane: running output x plus the finished chunk y (contract section 3).
  fp_add #(
      .X_MAN(CACC_MAN), .X_EXP(CACC_EXP), .X_BIAS(CACC_BIAS), .X_SUB(CACC_SUB),
      .X_IEEE(CACC_IEEE),
      .Y_MAN(ACC_MAN), .Y_EXP(ACC_EXP), .Y_BIAS(ACC_BIAS), .Y_SUB(ACC_SUB), .Y_IEEE(ACC_IEEE),
      .Z_MAN(CACC_MAN), .Z_EXP(CACC_EXP), .Z_BIAS(CACC_BIAS), .Z_SUB(CACC_SUB),
      .Z_IEEE(CACC_IEEE), .Z_RNE(CACC_RNE), .Z_INF(CACC_INF)
  ) u_chunk (
      .x(co_in), .y(ps_in), .z(co_sum), .events());
  /* verilator lint_on PINCONNECTEMPTY */

  always @(posedge clk) begin
    if (w_load) w <= w_in;
    a_out <= a_in;
    if (pv_in) begin
      ps_out <= active ? acc_next : ps_in;
      co_out <= (active && restart) ? co_sum : co_in;
    end
    if (rst) begin
      av_out <= 1'b0;
      pv_out <= 1'b0;
    end else begin
      av_out <= av_in;
      pv_out <= pv_in;
    end
  end
endmodule
