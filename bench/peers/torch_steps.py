#!/usr/bin/env python3
"""PyTorch peer for bench/steps.ts: the same PSiLON model, start and batch, timed per step.

Usage: torch_steps.py <start> <steps> [cuda]   (<start>.json header + <start>.bin float32 arrays)
Prints one JSON line per thread count (on the CPU) or one line (with `cuda`: eager fp32 on
the GPU, TF32 off): runner (naming torch, the BLAS library actually loaded and the threads,
or the card), medianMs, and the objectives before and after the first step. Each step reads
the objective back (`.item()`), as the TypeScript runners do, so GPU timings are complete.
The model follows docs/math.md: L1 weight normalization W = g·V/‖V‖₁ per column,
CReLU layers with n = Σ max(|V⁺|, |V⁻|), closed-form regularizers, objective L + λR, Adam.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float32)


def load(start, device="cpu"):
    head = json.load(open(start + ".json"))
    flat = np.fromfile(start + ".bin", dtype=np.float32)
    arrays = {a["name"]: torch.tensor(flat[a["offset"]:a["offset"] + int(np.prod(a["shape"]))].reshape(a["shape"]), device=device) for a in head["arrays"]}
    return head, arrays


class Model:
    def __init__(self, head, arrays):
        self.arch = head["arch"]
        self.layers = []
        i = 0
        while any(k.startswith(f"{i}.") for k in arrays):
            kind = "crelu" if f"{i}.crelu.v" in arrays else "linear"
            p = {k.split(".")[-1]: arrays[k].clone().requires_grad_(True) for k in arrays if k.startswith(f"{i}.")}
            self.layers.append((kind, p))
            i += 1

    def params(self):
        return [t for _, p in self.layers for t in p.values()]

    @staticmethod
    def linear(x, p):
        w = p["g"] * p["v"] / p["v"].abs().sum(0, keepdim=True)
        return x @ w + p["b"]

    @staticmethod
    def crelu(z, p):
        n = torch.maximum(p["v"].abs(), p["vneg"].abs()).sum(0, keepdim=True)
        wp, wn = p["g"] * p["v"] / n, p["g"] * p["vneg"] / n
        return torch.relu(z) @ wp - torch.relu(-z) @ wn + p["b"]

    def forward(self, x):
        z = self.linear(x, self.layers[0][1])
        for kind, p in self.layers[1:-1]:
            z = self.linear(torch.relu(z), p) if self.arch == "net" else z + self.crelu(z, p)
        last = self.layers[-1][1]
        return self.linear(torch.relu(z), last) if self.arch == "net" else self.crelu(z, last)

    def regularizer(self):
        g = [p["g"] for _, p in self.layers]
        out = g[-1].abs().sum()
        if self.arch == "net":  # |Π g_i| · Σ|g_K|
            return torch.prod(torch.cat(g[:-1])).abs() * out
        return g[0].abs().sum() * torch.prod(1 + torch.cat(g[1:-1]).abs()) * out  # |g₁| Π(1+|g_i|) Σ|g_K|


def blas_loaded():
    """Which library answers torch's BLAS calls: the libblas.so.3 the loader mapped (its folder names it)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "libblas.so" in line and line.split()[-1].startswith("/")}
    names = {"blas": "reference BLAS", "openblas-pthread": "OpenBLAS (pthreads)", "openblas-openmp": "OpenBLAS (OpenMP)"}
    return ", ".join(sorted(f"{names.get(os.path.basename(os.path.dirname(l)), l)}: {l}" for l in libs)) or "no libblas found"


def run(head, arrays, steps, threads=None):
    if threads:
        torch.set_num_threads(threads)
    model = Model(head, arrays)
    x, y = arrays["x"], arrays["y"]
    if head["task"] == "multiclass":
        y = y.long()
        loss_fn = torch.nn.functional.cross_entropy
    else:
        y = y.reshape(-1, 1)
        loss_fn = torch.nn.functional.mse_loss
    opt = torch.optim.Adam(model.params(), lr=head["lr"])

    def objective():
        return loss_fn(model.forward(x), y) + head["lambda"] * model.regularizer()

    times, objs = [], []
    for _ in range(steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad()
        obj = objective()
        obj.backward()
        opt.step()
        objs.append(obj.item())
        times.append((time.perf_counter() - t0) * 1e3)
    with torch.no_grad():
        after = objective().item()
    return statistics.median(times[2:]), [objs[0], objs[1] if len(objs) > 1 else after]


def main():
    start, steps = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 products, as the WGSL kernels compute
        torch.backends.cudnn.allow_tf32 = False
        head, arrays = load(start, "cuda")
        ms, objs = run(head, arrays, steps)
        runner = f"PyTorch {torch.__version__} eager fp32 on {torch.cuda.get_device_name()} (CUDA, TF32 off)"
        print(json.dumps({"runner": runner, "medianMs": ms, "objectives": objs}), flush=True)
        return
    head, arrays = load(start)
    cores = os.cpu_count() or 1
    for threads in sorted({1, cores}):
        ms, objs = run(head, arrays, steps, threads)
        runner = f"PyTorch {torch.__version__} eager fp32 ({blas_loaded()}), {threads} thread{'s' if threads > 1 else ''}"
        print(json.dumps({"runner": runner, "medianMs": ms, "objectives": objs}), flush=True)


main()
