"""PyTorch reference for tools/bench: annealed Langevin dynamics with an MLP score network, the same loop as
tools/bench/sample-throughput.ts: s(x, sigma) = f([x, log sigma]) / sigma (embed conditioning, MLP
3-H-H-2 softplus), 1280 samples from U(-8, 8)^2, L geometric levels 20 -> 1, T steps per level,
a_i = eps sigma_i^2 / sigma_L^2, x += (a/2) s + sqrt(a) z (the `half` convention). One thread, no autograd.

Usage: /usr/bin/python3 tools/bench/torch_sample.py --samples 1280 --levels 10 --steps-per-level 100 --hidden 128
Prints one JSON line: {"torch": version, "msPerStep": ..., "seconds": ..., "scoreEvaluations": ...}.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=1280)
    p.add_argument("--levels", type=int, default=10)
    p.add_argument("--steps-per-level", type=int, default=100)
    p.add_argument("--hidden", type=int, default=128)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    h = a.hidden
    net = nn.Sequential(nn.Linear(3, h), nn.Softplus(), nn.Linear(h, h), nn.Softplus(), nn.Linear(h, 2))
    sigmas = [20 * (1 / 20) ** (i / (a.levels - 1)) for i in range(a.levels)]
    eps = 0.1

    def run(levels, steps):
        x = torch.rand(a.samples, 2) * 16 - 8
        with torch.no_grad():
            for sigma in levels:
                step = eps * sigma**2 / levels[-1] ** 2
                col = torch.full((a.samples, 1), math.log(sigma))
                for _ in range(steps):
                    s = net(torch.cat([x, col], dim=1)) / sigma
                    x = x + 0.5 * step * s + math.sqrt(step) * torch.randn_like(x)
        return x

    run([2, 1], 5)  # warm-up
    t0 = time.perf_counter()
    x = run(sigmas, a.steps_per_level)
    float(x.sum())
    seconds = time.perf_counter() - t0
    evals = a.levels * a.steps_per_level
    print(json.dumps({"torch": torch.__version__, "seconds": seconds, "scoreEvaluations": evals, "msPerStep": seconds * 1000 / evals}))


if __name__ == "__main__":
    main()
