// The weight-stationary PE (docs/systolic.md): pe_core (fmaq and the chunk lane) with an
// active and a shadow weight register, the psum pair moving down and the activation, with its
// tag, moving right. A cycle with a valid pair and a valid activation is a MAC:
//   ps_out = Q_acc(Q_prod(a*w) + (restart ? +0 : ps_in))
//   co_out = restart ? Q_cacc(co_in + ps_in) : co_in
// otherwise a valid pair passes through unchanged (rows and columns the tile does not use).
// `w_load` writes the shadow register; the MAC of a tile's first activation row (tag `first`)
// copies shadow to active and multiplies by the shadow value, so the next tile's weights can
// load while a tile streams (double buffering; single buffering is the same hardware on a
// slower schedule). `events`: what the PE computes in this cycle (docs/rtl.md "PE events").
// CHUNK_COLUMN = 1 (chunk lane 'column', docs/systolic.md): the PE has no chunk lane (no
// chunk adder, no chunk register, no restart tag); co_out and restart_out are 0, co_in and
// restart_in are ignored, and a psum that starts a chunk enters the column top as +0.
// STAGES = 2 (docs/cost.md "The 2-stage PE"): a register after the product. An activation
// (with its tags) is multiplied in its cycle t, the product registered, and the pair that
// arrives in cycle t + 1 is accumulated with it (a MAC is a valid pair after a valid
// activation); a_out and its tags still leave after one cycle, ps_out and co_out one cycle
// later than with STAGES = 1. The tile's first activation copies shadow to active in its own
// cycle (whether or not a pair follows).
module ws_pe #(
`include "pe_params.vh"
  , parameter integer CHUNK_COLUMN = 0
  , parameter integer STAGES = 1
) (
    input  wire                          clk,
    input  wire                          rst,        // synchronous: clears the valid bits
    input  wire                          w_load,     // load w_in into the shadow register
    input  wire [W_EXP+W_MAN:0]          w_in,
    input  wire                          av_in,
    input  wire                          first_in,   // tag: the tile's first activation row
    input  wire                          restart_in, // tag: this row's product starts a chunk
    input  wire [A_EXP+A_MAN:0]          a_in,
    input  wire                          pv_in,
    input  wire [ACC_EXP+ACC_MAN:0]      ps_in,
    input  wire [CACC_EXP+CACC_MAN:0]    co_in,
    output reg                           av_out,
    output reg                           first_out,
    output reg                           restart_out,
    output reg  [A_EXP+A_MAN:0]          a_out,
    output reg                           pv_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps_out,
    output reg  [CACC_EXP+CACC_MAN:0]    co_out,
    output wire [12:0]                   events
);
  localparam integer PW = 4 + P_EXP + P_MAN;  // {product events, product}
  reg  [W_EXP+W_MAN:0] w_shadow, w_active;
  wire restart_tag = CHUNK_COLUMN == 0 && restart_in;
  // The accumulator stage's activation valid and restart tag: this cycle's (STAGES = 1) or
  // the registered ones of the previous cycle (STAGES = 2).
  wire av_acc, restart;
  wire mac = pv_in && av_acc;
  wire copy = (STAGES == 1 ? pv_in : 1'b1) && av_in && first_in;
  wire [PW-1:0] prod, prod_q;
  wire [ACC_EXP+ACC_MAN:0] ps_next;
  wire [CACC_EXP+CACC_MAN:0] co_next;
  pe_core #(
`include "pe_pass.vh"
      , .CHUNK_COLUMN(CHUNK_COLUMN), .STAGES(STAGES)
  ) u_core (
      .mac(mac), .chunk_add(mac && restart), .zero_acc(restart), .a(a_in),
      .w(copy ? w_shadow : w_active), .psum(ps_in), .chunk(co_in), .psum_next(ps_next),
      .chunk_next(co_next), .prod(prod), .prod_in(prod_q), .events(events));

  generate
    if (STAGES == 1) begin : g_one_stage
      assign av_acc = av_in;
      assign restart = restart_tag;
      assign prod_q = {PW{1'b0}};
      wire [PW-1:0] unused_prod = prod;
    end else begin : g_product_register
      reg [PW-1:0] prod_r;
      reg av_r, restart_r;
      always @(posedge clk) begin
        if (av_in) prod_r <= prod;
        restart_r <= restart_tag;
        av_r <= rst ? 1'b0 : av_in;
      end
      assign av_acc = av_r;
      assign restart = restart_r;
      assign prod_q = prod_r;
    end
  endgenerate

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

  generate
    if (CHUNK_COLUMN == 0) begin : g_chunk_reg
      always @(posedge clk) begin
        restart_out <= restart_in;
        if (pv_in) co_out <= co_next;
      end
    end else begin : g_no_chunk_reg
      always @(*) begin
        restart_out = 1'b0;
        co_out = {(CACC_EXP + CACC_MAN + 1){1'b0}};
      end
      wire [CACC_EXP+CACC_MAN:0] unused_chunk = co_next;  // = co_in: no chunk lane here
    end
  endgenerate
endmodule
