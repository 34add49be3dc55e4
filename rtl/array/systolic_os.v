// Output-stationary systolic array of ROWS x COLS os_pe (docs/systolic.md), cycle for cycle
// the SystemC model's OutputStationary. The controller is outside: per tile it streams,
// unskewed, in cycle s + k the activation column k (row r = A[m0 + r][k], tagged first /
// chunk restart / last) and the weight row k (column c = W[k][n0 + c]); the array skews them,
// so PE(r, c) does product k in cycle s + k + r + c. Results reach the column-bottom
// chunk_lanes, which form Q_cacc(psum + chunk), in one of two ways:
//   single buffering (chain = 0): after the tile, drain_row selects one row per cycle;
//   double buffering (chain = 1): each PE's last product goes into its drain register and the
//     drain registers of a column move down as an elastic chain while the next tile streams.
// Tiles never meet in a PE (they are at least K cycles apart), so no per-tile state is held
// except the columns used by the drain of a single-buffered tile.
module systolic_os #(
    parameter integer ROWS = 4, parameter integer COLS = 4,
`include "pe_params.vh"
) (
    input  wire                          clk,
    input  wire                          rst,
    input  wire                          chain,        // double buffering (see above)
    input  wire                          cfg_en,
    input  wire [15:0]                   cfg_cols,     // columns used (N of the tile)
    // Stream inputs, unskewed.
    input  wire [ROWS-1:0]               act_valid,
    input  wire [ROWS*(1+A_EXP+A_MAN)-1:0] act_data,
    input  wire                          act_first,    // k = 0: a new output starts
    input  wire [ROWS-1:0]               act_restart,  // k starts a chunk (k > 0), per row
    input  wire                          act_last,     // k = K - 1
    input  wire [COLS-1:0]               w_valid,
    input  wire [COLS*(1+W_EXP+W_MAN)-1:0] w_data,
    // Single-buffered drain: row drain_row's results at the column bottoms (combinational).
    input  wire                          drain_en,
    input  wire [(ROWS > 1 ? $clog2(ROWS) : 1)-1:0] drain_row,
    output wire                          overrun,      // a result met a full drain register
`include "array_out_ports.vh"
);
`include "pe_widths.vh"

  reg [15:0] cols_used;
  always @(posedge clk) begin
    if (rst) cols_used <= 16'd0;
    else if (cfg_en) cols_used <= cfg_cols;
  end

  // Horizontal (activation with its tags) and vertical (weight) links between PEs.
  wire            av[0:ROWS-1][0:COLS];
  wire            af[0:ROWS-1][0:COLS];
  wire            ar[0:ROWS-1][0:COLS];
  wire            al[0:ROWS-1][0:COLS];
  wire [AW-1:0]   a[0:ROWS-1][0:COLS];
  wire            wv[0:ROWS][0:COLS-1];
  wire [WW-1:0]   w[0:ROWS][0:COLS-1];
  // The outputs each PE holds, and the drain chain (row ROWS: the column bottom).
  wire [SW-1:0]   ps[0:ROWS-1][0:COLS-1];
  wire [CW-1:0]   co[0:ROWS-1][0:COLS-1];
  wire            dv[0:ROWS][0:COLS-1];
  wire [SW-1:0]   dps[0:ROWS][0:COLS-1];
  wire [CW-1:0]   dco[0:ROWS][0:COLS-1];
  wire            takes[0:ROWS][0:COLS-1] /* verilator split_var */;  // no loop: bottom up
  wire [ROWS*COLS-1:0] pe_overrun;
  assign overrun = |pe_overrun;

  genvar r, c;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_skew_row
      delay_line #(.W(4 + AW), .DEPTH(r)) u_skew (
          .clk(clk), .rst(rst),
          .d({act_valid[r], act_valid[r] & act_first, act_valid[r] & act_restart[r],
              act_valid[r] & act_last, act_data[r*AW+:AW]}),
          .q({av[r][0], af[r][0], ar[r][0], al[r][0], a[r][0]}));
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_skew_col
      delay_line #(.W(1 + WW), .DEPTH(c)) u_skew (
          .clk(clk), .rst(rst), .d({w_valid[c], w_data[c*WW+:WW]}), .q({wv[0][c], w[0][c]}));
      // Nothing above row 0's drain register; the column bottom takes a word every cycle.
      assign dv[0][c] = 1'b0;
      assign dps[0][c] = {SW{1'b0}};
      assign dco[0][c] = {CW{1'b0}};
      assign takes[ROWS][c] = 1'b1;
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        // dv/dps/dco[r + 1][c]: PE(r, c)'s drain register; takes[r][c]: it takes the one above.
        /* verilator lint_off PINCONNECTEMPTY */
        os_pe #(
`include "pe_pass.vh"
        ) u_pe (
            .clk(clk), .rst(rst), .chain(chain),
            .av_in(av[r][c]), .first_in(af[r][c]), .restart_in(ar[r][c]), .last_in(al[r][c]),
            .a_in(a[r][c]), .wv_in(wv[r][c]), .w_in(w[r][c]),
            .av_out(av[r][c+1]), .first_out(af[r][c+1]), .restart_out(ar[r][c+1]),
            .last_out(al[r][c+1]), .a_out(a[r][c+1]), .wv_out(wv[r+1][c]), .w_out(w[r+1][c]),
            .ps(ps[r][c]), .co(co[r][c]),
            .up_valid(dv[r][c]), .up_ps(dps[r][c]), .up_co(dco[r][c]),
            .down_takes(takes[r+1][c]),
            .d_valid(dv[r+1][c]), .d_ps(dps[r+1][c]), .d_co(dco[r+1][c]), .takes_up(takes[r][c]),
            .overrun(pe_overrun[r*COLS+c]), .events(pe_events[(r*COLS+c)*13+:13]));
        /* verilator lint_on PINCONNECTEMPTY */
      end
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_bottom
      wire [SW-1:0] ps_out = chain ? dps[ROWS][c] : ps[drain_row][c];
      wire [CW-1:0] co_out = chain ? dco[ROWS][c] : co[drain_row][c];
      assign out_valid[c] = chain ? dv[ROWS][c] : drain_en && c < cols_used;
      assign out_psum[c*SW+:SW] = ps_out;
      assign out_chunk[c*CW+:CW] = co_out;
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk_acc (
          .add(1'b1), .psum(ps_out), .chunk_in(co_out), .chunk_out(out_value[c*CW+:CW]),
          .events(out_events[c*4+:4]));
    end
  endgenerate
endmodule
