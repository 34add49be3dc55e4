// Test top for one output's chunked dot product (contract section 3): an fmaq_pe with its
// psum fed back accumulates a chunk (restart begins the next one), and fp_add, as the chunk
// accumulator, folds a chunk sum into the running output. PE formats are fmaq_pe's defaults
// (the paper's); the chunk-accumulator format is C_*.
module chunk_dot_top #(
    parameter integer C_MAN = 10, parameter integer C_EXP = 5, parameter integer C_BIAS = 15,
    parameter integer C_SUB = 1, parameter integer C_IEEE = 1,
    parameter integer C_RNE = 1, parameter integer C_INF = 1
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               en,
    input  wire               restart,
    input  wire [7:0]         a,
    input  wire [7:0]         w,
    output wire [7:0]         a_out,
    output wire [11:0]        psum,
    output wire [2:0]         prod_events,
    output wire [3:0]         acc_events,
    input  wire [C_EXP+C_MAN:0] out_in,
    input  wire [11:0]        chunk_sum,
    output wire [C_EXP+C_MAN:0] out_next,
    output wire [3:0]         chunk_events
);
  fmaq_pe u_pe (
      .clk(clk), .rst(rst), .en(en), .restart(restart), .a(a), .w(w), .psum_in(psum),
      .a_out(a_out), .psum_out(psum), .prod_events(prod_events), .acc_events(acc_events));

  fp_add #(
      .X_MAN(C_MAN), .X_EXP(C_EXP), .X_BIAS(C_BIAS), .X_SUB(C_SUB), .X_IEEE(C_IEEE),
      .Y_MAN(7), .Y_EXP(4), .Y_BIAS(10), .Y_SUB(0), .Y_IEEE(0),
      .Z_MAN(C_MAN), .Z_EXP(C_EXP), .Z_BIAS(C_BIAS), .Z_SUB(C_SUB), .Z_IEEE(C_IEEE),
      .Z_RNE(C_RNE), .Z_INF(C_INF)
  ) u_chunk (
      .x(out_in), .y(chunk_sum), .z(out_next), .events(chunk_events));
endmodule
