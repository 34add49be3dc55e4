// lbasim sweep as array tasks: --task runs exactly its points with records byte-identical to the
// local runner's; a point whose record cannot be written leaves none and the others are kept;
// --collect merges complete sweeps, names missing and failed points, refuses mixed records; --slurm
// writes the job script and calls sbatch (a fake one on PATH here; tests/slurm runs a real Slurm).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using RunResult = lbasim::test::CommandResult;

const std::string kTrace = std::string(LBASIM_TRACES) + "/mlp-fmnist";
// expand() order of the spec below.
const std::vector<std::string> kIds{"m7e4-c0-4x4-ws", "m7e4-c16-4x4-ws", "m3e4-c0-4x4-ws",
                                    "m3e4-c16-4x4-ws"};

RunResult run(const std::string& args, const std::string& env = "") {
  return lbasim::test::run_command(env + " " + std::string(LBASIM_BIN) + " " + args);
}

fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "lbasim_sweep_tasks_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path write_spec(const fs::path& dir) {
  write(dir / "spec.json", R"({"trace": ")" + kTrace + R"(", "limit": 8,
    "accumulators": ["m7e4", "m3e4"], "chunks": [0, 16], "arrays": ["4x4"], "dataflows": ["ws"]})");
  return dir / "spec.json";
}

// The local runner's records, computed once per process (ctest runs each test in its own
// process, maybe two at once, hence the pid) and removed at exit.
const fs::path& local_records() {
  struct Dir {
    fs::path path = fresh("local-" + std::to_string(::getpid()));
    ~Dir() { fs::remove_all(path); }
  };
  static const Dir dir;
  static const fs::path points = [] {
    const RunResult r = run("sweep --jobs 1 --spec " + write_spec(dir.path).string() + " --out " +
                            (dir.path / "out").string());
    EXPECT_EQ(r.status, 0) << r.output;
    return dir.path / "out" / "points";
  }();
  return points;
}

std::string spec_args(const fs::path& dir) {
  return "--spec " + write_spec(dir).string() + " --out " + (dir / "out").string();
}

TEST(SweepTasks, TaskRunsOnlyItsPointsWithTheLocalRunnersRecords) {
  const fs::path dir = fresh("task");
  RunResult r = run("sweep " + spec_args(dir) + " --task 1 --batch 3");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1 points: 1 computed, 0 reused"));
  EXPECT_TRUE(fs::exists(dir / "out/points" / (kIds[3] + ".json")));
  EXPECT_FALSE(fs::exists(dir / "out/points" / (kIds[0] + ".json")));

  r = run("sweep " + spec_args(dir) + " --task 0 --batch 3");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("3 points: 3 computed, 0 reused"));
  for (const auto& id : kIds)
    EXPECT_EQ(slurp(dir / "out/points" / (id + ".json")), slurp(local_records() / (id + ".json")))
        << id << ": the task's record differs from the local runner's";

  r = run("sweep " + spec_args(dir) + " --task 2 --batch 3");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--task: 2 is out of range"));
  EXPECT_THAT(r.output, HasSubstr("tasks 0..1"));
}

TEST(SweepTasks, AFailingPointWritesNoRecordAndTheOthersAreKept) {
  const fs::path dir = fresh("fail");
  // A real fault: a non-empty directory where the point's record goes, so its rename fails.
  const fs::path blocked = dir / "out/points" / (kIds[1] + ".json");
  fs::create_directories(blocked);
  write(blocked / "keep", "");
  RunResult r = run("sweep --jobs 1 " + spec_args(dir));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr(blocked.string() + ": cannot write"));
  EXPECT_FALSE(fs::is_regular_file(blocked));
  fs::remove_all(blocked);
  for (const auto& id : {kIds[0], kIds[2], kIds[3]})
    EXPECT_TRUE(fs::exists(dir / "out/points" / (id + ".json"))) << id;

  r = run("sweep --collect " + (dir / "out").string() + " --spec " + (dir / "spec.json").string());
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1 of 4 points have no record"));
  EXPECT_THAT(r.output, HasSubstr(kIds[1] + " (point 1): no record"));
  EXPECT_FALSE(fs::exists(dir / "out/collected.json"));

  r = run("sweep --jobs 1 " + spec_args(dir));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("4 points: 1 computed, 3 reused"));
  EXPECT_EQ(slurp(dir / "out/points" / (kIds[1] + ".json")),
            slurp(local_records() / (kIds[1] + ".json")));
}

