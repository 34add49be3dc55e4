// Replays the fuzzers' seed corpora and every input that once broke a harness
// (tests/robustness/fuzz_inputs/<harness>/) through the code it targets, in the normal build
// (and in build-asan, where sanitizer reports count):
// each input is either accepted or refused with a non-empty InputError, nothing else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <typeinfo>

#include "lbasim/base/error.h"
#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/traces/trace.h"

namespace lbasim::test {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void from_json_text(const std::string& text, const std::function<void(const nlohmann::json&)>& fn) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) fn(j);
}

// What each harness calls, on the bytes of one input file at `path`.
const std::map<std::string, std::function<void(const fs::path&)>>& targets() {
  static const std::map<std::string, std::function<void(const fs::path&)>> t{
      {"format_parse_fuzz", [](const fs::path& p) { num::parse_format(read_bytes(p)); }},
      {"format_json_fuzz",
       [](const fs::path& p) {
         from_json_text(read_bytes(p), [](const nlohmann::json& j) { num::format_from_json(j); });
       }},
      {"accum_config_fuzz",
       [](const fs::path& p) {
         from_json_text(read_bytes(p),
                        [](const nlohmann::json& j) { num::accum_config_from_json(j); });
       }},
      {"npy_read_fuzz", [](const fs::path& p) { npy::read(p); }},
      {"trace_manifest_fuzz",
       [](const fs::path& p) {
         // As the harness: the input is manifest.json beside a real trace's tensors.
         static const fs::path dir = [] {
           const fs::path d =
               fs::temp_directory_path() / ("lbasim_fuzz_replay_" + std::to_string(::getpid()));
           fs::remove_all(d);
           fs::copy(LBASIM_TRACE_FIXTURE, d, fs::copy_options::recursive);
           return d;
         }();
         fs::copy_file(p, dir / "manifest.json", fs::copy_options::overwrite_existing);
         traces::read_trace(dir);
       }},
  };
  return t;
}

void replay(const fs::path& root) {
  int inputs = 0;
  for (const auto& [harness, target] : targets()) {
    if (!fs::is_directory(root / harness)) continue;
    for (const auto& e : fs::directory_iterator(root / harness)) {
      ++inputs;
      try {
        target(e.path());
      } catch (const InputError& err) {
        EXPECT_STRNE(err.what(), "") << e.path();
      } catch (const std::exception& err) {
        ADD_FAILURE() << e.path() << ": " << typeid(err).name() << " escaped: " << err.what();
      }
    }
  }
  ::testing::Test::RecordProperty("inputs", inputs);
}

TEST(FuzzRegressions, SeedCorpora) { replay(LBASIM_FUZZ_CORPUS_DIR); }

TEST(FuzzRegressions, CrashInputs) { replay(LBASIM_FUZZ_INPUTS_DIR); }

// Inputs of bugs still open (docs/robustness.md): move them to fuzz_inputs/ once fixed. Run
// with --gtest_also_run_disabled_tests.
TEST(FuzzRegressions, DISABLED_OpenBugs) { replay(LBASIM_FUZZ_OPEN_DIR); }

}  // namespace
}  // namespace lbasim::test
