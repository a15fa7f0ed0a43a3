#!/usr/bin/env python3
"""Tests of scripts/merge_measurements.py on small hand-made inputs (standard library only).

The inputs imitate what accsim_ref and ncu write; the numbers are test data, not measurements.
Run: python3 reference/tests/test_merge.py
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MERGE = os.path.join(HERE, "..", "scripts", "merge_measurements.py")


def timing_line(case, impl, kernels, median):
    ks = [{"index": i, "name": k, "config": "", "grid": [1, 1, 1], "block": [32, 1, 1], "smem": 0,
           "time_us": {"n": 20, "min": median / len(kernels), "p10": 0, "median": median / len(kernels),
                       "p90": 0, "max": 0, "mean": 0, "stdev": 0}} for i, k in enumerate(kernels)]
    return {"case": case, "op": "sdpa", "impl": impl, "dtype": "f16",
            "shape": {"B": 1, "H": 1, "N": 1024, "d": 64}, "causal": False, "tags": ["ncu"],
            "seed": 1, "reps": 20, "warmup": 3, "l2_flush": True, "flops": 1.0, "min_bytes": 1.0,
            "moved_bytes": 1.0, "time_us": {"n": 20, "min": median, "p10": median, "median": median,
                                            "p90": median, "max": median, "mean": median, "stdev": 0},
            "tflops": 1.0, "gbps": 1.0, "kernels": ks, "info": {}, "readings": {}}


NCU_HEADER = ('"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream",'
              '"gpu__time_duration.sum","dram__bytes_read.sum","dram__bytes_write.sum",'
              '"lts__t_sector_hit_rate.pct","l1tex__t_sector_hit_rate.pct"\n')
NCU_UNITS = '"","","","","","","","usecond","byte","byte","%","%"\n'


def ncu_row(i, name, us, rd, wr):
    return f'"{i}","1","accsim_ref","h","{name}","1","7","{us}","{rd:,}","{wr}","50.5","10"\n'


class Merge(unittest.TestCase):
    def run_merge(self, d, ncu_rows, launches):
        flash, naive = "sdpa-flash_B1_H1_N1024_d64_f16", "sdpa-naive_B1_H1_N1024_d64_f16"
        with open(os.path.join(d, "gpu.json"), "w") as f:
            json.dump({"name": "Test GPU", "sm_count": 2, "sm_clock_measured_mhz": 1000,
                       "driver_version": "1.0", "cuda_runtime_version": "13.0"}, f)
        with open(os.path.join(d, "timing.jsonl"), "w") as f:
            f.write(json.dumps(timing_line(flash, "flash", ["flash_fwd_kernel"], 100.0)) + "\n")
            f.write(json.dumps(timing_line(naive, "naive", ["gemm_tc_kernel", "softmax_kernel",
                                                            "gemm_tc_kernel"], 300.0)) + "\n")
        with open(os.path.join(d, "check.jsonl"), "w") as f:
            for c in (flash, naive):
                f.write(json.dumps({"case": c, "op": "sdpa", "impl": "x", "dtype": "f16",
                                    "shape": {}, "causal": False, "tags": [], "seed": 1,
                                    "pass": c == flash, "rel_l2": 1e-4, "max_err_rel": 1e-3,
                                    "tol": 3e-3, "compared": 10, "total": 10, "nonfinite": 0,
                                    "detail": "d"}) + "\n")
        with open(os.path.join(d, "ops.optrace.jsonl"), "w") as f:
            f.write('{"format":"accsim-op-trace","version":1}\n')
            for k in range(4):
                f.write(json.dumps({"kernel": "k", "op": "gemm", "shape": {"M": 1, "N": 1, "K": 1},
                                    "dtype": "fp16", "tensors": [], "smem": 0,
                                    "measured": {"time_ns": 5.0}}) + "\n")
        with open(os.path.join(d, "launches.tsv"), "w") as f:
            f.write("seq\tcase\tkernel_index\tkernel\n")
            for i, (c, k, n) in enumerate(launches):
                f.write(f"{i}\t{c}\t{k}\t{n}\n")
        with open(os.path.join(d, "ncu.csv"), "w") as f:
            f.write("==PROF== Connected to process 1\n")
            f.write(NCU_HEADER + NCU_UNITS + "".join(ncu_rows))
            f.write("==PROF== Disconnected\n")
        out = os.path.join(d, "m.json")
        p = subprocess.run([sys.executable, MERGE, "--gpu", os.path.join(d, "gpu.json"),
                            "--check", os.path.join(d, "check.jsonl"),
                            "--timing", os.path.join(d, "timing.jsonl"),
                            "--optrace", os.path.join(d, "ops.optrace.jsonl"),
                            "--optrace-out", os.path.join(d, "ops.merged.jsonl"),
                            "--launches", os.path.join(d, "launches.tsv"),
                            "--ncu", os.path.join(d, "ncu.csv"), "--out", out,
                            "--summary", os.path.join(d, "summary.txt"), "--command", "test"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            return json.load(f), p.stdout, d

    def test_counters_are_attached_in_launch_order(self):
        flash, naive = "sdpa-flash_B1_H1_N1024_d64_f16", "sdpa-naive_B1_H1_N1024_d64_f16"
        rows = [ncu_row(0, "flash_fwd_kernel", 90, 1000000, 500000),
                ncu_row(1, "gemm_tc_kernel", 100, 2000000, 8000000),
                ncu_row(2, "softmax_kernel", 50, 8000000, 8000000),
                ncu_row(3, "gemm_tc_kernel", 100, 9000000, 500000)]
        launches = [(flash, 0, "flash_fwd_kernel"), (naive, 0, "gemm_tc_kernel"),
                    (naive, 1, "softmax_kernel"), (naive, 2, "gemm_tc_kernel")]
        with tempfile.TemporaryDirectory() as d:
            m, text, _ = self.run_merge(d, rows, launches)
            cases = {c["case"]: c for c in m["cases"]}
            self.assertEqual(cases[flash]["kernels"][0]["ncu"]["dram_bytes_read"], 1e6)
            self.assertEqual(cases[flash]["kernels"][0]["ncu"]["gpu_time_ns"], 90e3)  # us -> ns
            self.assertEqual(cases[naive]["ncu_total"]["dram_bytes_write"], 16.5e6)
            row = m["comparisons"]["fused_vs_naive_sdpa"][0]
            self.assertEqual(row["flash_dram_bytes"], 1.5e6)
            self.assertEqual(row["naive_dram_bytes"], 35.5e6)
            self.assertFalse(cases[naive]["check"]["pass"])
            self.assertIn("FAIL " + naive, text)
            self.assertIn("23.7", text)  # the DRAM ratio in the table
            with open(os.path.join(d, "ops.merged.jsonl")) as f:
                lines = f.read().splitlines()
            self.assertEqual(len(lines), 5)
            rec = json.loads(lines[2])
            self.assertEqual(rec["measured"]["dram_read_bytes"], 2000000)
            self.assertEqual(rec["measured"]["l2_hit_pct"], 50.5)
            self.assertEqual(rec["measured"]["time_ns"], 5.0)  # kept from the timing pass

    def test_name_mismatch_stops_attribution(self):
        flash, naive = "sdpa-flash_B1_H1_N1024_d64_f16", "sdpa-naive_B1_H1_N1024_d64_f16"
        rows = [ncu_row(0, "flash_fwd_kernel", 90, 1000000, 500000),
                ncu_row(1, "softmax_kernel", 100, 2000000, 8000000)]
        launches = [(flash, 0, "flash_fwd_kernel"), (naive, 0, "gemm_tc_kernel"),
                    (naive, 1, "softmax_kernel"), (naive, 2, "gemm_tc_kernel")]
        with tempfile.TemporaryDirectory() as d:
            m, _, _ = self.run_merge(d, rows, launches)
            cases = {c["case"]: c for c in m["cases"]}
            self.assertIn("ncu", cases[flash]["kernels"][0])
            self.assertNotIn("ncu_total", cases[naive])
            self.assertTrue(any("not merged" in p for p in m["problems"]))
            self.assertTrue(any("launch log has 4" in p for p in m["problems"]))


if __name__ == "__main__":
    unittest.main()
