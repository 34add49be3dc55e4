// The chunk lane (docs/systolic.md, numerics contract section 3): when `add`, a finished chunk
// sum joins the running output, chunk_out = Q_cacc(chunk_in + psum); otherwise chunk_in
// passes. The adder's operands are held at +0 when it is not used (operand isolation), so it
// only switches when it adds. Used in every PE and at the bottom of every column.
module chunk_lane #(
    parameter integer ACC_MAN = 7, parameter integer ACC_EXP = 4, parameter integer ACC_BIAS = 10,
    parameter integer ACC_SUB = 0, parameter integer ACC_IEEE = 0,
    parameter integer CACC_MAN = 7, parameter integer CACC_EXP = 4,
    parameter integer CACC_BIAS = 10, parameter integer CACC_SUB = 0,
    parameter integer CACC_IEEE = 0, parameter integer CACC_RNE = 0, parameter integer CACC_INF = 0
) (
    input  wire                       add,
    input  wire [ACC_EXP+ACC_MAN:0]   psum,      // the finished chunk, accumulator format
    input  wire [CACC_EXP+CACC_MAN:0] chunk_in,  // the running output
    output wire [CACC_EXP+CACC_MAN:0] chunk_out,
    output wire [3:0]                 events     // of the add (lbasim::num::Event); 0 if !add
);
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;
  localparam integer CW = 1 + CACC_EXP + CACC_MAN;

  wire [CW-1:0] sum;
  wire [3:0] ev;
  fp_add #(
      .X_MAN(CACC_MAN), .X_EXP(CACC_EXP), .X_BIAS(CACC_BIAS), .X_SUB(CACC_SUB),
      .X_IEEE(CACC_IEEE),
      .Y_MAN(ACC_MAN), .Y_EXP(ACC_EXP), .Y_BIAS(ACC_BIAS), .Y_SUB(ACC_SUB), .Y_IEEE(ACC_IEEE),
      .Z_MAN(CACC_MAN), .Z_EXP(CACC_EXP), .Z_BIAS(CACC_BIAS), .Z_SUB(CACC_SUB),
      .Z_IEEE(CACC_IEEE), .Z_RNE(CACC_RNE), .Z_INF(CACC_INF)
  ) u_add (
      .x(add ? chunk_in : {CW{1'b0}}), .y(add ? psum : {SW{1'b0}}), .z(sum), .events(ev));
  assign chunk_out = add ? sum : chunk_in;
  assign events = add ? ev : 4'b0000;
endmodule
