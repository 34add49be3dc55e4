// Quantized multiply: the exact product of an activation and a weight, rounded once into the
// product format (FMAq's p = Q_prod(a*w)).
module fp_mul #(
    parameter integer A_MAN = 4, parameter integer A_EXP = 3, parameter integer A_BIAS = 3,
    parameter integer A_SUB = 0, parameter integer A_IEEE = 0,
    parameter integer W_MAN = 4, parameter integer W_EXP = 3, parameter integer W_BIAS = 3,
    parameter integer W_SUB = 0, parameter integer W_IEEE = 0,
    parameter integer P_MAN = 7, parameter integer P_EXP = 4, parameter integer P_BIAS = 12,
    parameter integer P_SUB = 0, parameter integer P_IEEE = 0,
    parameter integer P_RNE = 0, parameter integer P_INF = 0
) (
    input  wire [A_EXP+A_MAN:0] a,
    input  wire [W_EXP+W_MAN:0] w,
    output wire [P_EXP+P_MAN:0] p,
    output wire [2:0]           events
);
  localparam integer PA = A_MAN + 1;
  localparam integer PW = W_MAN + 1;

  wire sa, za, ia, na, sw, zw, iw, nw;
  wire [PA-1:0] siga;
  wire [PW-1:0] sigw;
  wire signed [31:0] ea, ew;
  fp_unpack #(.MAN(A_MAN), .EXP(A_EXP), .BIAS(A_BIAS), .SUB(A_SUB), .IEEE(A_IEEE)) u_a (
      .code(a), .sign(sa), .zero(za), .inf(ia), .nan(na), .sig(siga), .exp_lsb(ea));
  fp_unpack #(.MAN(W_MAN), .EXP(W_EXP), .BIAS(W_BIAS), .SUB(W_SUB), .IEEE(W_IEEE)) u_w (
      .code(w), .sign(sw), .zero(zw), .inf(iw), .nan(nw), .sig(sigw), .exp_lsb(ew));

  // Exact significand product and exponent sum; zero operands give a zero significand.
  wire [PA+PW-1:0] prod = {{PW{1'b0}}, siga} * {{PA{1'b0}}, sigw};
  wire nan = na || nw || (ia && zw) || (iw && za);
  wire inf = (ia || iw) && !nan;

  fp_round #(.WI(PA + PW), .MAN(P_MAN), .EXP(P_EXP), .BIAS(P_BIAS), .SUB(P_SUB), .RNE(P_RNE),
             .INF(P_INF), .IEEE(P_IEEE)) u_round (
      .sign(sa ^ sw), .sig(prod), .exp_lsb(ea + ew), .inf_in(inf), .nan_in(nan),
      .code(p), .events(events));
endmodule
