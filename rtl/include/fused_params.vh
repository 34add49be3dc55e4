// Parameters of the fused dot-product unit (docs/rtl.md): operand formats A and W, the
// accumulator format ACC (the running sum's and the result's), G terms per step and F fraction
// bits kept below the largest exponent (numerics contract, section 7). Defaults: Hopper's FP8
// unit (e4m3 codes without the NaN code, M13E8 round toward zero). Included in parameter lists.
    parameter integer A_MAN = 3, parameter integer A_EXP = 4, parameter integer A_BIAS = 7,
    parameter integer A_SUB = 1, parameter integer A_IEEE = 0,
    parameter integer W_MAN = 3, parameter integer W_EXP = 4, parameter integer W_BIAS = 7,
    parameter integer W_SUB = 1, parameter integer W_IEEE = 0,
    parameter integer ACC_MAN = 13, parameter integer ACC_EXP = 8, parameter integer ACC_BIAS = 127,
    parameter integer ACC_SUB = 1, parameter integer ACC_IEEE = 1,
    parameter integer ACC_RNE = 0, parameter integer ACC_INF = 1,
    parameter integer G = 32,
    parameter integer F = 13
