// The lbasim binary on edge inputs (non-finite operands, empty matrices) and output safety:
// a failed or killed run never leaves a result file that looks complete, nor a stray temporary.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "lbasim/base/atomic_file.h"
#include "lbasim/base/error.h"
#include "lbasim/base/npy.h"

extern char** environ;

namespace lbasim::test {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct RunResult {
  int status;  // exit status, or -signal
  std::string output;
};

RunResult run(const std::string& args) {
  const std::string cmd = std::string(LBASIM_BIN) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int st = pclose(p);
  // popen runs sh -c: a child killed by signal s shows as exit status 128 + s.
  const int code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
  return {code > 128 ? -(code - 128) : code, out};
}

// Raw .npy v1.0 written here (independent of lbasim's writer): '<f8', C order.
void write_npy(const fs::path& p, const std::vector<std::int64_t>& shape,
               const std::vector<double>& values) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ", ";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Names of files in dir that contain ".tmp".
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp") != std::string::npos)
      out.push_back(e.path().filename().string());
  return out;
}

class CliEdges : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / "lbasim_robustness" /
          (std::to_string(::getpid()) + "." + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  void config(const std::string& name, const std::string& json) const {
    std::ofstream(dir / name) << json;
  }
  std::string gemm(const std::string& a, const std::string& b, const std::string& cfg) const {
    return "gemm --a " + path(a) + " --b " + path(b) + " --config " + path(cfg) + " --out " +
           path("c.npy") + " --events " + path("ev.json");
  }
  // Exit 1 with every fragment in the message; no result, no events, no temporary.
  void expect_refused(const std::string& args, const std::vector<std::string>& fragments) {
    const RunResult r = run(args);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr("lbasim: error:"));
    for (const auto& f : fragments) EXPECT_THAT(r.output, HasSubstr(f));
    EXPECT_FALSE(fs::exists(dir / "c.npy"));
    EXPECT_FALSE(fs::exists(dir / "ev.json"));
    EXPECT_THAT(temporaries(dir), ::testing::IsEmpty());
  }
  fs::path dir;
};

constexpr const char* kPaper = R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": 16})";
constexpr const char* kFp16 = R"({"product": "fp16", "accumulator": "fp16", "chunk": 2})";

TEST_F(CliEdges, NonFiniteWeightWithoutSpecialsIsRefusedNamingFileAndElement) {
  config("cfg.json", kPaper);
  write_npy(dir / "a.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, kInf});
  expect_refused(gemm("a.npy", "b.npy", "cfg.json"), {"b.npy", "[2, 1]", "inf", "finite"});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, -kInf, 1, 1, 1});
  expect_refused(gemm("a.npy", "b.npy", "cfg.json"), {"b.npy", "[1, 0]", "-inf"});
  write_npy(dir / "a.npy", {2, 3}, {kNaN, 2, 3, 4, 5, 6});
  expect_refused(gemm("a.npy", "b.npy", "cfg.json"), {"a.npy", "[0, 0]", "nan"});
}

