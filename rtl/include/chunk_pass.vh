// The parameters of a chunk_lane instance from pe_params.vh: #(`include "chunk_pass.vh").
      .ACC_MAN(ACC_MAN), .ACC_EXP(ACC_EXP), .ACC_BIAS(ACC_BIAS), .ACC_SUB(ACC_SUB),
      .ACC_IEEE(ACC_IEEE),
      .CACC_MAN(CACC_MAN), .CACC_EXP(CACC_EXP), .CACC_BIAS(CACC_BIAS), .CACC_SUB(CACC_SUB),
      .CACC_IEEE(CACC_IEEE), .CACC_RNE(CACC_RNE), .CACC_INF(CACC_INF)
