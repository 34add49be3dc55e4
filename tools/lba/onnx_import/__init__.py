"""`lbasim import onnx`: ONNX models as lbasim traces (docs/onnx.md).

Run as `python3 -m lba.onnx_import MODEL.onnx --inputs X.npy --out DIR` with tools/ on the
module path (lbasim's `import onnx` command does this)."""
