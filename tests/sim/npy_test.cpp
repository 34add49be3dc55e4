// The .npy reader and writer: round trips, and files laid out as numpy writes them.
#include "lbasim/base/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "lbasim/base/error.h"
#include "npy_fixtures.h"

namespace lbasim::test {
namespace {

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  const auto dir = fresh_dir();
  const std::vector<double> d{1.5, -0.0, 1e-310, 3.0, 5.0, 7.25};
  npy::write_f64(dir / "d.npy", {2, 3}, d.data());
  npy::Array a = npy::read(dir / "d.npy");
  EXPECT_EQ(a.dtype, npy::DType::f64);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  for (std::size_t i = 0; i < d.size(); ++i)
    EXPECT_EQ(std::memcmp(&a.values[i], &d[i], 8), 0) << i;  // bit for bit, -0 included

  const std::vector<float> f{0.1f, 2.0f, -3.5f};
  npy::write_f32(dir / "f.npy", {3}, f.data());
  a = npy::read(dir / "f.npy");
  EXPECT_EQ(a.dtype, npy::DType::f32);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3}));
  for (std::size_t i = 0; i < f.size(); ++i) EXPECT_EQ(a.values[i], static_cast<double>(f[i]));

  const std::vector<std::int64_t> l{3, -1, 9, 0};
  npy::write_i64(dir / "l.npy", {1, 2, 2}, l.data());
  a = npy::read(dir / "l.npy");
  EXPECT_EQ(a.dtype, npy::DType::i64);
  EXPECT_EQ(a.ints, l);
}

TEST(Npy, WrittenHeaderIsAlignedAsNumpyRequires) {
  const auto dir = fresh_dir();
  const double x = 1;
  npy::write_f64(dir / "x.npy", {1}, &x);
  std::ifstream in(dir / "x.npy", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GE(bytes.size(), 10u);
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_THAT(bytes.substr(10, header_len), ::testing::HasSubstr("'shape': (1,)"));
}

TEST(Npy, ReadsScalarAndEmptyArrays) {
  const auto dir = fresh_dir();
  write_npy_f64(dir / "e.npy", {0, 4}, {});
  EXPECT_EQ(npy::read(dir / "e.npy").size(), 0);
  const double v = 2.5;
  std::string payload(8, '\0');
  std::memcpy(payload.data(), &v, 8);
  write_bytes(dir / "s.npy",
              npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", payload));
  const npy::Array s = npy::read(dir / "s.npy");
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.values.at(0), 2.5);
}

TEST(Npy, RefusesTrailingBytesAndBadMagic) {
  const auto dir = fresh_dir();
  write_bytes(dir / "t.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                                       std::string(16, '\0')));
  EXPECT_THROW(npy::read(dir / "t.npy"), InputError);
  write_bytes(dir / "m.npy", "PK\x03\x04 not npy");
  try {
    npy::read(dir / "m.npy");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("m.npy"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("magic"));
  }
}

}  // namespace
}  // namespace lbasim::test
