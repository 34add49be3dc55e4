// Output-stationary systolic array of ROWS x COLS os_pe (docs/systolic.md), cycle for cycle
// the SystemC model's OutputStationary. The controller is outside: per tile it writes the
// config (columns used), then streams, unskewed, in stream cycle k the activation column k
// (row r = A[m0 + r][k], tagged first / chunk restart) and the weight row k (column c =
// W[k][n0 + c]); the array skews them, so PE(r, c) does product k in cycle k + r + c. Then it
// drains one row per cycle: drain_row selects the row whose PEs feed the column bottoms,
// where a chunk_lane forms Q_cacc(psum + chunk). `clear` (the tile's last cycle) drops the
// operands still in flight, so that none meets the next tile's.
module systolic_os #(
    parameter integer ROWS = 4, parameter integer COLS = 4,
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,
    input  wire                          clear,        // clears the PEs' valid bits
    input  wire                          cfg_en,
    input  wire [15:0]                   cfg_cols,     // columns used (N of the tile)
    // Stream inputs, unskewed.
    input  wire [ROWS-1:0]               act_valid,
    input  wire [ROWS*(1+A_EXP+A_MAN)-1:0] act_data,
    input  wire                          act_first,    // k = 0: a new output starts
    input  wire                          act_restart,  // k starts a chunk (k > 0)
    input  wire [COLS-1:0]               w_valid,
    input  wire [COLS*(1+W_EXP+W_MAN)-1:0] w_data,
    // Drain: row drain_row's results at the column bottoms (combinational).
    input  wire                          drain_en,
    input  wire [(ROWS > 1 ? $clog2(ROWS) : 1)-1:0] drain_row,
`include "array_out_ports.vh"
);
`include "pe_widths.vh"

  reg [15:0] cols_used;
  always @(posedge clk) begin
    if (rst) cols_used <= 16'd0;
    else if (cfg_en) cols_used <= cfg_cols;
  end

  // Horizontal (activation with its tag) and vertical (weight) links between PEs.
  wire            av[0:ROWS-1][0:COLS];
  wire            af[0:ROWS-1][0:COLS];
  wire            ar[0:ROWS-1][0:COLS];
  wire [AW-1:0]   a[0:ROWS-1][0:COLS];
  wire            wv[0:ROWS][0:COLS-1];
  wire [WW-1:0]   w[0:ROWS][0:COLS-1];
  // The outputs each PE holds.
  wire [SW-1:0]   ps[0:ROWS-1][0:COLS-1];
  wire [CW-1:0]   co[0:ROWS-1][0:COLS-1];

  genvar r, c;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_skew_row
      delay_line #(.W(3 + AW), .DEPTH(r)) u_skew (
          .clk(clk), .rst(rst),
          .d({act_valid[r], act_valid[r] & act_first, act_valid[r] & act_restart,
              act_data[r*AW+:AW]}),
          .q({av[r][0], af[r][0], ar[r][0], a[r][0]}));
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_skew_col
      delay_line #(.W(1 + WW), .DEPTH(c)) u_skew (
          .clk(clk), .rst(rst), .d({w_valid[c], w_data[c*WW+:WW]}), .q({wv[0][c], w[0][c]}));
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        os_pe #(
`include "pe_pass.vh"
        ) u_pe (
            .clk(clk), .rst(rst || clear),
            .av_in(av[r][c]), .first_in(af[r][c]), .restart_in(ar[r][c]), .a_in(a[r][c]),
            .wv_in(wv[r][c]), .w_in(w[r][c]),
            .av_out(av[r][c+1]), .first_out(af[r][c+1]), .restart_out(ar[r][c+1]),
            .a_out(a[r][c+1]), .wv_out(wv[r+1][c]), .w_out(w[r+1][c]),
            .ps(ps[r][c]), .co(co[r][c]), .events(pe_events[(r*COLS+c)*13+:13]));
      end
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_bottom
      wire [SW-1:0] ps_row = ps[drain_row][c];
      wire [CW-1:0] co_row = co[drain_row][c];
      assign out_valid[c] = drain_en && c < cols_used;
      assign out_psum[c*SW+:SW] = ps_row;
      assign out_chunk[c*CW+:CW] = co_row;
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk_acc (
          .add(1'b1), .psum(ps_row), .chunk_in(co_row), .chunk_out(out_value[c*CW+:CW]),
          .events(out_events[c*4+:4]));
    end
  endgenerate
endmodule
