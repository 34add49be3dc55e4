"""Window geometry of the trace ops conv2d, maxpool and avgpool (docs/traces.md), without
torch: shared by the evaluator and the ONNX importer."""


def pads(op):
    """[top, left, bottom, right] of a window op (version-2 `pads` or symmetric `padding`)."""
    if "pads" in op:
        return list(op["pads"])
    ph, pw = op["padding"]
    return [ph, pw, ph, pw]


def window_len(size, begin, end, eff, stride, ceil):
    """Output length of a window of extent `eff` along one axis: floor, or ceil (ceil_mode)
    where the last window must start inside the input or its leading padding (the reader's
    rule, traces/src/trace_reader.cpp)."""
    span = size + begin + end - eff
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + begin:
        out -= 1
    return out
