"""PyTorch CPU baseline for `cargo xtask bench mmd`: the GMMN MNIST training step of gen-mmd
(Li et al. 2015) written with torch, timed the same way (one warm-up step, then `steps` steps).

Prints one line: `steps_per_second <value>`. Run by xtask when python3 can import torch.
"""
import sys
import time

import torch


def reference_gmmn(noise=10, d=784):
    """The reference code's MNIST generator: ReLU layers 64-256-256-1024 from the noise, sigmoid
    pixels, weights N(0, 1/fan_in), biases 0."""
    widths = [noise, 64, 256, 256, 1024, d]
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        layer = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.normal_(layer.weight, std=(1.0 / fan_in) ** 0.5)
        torch.nn.init.zeros_(layer.bias)
        layers.append(layer)
    body = []
    for layer in layers[:-1]:
        body += [layer, torch.nn.ReLU()]
    return torch.nn.Sequential(*body, layers[-1], torch.nn.Sigmoid())


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    n, d, noise = 1000, 784, 10
    variances = [2.0, 5.0, 10.0, 20.0, 40.0, 80.0]
    torch.manual_seed(0)
    net = reference_gmmn(noise, d)
    opt = torch.optim.SGD(net.parameters(), lr=2.0, momentum=0.9)
    scale = 1000.0 / n  # loss_weight / samples_per_update: sqrt(MMD²) itself
    data = torch.rand(n, d)

    def gram(a, b):
        sq = (a * a).sum(1, keepdim=True) + (b * b).sum(1).unsqueeze(0) - 2.0 * a @ b.T
        sq = sq.clamp_min(0.0)
        return sum(torch.exp(-sq / (2.0 * s)) for s in variances)

    def step():
        x = net(torch.rand(n, noise) * 2.0 - 1.0)
        mmd2 = gram(x, x).mean() + gram(data, data).mean() - 2.0 * gram(x, data).mean()
        loss = mmd2.clamp_min(0.0).sqrt() * scale
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    print(f"steps_per_second {steps / (time.perf_counter() - start)}")


if __name__ == "__main__":
    main()
