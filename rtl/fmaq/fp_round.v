// Rounds an exact value into a format and packs its code: the one rounding step of the RTL
// (numerics contract, section 1). |value| = sig * 2^exp_lsb, except that sig's bit 0 may be a
// sticky bit (the value lies strictly between sig and sig+1 units); callers keep it below the
// guard bit. Underflow is decided on the exact value, rounding happens at the value's own
// binade (or the subnormal binade), overflow is applied to the rounded value.
// events: bit 0 overflow, bit 1 underflow, bit 2 inexact (lbasim::num::Event bits).
module fp_round #(
    parameter integer WI   = 16,  // width of the incoming significand
    parameter integer MAN  = 7,
    parameter integer EXP  = 4,
    parameter integer BIAS = 10,
    parameter integer SUB  = 0,   // 1: subnormal; 0: flush to zero below 2^(1-BIAS)
    parameter integer RNE  = 0,   // 1: round to nearest even; 0: toward zero
    parameter integer INF  = 0,   // 1: overflow to inf (with RNE; RTZ gives max); 0: saturate
    parameter integer IEEE = 0    // 1: top exponent code is inf/NaN
) (
    input  wire               sign,
    input  wire [WI-1:0]      sig,
    input  wire signed [31:0] exp_lsb,
    input  wire               inf_in,
    input  wire               nan_in,
    output wire [EXP+MAN:0]   code,
    output wire [2:0]         events
);
  localparam integer P = MAN + 1;  // kept significand bits, hidden bit included
  localparam integer WR = (WI > P + 2) ? WI : P + 2;  // room for P bits, guard and sticky
  localparam integer EMIN = 1 - BIAS;
  localparam integer MW = EXP + MAN + 2;  // magnitude code plus a carry and an overflow bit
  localparam [MW-1:0] ONE = 1;
  localparam [MW-1:0] TOP_E = ((ONE << EXP) - ONE) << MAN;  // exponent field all ones
  localparam [MW-1:0] MAX_MAG = (IEEE != 0) ? TOP_E - ONE : (ONE << (EXP + MAN)) - ONE;
  localparam [MW-1:0] NAN_MAG = TOP_E | (ONE << (MAN - 1));

  // Pad short significands at the bottom so that guard and sticky positions exist.
  wire [WR-1:0] s;
  generate
    if (WR > WI) begin : g_pad
      assign s = {sig, {(WR - WI) {1'b0}}};
    end else begin : g_nopad
      assign s = sig;
    end
  endgenerate
  wire signed [31:0] e_lsb = exp_lsb - (WR - WI);

  wire [31:0] lz;
  fp_lzc #(.W(WR)) u_lzc (.in(s), .count(lz));
  wire is_zero = s == {WR{1'b0}};
  wire [WR-1:0] norm = s << lz;
  // Exponent of the leading bit: floor(log2 |value|), exact also with a sticky bit.
  wire signed [31:0] binade = e_lsb + (WR - 1) - $signed(lz);
  wire tiny = binade < EMIN;

  // Subnormal results are shifted right onto the quantum 2^(EMIN-MAN); what leaves is sticky.
  wire [31:0] sh = (tiny && SUB != 0) ? EMIN - binade : 32'd0;
  wire [WR-1:0] shifted = norm >> sh;
  wire lost = |(norm & ~({WR{1'b1}} << sh));
  wire [MAN-1:0] frac = shifted[WR-2:WR-P];  // kept bits below the leading (hidden) one
  wire guard = shifted[WR-P-1];
  wire sticky = (|shifted[WR-P-2:0]) | lost;

  // Magnitude code before rounding: biased exponent above the fraction. A normal value's hidden
  // bit is dropped; a subnormal's kept bits are the fraction of exponent code 0. Rounding up
  // then carries into the exponent field as it should.
  wire signed [31:0] ebias = tiny ? 32'sd0 : binade + BIAS;
  wire [MW-1:0] mag = (ebias > ((1 << (EXP + 1)) - 1)) ? {MW{1'b1}}
                    : ({ebias[MW-1-MAN:0], {MAN{1'b0}}} | {{(MW - MAN) {1'b0}}, frac});
  wire round_up = (RNE != 0) && guard && (sticky || frac[0]);
  wire [MW-1:0] rmag = mag + {{(MW - 1) {1'b0}}, round_up};

  wire flushed = tiny && SUB == 0;
  wire underflow = !is_zero && (flushed || rmag == {MW{1'b0}});
  wire overflow = !is_zero && !underflow && rmag > MAX_MAG;
  wire inexact = !is_zero && !flushed && !underflow && (guard || sticky);
  // RTZ never rounds up to infinity: it stops at max even under overflow=inf.
  localparam [MW-1:0] OVF_MAG = (INF != 0 && RNE != 0) ? TOP_E : MAX_MAG;

  reg [EXP+MAN-1:0] out_mag;
  reg out_sign;
  reg [2:0] out_events;
  always @* begin
    out_sign = sign;
    out_events = {inexact, underflow, overflow};
    if (nan_in) begin
      out_mag = NAN_MAG[EXP+MAN-1:0];
      out_sign = 1'b0;
      out_events = 3'b000;
    end else if (inf_in) begin
      // Infinity stays where the format keeps it, else it saturates.
      out_mag = (IEEE != 0 && INF != 0) ? TOP_E[EXP+MAN-1:0] : MAX_MAG[EXP+MAN-1:0];
      out_events = (IEEE != 0 && INF != 0) ? 3'b000 : 3'b001;
    end else if (is_zero || underflow) begin
      out_mag = {(EXP + MAN) {1'b0}};
    end else if (overflow) begin
      out_mag = OVF_MAG[EXP+MAN-1:0];
    end else begin
      out_mag = rmag[EXP+MAN-1:0];
    end
  end
  assign code = {out_sign, out_mag};
  assign events = out_events;
endmodule
