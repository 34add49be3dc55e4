"""ONNX graph -> lbasim trace graph (manifest versions 2 and 3; docs/onnx.md, docs/traces.md).

A trace op works on one sample. Every ONNX tensor computed from the network input carries a
Layout (layout.py): where its batch sits; the trace tensor is its per-sample part. An op is
imported when it treats the samples independently; otherwise, or for an op outside the
supported set, Unsupported names the node, its op, inputs and attributes, and why. Nodes whose
inputs are all constants (weights, shape computations) are folded at import (fold.py).
"""
import math
import re

import numpy as np
import onnx
from onnx import numpy_helper

from ..windows import window_len
from . import fold
from .layout import Layout, broadcast

UNARY = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Erf": "erf", "Sqrt": "sqrt",
         "Exp": "exp", "Neg": "neg", "Abs": "abs", "Reciprocal": "reciprocal",
         "HardSwish": "hardswish"}
BINARY = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow"}
SUPPORTED = ("Conv, BatchNormalization (folded), Gemm, MatMul (constant B, or both operands "
             "computed), " + ", ".join(sorted(UNARY)) + ", Clip, HardSigmoid, "
             + ", ".join(sorted(BINARY)) + ", Softmax, LayerNormalization, ReduceMean, "
             "ReduceSum, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten, "
             "Reshape, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Pad, Gather "
             "(constant indices), Expand, Shape, Cast (to float), Identity, Dropout, Constant; "
             "any op on constants only is folded")
V1_OPS = ("conv2d", "linear", "relu", "maxpool", "avgpool", "add", "flatten", "global_avgpool")


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


def _str(v):
    return v.decode() if isinstance(v, bytes) else v


