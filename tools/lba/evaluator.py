"""The one PyTorch evaluator of trace graphs (manifest versions 1-3, docs/traces.md).

An op is a dict as manifest.json holds it; `weights` maps the files ops name (GEMM weights and
biases, layernorm parameters, constants) to arrays. Tensors are batches [n, per-sample...].

Two modes:
- default: torch's own kernels in the input's dtype (float32 for export, import calibration,
  captured activations and reference outputs);
- exact: float64 in lbasim's executor's order (traces/src/ops_*.cpp): every sum ascending,
  transcendental functions through `libm` (the C library's, as the executor calls them), GEMMs
  through the `gemm` hook. Its results are then bit-identical to `lbasim run`'s.
"""
import math

import torch
import torch.nn.functional as F

from .windows import pads

GEMM_OPS = ("conv2d", "linear", "matmul")
BINARY_OPS = ("add", "sub", "mul", "div", "pow")


class Evaluator:
    def __init__(self, weights, gemm=None, exact=False, libm=None):
        self.weights = weights
        self.gemm_hook = gemm
        self.exact = exact
        self.libm = libm
        self._cache = {}

    def const(self, name, like):
        key = (name, like.dtype)
        if key not in self._cache:
            self._cache[key] = torch.as_tensor(self.weights[name]).to(like.dtype)
        return self._cache[key]

    # --- elementwise -----------------------------------------------------------------------
    def fn(self, name, x):
        """exp, erf, tanh: libm's in exact mode."""
        if self.exact:
            return self.libm(name, x)
        return getattr(torch, name)(x)

    def unary(self, op, x):
        k = op["op"]
        if k == "relu":
            return torch.relu(x)
        if k == "sigmoid":
            return 1.0 / (1.0 + self.fn("exp", -x))
        if k in ("tanh", "erf", "exp"):
            return self.fn(k, x)
        if k == "sqrt":
            return torch.sqrt(x)
        if k == "neg":
            return -x
        if k == "abs":
            return torch.abs(x)
        if k == "reciprocal":
            return 1.0 / x
        if k == "clip":
            if "min" not in op and "max" not in op:
                return x
            return torch.clamp(x, op.get("min"), op.get("max"))
        if k == "hardsigmoid":
            return torch.clamp(op["alpha"] * x + op["beta"], 0.0, 1.0)
        if k == "hardswish":
            return x * torch.clamp((1.0 / 6.0) * x + 0.5, 0.0, 1.0)
        raise ValueError(f"unknown op {k!r}")

    @staticmethod
    def align(t, rank, batched=True):
        """t with size-1 axes inserted after the batch so that it has `rank` per-sample axes
        (numpy broadcasting of per-sample shapes; torch would align the batch axis too)."""
        have = t.dim() - (1 if batched else 0)
        if have == rank:
            return t
        shape = list(t.shape)
        at = 1 if batched else 0
        return t.reshape(shape[:at] + [1] * (rank - have) + shape[at:])

    def binary(self, op, ins):
        rank = len(op["shape"])
        a = self.align(ins[0], rank)
        if "constant" in op:
            c = self.const(op["constant"]["value"], a)
            c = self.align(c, rank, batched=False)[None]
            a, b = (c, a) if op["constant"]["position"] == 0 else (a, c)
        else:
            b = self.align(ins[1], rank)
        k = op["op"]
        if k == "add":
            return a + b
        if k == "sub":
            return a - b
        if k == "mul":
            return a * b
        if k == "div":
            return a / b
        if self.exact:
            return self.libm("pow", a, b)
        return torch.pow(a, b)

    # --- along axes ------------------------------------------------------------------------
    @staticmethod
    def sum_last(t):
        """Sum over the last axis, in ascending order from 0 (the executor's order)."""
        s = torch.zeros_like(t[..., 0])
        for i in range(t.shape[-1]):
            s = s + t[..., i]
        return s

    def softmax(self, op, x):
        d = op["axis"] + 1
        if not self.exact:
            return torch.softmax(x, d)
        t = x.movedim(d, -1)
        e = self.fn("exp", t - t.max(-1, keepdim=True).values)
        return (e / self.sum_last(e)[..., None]).movedim(-1, d)

    def layernorm(self, op, x):
        d = op["axis"] + 1
        w, b = self.const(op["weight"], x), self.const(op["bias"], x)
        if not self.exact:
            return F.layer_norm(x, list(x.shape[d:]), w, b, op["epsilon"])
        t = x.reshape(list(x.shape[:d]) + [-1])
        n = float(t.shape[-1])
        dev = t - (self.sum_last(t) / n)[..., None]
        den = torch.sqrt(self.sum_last(dev * dev) / n + op["epsilon"])
        return (dev / den[..., None] * w.reshape(-1) + b.reshape(-1)).reshape(x.shape)

    def reduce(self, op, x):
        axes = [a + 1 for a in op["axes"]]
        out_shape = [x.shape[0]] + list(op["shape"])
        kept = [d for d in range(x.dim()) if d not in axes]
        t = x.permute(kept + axes)
        t = t.reshape(list(t.shape[:len(kept)]) + [-1])
        if op["op"] == "reduce_max":  # exact in any order
            return t.max(-1).values.reshape(out_shape)
        if not self.exact:
            y = x.mean(axes) if op["op"] == "reduce_mean" else x.sum(axes)
            return y.reshape(out_shape)
        y = self.sum_last(t)
        if op["op"] == "reduce_mean":
            y = y / float(t.shape[-1])
        return y.reshape(out_shape)

    # --- pools -----------------------------------------------------------------------------
    def pool(self, op, x):
        kh, kw = op["kernel"]
        sh, sw = op["stride"]
        dh, dw = op.get("dilation", (1, 1))
        t, l, b, r = pads(op)
        _, _, h, w = x.shape
        oh, ow = op["shape"][1], op["shape"][2]
        # extra end padding so that every output window (ceil_mode) lies in the padded input
        eh = max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - (h + t + b))
        ew = max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - (w + l + r))
        if op["op"] == "maxpool":
            xp = F.pad(x, (l, r + ew, t, b + eh), value=float("-inf"))
            return F.max_pool2d(xp, (kh, kw), (sh, sw), 0, (dh, dw))
        xp = F.pad(x, (l, r + ew, t, b + eh), value=0.0)
        ones = torch.ones((1, 1, h, w), dtype=x.dtype)
        inside = F.pad(ones, (l, r + ew, t, b + eh), value=0.0)
        padded = F.pad(F.pad(ones, (l, r, t, b), value=1.0), (0, ew, 0, eh), value=0.0)
        mask = padded if op.get("count_include_pad", True) else inside
        acc = torch.zeros_like(xp[:, :, :oh, :ow])
        count = torch.zeros_like(mask[:, :, :oh, :ow])
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
                cols = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
                acc = acc + xp[:, :, rows, cols]
                count = count + mask[:, :, rows, cols]
        return acc / count

    def global_avgpool(self, x):
        if not self.exact:
            return x.mean(dim=(2, 3))
        return self.sum_last(x.reshape(x.shape[0], x.shape[1], -1)) / float(x.shape[2] * x.shape[3])

    # --- data movement ---------------------------------------------------------------------
    @staticmethod
    def slice_(op, x):
        for d, (start, step, count) in enumerate(zip(op["starts"], op["steps"], op["shape"])):
            if step == 1 and start == 0 and count == x.shape[d + 1]:
                continue
            idx = torch.arange(start, start + count * step, step)
            x = x.index_select(d + 1, idx)
        return x

    @staticmethod
    def pad(op, x):
        rank = len(op["shape"])
        for d in range(rank):
            b, e, n = op["pads"][d], op["pads"][d + rank], x.shape[d + 1]
            if b == 0 and e == 0:
                continue
            src = torch.arange(-b, n + e)
            if op["mode"] == "edge":
                idx = src.clamp(0, n - 1)
            elif op["mode"] == "reflect":
                idx = torch.where(src < 0, -src, torch.where(src >= n, 2 * (n - 1) - src, src))
            else:
                idx = src.clamp(0, n - 1)
            y = x.index_select(d + 1, idx)
            if op["mode"] == "constant":
                inside = ((src >= 0) & (src < n)).reshape([1] * (d + 1) + [-1] +
                                                          [1] * (rank - d - 1))
                y = torch.where(inside, y, torch.full_like(y, op["value"]))
            x = y
        return x

    def gather(self, op, x):
        d = op["axis"] + 1
        idx = torch.as_tensor(op["indices"], dtype=torch.long)
        return x.index_select(d, idx).reshape([x.shape[0]] + list(op["shape"]))

    # --- GEMMs -----------------------------------------------------------------------------
    def gemm(self, op, ins):
        if self.gemm_hook is not None:
            return self.gemm_hook(op, ins)
        x = ins[0]
        if op["op"] == "matmul":
            rank = len(op["shape"])
            return torch.matmul(self.align(x, rank), self.align(ins[1], rank))
        w, b = self.const(op["weight"], x), self.const(op["bias"], x)
        if op["op"] == "linear":
            return F.linear(x, w, b)
        padding = 0
        if "padding" in op:  # symmetric: torch's own (what the shipped traces were made with)
            padding = tuple(op["padding"])
        else:
            t, l, bo, r = op["pads"]
            x = F.pad(x, (l, r, t, bo))
        return F.conv2d(x, w, b, tuple(op["stride"]), padding, tuple(op["dilation"]),
                        op["groups"])

    # --- graph -----------------------------------------------------------------------------
    def op(self, op, ins, batch, like):
        k = op["op"]
        if k in GEMM_OPS:
            return self.gemm(op, ins)
        if k in BINARY_OPS:
            return self.binary(op, ins)
        if k in ("maxpool", "avgpool"):
            return self.pool(op, ins[0])
        if k == "global_avgpool":
            return self.global_avgpool(ins[0])
        if k in ("flatten", "reshape"):
            return ins[0].reshape([ins[0].shape[0]] + list(op["shape"]))
        if k == "transpose":
            return ins[0].permute([0] + [p + 1 for p in op["perm"]])
        if k == "concat":
            return torch.cat(ins, op["axis"] + 1)
        if k == "slice":
            return self.slice_(op, ins[0])
        if k == "pad":
            return self.pad(op, ins[0])
        if k == "gather":
            return self.gather(op, ins[0])
        if k == "softmax":
            return self.softmax(op, ins[0])
        if k == "layernorm":
            return self.layernorm(op, ins[0])
        if k in ("reduce_mean", "reduce_sum", "reduce_max"):
            return self.reduce(op, ins[0])
        if k == "constant":
            c = self.const(op["value"], like)
            return c[None].expand([batch] + list(c.shape))
        return self.unary(op, ins[0])

    def run(self, ops, x, input_name, capture=False, on_gemm=None, keep=None):
        """(env, cap). on_gemm(op, inputs, output) is called after each GEMM op; `keep`: the
        tensors to keep in env (default all; others are freed once no later op reads them)."""
        env = {input_name: x}
        cap = {}
        last = {}
        if keep is not None:
            for i, op in enumerate(ops):
                for t in op["inputs"]:
                    last[t] = i
        for i, op in enumerate(ops):
            ins = [env[t] for t in op["inputs"]]
            y = self.op(op, ins, x.shape[0], x)
            if op["op"] in GEMM_OPS:
                if capture:
                    cap[op["name"]] = tuple(t.detach().numpy().copy() for t in ins + [y])
                if on_gemm is not None:
                    on_gemm(op, ins, y)
            env[op["output"]] = y
            if keep is not None:
                for t in op["inputs"]:
                    if last.get(t) == i and t not in keep:
                        env.pop(t, None)
        return env, cap


@torch.no_grad()
def run(ops, weights, x, input_name="input", capture=False, on_gemm=None, keep=None):
    """(env, cap): the graph's tensors on batch x (torch kernels, x's dtype), and if capture
    {GEMM layer: (input, [B,] output)} as numpy; see Evaluator.run."""
    return Evaluator(weights).run(ops, torch.as_tensor(x), input_name, capture, on_gemm, keep)


def macs_per_image(ops, input_name="input", input_shape=()):
    """Multiply-accumulates of one sample: sum over GEMM ops of K * (output elements)."""
    shapes = {input_name: list(input_shape)}
    total = 0
    for op in ops:
        shapes[op["output"]] = op["shape"]
        if op["op"] == "conv2d":
            kh, kw = op["kernel"]
            total += op["in_channels"] // op["groups"] * kh * kw * math.prod(op["shape"])
        elif op["op"] == "linear":
            total += op["in_features"] * math.prod(op["shape"])
        elif op["op"] == "matmul":
            total += shapes[op["inputs"][0]][-1] * math.prod(op["shape"])
    return total
