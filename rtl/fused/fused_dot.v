// Fused multi-term dot product, tensor-core style (numerics contract, section 7): one step
//   acc_out = Q_acc( trunc(acc_in) + sum_i trunc(a_i * w_i) ),  i < G
// Products are exact (a G-wide row of significand multipliers); every non-zero term is cut
// toward zero to F fraction bits below E, the largest term exponent (a product's is
// e(a) + e(w), unnormalized; e() of a subnormal code is its format's minimum normal
// exponent); the cut terms are summed exactly in an adder tree and rounded once by fp_round,
// the RTL's one rounding step. A short group is a full one with zero codes in the unused
// slots (zero terms take no part). Combinational.
// Code i of a (w) is a[i*AW +: AW]. Term flags: bit 0 the running sum, bit 1 + i product i.
module fused_dot #(
`include "fused_params.vh"
) (
    input  wire [G*(1+A_EXP+A_MAN)-1:0] a,
    input  wire [G*(1+W_EXP+W_MAN)-1:0] w,
    input  wire [ACC_EXP+ACC_MAN:0]     acc_in,
    output wire [ACC_EXP+ACC_MAN:0]     acc_out,
    output wire [3:0]                   events,         // overflow, underflow, inexact, swamped
    output wire [G:0]                   inexact_terms,  // alignment dropped non-zero bits
    output wire [G:0]                   cut_terms       // a non-zero term cut to zero
);
  localparam integer AW = 1 + A_EXP + A_MAN;
  localparam integer WW = 1 + W_EXP + W_MAN;
  localparam integer PM = A_MAN + W_MAN;  // product fraction bits below its exponent
  localparam integer N = G + 1;           // terms: the running sum and G products
  // Bits below the quantum 2^(E-F) a term can have before its shift: none is lost on placing.
  localparam integer L0 = (PM > ACC_MAN ? PM : ACC_MAN) - F;
  localparam integer L = L0 > 0 ? L0 : 0;
  // A placed term: bit F+L weighs 2^e (its exponent), bit F+L+1 holds a product's carry.
  localparam integer TW = F + L + 2;
  localparam integer KW = F + 2;  // a cut term, in units of 2^(E-F)
  localparam integer SW = KW + $clog2(N) + 1;  // signed exact sum of N cut terms
  localparam integer SHW = $clog2(TW + 1);     // shift amounts, clamped to TW
  // Exponents: signed, wide enough for every exponent, their differences and E - F.
  localparam integer ABS_B = (A_BIAS < 0 ? -A_BIAS : A_BIAS) + (W_BIAS < 0 ? -W_BIAS : W_BIAS)
                           + (ACC_BIAS < 0 ? -ACC_BIAS : ACC_BIAS);
  localparam integer EW = $clog2((1 << A_EXP) + (1 << W_EXP) + (1 << ACC_EXP) + ABS_B + PM
                                 + ACC_MAN + F + 4) + 3;
  localparam integer NP = 1 << $clog2(N);  // leaves of the reduction trees
  localparam [EW-1:0] E_NONE = {1'b1, {(EW - 1) {1'b0}}};  // most negative: no term

  // ---- terms: sign, placed significand, exponent, special flags --------------------------
  wire [N-1:0] t_sign, t_nz, t_inf, t_nan;
  wire [N*TW-1:0] t_sig;
  wire [N*EW-1:0] t_exp;

  wire s_zero, s_inf, s_nan;
  wire [ACC_MAN:0] s_sig;
  wire signed [31:0] s_lsb;
  fp_unpack #(.MAN(ACC_MAN), .EXP(ACC_EXP), .BIAS(ACC_BIAS), .SUB(ACC_SUB), .IEEE(ACC_IEEE))
      u_s (.code(acc_in), .sign(t_sign[0]), .zero(s_zero), .inf(s_inf), .nan(s_nan),
           .sig(s_sig), .exp_lsb(s_lsb));
  wire signed [31:0] s_e = s_lsb + ACC_MAN;
  wire unused_s = &{s_zero, s_e[31:EW]};
  assign t_nz[0] = s_sig != {(ACC_MAN + 1) {1'b0}};
  assign t_inf[0] = s_inf;
  assign t_nan[0] = s_nan;
  assign t_sig[TW-1:0] = {{(TW - ACC_MAN - 1) {1'b0}}, s_sig} << (F + L - ACC_MAN);
  assign t_exp[EW-1:0] = s_e[EW-1:0];

  genvar i;
  generate
    for (i = 0; i < G; i = i + 1) begin : g_prod
      wire sa, za, ia, na, sw, zw, iw, nw;
      wire [A_MAN:0] siga;
      wire [W_MAN:0] sigw;
      wire signed [31:0] ea, ew;
      fp_unpack #(.MAN(A_MAN), .EXP(A_EXP), .BIAS(A_BIAS), .SUB(A_SUB), .IEEE(A_IEEE)) u_a (
          .code(a[i*AW +: AW]), .sign(sa), .zero(za), .inf(ia), .nan(na), .sig(siga),
          .exp_lsb(ea));
      fp_unpack #(.MAN(W_MAN), .EXP(W_EXP), .BIAS(W_BIAS), .SUB(W_SUB), .IEEE(W_IEEE)) u_w (
          .code(w[i*WW +: WW]), .sign(sw), .zero(zw), .inf(iw), .nan(nw), .sig(sigw),
          .exp_lsb(ew));
      // Exact significand product; zero, inf and NaN operands have a zero significand.
      wire [PM+1:0] prod = {{(W_MAN + 1) {1'b0}}, siga} * {{(A_MAN + 1) {1'b0}}, sigw};
      wire signed [31:0] pe = ea + ew + PM;
      wire unused_pe = &pe[31:EW];
      assign t_sign[1+i] = sa ^ sw;
      assign t_nz[1+i] = prod != {(PM + 2) {1'b0}};
      assign t_nan[1+i] = na || nw || (ia && zw) || (iw && za);
      assign t_inf[1+i] = (ia || iw) && !t_nan[1+i];
      assign t_sig[(1+i)*TW +: TW] = {{(TW - PM - 2) {1'b0}}, prod} << (F + L - PM);
      assign t_exp[(1+i)*EW +: EW] = pe[EW-1:0];
    end
  endgenerate

  // ---- E: the largest exponent of the non-zero terms (a max tree) -------------------------
  wire [2*NP*EW-1:EW] mx  /* verilator split_var */;
  genvar k;
  generate
    for (k = 0; k < NP; k = k + 1) begin : g_mx_leaf
      if (k < N) begin : g_term
        assign mx[(NP+k)*EW +: EW] = t_nz[k] ? t_exp[k*EW +: EW] : E_NONE;
      end else begin : g_pad
        assign mx[(NP+k)*EW +: EW] = E_NONE;
      end
    end
    for (k = 1; k < NP; k = k + 1) begin : g_mx_node
      wire signed [EW-1:0] l = mx[(2*k)*EW +: EW];
      wire signed [EW-1:0] r = mx[(2*k+1)*EW +: EW];
      assign mx[k*EW +: EW] = l > r ? l : r;
    end
  endgenerate
  wire signed [EW-1:0] e_max = mx[EW +: EW];

  // ---- alignment: each term cut toward zero to a multiple of 2^(E-F) -----------------------
  wire [2*NP*SW-1:SW] sm  /* verilator split_var */;
  wire [N-1:0] lost, cut;
  generate
    for (k = 0; k < N; k = k + 1) begin : g_align
      wire [TW-1:0] t = t_sig[k*TW +: TW];
      wire [EW-1:0] d = e_max - t_exp[k*EW +: EW];  // >= 0 for a non-zero term
      wire [SHW-1:0] sh = (d > TW[EW-1:0]) ? TW[SHW-1:0] : d[SHW-1:0];
      wire [TW-1:0] shifted = t >> sh;
      wire [KW-1:0] kept = shifted[TW-1:L];
      if (L > 0) begin : g_low
        wire unused_low = &shifted[L-1:0];  // checked through `below`
      end
      // Bits of t below the quantum: everything under position sh + L.
      wire [TW-1:0] below = ~({TW{1'b1}} << ({{(32 - SHW) {1'b0}}, sh} + L));
      assign lost[k] = t_nz[k] && |(t & below);
      assign cut[k] = t_nz[k] && kept == {KW{1'b0}};
      wire [SW-1:0] mag = {{(SW - KW) {1'b0}}, kept};
      assign sm[(NP+k)*SW +: SW] = t_sign[k] ? -mag : mag;
    end
    for (k = N; k < NP; k = k + 1) begin : g_sum_pad
      assign sm[(NP+k)*SW +: SW] = {SW{1'b0}};
    end
    // ---- the exact sum (an adder tree) ----------------------------------------------------
    for (k = 1; k < NP; k = k + 1) begin : g_sum_node
      assign sm[k*SW +: SW] = sm[(2*k)*SW +: SW] + sm[(2*k+1)*SW +: SW];
    end
  endgenerate
  wire [SW-1:0] total = sm[SW +: SW];
  wire neg = total[SW-1];
  wire [SW-1:0] total_mag = neg ? -total : total;

  // ---- specials: the IEEE sum of the terms, no alignment -----------------------------------
  wire any_nan = |t_nan;
  wire pos_inf = |(t_inf & ~t_sign);
  wire neg_inf = |(t_inf & t_sign);
  wire nan = any_nan || (pos_inf && neg_inf);
  wire inf = (pos_inf || neg_inf) && !nan;
  wire special = nan || inf;

  wire signed [31:0] e_max32 = {{(32 - EW) {e_max[EW-1]}}, e_max};
  wire [2:0] r_events;
  fp_round #(.WI(SW), .MAN(ACC_MAN), .EXP(ACC_EXP), .BIAS(ACC_BIAS), .SUB(ACC_SUB),
             .RNE(ACC_RNE), .INF(ACC_INF), .IEEE(ACC_IEEE)) u_round (
      .sign(inf ? neg_inf : neg), .sig(total_mag), .exp_lsb(e_max32 - F), .inf_in(inf),
      .nan_in(nan), .code(acc_out), .events(r_events));

  // Swamped: the products' cut sum is not zero, yet the running sum comes out unchanged.
  wire products_nz = total != sm[NP*SW +: SW];
  wire swamped = !special && products_nz && t_nz[0] && acc_out == acc_in && !r_events[0];
  assign events = {swamped, r_events};
  assign inexact_terms = special ? {N{1'b0}} : lost;
  assign cut_terms = special ? {N{1'b0}} : cut;

endmodule
