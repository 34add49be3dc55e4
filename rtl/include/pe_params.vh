// Parameters of a PE's formats: fmaq's and CACC, the chunk accumulator (default: the
// accumulator's). Included in parameter lists.
`include "fmaq_params.vh"
  , parameter integer CACC_MAN = 7, parameter integer CACC_EXP = 4,
    parameter integer CACC_BIAS = 10, parameter integer CACC_SUB = 0,
    parameter integer CACC_IEEE = 0, parameter integer CACC_RNE = 0, parameter integer CACC_INF = 0
