"""ONNX graph -> lbasim trace graph (manifest version 2 ops; docs/onnx.md, docs/traces.md).

The first ONNX dimension is the batch: a trace op works on one sample, so an ONNX tensor
[N, ...] is the trace tensor [...]. Weights must be constants (initializers, Constant nodes,
or graph inputs bound to a value with --bind). Anything outside the supported subset raises
Unsupported naming the node, its op and its attributes; nothing is written then.
"""
import re

import numpy as np
import onnx
from onnx import numpy_helper

SUPPORTED = ("Conv, Gemm, MatMul, Relu, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, "
             "Add, Flatten, Reshape (flatten kind), BatchNormalization, Identity, Dropout, "
             "Constant")


class Unsupported(Exception):
    pass


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _fmt_attrs(attrs):
    def show(v):
        if isinstance(v, bytes):
            return v.decode(errors="replace")
        if isinstance(v, onnx.TensorProto):
            return f"tensor{list(v.dims)}"
        return v
    return "{" + ", ".join(f"{k}: {show(v)}" for k, v in sorted(attrs.items())) + "}"


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "op"


class Converter:
    def __init__(self, model, bound, batch):
        self.model = model
        self.batch = batch  # samples in the evaluation inputs (the ONNX batch dimension)
        self.consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        self.consts.update(bound)
        self.shapes = {}    # non-constant ONNX tensor -> per-sample shape
        self.alias = {}     # ONNX tensor -> trace tensor (Identity/Dropout are dropped)
        self.ops, self.weights = [], {}
        self.producer = {}  # trace tensor -> index in self.ops
        self.names = set()
        self.uses = {}
        for n in model.graph.node:
            for t in n.input:
                self.uses[t] = self.uses.get(t, 0) + 1
        self.graph_outputs = [o.name for o in model.graph.output]
        for t in self.graph_outputs:
            self.uses[t] = self.uses.get(t, 0) + 1

    # --- helpers -------------------------------------------------------------------------
    def fail(self, node, why):
        name = node.name or "(unnamed)"
        raise Unsupported(f"node '{name}' (op {node.op_type}, inputs {list(node.input)}, "
                          f"attributes {_fmt_attrs(_attrs(node))}): {why}")

    def tensor(self, node, name):
        """Trace name and per-sample shape of a non-constant input of node."""
        if name in self.consts:
            self.fail(node, f"input '{name}' is a constant; this op needs a tensor computed "
                            "from the network input")
        if name not in self.shapes:
            self.fail(node, f"input '{name}' is not computed from the network input (an unbound "
                            "graph input or an unsupported producer)")
        return self.alias.get(name, name), self.shapes[name]

    def const(self, node, name, what):
        if name not in self.consts:
            self.fail(node, f"{what} '{name}' is not a constant (initializer, Constant node or "
                            "--bind); non-constant weights are not supported")
        return self.consts[name].astype(np.float64) if self.consts[name].dtype.kind == "f" \
            else self.consts[name]

    def op_name(self, node, kind):
        base = _safe(node.name or f"{kind}_{len(self.ops)}")
        name, i = base, 1
        while name in self.names:
            name, i = f"{base}_{i}", i + 1
        self.names.add(name)
        return name

    def emit(self, node, op, shape):
        op["shape"] = [int(d) for d in shape]
        out = node.output[0]
        op["output"] = op["name"]
        if op["output"] in self.producer or op["output"] == self.input_name:
            op["output"] = f"{op['name']}.out"
        self.producer[op["output"]] = len(self.ops)
        self.ops.append(op)
        self.shapes[out] = list(op["shape"])
        self.alias[out] = op["output"]
        return op

    def extra_outputs(self, node):
        for o in node.output[1:]:
            if o:
                self.fail(node, f"output '{o}' (only the first output is supported)")

    @staticmethod
    def _window(node, attrs, kernel, spatial, fail):
        strides = list(attrs.get("strides", [1, 1]))
        dil = list(attrs.get("dilations", [1, 1]))
        auto = attrs.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        if len(strides) != 2 or len(dil) != 2:
            fail("strides/dilations must have 2 values")
        if auto in ("NOTSET", ""):
            p = list(attrs.get("pads", [0, 0, 0, 0]))
            if len(p) != 4:
                fail("pads must have 4 values")
        elif auto == "VALID":
            p = [0, 0, 0, 0]
        elif auto in ("SAME_UPPER", "SAME_LOWER"):
            p = [0, 0, 0, 0]
            for a in range(2):
                eff = (kernel[a] - 1) * dil[a] + 1
                out = -(-spatial[a] // strides[a])
                total = max(0, (out - 1) * strides[a] + eff - spatial[a])
                small, big = total // 2, total - total // 2
                p[a], p[a + 2] = (small, big) if auto == "SAME_UPPER" else (big, small)
        else:
            fail(f"auto_pad {auto!r} is unknown")
        if min(p) < 0:
            fail("negative pads are not supported")
        h = (spatial[0] + p[0] + p[2] - ((kernel[0] - 1) * dil[0] + 1)) // strides[0] + 1
        w = (spatial[1] + p[1] + p[3] - ((kernel[1] - 1) * dil[1] + 1)) // strides[1] + 1
        if h < 1 or w < 1:
            fail(f"the window does not fit the {spatial[0]}x{spatial[1]} input")
        return strides, dil, p, (h, w)

    @staticmethod
    def _pad_fields(p):
        if p[0] == p[2] and p[1] == p[3]:
            return {"padding": [int(p[0]), int(p[1])]}
        return {"pads": [int(v) for v in p]}

    def add_weights(self, name, w, b):
        wf, bf = f"weights/{name}.weight.npy", f"weights/{name}.bias.npy"
        self.weights[wf], self.weights[bf] = w, b  # float64 until written
        return wf, bf

    # --- ops -----------------------------------------------------------------------------
    def conv(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        fail = lambda why: self.fail(node, why)  # noqa: E731
        if len(s) != 3:
            fail(f"input of rank {len(s) + 1}; only 2-D convolutions ([N, C, H, W]) are "
                 "supported (1-D and 3-D are not)")
        w = self.const(node, node.input[1], "weight")
        co, cig, kh, kw = w.shape
        if "kernel_shape" in attrs and list(attrs["kernel_shape"]) != [kh, kw]:
            fail(f"kernel_shape {attrs['kernel_shape']} disagrees with the weight {list(w.shape)}")
        group = int(attrs.get("group", 1))
        if cig * group != s[0] or co % group:
            fail(f"weight {list(w.shape)} and group {group} do not fit {s[0]} input channels")
        b = self.const(node, node.input[2], "bias") if len(node.input) > 2 and node.input[2] \
            else np.zeros(co)
        strides, dil, p, (oh, ow) = self._window(node, attrs, (kh, kw), s[1:], fail)
        name = self.op_name(node, "conv")
        wf, bf = self.add_weights(name, w, b.reshape(co))
        self.emit(node, {"op": "conv2d", "name": name, "inputs": [x], "in_channels": s[0],
                         "out_channels": int(co), "kernel": [int(kh), int(kw)],
                         "stride": strides, **self._pad_fields(p), "dilation": dil,
                         "groups": group, "weight": wf, "bias": bf}, [co, oh, ow])

    def batchnorm(self, node, attrs):
        self.extra_outputs(node)
        if attrs.get("training_mode", 0) != 0:
            self.fail(node, "training_mode=1 (batch statistics) is not supported; inference only")
        if attrs.get("spatial", 1) != 1:
            self.fail(node, "spatial=0 is not supported")
        x, s = self.tensor(node, node.input[0])
        g, beta, mean, var = (self.const(node, node.input[i], n).reshape(-1) for i, n in
                              enumerate(["scale", "bias", "mean", "var"], 1))
        eps = float(attrs.get("epsilon", 1e-5))
        k = g / np.sqrt(var + eps)
        i = self.producer.get(x)
        prev = self.ops[i] if i is not None else None
        if prev is not None and prev["op"] == "conv2d" and self.uses.get(node.input[0], 0) == 1:
            # Folded into the conv before it (as the exported traces are).
            w, b = self.weights[prev["weight"]], self.weights[prev["bias"]]
            self.weights[prev["weight"]] = w * k[:, None, None, None]
            self.weights[prev["bias"]] = beta + (b - mean) * k
            self.shapes[node.output[0]] = s
            self.alias[node.output[0]] = x
            return
        # No conv to fold into: the same affine map as a depthwise 1x1 conv.
        if len(s) != 3:
            self.fail(node, f"input of rank {len(s) + 1} with no Conv before it to fold into; "
                            "a standalone BatchNormalization needs [N, C, H, W]")
        c = s[0]
        name = self.op_name(node, "batchnorm")
        wf, bf = self.add_weights(name, k.reshape(c, 1, 1, 1), beta - mean * k)
        self.emit(node, {"op": "conv2d", "name": name, "inputs": [x], "in_channels": c,
                         "out_channels": c, "kernel": [1, 1], "stride": [1, 1],
                         "padding": [0, 0], "dilation": [1, 1], "groups": c,
                         "weight": wf, "bias": bf}, s)

    def gemm(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        if len(s) != 1:
            self.fail(node, f"input of rank {len(s) + 1}; Gemm needs [N, K]")
        if attrs.get("transA", 0):
            self.fail(node, "transA=1 is not supported (the batch must be the first dimension "
                            "of A)")
        alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
        b = self.const(node, node.input[1], "B")
        if b.ndim != 2:
            self.fail(node, f"B has shape {list(b.shape)}; expected 2-D")
        w = alpha * (b if attrs.get("transB", 0) else b.T)
        n, k = w.shape
        if k != s[0]:
            self.fail(node, f"B {list(b.shape)} does not fit K = {s[0]}")
        bias = np.zeros(n)
        if len(node.input) > 2 and node.input[2]:
            c = self.const(node, node.input[2], "C")
            if c.ndim > 2:
                self.fail(node, f"C has shape {list(c.shape)}; expected at most 2-D")
            rows = c.shape[0] if c.ndim == 2 else 1
            try:
                c2 = np.broadcast_to(c.reshape((rows, -1) if c.ndim == 2 else (1, -1)), (rows, n))
            except ValueError:
                self.fail(node, f"C of shape {list(c.shape)} does not broadcast to [M, {n}]")
            if not (c2 == c2[:1]).all():
                self.fail(node, f"C of shape {list(c.shape)} differs between rows: a per-sample "
                                "term, not a layer bias")
            bias = beta * c2[0]
        self.linear(node, x, w, bias)

    def matmul(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        b = self.const(node, node.input[1], "B")
        if len(s) != 1 or b.ndim != 2:
            self.fail(node, f"A of rank {len(s) + 1} and B of rank {b.ndim}; only [N, K] x "
                            "[K, M] is supported (no batched MatMul)")
        if b.shape[0] != s[0]:
            self.fail(node, f"B {list(b.shape)} does not fit K = {s[0]}")
        self.linear(node, x, b.T, np.zeros(b.shape[1]))

    def linear(self, node, x, w, bias):
        name = self.op_name(node, "linear")
        wf, bf = self.add_weights(name, w, bias)
        self.emit(node, {"op": "linear", "name": name, "inputs": [x],
                         "in_features": int(w.shape[1]), "out_features": int(w.shape[0]),
                         "weight": wf, "bias": bf}, [w.shape[0]])

    def pool(self, node, attrs, kind):
        self.extra_outputs(node)
        x, s = self.tensor(node, node.input[0])
        fail = lambda why: self.fail(node, why)  # noqa: E731
        if len(s) != 3:
            fail(f"input of rank {len(s) + 1}; only 2-D pools ([N, C, H, W]) are supported")
        if kind.startswith("global"):
            op = {"op": "maxpool" if kind == "global_max" else "avgpool",
                  "kernel": [s[1], s[2]], "stride": [1, 1], "padding": [0, 0]}
            shape = [s[0], 1, 1]
        else:
            if attrs.get("ceil_mode", 0):
                fail("ceil_mode=1 is not supported")
            kernel = list(attrs["kernel_shape"])
            if len(kernel) != 2:
                fail("kernel_shape must have 2 values")
            if kind == "avg" and list(attrs.get("dilations", [1, 1])) != [1, 1]:
                fail("dilations are not supported for AveragePool")
            strides, dil, p, (oh, ow) = self._window(node, attrs, kernel, s[1:], fail)
            if p[0] >= kernel[0] or p[2] >= kernel[0] or p[1] >= kernel[1] or p[3] >= kernel[1]:
                fail("pads must be smaller than the kernel")
            op = {"op": "maxpool" if kind == "max" else "avgpool", "kernel": kernel,
                  "stride": strides, **self._pad_fields(p)}
            if kind == "max" and dil != [1, 1]:
                op["dilation"] = dil
            if kind == "avg":
                op["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
            shape = [s[0], oh, ow]
        op = {"name": self.op_name(node, op["op"]), "inputs": [x], **op}
        op = {"op": op.pop("op"), **op}
        self.emit(node, op, shape)

    def relu(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        self.emit(node, {"op": "relu", "name": self.op_name(node, "relu"), "inputs": [x]}, s)

    def flatten_like(self, node, x, s):
        self.emit(node, {"op": "flatten", "name": self.op_name(node, "flatten"), "inputs": [x]},
                  [int(np.prod(s))])

    def flatten(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        axis = int(attrs.get("axis", 1))
        if axis < 0:
            axis += len(s) + 1
        if axis != 1:
            self.fail(node, f"axis {attrs.get('axis', 1)} on a rank-{len(s) + 1} input; only "
                            "axis 1 (flatten each sample) is supported")
        self.flatten_like(node, x, s)

    def reshape(self, node, attrs):
        x, s = self.tensor(node, node.input[0])
        shape = [int(v) for v in self.const(node, node.input[1], "shape").reshape(-1)]
        full = [self.batch] + s
        target = [full[i] if v == 0 and not attrs.get("allowzero", 0) and i < len(full) else v
                  for i, v in enumerate(shape)]
        if -1 in target:
            known = int(np.prod([v for v in target if v != -1]))
            if known > 0:
                target[target.index(-1)] = int(np.prod(full)) // known
        if len(target) != 2 or target != [self.batch, int(np.prod(s))]:
            self.fail(node, f"shape {shape} on input [{', '.join(map(str, full))}] is not of the "
                            "flatten kind [N, -1]; only that Reshape is supported")
        self.flatten_like(node, x, s)

    def add(self, node, attrs):
        a, sa = self.tensor(node, node.input[0])
        b, sb = self.tensor(node, node.input[1])
        if sa != sb:
            self.fail(node, f"inputs of shapes {sa} and {sb} per sample; only equal shapes "
                            "(no broadcasting) are supported")
        self.emit(node, {"op": "add", "name": self.op_name(node, "add"), "inputs": [a, b]}, sa)

    def drop(self, node, attrs):
        if node.op_type == "Dropout":
            self.extra_outputs(node)
            if len(node.input) > 2 and node.input[2]:
                t = self.const(node, node.input[2], "training_mode")
                if bool(np.asarray(t).reshape(-1)[0]):
                    self.fail(node, "training_mode=true (random dropout) is not supported")
        if node.input[0] in self.consts:  # e.g. exporters dedupe shared weights by Identity
            self.consts[node.output[0]] = self.consts[node.input[0]]
            return
        x, s = self.tensor(node, node.input[0])
        self.shapes[node.output[0]] = s
        self.alias[node.output[0]] = x

    # --- graph ---------------------------------------------------------------------------
    def convert(self, input_name, input_shape):
        self.input_name = input_name
        self.shapes[input_name] = list(input_shape)
        handlers = {"Conv": self.conv, "BatchNormalization": self.batchnorm, "Gemm": self.gemm,
                    "MatMul": self.matmul, "Flatten": self.flatten, "Reshape": self.reshape,
                    "Add": self.add, "Identity": self.drop, "Dropout": self.drop,
                    "Relu": self.relu,
                    "MaxPool": lambda n, a: self.pool(n, a, "max"),
                    "AveragePool": lambda n, a: self.pool(n, a, "avg"),
                    "GlobalMaxPool": lambda n, a: self.pool(n, a, "global_max"),
                    "GlobalAveragePool": lambda n, a: self.pool(n, a, "global_avg")}
        for node in self.model.graph.node:
            attrs = _attrs(node)
            if node.domain not in ("", "ai.onnx"):
                self.fail(node, f"domain {node.domain!r} is not supported")
            if node.op_type == "Constant":
                if "value" not in attrs:
                    self.fail(node, "only Constant with a 'value' tensor is supported")
                self.consts[node.output[0]] = numpy_helper.to_array(attrs["value"])
                continue
            h = handlers.get(node.op_type)
            if h is None:
                self.fail(node, f"op {node.op_type} is not supported; supported: {SUPPORTED}")
            h(node, attrs)
        if len(self.graph_outputs) != 1:
            raise Unsupported(f"the graph has {len(self.graph_outputs)} outputs "
                              f"{self.graph_outputs}; expected one")
        out = self.graph_outputs[0]
        if out not in self.shapes:
            raise Unsupported(f"graph output '{out}' is not computed from the network input")
        return self.alias.get(out, out), self.shapes[out]
