"""Where the batch sits in an ONNX tensor, and the per-sample tensor a trace op sees.

A trace op works on one sample; an ONNX graph works on a batch of N samples that need not stay
in the first dimension (attention reshapes [T, N, E] to [T, N*H, d] and back). The batch of an
ONNX tensor of shape S is described by an axis b and a factorization S[b] = outer * N * inner:
sample n is the slab of indices o * N * inner + n * inner + i along axis b. The per-sample
tensor is S with S[b] replaced by outer * inner, or with axis b removed when
outer = inner = 1 (the batch is the whole axis, e.g. [N, C, H, W] -> [C, H, W]). In C order it
holds exactly the sample's elements, in the same order, so every op that treats the samples
independently has a per-sample equivalent; an op that would mix samples is refused.
"""
import math


class Layout:
    __slots__ = ("shape", "b", "outer", "inner", "n")

    def __init__(self, shape, b, outer, inner, n):
        self.shape = [int(d) for d in shape]  # the ONNX shape, batch included
        self.b, self.outer, self.inner, self.n = int(b), int(outer), int(inner), int(n)
        assert self.shape[self.b] == self.outer * self.n * self.inner, (shape, b, outer, inner, n)

    @classmethod
    def batch_first(cls, per_sample, n):
        return cls([n] + list(per_sample), 0, 1, 1, n)

    @property
    def dropped(self):
        """The batch is the whole of axis b: the per-sample tensor has no such axis."""
        return self.outer == 1 and self.inner == 1

    @property
    def per_sample(self):
        s = list(self.shape)
        if self.dropped:
            del s[self.b]
        else:
            s[self.b] = self.outer * self.inner
        return s

    def axis(self, a):
        """Per-sample axis of ONNX axis a (already non-negative); None for the batch axis."""
        if a == self.b:
            return None
        return a - 1 if self.dropped and a > self.b else a

    def with_shape(self, shape, b=None):
        """The same batch factorization in a tensor of another shape (elementwise ops,
        transposes: the batch axis moved to b)."""
        return Layout(shape, self.b if b is None else b, self.outer, self.inner, self.n)

    def prefix(self):
        """Elements of one batch slab's outer part: the count of C-order blocks before it."""
        return math.prod(self.shape[:self.b]) * self.outer

    def suffix(self):
        return self.inner * math.prod(self.shape[self.b + 1:])

    def reshaped(self, out):
        """The layout of this tensor reshaped (C order) to ONNX shape `out`, or None if the
        reshape mixes samples. Prefers a whole-axis batch when several axes qualify (only with
        dimensions of 1 or N = 1; the per-sample data are the same either way)."""
        p, i, found = self.prefix(), self.suffix(), []
        for bb in range(len(out)):
            pre, post = math.prod(out[:bb]), math.prod(out[bb + 1:])
            if pre == 0 or post == 0 or p % pre or i % post:
                continue
            o, inn = p // pre, i // post
            if out[bb] == o * self.n * inn:
                found.append(Layout(out, bb, o, inn, self.n))
        whole = [l for l in found if l.dropped]
        return (whole or found or [None])[0]

    def describe(self):
        return {"onnx_shape": self.shape, "batch_axis": self.b, "outer": self.outer,
                "inner": self.inner, "batch": self.n}


def broadcast(a, b):
    """numpy broadcasting of two shapes, or None."""
    r = max(len(a), len(b))
    a, b = [1] * (r - len(a)) + list(a), [1] * (r - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y))
    return out


def to_onnx(per_sample_batch, layout):
    """numpy [count, per-sample...] (e.g. `lbasim run --dump-output`) -> the ONNX tensor of a
    `count`-sample batch laid out as `layout` (its shape with N = count)."""
    import numpy as np
    y = np.asarray(per_sample_batch)
    count = y.shape[0]
    ps = list(y.shape[1:])
    b = layout["batch_axis"]
    outer, inner = layout["outer"], layout["inner"]
    if outer == 1 and inner == 1:
        return np.moveaxis(y, 0, b)
    # per-sample axis b = (outer, inner): put the sample index between them
    y = y.reshape([count] + ps[:b] + [outer, inner] + ps[b + 1:])
    y = np.moveaxis(y, 0, b + 1)
    return y.reshape(ps[:b] + [outer * count * inner] + ps[b + 1:])
