"""PyTorch CPU baseline for `cargo xtask bench rbm`: the CD-1 update of a 784 x 500 RBM on a
batch of 100 binary images with MNIST's density of ones, as a plain PyTorch script writes it (no
autograd: the gradient is the CD statistics), with the same settings as gen's default (weight
decay 1e-4, no momentum), timed the same way (three warm-up updates, then `steps` updates).

Prints one line: `steps_per_second <value>` (updates per second; xtask multiplies by the
batch). Run by xtask when python3 can import torch.
"""
import sys
import time

import torch


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    visible, hidden, batch = 784, 500, 100
    lr, weight_decay = 0.1, 1e-4
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    w = torch.randn(visible, hidden) * 0.01
    b = torch.zeros(visible)
    c = torch.zeros(hidden)
    # The pixels of xtask's `mnist_density_pixels`: on where a multiplicative hash of the index
    # is below 13% of its range (about 13% of MNIST's pixels are on once binarised at 0.5).
    index = torch.arange(batch * visible, dtype=torch.int64)
    threshold = int(0.13 * 2**32)
    v_pos = ((index * 2654435761) % 2**32 < threshold).float().reshape(batch, visible)

    def update():
        h_pos = torch.sigmoid(v_pos @ w + c)
        h = torch.bernoulli(h_pos)
        v_neg = torch.bernoulli(torch.sigmoid(h @ w.T + b))
        h_neg = torch.sigmoid(v_neg @ w + c)
        grad_w = (v_pos.T @ h_pos - v_neg.T @ h_neg) / batch
        w.add_(grad_w - weight_decay * w, alpha=lr)
        b.add_(v_pos.mean(0) - v_neg.mean(0), alpha=lr)
        c.add_(h_pos.mean(0) - h_neg.mean(0), alpha=lr)

    for _ in range(3):
        update()
    start = time.perf_counter()
    for _ in range(steps):
        update()
    print(f"steps_per_second {steps / (time.perf_counter() - start)}")


if __name__ == "__main__":
    main()