TEST_F(CliEdges, Fp16PropagatesNanAndInf) {
  config("cfg.json", kFp16);
  // Row 0 holds a NaN, row 1 an inf, row 2 is finite; B = [[1, 0], [0, 1], [1, 1]].
  write_npy(dir / "a.npy", {3, 3}, {1, kNaN, 3, kInf, 5, 6, 4, 5, 6});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, 1});
  const RunResult r = run(gemm("a.npy", "b.npy", "cfg.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  const npy::Array c = npy::read(dir / "c.npy");
  ASSERT_EQ(c.shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_TRUE(std::isnan(c.values[0]));  // NaN * 1
  EXPECT_TRUE(std::isnan(c.values[1]));  // NaN * 0
  EXPECT_EQ(c.values[2], kInf);          // inf * 1 + 6
  EXPECT_TRUE(std::isnan(c.values[3]));  // inf * 0 = NaN
  EXPECT_EQ(c.values[4], 10.0);
  EXPECT_EQ(c.values[5], 11.0);
}

// DISABLED until fixed: with --threads 2 the InputError is thrown on a worker thread of
// parallel_rows (models/numerics/src/engine.cpp) and std::terminate aborts lbasim (SIGABRT).
TEST_F(CliEdges, NanReachingAnAccumulatorWithoutNanIsRefusedNotACrash) {
  // The product format has NaN, the accumulator does not: inf * 0 makes a NaN it cannot hold.
  config("cfg.json", R"({"product": "fp16", "accumulator": "M7E4b10", "chunk": 2})");
  write_npy(dir / "a.npy", {4, 2}, {1, 2, 3, 4, 5, 6, kInf, 1});
  write_npy(dir / "b.npy", {2, 2}, {0, 1, 1, 1});
  for (const char* threads : {"1", "2"}) {
    const RunResult r = run(gemm("a.npy", "b.npy", "cfg.json") + " --threads " + threads);
    EXPECT_EQ(r.status, 1) << "threads " << threads << ": " << r.output;
    EXPECT_THAT(r.output, AllOf(HasSubstr("NaN"), HasSubstr("M7E4b10")));
    EXPECT_FALSE(fs::exists(dir / "c.npy"));
    EXPECT_THAT(temporaries(dir), ::testing::IsEmpty());
  }
}

// Work that cannot fit in memory is refused before it starts, with the size it needs (issue:
// it used to end in std::bad_alloc after allocating what it could).
TEST_F(CliEdges, TooLargeForMemoryIsRefusedUpFrontWithTheSize) {
  config("paper.json", R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": 16})");
  // C of 200000 x 200000 doubles: 298 GiB.
  write_npy(dir / "a.npy", {200000, 1}, std::vector<double>(200000, 1.0));
  write_npy(dir / "b.npy", {1, 200000}, std::vector<double>(200000, 1.0));
  expect_refused(gemm("a.npy", "b.npy", "paper.json"),
                 {"GEMM 200000 x 1 x 200000", "needs", "GiB", "available"});
  expect_refused("array --gemm 1000000,1000000,1000000 --array 4x4 --out " + path("c.npy"),
                 {"--gemm 1000000,1000000,1000000", "needs", "TiB"});
  // A limit set from outside applies to small inputs too (and is named in the message).
  write_npy(dir / "a4.npy", {4, 4}, std::vector<double>(16, 1.0));
  ::setenv("LBASIM_MEMORY_LIMIT", "100", 1);
  const RunResult r = run(gemm("a4.npy", "a4.npy", "paper.json"));
  ::unsetenv("LBASIM_MEMORY_LIMIT");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("a4.npy: reading shape (4, 4) needs 256 B"),
                              HasSubstr("LBASIM_MEMORY_LIMIT")));
  EXPECT_FALSE(fs::exists(dir / "c.npy"));
}

