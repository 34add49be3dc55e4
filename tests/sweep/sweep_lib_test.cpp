// The sweep library directly (no lbasim process): the spec reader's errors, and the plan's
// decision which records to reuse (valid, stale, damaged, missing, a directory in the way).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_spec.h"

namespace {

namespace fs = std::filesystem;
using lbasim::InputError;
using ::testing::AllOf;
using ::testing::HasSubstr;
namespace sweep = lbasim::sweep;

const std::string kTrace = std::string(LBASIM_TRACES) + "/mlp-fmnist";

fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "lbasim_sweep_lib_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

sweep::SweepSpec spec_in(const fs::path& dir) {
  write(dir / "spec.json", R"({"trace": ")" + kTrace + R"(", "limit": 4,
    "accumulators": ["m7e4", "m3e4"], "chunks": [0, 16], "arrays": ["4x4"], "dataflows": ["ws"]})");
  return sweep::read_spec(dir / "spec.json");
}

std::string error_of(const fs::path& dir, const std::string& spec) {
  write(dir / "spec.json", spec);
  try {
    sweep::read_spec(dir / "spec.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, ExpandsInAFixedOrder) {
  const sweep::SweepSpec s = spec_in(fresh("expand"));
  std::vector<std::string> ids;
  for (const auto& p : sweep::expand(s)) ids.push_back(p.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"m7e4-c0-4x4-ws", "m7e4-c16-4x4-ws", "m3e4-c0-4x4-ws",
                                           "m3e4-c16-4x4-ws"}));
  EXPECT_EQ(s.limit, 4);
  EXPECT_EQ(s.trace, fs::path(kTrace));
}

TEST(SweepSpec, ErrorsNameTheFileAndTheField) {
  const fs::path dir = fresh("errors");
  const std::string file = (dir / "spec.json").string();
  const std::string tail = R"("accumulators": ["m7e4"], "arrays": ["4x4"], "dataflows": ["ws"]})";
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [16, -2], )" + tail),
              AllOf(HasSubstr(file + ": field 'chunks[1]'"), HasSubstr("-2")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [], )" + tail),
              AllOf(HasSubstr("field 'chunks'"), HasSubstr("non-empty list")));
  EXPECT_THAT(error_of(dir, R"({"trace": 3, "chunks": [1], )" + tail),
              AllOf(HasSubstr("field 'trace'"), HasSubstr("3")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [1], "limit": 1.5, )" + tail),
              AllOf(HasSubstr("field 'limit'"), HasSubstr("1.5")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [1], "accumulators": ["m7e4"],
                               "arrays": ["4x4", "0x4"], "dataflows": ["ws"]})"),
              AllOf(HasSubstr("field 'arrays[1]'"), HasSubstr("0x4")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [1], "accumulators": ["m7e4"],
                               "arrays": ["4x4"], "dataflows": ["ws", "rs"]})"),
              AllOf(HasSubstr("field 'dataflows[1]'"), HasSubstr("rs")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunk": [1], )" + tail),
              HasSubstr("unknown key 'chunk'"));
  EXPECT_THAT(
      error_of(dir, R"({"trace": "t", "chunks": [1], "buffers": {"weight_kib": 0}, )" + tail),
      AllOf(HasSubstr(file + ": field 'buffers.weight_kib': 0 KiB"), HasSubstr("> 0")));
  EXPECT_THAT(error_of(dir, R"({"trace": "t", "chunks": [1], "buffers": {"weights": 8}, )" + tail),
              HasSubstr("unknown key 'buffers.weights'"));
}

TEST(SweepSpec, BuffersAreReadInKiBAndAbsentKeysKeepTheDefaults) {
  const fs::path dir = fresh("buffers");
  write(dir / "spec.json", R"({"trace": "t", "chunks": [1], "accumulators": ["m7e4"],
    "arrays": ["4x4"], "dataflows": ["ws"], "buffers": {"weight_kib": 8, "output_kib": 2.5}})");
  const sweep::SweepSpec s = sweep::read_spec(dir / "spec.json");
  EXPECT_EQ(s.buffers,
            (lbasim::memory::BufferConfig{lbasim::memory::BufferConfig{}.activation_kib, 8, 2.5}));
}

// A record as run_sweep writes it, reduced to the fields the plan checks.
nlohmann::json record_for(const sweep::Point& p, const sweep::SweepSpec& s,
                          const std::string& hash) {
  return {{"id", p.id()},
          {"lbasim_version", LBASIM_VERSION},
          {"limit", s.limit},
          {"buffers", lbasim::memory::to_json(s.buffers)},
          {"trace", {{"hash", hash}}},
          {"point",
           {{"accumulator", p.accumulator},
            {"chunk", p.chunk},
            {"array", p.array},
            {"dataflow", p.dataflow},
            {"buffering", sweep::sweep_buffering()}}}};
}

TEST(SweepPlan, ReusesExactlyTheValidRecords) {
  const fs::path dir = fresh("plan");
  const sweep::SweepSpec s = spec_in(dir);
  const std::string hash = sweep::trace_hash(s.trace);
  const auto all = sweep::expand(s);
  const fs::path points = dir / "points";
  fs::create_directories(points);
  const auto path = [&](std::size_t i) { return points / (all[i].id() + ".json"); };
  write(path(0), record_for(all[0], s, hash).dump());  // valid
  nlohmann::json stale = record_for(all[1], s, hash);  // another limit
  stale["limit"] = 5;
  write(path(1), stale.dump());
  write(path(2), "{\"id\": ");      // damaged
  fs::create_directories(path(3));  // a directory where the record goes

  sweep::SweepPlan plan = sweep::plan_sweep(s, points, hash, std::nullopt);
  EXPECT_EQ(plan.points, 4);
  EXPECT_EQ(plan.reused, 1);
  ASSERT_EQ(plan.todo.size(), 3u);
  EXPECT_EQ(plan.todo[0].id(), all[1].id());
  EXPECT_EQ(plan.todo[2].id(), all[3].id());
  EXPECT_THAT(sweep::record_mismatch(stale, all[1], s, hash),
              AllOf(HasSubstr("field 'limit'"), HasSubstr("5"), HasSubstr("4")));

  // A record made with other buffers is stale (its DRAM/SRAM energy depends on them).
  sweep::SweepSpec small = s;
  small.buffers.weight_kib = 8;
  EXPECT_THAT(sweep::record_mismatch(record_for(all[0], s, hash), all[0], small, hash),
              AllOf(HasSubstr("field 'buffers'"), HasSubstr("\"weight_kib\":8")));

  // Another trace's record is stale too.
  EXPECT_THAT(sweep::record_mismatch(record_for(all[0], s, "0000"), all[0], s, hash),
              HasSubstr("trace.hash"));

  // A task's points only.
  plan = sweep::plan_sweep(s, points, hash, std::vector<std::size_t>{0, 2});
  EXPECT_EQ(plan.points, 2);
  EXPECT_EQ(plan.reused, 1);
  ASSERT_EQ(plan.todo.size(), 1u);
  EXPECT_EQ(plan.todo[0].id(), all[2].id());
}

TEST(SweepPlan, UnknownAccumulatorsAreRefusedWithTheTableRows) {
  const fs::path dir = fresh("acc");
  sweep::SweepSpec s = spec_in(dir);
  s.accumulators.push_back("m9e9");
  try {
    sweep::check_spec(s);
    FAIL() << "m9e9 was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("field 'accumulators'"), HasSubstr("m9e9"), HasSubstr("m7e4")));
  }
}

}  // namespace
