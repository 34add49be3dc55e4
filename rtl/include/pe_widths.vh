// Code widths of the formats in pe_params.vh.
  localparam integer AW = 1 + A_EXP + A_MAN;
  localparam integer WW = 1 + W_EXP + W_MAN;
  localparam integer SW = 1 + ACC_EXP + ACC_MAN;
  localparam integer CW = 1 + CACC_EXP + CACC_MAN;
