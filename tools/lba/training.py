"""Training from scratch on Fashion-MNIST (seeded), shared by lba.train and lba.train_vit."""
import time

import torch
import torch.nn.functional as F


def augment(x, gen, shift=0):
    """Random horizontal flip per image, and (shift > 0) a random translation by up to `shift`
    pixels each way (zero fill)."""
    n = x.shape[0]
    out = x.clone()
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    if shift:
        pad = F.pad(out, (shift, shift, shift, shift))
        dy = torch.randint(0, 2 * shift + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * shift + 1, (n,), generator=gen)
        h, w = x.shape[2], x.shape[3]
        out = torch.stack([pad[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    return out


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = 0
    for i in range(0, len(x), 1000):
        correct += (model(torch.from_numpy(x[i:i + 1000])).argmax(1).numpy() == y[i:i + 1000]).sum()
    return correct / len(x)


def fit(model, train_x, train_t, test_x, test_y, s, gen, log=print):
    """AdamW with a OneCycle schedule over s["epochs"] epochs of batches of s["batch"];
    s["augment"] flips (and shifts by s.get("shift", 0)); prints the test top-1 per epoch, and
    the running time every s["progress"] batches when that is set."""
    opt = torch.optim.AdamW(model.parameters(), lr=s["lr"], weight_decay=s["wd"])
    steps = s["epochs"] * ((len(train_x) + s["batch"] - 1) // s["batch"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=s["lr"], total_steps=steps)
    t0 = time.time()
    for epoch in range(s["epochs"]):
        model.train()
        perm = torch.randperm(len(train_x), generator=gen)
        total = 0.0
        for i in range(0, len(perm), s["batch"]):
            idx = perm[i:i + s["batch"]]
            xb = train_x[idx]
            if s["augment"]:
                xb = augment(xb, gen, s.get("shift", 0))
            loss = F.cross_entropy(model(xb), train_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            batch, batches = i // s["batch"] + 1, (len(perm) + s["batch"] - 1) // s["batch"]
            if s.get("progress") and batch % s["progress"] == 0:
                log(f"  epoch {epoch + 1}, batch {batch}/{batches}: loss {loss.item():.4f}, "
                    f"{time.time() - t0:.0f} s")
        acc = accuracy(model, test_x, test_y)
        log(f"epoch {epoch + 1}/{s['epochs']}: loss {total / len(perm):.4f}, "
            f"test top-1 {acc:.4f}, {time.time() - t0:.0f} s")
    model.eval()
    return float(acc)  # the last epoch's test top-1 (eval mode, final weights)
