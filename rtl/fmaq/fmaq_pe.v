// A registered processing element around fmaq for the systolic array: each enabled cycle it
// registers psum_out = Q_acc(Q_prod(a*w) + psum_in), or Q_acc(Q_prod(a*w) + 0) when `restart`
// begins a new chunk, and passes the activation on to the next column.
module fmaq_pe #(
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
    input  wire                         clk,
    input  wire                         rst,      // synchronous: clears the registers to +0
    input  wire                         en,
    input  wire                         restart,  // first product of a chunk: add to +0
    input  wire [A_EXP+A_MAN:0]         a,
    input  wire [W_EXP+W_MAN:0]         w,
    input  wire [ACC_EXP+ACC_MAN:0]     psum_in,
    output reg  [A_EXP+A_MAN:0]         a_out,
    output reg  [ACC_EXP+ACC_MAN:0]     psum_out,
    output reg  [2:0]                   prod_events,
    output reg  [3:0]                   acc_events
);
  localparam integer AW = 1 + A_EXP + A_MAN;
  localparam integer CW = 1 + ACC_EXP + ACC_MAN;

  wire [CW-1:0] acc_in = restart ? {CW{1'b0}} : psum_in;
  wire [CW-1:0] acc_next;
  wire [2:0] pev;
  wire [3:0] aev;
  /* verilator lint_off PINCONNECTEMPTY */
  fmaq #(
      .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
      .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
      .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
      .P_RNE(P_RNE), .P_INF(P_INF),
      .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
      .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF)
  ) u_fmaq (
      .a(a), .w(w), .acc_in(acc_in), .acc_out(acc_next), .prod(),
      .prod_events(pev), .acc_events(aev));
  /* verilator lint_on PINCONNECTEMPTY */

  always @(posedge clk) begin
    if (rst) begin
      a_out <= {AW{1'b0}};
      psum_out <= {CW{1'b0}};
      prod_events <= 3'b000;
      acc_events <= 4'b0000;
    end else if (en) begin
      a_out <= a;
      psum_out <= acc_next;
      prod_events <= pev;
      acc_events <= aev;
    end
  end
endmodule
