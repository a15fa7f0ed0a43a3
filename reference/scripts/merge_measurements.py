#!/usr/bin/env python3
"""Merges one run of reference/run_h100.sh into the measurements file and the summary table.

Inputs (all written by the same run; any but --gpu and --timing may be missing):
  gpu.json            accsim_ref info
  check.jsonl         accsim_ref check        (fp64 checks at every study shape)
  timing.jsonl        accsim_ref time         (CUDA-event statistics per case and kernel)
  ops.optrace.jsonl   accsim_ref time         (op trace with measured.time_ns)
  launches.tsv        accsim_ref profile      (which case each profiled launch belongs to)
  ncu.csv             ncu --csv --page raw    (counters, one row per profiled launch, in order)
  capture.jsonl       accsim_ref capture      (records per captured trace)
  capture.optrace.jsonl                       (op trace of the captured launches)
  torch.json          scripts/torch_sdpa.py
Outputs: measurements.json, the two op traces with the ncu counters added to "measured", and a
plain-text summary (printed too). Only Python's standard library is used.
"""
import argparse
import csv
import datetime
import json
import os
import sys

NCU_METRICS = {
    "gpu__time_duration.sum": "gpu_time_ns",
    "dram__bytes_read.sum": "dram_bytes_read",
    "dram__bytes_write.sum": "dram_bytes_write",
    "lts__t_sector_hit_rate.pct": "l2_hit_pct",
    "l1tex__t_sector_hit_rate.pct": "l1_hit_pct",
}
# --print-units base gives seconds/bytes in base units; scale time to ns whatever ncu chose.
TIME_SCALE = {"nsecond": 1.0, "ns": 1.0, "usecond": 1e3, "us": 1e3, "msecond": 1e6, "ms": 1e6,
              "second": 1e9, "s": 1e9}


def read_jsonl(path):
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{path}:{n}: not JSON: {e}")
    return out


def number(text):
    t = text.strip().replace(",", "")
    if t in ("", "n/a", "N/A"):
        return None
    try:
        return float(t)
    except ValueError:
        return None


def read_ncu(path):
    """Rows of an ncu raw-page CSV as dicts {metric name: value}, in launch order."""
    if not path or not os.path.exists(path):
        return [], []
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]  # drop ==PROF== and program output
    rows = list(csv.reader(lines))
    if not rows:
        return [], []
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    units = {}
    body = rows[1:]
    if body and "ID" in col and body[0][col["ID"]].strip() == "":  # the units row
        units = {header[i]: u for i, u in enumerate(body[0])}
        body = body[1:]
    problems = []
    for m in NCU_METRICS:
        if m not in col:
            problems.append(f"ncu CSV lacks the column {m}")
    out = []
    for r in body:
        if len(r) != len(header):
            problems.append(f"ncu CSV row of {len(r)} fields, header has {len(header)}")
            continue
        e = {"id": r[col["ID"]] if "ID" in col else "",
             "kernel": r[col["Kernel Name"]] if "Kernel Name" in col else ""}
        for m, key in NCU_METRICS.items():
            if m in col:
                v = number(r[col[m]])
                if v is not None and m == "gpu__time_duration.sum":
                    v *= TIME_SCALE.get(units.get(m, "nsecond"), 1.0)
                e[key] = v
        out.append(e)
    return out, problems


def read_launches(path):
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and parts[0] == "seq":
                continue
            if len(parts) != 4:
                raise SystemExit(f"{path}:{n}: expected 4 tab-separated fields")
            out.append({"case": parts[1], "index": int(parts[2]), "kernel": parts[3]})
    return out


def attach_ncu(launches, ncu_rows, problems):
    """{case: {kernel index: counters}}; stops at the first name mismatch so that no counter is
    attributed to the wrong launch."""
    by_case = {}
    if len(ncu_rows) != len(launches):
        problems.append(f"ncu profiled {len(ncu_rows)} launches, the launch log has "
                        f"{len(launches)} (ncu cut short or filters differ); merging the common "
                        f"prefix")
    for i, (l, r) in enumerate(zip(launches, ncu_rows)):
        if l["kernel"] not in r["kernel"]:
            problems.append(f"launch {i}: log says {l['kernel']} ({l['case']}) but ncu row says "
                            f"{r['kernel']}; counters from here on are not merged")
            break
        c = {k: r.get(k) for k in NCU_METRICS.values()}
        by_case.setdefault(l["case"], {})[l["index"]] = c
    return by_case


