// Weight-stationary systolic array of ROWS x COLS ws_pe (docs/systolic.md), cycle for cycle
// the SystemC model's WeightStationary. The controller (tiling, buffers) is outside: per tile
// it writes the config (rows/columns used, per-row chunk restarts), loads one weight row per
// cycle, then streams activation rows and the column-top psum pairs, both unskewed; the array
// skews them, and column c's pair for row m appears at the bottom in stream cycle m + ROWS + c
// together with Q_cacc(psum + chunk), the column's chunk accumulator.
module systolic_ws #(
    parameter integer ROWS = 4, parameter integer COLS = 4,
    parameter integer A_MAN = 4, parameter integer A_EXP = 3, parameter integer A_BIAS = 3,
    parameter integer A_SUB = 0, parameter integer A_IEEE = 0,
    parameter integer W_MAN = 4, parameter integer W_EXP = 3, parameter integer W_BIAS = 3,
    parameter integer W_SUB = 0, parameter integer W_IEEE = 0,
    parameter integer P_MAN = 7, parameter integer P_EXP = 4, parameter integer P_BIAS = 12,
    parameter integer P_SUB = 0, parameter integer P_IEEE = 0,
    parameter integer P_RNE = 0, parameter integer P_INF = 0,
    parameter integer ACC_MAN = 7, parameter integer ACC_EXP = 4, parameter integer ACC_BIAS = 10,
    parameter integer ACC_SUB = 0, parameter integer ACC_IEEE = 0,
    parameter integer ACC_RNE = 0, parameter integer ACC_INF = 0,
    parameter integer CACC_MAN = 7, parameter integer CACC_EXP = 4,
    parameter integer CACC_BIAS = 10, parameter integer CACC_SUB = 0,
    parameter integer CACC_IEEE = 0, parameter integer CACC_RNE = 0, parameter integer CACC_INF = 0
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
    output wire [COLS-1:0]               out_valid,
    output wire [COLS*(1+ACC_EXP+ACC_MAN)-1:0] out_psum,
    output wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] out_chunk,
    output wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] out_value
);
  localparam integer AW = 1 + A_EXP + A_MAN;
  localparam integer WW = 1 + W_EXP + W_MAN;
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;
  localparam integer CW = 1 + CACC_EXP + CACC_MAN;

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
            .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
            .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
            .P_MAN(P_MAN), .P_EXP(P_EXP), .P_BIAS(P_BIAS), .P_SUB(P_SUB), .P_IEEE(P_IEEE),
            .P_RNE(P_RNE), .P_INF(P_INF),
            .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
            .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF),
            .CACC_MAN(CACC_MAN), .CACC_EXP(CACC_EXP), .CACC_BIAS(CACC_BIAS),
            .CACC_SUB(CACC_SUB), .CACC_IEEE(CACC_IEEE), .CACC_RNE(CACC_RNE),
            .CACC_INF(CACC_INF)
        ) u_pe (
            .clk(clk), .rst(rst),
            .w_load(w_load && w_row == r), .w_in(w_data[c*WW+:WW]),
            .active(r < rows_used && c < cols_used), .restart(restart[r]),
            .av_in(av[r][c]), .a_in(a[r][c]),
            .pv_in(pv[r][c]), .ps_in(ps[r][c]), .co_in(co[r][c]),
            .av_out(av[r][c+1]), .a_out(a[r][c+1]),
            .pv_out(pv[r+1][c]), .ps_out(ps[r+1][c]), .co_out(co[r+1][c]));
      end
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_bottom
      assign out_valid[c] = pv[ROWS][c];
      assign out_psum[c*SW+:SW] = ps[ROWS][c];
      assign out_chunk[c*CW+:CW] = co[ROWS][c];
      /* verilator lint_off PINCONNECTEMPTY */
      fp_add #(
          .X_MAN(CACC_MAN), .X_EXP(CACC_EXP), .X_BIAS(CACC_BIAS), .X_SUB(CACC_SUB),
          .X_IEEE(CACC_IEEE),
          .Y_MAN(ACC_MAN), .Y_EXP(ACC_EXP), .Y_BIAS(ACC_BIAS), .Y_SUB(ACC_SUB),
          .Y_IEEE(ACC_IEEE),
          .Z_MAN(CACC_MAN), .Z_EXP(CACC_EXP), .Z_BIAS(CACC_BIAS), .Z_SUB(CACC_SUB),
          .Z_IEEE(CACC_IEEE), .Z_RNE(CACC_RNE), .Z_INF(CACC_INF)
      ) u_chunk_acc (
          .x(co[ROWS][c]), .y(ps[ROWS][c]), .z(out_value[c*CW+:CW]), .events());
      /* verilator lint_on PINCONNECTEMPTY */
    end
  endgenerate
endmodule
