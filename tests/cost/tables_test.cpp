// The committed cost tables read back, with the relations synthesis must show, and bad files
// refused with the file and field named.
#include "lbasim/cost/tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "lbasim/numerics/error.h"

namespace lbasim::cost {
namespace {

namespace fs = std::filesystem;

const AreaRow& row(const AreaTable& t, const std::string& name) {
  const AreaRow* r = t.find(name);
  if (!r) throw std::runtime_error("no row " + name);
  return *r;
}

TEST(AreaTable, CommittedTableHasEveryConfiguration) {
  const AreaTable t = read_area_table(default_data_dir() / "area_45nm.json");
  for (const char* name : {"fp32", "fp16", "bf16", "m10e5", "m7e4", "m6e5", "m3e4"})
    EXPECT_NE(t.find(name), nullptr) << name;
  EXPECT_EQ(t.reference, "fp32");
  EXPECT_EQ(t.nand2_um2, 0.798);
}

TEST(AreaTable, NarrowerAccumulatorsAreSmaller) {
  const AreaTable t = read_area_table(default_data_dir() / "area_45nm.json");
  EXPECT_GT(row(t, "fp32").area_um2, row(t, "fp16").area_um2);
  EXPECT_GT(row(t, "fp16").area_um2, row(t, "m10e5").area_um2);  // IEEE features cost area
  EXPECT_GT(row(t, "m10e5").area_um2, row(t, "m7e4").area_um2);
  EXPECT_GT(row(t, "m7e4").area_um2, row(t, "m3e4").area_um2);
  EXPECT_GT(row(t, "fp32").flip_flops, row(t, "m7e4").flip_flops);
}

TEST(AreaTable, ComponentsAddUpToTheirSynthesis) {
  const AreaTable t = read_area_table(default_data_dir() / "area_45nm.json");
  for (const AreaRow& r : t.rows) {
    double sum = 0;
    for (const auto& [name, area] : r.components_um2) sum += area;
    EXPECT_NEAR(sum, r.components_area_um2, 0.01) << r.name;
    EXPECT_GT(r.components_um2.at("accumulate"), 0) << r.name;
    EXPECT_NEAR(r.nand2_eq, r.area_um2 / t.nand2_um2, 0.05) << r.name;
  }
}

TEST(EnergyTable, CommittedTableOrdersConfigurations) {
  const fs::path p = default_data_dir() / "energy_45nm.json";
  const EnergyTable t = read_energy_table(p);
  EXPECT_GT(t.at("fp32").mac(), t.at("m7e4").mac());
  EXPECT_GT(t.at("fp32").accumulate, t.at("m7e4").accumulate);
  EXPECT_GT(t.at("m7e4").accumulate, t.at("m3e4").accumulate);
  EXPECT_GT(t.at("fp32").chunk_add, t.at("m3e4").chunk_add);
  for (const auto& [name, e] : t.configs) {
    EXPECT_GT(e.mac(), 0) << name;
    EXPECT_LT(e.zero_mac_gated, e.zero_mac_ungated) << name;
  }
  EXPECT_THROW(t.at("fp64"), InputError);
  EXPECT_EQ(t.memory.sram_pj_per_byte.size(), 3u);
}

class BadTable : public ::testing::Test {
 protected:
  // One file per test and process: ctest runs these tests in parallel processes.
  fs::path path_ = fs::temp_directory_path() /
                   ("lbasim_cost_bad_table_" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                    "_" + std::to_string(::getpid()) + ".json");
  void write(const std::string& text) { std::ofstream(path_) << text; }
  void TearDown() override { fs::remove(path_); }
  // The InputError message from reading path_ as an area or energy table.
  template <typename F>
  std::string error_of(F read) {
    try {
      read(path_);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(BadTable, MissingFileIsNamed) {
  const std::string msg =
      error_of([](const fs::path&) { return read_area_table("/nonexistent/area.json"); });
  EXPECT_NE(msg.find("/nonexistent/area.json"), std::string::npos) << msg;
}

TEST_F(BadTable, BadJsonIsNamed) {
  write("{ not json");
  const std::string msg = error_of([](const fs::path& p) { return read_area_table(p); });
  EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
}

TEST_F(BadTable, MistypedFieldIsNamed) {
  write(R"({"method": "m", "memory": {"sram_pj_per_byte": [[8192, 1.25]],
            "dram_pj_per_byte": 1}, "configs": [{"name": "x", "actions_pj": {"multiply": "a"}}]})");
  const std::string msg = error_of([](const fs::path& p) { return read_energy_table(p); });
  EXPECT_NE(msg.find("configs[0].actions_pj.multiply"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected a number"), std::string::npos) << msg;
}

TEST_F(BadTable, NonPositiveAreaRefused) {
  write(R"({"tool": "y", "liberty": "l", "method": "m", "reference": "a", "nand2_um2": 0.798,
            "configs": [{"name": "a", "label": "A", "formats": {"product": "M7E4",
            "accumulator": "M7E4"}, "generic_cells": 1, "transistors": 1, "mapped_cells": 1,
            "flip_flops": 0, "area_um2": 0, "nand2_eq": 0}]})");
  const std::string msg = error_of([](const fs::path& p) { return read_area_table(p); });
  EXPECT_NE(msg.find("area_um2 = 0"), std::string::npos) << msg;
}

}  // namespace
}  // namespace lbasim::cost
