// Runs the Verilated hello counter under SystemC for 10 clock cycles and checks it counted.
#include <systemc.h>

#include <cstdio>

#include "Vhello.h"

int sc_main(int, char*[]) {
  sc_clock clk("clk", 10, SC_NS);
  sc_signal<bool> rst;
  sc_signal<uint32_t> count;
  Vhello top("top");
  top.clk(clk);
  top.rst(rst);
  top.count(count);
  rst = true;
  sc_start(20, SC_NS);
  rst = false;
  sc_start(100, SC_NS);
  const unsigned got = count.read();
  std::printf("verilator_hello_sc: count=%u after 10 cycles\n", got);
  return got == 10 ? 0 : 1;
}
