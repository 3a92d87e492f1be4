"""PyTorch CPU baseline for `cargo xtask bench dae`: one SGD update of gen-dae's MNIST default
(Bengio et al. 2013's code: a sigmoid auto-encoder 784-2000 with tied weights, salt-and-pepper
corruption 0.4, Bernoulli reconstruction, batches of 100, learning rate 10, no momentum), either
simple (`walks` = 1) or walkback (`walks` = 5 corruption-reconstruction pairs, each later walker
drawn from the previous reconstruction), written as a plain PyTorch script with autograd, timed
the same way as xtask (one warm-up update, then `steps` updates).

Usage: dae_step.py STEPS WALKS. Prints one line: `steps_per_second <value>` (updates per second;
xtask multiplies by the batch). Run by xtask when python3 can import torch.
"""
import sys
import time

import torch
import torch.nn.functional as F


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    walks = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    visible, hidden, batch = 784, 2000, 100
    lr, corruption = 10.0, 0.4
    torch.manual_seed(0)
    bound = (6.0 / (visible + hidden)) ** 0.5
    w = ((torch.rand(visible, hidden) * 2 - 1) * bound).requires_grad_()
    b = torch.zeros(visible, requires_grad=True)
    c = torch.zeros(hidden, requires_grad=True)
    parameters = [w, b, c]
    # Binary images with half the pixels on, as xtask's batch.
    x = (torch.rand(batch, visible) < 0.5).float()

    def corrupt(z):
        hit = torch.rand_like(z) < corruption
        salt = (torch.rand_like(z) < 0.5).float()
        return torch.where(hit, salt, z)

    def update():
        walker = x
        total = 0.0
        for walk in range(walks):
            logits = torch.sigmoid(corrupt(walker) @ w + c) @ w.T + b
            total = total + F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            if walk + 1 < walks:
                walker = torch.bernoulli(torch.sigmoid(logits.detach()))
        loss = total / (batch * visible)
        for p in parameters:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in parameters:
                p -= lr * p.grad

    update()
    start = time.perf_counter()
    for _ in range(steps):
        update()
    print(f"steps_per_second {steps / (time.perf_counter() - start)}")


if __name__ == "__main__":
    main()