class Converter:
    def __init__(self, model, bound, batch):
        self.model = model
        self.n = int(batch)  # the ONNX batch the shapes are computed with
        self.opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                         default=13)
        self.consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        self.consts.update(bound)
        self.lay = {}       # ONNX tensor computed from the input -> Layout
        self.alias = {}     # ONNX tensor -> trace tensor
        self.ops, self.weights = [], {}
        self.producer = {}  # trace tensor -> index in self.ops
        self.names = set()
        self.version = 2    # the manifest version the emitted ops need
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

    def is_const(self, name):
        return name in self.consts

    def tensor(self, node, name):
        """(trace name, Layout) of a non-constant input of node."""
        if name in self.consts:
            self.fail(node, f"input '{name}' is a constant; this op needs a tensor computed "
                            "from the network input")
        if name not in self.lay:
            self.fail(node, f"input '{name}' is not computed from the network input (an unbound "
                            "graph input or an unsupported producer)")
        return self.alias.get(name, name), self.lay[name]

    def const(self, node, name, what):
        if name not in self.consts:
            self.fail(node, f"{what} '{name}' is not a constant (initializer, Constant node or "
                            "--bind); only constant weights are supported")
        c = self.consts[name]
        return c.astype(np.float64) if c.dtype.kind == "f" else c

    def shape_input(self, node, name, what):
        """A shape-like input (Reshape shape, Slice starts, Pad pads...): must be known now."""
        if name in self.consts:
            return [int(v) for v in np.asarray(self.consts[name]).reshape(-1)]
        self.fail(node, f"{what} '{name}' is computed from the network's data at run time (a "
                        "dynamic shape); lbasim needs every shape known at import")

    def opt_input(self, node, i):
        return node.input[i] if len(node.input) > i and node.input[i] else None

    def axis(self, node, lay, a, what="axis"):
        """Per-sample axis of ONNX axis a (negative allowed); refuses the batch axis."""
        r = len(lay.shape)
        if not -r <= a < r:
            self.fail(node, f"{what} {a} is out of range for rank {r}")
        a = a + r if a < 0 else a
        if a == lay.b:
            self.fail(node, f"{what} {a} is the batch axis (ONNX shape {lay.shape}); an op "
                            "along it would mix samples")
        return self.ps_index(lay, a)

    def attr_axis(self, node, attrs, lay, default, key="axis"):
        """The node's axis attribute, made non-negative for the tensor's ONNX rank."""
        r = len(lay.shape)
        if key not in attrs and default is None:
            self.fail(node, f"the attribute {key} is missing")
        a = int(attrs.get(key, default))
        if not -r <= a <= r:
            self.fail(node, f"{key} {a} is out of range for rank {r}")
        return a + r if a < 0 else a

    @staticmethod
    def ps_index(lay, a):
        """Per-sample index of ONNX axis a (the batch axis too when it is not dropped)."""
        if lay.dropped and a == lay.b:
            return None
        return a - 1 if lay.dropped and a > lay.b else a

    def op_name(self, node, kind, suffix=""):
        base = _safe((node.name or f"{kind}_{len(self.ops)}") + suffix)
        name, i = base, 1
        while name in self.names:
            name, i = f"{base}_{i}", i + 1
        self.names.add(name)
        return name

    def emit(self, node, op, lay, out=None):
        """Appends op (name and inputs set) producing ONNX tensor `out` (default the node's
        first output) with layout `lay`; returns the trace tensor name."""
        op["shape"] = [int(d) for d in lay.per_sample]
        if any(d < 1 for d in op["shape"]):
            self.fail(node, f"output of shape {lay.shape} is empty; lbasim needs non-empty "
                            "tensors")
        op["output"] = op["name"]
        if op["output"] in self.producer or op["output"] == self.input_name:
            op["output"] = f"{op['name']}.out"
        op = {"op": op.pop("op"), **op}
        self.producer[op["output"]] = len(self.ops)
        self.ops.append(op)
        self.note_version(op)
        out = node.output[0] if out is None else out
        self.lay[out] = lay
        self.alias[out] = op["output"]
        return op["output"]

    def note_version(self, op):
        ins = [self.shape_of(t) for t in op["inputs"]]
        if (op["op"] not in V1_OPS or "constant" in op or op.get("ceil_mode")
                or (op["op"] == "linear" and len(ins[0]) != 1)
                or (op["op"] == "add" and ins[0] != ins[1])):
            self.version = 3

    def shape_of(self, trace_name):
        if trace_name == self.input_name:
            return self.input_shape
        return self.ops[self.producer[trace_name]]["shape"]

    def same(self, node, x, lay):
        """The node's output is its input (per sample): no op."""
        self.lay[node.output[0]] = lay
        self.alias[node.output[0]] = x

    def extra_outputs(self, node):
        for o in node.output[1:]:
            if o and self.uses.get(o, 0):
                self.fail(node, f"output '{o}' is used (only the first output is supported)")

    def add_file(self, name, kind, arr):
        f = f"weights/{name}.{kind}.npy"
        self.weights[f] = arr  # float64 until written
        return f

    def per_sample_const(self, node, c, lay_out):
        """A constant broadcast against a tensor of layout lay_out: its per-sample part (the
        batch axis removed or kept as 1), or a failure if it differs between samples."""
        c = np.asarray(c, dtype=np.float64)
        r = len(lay_out.shape)
        c = c.reshape([1] * (r - c.ndim) + list(c.shape))
        b = lay_out.b
        if c.shape[b] != 1:
            full = c.reshape(c.shape[:b] + (lay_out.outer, self.n, lay_out.inner)
                             + c.shape[b + 1:])
            first = full.take([0], axis=b + 1)
            if not (full == first).all():
                self.fail(node, f"constant of shape {list(c.shape)} differs between the samples "
                                f"of the batch (axis {b} of {lay_out.shape}); only constants "
                                "shared by every sample are supported")
            c = first.reshape(c.shape[:b] + (lay_out.outer * lay_out.inner,) + c.shape[b + 1:])
        if lay_out.dropped:
            c = c.reshape(c.shape[:b] + c.shape[b + 1:])
        while c.ndim > 0 and c.shape[0] == 1:  # right-aligned broadcasting: leading 1s
            c = c.reshape(c.shape[1:])
        return c

    def const_tensor(self, node, c, lay):
        """A trace tensor (a `constant` op) holding constant c in every sample, c being an ONNX
        constant with the batch dimension of layout `lay` (e.g. an Expand-ed class token)."""
        v = self.per_sample_const(node, c, lay)
        v = v.reshape(lay.per_sample)
        name = self.op_name(node, "constant", ".const")
        f = self.add_file(name, "value", v)
        before = len(self.ops)
        op = {"op": "constant", "name": name, "inputs": [], "value": f}
        op["shape"] = [int(d) for d in v.shape]
        op["output"] = name
        self.producer[name] = before
        self.ops.append(op)
        self.version = 3
        return name

    # --- GEMMs ---------------------------------------------------------------------------
    def batch_first(self, node, lay, rank, what):
        if lay.b != 0 or not lay.dropped or len(lay.shape) != rank:
            self.fail(node, f"input of ONNX shape {lay.shape} (batch at axis {lay.b}); {what}")

    def conv(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        fail = lambda why: self.fail(node, why)  # noqa: E731
        if len(lay.shape) != 4:
            fail(f"input of rank {len(lay.shape)}; only 2-D convolutions ([N, C, H, W]) are "
                 "supported (1-D and 3-D are not)")
        self.batch_first(node, lay, 4, "a convolution needs the batch in axis 0, [N, C, H, W]")
        s = lay.per_sample
        w = self.const(node, node.input[1], "weight")
        co, cig, kh, kw = w.shape
        if "kernel_shape" in attrs and list(attrs["kernel_shape"]) != [kh, kw]:
            fail(f"kernel_shape {attrs['kernel_shape']} disagrees with the weight {list(w.shape)}")
        group = int(attrs.get("group", 1))
        if cig * group != s[0] or co % group:
            fail(f"weight {list(w.shape)} and group {group} do not fit {s[0]} input channels")
        b = self.const(node, node.input[2], "bias") if self.opt_input(node, 2) else np.zeros(co)
        strides, dil, p, (oh, ow) = self._window(node, attrs, (kh, kw), s[1:], fail, False)
        name = self.op_name(node, "conv")
        wf, bf = self.add_weights(name, w, b.reshape(co))
        self.emit(node, {"op": "conv2d", "name": name, "inputs": [x], "in_channels": s[0],
                         "out_channels": int(co), "kernel": [int(kh), int(kw)],
                         "stride": strides, **self._pad_fields(p), "dilation": dil,
                         "groups": group, "weight": wf, "bias": bf},
                  Layout.batch_first([co, oh, ow], self.n))

    def add_weights(self, name, w, b):
        return self.add_file(name, "weight", w), self.add_file(name, "bias", b)

    def batchnorm(self, node, attrs):
        self.extra_outputs(node)
        if attrs.get("training_mode", 0) != 0:
            self.fail(node, "training_mode=1 (batch statistics) is not supported; inference only")
        if attrs.get("spatial", 1) != 1:
            self.fail(node, "spatial=0 is not supported")
        x, lay = self.tensor(node, node.input[0])
        g, beta, mean, var = (self.const(node, node.input[i], n).reshape(-1) for i, n in
                              enumerate(["scale", "bias", "mean", "var"], 1))
        eps = float(attrs.get("epsilon", 1e-5))
        k = g / np.sqrt(var + eps)
        i = self.producer.get(x)
        prev = self.ops[i] if i is not None else None
        if (prev is not None and prev["op"] == "conv2d" and self.uses.get(node.input[0], 0) == 1
                and len(lay.shape) == 4):
            # Folded into the conv before it (as the exported traces are).
            w, b = self.weights[prev["weight"]], self.weights[prev["bias"]]
            self.weights[prev["weight"]] = w * k[:, None, None, None]
            self.weights[prev["bias"]] = beta + (b - mean) * k
            self.same(node, x, lay)
            return
        if len(lay.shape) == 4 and lay.b == 0 and lay.dropped:
            # No conv to fold into: the same affine map as a depthwise 1x1 conv.
            c = lay.per_sample[0]
            name = self.op_name(node, "batchnorm")
            wf, bf = self.add_weights(name, k.reshape(c, 1, 1, 1), beta - mean * k)
            self.emit(node, {"op": "conv2d", "name": name, "inputs": [x], "in_channels": c,
                             "out_channels": c, "kernel": [1, 1], "stride": [1, 1],
                             "padding": [0, 0], "dilation": [1, 1], "groups": c,
                             "weight": wf, "bias": bf}, lay)
            return
        # Other ranks: x * k + (beta - mean k) along the channel axis 1, elementwise.
        self.axis(node, lay, 1, "channel axis")
        shape = [-1] + [1] * (len(lay.shape) - 2)
        y = self.binary_const(node, "mul", x, lay, k.reshape(shape), 1, out=node.output[0] + "#")
        self.binary_const(node, "add", y, self.lay[node.output[0] + "#"],
                          (beta - mean * k).reshape(shape), 1)

    def gemm(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        if len(lay.shape) != 2:
            self.fail(node, f"input of rank {len(lay.shape)}; Gemm needs [N, K]")
        if attrs.get("transA", 0):
            self.fail(node, "transA=1 is not supported (the batch must be in the rows of A)")
        if lay.b != 0:
            self.fail(node, f"A of ONNX shape {lay.shape} has the batch in its columns (K)")
        alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
        b = self.const(node, node.input[1], "B")
        if b.ndim != 2:
            self.fail(node, f"B has shape {list(b.shape)}; expected 2-D")
        w = alpha * (b if attrs.get("transB", 0) else b.T)
        n, k = w.shape
        if k != lay.shape[1]:
            self.fail(node, f"B {list(b.shape)} does not fit K = {lay.shape[1]}")
        bias = np.zeros(n)
        if self.opt_input(node, 2):
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
        self.linear(node, x, lay, w, bias)

    def linear(self, node, x, lay, w, bias):
        name = self.op_name(node, "linear")
        wf, bf = self.add_weights(name, w, bias)
        out = lay.with_shape(lay.shape[:-1] + [int(w.shape[0])])
        self.emit(node, {"op": "linear", "name": name, "inputs": [x],
                         "in_features": int(w.shape[1]), "out_features": int(w.shape[0]),
                         "weight": wf, "bias": bf}, out)

    def matmul(self, node, attrs):
        a_name, b_name = node.input[0], node.input[1]
        if self.is_const(a_name):
            self.fail(node, "A is a constant and B is computed; supported: x W with a constant "
                            "W, or both operands computed")
        x, la = self.tensor(node, a_name)
        if len(la.shape) < 2:
            self.fail(node, f"A of rank {len(la.shape)}; MatMul needs rank >= 2")
        if la.b == len(la.shape) - 1:
            self.fail(node, f"A of ONNX shape {la.shape} has the batch in its last axis (K): "
                            "the product would mix samples")
        if self.is_const(b_name):
            b = self.const(node, b_name, "B")
            if b.ndim != 2:
                self.fail(node, f"constant B of shape {list(b.shape)}; only a 2-D constant B "
                                "([K, M], a linear layer) is supported")
            if b.shape[0] != la.shape[-1]:
                self.fail(node, f"B {list(b.shape)} does not fit K = {la.shape[-1]}")
            self.linear(node, x, la, b.T, np.zeros(b.shape[1]))
            return
        y, lb = self.tensor(node, b_name)
        ra, rb = len(la.shape), len(lb.shape)
        if rb < 2:
            self.fail(node, f"B of rank {rb}; MatMul of two computed operands needs rank >= 2")
        if la.shape[-1] != lb.shape[-2]:
            self.fail(node, f"A {la.shape} and B {lb.shape}: K differs")
        lead = broadcast(la.shape[:-2], lb.shape[:-2])
        if lead is None:
            self.fail(node, f"A {la.shape} and B {lb.shape}: leading axes do not broadcast")
        r = len(lead) + 2
        oa, ob = la.b + r - ra, lb.b + r - rb
        if la.b >= ra - 2 or lb.b >= rb - 2 or oa != ob or (la.outer, la.inner) != \
                (lb.outer, lb.inner):
            self.fail(node, f"A {la.shape} (batch axis {la.b}) and B {lb.shape} (batch axis "
                            f"{lb.b}): the batch must be the same leading axis of both, or the "
                            "product mixes samples")
        out = Layout(lead + [la.shape[-2], lb.shape[-1]], oa, la.outer, la.inner, self.n)
        name = self.op_name(node, "matmul")
        self.emit(node, {"op": "matmul", "name": name, "inputs": [x, y]}, out)

    # --- elementwise ---------------------------------------------------------------------
    def unary(self, node, attrs, kind, **fields):
        x, lay = self.tensor(node, node.input[0])
        self.emit(node, {"op": kind, "name": self.op_name(node, kind), "inputs": [x], **fields},
                  lay)

    def clip(self, node, attrs):
        lo, hi = attrs.get("min"), attrs.get("max")
        for i, what in ((1, "min"), (2, "max")):
            if self.opt_input(node, i):
                v = float(np.asarray(self.const(node, node.input[i], what)).reshape(-1)[0])
                lo, hi = (v, hi) if i == 1 else (lo, v)
        fields = {}
        if lo is not None:
            fields["min"] = float(lo)
        if hi is not None:
            fields["max"] = float(hi)
        self.unary(node, attrs, "clip", **fields)

    def binary_const(self, node, kind, x, lay, c, position, out=None):
        out_shape = broadcast(lay.shape, list(np.shape(c)))
        if out_shape is None:
            self.fail(node, f"shapes {lay.shape} and {list(np.shape(c))} do not broadcast")
        b = lay.b + len(out_shape) - len(lay.shape)
        if out_shape[b] != lay.shape[lay.b]:
            self.fail(node, f"shape {list(np.shape(c))} broadcasts the batch axis {lay.b} of "
                            f"{lay.shape}")
        olay = lay.with_shape(out_shape, b)
        v = self.per_sample_const(node, c, olay)
        name = self.op_name(node, kind, "" if out is None else ".1")
        f = self.add_file(name, "const", v)
        return self.emit(node, {"op": kind, "name": name, "inputs": [x],
                                "constant": {"value": f, "shape": [int(d) for d in v.shape],
                                             "position": position}}, olay, out)

    def binary(self, node, attrs):
        kind = BINARY[node.op_type]
        a, b = node.input[0], node.input[1]
        if self.is_const(a) or self.is_const(b):
            pos = 0 if self.is_const(a) else 1
            x, lay = self.tensor(node, b if pos == 0 else a)
            c = self.const(node, a if pos == 0 else b, "operand")
            if kind == "pow" and pos == 0:
                self.fail(node, "a constant base with a computed exponent is not supported")
            self.binary_const(node, kind, x, lay, c, pos)
            return
        x, la = self.tensor(node, a)
        y, lb = self.tensor(node, b)
        out_shape = broadcast(la.shape, lb.shape)
        if out_shape is None:
            self.fail(node, f"shapes {la.shape} and {lb.shape} do not broadcast")
        r = len(out_shape)
        oa, ob = la.b + r - len(la.shape), lb.b + r - len(lb.shape)
        if oa != ob or (la.outer, la.inner) != (lb.outer, lb.inner) or \
                la.shape[la.b] != out_shape[oa] or lb.shape[lb.b] != out_shape[ob]:
            self.fail(node, f"inputs of ONNX shapes {la.shape} (batch axis {la.b}) and "
                            f"{lb.shape} (batch axis {lb.b}): their batches do not line up, the "
                            "op would mix samples")
        self.emit(node, {"op": kind, "name": self.op_name(node, kind), "inputs": [x, y]},
                  la.with_shape(out_shape, oa))

    def expand(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        target = self.shape_input(node, node.input[1], "shape")
        out_shape = broadcast(lay.shape, target)
        if out_shape is None:
            self.fail(node, f"shape {target} does not broadcast with {lay.shape}")
        if out_shape == lay.shape:
            self.same(node, x, lay)
            return
        self.binary_const(node, "mul", x, lay, np.ones(out_shape), 1)

    # --- along axes ----------------------------------------------------------------------
    def softmax(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        a = self.attr_axis(node, attrs, lay, -1 if self.opset >= 13 else 1)
        pa = self.axis(node, lay, a)
        if self.opset >= 13 or a == r - 1:
            self.emit(node, {"op": "softmax", "name": self.op_name(node, "softmax"),
                             "inputs": [x], "axis": pa}, lay)
            return
        # opset < 13: softmax over the axes from `axis` on, flattened.
        if lay.b > a:
            self.fail(node, f"axis {a} flattens the batch axis {lay.b} (opset {self.opset})")
        flat = lay.shape[:a] + [math.prod(lay.shape[a:])]
        fl = lay.reshaped(flat)
        t = self.emit(node, {"op": "reshape", "name": self.op_name(node, "reshape", ".flat"),
                             "inputs": [x]}, fl, node.output[0] + "#flat")
        t = self.emit(node, {"op": "softmax", "name": self.op_name(node, "softmax"),
                             "inputs": [t], "axis": len(fl.per_sample) - 1}, fl,
                      node.output[0] + "#soft")
        self.emit(node, {"op": "reshape", "name": self.op_name(node, "reshape", ".back"),
                         "inputs": [t]}, lay)

    def layernorm(self, node, attrs):
        self.extra_outputs(node)
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        a = self.attr_axis(node, attrs, lay, -1)
        pa = self.axis(node, lay, a)
        if lay.b > a:
            self.fail(node, f"normalizing axes {a}..{r - 1} include the batch axis {lay.b}")
        norm = lay.shape[a:]
        scale = np.broadcast_to(self.const(node, node.input[1], "scale"), norm)
        bias = (np.broadcast_to(self.const(node, node.input[2], "bias"), norm)
                if self.opt_input(node, 2) else np.zeros(norm))
        name = self.op_name(node, "layernorm")
        self.emit(node, {"op": "layernorm", "name": name, "inputs": [x], "axis": pa,
                         "epsilon": float(attrs.get("epsilon", 1e-5)),
                         "weight": self.add_file(name, "weight", np.array(scale)),
                         "bias": self.add_file(name, "bias", np.array(bias))}, lay)

    def reduce(self, node, attrs):
        kind = {"ReduceMean": "reduce_mean", "ReduceSum": "reduce_sum",
                "ReduceMax": "reduce_max"}[node.op_type]
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        if self.opt_input(node, 1):
            axes = self.shape_input(node, node.input[1], "axes")
        else:
            axes = list(attrs.get("axes", []))
        if not axes:
            if attrs.get("noop_with_empty_axes", 0):
                self.same(node, x, lay)
                return
            axes = list(range(r))
        axes = sorted({a + r if a < 0 else a for a in axes})
        ps_axes = [self.axis(node, lay, a, "reduced axis") for a in axes]
        keep = bool(attrs.get("keepdims", 1))
        shape = [1 if i in axes else d for i, d in enumerate(lay.shape)] if keep else \
            [d for i, d in enumerate(lay.shape) if i not in axes]
        b = lay.b if keep else lay.b - sum(a < lay.b for a in axes)
        self.emit(node, {"op": kind, "name": self.op_name(node, kind), "inputs": [x],
                         "axes": ps_axes, "keepdims": keep}, lay.with_shape(shape, b))

    # --- pools ---------------------------------------------------------------------------
    @staticmethod
    def _window(node, attrs, kernel, spatial, fail, ceil):
        strides = list(attrs.get("strides", [1, 1]))
        dil = list(attrs.get("dilations", [1, 1]))
        auto = _str(attrs.get("auto_pad", b"NOTSET"))
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
        out = []
        for a in range(2):
            eff = (kernel[a] - 1) * dil[a] + 1
            if spatial[a] + p[a] + p[a + 2] < eff:
                fail(f"the window does not fit the {spatial[0]}x{spatial[1]} input")
            out.append(window_len(spatial[a], p[a], p[a + 2], eff, strides[a], ceil))
        return strides, dil, p, tuple(out)

    @staticmethod
    def _pad_fields(p):
        if p[0] == p[2] and p[1] == p[3]:
            return {"padding": [int(p[0]), int(p[1])]}
        return {"pads": [int(v) for v in p]}

    def pool(self, node, attrs, kind):
        self.extra_outputs(node)
        x, lay = self.tensor(node, node.input[0])
        fail = lambda why: self.fail(node, why)  # noqa: E731
        if len(lay.shape) != 4:
            fail(f"input of rank {len(lay.shape)}; only 2-D pools ([N, C, H, W]) are supported")
        self.batch_first(node, lay, 4, "a pool needs the batch in axis 0, [N, C, H, W]")
        s = lay.per_sample
        if kind.startswith("global"):
            op = {"op": "maxpool" if kind == "global_max" else "avgpool",
                  "kernel": [s[1], s[2]], "stride": [1, 1], "padding": [0, 0]}
            shape = [s[0], 1, 1]
        else:
            ceil = bool(attrs.get("ceil_mode", 0))
            kernel = list(attrs["kernel_shape"])
            if len(kernel) != 2:
                fail("kernel_shape must have 2 values")
            if kind == "avg" and list(attrs.get("dilations", [1, 1])) != [1, 1]:
                fail("dilations are not supported for AveragePool")
            strides, dil, p, (oh, ow) = self._window(node, attrs, kernel, s[1:], fail, ceil)
            if p[0] >= kernel[0] or p[2] >= kernel[0] or p[1] >= kernel[1] or p[3] >= kernel[1]:
                fail("pads must be smaller than the kernel")
            op = {"op": "maxpool" if kind == "max" else "avgpool", "kernel": kernel,
                  "stride": strides, **self._pad_fields(p)}
            if kind == "max" and dil != [1, 1]:
                op["dilation"] = dil
            if kind == "avg":
                op["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
            if ceil:
                op["ceil_mode"] = True
            shape = [s[0], oh, ow]
        op = {"name": self.op_name(node, op["op"]), "inputs": [x], **op}
        self.emit(node, op, Layout.batch_first(shape, self.n))

    # --- data movement -------------------------------------------------------------------
    def reshape_to(self, node, x, lay, out_shape):
        if math.prod(out_shape) != math.prod(lay.shape):
            self.fail(node, f"reshape of {lay.shape} to {out_shape}: element counts differ")
        new = lay.reshaped(out_shape)
        if new is None:
            self.fail(node, f"reshape of ONNX shape {lay.shape} (batch axis {lay.b}) to "
                            f"{out_shape} mixes the samples of the batch; only reshapes within "
                            "a sample are supported")
        if new.per_sample == lay.per_sample:
            self.same(node, x, new)
            return
        kind = "flatten" if len(new.per_sample) == 1 else "reshape"
        self.emit(node, {"op": kind, "name": self.op_name(node, kind), "inputs": [x]}, new)

    def reshape(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        shape = self.shape_input(node, node.input[1], "shape")
        full = lay.shape
        target = [full[i] if v == 0 and not attrs.get("allowzero", 0) and i < len(full) else v
                  for i, v in enumerate(shape)]
        if target.count(-1) > 1 or any(v < -1 for v in target):
            self.fail(node, f"shape {shape} is invalid")
        if -1 in target:
            known = math.prod(v for v in target if v != -1)
            if known <= 0 or math.prod(full) % known:
                self.fail(node, f"shape {shape} does not fit {full}")
            target[target.index(-1)] = math.prod(full) // known
        self.reshape_to(node, x, lay, target)

    def flatten(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        a = self.attr_axis(node, attrs, lay, 1)
        self.reshape_to(node, x, lay, [math.prod(lay.shape[:a]), math.prod(lay.shape[a:])])

    def squeeze(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        axes = (self.shape_input(node, node.input[1], "axes") if self.opt_input(node, 1)
                else list(attrs.get("axes", [])))
        if node.op_type == "Squeeze":
            axes = [a + r if a < 0 else a for a in axes] or \
                [i for i, d in enumerate(lay.shape) if d == 1]
            if any(lay.shape[a] != 1 for a in axes):
                self.fail(node, f"axes {axes} of {lay.shape} are not all of size 1")
            out = [d for i, d in enumerate(lay.shape) if i not in axes]
        else:
            ro = r + len(axes)
            axes = sorted(a + ro if a < 0 else a for a in axes)
            out = list(lay.shape)
            for a in axes:
                out.insert(a, 1)
        self.reshape_to(node, x, lay, out)

    def transpose(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        perm = list(attrs.get("perm", range(r - 1, -1, -1)))
        out = lay.with_shape([lay.shape[p] for p in perm], perm.index(lay.b))
        ps_perm = [self.ps_index(lay, p) for p in perm]
        ps_perm = [p for p in ps_perm if p is not None]
        if ps_perm == sorted(ps_perm):
            self.same(node, x, out)
            return
        self.emit(node, {"op": "transpose", "name": self.op_name(node, "transpose"),
                         "inputs": [x], "perm": ps_perm}, out)

    def concat(self, node, attrs):
        tensors = [n for n in node.input if n and not self.is_const(n)]
        lay0 = self.tensor(node, tensors[0])[1]
        r = len(lay0.shape)
        a = self.attr_axis(node, attrs, lay0, None)
        pa = self.axis(node, lay0, a)
        names, total = [], 0
        for n in node.input:
            if not n:
                continue
            if self.is_const(n):
                c = self.const(node, n, "input")
                if c.ndim != r or [d for i, d in enumerate(c.shape) if i != a] != \
                        [d for i, d in enumerate(lay0.shape) if i != a]:
                    self.fail(node, f"constant input '{n}' of shape {list(c.shape)} does not fit "
                                    f"{lay0.shape} along axis {a}")
                names.append(self.const_tensor(node, c, lay0.with_shape(list(c.shape))))
                total += c.shape[a]
                continue
            t, lay = self.tensor(node, n)
            if len(lay.shape) != r or lay.b != lay0.b or (lay.outer, lay.inner) != \
                    (lay0.outer, lay0.inner) or lay.shape[lay.b] != lay0.shape[lay0.b]:
                self.fail(node, f"input '{n}' of ONNX shape {lay.shape} (batch axis {lay.b}) "
                                f"does not line up with {lay0.shape} (batch axis {lay0.b})")
            names.append(t)
            total += lay.shape[a]
        shape = list(lay0.shape)
        shape[a] = total
        if len(names) == 1:
            self.same(node, names[0], lay0.with_shape(shape))
            return
        self.emit(node, {"op": "concat", "name": self.op_name(node, "concat"), "inputs": names,
                         "axis": pa}, lay0.with_shape(shape))

    def slice_op(self, node, x, lay, ranges, out_name=None, suffix=""):
        """A slice keeping, along ONNX axis a, the indices ranges[a] = (start, step, count)."""
        starts, steps, shape = [], [], list(lay.shape)
        for a, (start, step, count) in enumerate(ranges):
            if count < 1:
                self.fail(node, f"axis {a} keeps no element; lbasim needs non-empty tensors")
            shape[a] = count
            if a == lay.b:
                if (start, step, count) != (0, 1, lay.shape[a]):
                    self.fail(node, f"it slices the batch axis {a} of {lay.shape}")
                if lay.dropped:
                    continue
            starts.append(int(start))
            steps.append(int(step))
        out = lay.with_shape(shape)
        if all(r == (0, 1, d) for r, d in zip(ranges, lay.shape)):
            self.lay[out_name or node.output[0]] = out
            self.alias[out_name or node.output[0]] = x
            return
        self.emit(node, {"op": "slice", "name": self.op_name(node, "slice", suffix),
                         "inputs": [x], "starts": starts, "steps": steps}, out, out_name)

    def slice(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        ins = [None] + [self.shape_input(node, n, "slice parameter") if n else None
                        for n in node.input[1:]]
        axes, starts, ends, steps = fold.slice_params(attrs, ins, lay.shape)
        ranges = [(0, 1, d) for d in lay.shape]
        for a, s, e, st in zip(axes, starts, ends, steps):
            if st == 0:
                self.fail(node, "step 0")
            idx = fold.slice_indices(s, e, st, lay.shape[a])
            ranges[a] = (idx[0] if idx else 0, st, len(idx))
        self.slice_op(node, x, lay, ranges)

    def split(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        a = self.attr_axis(node, attrs, lay, 0)
        self.axis(node, lay, a)
        sizes = (self.shape_input(node, node.input[1], "split") if self.opt_input(node, 1)
                 else list(attrs.get("split", [])))
        k = len(node.output)
        if not sizes:
            if lay.shape[a] % k:
                self.fail(node, f"axis {a} of {lay.shape} does not split into {k} equal parts")
            sizes = [lay.shape[a] // k] * k
        if sum(sizes) != lay.shape[a] or len(sizes) != k:
            self.fail(node, f"split {sizes} does not fit axis {a} of {lay.shape} in {k} outputs")
        start = 0
        for i, (o, size) in enumerate(zip(node.output, sizes)):
            ranges = [(0, 1, d) for d in lay.shape]
            ranges[a] = (start, 1, size)
            start += size
            if o:
                self.slice_op(node, x, lay, ranges, o, f".{i}")

    def pad(self, node, attrs):
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        if self.opt_input(node, 1):
            pads = self.shape_input(node, node.input[1], "pads")
            value = float(np.asarray(self.const(node, node.input[2], "constant_value"))
                          .reshape(-1)[0]) if self.opt_input(node, 2) else 0.0
            if self.opt_input(node, 3):
                self.fail(node, "the axes input is not supported")
        else:
            pads, value = list(attrs.get("pads", [])), float(attrs.get("value", 0.0))
        mode = _str(attrs.get("mode", "constant"))
        if mode not in ("constant", "reflect", "edge"):
            self.fail(node, f"mode {mode!r}; expected constant, reflect or edge")
        if len(pads) != 2 * r or min(pads) < 0:
            self.fail(node, f"pads {pads}: expected {2 * r} non-negative values")
        if pads[lay.b] or pads[lay.b + r]:
            self.fail(node, f"it pads the batch axis {lay.b}")
        ps_b, ps_e = [], []
        for a in range(r):
            if self.ps_index(lay, a) is None:
                continue
            ps_b.append(int(pads[a]))
            ps_e.append(int(pads[a + r]))
            if mode == "reflect" and (pads[a] >= lay.shape[a] or pads[a + r] >= lay.shape[a]):
                self.fail(node, f"reflect pads {pads[a]}, {pads[a + r]} on a dimension of "
                                f"{lay.shape[a]}")
        if not any(ps_b + ps_e):
            self.same(node, x, lay)
            return
        shape = [d + pads[a] + pads[a + r] for a, d in enumerate(lay.shape)]
        op = {"op": "pad", "name": self.op_name(node, "pad"), "inputs": [x], "pads": ps_b + ps_e,
              "mode": mode}
        if mode == "constant":
            op["value"] = value
        self.emit(node, op, lay.with_shape(shape))

    def gather(self, node, attrs):
        if not self.is_const(node.input[1]):
            self.fail(node, "indices computed from the network's data are not supported (only "
                            "constant indices)")
        x, lay = self.tensor(node, node.input[0])
        r = len(lay.shape)
        a = self.attr_axis(node, attrs, lay, 0)
        pa = self.axis(node, lay, a)
        ind = np.asarray(self.consts[node.input[1]]).astype(np.int64)
        d = lay.shape[a]
        if ((ind < -d) | (ind >= d)).any():
            self.fail(node, f"indices out of range for axis {a} of {lay.shape}")
        ind = np.where(ind < 0, ind + d, ind)
        shape = lay.shape[:a] + list(ind.shape) + lay.shape[a + 1:]
        b = lay.b if lay.b < a else lay.b + ind.ndim - 1
        self.emit(node, {"op": "gather", "name": self.op_name(node, "gather"), "inputs": [x],
                         "axis": pa, "indices": [int(v) for v in ind.reshape(-1)],
                         "indices_shape": [int(v) for v in ind.shape]},
                  lay.with_shape(shape, b))

    def drop(self, node, attrs):
        if node.op_type == "Dropout":
            self.extra_outputs(node)
            if self.opt_input(node, 2):
                t = self.const(node, node.input[2], "training_mode")
                if bool(np.asarray(t).reshape(-1)[0]):
                    self.fail(node, "training_mode=true (random dropout) is not supported")
        x, lay = self.tensor(node, node.input[0])
        self.same(node, x, lay)

    def cast(self, node, attrs):
        if attrs.get("to") not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
            to = onnx.TensorProto.DataType.Name(attrs.get("to", 0))
            self.fail(node, f"a cast of a computed tensor to {to}: a value computed from the "
                            "network's data used as an integer (a dynamic shape or index); "
                            "lbasim needs shapes and indices known at import")
        x, lay = self.tensor(node, node.input[0])
        self.same(node, x, lay)

    def shape(self, node, attrs):
        _, lay = self.tensor(node, node.input[0])  # known at import, hence a constant
        s = np.array(lay.shape, dtype=np.int64)
        self.consts[node.output[0]] = s[attrs.get("start", 0):attrs.get("end", len(s))]

    # --- graph ---------------------------------------------------------------------------
    def convert(self, input_name, input_shape):
        self.input_name, self.input_shape = input_name, list(input_shape)
        self.lay[input_name] = Layout.batch_first(input_shape, self.n)
        handlers = {
            "Conv": self.conv, "BatchNormalization": self.batchnorm, "Gemm": self.gemm,
            "MatMul": self.matmul, "Flatten": self.flatten, "Reshape": self.reshape,
            "Squeeze": self.squeeze, "Unsqueeze": self.squeeze, "Transpose": self.transpose,
            "Concat": self.concat, "Slice": self.slice, "Split": self.split, "Pad": self.pad,
            "Gather": self.gather, "Expand": self.expand, "Identity": self.drop,
            "Dropout": self.drop, "Cast": self.cast, "Shape": self.shape, "Clip": self.clip,
            "Softmax": self.softmax, "LayerNormalization": self.layernorm,
            "ReduceMean": self.reduce, "ReduceSum": self.reduce, "ReduceMax": self.reduce,
            "HardSigmoid": lambda n, a: self.unary(n, a, "hardsigmoid",
                                                   alpha=float(a.get("alpha", 0.2)),
                                                   beta=float(a.get("beta", 0.5))),
            "MaxPool": lambda n, a: self.pool(n, a, "max"),
            "AveragePool": lambda n, a: self.pool(n, a, "avg"),
            "GlobalMaxPool": lambda n, a: self.pool(n, a, "global_max"),
            "GlobalAveragePool": lambda n, a: self.pool(n, a, "global_avg")}
        for k, v in UNARY.items():
            handlers[k] = lambda n, a, v=v: self.unary(n, a, v)
        for k in BINARY:
            handlers[k] = self.binary
        for node in self.model.graph.node:
            attrs = _attrs(node)
            if node.domain not in ("", "ai.onnx"):
                self.fail(node, f"domain {node.domain!r} is not supported")
            ins = [n for n in node.input if n]
            if all(n in self.consts for n in ins):
                try:
                    outs = fold.fold(node, attrs, [self.consts[n] if n else None
                                                   for n in node.input], self.opset)
                except fold.CannotFold as e:
                    self.fail(node, f"op {node.op_type} on constants: {e}")
                except Exception as e:  # noqa: BLE001 - a malformed constant subgraph
                    self.fail(node, f"cannot evaluate it on its constant inputs ({e})")
                for o, v in zip(node.output, outs):
                    if o:
                        self.consts[o] = np.asarray(v)
                continue
            h = handlers.get(node.op_type)
            if h is None:
                self.fail(node, f"op {node.op_type} is not supported; supported: {SUPPORTED}")
            h(node, attrs)
        if len(self.graph_outputs) != 1:
            raise Unsupported(f"graph outputs {self.graph_outputs}: a trace has one output; "
                              "export the model with one")
        out = self.graph_outputs[0]
        if out not in self.lay:
            raise Unsupported(f"graph output '{out}' is not computed from the network input")
        return self.alias.get(out, out), self.lay[out]
