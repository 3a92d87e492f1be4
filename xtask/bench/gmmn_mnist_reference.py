"""A plain PyTorch GMMN on MNIST with the reference code's step, to compare with `gen train gmmn`
end to end (issue: "find what differs before spending the budget").

Li, Swersky & Zemel's reference (`train.py`, `mnist_mmd_input_space`): uniform noise in
[-1, 1]^10, ReLU layers 64-256-256-1024, sigmoid pixels, weights N(0, 1/fan_in), biases 0;
loss sqrt(MMD^2_b) over Gaussian kernels of variances 2, 5, 10, 20, 40, 80 between 1,000
generated images and 1,000 training images drawn at random; SGD, learning rate 2, momentum 0.9.

Then the Parzen protocol of `gen eval --metric parzen`: 10,000 samples, sigma chosen from
0.10, 0.11, ..., 0.29 on the validation images (the last 10,000 training images), mean test
log-likelihood with its standard error.

Usage:
  python3 gmmn_mnist_reference.py train UPDATES SEED OUT.npy   # train, sample, evaluate
  python3 gmmn_mnist_reference.py parzen SAMPLES.npy            # evaluate samples written by
                                                                 # `gen sample RUN -n 10000`
Reads MNIST from $GEN_DATA_DIR/mnist (written by `cargo xtask download mnist`).
"""
import math
import os
import sys
import time

import numpy as np
import torch

from gmmn_step import reference_gmmn


def idx_images(path):
    with open(path, "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255.0


def mnist():
    root = os.path.join(os.environ.get("GEN_DATA_DIR", "data"), "mnist")
    train = idx_images(os.path.join(root, "train-images-idx3-ubyte"))
    test = idx_images(os.path.join(root, "t10k-images-idx3-ubyte"))
    return train[:50000], train[50000:], test


def parzen(samples, validation, test, sigmas=None):
    """Mean log-likelihood of `test` under the Parzen window of `samples`, sigma chosen on
    `validation`; returns (mean, standard error, sigma)."""
    sigmas = sigmas or [0.10 + 0.01 * i for i in range(20)]
    s = torch.from_numpy(samples).double()
    s_sq = (s * s).sum(1)
    d = s.shape[1]

    def log_densities(points, sigma_list):
        out = []
        x = torch.from_numpy(points).double()
        for start in range(0, x.shape[0], 500):
            block = x[start:start + 500]
            sq = (block * block).sum(1, keepdim=True) + s_sq.unsqueeze(0) - 2.0 * block @ s.T
            sq = sq.clamp_min(0.0)
            rows = []
            for sigma in sigma_list:
                log_k = -sq / (2.0 * sigma * sigma)
                rows.append(torch.logsumexp(log_k, 1) - math.log(s.shape[0])
                            - 0.5 * d * math.log(2.0 * math.pi * sigma * sigma))
            out.append(torch.stack(rows))
        return torch.cat(out, 1)

    val = log_densities(validation, sigmas).mean(1)
    best = sigmas[int(val.argmax())]
    ll = log_densities(test, [best])[0]
    return float(ll.mean()), float(ll.std() / math.sqrt(ll.shape[0])), best


def train(updates, seed, out):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, x_val, x_test = mnist()
    variances = [2.0, 5.0, 10.0, 20.0, 40.0, 80.0]
    net = reference_gmmn()
    opt = torch.optim.SGD(net.parameters(), lr=2.0, momentum=0.9)

    def gram(a, b):
        sq = (a * a).sum(1, keepdim=True) + (b * b).sum(1).unsqueeze(0) - 2.0 * a @ b.T
        sq = sq.clamp_min(0.0)
        return sum(torch.exp(-sq / (2.0 * v)) for v in variances)

    start = time.perf_counter()
    order = rng.permutation(x_train.shape[0])
    for step in range(updates):
        at = (step * 1000) % x_train.shape[0]
        if at == 0 and step > 0:
            order = rng.permutation(x_train.shape[0])
        data = torch.from_numpy(x_train[order[at:at + 1000]])
        x = net(torch.rand(1000, 10) * 2.0 - 1.0)
        mmd2 = gram(x, x).mean() + gram(data, data).mean() - 2.0 * gram(x, data).mean()
        loss = mmd2.clamp_min(1e-12).sqrt()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == updates - 1:
            print(f"step {step} loss {loss.item():.4f}", flush=True)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        samples = net(torch.rand(10000, 10) * 2.0 - 1.0).numpy().astype(np.float32)
    np.save(out, samples)
    mean, se, sigma = parzen(samples, x_val, x_test)
    saturated = float(((samples < 0.01) | (samples > 0.99)).mean())
    print(f"trained {updates} updates in {seconds:.1f} s")
    print(f"parzen {mean:.2f} +- {se:.2f} sigma {sigma:.2f}; share of pixels below 0.01 or above 0.99: {saturated:.3f}")


def main():
    if sys.argv[1] == "train":
        train(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        samples = np.load(sys.argv[2]).reshape(-1, 784).astype(np.float32)
        _, x_val, x_test = mnist()
        mean, se, sigma = parzen(samples, x_val, x_test)
        saturated = float(((samples < 0.01) | (samples > 0.99)).mean())
        print(f"parzen {mean:.2f} +- {se:.2f} sigma {sigma:.2f}; share of pixels below 0.01 or above 0.99: {saturated:.3f}")


if __name__ == "__main__":
    main()
