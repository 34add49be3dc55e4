// The output ports of a systolic array (systolic_ws, systolic_os): the words leaving the
// column bottoms and every PE's events of the cycle. Included at the end of a port list.
    output wire [COLS-1:0]               out_valid,
    output wire [COLS*(1+ACC_EXP+ACC_MAN)-1:0] out_psum,
    output wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] out_chunk,
    output wire [COLS*(1+CACC_EXP+CACC_MAN)-1:0] out_value,  // Q_cacc(psum + chunk)
    output wire [COLS*4-1:0]             out_events,   // of each column's Q_cacc(psum + chunk)
    // What each PE computes in this cycle (pe_core `events`), PE (r, c) at bits (r*COLS+c)*13.
    output wire [ROWS*COLS*13-1:0]       pe_events
