// The weight-stationary fused PE (docs/rtl.md "The fused PE"): a tensor-core dot-product unit
// (fused_dot) in ws_pe's place. A PE step is a group of up to G products (numerics contract,
// section 7; a short group has zero codes in its unused slots): G activation codes move right
// with their tags, G weight codes stay, and a cycle with a valid pair and a valid activation
// is a MAC:
//   ps_out = Q_acc(trunc(restart ? +0 : ps_in) + sum_i trunc(a_i * w_i))     fused_dot
//   co_out = restart ? Q_cacc(co_in + ps_in) : co_in                          chunk_lane
// otherwise a valid pair passes through unchanged. Weight registers as in ws_pe: w_load writes
// the G-word shadow register, the MAC of a tile's first activation row (tag `first`) copies
// shadow to active and multiplies by the shadow value. All arithmetic is fused_dot's and
// chunk_lane's (rounding in fp_round): this module only registers and selects.
// `events` as ws_pe's (bit 0 MAC, bit 1 chunk add, [4:2] product: always 0, the products are
// exact, [8:5] fused_dot's events, [12:9] chunk-add events); `terms` = {cut_terms,
// inexact_terms} of fused_dot (bit 0 the running sum, bit 1 + i product i) in a MAC, else 0.
// CHUNK_COLUMN = 1 (chunk lane 'column'): no chunk lane, as ws_pe's.
module fused_ws_pe #(
`include "fused_params.vh"
  , parameter integer CACC_MAN = 13, parameter integer CACC_EXP = 8,
    parameter integer CACC_BIAS = 127, parameter integer CACC_SUB = 1,
    parameter integer CACC_IEEE = 1, parameter integer CACC_RNE = 0, parameter integer CACC_INF = 1
  , parameter integer CHUNK_COLUMN = 0
) (
    input  wire                          clk,
    input  wire                          rst,        // synchronous: clears the valid bits
    input  wire                          w_load,     // load w_in into the shadow register
    input  wire [G*(1+W_EXP+W_MAN)-1:0]  w_in,       // code i at bits i*WW +: WW
    input  wire                          av_in,
    input  wire                          first_in,   // tag: the tile's first activation row
    input  wire                          restart_in, // tag: this row's group starts a chunk
    input  wire [G*(1+A_EXP+A_MAN)-1:0]  a_in,
    input  wire                          pv_in,
    input  wire [ACC_EXP+ACC_MAN:0]      ps_in,
    input  wire [CACC_EXP+CACC_MAN:0]    co_in,
    output reg                           av_out,
    output reg                           first_out,
    output reg                           restart_out,
    output reg  [G*(1+A_EXP+A_MAN)-1:0]  a_out,
    output reg                           pv_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps_out,
    output reg  [CACC_EXP+CACC_MAN:0]    co_out,
    output wire [12:0]                   events,
    output wire [2*G+1:0]                terms
);
  localparam integer GW = G * (1 + W_EXP + W_MAN);
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;
  reg  [GW-1:0] w_shadow, w_active;
  wire restart = CHUNK_COLUMN == 0 && restart_in;
  wire mac = pv_in && av_in;
  wire copy = mac && first_in;
  wire [SW-1:0] ps_next;
  wire [CACC_EXP+CACC_MAN:0] co_next;
  wire [3:0] aev, cev;
  wire [G:0] inexact_terms, cut_terms;
  fused_dot #(
      .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
      .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
      .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
      .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF), .G(G), .F(F)
  ) u_dot (
      .a(a_in), .w(copy ? w_shadow : w_active), .acc_in(restart ? {SW{1'b0}} : ps_in),
      .acc_out(ps_next), .events(aev), .inexact_terms(inexact_terms), .cut_terms(cut_terms));

  generate
    if (CHUNK_COLUMN == 0) begin : g_chunk_lane
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk (
          .add(mac && restart), .psum(ps_in), .chunk_in(co_in), .chunk_out(co_next),
          .events(cev));
      always @(posedge clk) begin
        restart_out <= restart_in;
        if (pv_in) co_out <= co_next;
      end
    end else begin : g_no_chunk_lane
      assign co_next = co_in;
      assign cev = 4'b0000;
      always @(*) begin
        restart_out = 1'b0;
        co_out = {(CACC_EXP + CACC_MAN + 1){1'b0}};
      end
      wire [CACC_EXP+CACC_MAN:0] unused_chunk = co_next;  // = co_in: no chunk lane here
    end
  endgenerate

  assign events = {cev, mac ? aev : 4'b0000, 3'b000, mac && restart, mac};
  assign terms = mac ? {cut_terms, inexact_terms} : {(2 * G + 2) {1'b0}};

  always @(posedge clk) begin
    if (w_load) w_shadow <= w_in;
    if (copy) w_active <= w_shadow;
    a_out <= a_in;
    first_out <= first_in;
    if (pv_in) ps_out <= mac ? ps_next : ps_in;
    if (rst) begin
      av_out <= 1'b0;
      pv_out <= 1'b0;
    end else begin
      av_out <= av_in;
      pv_out <= pv_in;
    end
  end
endmodule
