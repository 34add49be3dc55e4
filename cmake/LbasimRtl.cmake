# The RTL's sources and format parameters come from tools/lba/rtl.py, the one place that maps an
# lbasim format to Verilog parameters (docs/rtl.md); the synthesis flow and the lint script use
# the same module. Both are read at configure time, when verilate() runs Verilator.
find_program(LBASIM_PYTHON3 python3 HINTS /usr/bin REQUIRED)
set(_lbasim_rtl_py ${PROJECT_SOURCE_DIR}/tools/lba/rtl.py)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${_lbasim_rtl_py})

# Runs `python3 -m lba.rtl <args>`; its stdout (stripped) goes to out_var, failure is fatal.
function(_lbasim_rtl_tool out_var)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${PROJECT_SOURCE_DIR}/tools
            ${LBASIM_PYTHON3} -m lba.rtl ${ARGN}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "python3 -m lba.rtl ${ARGN}: ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# LBASIM_RTL_SOURCES: every RTL file (tools pick a top module); LBASIM_RTL_INCLUDE: the folder
# of its `include files (verilate(... INCLUDE_DIRS ${LBASIM_RTL_INCLUDE})).
_lbasim_rtl_tool(_sources sources)
string(REPLACE "\n" ";" LBASIM_RTL_SOURCES "${_sources}")
_lbasim_rtl_tool(LBASIM_RTL_INCLUDE include)

# lbasim_rtl_gparams(<out_var> PREFIX=FORMAT...): Verilator -G arguments, e.g.
# lbasim_rtl_gparams(g A=M4E3b3 W=M4E3b3 P=M7E4b12 ACC=M7E4b10:rne).
function(lbasim_rtl_gparams out_var)
  _lbasim_rtl_tool(g params --cmake ${ARGN})
  set(${out_var} ${g} PARENT_SCOPE)
endfunction()

# lbasim_verilate(<target> <verilate() arguments>): verilate() with the project's compile flags
# for the generated C++. Its "slow" files (constructors, initial blocks, trace setup) run once
# per model, so they build at -O0: about 60 % less compile time, a large share of a clean
# build. In sanitizer builds the generated code is not instrumented (it is Verilator's; the
# drivers and harnesses around it are lbasim's and still are), which the CI's ASan job needs
# to stay short.
set(_lbasim_vl_slow -O0)
set(_lbasim_vl_fast "")
if(LBASIM_SANITIZE)
  list(APPEND _lbasim_vl_slow -fno-sanitize=all)
  set(_lbasim_vl_fast -fno-sanitize=all)
endif()
# The Verilator runtime (verilated.cpp, its thread pool and VCD writer) is the same for every
# C++ (non-SystemC) model: verilate() adds it to each model, which compiled it 20 times in a
# clean build (about 10 CPU-minutes); lbasim_verilate builds it once, here. Of the runtime's
# switches only VM_SC changes what it compiles to (VM_TRACE only defines WAVES in verilated.h),
# so one build serves models with and without TRACE; SystemC models keep their own.
set(_lbasim_vl_runtime ${VERILATOR_ROOT}/include/verilated.cpp
  ${VERILATOR_ROOT}/include/verilated_threads.cpp ${VERILATOR_ROOT}/include/verilated_vcd_c.cpp)
if(LBASIM_RTL_MODELS)  # no model, no runtime
  add_library(lbasim_verilated STATIC ${_lbasim_vl_runtime})
  target_include_directories(lbasim_verilated PRIVATE ${VERILATOR_ROOT}/include
    ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(lbasim_verilated PRIVATE VM_COVERAGE=0 VM_SC=0 VM_TRACE=1
    VM_TRACE_VCD=1 VM_TRACE_FST=0)
  target_compile_options(lbasim_verilated PRIVATE -Wno-unused-parameter)  # Verilator's headers
  target_link_libraries(lbasim_verilated PUBLIC Threads::Threads)
endif()

function(lbasim_verilate target)
  verilate(${target} ${ARGN} OPT_SLOW ${_lbasim_vl_slow} OPT_FAST ${_lbasim_vl_fast})
  # The VCD tracing code (models built with TRACE) runs only when a waveform is written (cosim
  # --vcd, a mismatch window): -O0 like the "slow" files, where -O3 cost 15 s per file.
  get_target_property(sources ${target} SOURCES)
  list(FILTER sources INCLUDE REGEX "__Trace__[0-9]+\\.cpp$")
  if(sources)
    set_property(SOURCE ${sources} APPEND_STRING PROPERTY COMPILE_FLAGS " -O0")
  endif()
  if(NOT SYSTEMC IN_LIST ARGN)
    get_target_property(sources ${target} SOURCES)
    list(REMOVE_ITEM sources ${_lbasim_vl_runtime})
    set_property(TARGET ${target} PROPERTY SOURCES ${sources})
    target_link_libraries(${target} PUBLIC lbasim_verilated)
  endif()
endfunction()
