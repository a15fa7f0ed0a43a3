#!/usr/bin/env python3
"""Prints the validation table of models/pim/README.md from a pim study's reports.

    accsim study configs/studies/pim_gpt.yaml -o results/pim_gpt
    python3 models/pim/tools/pim_table.py results/pim_gpt
"""
import json
import pathlib
import sys


def main(folder: str) -> int:
    study = json.loads((pathlib.Path(folder) / "study.json").read_text())
    print("| run | per token | ASIC (non-VMM) share | KV append share | row-buffer hits "
          "| MAC utilisation | off-chip traffic reduction | energy per token |")
    print("|---|---|---|---|---|---|---|---|")
    for run in study["runs"]:
        label = run["label"]
        rep = json.loads((pathlib.Path(folder) / f"{label}.json").read_text())
        p = rep["components"]["pim"]
        lat, bw = p["latency"], p["bandwidth"]
        total = lat["total_ns"]
        stats = rep["stats"]["pim"]
        red = bw["offchip_bytes_without_pim"] / max(1, bw["bus_bytes"])
        print(f"| {label} | {lat['per_token_mean_ns'] / 1e3:.1f} us "
              f"| {100 * lat['asic_ns'] / total:.2f} % | {100 * lat['kv_append_ns'] / total:.2f} % "
              f"| {100 * stats['row_hit_rate']['value']:.2f} % "
              f"| {100 * stats['mac_utilisation']['value']:.1f} % | {red:.0f}x "
              f"| {p['energy']['per_token_pj'] / 1e9:.2f} mJ |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/pim_gpt"))
