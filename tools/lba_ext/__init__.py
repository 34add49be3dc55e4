"""LBA-aware fine-tuning: PyTorch modules whose forward is lbasim's arithmetic (docs/finetune.md).

load() JIT-compiles lba_ext.cpp with torch.utils.cpp_extension against the static numerics
library built by CMake (target lbasim_numerics, position-independent, and the base library it
uses, build/base/liblbasim_base.a or LBASIM_BASE_LIB). Then:

  ext = lba_ext.load()                         # or load(build_dir=..., numerics_lib=...)
  y = lba_ext.lba_gemm(a, w, config, "ste")    # float64 [M,K] x [K,N]
"""
import glob
import json
import os

import torch

_HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(_HERE))
_ext = None

ESTIMATORS = ("ste", "immediate", "recursive")


def _find_numerics_lib():
    env = os.environ.get("LBASIM_NUMERICS_LIB")
    if env:
        return env
    for cand in ("build-ft", "build"):
        p = os.path.join(ROOT, cand, "models", "numerics", "liblbasim_numerics.a")
        if os.path.exists(p):
            return p
    raise FileNotFoundError(
        "liblbasim_numerics.a not found: build it (cmake --build build-ft --target "
        "lbasim_numerics) or set LBASIM_NUMERICS_LIB")


def load(build_dir=None, numerics_lib=None, verbose=False):
    """Builds (once, cached in build_dir) and imports the extension."""
    global _ext
    if _ext is not None:
        return _ext
    from torch.utils import cpp_extension
    lib = numerics_lib or _find_numerics_lib()
    build_dir = build_dir or os.environ.get("LBASIM_EXT_BUILD") or os.path.join(ROOT, "build-ft",
                                                                                "lba_ext")
    os.makedirs(build_dir, exist_ok=True)
    # The numerics library's own dependency, the base library, sits in the same build tree.
    base_lib = os.environ.get("LBASIM_BASE_LIB") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(lib)))), "base",
        "liblbasim_base.a")
    # The libraries' sizes and time stamps enter the flags, so rebuilt libraries relink the
    # extension (cpp_extension's cache key covers sources and flags, not linked archives).
    stamp = "-DLBASIM_NUMERICS_STAMP=" + "_".join(
        f"{st.st_size}_{st.st_mtime_ns}" for st in (os.stat(lib), os.stat(base_lib)))
    _ext = cpp_extension.load(
        name="lba_ext",
        sources=sorted(glob.glob(os.path.join(_HERE, "*.cpp"))),
        extra_include_paths=[os.path.join(ROOT, "models", "numerics", "include"),
                             os.path.join(ROOT, "base", "include")],
        extra_cflags=["-O2", "-std=c++20", "-ffp-contract=off", "-Wall", "-Wextra", stamp],
        extra_ldflags=[os.path.abspath(lib), base_lib, "-lfmt", "-lpthread"],
        build_directory=build_dir,
        verbose=verbose)
    return _ext


def config_json(config):
    """A config (dict, JSON text or path of a JSON file) as JSON text for the extension."""
    if isinstance(config, dict):
        return json.dumps(config)
    if isinstance(config, str) and config.lstrip().startswith("{"):
        return config
    with open(config) as f:
        return json.dumps(json.load(f))


def _threads():
    return max(1, torch.get_num_threads())


class _LbaGemm(torch.autograd.Function):
    """C = A W (float64) through num::gemm; backward per estimator (docs/finetune.md)."""

    @staticmethod
    def forward(ctx, a, w, cfg, estimator, stats, floors):
        c, counts, _ = _ext.gemm(a.contiguous(), w.contiguous(), cfg, _threads(), *floors)
        if stats is not None:
            stats.append(counts)
        ctx.save_for_backward(a, w)
        ctx.cfg, ctx.estimator, ctx.floors = cfg, estimator, floors
        return c

    @staticmethod
    def backward(ctx, g):
        a, w = ctx.saved_tensors
        g = g.contiguous()
        if ctx.estimator == "ste":
            return g @ w.t(), a.t() @ g, None, None, None, None
        variant = _ext.IMMEDIATE if ctx.estimator == "immediate" else _ext.RECURSIVE
        ga, gw = _ext.gemm_backward(a.contiguous(), w.contiguous(), g, ctx.cfg, variant,
                                    _threads(), *ctx.floors)
        return ga, gw, None, None, None, None


def operand_floors(fmt, scale_a, scale_w):
    """(floor_a, floor_w) of operands 2^s * Q_fmt(x / 2^s) for the fused order
    (num::operand_floor; None where the format has no subnormals)."""
    def one(s):
        f = _ext.operand_floor(fmt, int(s))
        return None if f == _ext.NO_FLOOR else f
    return one(scale_a), one(scale_w)