// A copy of the local records in DIR/out/points.
fs::path copy_of_local(const std::string& name) {
  const fs::path dir = fresh(name);
  write_spec(dir);
  fs::create_directories(dir / "out");
  fs::copy(local_records(), dir / "out/points");
  return dir;
}

TEST(SweepTasks, CollectMergesACompleteSweep) {
  const fs::path dir = copy_of_local("collect");
  const RunResult r =
      run("sweep --collect " + (dir / "out").string() + " --spec " + (dir / "spec.json").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("4 of 4 points"));
  std::ifstream in(dir / "out/collected.json");
  const auto merged = nlohmann::json::parse(in);
  ASSERT_EQ(merged["points"].size(), 4u);
  for (std::size_t i = 0; i < kIds.size(); ++i) EXPECT_EQ(merged["points"][i]["id"], kIds[i]);
  const RunResult rep = run("report --in " + (dir / "out/collected.json").string() + " --out " +
                            (dir / "r.html").string());
  EXPECT_EQ(rep.status, 0) << rep.output;
  EXPECT_THAT(rep.output, HasSubstr("report: 4 points"));
}

TEST(SweepTasks, CollectRefusesMixedRecordsNamingFileAndField) {
  struct Case {
    std::string field;    // as collect names it
    std::string pointer;  // where it is in the record
    nlohmann::json value;
  };
  const std::vector<Case> cases{{"lbasim_version", "/lbasim_version", "0.0.1"},
                                {"limit", "/limit", 9},
                                {"trace.hash", "/trace/hash", "0123456789abcdef"},
                                {"point.chunk", "/point/chunk", 32}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    const fs::path dir = copy_of_local("mixed");
    const fs::path rec = dir / "out/points" / (kIds[2] + ".json");
    nlohmann::json j = nlohmann::json::parse(slurp(rec));
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    write(rec, j.dump(1));
    const RunResult r = run("sweep --collect " + (dir / "out").string() + " --spec " +
                            (dir / "spec.json").string());
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr(rec.string() + ": field '" + c.field + "': " + c.value.dump()));
    EXPECT_FALSE(fs::exists(dir / "out/collected.json"));
  }

  const fs::path dir = copy_of_local("stray");
  fs::copy_file(local_records() / (kIds[0] + ".json"), dir / "out/points/fp32-c0-4x4-ws.json");
  const RunResult r =
      run("sweep --collect " + (dir / "out").string() + " --spec " + (dir / "spec.json").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("fp32-c0-4x4-ws.json: field 'id': \"fp32-c0-4x4-ws\" is not a "
                                  "point of"));
}

// Fake sbatch and squeue on PATH: sbatch logs its arguments and prints a job id (or fails if
// DIR/sbatch-fails exists); squeue prints the lines of DIR/queued.
fs::path fake_slurm(const fs::path& dir) {
  const fs::path bin = dir / "bin";
  fs::create_directories(bin);
  write(bin / "sbatch", "#!/bin/sh\n[ -e " + (dir / "sbatch-fails").string() +
                            " ] && { echo 'sbatch: error: invalid partition specified: p9'; "
                            "exit 1; }\necho \"$@\" >> " +
                            (dir / "sbatch-args").string() + "\necho '4242;cluster'\n");
  write(bin / "squeue", "#!/bin/sh\ncat " + (dir / "queued").string() + " 2>/dev/null\n");
  for (const char* f : {"sbatch", "squeue"})
    fs::permissions(bin / f, fs::perms::owner_all, fs::perm_options::add);
  return bin;
}

