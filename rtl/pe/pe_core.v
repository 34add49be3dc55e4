// The arithmetic of one PE step, shared by both dataflows' PEs (docs/rtl.md "The PEs"):
//   psum_next  = Q_acc(Q_prod(a*w) + (zero_acc ? +0 : psum))      fmaq
//   chunk_next = chunk_add ? Q_cacc(chunk + psum) : chunk          chunk_lane
// Combinational; the PE around it decides what moves and what is registered. `events` is
// what the step computes when `mac` (and `chunk_add`) are high, 0 otherwise: bit 0 MAC, bit 1
// chunk add, [4:2] product, [8:5] accumulator, [12:9] chunk-add events.
// CHUNK_COLUMN = 1 (chunk lane 'column', docs/systolic.md): the chunk accumulator is at the
// column bottom, not here; the PE has no chunk adder, chunk_next = chunk and no chunk events.
// STAGES = 2 (a register after the product, docs/cost.md): `prod` = {product events,
// Q_prod(a*w)} for the PE to register, and the accumulator adds the registered `prod_in`
// instead of a*w; `events` then carries prod_in's product events. STAGES = 1: `prod` is the
// same word, `prod_in` is ignored.
module pe_core #(
`include "pe_params.vh"
  , parameter integer CHUNK_COLUMN = 0
  , parameter integer STAGES = 1
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
    output wire [P_EXP+P_MAN+3:0]     prod,       // {product events, product}
    input  wire [P_EXP+P_MAN+3:0]     prod_in,    // STAGES = 2: the registered `prod`
    output wire [12:0]                events
);
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;
  localparam integer PW = 1 + P_EXP + P_MAN;

  wire [2:0] pev;
  wire [3:0] aev, cev;
  wire [PW-1:0] p;
  wire [SW-1:0] acc_in = zero_acc ? {SW{1'b0}} : psum;
  generate
    if (STAGES == 1) begin : g_fmaq
      fmaq #(
`include "fmaq_pass.vh"
      ) u_fmaq (
          .a(a), .w(w), .acc_in(acc_in), .acc_out(psum_next), .prod(p), .prod_events(pev),
          .acc_events(aev));
      wire [PW+2:0] unused_prod_in = prod_in;
    end else begin : g_two_stage  // fmaq's two units with the PE's register between them
      fp_mul #(
          .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
          .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
          .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
          .P_RNE(P_RNE), .P_INF(P_INF)
      ) u_mul (
          .a(a), .w(w), .p(p), .events(pev));
      fp_add #(
          .X_MAN(ACC_MAN), .X_EXP(ACC_EXP), .X_BIAS(ACC_BIAS), .X_SUB(ACC_SUB),
          .X_IEEE(ACC_IEEE),
          .Y_MAN(P_MAN), .Y_EXP(P_EXP), .Y_BIAS(P_BIAS), .Y_SUB(P_SUB), .Y_IEEE(P_IEEE),
          .Z_MAN(ACC_MAN), .Z_EXP(ACC_EXP), .Z_BIAS(ACC_BIAS), .Z_SUB(ACC_SUB),
          .Z_IEEE(ACC_IEEE), .Z_RNE(ACC_RNE), .Z_INF(ACC_INF)
      ) u_add (
          .x(acc_in), .y(prod_in[PW-1:0]), .z(psum_next), .events(aev));
    end
  endgenerate
  assign prod = {pev, p};
  wire [2:0] stage_pev = STAGES == 1 ? pev : prod_in[PW+2:PW];
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

  assign events = {cev, mac ? aev : 4'b0000, mac ? stage_pev : 3'b000, chunk_add, mac};
endmodule
