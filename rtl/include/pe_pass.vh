// pe_params.vh passed on to an instance (a PE in an array): #(`include "pe_pass.vh").
`include "fmaq_pass.vh"
    , .CACC_MAN(CACC_MAN), .CACC_EXP(CACC_EXP), .CACC_BIAS(CACC_BIAS), .CACC_SUB(CACC_SUB),
      .CACC_IEEE(CACC_IEEE), .CACC_RNE(CACC_RNE), .CACC_INF(CACC_INF)
