// Test top for one output's chunked dot product (contract section 3): an os_pe accumulates
// the output in place (tags: first product, first product of a later chunk), and a chunk_lane,
// as the column-bottom chunk accumulator, forms Q_cacc(chunk + psum). A second chunk_lane with
// free inputs tests the mixed-format chunk add alone. Formats are parameters as in the PEs
// (tests/rtl/CMakeLists.txt sets them).
module chunk_dot_top #(
`include "pe_params.vh"
) (
    input  wire                       clk,
    input  wire                       rst,
    input  wire                       valid,
    input  wire                       first,
    input  wire                       restart,
    input  wire [A_EXP+A_MAN:0]       a,
    input  wire [W_EXP+W_MAN:0]       w,
    output wire [ACC_EXP+ACC_MAN:0]   psum,
    output wire [CACC_EXP+CACC_MAN:0] chunk,
    output wire [12:0]                pe_events,
    output wire [CACC_EXP+CACC_MAN:0] value,
    output wire [3:0]                 value_events,
    input  wire [CACC_EXP+CACC_MAN:0] x,
    input  wire [ACC_EXP+ACC_MAN:0]   y,
    output wire [CACC_EXP+CACC_MAN:0] z,
    output wire [3:0]                 z_events
);
  /* verilator lint_off PINCONNECTEMPTY */
  os_pe #(
`include "pe_pass.vh"
  ) u_pe (
      .clk(clk), .rst(rst), .av_in(valid), .first_in(first), .restart_in(restart), .a_in(a),
      .wv_in(valid), .w_in(w), .av_out(), .first_out(), .restart_out(), .a_out(), .wv_out(),
      .w_out(), .ps(psum), .co(chunk), .events(pe_events));
  /* verilator lint_on PINCONNECTEMPTY */

  chunk_lane #(
`include "chunk_pass.vh"
  ) u_bottom (
      .add(1'b1), .psum(psum), .chunk_in(chunk), .chunk_out(value), .events(value_events));

  chunk_lane #(
`include "chunk_pass.vh"
  ) u_free (
      .add(1'b1), .psum(y), .chunk_in(x), .chunk_out(z), .events(z_events));
endmodule