def measured_update(rec, counters):
    m = rec.setdefault("measured", {})
    if counters.get("dram_bytes_read") is not None:
        m["dram_read_bytes"] = int(round(counters["dram_bytes_read"]))
    if counters.get("dram_bytes_write") is not None:
        m["dram_write_bytes"] = int(round(counters["dram_bytes_write"]))
    for src, dst in (("l1_hit_pct", "l1_hit_pct"), ("l2_hit_pct", "l2_hit_pct")):
        v = counters.get(src)
        if v is not None:
            m[dst] = min(100.0, max(0.0, v))


def rewrite_optrace(path_in, path_out, case_kernels, timing_by_case, ncu):
    """Adds ncu counters (and, for the capture op trace, the event time) to each record.
    case_kernels: [(case id, number of op-trace records)] in file order."""
    if not path_in or not os.path.exists(path_in):
        return 0
    with open(path_in) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if not lines:
        return 0
    out = [lines[0]]
    body = [json.loads(l) for l in lines[1:]]
    pos = 0
    for case, count in case_kernels:
        for k in range(count):
            if pos >= len(body):
                raise SystemExit(f"{path_in}: fewer records than the run's cases need")
            rec = body[pos]
            pos += 1
            t = timing_by_case.get(case)
            if t is not None and "measured" not in rec and k < len(t["kernels"]):
                rec["measured"] = {"time_ns": t["kernels"][k]["time_us"]["median"] * 1e3}
            if case in ncu and k in ncu[case]:
                measured_update(rec, ncu[case][k])
            out.append(json.dumps(rec, separators=(",", ":")))
    if pos != len(body):
        raise SystemExit(f"{path_in}: {len(body) - pos} records more than the run's cases")
    with open(path_out, "w") as f:
        f.write("\n".join(out) + "\n")
    return pos


def fmt_bytes(b):
    return "-" if b is None else f"{b / 1e6:,.1f} MB"


