"""Constant folding: an ONNX node whose inputs are all constants is evaluated at import (numpy).

Exporters compute reshape targets and the like from Shape() of tensors (Shape, Gather, Concat,
Unsqueeze, ...); the importer knows every shape, so these subgraphs become constants. Only what
exporters emit for shapes and parameters is covered; anything else is refused by the caller.
"""
import numpy as np
import onnx
from onnx import numpy_helper

_NP_TYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
             onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32,
             onnx.TensorProto.INT8: np.int8, onnx.TensorProto.UINT8: np.uint8,
             onnx.TensorProto.BOOL: np.bool_, onnx.TensorProto.FLOAT16: np.float16}


class CannotFold(Exception):
    pass


def raw_axes(attrs, ins, pos):
    """Axes from the input at `pos` (newer opsets) or the `axes` attribute, as given."""
    if len(ins) > pos and ins[pos] is not None:
        return [int(v) for v in np.asarray(ins[pos]).reshape(-1)]
    return [int(v) for v in attrs.get("axes", [])]


def _axes(node, attrs, ins, pos, rank):
    return [v + rank if v < 0 else v for v in raw_axes(attrs, ins, pos)]


def slice_params(attrs, ins, shape):
    """(axes, starts, ends, steps) of a Slice, normalized to python slicing semantics."""
    if len(ins) > 1:
        starts = [int(v) for v in np.asarray(ins[1]).reshape(-1)]
        ends = [int(v) for v in np.asarray(ins[2]).reshape(-1)]
        axes = ([int(v) for v in np.asarray(ins[3]).reshape(-1)] if len(ins) > 3 and
                ins[3] is not None else list(range(len(starts))))
        steps = ([int(v) for v in np.asarray(ins[4]).reshape(-1)] if len(ins) > 4 and
                 ins[4] is not None else [1] * len(starts))
    else:
        starts, ends = list(attrs["starts"]), list(attrs["ends"])
        axes = list(attrs.get("axes", range(len(starts))))
        steps = [1] * len(starts)
    axes = [a + len(shape) if a < 0 else a for a in axes]
    return axes, starts, ends, steps


def slice_indices(start, end, step, dim):
    """The indices a Slice keeps along one axis (python's clamping, as ONNX specifies)."""
    return list(range(*slice(start, end, step).indices(dim)))


def fold(node, attrs, ins, opset):
    """Output arrays of node given its input arrays (None for an omitted optional input)."""
    op = node.op_type
    x = ins[0] if ins else None
    if op in ("Identity", "Dropout"):
        return [x]
    if op == "Cast":
        return [np.asarray(x).astype(_NP_TYPES.get(attrs["to"], np.float32))]
    if op == "Constant":
        if "value" in attrs:
            return [numpy_helper.to_array(attrs["value"])]
        for k, t in (("value_float", np.float32), ("value_int", np.int64)):
            if k in attrs:
                return [np.array(attrs[k], dtype=t)]
        for k, t in (("value_floats", np.float32), ("value_ints", np.int64)):
            if k in attrs:
                return [np.array(list(attrs[k]), dtype=t)]
        raise CannotFold("a Constant without a value tensor, float or int")
    binary = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Pow": np.power,
              "Equal": np.equal, "Less": np.less, "Greater": np.greater,
              "Max": np.maximum, "Min": np.minimum, "And": np.logical_and,
              "Or": np.logical_or}
    if op in binary:
        return [np.asarray(binary[op](ins[0], ins[1])).astype(np.result_type(ins[0], ins[1]))
                if op not in ("Equal", "Less", "Greater", "And", "Or") else
                binary[op](ins[0], ins[1])]
    if op == "Div":
        if np.asarray(x).dtype.kind in "iu":
            return [np.asarray(np.trunc(np.asarray(x) / ins[1])).astype(np.asarray(x).dtype)]
        return [np.asarray(x / ins[1]).astype(np.result_type(x, ins[1]))]
    unary = {"Sqrt": np.sqrt, "Neg": np.negative, "Abs": np.abs, "Floor": np.floor,
             "Ceil": np.ceil, "Not": np.logical_not, "Exp": np.exp, "Reciprocal": np.reciprocal}
    if op in unary:
        return [unary[op](x)]
    if op == "Relu":
        return [np.maximum(x, 0).astype(x.dtype)]
    if op == "Shape":
        s = np.array(x.shape, dtype=np.int64)
        return [s[attrs.get("start", 0):attrs.get("end", len(s))]]
    if op == "Size":
        return [np.array(np.asarray(x).size, dtype=np.int64)]
    if op == "Gather":
        axis = attrs.get("axis", 0)
        return [np.take(x, np.asarray(ins[1]).astype(np.int64), axis=axis)]
    if op == "Unsqueeze":
        rank = np.ndim(x) + len(raw_axes(attrs, ins, 1))
        y = np.asarray(x)
        for a in sorted(_axes(node, attrs, ins, 1, rank)):
            y = np.expand_dims(y, a)
        return [y]
    if op == "Squeeze":
        axes = _axes(node, attrs, ins, 1, np.ndim(x))
        return [np.squeeze(x, tuple(axes)) if axes else np.squeeze(x)]
    if op == "Concat":
        return [np.concatenate([np.atleast_1d(v) for v in ins], axis=attrs.get("axis", 0))]
    if op == "Reshape":
        shape = [int(v) for v in np.asarray(ins[1]).reshape(-1)]
        shape = [x.shape[i] if v == 0 and not attrs.get("allowzero", 0) else v
                 for i, v in enumerate(shape)]
        return [np.reshape(x, shape)]
    if op == "Flatten":
        a = attrs.get("axis", 1)
        a = a + np.ndim(x) if a < 0 else a
        return [np.reshape(x, (int(np.prod(x.shape[:a])), -1))]
    if op == "Transpose":
        return [np.transpose(x, attrs.get("perm"))]
    if op == "Expand":
        shape = [int(v) for v in np.asarray(ins[1]).reshape(-1)]
        return [x * np.ones(shape, dtype=np.asarray(x).dtype)]
    if op == "Tile":
        return [np.tile(x, [int(v) for v in np.asarray(ins[1]).reshape(-1)])]
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1, np.float32)
        return [np.full([int(d) for d in np.asarray(x).reshape(-1)], v.reshape(-1)[0],
                        dtype=v.dtype)]
    if op == "Where":
        return [np.where(ins[0], ins[1], ins[2])]
    if op == "Range":
        return [np.arange(ins[0], ins[1], ins[2]).astype(np.asarray(ins[0]).dtype)]
    if op == "Slice":
        y = np.asarray(x)
        for a, s, e, st in zip(*slice_params(attrs, ins, y.shape)):
            y = np.take(y, slice_indices(s, e, st, y.shape[a]), axis=a)
        return [y]
    if op == "Split":
        axis = attrs.get("axis", 0)
        sizes = (np.asarray(ins[1]).reshape(-1).tolist() if len(ins) > 1 and ins[1] is not None
                 else attrs.get("split"))
        n = len(node.output)
        if not sizes:
            sizes = [x.shape[axis] // n] * n
        return np.split(x, np.cumsum(sizes)[:-1], axis=axis)
    if op in ("ReduceMean", "ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin"):
        axes = _axes(node, attrs, ins, 1, np.ndim(x))
        f = {"ReduceMean": np.mean, "ReduceSum": np.sum, "ReduceProd": np.prod,
             "ReduceMax": np.max, "ReduceMin": np.min}[op]
        return [f(x, axis=tuple(axes) if axes else None, keepdims=bool(attrs.get("keepdims", 1)))]
    raise CannotFold(f"op {op} on constants is not folded")
