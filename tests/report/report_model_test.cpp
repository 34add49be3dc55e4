// Reading and validating sweep records; the Pareto front and the recommended point on records
// whose answers are worked out by hand.
#include "report/report_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "lbasim/base/error.h"
#include "report/report_html.h"
#include "report_records.h"

namespace lbasim::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("lbasim_report_test_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

std::string error_of(const json& j) {
  try {
    parse_point(j, "rec.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ReportModel, ParsesARecord) {
  const PointRecord p = parse_point(test::four_points()[2], "rec.json");
  EXPECT_EQ(p.id, "m7e4-c16");
  EXPECT_EQ(p.acc_bits, 12);
  EXPECT_EQ(p.chunk, 16);
  EXPECT_EQ(p.top1, 0.909);
  EXPECT_EQ(p.energy_per_inference_pj, 1.5e6);
  ASSERT_EQ(p.layers.size(), 3u);
  EXPECT_EQ(p.layers[1].name, "conv2");
  EXPECT_EQ(p.layers[1].accumulator.swamped, 150);
  EXPECT_EQ(p.layers[1].accumulator.underflow, 3);
  EXPECT_EQ(p.layers[1].chunk_accumulator.swamped, 1);
  EXPECT_FALSE(p.fp32_accumulator);
  EXPECT_TRUE(parse_point(test::four_points()[0], "x").fp32_accumulator);
}

TEST(ReportModel, ReadsErrorStatsNestedAsTheTraceRunnerWritesThem) {
  json j = test::four_points()[0];
  for (json& l : j["layers"]) {
    l["error"] = {{"sqnr_db", nullptr}, {"max_rel_error", 0.0}, {"max_abs_error", 0.0}};
    l.erase("sqnr_db");
    l.erase("max_rel_error");
  }
  j["layers"][1]["error"]["sqnr_db"] = 42.5;
  const PointRecord p = parse_point(j, "rec.json");
  EXPECT_TRUE(std::isinf(p.layers[0].sqnr_db));  // null: an exact layer
  EXPECT_EQ(p.layers[1].sqnr_db, 42.5);
  j["layers"][2]["error"].erase("max_rel_error");
  EXPECT_NE(error_of(j).find("layers[2].error.max_rel_error"), std::string::npos) << error_of(j);
}

TEST(ReportModel, NamesFileAndFieldOfBadInput) {
  json j = test::four_points()[0];
  j["accuracy"].erase("top1");
  std::string e = error_of(j);
  EXPECT_NE(e.find("rec.json"), std::string::npos) << e;
  EXPECT_NE(e.find("accuracy.top1"), std::string::npos) << e;
  EXPECT_NE(e.find("missing"), std::string::npos) << e;

  j = test::four_points()[0];
  j["accuracy"]["top1"] = 91.5;  // a percentage where a fraction is expected
  e = error_of(j);
  EXPECT_NE(e.find("accuracy.top1"), std::string::npos) << e;
  EXPECT_NE(e.find("91.5"), std::string::npos) << e;

  j = test::four_points()[0];
  j["energy_pj"]["per_inference"] = "lots";
  e = error_of(j);
  EXPECT_NE(e.find("energy_pj.per_inference"), std::string::npos) << e;
  EXPECT_NE(e.find("expected a number"), std::string::npos) << e;

  j = test::four_points()[0];
  j["energy_pj"]["breakdown"]["dram"] = 0;  // the parts no longer add up to the total
  e = error_of(j);
  EXPECT_NE(e.find("energy_pj.breakdown"), std::string::npos) << e;
  EXPECT_NE(e.find("differs from energy_pj.per_inference"), std::string::npos) << e;

  j = test::four_points()[0];
  j.erase("power_mw");
  e = error_of(j);
  EXPECT_NE(e.find("power_mw"), std::string::npos) << e;

  j = test::four_points()[0];
  j["layers"][2]["events"]["accumulator"]["swamped"] = 1001;
  e = error_of(j);
  EXPECT_NE(e.find("layers[2].events.accumulator.swamped"), std::string::npos) << e;

  j = test::four_points()[0];
  j["point"]["chunk"] = 1.5;
  e = error_of(j);
  EXPECT_NE(e.find("point.chunk"), std::string::npos) << e;

  j = test::four_points()[0];
  j["layers"] = json::array();
  EXPECT_NE(error_of(j).find("'layers'"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("<record>"), std::string::npos);
}

TEST(ReportModel, LoadsASweepDirectoryAndItsMergedJson) {
  const fs::path d = fresh_dir("load");
  fs::create_directories(d / "points");
  for (const json& j : test::four_points())
    write(d / "points" / (j["id"].get<std::string>() + ".json"), j.dump());
  write(d / "points" / "notes.txt", "ignored");
  const Report r = load_report(d);
  ASSERT_EQ(r.points.size(), 4u);
  EXPECT_EQ(r.points[0].id, "fp16-c16");  // sorted by id
  EXPECT_NE(r.points[0].source.find("fp16-c16.json"), std::string::npos);

  write(d / "merged.json", to_json(r).dump());
  const Report again = load_report(d / "merged.json");
  ASSERT_EQ(again.points.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(again.points[i].raw, r.points[i].raw);
}

TEST(ReportModel, RefusesEmptyDuplicateAndBrokenInputs) {
  const fs::path d = fresh_dir("bad");
  EXPECT_THROW(load_report(d), InputError);
  EXPECT_THROW(load_report(d / "absent"), InputError);
  const json p = test::four_points()[0];
  write(d / "a.json", p.dump());
  write(d / "b.json", p.dump());
  try {
    load_report(d);
    FAIL() << "duplicate ids accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("fp32-c16"), std::string::npos) << e.what();
  }
  fs::remove(d / "b.json");
  write(d / "c.json", "{ not json");
  try {
    load_report(d);
    FAIL() << "bad JSON accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c.json"), std::string::npos) << e.what();
  }
  write(d / "c.json", json{{"points", 3}}.dump());
  EXPECT_THROW(load_report(d / "c.json"), InputError);
}

Report four_point_report() {
  Report r;
  for (const json& j : test::four_points()) r.points.push_back(parse_point(j, "mem"));
  return r;  // kept in the fixture's order: fp32, fp16, m7e4, m3e4
}

TEST(ReportModel, ParetoFrontAndRecommendation) {
  Report r = four_point_report();
  // Every point trades accuracy for energy monotonically: all four are on the front.
  EXPECT_EQ(pareto_front(r), (std::vector<std::size_t>{3, 2, 1, 0}));
  ASSERT_TRUE(recommended_point(r).has_value());
  EXPECT_EQ(*recommended_point(r), 1u);  // fp16: 91.2 >= 91.0, m7e4's 90.9 is not
  // A point that is worse and dearer than fp16 leaves the front.
  r.points.push_back(parse_point(
      test::make_record({"bad", "m6e5", "M6E5", "M6E5", 12, 16, 0.90, 2.5e6, 1500}), "mem"));
  EXPECT_EQ(pareto_front(r), (std::vector<std::size_t>{3, 2, 1, 0}));
  // Exactly on the 0.5-point bound counts as within.
  r.points[2].top1 = 0.910;
  EXPECT_EQ(*recommended_point(r), 2u);
  // No FP32 point: no recommendation.
  r.points.erase(r.points.begin());
  EXPECT_FALSE(recommended_point(r).has_value());
  EXPECT_TRUE(to_json(r)["recommended"].is_null());
}

TEST(ReportHtml, SelfContainedWithEveryPlotAndEscapedText) {
  const Report r = four_point_report();
  const std::string h = render_html(r);
  for (const char* title :
       {"Top-1 accuracy vs accumulator width", "Power and energy per inference per accumulator",
        "Pareto front: top-1 accuracy vs energy per inference",
        "Accumulator-stage swamped ops per layer", "Accumulator-stage underflow ops per layer",
        "Accumulator-stage overflow ops per layer"})
    EXPECT_NE(h.find(std::string("<title>") + title), std::string::npos) << title;
  // The headline plot comes first and splits power and energy into PE array, SRAM and DRAM.
  EXPECT_LT(h.find("<title>Power and energy per inference"), h.find("<title>Top-1 accuracy"));
  for (const char* part :
       {"energy per inference (\u00b5J), PE array = ", "energy per inference (\u00b5J), SRAM = ",
        "energy per inference (\u00b5J), DRAM = ",
        "average power (mW) at the sweep's clock, PE array = "})
    EXPECT_NE(h.find(part), std::string::npos) << part;
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("src="), std::string::npos);
  EXPECT_EQ(h.find("href="), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("<paper>"), std::string::npos);  // the label is escaped
  EXPECT_NE(h.find("M7E4b10 &lt;paper&gt;"), std::string::npos);
  // The recommended row is marked, and the table lists points cheapest first.
  EXPECT_NE(h.find("<tr class=\"rec\"><td>3</td><td>fp16-c16"), std::string::npos);
  EXPECT_LT(h.find("<td>m3e4-c16"), h.find("<td>fp32-c16"));
  // A heatmap cell tooltip carries the count: conv2 of m7e4 swamped 150 of 1000.
  EXPECT_NE(h.find("conv2 / M7E4b10 &lt;paper&gt; chunk 16: 150 swamped of 1000 accumulator ops"),
            std::string::npos);
  EXPECT_EQ(escape_html("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

}  // namespace
}  // namespace lbasim::report
