// The output-stationary PE (docs/systolic.md): pe_core (fmaq and the chunk lane) with the
// output's two lanes held in place. Activations move right with their tag (first product
// of the output, first product of a later chunk), weights move down. Each cycle with both
// operands valid it registers
//   first:   ps = Q_acc(Q_prod(a*w) + 0),  co = +0
//   restart: ps = Q_acc(Q_prod(a*w) + 0),  co = Q_cacc(co + ps)
//   else:    ps = Q_acc(Q_prod(a*w) + ps), co = co
// `events` as in ws_pe: bit 0 MAC, bit 1 chunk add, [4:2] product, [8:5] accumulator,
// [12:9] chunk-add events, of what the PE computes in this cycle.
module os_pe #(
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,        // synchronous: clears the valid bits
    input  wire                          av_in,
    input  wire                          first_in,   // tag: product 0 of this output
    input  wire                          restart_in, // tag: first product of a later chunk
    input  wire [A_EXP+A_MAN:0]          a_in,
    input  wire                          wv_in,
    input  wire [W_EXP+W_MAN:0]          w_in,
    output reg                           av_out,
    output reg                           first_out,
    output reg                           restart_out,
    output reg  [A_EXP+A_MAN:0]          a_out,
    output reg                           wv_out,
    output reg  [W_EXP+W_MAN:0]          w_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps,
    output reg  [CACC_EXP+CACC_MAN:0]    co,
    output wire [12:0]                   events
);
  localparam integer CW = 1 + CACC_EXP + CACC_MAN;

  wire mac = av_in && wv_in;
  wire [ACC_EXP+ACC_MAN:0] ps_next;
  wire [CW-1:0] co_next;
  pe_core #(
`include "pe_pass.vh"
  ) u_core (
      .mac(mac), .chunk_add(mac && restart_in && !first_in), .zero_acc(first_in || restart_in),
      .a(a_in), .w(w_in), .psum(ps), .chunk(co), .psum_next(ps_next), .chunk_next(co_next),
      .events(events));

  always @(posedge clk) begin
    a_out <= a_in;
    first_out <= first_in;
    restart_out <= restart_in;
    w_out <= w_in;
    if (mac) begin
      ps <= ps_next;
      co <= first_in ? {CW{1'b0}} : co_next;
    end
    if (rst) begin
      av_out <= 1'b0;
      wv_out <= 1'b0;
    end else begin
      av_out <= av_in;
      wv_out <= wv_in;
    end
  end
endmodule
