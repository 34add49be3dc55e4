"""Fashion-MNIST from the Debian package's idx files (no torchvision needed)."""
import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("LBASIM_FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
# Mean and standard deviation of the training pixels (in [0, 1]); the network sees
# (pixel / 255 - MEAN) / STD, and traces store images already normalized this way.
MEAN = 0.2860
STD = 0.3530


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08: unsigned byte elements
        raise ValueError(f"{path}: not an unsigned-byte idx file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} bytes of data, header says {dims}")
    return arr.reshape(dims)


def load(split):
    """Returns (images uint8 [n,28,28], labels int64 [n]) for split 'train' or 't10k'."""
    images = _read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def normalize(images_u8):
    """uint8 [n,28,28] -> float32 [n,1,28,28], the network's input."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    return ((x - np.float32(MEAN)) / np.float32(STD))[:, None, :, :].astype(np.float32)
