#!/usr/bin/python3
"""Per-k PyTorch emulation of quantized accumulation, the way custom-precision PyTorch
libraries do it: for each k, one vectorized step over all M x N outputs,
acc = Q_acc(acc + Q_prod(a[:, k] w[k, :])). Prints MAC/s for `lbasim bench --torch`
(python3 -m lba.bench_torch).

Uses Debian's python3-torch; run with /usr/bin/python3.
"""
import math
import time

import torch


def quantizer(man, exp, bias, rne, flush):
    """Q_f as tensor ops (values stay float64): underflow on the exact value, rounding at the
    value's binade, saturation."""
    emin = 1 - bias
    emax = (1 << exp) - 1 - bias
    maxv = math.ldexp(2.0 - 2.0 ** -man, emax)
    minv = math.ldexp(1.0, emin)

    def q(x):
        ax = x.abs()
        _, e = torch.frexp(ax)
        binade = e - 1
        if not flush:
            binade = torch.clamp(binade, min=emin)
        quantum = torch.ldexp(torch.ones_like(ax), binade - man)
        r = ax / quantum
        r = torch.round(r) if rne else torch.trunc(r)  # torch.round: half to even
        r = r * quantum
        if flush:
            r = torch.where(ax < minv, torch.zeros_like(r), r)
        r = torch.clamp(r, max=maxv)
        return torch.copysign(r, x)

    return q


def emulate(a, w, q_prod, q_acc, chunk):
    m, k = a.shape
    n = w.shape[1]
    out = torch.zeros(m, n, dtype=torch.float64)
    step = chunk if 0 < chunk < k else k
    for k0 in range(0, k, step):
        s = torch.zeros(m, n, dtype=torch.float64)
        for kk in range(k0, min(k, k0 + step)):
            s = q_acc(s + q_prod(torch.outer(a[:, kk], w[kk, :])))
        out = q_acc(out + s)
    return out


def main():
    torch.set_num_threads(2)
    torch.manual_seed(1)
    shapes = [("256x1024x256", 256, 1024, 256), ("resnet-layer 1568x576x64", 1568, 576, 64)]
    configs = [
        ("paper M7E4 chunk16", quantizer(7, 4, 12, False, True), quantizer(7, 4, 10, False, True), 16),
        ("M10E5 rne/subnormal", quantizer(10, 5, 15, True, False), quantizer(10, 5, 15, True, False), 0),
        ("fp32", lambda x: x.float().double(), lambda x: x.float().double(), 0),
    ]
    print(f"{'shape':<26} {'config':<22} {'torch per-k':>12}   (torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads)")
    for name, m, k, n in shapes:
        a = torch.randn(m, k, dtype=torch.float64).abs()
        w = torch.randn(k, n, dtype=torch.float64) * math.sqrt(2.0 / k)
        for cname, qp, qa, chunk in configs:
            t0 = time.perf_counter()
            emulate(a, w, qp, qa, chunk)
            dt = time.perf_counter() - t0
            print(f"{name:<26} {cname:<22} {m * k * n / dt / 1e9:>10.3f} G")


if __name__ == "__main__":
    main()
