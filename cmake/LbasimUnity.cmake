# lbasim_unity_build(<target>...): compile a target's sources in batches of 8 per translation
# unit. Most of a file's compile time here goes to the same headers' templates (fmt,
# nlohmann/json, CLI11, GoogleTest, SystemC) instantiated again in every file: batching cut the
# 27 files of `lbasim` from 234 to 72 CPU-seconds (Release). Sources with their own compile
# options (the engine's per-ISA kernels) stay alone, as CMake does for them.
# -DLBASIM_UNITY_BUILD=OFF compiles file by file (e.g. to check that each includes what it uses).
option(LBASIM_UNITY_BUILD "Compile the large targets in unity batches (faster clean builds)" ON)
function(lbasim_unity_build)
  if(LBASIM_UNITY_BUILD)
    set_target_properties(${ARGN} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
