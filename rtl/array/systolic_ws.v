// Weight-stationary systolic array of ROWS x COLS ws_pe (docs/systolic.md), cycle for cycle
// the SystemC model's WeightStationary. The controller (tiling, buffers) is outside: per tile
// it writes the config (rows/columns used, per-row chunk restarts), loads one weight row per
// cycle, then streams activation rows and the column-top psum pairs, both unskewed; the array
// skews them, and column c's pair for row m appears at the bottom in stream cycle m + ROWS + c
// together with Q_cacc(psum + chunk), the column's chunk accumulator (a chunk_lane).
module systolic_ws #(
    parameter integer ROWS = 4, parameter integer COLS = 4,
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,
    // Tile configuration, registered when cfg_en.
    input  wire                          cfg_en,
    input  wire [15:0]                   cfg_rows,     // rows used (K of the tile)
    input  wire [15:0]                   cfg_cols,     // columns used (N of the tile)
    input  wire [ROWS-1:0]               cfg_restart,  // row r's product starts a chunk
    // Weight load: row w_row of the PEs takes w_data (column c in bits c*WW +: WW).
    input  wire                          w_load,
    input  wire [15:0]                   w_row,
    input  wire [COLS*(1+W_EXP+W_MAN)-1:0] w_data,
    // Stream inputs, unskewed: activation row m (row r = A[m][k0 + r]) and the column-top pairs.
    input  wire [ROWS-1:0]               act_valid,
    input  wire [ROWS*(1+A_EXP+A_MAN)-1:0] act_data,
    input  wire [COLS-1:0]               top_valid,
    input  wire [COLS*(1+ACC_EXP+ACC_MAN)-1:0] top_psum,
    input  wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] top_chunk,
    // Bottom of each column (combinational from the last row's registers).
`include "array_out_ports.vh"
);
`include "pe_widths.vh"

  reg [15:0] rows_used, cols_used;
  reg [ROWS-1:0] restart;
  always @(posedge clk) begin
    if (rst) begin
      rows_used <= 16'd0;
      cols_used <= 16'd0;
      restart <= {ROWS{1'b0}};
    end else if (cfg_en) begin
      rows_used <= cfg_rows;
      cols_used <= cfg_cols;
      restart <= cfg_restart;
    end
  end

  // Horizontal (activation) and vertical (psum pair) links between PEs.
  wire            av[0:ROWS-1][0:COLS];
  wire [AW-1:0]   a[0:ROWS-1][0:COLS];
  wire            pv[0:ROWS][0:COLS-1];
  wire [SW-1:0]   ps[0:ROWS][0:COLS-1];
  wire [CW-1:0]   co[0:ROWS][0:COLS-1];

  genvar r, c;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_skew_row
      delay_line #(.W(1 + AW), .DEPTH(r)) u_skew (
          .clk(clk), .rst(rst), .d({act_valid[r], act_data[r*AW+:AW]}), .q({av[r][0], a[r][0]}));
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_skew_col
      delay_line #(.W(1 + SW + CW), .DEPTH(c)) u_skew (
          .clk(clk), .rst(rst), .d({top_valid[c], top_psum[c*SW+:SW], top_chunk[c*CW+:CW]}),
          .q({pv[0][c], ps[0][c], co[0][c]}));
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        ws_pe #(
`include "pe_pass.vh"
        ) u_pe (
            .clk(clk), .rst(rst),
            .w_load(w_load && w_row == r), .w_in(w_data[c*WW+:WW]),
            .active(r < rows_used && c < cols_used), .restart(restart[r]),
            .av_in(av[r][c]), .a_in(a[r][c]),
            .pv_in(pv[r][c]), .ps_in(ps[r][c]), .co_in(co[r][c]),
            .av_out(av[r][c+1]), .a_out(a[r][c+1]),
            .pv_out(pv[r+1][c]), .ps_out(ps[r+1][c]), .co_out(co[r+1][c]),
            .events(pe_events[(r*COLS+c)*13+:13]));
      end
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_bottom
      assign out_valid[c] = pv[ROWS][c];
      assign out_psum[c*SW+:SW] = ps[ROWS][c];
      assign out_chunk[c*CW+:CW] = co[ROWS][c];
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk_acc (
          .add(1'b1), .psum(ps[ROWS][c]), .chunk_in(co[ROWS][c]),
          .chunk_out(out_value[c*CW+:CW]), .events(out_events[c*4+:4]));
    end
  endgenerate
endmodule