TEST_F(CliEdges, EmptyMatricesGiveValidEmptyOrZeroResults) {
  config("cfg.json", kPaper);
  write_npy(dir / "a.npy", {0, 3}, {});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, 1});
  RunResult r = run(gemm("a.npy", "b.npy", "cfg.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(npy::read(dir / "c.npy").shape, (std::vector<std::int64_t>{0, 2}));
  // K = 0: every output is the empty sum, +0.
  write_npy(dir / "a.npy", {2, 0}, {});
  write_npy(dir / "b.npy", {0, 3}, {});
  r = run(gemm("a.npy", "b.npy", "cfg.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  const npy::Array c = npy::read(dir / "c.npy");
  EXPECT_EQ(c.shape, (std::vector<std::int64_t>{2, 3}));
  for (double x : c.values) EXPECT_TRUE(x == 0 && !std::signbit(x)) << x;
}

TEST_F(CliEdges, FailedRunLeavesThePreviousResultUntouched) {
  config("cfg.json", kPaper);
  write_npy(dir / "a.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, 1});
  ASSERT_EQ(run(gemm("a.npy", "b.npy", "cfg.json")).status, 0);
  const std::string before = read_bytes(dir / "c.npy");
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, kNaN});
  EXPECT_EQ(run(gemm("a.npy", "b.npy", "cfg.json")).status, 1);
  EXPECT_EQ(read_bytes(dir / "c.npy"), before);
  EXPECT_THAT(temporaries(dir), ::testing::IsEmpty());
}

TEST_F(CliEdges, UnwritableOutputsLeaveNoTemporary) {
  config("cfg.json", kPaper);
  write_npy(dir / "a.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  write_npy(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, 1});
  fs::create_directory(dir / "taken");  // rename() over a directory fails after the write
  const std::string base =
      "gemm --a " + path("a.npy") + " --b " + path("b.npy") + " --config " + path("cfg.json");
  for (const std::string out : {"taken", "missing/c.npy"}) {
    const RunResult r = run(base + " --out " + path(out));
    EXPECT_EQ(r.status, 1) << out << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(path(out)));
    EXPECT_THAT(temporaries(dir), ::testing::IsEmpty()) << out;
  }
  EXPECT_TRUE(fs::is_directory(dir / "taken"));
  EXPECT_TRUE(fs::is_empty(dir / "taken"));
}

TEST_F(CliEdges, WriteErrorMidFileLeavesNeitherTargetNorTemporary) {
  // A file size limit makes the write itself fail (EFBIG), as a full disk would.
  const fs::path target = dir / "big.bin";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write_file_atomic(target, std::string(1 << 20, 'x'));
      ::_exit(2);  // the write was expected to fail
    } catch (const InputError& e) {
      ::_exit(std::string(e.what()).find(target.string()) != std::string::npos ? 0 : 3);
    } catch (...) {
      ::_exit(4);
    }
  }
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "2: no error, 3: message lacks the path, 4: not InputError";
  EXPECT_FALSE(fs::exists(target));
  EXPECT_THAT(temporaries(dir), ::testing::IsEmpty());
}

// Starts lbasim with args (no shell), returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string bin = LBASIM_BIN;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

TEST_F(CliEdges, SigkillNeverLeavesATruncatedResult) {
  // A wide output (K = 1, 1500 x 1500 doubles = 18 MB) keeps the writer busy long enough for
  // some kills to land inside it; others land in reading or computing.
  const std::int64_t m = 1500, n = 1500;
  config("cfg.json", kPaper);
  std::vector<double> a(m), b(n);
  for (std::int64_t i = 0; i < m; ++i) a[i] = 1.0 + static_cast<double>(i % 16) / 16;
  for (std::int64_t j = 0; j < n; ++j) b[j] = 0.5 + static_cast<double>(j % 8) / 8;
  write_npy(dir / "a.npy", {m, 1}, a);
  write_npy(dir / "b.npy", {1, n}, b);
  const std::vector<std::string> args{
      "gemm",  "--a",         path("a.npy"), "--b", path("b.npy"), "--config", path("cfg.json"),
      "--out", path("c.npy"), "--threads",   "1"};
  // Time a complete run, then kill runs at spread-out fractions of it.
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = spawn(args);
  ASSERT_GT(pid, 0);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  const auto full = std::chrono::steady_clock::now() - t0;
  const std::string complete = read_bytes(dir / "c.npy");
  ASSERT_GT(complete.size(), static_cast<std::size_t>(m * n) * 8);
  int killed = 0;
  for (int trial = 0; trial < 12; ++trial) {
    fs::remove(dir / "c.npy");
    for (const auto& t : temporaries(dir)) fs::remove(dir / t);
    pid = spawn(args);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(full * (trial + 1) / 13);
    ::kill(pid, SIGKILL);
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    killed += WIFSIGNALED(st);
    // Either no result at all, or the complete one: never a prefix of it.
    if (fs::exists(dir / "c.npy")) {
      EXPECT_EQ(read_bytes(dir / "c.npy"), complete) << trial;
    }
    // A killed writer may leave its temporary, but never under the result's name.
    for (const auto& t : temporaries(dir)) EXPECT_THAT(t, HasSubstr("c.npy.tmp.")) << trial;
  }
  EXPECT_GT(killed, 0) << "no run was killed before it finished: the test proves nothing";
}

}  // namespace
}  // namespace lbasim::test
