"""PyTorch CPU baseline for `cargo xtask bench i2i`: the CycleGAN training iteration of gen-i2i
(Zhu et al. 2017, at the reference settings) written with torch and timed the same way: one
warm-up iteration, then `iterations` iterations of batch 1 at `side` x `side`.

Networks: the ResNet generator of 9 blocks and 64 filters (reflection padding, instance norm
without affine parameters, ReLU, tanh) and the 3-layer PatchGAN of 64 filters (leaky ReLU 0.2).
One iteration: both generators on the adversarial (least squares), cycle (weight 10) and
identity (weight 5) losses with the discriminators fixed; then both discriminators, halved, on
real images against the generated ones through a pool of 50. Adam 2e-4, betas (0.5, 0.999).

Prints one line: `steps_per_second <value>`. Run by xtask when python3 can import torch.
"""
import random
import sys
import time

import torch
from torch import nn


def norm(channels):
    return nn.InstanceNorm2d(channels, affine=False)


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width),
        )

    def forward(self, x):
        return x + self.body(x)


def generator(filters=64, blocks=9):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, filters, 7), norm(filters), nn.ReLU(True)]
    width = filters
    for _ in range(2):
        layers += [nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), norm(2 * width), nn.ReLU(True)]
        width *= 2
    layers += [Block(width) for _ in range(blocks)]
    for _ in range(2):
        layers += [
            nn.ConvTranspose2d(width, width // 2, 3, stride=2, padding=1, output_padding=1),
            norm(width // 2),
            nn.ReLU(True),
        ]
        width //= 2
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(filters=64, strided=3):
    layers = [nn.Conv2d(3, filters, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    width = filters
    for n in range(1, strided + 1):
        out = filters * min(2 ** n, 8)
        stride = 2 if n < strided else 1
        layers += [nn.Conv2d(width, out, 4, stride=stride, padding=1), norm(out), nn.LeakyReLU(0.2, True)]
        width = out
    layers += [nn.Conv2d(width, 1, 4, stride=1, padding=1)]
    return nn.Sequential(*layers)


class Pool:
    def __init__(self, size=50):
        self.size, self.images = size, []

    def query(self, image):
        if len(self.images) < self.size:
            self.images.append(image)
            return image
        if random.random() < 0.5:
            k = random.randrange(self.size)
            old, self.images[k] = self.images[k], image
            return old
        return image


def main():
    side = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.manual_seed(0)
    random.seed(0)
    g_ab, g_ba = generator(), generator()
    d_a, d_b = discriminator(), discriminator()
    for net in (g_ab, g_ba, d_a, d_b):
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
    opt_g = torch.optim.Adam(list(g_ab.parameters()) + list(g_ba.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(d_a.parameters()) + list(d_b.parameters()), lr=2e-4, betas=(0.5, 0.999))
    pool_a, pool_b = Pool(), Pool()
    real_a = torch.rand(1, 3, side, side) * 2 - 1
    real_b = torch.rand(1, 3, side, side) * 2 - 1
    l1 = nn.L1Loss()

    def ls(output, target):
        return ((output - target) ** 2).mean()

    def iteration():
        fake_b = g_ab(real_a)
        fake_a = g_ba(real_b)
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss = (
            ls(d_b(fake_b), 1.0)
            + ls(d_a(fake_a), 1.0)
            + 10.0 * (l1(g_ba(fake_b), real_a) + l1(g_ab(fake_a), real_b))
            + 5.0 * (l1(g_ba(real_a), real_a) + l1(g_ab(real_b), real_b))
        )
        loss.backward()
        opt_g.step()
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad()
        pooled_a = pool_a.query(fake_a.detach())
        pooled_b = pool_b.query(fake_b.detach())
        loss_d = 0.5 * (ls(d_a(real_a), 1.0) + ls(d_a(pooled_a), 0.0)) + 0.5 * (
            ls(d_b(real_b), 1.0) + ls(d_b(pooled_b), 0.0)
        )
        loss_d.backward()
        opt_d.step()
        return loss.item()

    iteration()
    start = time.perf_counter()
    for _ in range(iterations):
        iteration()
    print(f"steps_per_second {iterations / (time.perf_counter() - start)}")


if __name__ == "__main__":
    main()
