"""PyTorch CPU baseline for `cargo xtask bench ebm`: one training iteration of gen-ebm's MNIST
default (Kim & Bengio 2016's deep energy model against a generator), written as a plain PyTorch
script with autograd, timed the same way as xtask (one warm-up iteration, then `steps`).

The iteration is an energy step and a generator step, each with Adam (rate 2e-4, beta1 0.5), on
batches of 100:
- energy `E(x) = |x|^2 / sigma^2 - b.x - sum_i softplus(w_i . f(x) + c_i)`, sigma 1, `f` two
  4x4 stride-2 convolutions (64 and 128 channels, padding 1) with leaky ReLUs of slope 0.2 on
  28x28 images, 1,024 experts; the energy step descends `mean E(data) - mean E(G(z))`;
- generator 100-1024-1024-784, each hidden layer linear, batch norm, ReLU, sigmoid output; the
  generator step descends `mean E(G(z)) - H`, `H` the sum over the batch-normalised activations
  of `1/2 log(2 pi e var)` of each unit's batch variance.

Usage: ebm_step.py STEPS. Prints one line: `steps_per_second <value>` (iterations per second).
Run by xtask when python3 can import torch.
"""
import math
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


class Energy(nn.Module):
    def __init__(self, experts=1024, sigma=1.0):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(64, 128, 4, stride=2, padding=1)
        self.experts = nn.Linear(128 * 7 * 7, experts)
        self.visible = nn.Linear(784, 1, bias=False)
        nn.init.zeros_(self.visible.weight)
        self.inverse_variance = 1.0 / sigma**2

    def forward(self, x):
        maps = F.leaky_relu(self.conv1(x.view(-1, 1, 28, 28)), 0.2)
        maps = F.leaky_relu(self.conv2(maps), 0.2)
        experts = F.softplus(self.experts(maps.flatten(1))).sum(1)
        quadratic = x.pow(2).sum(1) * self.inverse_variance
        return quadratic - self.visible(x).squeeze(1) - experts


class Generator(nn.Module):
    def __init__(self, noise=100, hidden=(1024, 1024), output=784):
        super().__init__()
        widths = [noise, *hidden]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(h) for h in hidden)
        self.output = nn.Linear(hidden[-1], output)
        self.noise = noise

    def forward(self, n):
        h = torch.randn(n, self.noise)
        entropy = 0.0
        for layer, norm in zip(self.layers, self.norms):
            normalised = norm(layer(h))
            variance = normalised.var(0, unbiased=False).clamp_min(1e-8)
            entropy = entropy + 0.5 * torch.log(2 * math.pi * math.e * variance).sum()
            h = F.relu(normalised)
        return torch.sigmoid(self.output(h)), entropy


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    batch = 100
    torch.manual_seed(0)
    energy, generator = Energy(), Generator()
    energy_opt = torch.optim.Adam(energy.parameters(), lr=2e-4, betas=(0.5, 0.999))
    generator_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = torch.rand(batch, 784)

    def iteration():
        with torch.no_grad():
            negative, _ = generator(batch)
        loss = energy(data).mean() - energy(negative).mean()
        energy_opt.zero_grad(set_to_none=True)
        loss.backward()
        energy_opt.step()
        samples, entropy = generator(batch)
        objective = energy(samples).mean() - entropy
        generator_opt.zero_grad(set_to_none=True)
        objective.backward()
        generator_opt.step()

    iteration()
    start = time.perf_counter()
    for _ in range(steps):
        iteration()
    print(f"steps_per_second {steps / (time.perf_counter() - start)}")


if __name__ == "__main__":
    main()
