#!/usr/bin/env python3
"""PyTorch reference of mi-harness's 2D-grid GAN step (paper §5.3), for `harness bench --gan --vs-torch`
and for exploring training settings (docs/gan.md). Reference only: published cells come from the
project's own engine.

Networks as PacGAN's 2D-grid configuration (fjxmlzn/PacGAN, synthetic_data_experiments/
2DGrid_GAN&PacGAN): generator z -> 4 x [Linear(no bias) -> BatchNorm -> ReLU] -> Linear(2);
discriminator 3 x LinearMaxout(k pieces) -> Linear(1); weights N(0, 0.02), biases 0; flags give
the 'grid' setup's networks (--no-bn, --pieces 1 for ReLU). One step as src/gan/loop.ts: one
latent batch, one discriminator update on [real; generated] (softplus losses on logits), one
generator update with the non-saturating loss through the same generator pass, Adam for both,
the EMA of the generator's weights.
BatchNorm uses the batch's statistics (training mode) everywhere, evaluation included (on the
2 500-sample evaluation batch).

Modes: time --steps steps (after warm-up) and print {"msPerStep" (median), ...}.
--train: train for --steps, evaluate every --eval-every steps (modes, high-quality share of 2 500
samples, for the raw and for the EMA generator), print one JSON line per evaluation.
One thread: OMP/MKL/OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(1).
"""
import os

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MEANS = torch.tensor([[x, y] for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], dtype=torch.float32)
SIGMA = 0.05


class Maxout(nn.Module):
    def __init__(self, inp, out, pieces):
        super().__init__()
        self.out, self.pieces = out, pieces
        self.lin = nn.Linear(inp, out * pieces)

    def forward(self, x):
        return self.lin(x).view(-1, self.out, self.pieces).max(dim=2).values


def make_gen(zdim, hidden, layers, bn):
    mods, inp = [], zdim
    for _ in range(layers):
        mods += [nn.Linear(inp, hidden, bias=not bn)]
        if bn:
            mods += [nn.BatchNorm1d(hidden)]
        mods += [nn.ReLU()]
        inp = hidden
    mods += [nn.Linear(inp, 2)]
    return nn.Sequential(*mods)


def make_disc(hidden, layers, pieces):
    mods, inp = [], 2
    for _ in range(layers):
        mods += [Maxout(inp, hidden, pieces) if pieces > 1 else nn.Sequential(nn.Linear(inp, hidden), nn.ReLU())]
        inp = hidden
    mods += [nn.Linear(inp, 1)]
    return nn.Sequential(*mods)


def init(m):
    for p in m.modules():
        if isinstance(p, nn.Linear):
            nn.init.normal_(p.weight, 0, 0.02)
            if p.bias is not None:
                nn.init.zeros_(p.bias)


def grid(n, g):
    idx = torch.randint(0, 25, (n,), generator=g)
    return MEANS[idx] + SIGMA * torch.randn(n, 2, generator=g)


def score(samples):
    d2 = ((samples[:, None, :] - MEANS[None, :, :]) ** 2).sum(-1)
    near = d2 <= (3 * SIGMA) ** 2
    good = near.any(1)
    per = near.sum(0)
    return int((per >= 20).sum()), float(good.float().mean())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--train", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--zdim", type=int, default=2)
    p.add_argument("--noise", choices=["normal", "uniform"], default="normal")
    p.add_argument("--onehot", type=int, default=0, help="append a one-hot code over this many values to z")
    p.add_argument("--g-hidden", type=int, default=400)
    p.add_argument("--g-layers", type=int, default=4)
    p.add_argument("--no-bn", action="store_true")
    p.add_argument("--d-hidden", type=int, default=200)
    p.add_argument("--d-layers", type=int, default=3)
    p.add_argument("--pieces", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--lr-d", type=float, default=None)
    p.add_argument("--beta1", type=float, default=0.8)
    p.add_argument("--schedule", choices=["const", "linear", "cosine"], default="const")
    p.add_argument("--ema", type=float, default=0.0, help="EMA decay of the generator's weights (0: none)")
    p.add_argument("--scale", type=float, default=1.0, help="the networks see data / scale")
    p.add_argument("--eval-every", type=int, default=2500)
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    g = torch.Generator().manual_seed(a.seed + 1000)
    G = make_gen(a.zdim + a.onehot, a.g_hidden, a.g_layers, not a.no_bn)
    D = make_disc(a.d_hidden, a.d_layers, a.pieces)
    init(G)
    init(D)
    Gema = copy.deepcopy(G) if a.ema > 0 else None
    lr_d = a.lr if a.lr_d is None else a.lr_d
    optG = torch.optim.Adam(G.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=lr_d, betas=(a.beta1, 0.999))

    def set_lr(step):
        f = 1.0
        if a.schedule == "linear":
            f = 1 - step / a.steps
        elif a.schedule == "cosine":
            f = 0.5 * (1 + math.cos(math.pi * step / a.steps))
        for o, base in ((optG, a.lr), (optD, lr_d)):
            for pg in o.param_groups:
                pg["lr"] = base * f

    def latent(n, gen):
        z = torch.randn(n, a.zdim, generator=gen) if a.noise == "normal" else torch.rand(n, a.zdim, generator=gen)
        if a.onehot:
            z = torch.cat([z, F.one_hot(torch.randint(0, a.onehot, (n,), generator=gen), a.onehot).float()], 1)
        return z

    def step(i):
        # The step of src/gan/loop.ts: one latent batch; D on [real; fake] in one pass; G against
        # the updated D through the same generator pass; Adam; EMA of G.
        set_lr(i)
        x = grid(a.batch, g) / a.scale
        fake = G(latent(a.batch, g))
        logits = D(torch.cat([x, fake.detach()]))
        lossD = F.softplus(-logits[: a.batch]).mean() + F.softplus(logits[a.batch:]).mean()
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()
        lossG = F.softplus(-D(fake)).mean()
        optG.zero_grad(set_to_none=True)
        lossG.backward()
        optG.step()
        if Gema is not None:
            with torch.no_grad():
                for pe, pg in zip(Gema.parameters(), G.parameters()):
                    pe.mul_(a.ema).add_(pg, alpha=1 - a.ema)

    if not a.train:
        for i in range(max(3, a.steps // 10)):
            step(i)
        clock = time.perf_counter if a.clock == "wall" else time.process_time
        times = []
        for i in range(a.steps):
            t0 = clock()
            step(i)
            times.append((clock() - t0) * 1000)
        print(json.dumps({"msPerStep": statistics.median(times), "steps": a.steps, "torch": torch.__version__,
                          "threads": torch.get_num_threads()}))
        return

    ge = torch.Generator().manual_seed(a.seed + 2000)
    t0 = time.perf_counter()
    for i in range(a.steps):
        step(i)
        if (i + 1) % a.eval_every == 0 or i + 1 == a.steps:
            z = latent(2500, ge)
            with torch.no_grad():
                out = {"step": i + 1, "sec": round(time.perf_counter() - t0, 1)}
                m, hq = score(G(z) * a.scale)
                out.update(modes=m, hq=round(hq, 3))
                if Gema is not None:
                    m, hq = score(Gema(z) * a.scale)
                    out.update(modesEma=m, hqEma=round(hq, 3))
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
