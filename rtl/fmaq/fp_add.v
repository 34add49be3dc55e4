// Quantized add z = Q_z(x + y) of two codes of possibly different formats, rounded once from the
// exact sum: FMAq's accumulate step (x = accumulator, y = product) and the chunk accumulator
// (x = running output, y = chunk sum). Operands are normalized, ordered by magnitude, the
// smaller is aligned with a sticky bit, added or subtracted, and fp_round normalizes and rounds.
// events: bit 0 overflow, bit 1 underflow, bit 2 inexact, bit 3 swamped (z == x, x and y
// non-zero and finite, no overflow; reported only when x and z share one format).
module fp_add #(
    parameter integer X_MAN = 7, parameter integer X_EXP = 4, parameter integer X_BIAS = 10,
    parameter integer X_SUB = 0, parameter integer X_IEEE = 0,
    parameter integer Y_MAN = 7, parameter integer Y_EXP = 4, parameter integer Y_BIAS = 12,
    parameter integer Y_SUB = 0, parameter integer Y_IEEE = 0,
    parameter integer Z_MAN = 7, parameter integer Z_EXP = 4, parameter integer Z_BIAS = 10,
    parameter integer Z_SUB = 0, parameter integer Z_IEEE = 0,
    parameter integer Z_RNE = 0, parameter integer Z_INF = 0
) (
    input  wire [X_EXP+X_MAN:0] x,
    input  wire [Y_EXP+Y_MAN:0] y,
    output wire [Z_EXP+Z_MAN:0] z,
    output wire [3:0]           events
);
  localparam integer PX = X_MAN + 1;
  localparam integer PY = Y_MAN + 1;
  localparam integer PZ = Z_MAN + 1;
  localparam integer P = (PX > PY) ? PX : PY;  // common operand precision
  // Window: the larger operand's P bits, then enough bits that the guard bit of a PZ-bit result
  // lies above the sticky bit even after one bit of cancellation.
  localparam integer W = ((P > PZ) ? P : PZ) + 3;
  localparam integer SAME_XZ = (X_MAN == Z_MAN && X_EXP == Z_EXP && X_BIAS == Z_BIAS &&
                                X_SUB == Z_SUB && X_IEEE == Z_IEEE) ? 1 : 0;

  wire sx, zx, ix, nx, sy, zy, iy, ny;
  wire [PX-1:0] sigx;
  wire [PY-1:0] sigy;
  wire signed [31:0] ex, ey;
  fp_unpack #(.MAN(X_MAN), .EXP(X_EXP), .BIAS(X_BIAS), .SUB(X_SUB), .IEEE(X_IEEE)) u_x (
      .code(x), .sign(sx), .zero(zx), .inf(ix), .nan(nx), .sig(sigx), .exp_lsb(ex));
  fp_unpack #(.MAN(Y_MAN), .EXP(Y_EXP), .BIAS(Y_BIAS), .SUB(Y_SUB), .IEEE(Y_IEEE)) u_y (
      .code(y), .sign(sy), .zero(zy), .inf(iy), .nan(ny), .sig(sigy), .exp_lsb(ey));

  // Normalize both to P bits with the leading one on top (subnormals included).
  wire [31:0] lzx, lzy;
  fp_lzc #(.W(PX)) u_lzx (.in(sigx), .count(lzx));
  fp_lzc #(.W(PY)) u_lzy (.in(sigy), .count(lzy));
  wire [P-1:0] nsx, nsy;
  generate
    if (P > PX) begin : g_padx
      assign nsx = {sigx, {(P - PX) {1'b0}}} << lzx;
    end else begin : g_x
      assign nsx = sigx << lzx;
    end
    if (P > PY) begin : g_pady
      assign nsy = {sigy, {(P - PY) {1'b0}}} << lzy;
    end else begin : g_y
      assign nsy = sigy << lzy;
    end
  endgenerate
  // Exponents of the leading bits.
  wire signed [31:0] tx = ex + (PX - 1) - $signed(lzx);
  wire signed [31:0] ty = ey + (PY - 1) - $signed(lzy);

  // Order by magnitude; a zero operand is always the smaller one.
  wire x_big = zy || (!zx && (tx > ty || (tx == ty && nsx >= nsy)));
  wire [P-1:0] big = x_big ? nsx : nsy;
  wire [P-1:0] lesser = x_big ? nsy : nsx;
  wire lesser_zero = x_big ? zy : zx;
  wire signed [31:0] tbig = x_big ? tx : ty;
  wire [31:0] d = lesser_zero ? 32'd0 : (x_big ? tx - ty : ty - tx);
  wire sbig = x_big ? sx : sy;

  // Align the smaller operand; bits shifted out of the window become one sticky bit.
  wire [W-1:0] big_w = {big, {(W - P) {1'b0}}};
  wire [W-1:0] lesser_full = {lesser, {(W - P) {1'b0}}};
  wire [W-1:0] lesser_sh = lesser_full >> d;
  wire sticky = |(lesser_full & ~({W{1'b1}} << d));
  wire [W-1:0] lesser_w = lesser_sh | {{(W - 1) {1'b0}}, sticky};
  wire subtract = sx ^ sy;
  wire [W:0] sum = subtract ? {1'b0, big_w} - {1'b0, lesser_w} : {1'b0, big_w} + {1'b0, lesser_w};
  // An exact zero sum is +0 unless both operands are -0.
  wire sum_sign = (sum == {(W + 1) {1'b0}}) ? (sx && sy) : sbig;

  wire nan = nx || ny || (ix && iy && (sx != sy));
  wire inf = (ix || iy) && !nan;
  wire inf_sign = ix ? sx : sy;

  wire [2:0] round_events;
  fp_round #(.WI(W + 1), .MAN(Z_MAN), .EXP(Z_EXP), .BIAS(Z_BIAS), .SUB(Z_SUB), .RNE(Z_RNE),
             .INF(Z_INF), .IEEE(Z_IEEE)) u_round (
      .sign(inf ? inf_sign : sum_sign), .sig(sum), .exp_lsb(tbig - (W - 1)), .inf_in(inf),
      .nan_in(nan), .code(z), .events(round_events));

  wire finite = !(ix || iy || nx || ny);
  wire swamped;
  generate
    if (SAME_XZ != 0) begin : g_swamp
      assign swamped = finite && !zx && !zy && !round_events[0] && z == x;
    end else begin : g_noswamp
      assign swamped = 1'b0;
    end
  endgenerate
  assign events = {swamped, round_events};
endmodule
