"""ctest onnx.import_errors: `lbasim import onnx` on models it must refuse (docs/onnx.md).

  test_import_errors.py LBASIM WORK_DIR

Each model is built here with onnx.helper. Every refusal must exit with status 1, name the
node and the reason, and leave no trace (nor a temporary folder) behind; the last model,
the same graph without its fault, must import (so the checks can fail).
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def model(nodes, inits=(), out_shape=("N", 4, 6)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))
    g = helper.make_graph(nodes, "g", [x], [y], [numpy_helper.from_array(v, k)
                                                 for k, v in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def const(name, v):
    return (name, np.asarray(v))


CASES = [
    # (label, model, words the error must contain)
    ("unsupported op", model([helper.make_node("Relu", ["x"], ["r"], name="act"),
                              helper.make_node("Einsum", ["r"], ["y"], name="mix",
                                               equation="nij->nij")]),
     ["node 'mix'", "op Einsum is not supported"]),
    ("dynamic shape: a Reshape target computed from the data",
     model([helper.make_node("ReduceMax", ["x"], ["m"], name="max", axes=[1, 2], keepdims=0),
            helper.make_node("Cast", ["m"], ["n"], name="to_int", to=TensorProto.INT64),
            helper.make_node("Concat", ["n", "six"], ["shape"], name="target", axis=0),
            helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
           [const("six", np.array([24], np.int64))], ("N", 24)),
     ["node 'to_int'", "dynamic shape"]),
    ("an op that mixes the samples of the batch",
     model([helper.make_node("Softmax", ["x"], ["y"], name="over_batch", axis=0)]),
     ["node 'over_batch'", "batch axis", "mix samples"]),
    ("a constant operand that differs between samples",
     model([helper.make_node("Add", ["x", "c"], ["y"], name="per_sample")],
           [const("c", np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 6))]),
     ["node 'per_sample'", "differs between the samples"]),
]
GOOD = model([helper.make_node("Softmax", ["x"], ["y"], name="over_features", axis=2)])


def main(lbasim, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    x = os.path.join(work, "x.npy")
    np.save(x, np.random.default_rng(0).standard_normal((3, 4, 6)).astype(np.float32))
    for i, (label, m, words) in enumerate(CASES + [("the same without a fault", GOOD, [])]):
        path, out = os.path.join(work, f"m{i}.onnx"), os.path.join(work, f"t{i}")
        onnx.save(m, path)
        r = subprocess.run([lbasim, "import", "onnx", path, "--inputs", x, "--out", out],
                           capture_output=True, text=True)
        msg = r.stdout + r.stderr
        print(f"{label}: exit {r.returncode}\n  {msg.strip().splitlines()[-1][:300]}")
        leftovers = [f for f in os.listdir(work) if f.startswith(".trace-")]
        if not words:
            check(r.returncode == 0 and os.path.isdir(out), f"{label}: imported")
            continue
        check(r.returncode == 1, f"{label}: exit status 1")
        check(all(w in msg for w in words), f"{label}: the message says {words}")
        check(not os.path.exists(out) and not leftovers, f"{label}: no trace written")
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("all checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
