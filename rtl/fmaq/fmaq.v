// The quantized FMA of one processing element (numerics contract, section 2):
//   prod    = Q_prod(a * w)         exact product, rounded once
//   acc_out = Q_acc(prod + acc_in)  exact sum, rounded once
// Combinational. Defaults: the accumulator paper's configuration (W/A M4E3, product M7E4b12,
// accumulator M7E4b10; round toward zero, flush, saturate).
// Events per stage: bit 0 overflow, 1 underflow, 2 inexact, 3 swamped (accumulator only).
module fmaq #(
`include "fmaq_params.vh"
) (
    input  wire [A_EXP+A_MAN:0]     a,
    input  wire [W_EXP+W_MAN:0]     w,
    input  wire [ACC_EXP+ACC_MAN:0] acc_in,
    output wire [ACC_EXP+ACC_MAN:0] acc_out,
    output wire [P_EXP+P_MAN:0]     prod,
    output wire [2:0]               prod_events,
    output wire [3:0]               acc_events
);
  fp_mul #(
      .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
      .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
      .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
      .P_RNE(P_RNE), .P_INF(P_INF)
  ) u_mul (
      .a(a), .w(w), .p(prod), .events(prod_events));

  fp_add #(
      .X_MAN(ACC_MAN), .X_EXP(ACC_EXP), .X_BIAS(ACC_BIAS), .X_SUB(ACC_SUB), .X_IEEE(ACC_IEEE),
      .Y_MAN(P_MAN), .Y_EXP(P_EXP), .Y_BIAS(P_BIAS), .Y_SUB(P_SUB), .Y_IEEE(P_IEEE),
      .Z_MAN(ACC_MAN), .Z_EXP(ACC_EXP), .Z_BIAS(ACC_BIAS), .Z_SUB(ACC_SUB), .Z_IEEE(ACC_IEEE),
      .Z_RNE(ACC_RNE), .Z_INF(ACC_INF)
  ) u_add (
      .x(acc_in), .y(prod), .z(acc_out), .events(acc_events));
endmodule
