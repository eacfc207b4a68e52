#!/usr/bin/env python3
"""PyTorch reference of one training step of mi-harness's critics, for `harness bench --vs-torch`.

The identical step to bench/step.ts: n = 64 pairs of d = 20 Gaussian vectors, critic with two
hidden layers of h = 256 (separable: towers f, g: d -> h -> h -> e = 32, S = F G^T; joint:
2d -> h -> h -> 1 on all n^2 pairs, first layer decomposed as W_x x_i + W_y y_j + b, exactly as
the wasm engine does it), NWJ loss (paper eq. 9: mean of the diagonal minus the mean over the
n(n-1) off-diagonal pairs of exp(T - 1)), backward, torch.optim.Adam(lr=5e-4). One thread:
OMP/MKL/OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(1).

Prints one JSON object: {"critic", "n", "msPerStep" (median), "steps", "torch", "threads", "blas"}.
--n sets the batch size (default 64, the paper's).
--clock cpu times process CPU time instead of wall time (as `harness bench --clock cpu`).
--device cuda runs the step on the GPU (synchronised before each clock read); exit 3 when torch
has no CUDA device.
"""
import os

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


class Separable(nn.Module):
    def __init__(self, d, h, e):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, e))
        self.g = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, e))

    def forward(self, x, y):
        return self.f(x) @ self.g(y).t()


class Joint(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.d = d
        self.l1 = nn.Linear(2 * d, h)
        self.rest = nn.Sequential(nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 1))

    def forward(self, x, y):
        n, d = x.shape[0], self.d
        w = self.l1.weight
        a = x @ w[:, :d].t() + self.l1.bias  # n x h
        b = y @ w[:, d:].t()  # n x h
        pre = (a[:, None, :] + b[None, :, :]).reshape(n * n, -1)
        return self.rest(pre).reshape(n, n)


def nwj_loss(s):
    n = s.shape[0]
    diag = torch.diagonal(s).mean()
    off = ~torch.eye(n, dtype=torch.bool, device=s.device)
    return -(diag - torch.exp(s[off] - 1).mean())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--critic", choices=["joint", "separable"], required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--d", type=int, default=20)
    p.add_argument("--h", type=int, default=256)
    p.add_argument("--e", type=int, default=32)
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="wall: elapsed time; cpu: this process's CPU time (robust on a loaded machine)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    a = p.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("torch has no CUDA device here", file=__import__("sys").stderr)
        raise SystemExit(3)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    model = (Separable(a.d, a.h, a.e) if a.critic == "separable" else Joint(a.d, a.h)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)
    rho = 0.5
    batches = []
    for _ in range(16):
        x = torch.randn(a.n, a.d)
        y = rho * x + (1 - rho * rho) ** 0.5 * torch.randn(a.n, a.d)
        batches.append((x.to(dev), y.to(dev)))

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = nwj_loss(model(x, y))
        loss.backward()
        opt.step()
        if a.device == "cuda":
            torch.cuda.synchronize()

    for i in range(max(3, a.steps // 10)):
        step(i)
    clock = time.perf_counter if a.clock == "wall" else time.process_time
    times = []
    for i in range(a.steps):
        t0 = clock()
        step(i)
        times.append((clock() - t0) * 1000)
    print(json.dumps({
        "critic": a.critic, "n": a.n, "msPerStep": statistics.median(times), "steps": a.steps,
        "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_name(), "device": a.device,
        "gpu": torch.cuda.get_device_name(0) if a.device == "cuda" else None,
    }))


def blas_name():
    """BLAS_INFO from torch's build; 'generic' means the system libblas.so.3 (Debian: an alternative)."""
    cfg = torch.__config__.show()
    info = cfg.split("BLAS_INFO=")[1].split(",")[0].strip() if "BLAS_INFO=" in cfg else "unknown"
    if info == "generic":
        for lib in ("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3"):
            if os.path.exists(lib):
                real = os.path.realpath(lib)
                return "openblas" if "openblas" in real else ("blis" if "blis" in real else "refblas")
    return info


if __name__ == "__main__":
    main()
