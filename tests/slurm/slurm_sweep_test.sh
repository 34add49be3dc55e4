#!/usr/bin/env bash
# lbasim sweep on a real single-node Slurm (tools/slurm/local-cluster.sh): a 4-point sweep is
# submitted as a job array with one point made to fail (a directory where its record goes),
# collected (the failed point is named, nothing is merged), resubmitted alone, collected again,
# and its records compared byte for byte with the local runner's. A task killed by scancel leaves
# no record and is retried. Mixed records are refused.
#
# usage: slurm_sweep_test.sh LBASIM REPO
# Exit 77 (ctest: skipped) only if the Slurm binaries are absent; not root is a failure.
set -euo pipefail

lbasim=$1
repo=$2
cluster_sh=$repo/tools/slurm/local-cluster.sh

for bin in slurmctld slurmd munged sbatch squeue; do
  if ! command -v "$bin" >/dev/null; then
    echo "SKIP: $bin not found (tools/setup.sh installs slurm-wlm and munge)"
    exit 77
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "FAIL: this test starts slurmd and munged and must run as root (uid is $(id -u))" >&2
  exit 1
fi

work=$(mktemp -d /tmp/lbasim-slurm-test.XXXXXX)
cluster=$work/cluster
cleanup() {
  local rc=$?
  "$cluster_sh" stop "$cluster" || true
  if ((rc == 0)); then
    rm -rf "$work"
  else
    echo "slurm test failed (exit $rc); files kept in $work" >&2
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs lbasim, keeps its output in $out and its status in $status (never aborts the script).
run() {
  set +e
  out=$("$@" 2>&1)
  status=$?
  set -e
  echo "\$ ${*##*/}" >&2
  echo "$out" >&2
}

# Waits until squeue no longer lists job $1 (at most $2 seconds).
wait_job() {
  local t0=$SECONDS
  while [[ -n $(squeue -h -j "$1" -o %i 2>/dev/null) ]]; do
    ((SECONDS - t0 < $2)) || { squeue >&2; fail "job $1 still queued after $2 s"; }
    sleep 1
  done
}

# The watchdog stops the daemons even if this script is killed (ctest timeout) before its trap.
LBASIM_SLURM_WATCH_PID=$$ "$cluster_sh" start "$cluster"
export SLURM_CONF=$cluster/slurm.conf

cat >"$work/spec.json" <<EOF
{"trace": "$repo/traces/data/mlp-fmnist", "limit": 20, "accumulators": ["m7e4", "m3e4"],
 "chunks": [0, 16], "arrays": ["4x4"], "dataflows": ["ws"]}
EOF
# expand() order: m7e4-c0, m7e4-c16, m3e4-c0, m3e4-c16: the failing point is task 3.
bad=m3e4-c16-4x4-ws
ids=(m7e4-c0-4x4-ws m7e4-c16-4x4-ws m3e4-c0-4x4-ws "$bad")

# The local runner, for the byte-for-byte comparison.
run "$lbasim" sweep --spec "$work/spec.json" --out "$work/local" --jobs 1
((status == 0)) || fail "local sweep exited $status"

# Submit: one array task per point, one of them failing.
# stdout is the job id alone.
# A real fault makes it fail: a non-empty directory where its record goes.
mkdir -p "$work/slurm/points/$bad.json/keep"
job=$("$lbasim" sweep --spec "$work/spec.json" --out "$work/slurm" \
  --slurm --time 10 --cpus 1 --array-max 2) || fail "sweep --slurm exited $?"
[[ $job =~ ^[0-9]+$ ]] || fail "sweep --slurm printed '$job', not a job id"
grep -q -- '--task "$SLURM_ARRAY_TASK_ID" --batch 1' "$work/slurm/slurm/sweep.sbatch" ||
  fail "job script does not run one task per point"
wait_job "$job" 120

for i in 0 1 2 3; do
  [[ -f $work/slurm/slurm/logs/${job}_$i.out ]] || fail "no log for task $i of job $job"
done
[[ ! -f $work/slurm/points/$bad.json ]] || fail "the failed point left a record"

# Collect: incomplete (exit 3), the failed point named with its exit status and error.
run "$lbasim" sweep --collect "$work/slurm"
((status == 3)) || fail "collect of an incomplete sweep exited $status, expected 3"
grep -q "1 of 4 points have no record" <<<"$out" || fail "collect did not count 1 missing point"
grep -q "$bad (point 3): failed (job $job task 3, exit 1)" <<<"$out" ||
  fail "collect did not name $bad as failed with exit 1"
grep -q "$bad.json: cannot write" <<<"$out" || fail "collect did not show the task's error line"
for id in "${ids[@]:0:3}"; do
  ! grep -q "$id" <<<"$out" || fail "collect named $id, which has its record"
done
[[ ! -e $work/slurm/collected.json ]] || fail "an incomplete collect wrote collected.json"

# Resubmit only the failed task (the cause is gone now).
rm -r "$work/slurm/points/$bad.json"
run "$lbasim" sweep --collect "$work/slurm" --resubmit
((status == 3)) || fail "collect --resubmit exited $status, expected 3"
job2=$(sed -n 's/^resubmitted: job \([0-9]*\) (array \(.*\))$/\1 \2/p' <<<"$out")
[[ $job2 =~ ^[0-9]+\ 3$ ]] || fail "resubmission was '$job2', expected a job of array task 3 only"
job2=${job2% *}
wait_job "$job2" 120
[[ -f $work/slurm/slurm/logs/${job2}_3.out ]] || fail "no log for the resubmitted task"
[[ ! -e $work/slurm/slurm/logs/${job2}_0.out ]] || fail "the resubmission ran task 0 again"

run "$lbasim" sweep --collect "$work/slurm"
((status == 0)) || fail "collect of the complete sweep exited $status"
grep -q "4 of 4 points" <<<"$out" || fail "collect did not report 4 of 4 points"
[[ -f $work/slurm/collected.json ]] || fail "no collected.json"

# Identical records from the local and the Slurm runner.
for id in "${ids[@]}"; do
  cmp "$work/local/points/$id.json" "$work/slurm/points/$id.json" ||
    fail "record $id differs between the local and the Slurm runner"
done

run "$lbasim" report --in "$work/slurm/collected.json" --out "$work/report.html"
((status == 0)) || fail "report on collected.json exited $status"
grep -q "report: 4 points" <<<"$out" || fail "report did not read 4 points"

# A task killed by the scheduler (scancel while it runs) leaves no record, only a retry. The
# setup line holds the task while $work/hold exists; one task of 4 points (--batch 4).
touch "$work/hold"
job3=$("$lbasim" sweep --spec "$work/spec.json" --out "$work/killed" --slurm --batch 4 \
  --setup "while [ -e $work/hold ]; do sleep 0.2; done") || fail "sweep --slurm --batch 4 failed"
t0=$SECONDS
until [[ $(squeue -h -j "$job3" -o %t 2>/dev/null) == R ]]; do
  ((SECONDS - t0 < 60)) || { squeue >&2; fail "job $job3 did not start within 60 s"; }
  sleep 0.5
done
scancel "$job3"
wait_job "$job3" 60
run "$lbasim" sweep --collect "$work/killed"
((status == 3)) || fail "collect after scancel exited $status, expected 3"
grep -q "4 of 4 points have no record" <<<"$out" || fail "the killed task left records"
grep -q "${ids[0]} (point 0): killed (job $job3 task 0 has no exit status" <<<"$out" ||
  fail "collect did not name the killed task"
grep -q "CANCELLED" <<<"$out" || fail "collect did not show slurmstepd's reason for the kill"
rm "$work/hold"
run "$lbasim" sweep --collect "$work/killed" --resubmit
grep -q "^resubmitted: job [0-9]* (array 0)$" <<<"$out" || fail "the killed task was not resubmitted"
wait_job "$(sed -n 's/^resubmitted: job \([0-9]*\).*/\1/p' <<<"$out")" 120
run "$lbasim" sweep --collect "$work/killed"
((status == 0)) || fail "collect after the retry exited $status"
for id in "${ids[@]}"; do
  cmp "$work/local/points/$id.json" "$work/killed/points/$id.json" ||
    fail "record $id of the batched retry differs from the local runner's"
done

# Mixed results are refused, naming the file and the field.
cp -r "$work/slurm" "$work/mixed"
sed -i "s/\"lbasim_version\": \"[^\"]*\"/\"lbasim_version\": \"0.0.0-other\"/" \
  "$work/mixed/points/${ids[1]}.json"
run "$lbasim" sweep --collect "$work/mixed"
((status == 1)) || fail "collect of mixed versions exited $status, expected 1"
grep -q "mixed/points/${ids[1]}.json: field 'lbasim_version': \"0.0.0-other\"" <<<"$out" ||
  fail "collect did not name the file and field of the mixed record"

echo "PASS: slurm sweep: submitted job $job, failed point named, resubmitted as job $job2, collected"
