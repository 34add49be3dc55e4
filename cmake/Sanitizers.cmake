# Sanitizer and fuzzing builds (docs/robustness.md). Included by the top-level CMakeLists.txt.
#
# LBASIM_SANITIZE=ON: every target with AddressSanitizer + UndefinedBehaviorSanitizer, any report
# fatal (tools/sanitize.sh, build-asan/). LBASIM_FUZZ=ON (clang only): the libraries are built
# with -fsanitize=fuzzer-no-link and the libFuzzer harnesses in fuzz/ (tools/fuzz.sh, build-fuzz/).
option(LBASIM_SANITIZE "Build everything with AddressSanitizer and UBSan (fatal reports)" OFF)
option(LBASIM_FUZZ "Build the libFuzzer harnesses in fuzz/ (clang; implies ASan + UBSan)" OFF)

if(LBASIM_SANITIZE OR LBASIM_FUZZ)
  set(lbasim_sanitizers -fsanitize=address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
  add_compile_options(${lbasim_sanitizers})
  add_link_options(${lbasim_sanitizers})
endif()

if(LBASIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LBASIM_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
  endif()
  # Coverage instrumentation everywhere; only the harnesses link libFuzzer's main().
  add_compile_options(-fsanitize=fuzzer-no-link)
  # fuzz/ links only lbasim's own library targets, which may be defined after this point.
  add_subdirectory(${CMAKE_SOURCE_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
endif()
