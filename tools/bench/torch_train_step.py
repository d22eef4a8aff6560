"""PyTorch reference for tools/bench: ms per training step of dsm, ssm-vr and sm on the same MLP
(D-H-H-D, softplus, PyTorch default init), batch, optimiser (Adam, lr 1e-3) and data (N(0, I)) as
tools/bench/train-step.ts. One thread, as the tfjs wasm backend uses one core.

Usage: /usr/bin/python3 tools/bench/torch_train_step.py --hidden 128 --batch 128 --dim 2 --losses dsm,ssm-vr,sm --steps 200
Prints one JSON line: {"torch": version, "results": [{"loss", "msPerStep"}]}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn

SIGMA = 0.1  # dsm noise level, as in train-step.ts


def mlp(dim, hidden):
    return nn.Sequential(nn.Linear(dim, hidden), nn.Softplus(), nn.Linear(hidden, hidden), nn.Softplus(), nn.Linear(hidden, dim))


def dsm_loss(net, x):
    z = torch.randn_like(x)
    s = net(x + SIGMA * z)
    # lambda(sigma) = sigma^2 weighting, mean over the batch
    return (0.5 * ((s + z / SIGMA) ** 2).sum(dim=1)).mean() * SIGMA**2


def ssm_vr_loss(net, x):
    x = x.requires_grad_(True)
    v = torch.randint(0, 2, x.shape, dtype=x.dtype) * 2 - 1
    s = net(x)
    gv = torch.autograd.grad((s * v).sum(), x, create_graph=True)[0]
    return ((gv * v).sum(dim=1) + 0.5 * (s**2).sum(dim=1)).mean()


def sm_loss(net, x):
    x = x.requires_grad_(True)
    s = net(x)
    trace = torch.zeros(x.shape[0])
    for i in range(x.shape[1]):
        trace = trace + torch.autograd.grad(s[:, i].sum(), x, create_graph=True)[0][:, i]
    return (trace + 0.5 * (s**2).sum(dim=1)).mean()


LOSSES = {"dsm": dsm_loss, "ssm-vr": ssm_vr_loss, "sm": sm_loss}


def bench(kind, dim, hidden, batch, steps):
    torch.manual_seed(0)
    net = mlp(dim, hidden)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = LOSSES[kind]

    def step():
        x = torch.randn(batch, dim)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net, x)
        loss.backward()
        opt.step()
        return loss

    for _ in range(20):
        step()
    t0 = time.perf_counter()
    for i in range(steps):
        loss = step()
    float(loss)
    return (time.perf_counter() - t0) * 1000 / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--dim", type=int, default=2)
    p.add_argument("--losses", default="dsm,ssm-vr,sm")
    p.add_argument("--steps", type=int, default=200)
    a = p.parse_args()
    torch.set_num_threads(1)
    results = [{"loss": k, "msPerStep": bench(k, a.dim, a.hidden, a.batch, a.steps)} for k in a.losses.split(",")]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
