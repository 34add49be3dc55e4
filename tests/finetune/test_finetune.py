#!/usr/bin/python3
"""ctest `finetune` (docs/finetune.md): the lba_ext extension's gradients and its forward.

- STE: the gradients of lba_gemm equal autograd's of the float64 GEMM on the same operands;
- immediate / recursive: equal a brute-force reference written from the definitions in
  docs/finetune.md (a step loop over the golden mul_q / add_q bindings); recursive also equals
  central finite differences on formats with 40-bit mantissas (rounding negligible, saturation
  and flushing kept);
- forward: TraceNet's logits equal lbasim's (traces::evaluate, the code of `lbasim run`) bit
  for bit on the shipped traces, and after a few fine-tuning batches on the exported trace,
  whose `lbasim run` top-1 equals the module's.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# lba and lba_ext come from tools/ on PYTHONPATH (tests/finetune/CMakeLists.txt sets it).

try:
    import numpy as np
    import torch
except ImportError:
    print("python3-torch or python3-numpy missing: skipped")
    sys.exit(77)

import lba_ext  # noqa: E402
from lba import export, finetune  # noqa: E402

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


# ---------------------------------------------------------------- brute-force reference
def _layout(a, w, cfg):
    """(accumulator, chunk accumulator, m, k, n, chunk length) of a reference GEMM."""
    acc_f = cfg["accumulator"]
    m, k = a.shape
    chunk = cfg.get("chunk", 0)
    size = k if chunk <= 0 or chunk >= k else chunk
    return acc_f, cfg.get("chunk_accumulator", acc_f), m, k, w.shape[1], size


def reference(a, w, cfg, variant):
    """(C, mask[M,N,K]) by the definitions of docs/finetune.md, one golden step at a time."""
    ext = lba_ext.load()
    cut = ext.OVERFLOW | ext.UNDERFLOW
    prod_f = cfg["product"]
    acc_f, cacc_f, m, k, n, size = _layout(a, w, cfg)
    c = np.zeros((m, n))
    mask = np.zeros((m, n, k))
    for i in range(m):
        for j in range(n):
            entry, through, chunk_of = {}, {}, {}
            c_entry, c_through = [], []
            out = 0.0
            for ci, begin in enumerate(range(0, k, size)):
                s = 0.0
                for kk in range(begin, min(k, begin + size)):
                    p, pe = ext.mul_q(float(a[i, kk]), float(w[kk, j]), prod_f)
                    s, se = ext.add_q(s, p, acc_f)
                    # entry: d acc_k / d p_k; through: d acc_k / d acc_(k-1)
                    entry[kk] = 0.0 if (pe & cut) or (se & (cut | ext.SWAMPED)) else 1.0
                    through[kk] = 0.0 if se & cut else 1.0
                    chunk_of[kk] = ci
                out, oe = ext.add_q(out, s, cacc_f)
                c_entry.append(0.0 if oe & (cut | ext.SWAMPED) else 1.0)
                c_through.append(0.0 if oe & cut else 1.0)
            c[i, j] = out
            for kk in range(k):
                ci = chunk_of[kk]
                g = entry[kk] * c_entry[ci]
                if variant == "recursive":
                    for later in range(kk + 1, k):
                        if chunk_of[later] == ci:
                            g *= through[later]
                    for later in range(ci + 1, len(c_entry)):
                        g *= c_through[later]
                mask[i, j, kk] = g
    return c, mask


def fused_reference(a, w, cfg, variant):
    """(C, mask[M,N,K]) of the fused order by docs/finetune.md ("The fused order"), one golden
    fused step at a time."""
    ext = lba_ext.load()
    cut = ext.OVERFLOW | ext.UNDERFLOW
    g, f = cfg["fused"]["terms"], cfg["fused"]["align_bits"]
    acc_f, cacc_f, m, k, n, size = _layout(a, w, cfg)
    c = np.zeros((m, n))
    mask = np.zeros((m, n, k))
    for i in range(m):
        for j in range(n):
            entry, group_of, through, chunk_of = {}, {}, [], {}
            c_entry, c_through = [], []
            out = 0.0
            for ci, begin in enumerate(range(0, k, size)):
                s = 0.0
                end = min(k, begin + size)
                for t in range(begin, end, g):
                    ks = range(t, min(end, t + g))
                    s, se, cuts = ext.fused_step(s, [float(a[i, x]) for x in ks],
                                                 [float(w[x, j]) for x in ks], g, f, acc_f)
                    lost = se & (cut | ext.SWAMPED)
                    for pos, kk in enumerate(ks):
                        entry[kk] = 0.0 if lost or cuts[1 + pos] else 1.0
                        group_of[kk] = len(through)
                        chunk_of[kk] = ci
                    through.append((0.0 if (se & cut) or cuts[0] else 1.0, ci))
                out, oe = ext.add_q(out, s, cacc_f)
                c_entry.append(0.0 if oe & (cut | ext.SWAMPED) else 1.0)
                c_through.append(0.0 if oe & cut else 1.0)
            c[i, j] = out
            for kk in range(k):
                ci = chunk_of[kk]
                gr = entry[kk] * c_entry[ci]
                if variant == "recursive":
                    for t_factor, t_chunk in through[group_of[kk] + 1:]:
                        if t_chunk == ci:
                            gr *= t_factor
                    for later in range(ci + 1, len(c_entry)):
                        gr *= c_through[later]
                mask[i, j, kk] = gr
    return c, mask


def grads_of(a, w, cfg, estimator, g):
    at = torch.tensor(a, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    y = lba_ext.lba_gemm(at, wt, lba_ext.config_json(cfg), estimator)
    (y * torch.tensor(g)).sum().backward()
    return y.detach().numpy(), at.grad.numpy(), wt.grad.numpy()


def test_gradients():
    ext = lba_ext.load()
    rng = np.random.default_rng(1)
    # Tiny formats so that products flush, sums saturate and get swamped, chunk sums too.
    cfg = {"product": "M4E3b3", "accumulator": "M3E3b2", "chunk": 3,
           "chunk_accumulator": "M2E3b2"}
    seen = {"product_underflow": 0, "acc_overflow": 0, "acc_swamped": 0, "chunk_overflow": 0,
            "chunk_swamped": 0}
    differ = 0
    for trial in range(40):
        m, k, n = 2, int(rng.integers(4, 10)), 3
        a = rng.choice(np.arange(-16, 17) * 0.25, size=(m, k)) * rng.choice([1, 4])
        w = rng.choice(np.arange(-16, 17) * 0.25, size=(k, n))
        g = rng.normal(size=(m, n))
        c_ext, counts, _ = ext.gemm(torch.tensor(a), torch.tensor(w), json.dumps(cfg), 1)
        seen["product_underflow"] += counts["product"]["underflow"]
        seen["acc_overflow"] += counts["accumulator"]["overflow"]
        seen["acc_swamped"] += counts["accumulator"]["swamped"]
        seen["chunk_overflow"] += counts["chunk_accumulator"]["overflow"]
        seen["chunk_swamped"] += counts["chunk_accumulator"]["swamped"]
        y, ga, gw = grads_of(a, w, cfg, "ste", g)
        at = torch.tensor(a, requires_grad=True)
        wt = torch.tensor(w, requires_grad=True)
        (at @ wt * torch.tensor(g)).sum().backward()
        if trial == 0 or not (np.array_equal(ga, at.grad.numpy()) and
                              np.array_equal(gw, wt.grad.numpy())):
            check(np.allclose(ga, at.grad.numpy(), rtol=1e-12, atol=1e-12) and
                  np.allclose(gw, wt.grad.numpy(), rtol=1e-12, atol=1e-12),
                  f"STE gradients == autograd of A W (trial {trial})")
        masks = {}
        for est in ("immediate", "recursive"):
            c_ref, mask = reference(a, w, cfg, est)
            masks[est] = mask
            ok_fwd = np.array_equal(c_ref, c_ext.numpy()) and np.array_equal(y, c_ref)
            mask_ext = ext.step_masks(torch.tensor(a), torch.tensor(w), json.dumps(cfg),
                                      ext.IMMEDIATE if est == "immediate" else ext.RECURSIVE)
            ok_mask = np.array_equal(mask_ext.numpy(), mask)
            ga_ref = np.einsum("mn,mnk,kn->mk", g, mask, w)
            gw_ref = np.einsum("mn,mnk,mk->kn", g, mask, a)
            _, ga, gw = grads_of(a, w, cfg, est, g)
            ok_grad = np.allclose(ga, ga_ref, rtol=1e-12, atol=1e-12) and \
                np.allclose(gw, gw_ref, rtol=1e-12, atol=1e-12)
            if not (ok_fwd and ok_mask and ok_grad) or trial == 0:
                check(ok_fwd, f"{est}: golden step replay == num::gemm (trial {trial})")
                check(ok_mask, f"{est}: step_masks == brute-force masks (trial {trial})")
                check(ok_grad, f"{est}: gradients == brute-force reference (trial {trial})")
        differ += int((masks["immediate"] != masks["recursive"]).sum())
    for key, v in seen.items():
        check(v > 0, f"the gradient configs exercise {key} ({v} events)")
    check(differ > 0, f"immediate and recursive masks differ somewhere ({differ} entries)")


def test_fused_gradients():
    ext = lba_ext.load()
    rng = np.random.default_rng(3)
    # Narrow alignment and a tiny accumulator: terms (and running sums) are cut, group sums
    # saturate, flush and get swamped.
    cfg = {"accumulator": "M3E3b2", "chunk": 5, "chunk_accumulator": "M2E3b2",
           "fused": {"terms": 2, "align_bits": 2}}
    text = json.dumps(cfg)
    seen = {"cut_terms": 0, "acc_overflow": 0, "acc_underflow": 0, "chunk_swamped": 0}
    differ = 0
    for trial in range(40):
        m, k, n = 2, int(rng.integers(4, 12)), 3
        a = rng.choice(np.arange(-16, 17) * 0.25, size=(m, k)) * rng.choice([1, 4, 0.25])
        w = rng.choice(np.arange(-16, 17) * 0.25, size=(k, n))
        g = rng.normal(size=(m, n))
        c_ext, counts, _ = ext.gemm(torch.tensor(a), torch.tensor(w), text, 1)
        seen["cut_terms"] += counts["accumulator"]["swamped"]
        seen["acc_overflow"] += counts["accumulator"]["overflow"]
        seen["acc_underflow"] += counts["accumulator"]["underflow"]
        seen["chunk_swamped"] += counts["chunk_accumulator"]["swamped"]
        masks = {}
        for est in ("immediate", "recursive"):
            c_ref, mask = fused_reference(a, w, cfg, est)
            masks[est] = mask
            mask_ext = ext.step_masks(torch.tensor(a), torch.tensor(w), text,
                                      ext.IMMEDIATE if est == "immediate" else ext.RECURSIVE)
            _, ga, gw = grads_of(a, w, cfg, est, g)
            ok = (np.array_equal(c_ref, c_ext.numpy()) and
                  np.array_equal(mask_ext.numpy(), mask) and
                  np.allclose(ga, np.einsum("mn,mnk,kn->mk", g, mask, w), rtol=1e-12, atol=1e-12)
                  and np.allclose(gw, np.einsum("mn,mnk,mk->kn", g, mask, a), rtol=1e-12,
                                  atol=1e-12))
            if not ok or trial == 0:
                check(ok, f"fused {est}: forward, step_masks and gradients == reference "
                          f"(trial {trial})")
        differ += int((masks["immediate"] != masks["recursive"]).sum())
    for key, v in seen.items():
        check(v > 0, f"the fused gradient config exercises {key} ({v} events)")
    check(differ > 0, f"fused: immediate and recursive masks differ ({differ} entries)")


def test_finite_differences():
    rng = np.random.default_rng(2)
    # 40-bit mantissas: rounding is ~2^-40 relative, saturation and flushing remain.
    cfg = {"product": "M40E3b2", "accumulator": "M40E3b2", "chunk": 4,
           "chunk_accumulator": "M40E3b1"}
    text = json.dumps(cfg)
    ext = lba_ext.load()
    worst, cut = 0.0, 0
    for trial in range(6):
        m, k, n = 2, 9, 3
        a = rng.uniform(-6, 6, size=(m, k))
        w = rng.uniform(-6, 6, size=(k, n))
        g = rng.normal(size=(m, n))
        _, ga, gw = grads_of(a, w, cfg, "recursive", g)
        mask = ext.step_masks(torch.tensor(a), torch.tensor(w), text, ext.RECURSIVE).numpy()
        cut += int((mask == 0).sum())

        def loss(a_, w_):
            return float((ext.gemm(torch.tensor(a_), torch.tensor(w_), text, 1)[0].numpy()
                          * g).sum())

        h = 1e-5
        fd_a, fd_w = np.zeros_like(a), np.zeros_like(w)
        for idx in np.ndindex(*a.shape):
            ap, am = a.copy(), a.copy()
            ap[idx] += h
            am[idx] -= h
            fd_a[idx] = (loss(ap, w) - loss(am, w)) / (2 * h)
        for idx in np.ndindex(*w.shape):
            wp, wm = w.copy(), w.copy()
            wp[idx] += h
            wm[idx] -= h
            fd_w[idx] = (loss(a, wp) - loss(a, wm)) / (2 * h)
        worst = max(worst, np.abs(fd_a - ga).max(), np.abs(fd_w - gw).max())
    check(cut > 0, f"finite differences: saturation/flushing cut {cut} products")
    check(worst < 1e-3, f"recursive gradients == central finite differences (max diff {worst:.2e})")


# ---------------------------------------------------------------- forward bit-identity
def lbasim_logits(args, trace, cfg_path, limit):
    out = os.path.join(args.work, "logits.npy")
    subprocess.run([args.logits_bin, trace, cfg_path, str(limit), out], check=True,
                   stdout=subprocess.DEVNULL)
    return np.load(out)


def module_logits(trace, cfg, limit, estimator="ste"):
    m, w = export.read_trace(trace)
    images = np.load(os.path.join(trace, m["inputs"]["images"]))[:limit]
    labels = np.load(os.path.join(trace, m["inputs"]["labels"]))[:limit]
    net = finetune.TraceNet(m, w, cfg, estimator)
    top1, logits = finetune.evaluate(net, images, labels)
    return top1, logits


def write_cfg(args, name, cfg):
    path = os.path.join(args.work, name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def test_forward(args):
    paper = finetune.read_config(os.path.join(ROOT, "configs", "paper.json"))
    acc8 = finetune.read_config(os.path.join(ROOT, "configs", "finetune", "acc8_m3e4_c16.json"))
    cases = [("mlp-fmnist", "paper", paper, 300), ("mlp-fmnist", "acc8", acc8, 300),
             ("mlp-fmnist", "acc8-underflow-none", finetune.with_underflow(acc8, "none"), 40),
             ("resnet-fmnist", "paper", paper, 12),
             ("resnet-fmnist", "m7e4-nochunk", dict(paper, chunk=0), 6),
             # version 3: attention's matmuls, softmax, layer norm, GELU (erf)
             ("vit-fmnist", "paper", paper, 6),
             ("vit-fmnist", "paper-underflow-none", finetune.with_underflow(paper, "none"), 3),
             ("mlp-fmnist", "hopper_fp8", finetune.read_config(
                 os.path.join(ROOT, "configs", "gpu", "hopper_fp8.json")), 100)]
    for trace_name, name, cfg, limit in cases:
        trace = os.path.join(ROOT, "traces", "data", trace_name)
        ref = lbasim_logits(args, trace, write_cfg(args, name, cfg), limit)
        _, got = module_logits(trace, cfg, limit)
        check(np.array_equal(ref, got),
              f"{trace_name} {name}: module logits == lbasim's, {limit} images, bit for bit "
              f"(max diff {np.abs(ref - got).max():.3e})")


def test_finetune_smoke(args):
    acc8 = finetune.read_config(os.path.join(ROOT, "configs", "finetune", "acc8_m3e4_c16.json"))
    cfg_path = write_cfg(args, "acc8", acc8)
    trace = os.path.join(ROOT, "traces", "data", "mlp-fmnist")
    m, w = export.read_trace(trace)
    images = np.load(os.path.join(trace, m["inputs"]["images"]))[:200]
    labels = np.load(os.path.join(trace, m["inputs"]["labels"]))[:200]
    x, y = finetune.train_subset(256, 0)
    for est in ("ste", "immediate", "recursive"):
        net = finetune.TraceNet(m, w, acc8, est)
        before = [p.detach().clone() for p in net.parameters()]
        losses = []
        for policy in finetune.STAGES:
            net.set_config(finetune.with_underflow(acc8, policy))
            losses += finetune.train_stage(net, x, y, 2, 32, 1e-3, 0)
        moved = all(not torch.equal(b, p.detach()) for b, p in zip(before, net.parameters()))
        check(all(np.isfinite(losses)) and moved,
              f"mlp {est}: 2+2 batches, finite loss {losses[-1]:.3f}, every parameter moved")
        net.set_config(acc8)
        top1, logits = finetune.evaluate(net, images, labels)
        out = os.path.join(args.work, f"mlp-{est}")
        finetune.export_trace(net, m, out, images, labels, m["inputs"]["source"], "test")
        ref = lbasim_logits(args, out, cfg_path, 0)
        check(np.array_equal(ref, logits), f"mlp {est}: exported trace, lbasim logits == module's")
        rep = os.path.join(args.work, f"mlp-{est}-run.json")
        subprocess.run([args.lbasim, "run", "--trace", out, "--config", cfg_path, "--out", rep,
                        "--quiet"], check=True, stdout=subprocess.DEVNULL)
        with open(rep) as f:
            run_top1 = json.load(f)["top1"]
        check(run_top1 == top1, f"mlp {est}: lbasim run top-1 {run_top1} == module's {top1}")
    # The conv path's gradients flow (one batch per estimator, 4 images), and the ViT's
    # through attention (matmul of two activations), softmax, layer norm and GELU.
    paper = finetune.read_config(os.path.join(ROOT, "configs", "paper.json"))
    for trace_name, ests in (("resnet-fmnist", ("ste", "recursive")), ("vit-fmnist", ("ste",))):
        rm, rw = export.read_trace(os.path.join(ROOT, "traces", "data", trace_name))
        for est in ests:
            net = finetune.TraceNet(rm, rw, paper, est)
            net.train()
            loss = torch.nn.functional.cross_entropy(net(torch.as_tensor(x[:4])).float(),
                                                     torch.as_tensor(y[:4]))
            loss.backward()
            nonzero = all(float(p.grad.abs().sum()) > 0 for p in net.parameters())
            check(nonzero, f"{trace_name} {est}: every parameter has a non-zero gradient")


def test_cli(args):
    """python3 -m lba.finetune end to end on the MLP: one batch per stage, 20 test images; the
    summary's fine-tuned top-1 equals `lbasim run`'s on the exported trace."""
    cfg_path = write_cfg(args, "acc8", finetune.read_config(
        os.path.join(ROOT, "configs", "finetune", "acc8_m3e4_c16.json")))
    out, summary = os.path.join(args.work, "cli-trace"), os.path.join(args.work, "cli.json")
    env = dict(os.environ, LBASIM_EXT_BUILD=args.ext_build, LBASIM_NUMERICS_LIB=args.numerics_lib)
    r = subprocess.run(["/usr/bin/python3", "-m", "lba.finetune", "--trace",
                        os.path.join(ROOT, "traces", "data", "mlp-fmnist"), "--config", cfg_path,
                        "--train-count", "64", "--batch", "32", "--max-batches", "1",
                        "--eval-count", "20", "--out", out, "--json", summary], env=env,
                       stdout=subprocess.DEVNULL)
    check(r.returncode == 0, f"python3 -m lba.finetune exits 0 (got {r.returncode})")
    if r.returncode:
        return
    with open(summary) as f:
        s = json.load(f)
    rep = os.path.join(args.work, "cli-run.json")
    subprocess.run([args.lbasim, "run", "--trace", out, "--config", cfg_path, "--out", rep,
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    with open(rep) as f:
        run_top1 = json.load(f)["top1"]
    check(s["eval_images"] == 20 and run_top1 == s["finetuned_top1"],
          f"lba.finetune CLI: lbasim run top-1 {run_top1} == summary's {s['finetuned_top1']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--numerics-lib", required=True)
    ap.add_argument("--ext-build", required=True)
    ap.add_argument("--logits-bin", required=True)
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    torch.set_num_threads(2)
    args.work = args.work or tempfile.mkdtemp()
    os.makedirs(args.work, exist_ok=True)
    lba_ext.load(build_dir=args.ext_build, numerics_lib=args.numerics_lib)
    test_gradients()
    test_fused_gradients()
    test_finite_differences()
    test_forward(args)
    test_finetune_smoke(args)
    test_cli(args)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
