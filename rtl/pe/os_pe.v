// The output-stationary PE (docs/systolic.md): pe_core (fmaq and the chunk lane) with the
// output's two lanes held in place. Activations move right with their tag (first product of
// the output, first product of a later chunk, last product), weights move down. Each cycle
// with both operands valid it computes
//   first:   ps = Q_acc(Q_prod(a*w) + 0),  co = +0
//   restart: ps = Q_acc(Q_prod(a*w) + 0),  co = Q_cacc(co + ps)
//   else:    ps = Q_acc(Q_prod(a*w) + ps), co = co
// into its registers; with `chain` (double buffering) the last product's result goes into the
// drain register instead, and the drain registers of a column form an elastic chain to the
// column bottom: each cycle a word moves down if the register below is empty or moving and
// is not taking its own PE's result (a result has priority); the bottom row's word always
// leaves. `overrun` flags a result that would overwrite a word (a schedule error).
// `events` as in ws_pe: bit 0 MAC, bit 1 chunk add, [4:2] product, [8:5] accumulator,
// [12:9] chunk-add events, of what the PE computes in this cycle.
module os_pe #(
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,        // synchronous: clears the valid bits
    input  wire                          chain,      // double buffering: results drain down
    input  wire                          av_in,
    input  wire                          first_in,   // tag: product 0 of this output
    input  wire                          restart_in, // tag: first product of a later chunk
    input  wire                          last_in,    // tag: product K - 1
    input  wire [A_EXP+A_MAN:0]          a_in,
    input  wire                          wv_in,
    input  wire [W_EXP+W_MAN:0]          w_in,
    output reg                           av_out,
    output reg                           first_out,
    output reg                           restart_out,
    output reg                           last_out,
    output reg  [A_EXP+A_MAN:0]          a_out,
    output reg                           wv_out,
    output reg  [W_EXP+W_MAN:0]          w_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps,
    output reg  [CACC_EXP+CACC_MAN:0]    co,
    // The drain chain: the register above, whether the one below takes this one's word, and
    // this one's register and whether it takes the word above.
    input  wire                          up_valid,
    input  wire [ACC_EXP+ACC_MAN:0]      up_ps,
    input  wire [CACC_EXP+CACC_MAN:0]    up_co,
    input  wire                          down_takes,
    output reg                           d_valid,
    output reg  [ACC_EXP+ACC_MAN:0]      d_ps,
    output reg  [CACC_EXP+CACC_MAN:0]    d_co,
    output wire                          takes_up,
    output wire                          overrun,
    output wire [12:0]                   events
);
  localparam integer CW = 1 + CACC_EXP + CACC_MAN;

  wire mac = av_in && wv_in;
  wire [P_EXP+P_MAN+3:0] prod;
  wire [ACC_EXP+ACC_MAN:0] ps_next;
  wire [CW-1:0] co_next;
  pe_core #(
`include "pe_pass.vh"
  ) u_core (
      .mac(mac), .chunk_add(mac && restart_in && !first_in), .zero_acc(first_in || restart_in),
      .a(a_in), .w(w_in), .psum(ps), .chunk(co), .psum_next(ps_next), .chunk_next(co_next),
      .prod(prod), .prod_in(prod), .events(events));  // one stage: prod_in is not read
  wire [CW-1:0] co_result = first_in ? {CW{1'b0}} : co_next;

  wire result = chain && mac && last_in;  // the output is done: into the drain register
  wire moves = d_valid && down_takes;
  assign takes_up = (!d_valid || moves) && !result;
  assign overrun = result && d_valid && !moves;

  always @(posedge clk) begin
    a_out <= a_in;
    first_out <= first_in;
    restart_out <= restart_in;
    last_out <= last_in;
    w_out <= w_in;
    if (mac && !result) begin
      ps <= ps_next;
      co <= co_result;
    end
    if (result) begin
      d_ps <= ps_next;
      d_co <= co_result;
    end else if (up_valid && takes_up) begin
      d_ps <= up_ps;
      d_co <= up_co;
    end
    if (rst) begin
      av_out <= 1'b0;
      wv_out <= 1'b0;
      d_valid <= 1'b0;
    end else begin
      av_out <= av_in;
      wv_out <= wv_in;
      d_valid <= result || (up_valid && takes_up) || (d_valid && !moves);
    end
  end
endmodule
