#!/usr/bin/env python3
"""PyTorch on CUDA as the GPU peer of bench/gpu-check.ts: the same kernels, timed the same way.

Usage: torch_gpu.py <sizes comma-separated> <weight-norm shapes as inxout, comma-separated>
Prints JSON lines:
  {"kind": "matmul", "n": n, "resident_ms": …, "transfer_ms": …}  C = A·B, n×n fp32, TF32 off:
      resident = 10 chained products on the device, per product (CUDA events);
      transfer = copy A and B to the card, multiply, copy C back (wall clock, synchronized);
  {"kind": "weightnorm", "shape": [in, out], "ms": …}  W = g·V/Σ|V| per column, eager (two kernels).
Medians of 7 after 2 warm-ups.
"""
import json
import statistics
import sys
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = "cuda"


def median_ms(fn, reps=7, warm=2):
    times = []
    for r in range(reps + warm):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times[warm:])


def matmul(n):
    a_host = torch.rand(n, n) - 0.5
    b_host = torch.rand(n, n) - 0.5
    a, b = a_host.to(dev), b_host.to(dev)

    def chain():
        c = a @ b
        for _ in range(9):
            c = a @ c
        return c

    resident = median_ms(chain) / 10

    def transfer():
        return (a_host.to(dev) @ b_host.to(dev)).cpu()

    return {"kind": "matmul", "n": n, "resident_ms": resident, "transfer_ms": median_ms(transfer)}


def weightnorm(i, o):
    v = torch.rand(i, o, device=dev) - 0.5
    g = torch.tensor([1.5], device=dev)
    return {"kind": "weightnorm", "shape": [i, o], "ms": median_ms(lambda: g * v / v.abs().sum(0, keepdim=True))}


def main():
    print(json.dumps({"kind": "device", "name": torch.cuda.get_device_name(), "torch": torch.__version__}), flush=True)
    for n in [int(x) for x in sys.argv[1].split(",")]:
        print(json.dumps(matmul(n)), flush=True)
    for shape in sys.argv[2].split(","):
        i, o = (int(x) for x in shape.split("x"))
        print(json.dumps(weightnorm(i, o)), flush=True)


main()
