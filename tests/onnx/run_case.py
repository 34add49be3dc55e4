"""ONNX backend test cases (Debian's libonnx-testdata) through lbasim (docs/onnx.md).

  run_case.py LBASIM DATA_DIR CASES_TXT GROUP CONFIG WORK_DIR

Runs every case of cases.txt in GROUP (a case is in group G if its name starts with one of
G's prefixes, see GROUPS), in one process. The group's first case of each kind (pass,
unsupported) is imported through `lbasim import onnx`; the others call the same importer
(tools/onnx/import_onnx.py) in process, which saves loading PyTorch once per case.

pass: `lbasim import onnx` with the case's input_0 as --inputs and every further input bound
as a constant (--bind), then `lbasim run --wa none --dump-output` under CONFIG (FP32); each
test_data_set's output_0 must match within |y - e| <= ATOL + RTOL * |e| (the expected values
are ONNX's, computed by its numpy reference, not by lbasim). unsupported: the import must fail
with exit status 1, an error naming the node, and no trace written.
"""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

from lba.onnx_import.layout import to_onnx  # tools/ is on PYTHONPATH (tests/onnx/CMakeLists.txt)

ATOL = 1e-5
RTOL = 1e-5


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def import_cli(lbasim, args):
    r = subprocess.run([lbasim, "import", "onnx"] + args, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def import_in_process(args):
    from lba.onnx_import import main as importer
    from lba.onnx_import.convert import Unsupported
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            importer.main(args)
        return 0, ""
    except (importer.BadInput, Unsupported) as e:
        return 1, f"lbasim import onnx: error: {e}; no trace written"


def run_case(lbasim, data_dir, case, expect, config, work, via_cli):
    case_dir = os.path.join(data_dir, case)
    model_path = os.path.join(case_dir, "model.onnx")
    model = onnx.load(model_path)
    inits = {i.name for i in model.graph.initializer}
    free = [i.name for i in model.graph.input if i.name not in inits]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if expect == "pass-first-output":
        # The case's graph also outputs statistics (LayerNormalization's Mean, InvStdDev): keep
        # only output 0, which is compared; the node computing it is unchanged.
        del model.graph.output[1:]
        model_path = os.path.join(work, "model.onnx")
        onnx.save(model, model_path)
        expect = "pass"
    sets = sorted(d for d in os.listdir(case_dir) if d.startswith("test_data_set_"))
    assert sets, f"{case_dir}: no test_data_set_*"
    worst = 0.0
    for s in sets:
        sdir = os.path.join(case_dir, s)
        n_in = len([f for f in os.listdir(sdir) if f.startswith("input_")])
        args = [model_path, "--name", case.replace("/", "-")]
        for k in range(n_in):
            a = read_pb(os.path.join(sdir, f"input_{k}.pb"))
            path = os.path.join(work, f"{s}.input_{k}.npy")
            np.save(path, a)
            args += ["--inputs", path] if k == 0 else ["--bind", f"{free[k]}={path}"]
        trace = os.path.join(work, f"{s}.trace")
        args += ["--out", trace]
        rc, msg = import_cli(lbasim, args) if via_cli else import_in_process(args)
        if expect == "unsupported":
            print("  " + msg.strip().splitlines()[-1 if via_cli else 0][:400])
            if rc != 1:
                raise Fail(f"expected the import to be refused (exit 1), got {rc}")
            if "error" not in msg or os.path.exists(trace):
                raise Fail("no clear error, or a trace was written")
            if not any(w in msg for w in ("node '", "graph input", "graph output", "--inputs")):
                raise Fail("the error names neither a node nor an input or output")
            continue
        if rc != 0:
            raise Fail(f"import exit {rc}:\n{msg}")
        out = os.path.join(work, f"{s}.output.npy")
        run = subprocess.run([lbasim, "run", "--trace", trace, "--config", config, "--wa", "none",
                              "--quiet", "--dump-output", out], capture_output=True, text=True)
        if run.returncode != 0:
            raise Fail(f"run exit {run.returncode}:\n{run.stdout}{run.stderr}")
        # the dump is [samples, per-sample shape]; the manifest says where ONNX keeps the batch
        with open(os.path.join(trace, "manifest.json")) as f:
            layout = json.load(f)["network"]["onnx_output"]
        y = to_onnx(np.load(out), layout)
        e = read_pb(os.path.join(sdir, "output_0.pb")).astype(np.float32)
        if y.shape != e.shape:
            raise Fail(f"output shape {list(y.shape)}, expected {list(e.shape)}")
        err = np.abs(y.astype(np.float64) - e)
        bound = ATOL + RTOL * np.abs(e.astype(np.float64))
        worst = max(worst, float((err / bound).max()))
        if not (err <= bound).all():
            i = int(np.argmax(err - bound))
            raise Fail(f"{s}: element {i}: lbasim {y.ravel()[i]!r}, expected "
                     f"{e.ravel()[i]!r}, |diff| {err.ravel()[i]:.3g} > {bound.ravel()[i]:.3g}")
        print(f"  {s}: {y.size} values match, max |diff| {err.max():.3g} "
              f"({worst:.3f} of the tolerance)")


class Fail(Exception):
    pass


GROUPS = {
    "conv": ["node/test_basic_conv", "node/test_conv", "pytorch-converted/test_Conv",
             "pytorch-operator/test_operator_conv"],
    "pool": ["node/test_averagepool", "node/test_maxpool", "node/test_global",
             "pytorch-converted/test_AvgPool", "pytorch-converted/test_MaxPool",
             "pytorch-operator/test_operator_maxpool"],
    "gemm": ["node/test_gemm", "node/test_matmul", "pytorch-converted/test_Linear",
             "pytorch-operator/test_operator_addmm"],
    "batchnorm": ["node/test_batchnorm", "pytorch-converted/test_BatchNorm"],
    "shape": ["node/test_flatten", "node/test_reshape", "pytorch-operator/test_operator_flatten",
              "pytorch-operator/test_operator_view", "node/test_squeeze", "node/test_unsqueeze",
              "node/test_expand", "simple/test_expand"],
    "elementwise": ["node/test_relu", "pytorch-converted/test_ReLU", "simple/test_single_relu",
                    "node/test_add", "pytorch-operator/test_operator_add", "node/test_identity",
                    "node/test_dropout", "node/test_training_dropout"],
    # version 3
    "unary": ["node/test_sigmoid", "node/test_tanh", "node/test_erf", "node/test_sqrt",
              "node/test_exp", "node/test_neg", "node/test_abs", "node/test_reciprocal",
              "node/test_clip", "node/test_hardsigmoid", "node/test_hardswish"],
    "binary": ["node/test_sub", "node/test_mul", "node/test_div", "node/test_pow"],
    "normalize": ["node/test_softmax", "pytorch-converted/test_softmax",
                  "node/test_layer_normalization", "node/test_reduce_mean",
                  "node/test_reduce_sum_", "node/test_reduce_max"],
    "layout": ["node/test_concat", "node/test_split", "node/test_transpose", "node/test_slice",
               "node/test_gather_", "node/test_constant_pad"],
}


def main(lbasim, data_dir, cases_txt, group, config, work):
    cases = []
    for line in open(cases_txt):
        if line[:1].isalpha():
            case, expect = line.split()[:2]
            if any(case.startswith(p) for p in GROUPS[group]):
                cases.append((case, expect))
    if not cases:
        sys.exit(f"FAIL: no case of {cases_txt} in group {group}")
    failed, seen = [], set()
    for case, expect in cases:
        via_cli = expect not in seen  # the first case of each kind goes through the C++ command
        seen.add(expect)
        print(f"{case} ({expect}){' via lbasim import onnx' if via_cli else ''}")
        try:
            run_case(lbasim, data_dir, case, expect, config, os.path.join(work, case), via_cli)
        except Fail as e:
            print(f"  FAIL: {e}")
            failed.append(case)
    print(f"group {group}: {len(cases) - len(failed)} of {len(cases)} cases as expected")
    if failed:
        sys.exit(f"FAIL: {', '.join(failed)}")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(*sys.argv[1:])
