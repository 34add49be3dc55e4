// The weight-stationary PE (docs/systolic.md): pe_core (fmaq and the chunk lane) with a weight
// register, the psum pair moving down and the activation moving right.
// Each cycle with a valid psum pair it registers, when the PE is used by the tile,
//   ps_out = Q_acc(Q_prod(a*w) + (restart ? +0 : ps_in))
//   co_out = restart ? Q_cacc(co_in + ps_in) : co_in
// and otherwise passes the pair through. The activation moves on to the next column.
// `events` is what the PE computes in this cycle (combinational, docs/rtl.md "PE events"):
// bit 0 MAC, bit 1 chunk add, [4:2] product, [8:5] accumulator, [12:9] chunk-add events.
module ws_pe #(
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,       // synchronous: clears the valid bits
    input  wire                          w_load,    // load w_in into the weight register
    input  wire [W_EXP+W_MAN:0]          w_in,
    input  wire                          active,    // row and column used by the tile
    input  wire                          restart,   // this row's product starts a new chunk
    input  wire                          av_in,
    input  wire [A_EXP+A_MAN:0]          a_in,
    input  wire                          pv_in,
    input  wire [ACC_EXP+ACC_MAN:0]      ps_in,
    input  wire [CACC_EXP+CACC_MAN:0]    co_in,
    output reg                           av_out,
    output reg  [A_EXP+A_MAN:0]          a_out,
    output reg                           pv_out,
    output reg  [ACC_EXP+ACC_MAN:0]      ps_out,
    output reg  [CACC_EXP+CACC_MAN:0]    co_out,
    output wire [12:0]                   events
);
  reg  [W_EXP+W_MAN:0] w;
  wire mac = pv_in && active;
  wire [ACC_EXP+ACC_MAN:0] ps_next;
  wire [CACC_EXP+CACC_MAN:0] co_next;
  pe_core #(
`include "pe_pass.vh"
  ) u_core (
      .mac(mac), .chunk_add(mac && restart), .zero_acc(restart), .a(a_in), .w(w), .psum(ps_in),
      .chunk(co_in), .psum_next(ps_next), .chunk_next(co_next), .events(events));

  always @(posedge clk) begin
    if (w_load) w <= w_in;
    a_out <= a_in;
    if (pv_in) begin
      ps_out <= mac ? ps_next : ps_in;
      co_out <= co_next;
    end
    if (rst) begin
      av_out <= 1'b0;
      pv_out <= 1'b0;
    end else begin
      av_out <= av_in;
      pv_out <= pv_in;
    end
  end
endmodule
