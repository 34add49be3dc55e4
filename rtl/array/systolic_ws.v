// Weight-stationary systolic array of ROWS x COLS ws_pe (docs/systolic.md), cycle for cycle
// the SystemC model's WeightStationary. The controller (tiling, buffers, schedule) is outside:
// it loads one weight row per cycle into the shadow registers, streams activation rows
// unskewed (tagged: the tile's first row, each row's chunk restart; the array skews them) and
// feeds column c's pair for activation row m c cycles after the row (each column reads its
// pair from the output buffer in its own cycle, as the bottom writes them). The pair leaves
// the bottom ROWS cycles after it entered, together with Q_cacc(psum + chunk) from the
// column's chunk accumulator (a chunk_lane). Rows and columns a tile does not use get no
// activation or no pair, so no per-tile configuration is held: two tiles can be in flight.
// CHUNK_COLUMN (chunk lane, docs/systolic.md): 0 'pe', a chunk lane in every PE, the bottom
// adds the pair's two lanes; 1 'column', PEs without a chunk lane (ws_pe CHUNK_COLUMN = 1,
// act_restart and top_chunk ignored) and the column's chunk accumulator adds the psum into the
// output's running sum, which the controller reads from the output buffer (bottom_chunk, +0
// for the first chunk) where the word's K tile ends a chunk (bottom_add).
// FUSED (the PE kind, docs/rtl.md "The fused array"): 0 ws_pe, the FMAq chain; 1 fused_ws_pe,
// tensor-core dot products of G products with F align bits (the P_ formats are unused: its
// products are exact). A row then works on one step (a group of G products) instead of one
// product: act_data carries G codes per row and w_data G codes per column (code i of row r at
// (r*G + i)*AW; a short group has zero codes in its unused slots), and pe_terms each PE's
// {cut_terms, inexact_terms} (fused_ws_pe `terms`). With FUSED = 0, G is taken as 1 and
// pe_terms is 0.
module systolic_ws #(
    parameter integer ROWS = 4, parameter integer COLS = 4,
