#include "lbasim/memory/traffic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/memory/network.h"
#include "lbasim/traces/trace.h"

namespace lbasim::memory {
namespace {

NetOp gemm(const char* name, const char* in, const char* out, std::int64_t m, std::int64_t k,
           std::int64_t n) {
  NetOp op;
  op.name = name;
  op.inputs = {in};
  op.output = out;
  op.gemm = true;
  op.m = m;
  op.k = k;
  op.n = n;
  op.output_bytes = static_cast<double>(m * n);
  op.weight_bytes = static_cast<double>(k * n);
  return op;
}

NetOp pointwise(const char* name, std::vector<std::string> in, const char* out, double bytes) {
  NetOp op;
  op.name = name;
  op.inputs = std::move(in);
  op.output = out;
  op.output_bytes = bytes;
  return op;
}

// x (1000 B) -> conv c1 (100x9x8) -> relu -> conv c2 (100x72x40): 72 + 2880 weight bytes.
Network two_layers() {
  Network net;
  net.input = "x";
  net.input_bytes = 1000;
  net.output = "c2";
  net.ops = {gemm("c1", "x", "c1", 100, 9, 8), pointwise("r1", {"c1"}, "r1", 800),
             gemm("c2", "r1", "c2", 100, 72, 40)};
  return net;
}

BufferConfig kib(double act, double w, double out) { return {act, w, out}; }

TEST(Residency, NetworkThatFitsReadsOnlyItsInputAndWritesOnlyItsOutput) {
  const NetworkTraffic t = plan_traffic(two_layers(), kib(64, 64, 64), {16, 16, false});
  EXPECT_TRUE(t.all_weights_resident);
  EXPECT_EQ(t.resident_weight_bytes, 72 + 2880);
  EXPECT_EQ(t.spilled_tensors, std::vector<std::string>{"c2"});  // only the output leaves
  ASSERT_EQ(t.gemms.size(), 2u);
  EXPECT_TRUE(t.gemms[0].a_from_dram);  // the image
  EXPECT_EQ(t.gemms[0].a_dram_bytes, 1000);
  EXPECT_FALSE(t.gemms[0].w_from_dram);
  EXPECT_FALSE(t.gemms[1].a_from_dram);
  EXPECT_FALSE(t.gemms[1].w_from_dram);
  EXPECT_TRUE(t.gemms[1].c_to_dram);  // the network output
  EXPECT_EQ(t.gemms[1].c_dram_bytes, 4000);
  EXPECT_EQ(t.dram_bytes_per_inference(), 5000);
}

TEST(Residency, WeightsThatDoNotFitStreamOncePerInferenceInWsAndPerRowTileInOs) {
  // 1 KiB of weights: c1 (72 B) stays, c2 (2880 B) does not.
  const NetworkTraffic ws = plan_traffic(two_layers(), kib(64, 1, 64), {16, 16, false});
  EXPECT_FALSE(ws.all_weights_resident);
  EXPECT_EQ(ws.resident_weight_bytes, 72);
  EXPECT_FALSE(ws.gemms[0].w_from_dram);
  EXPECT_TRUE(ws.gemms[1].w_from_dram);
  EXPECT_EQ(ws.gemms[1].w_dram_bytes, 2880);
  EXPECT_EQ(ws.dram_bytes_per_inference(), 5000 + 2880);
  const NetworkTraffic os = plan_traffic(two_layers(), kib(64, 1, 64), {16, 16, true});
  EXPECT_EQ(os.gemms[1].w_dram_bytes, 2880 * 7);  // ceil(100 / 16) row tiles
}

TEST(Residency, ActivationsThatDoNotFitSpillOnceAndAreReadBackPerPass) {
  // 512 B: nothing fits. The image streams into c1; every output is written once and read by
  // its consumer, c2 (WS) once per tile of 16 columns: ceil(40 / 16) = 3 passes.
  const NetworkTraffic ws = plan_traffic(two_layers(), kib(0.5, 64, 64), {16, 16, false});
  EXPECT_EQ(ws.gemms[0].a_dram_bytes, 1000);
  EXPECT_TRUE(ws.gemms[0].c_to_dram);
  EXPECT_EQ(ws.gemms[0].c_dram_bytes, 800);
  EXPECT_TRUE(ws.gemms[1].a_from_dram);
  EXPECT_EQ(ws.gemms[1].a_dram_bytes, 800 * 3);
  EXPECT_EQ(ws.other_dram_bytes, 800 + 800);  // relu reads c1, writes r1
  EXPECT_EQ(ws.dram_bytes_per_inference(), 1000 + 800 + 1600 + 2400 + 4000);
  const NetworkTraffic os = plan_traffic(two_layers(), kib(0.5, 64, 64), {16, 16, true});
  EXPECT_EQ(os.gemms[1].a_dram_bytes, 800);
}

TEST(Residency, TheTensorUsedFarthestAheadIsSpilledFirst) {
  // t0 is used again by the add at op 4, t2 by the relu at op 3: with room for two of the
  // three 300-byte tensors at op 2, t0 goes to DRAM.
  Network net;
  net.input = "x";
  net.input_bytes = 100;
  net.output = "t4";
  net.ops = {gemm("g0", "x", "t0", 30, 4, 10), gemm("g1", "t0", "t1", 30, 10, 10),
             gemm("g2", "t1", "t2", 30, 10, 10), pointwise("r", {"t2"}, "t3", 300),
             pointwise("add", {"t3", "t0"}, "t4", 300)};
  const NetworkTraffic t = plan_traffic(net, kib(800.0 / 1024, 64, 64), {16, 16, false});
  ASSERT_EQ(t.spilled_tensors.size(), 2u);
  EXPECT_EQ(t.spilled_tensors[0], "t0");
  EXPECT_EQ(t.spilled_tensors[1], "t4");  // the network output
  EXPECT_TRUE(t.gemms[0].c_to_dram);
  EXPECT_FALSE(t.gemms[1].c_to_dram);
  EXPECT_FALSE(t.gemms[2].c_to_dram);
  EXPECT_EQ(t.other_dram_bytes, 300 + 300);  // the add reads t0 back, writes t4
  const NetworkTraffic roomy = plan_traffic(net, kib(1, 64, 64), {16, 16, false});
  EXPECT_EQ(roomy.spilled_tensors, std::vector<std::string>{"t4"});
}

TEST(Residency, WsPartialSumsThatDoNotFitTheOutputBufferGoToDramAndBack) {
  // c2: K = 72 > 16 rows, 5 K tiles; a 16-column tile parks 100 x 16 pairs of 4 B = 6400 B.
  const NetworkTraffic small = plan_traffic(two_layers(), kib(64, 64, 4), {16, 16, false});
  EXPECT_EQ(small.gemms[1].partial_dram_bytes, 2.0 * 4 * 100 * 40 * 4);
  EXPECT_EQ(small.gemms[0].partial_dram_bytes, 0);  // K = 9 fits the rows
  const NetworkTraffic fits = plan_traffic(two_layers(), kib(64, 64, 8), {16, 16, false});
  EXPECT_EQ(fits.gemms[1].partial_dram_bytes, 0);
  const NetworkTraffic os = plan_traffic(two_layers(), kib(64, 64, 4), {16, 16, true});
  EXPECT_EQ(os.gemms[1].partial_dram_bytes, 0);  // OS keeps sums in the PEs
}

TEST(Residency, ShippedResNetFitsTheDefaultBuffersAndSpillsInSmallOnes) {
  const traces::Trace trace =
      traces::read_trace(std::filesystem::path(LBASIM_SOURCE_DIR) / "traces/data/resnet-fmnist");
  const Network net = network_from_trace(trace);
  const NetworkTraffic fits = plan_traffic(net, BufferConfig{}, {16, 16, false});
  EXPECT_TRUE(fits.all_weights_resident);
  EXPECT_TRUE(fits.spilled_tensors == std::vector<std::string>{trace.output_tensor});
  EXPECT_EQ(fits.dram_bytes_per_inference(), 28 * 28 + 10);  // image in, logits out
  const NetworkTraffic spills = plan_traffic(net, kib(8, 32, 1), {16, 16, false});
  EXPECT_FALSE(spills.all_weights_resident);
  EXPECT_GT(spills.spilled_tensors.size(), 1u);
  EXPECT_GT(spills.dram_bytes_per_inference(), 10 * fits.dram_bytes_per_inference());
  for (const GemmTraffic& g : spills.gemms) {
    EXPECT_EQ(g.w_from_dram, g.w_dram_bytes > 0) << g.name;
    EXPECT_EQ(g.a_from_dram, g.a_dram_bytes > 0) << g.name;
  }
}

TEST(Residency, ZeroKibBuffersAndBadGeometryAreRefused) {
  try {
    plan_traffic(two_layers(), kib(64, 0, 64), {16, 16, false}, {}, "--buffers");
    FAIL() << "0 KiB accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--buffers: weight_kib = 0"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(plan_traffic(two_layers(), kib(64, 64, 64), {0, 16, false}), InputError);
  Network bad = two_layers();
  bad.ops[2].inputs = {"nowhere"};
  EXPECT_THROW(plan_traffic(bad, kib(64, 64, 64), {16, 16, false}), InputError);
}

TEST(Residency, JsonNamesWhichOperandsComeFromDram) {
  const auto j = to_json(plan_traffic(two_layers(), kib(64, 1, 64), {16, 16, false}));
  EXPECT_EQ(j.at("layers").at(1).at("w_from_dram"), true);
  EXPECT_EQ(j.at("layers").at(1).at("dram_bytes").at("w"), 2880);
  EXPECT_EQ(j.at("dram_bytes_per_inference"), 5000 + 2880);
}

}  // namespace
}  // namespace lbasim::memory
