// Decodes a sign|exponent|mantissa code into sign, flags and an integer significand:
// |value| = sig * 2^exp_lsb. Under flush, exponent code 0 is zero whatever the mantissa (DAZ).
module fp_unpack #(
    parameter integer MAN  = 4,
    parameter integer EXP  = 3,
    parameter integer BIAS = 3,
    parameter integer SUB  = 0,  // 1: subnormal codes hold values; 0: flush (DAZ)
    parameter integer IEEE = 0   // 1: top exponent code is inf (mantissa 0) or NaN
) (
    input  wire [EXP+MAN:0]   code,
    output wire               sign,
    output wire               zero,
    output wire               inf,
    output wire               nan,
    output wire [MAN:0]       sig,      // hidden bit included; 0 for zero, inf and NaN
    output wire signed [31:0] exp_lsb   // exponent of sig's least significant bit
);
  wire [EXP-1:0] ecode = code[EXP+MAN-1:MAN];
  wire [MAN-1:0] frac = code[MAN-1:0];
  wire top = (IEEE != 0) && (&ecode);
  wire ezero = ecode == {EXP{1'b0}};

  assign sign = code[EXP+MAN];
  assign inf = top && frac == {MAN{1'b0}};
  assign nan = top && frac != {MAN{1'b0}};
  assign zero = !top && ezero && (SUB == 0 || frac == {MAN{1'b0}});
  assign sig = (zero || top) ? {(MAN + 1) {1'b0}} : {!ezero, frac};
  // Subnormal codes share the exponent of the smallest normal binade.
  wire signed [31:0] ebiased = ezero ? 32'sd1 : $signed({{(32 - EXP) {1'b0}}, ecode});
  assign exp_lsb = ebiased - BIAS - MAN;
endmodule