TEST(SweepTasks, SlurmSubmitWritesTheJobScriptAndCollectResubmitsFailedTasks) {
  const fs::path dir = fresh("slurm");
  const std::string env = "PATH=" + fake_slurm(dir).string() + ":$PATH";
  // Points 0..2 done already: with 3 points per task only task 1 (point 3) is submitted.
  fs::create_directories(dir / "out/points");
  for (int i = 0; i < 3; ++i)
    fs::copy_file(local_records() / (kIds[i] + ".json"), dir / "out/points" / (kIds[i] + ".json"));
  RunResult r = run("sweep " + spec_args(dir) +
                        " --slurm --batch 3 --partition p1 --time 0:10:00 --cpus 2 --array-max 2 "
                        "--setup 'module load systemc'",
                    env);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.substr(0, 5), "4242\n");
  const fs::path script = fs::absolute(dir / "out/slurm/sweep.sbatch");
  EXPECT_EQ(slurp(dir / "sbatch-args"), "--parsable --array=1%2 " + script.string() + "\n");
  const std::string text = slurp(script);
  for (const std::string& line : std::vector<std::string>{
           "#SBATCH --partition=p1\n", "#SBATCH --time=0:10:00\n", "#SBATCH --cpus-per-task=2\n",
           "module load systemc\n", "--task \"$SLURM_ARRAY_TASK_ID\" --batch 3 --jobs 2\n",
           "#SBATCH --output=" + fs::absolute(dir / "out").string() + "/slurm/logs/%A_%a.out\n"})
    EXPECT_THAT(text, HasSubstr(line));

  // The task failed: its log ends with the script's exit line.
  write(dir / "out/slurm/logs/4242_1.out", "lbasim: error: boom\nlbasim-sweep-task 1: exit 1\n");
  r = run("sweep --collect " + (dir / "out").string(), env);
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr(kIds[3] + " (point 3): failed (job 4242 task 1, exit 1): "
                                            "lbasim: error: boom"));
  EXPECT_THAT(r.output, HasSubstr("--resubmit"));

  // Still queued: named so, and not resubmitted.
  write(dir / "queued", "1\n");
  r = run("sweep --collect " + (dir / "out").string() + " --resubmit", env);
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("pending or running (job 4242 task 1)"));
  EXPECT_THAT(r.output, HasSubstr("nothing to resubmit"));

  fs::remove(dir / "queued");
  r = run("sweep --collect " + (dir / "out").string() + " --resubmit", env);
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("resubmitted: job 4242 (array 1)"));
  EXPECT_THAT(slurp(dir / "sbatch-args"), HasSubstr("\n--parsable --array=1%2 " + script.string()));

  // A task killed by the scheduler has a log but no exit line.
  write(dir / "out/slurm/logs/4242_1.out", "sweep: array 4x4 ws chunk 16\n");
  r = run("sweep --collect " + (dir / "out").string(), env);
  EXPECT_THAT(r.output, HasSubstr("killed (job 4242 task 1 has no exit status"));

  // Every record present: nothing is submitted.
  fs::copy_file(local_records() / (kIds[3] + ".json"), dir / "out/points" / (kIds[3] + ".json"));
  fs::remove(dir / "sbatch-args");
  r = run("sweep " + spec_args(dir) + " --slurm --batch 3", env);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("nothing submitted"));
  EXPECT_FALSE(fs::exists(dir / "sbatch-args"));
}

TEST(SweepTasks, SbatchErrorsAreReported) {
  const fs::path dir = fresh("sbatch_error");
  const std::string env = "PATH=" + fake_slurm(dir).string() + ":$PATH";
  write(dir / "sbatch-fails", "");
  const RunResult r = run("sweep " + spec_args(dir) + " --slurm --partition p9", env);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("invalid partition specified: p9"));
  EXPECT_FALSE(fs::exists(dir / "out/slurm/submit.json"));
}

}  // namespace