def lba_gemm(a, w, cfg, estimator="ste", stats=None, floors=(None, None)):
    """C = A W in lbasim's arithmetic. floors: the operands' exponent floors (operand_floors),
    which only the fused order uses."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator {estimator!r}: expected one of {ESTIMATORS}")
    if cfg is None:  # exact float64 GEMM (a baseline, not lbasim's summation order)
        return a @ w
    return _LbaGemm.apply(a, w, cfg, estimator, stats, tuple(floors))


class _QuantizeSTE(torch.autograd.Function):
    """2^s * Q_f(x / 2^s) by num::quantize_scaled; gradient passed straight through."""

    @staticmethod
    def forward(ctx, x, scale_exp, fmt):
        y, _ = _ext.quantize_scaled(x.contiguous(), int(scale_exp), fmt)
        return y

    @staticmethod
    def backward(ctx, g):
        return g, None, None


def quantize(x, scale_exp, fmt):
    return _QuantizeSTE.apply(x, scale_exp, fmt)


class LbaOp:
    """What a conv/linear needs beyond its weights: the accumulation config (JSON text), the
    estimator, the W/A format and the input's scale (the weight's is chosen from the current
    weights by num::choose_pow2_scale, as the exporter does)."""

    def __init__(self, cfg, estimator="ste", wa_format="M4E3", input_scale=None, wa=True):
        self.cfg, self.estimator, self.wa_format = cfg, estimator, wa_format
        self.input_scale, self.wa = input_scale, wa

    def operands(self, x, weight):
        """(x, w, floors) as the GEMM takes them: float64, W/A-quantized unless wa is off (the
        weight's scale from the current weights), and the fused order's exponent floors."""
        x, w = x.double(), weight.double()
        if not self.wa:
            return x, w, (None, None)
        ws = _ext.choose_scale(weight.detach().double(), self.wa_format)
        return (quantize(x, self.input_scale, self.wa_format), quantize(w, ws, self.wa_format),
                operand_floors(self.wa_format, self.input_scale, ws))


class LbaLinear(torch.nn.Module):
    """y = Q(x) Q(W)^T + b with the GEMM in lbasim's arithmetic (float64 throughout)."""

    def __init__(self, weight, bias, op):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.as_tensor(weight, dtype=torch.float32).clone())
        self.bias = torch.nn.Parameter(torch.as_tensor(bias, dtype=torch.float32).clone())
        self.op = op
        self.stats = None

    def weight_scale(self):
        return _ext.choose_scale(self.weight.detach().double(), self.op.wa_format)

    def forward(self, x):
        lead = x.shape[:-1]  # rows: every leading index, in C order (as lbasim lowers it)
        x, w, floors = self.op.operands(x.reshape(-1, x.shape[-1]), self.weight)
        y = lba_gemm(x, w.t().contiguous(), self.op.cfg, self.op.estimator, self.stats, floors)
        return (y + self.bias.double()).reshape(*lead, -1)


class LbaConv2d(torch.nn.Module):
    """Conv2d lowered as lbasim lowers it (docs/traces.md): rows (image, oh, ow), K in the order
    (c_in, kh, kw) = F.unfold's, W as [K, C_out]; bias added in double after the GEMM."""

    def __init__(self, weight, bias, stride, padding, dilation, op):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.as_tensor(weight, dtype=torch.float32).clone())
        self.bias = torch.nn.Parameter(torch.as_tensor(bias, dtype=torch.float32).clone())
        self.stride, self.padding, self.dilation = tuple(stride), tuple(padding), tuple(dilation)
        self.op = op
        self.stats = None

    def weight_scale(self):
        return _ext.choose_scale(self.weight.detach().double(), self.op.wa_format)

    def forward(self, x):
        n_img, _, h, wd = x.shape
        co, _, kh, kw = self.weight.shape
        x, w, floors = self.op.operands(x, self.weight)
        oh = (h + 2 * self.padding[0] - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1
        ow = (wd + 2 * self.padding[1] - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1
        cols = torch.nn.functional.unfold(x, (kh, kw), self.dilation, self.padding, self.stride)
        a = cols.transpose(1, 2).reshape(n_img * oh * ow, -1).contiguous()
        wm = w.reshape(co, -1).t().contiguous()
        y = lba_gemm(a, wm, self.op.cfg, self.op.estimator, self.stats, floors)
        y = y.reshape(n_img, oh * ow, co).transpose(1, 2).reshape(n_img, co, oh, ow)
        return y + self.bias.double()[None, :, None, None]


def global_avgpool(x):
    """[B, C, H, W] -> [B, C]: the channel sum in ascending pixel order, then / (H W), as
    lbasim's executor computes it (torch.mean's blocked order can differ in the last bit)."""
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    s = torch.zeros_like(flat[:, :, 0])
    for p in range(flat.shape[2]):
        s = s + flat[:, :, p]
    return s / float(flat.shape[2])
