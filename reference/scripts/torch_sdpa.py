#!/usr/bin/env python3
"""Times PyTorch's scaled_dot_product_attention (flash backend) at the study's 'torch' shapes.

Same method as accsim_ref time: CUDA events around the call, warm-up, repetitions with the L2
flushed before each (a write of twice the L2 size), median and spread. Inputs are [B, H, N, d]
like the reference kernels' tensors. Usage:
  torch_sdpa.py --out torch.json --reps 20 --warmup 3 sdpa-flash_B4_H16_N4096_d64_f16 ...
"""
import argparse
import json
import math
import re
import sys

ID = re.compile(r"^sdpa-\w+_B(\d+)_H(\d+)_N(\d+)_d(\d+)(_causal)?_(f16|bf16)$")


def quantile(sorted_v, q):
    # Linear interpolation between order statistics (numpy's default), as reference/host/stats.cpp.
    if not sorted_v:
        return None
    pos = q * (len(sorted_v) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_v) - 1)
    return sorted_v[lo] + (sorted_v[hi] - sorted_v[lo]) * (pos - lo)


def summary(v):
    s = sorted(v)
    mean = sum(s) / len(s)
    var = sum((x - mean) ** 2 for x in s) / (len(s) - 1) if len(s) > 1 else 0.0
    return {"n": len(s), "min": s[0], "p10": quantile(s, 0.1), "median": quantile(s, 0.5),
            "p90": quantile(s, 0.9), "max": s[-1], "mean": mean, "stdev": math.sqrt(var)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("ids", nargs="+", help="reference case ids of sdpa cases")
    a = ap.parse_args()

    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    import torch.nn.functional as F

    dev = torch.cuda.current_device()
    props = torch.cuda.get_device_properties(dev)
    l2 = getattr(props, "L2_cache_size", 50 << 20)
    flush = torch.empty(2 * l2, dtype=torch.uint8, device="cuda")
    results = []
    for case_id in a.ids:
        m = ID.match(case_id)
        if not m:
            print(f"torch_sdpa: not an sdpa case id: {case_id}", file=sys.stderr)
            return 2
        b, h, n, d = (int(m.group(i)) for i in range(1, 5))
        causal = m.group(5) is not None
        dtype = torch.float16 if m.group(6) == "f16" else torch.bfloat16
        g = torch.Generator(device="cuda").manual_seed(1234)
        q, k, v = (torch.rand(b, h, n, d, device="cuda", dtype=dtype, generator=g) * 2 - 1
                   for _ in range(3))
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):  # raises if flash cannot run this shape
            for _ in range(a.warmup):
                flush.zero_()
                F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            times = []
            for _ in range(a.reps):
                flush.zero_()
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                e0.record()
                out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                e1.record()
                e1.synchronize()
                times.append(e0.elapsed_time(e1) * 1e3)  # us
        # The flash result against the math backend in fp32, so the timed call is known to be right.
        with sdpa_kernel(SDPBackend.MATH):
            ref = F.scaled_dot_product_attention(q[:1, :1].float(), k[:1, :1].float(),
                                                 v[:1, :1].float(), is_causal=causal)
        rel = ((out[:1, :1].float() - ref).norm() / ref.norm()).item()
        pairs = n * (n + 1) / 2 if causal else n * n
        flops = 4.0 * b * h * pairs * d
        s = summary(times)
        results.append({"case": case_id, "B": b, "H": h, "N": n, "d": d, "causal": causal,
                        "dtype": m.group(6), "backend": "flash", "time_us": s,
                        "tflops": flops / (s["median"] * 1e-6) / 1e12, "rel_l2_vs_math_fp32": rel})
        print(f"TORCH {case_id:<44} median {s['median']:10.2f} us  "
              f"{results[-1]['tflops']:.1f} TFLOP/s  rel-L2 {rel:.2e}")
        del q, k, v, out, ref
    with open(a.out, "w") as f:
        json.dump({"torch_version": torch.__version__, "cuda": torch.version.cuda,
                   "gpu": props.name, "reps": a.reps, "warmup": a.warmup, "l2_flush_bytes": 2 * l2,
                   "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