def main():
    ap = argparse.ArgumentParser()
    for name in ("gpu", "check", "timing", "optrace", "launches", "ncu", "capture",
                 "capture-optrace", "torch"):
        ap.add_argument("--" + name, default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--optrace-out", default="")
    ap.add_argument("--capture-optrace-out", default="")
    ap.add_argument("--summary", default="")
    ap.add_argument("--command", default="")
    ap.add_argument("--notes", default="")
    a = ap.parse_args()

    with open(a.gpu) as f:
        gpu = json.load(f)
    checks = {c["case"]: c for c in read_jsonl(a.check)}
    timing = read_jsonl(a.timing)
    timing_by_case = {t["case"]: t for t in timing}
    captures = {c["case"]: c for c in read_jsonl(a.capture)}
    ncu_rows, problems = read_ncu(a.ncu)
    ncu = attach_ncu(read_launches(a.launches), ncu_rows, problems) if ncu_rows else {}
    torch = {}
    if a.torch and os.path.exists(a.torch):
        with open(a.torch) as f:
            torch = json.load(f)

    ids = list(dict.fromkeys(list(checks) + list(timing_by_case) + list(captures)))
    cases = []
    for cid in ids:
        t = timing_by_case.get(cid)
        c = checks.get(cid)
        head = t or c or captures[cid]
        e = {k: head[k] for k in ("case", "op", "impl", "dtype", "shape", "causal", "tags")}
        if c:
            e["check"] = {k: c[k] for k in ("pass", "rel_l2", "max_err_rel", "tol", "compared",
                                            "total", "nonfinite", "seed", "detail")}
        if t:
            for k in ("reps", "warmup", "l2_flush", "flops", "min_bytes", "moved_bytes", "time_us",
                      "tflops", "gbps", "info", "readings"):
                e[k] = t[k]
            e["kernels"] = t["kernels"]
        if cid in ncu:
            for k in e.get("kernels", []):
                if k["index"] in ncu[cid]:
                    k["ncu"] = ncu[cid][k["index"]]
            tot = {}
            for key in ("gpu_time_ns", "dram_bytes_read", "dram_bytes_write"):
                vals = [v.get(key) for v in ncu[cid].values()]
                tot[key] = sum(vals) if vals and None not in vals else None
            e["ncu_total"] = tot
        if cid in captures:
            cp = captures[cid]
            e["capture"] = {k: cp[k] for k in ("file", "records", "dropped", "overflow",
                                                "cta_sample", "bytes", "check_pass")}
        cases.append(e)

    # Comparisons the issue asks for.
    by_shape = {}
    for e in cases:
        if e["op"] == "sdpa":
            key = (json.dumps(e["shape"], sort_keys=True), e["causal"], e["dtype"])
            by_shape.setdefault(key, {})[e["impl"]] = e
    fused_vs_naive = []
    for key, impls in by_shape.items():
        f, n = impls.get("flash"), impls.get("naive")
        if not f or not n:
            continue
        row = {"shape": json.loads(key[0]), "causal": key[1], "dtype": key[2],
               "flash_us": f.get("time_us", {}).get("median"),
               "naive_us": n.get("time_us", {}).get("median")}
        for impl, src in (("flash", f), ("naive", n)):
            tot = src.get("ncu_total")
            if tot and tot.get("dram_bytes_read") is not None and tot.get("dram_bytes_write") is not None:
                row[impl + "_dram_bytes"] = tot["dram_bytes_read"] + tot["dram_bytes_write"]
        fused_vs_naive.append(row)
    vs_torch = []
    for r in torch.get("results", []):
        ours = timing_by_case.get(r["case"])
        row = {"case": r["case"], "torch_us": r["time_us"]["median"],
               "ours_us": ours["time_us"]["median"] if ours else None}
        if row["ours_us"]:
            row["ratio"] = row["ours_us"] / row["torch_us"]
            row["within_2x"] = row["ratio"] <= 2.0
        vs_torch.append(row)

    doc = {
        "format": "accsim-measurements", "version": 1,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": a.command,
        "gpu": gpu,
        "method": {
            "time": "CUDA events around each launch; warm-up runs, then repetitions; L2 flushed "
                    "(memset of twice the L2 size) before every run except for the "
                    "microbenchmarks, which warm their own caches; statistics over repetitions, "
                    "percentiles by linear interpolation",
            "counters": "ncu --csv --page raw --print-units base --clock-control none "
                        "--cache-control all (cold caches), one profiled run per case",
            "checks": "fp64 host references on counter-based random inputs, outputs poisoned "
                      "with NaN first; relative L2 within the dtype's tolerance and the largest "
                      "error within 30x that (x rms of the reference)",
        },
        "notes": a.notes,
        "problems": problems,
        "cases": cases,
        "torch": torch,
        "comparisons": {"fused_vs_naive_sdpa": fused_vs_naive, "flash_vs_torch": vs_torch},
    }
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)

    # Op traces with the counters.
    optrace_cases = [(t["case"], len(t["kernels"])) for t in timing
                     if t["op"] not in ("chase", "bandwidth")]
    if a.optrace_out:
        rewrite_optrace(a.optrace, a.optrace_out, optrace_cases, {}, ncu)
    if a.capture_optrace_out:
        cap_cases = []
        for c in read_jsonl(a.capture):
            if c["op"] in ("chase", "bandwidth"):
                continue
            t = timing_by_case.get(c["case"])
            n = {"sdpa": 3 if c["impl"] == "naive" else 1, "decode": 2}.get(c["op"], 1)
            cap_cases.append((c["case"], n))
        rewrite_optrace(a.capture_optrace, a.capture_optrace_out, cap_cases, timing_by_case, ncu)

    # Summary table, printed last by run_h100.sh.
    L = []
    L.append(f"accsim reference run on {gpu.get('name')} ({gpu.get('sm_count')} SMs, "
             f"SM clock {gpu.get('sm_clock_measured_mhz', 0):.0f} MHz measured, driver "
             f"{gpu.get('driver_version')}, CUDA runtime {gpu.get('cuda_runtime_version')})")
    n_pass = sum(1 for c in checks.values() if c["pass"])
    L.append(f"fp64 checks: {n_pass} of {len(checks)} cases pass")
    for c in checks.values():
        if not c["pass"]:
            L.append(f"  FAIL {c['case']}: {c['detail']}")
    if problems:
        L.append("problems: " + "; ".join(problems))
    L.append("")
    L.append("fused vs naive attention (median time; DRAM bytes read+written by ncu)")
    L.append(f"  {'shape':<34} {'flash us':>10} {'naive us':>10} {'flash DRAM':>14} {'naive DRAM':>14} {'ratio':>7}")
    for r in sorted(fused_vs_naive, key=lambda r: (r["shape"].get("d"), r["shape"].get("N"), r["causal"])):
        s = r["shape"]
        label = f"B{s['B']} H{s['H']} N{s['N']} d{s['d']}{' causal' if r['causal'] else ''} {r['dtype']}"
        fb, nb = r.get("flash_dram_bytes"), r.get("naive_dram_bytes")
        ratio = f"{nb / fb:7.1f}" if fb and nb else "      -"
        fus = f"{r['flash_us']:10.1f}" if r["flash_us"] else "         -"
        nus = f"{r['naive_us']:10.1f}" if r["naive_us"] else "         -"
        L.append(f"  {label:<34} {fus} {nus} {fmt_bytes(fb):>14} {fmt_bytes(nb):>14} {ratio}")
    if vs_torch:
        L.append("")
        L.append("fused attention vs torch scaled_dot_product_attention (flash backend), same run")
        for r in vs_torch:
            ok = "" if r.get("ratio") is None else f"{r['ratio']:.2f}x {'(within 2x)' if r['within_2x'] else '(NOT within 2x)'}"
            ours = f"{r['ours_us']:.1f}" if r["ours_us"] else "-"
            L.append(f"  {r['case']:<40} ours {ours:>9} us  torch {r['torch_us']:9.1f} us  {ok}")
    micro = {}
    for e in cases:
        if e["op"] in ("chase", "bandwidth") and "time_us" in e:
            if e["op"] == "chase":
                v = e.get("readings", {}).get("cycles_per_load", {}).get("median")
            else:
                v = e.get("gbps")
            micro.setdefault((e["op"], e["shape"]["bytes"]), {})[e["impl"]] = v
    if micro:
        L.append("")
        L.append("microbenchmarks by working set: pointer chase (cycles per dependent load) and "
                 "read sweep (GB/s), L1-cached (ca) / L1-bypassing (cg) loads")
        for op in ("chase", "bandwidth"):
            rows = sorted(k[1] for k in micro if k[0] == op)
            if not rows:
                continue
            unit = "cycles" if op == "chase" else "GB/s"
            cells = []
            for b in rows:
                v = micro[(op, b)]
                size = f"{b >> 20}M" if b >= 1 << 20 else f"{b >> 10}K"
                ca = "-" if v.get("ca") is None else f"{v['ca']:.0f}"
                cg = "-" if v.get("cg") is None else f"{v['cg']:.0f}"
                cells.append(f"{size}:{ca}/{cg}")
            L.append(f"  {op} ({unit} ca/cg): " + "  ".join(cells))
    other = [e for e in cases if e["op"] not in ("sdpa", "chase", "bandwidth") and "time_us" in e]
    if other:
        L.append("")
        L.append("other kernels (median time, achieved TFLOP/s and GB/s of the minimum bytes)")
        for e in other:
            L.append(f"  {e['case']:<38} {e['time_us']['median']:9.1f} us {e['tflops']:6.1f} TF/s "
                     f"{e['gbps']:5.0f} GB/s")
    if captures:
        L.append("")
        tot = sum(c["bytes"] for c in captures.values())
        bad = [c["case"] for c in captures.values() if c["overflow"] or not c["check_pass"]]
        L.append(f"captured traces: {len(captures)} files, {tot / 1e6:.1f} MB uncompressed"
                 + (f"; overflow or check failure in: {', '.join(bad)}" if bad else ""))
    text = "\n".join(L) + "\n"
    if a.summary:
        with open(a.summary, "w") as f:
            f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
