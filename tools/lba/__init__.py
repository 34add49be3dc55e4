"""lbasim's Python side: train small networks on Fashion-MNIST and export lbasim traces."""
