// The arithmetic of one PE step, shared by both dataflows' PEs (docs/rtl.md "The PEs"):
//   psum_next  = Q_acc(Q_prod(a*w) + (zero_acc ? +0 : psum))      fmaq
//   chunk_next = chunk_add ? Q_cacc(chunk + psum) : chunk          chunk_lane
// Combinational; the PE around it decides what moves and what is registered. `events` is
// what the step computes when `mac` (and `chunk_add`) are high, 0 otherwise: bit 0 MAC, bit 1
// chunk add, [4:2] product, [8:5] accumulator, [12:9] chunk-add events.
// CHUNK_COLUMN = 1 (chunk lane 'column', docs/systolic.md): the chunk accumulator is at the
// column bottom, not here; the PE has no chunk adder, chunk_next = chunk and no chunk events.
module pe_core #(
`include "pe_params.vh"
  , parameter integer CHUNK_COLUMN = 0
) (
    input  wire                       mac,        // the product and accumulator stages run
    input  wire                       chunk_add,  // a later chunk starts: fold psum into chunk
    input  wire                       zero_acc,   // the product starts a chunk: add it to +0
    input  wire [A_EXP+A_MAN:0]       a,
    input  wire [W_EXP+W_MAN:0]       w,
    input  wire [ACC_EXP+ACC_MAN:0]   psum,
    input  wire [CACC_EXP+CACC_MAN:0] chunk,
    output wire [ACC_EXP+ACC_MAN:0]   psum_next,
    output wire [CACC_EXP+CACC_MAN:0] chunk_next,
    output wire [12:0]                events
);
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;

  wire [2:0] pev;
  wire [3:0] aev, cev;
  /* verilator lint_off PINCONNECTEMPTY */
  fmaq #(
`include "fmaq_pass.vh"
  ) u_fmaq (
      .a(a), .w(w), .acc_in(zero_acc ? {SW{1'b0}} : psum), .acc_out(psum_next), .prod(),
      .prod_events(pev), .acc_events(aev));
  /* verilator lint_on PINCONNECTEMPTY */
  generate
    if (CHUNK_COLUMN == 0) begin : g_chunk_lane
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk (
          .add(chunk_add), .psum(psum), .chunk_in(chunk), .chunk_out(chunk_next), .events(cev));
    end else begin : g_no_chunk_lane
      assign chunk_next = chunk;
      assign cev = 4'b0000;
      wire unused_chunk_add = chunk_add;  // no adder: a 'column' PE never folds a chunk
    end
  endgenerate

  assign events = {cev, mac ? aev : 4'b0000, mac ? pev : 3'b000, chunk_add, mac};
endmodule
