"""The networks lbasim ships traces of: a ResNet, an MLP and a small ViT (Fashion-MNIST)."""
import torch
from torch import nn


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus identity (or 1x1 conv + BN when shape changes), ReLU."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = None
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, 0, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.shortcut is None else self.shortcut(x)
        return torch.relu(y + s)


class ResNet(nn.Module):
    """Stem 1->16 at 28x28, max pool to 14x14, four basic blocks (16 at 14x14, 16->32 stride 2,
    32->64, 64 at 7x7), global average pool, linear 64->10. About 8.1 M MACs per image; the
    64-channel 3x3 convolutions have K = 576."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2, 2)
        self.blocks = nn.ModuleList([
            BasicBlock(16, 16, 1),
            BasicBlock(16, 32, 2),
            BasicBlock(32, 64, 1),
            BasicBlock(64, 64, 1),
        ])
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.stem_bn(self.stem(x))))
        for b in self.blocks:
            x = b(x)
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class MLP(nn.Module):
    """784-256-128-10 with ReLU: three linear layers."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class Attention(nn.Module):
    """Multi-head self-attention written out (no nn.MultiheadAttention), batch first, so that
    its ONNX export is the plain MatMul/Softmax/Transpose graph lbasim imports."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, e = x.shape
        h, d = self.heads, e // self.heads
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = (z.reshape(b, t, h, d).transpose(1, 2) for z in (q, k, v))  # [b, h, t, d]
        att = torch.softmax((q * d ** -0.5) @ k.transpose(-2, -1), dim=-1)     # Q K^T
        y = (att @ v).transpose(1, 2).reshape(b, t, e)                         # P V
        return self.proj(y)


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x)) with GELU."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class ViT(nn.Module):
    """A small vision transformer for 28x28: 4x4 patches (49 tokens and a class token), width
    64, 4 heads of 16, MLP 128, 4 blocks, final layer norm, linear 64->10 on the class token.
    About 7.9 M MACs per image (the ResNet's 8.1 M); the largest K are 128 (fc2) and 50 (P V).
    """

    def __init__(self, dim=64, depth=4, heads=4, hidden=128, patch=4):
        super().__init__()
        tokens = (28 // patch) ** 2 + 1
        self.patch = nn.Conv2d(1, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)  # [b, 49, dim]
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))


def build(name):
    if name == "resnet":
        return ResNet()
    if name == "mlp":
        return MLP()
    if name == "vit":
        return ViT()
    raise ValueError(f"unknown network {name!r} (expected resnet, mlp or vit)")