`include "pe_params.vh"
  , parameter integer CHUNK_COLUMN = 0
  , parameter integer FUSED = 0, parameter integer G = 1
  /* verilator lint_off UNUSEDPARAM */  // F: the fused PE's only
  , parameter integer F = 13
  /* verilator lint_on UNUSEDPARAM */
) (
    input  wire                          clk,
    input  wire                          rst,
    // Weight load: the shadow registers of row w_row take w_data (column c in bits c*WW +: WW).
    input  wire                          w_load,
    input  wire [15:0]                   w_row,
    input  wire [COLS*(FUSED != 0 ? G : 1)*(1+W_EXP+W_MAN)-1:0] w_data,
    // Stream inputs: activation row m (row r = A[m][k0 + r]) with its tags, unskewed, and the
    // column-top pairs, skewed.
    input  wire [ROWS-1:0]               act_valid,
    input  wire [ROWS*(FUSED != 0 ? G : 1)*(1+A_EXP+A_MAN)-1:0] act_data,
    input  wire                          act_first,    // m = 0: PEs copy shadow to active
    input  wire [ROWS-1:0]               act_restart,  // row r's product starts a chunk
    input  wire [COLS-1:0]               top_valid,
    input  wire [COLS*(1+ACC_EXP+ACC_MAN)-1:0] top_psum,
    input  wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] top_chunk,
    // CHUNK_COLUMN = 1, with the word leaving each column's bottom: add it into the running
    // sum bottom_chunk (out_value, out_events), else out_value = bottom_chunk, no events.
    input  wire [COLS-1:0]               bottom_add,
    input  wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] bottom_chunk,
    // FUSED = 1: PE (r, c)'s term flags of the cycle at bits (r*COLS+c)*(2G+2); else 0.
    output wire [ROWS*COLS*(FUSED != 0 ? 2*G+2 : 1)-1:0] pe_terms,
    // Bottom of each column (combinational from the last row's registers).
`include "array_out_ports.vh"
);
`include "pe_widths.vh"
  localparam integer T = FUSED != 0 ? G : 1;  // codes per operand word: products per step
  localparam integer TW = FUSED != 0 ? 2 * G + 2 : 1;  // pe_terms bits per PE

  // Horizontal (activation with its tag) and vertical (psum pair) links between PEs.
  wire            av[0:ROWS-1][0:COLS];
  wire            af[0:ROWS-1][0:COLS];
  wire            ar[0:ROWS-1][0:COLS];
  wire [T*AW-1:0] a[0:ROWS-1][0:COLS];
  wire            pv[0:ROWS][0:COLS-1];
  wire [SW-1:0]   ps[0:ROWS][0:COLS-1];
  wire [CW-1:0]   co[0:ROWS][0:COLS-1];

  genvar r, c;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_skew_row
      delay_line #(.W(3 + T * AW), .DEPTH(r)) u_skew (
          .clk(clk), .rst(rst),
          .d({act_valid[r], act_valid[r] & act_first,
              act_valid[r] & act_restart[r] & (CHUNK_COLUMN == 0),
              act_data[r*T*AW+:T*AW]}),
          .q({av[r][0], af[r][0], ar[r][0], a[r][0]}));
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_top  // pairs arrive skewed (see above)
      assign pv[0][c] = top_valid[c];
      assign ps[0][c] = top_psum[c*SW+:SW];
      assign co[0][c] = top_chunk[c*CW+:CW];
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        if (FUSED == 0) begin : g_fmaq
          ws_pe #(
`include "pe_pass.vh"
              , .CHUNK_COLUMN(CHUNK_COLUMN)
          ) u_pe (
              .clk(clk), .rst(rst),
              .w_load(w_load && w_row == r), .w_in(w_data[c*WW+:WW]),
              .av_in(av[r][c]), .first_in(af[r][c]), .restart_in(ar[r][c]), .a_in(a[r][c]),
              .pv_in(pv[r][c]), .ps_in(ps[r][c]), .co_in(co[r][c]),
              .av_out(av[r][c+1]), .first_out(af[r][c+1]), .restart_out(ar[r][c+1]),
              .a_out(a[r][c+1]),
              .pv_out(pv[r+1][c]), .ps_out(ps[r+1][c]), .co_out(co[r+1][c]),
              .events(pe_events[(r*COLS+c)*13+:13]));
          assign pe_terms[(r*COLS+c)*TW+:TW] = {TW{1'b0}};
        end else begin : g_fused
          fused_ws_pe #(
              .A_MAN(A_MAN), .A_EXP(A_EXP), .A_BIAS(A_BIAS), .A_SUB(A_SUB), .A_IEEE(A_IEEE),
              .W_MAN(W_MAN), .W_EXP(W_EXP), .W_BIAS(W_BIAS), .W_SUB(W_SUB), .W_IEEE(W_IEEE),
              .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
              .ACC_IEEE(ACC_IEEE), .ACC_RNE(ACC_RNE), .ACC_INF(ACC_INF), .G(G), .F(F),
              .CACC_MAN(CACC_MAN), .CACC_EXP(CACC_EXP), .CACC_BIAS(CACC_BIAS),
              .CACC_SUB(CACC_SUB), .CACC_IEEE(CACC_IEEE), .CACC_RNE(CACC_RNE),
              .CACC_INF(CACC_INF), .CHUNK_COLUMN(CHUNK_COLUMN)
          ) u_pe (
              .clk(clk), .rst(rst),
              .w_load(w_load && w_row == r), .w_in(w_data[c*T*WW+:T*WW]),
              .av_in(av[r][c]), .first_in(af[r][c]), .restart_in(ar[r][c]), .a_in(a[r][c]),
              .pv_in(pv[r][c]), .ps_in(ps[r][c]), .co_in(co[r][c]),
              .av_out(av[r][c+1]), .first_out(af[r][c+1]), .restart_out(ar[r][c+1]),
              .a_out(a[r][c+1]),
              .pv_out(pv[r+1][c]), .ps_out(ps[r+1][c]), .co_out(co[r+1][c]),
              .events(pe_events[(r*COLS+c)*13+:13]), .terms(pe_terms[(r*COLS+c)*TW+:TW]));
        end
      end
    end
    // The column-bottom chunk accumulator: the pair's chunk lane (pe), or the running sum
    // read from the output buffer (column).
    for (c = 0; c < COLS; c = c + 1) begin : g_bottom
      wire [CW-1:0] chunk_in = CHUNK_COLUMN != 0 ? bottom_chunk[c*CW+:CW] : co[ROWS][c];
      assign out_valid[c] = pv[ROWS][c];
      assign out_psum[c*SW+:SW] = ps[ROWS][c];
      assign out_chunk[c*CW+:CW] = chunk_in;
      chunk_lane #(
`include "chunk_pass.vh"
      ) u_chunk_acc (
          .add(CHUNK_COLUMN == 0 || (pv[ROWS][c] && bottom_add[c])), .psum(ps[ROWS][c]),
          .chunk_in(chunk_in), .chunk_out(out_value[c*CW+:CW]), .events(out_events[c*4+:4]));
    end
  endgenerate
endmodule
