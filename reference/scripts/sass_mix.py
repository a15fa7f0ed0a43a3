#!/usr/bin/env python3
"""SASS side of the instruction-mix check: cuobjdump -sass of the timing build against its PTX.

kernel_mix.h's bodies are PTX counts (mix_check.py ptx checks them per program point). This script
counts the SASS that ptxas made of the same kernels, whole kernel by whole kernel (SASS keeps no
marks), and compares it with the whole-kernel PTX counts that `mix_check.py ptx --save-counts`
wrote for the same sources and nvcc:

  exact      HMMA (mma), LDSM (ldmatrix), LDS/STS by width, SHFL, BAR (bar.sync), LDGSTS
             (cp.async), LDGDEPBAR (commit_group), DEPBAR (wait_group): one SASS instruction per
             PTX instruction (PTX ISA: each is a single warp instruction; ptxas neither splits
             nor merges them)
  at least   MUFU.EX2 / MUFU.RCP / MUFU.RSQ: one per ex2/rcp/rsqrt PTX instruction; the IEEE
             division and reciprocal (div.rn, rcp.rn) bring a slow-path subroutine whose
             MUFU.RCP are counted too (static counts)
  reported   FFMA-class, ALU-class, conversions, HFMA2-class, uniform-datapath and local-memory
             (spill) instructions: SASS / PTX ratios, the part of the bodies that ptxas changes
             (it folds moves and negations, expands divisions, moves f16 unpacking to HADD2.F32)

  python3 sass_mix.py --sass sass.txt --ptx-counts ptx_counts.json [--out sass_mix.json]
  python3 sass_mix.py --binary build/accsim_ref --ptx-counts ...   (runs cuobjdump -sass)

Exit 0 when every exact and at-least comparison holds, 1 otherwise, 77 when cuobjdump is
missing. Run on the GPU machine by run_h100.sh (the development machines have no cuobjdump; the
parser and the rules are tested on a small sample by tests/test_mix_check.py).
"""
import argparse
import collections
import json
import re
import shutil
import subprocess
import sys

EXACT = ["mma_f16_f32_m16n8k16", "mma_bf16_f32_m16n8k16", "ldmatrix_x1", "ldmatrix_x2",
         "ldmatrix_x4", "lds32", "lds64", "lds128", "sts32", "sts64", "sts128", "shfl", "#barrier",
         "#cp", "#commit", "#wait"]
AT_LEAST = ["ex2", "rcp", "rsqrt"]
REPORTED = ["ffma", "hfma2", "alu", "cvt", "ualu", "#local", "sfu_other"]

_SKIP = {"MOV", "MOV32I", "S2R", "S2UR", "CS2R", "LDC", "ULDC", "UMOV", "R2UR", "BRA", "BRX",
         "JMP", "EXIT", "RET", "CALL", "BSSY", "BSYNC", "NOP", "WARPSYNC", "YIELD", "BMOV",
         "BPT", "KILL", "ELECT", "UCGABAR_ARV", "UCGABAR_WAIT", "ACQBULK", "ENDCOLLECTIVE"}
_FFMA = {"FFMA", "FADD", "FMUL", "FFMA32I", "FADD32I", "FMUL32I", "FSWZADD"}
_HALF = {"HFMA2", "HADD2", "HMUL2", "HFMA2_MMA", "HMNMX2", "HSETP2", "HSET2"}
_CVT = {"F2F", "F2FP", "I2F", "F2I", "I2FP", "F2IP", "FRND", "I2I", "I2IP"}
_MEM = {"LDG", "STG", "LD", "ST", "ATOM", "ATOMG", "RED", "REDG", "LDGSTS", "ATOMS", "CCTL"}
_ALU = {"IADD3", "IADD", "IMAD", "IMUL", "LEA", "LOP3", "LOP", "SHF", "SHL", "SHR", "ISETP",
        "FSETP", "FSEL", "SEL", "FMNMX", "IMNMX", "VIMNMX", "VIADDMNMX", "PRMT", "POPC", "FLO",
        "BREV", "IABS", "FCHK", "P2R", "R2P", "VOTE", "VOTEU", "MATCH", "ISCADD", "BMSK",
        "SGXT", "PLOP3", "FSET", "ISET", "CSET", "CSETP", "IDP", "BFE", "BFI", "VIADD", "IADD32I",
        "IMUL32I", "LOP32I", "ISCADD32I", "FMNMX3", "ICMP", "FCMP", "LEPC", "REDUX", "QSPC",
        "DSETP"}


def classify(ins):
    """The class of one SASS instruction (text after the address, predicate removed)."""
    op = ins.split()[0]
    parts = op.split(".")
    base = parts[0]
    if base in _SKIP or op.startswith("IMAD.MOV"):
        return "skip"
    if base == "HMMA":
        return "mma_bf16_f32_m16n8k16" if "BF16" in parts else "mma_f16_f32_m16n8k16"
    if base == "LDSM":
        n = parts[-1] if parts[-1] in ("2", "4") else "1"
        return "ldmatrix_x" + n
    if base in ("LDS", "STS"):
        width = 128 if "128" in parts else 64 if "64" in parts else 32
        return "%s%d" % ("lds" if base == "LDS" else "sts", width)
    if base == "SHFL":
        return "shfl"
    if base == "MUFU":
        return {"EX2": "ex2", "RCP": "rcp", "RSQ": "rsqrt"}.get(parts[1] if len(parts) > 1 else "",
                                                             "sfu_other")
    if base == "BAR":
        return "#barrier"
    if base == "LDGSTS":
        return "#cp"
    if base == "LDGDEPBAR":
        return "#commit"
    if base == "DEPBAR":
        return "#wait"
    if base in ("LDL", "STL"):
        return "#local"
    if base in _MEM:
        return "mem"
    if base in _FFMA:
        return "ffma"
    if base in _HALF:
        return "hfma2"
    if base in _CVT:
        return "cvt"
    if base.startswith("U"):
        return "ualu"
    if base in _ALU:
        return "alu"
    return "other:" + base


INS_RE = re.compile(r"/\*[0-9a-fA-F]{4,}\*/\s+(.*?)\s*;")
FUNC_RE = re.compile(r"^\s*Function\s*:\s*(\S+)")


def parse_sass(text):
    """{function: Counter of classes} from cuobjdump -sass output (every architecture's code
    sections are read; the build has sm_90 only)."""
    out = {}
    cur = None
    for line in text.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = collections.Counter()
            out[m.group(1)] = cur
            continue
        if cur is None:
            continue
        m = INS_RE.search(line)
        if not m:
            continue
        ins = re.sub(r"^@!?U?P[T0-9]+\s+", "", m.group(1).strip())
        if not ins:
            continue
        cur[classify(ins)] += 1
    return out


def ptx_classes(c):
    """PTX whole-kernel counts (mix_check.py --save-counts) in the classes compared here."""
    out = collections.Counter()
    for k, n in c.items():
        out[k] += n
    return out


def compare(sass, ptx):
    """(rows, failures): one row per kernel present in both."""
    rows, fails = [], []
    for name in sorted(ptx):
        if "PlainMem" not in name:
            continue
        if name not in sass:
            fails.append("%s: not in the SASS" % name)
            continue
        s, p = sass[name], ptx_classes(ptx[name])
        row = {"kernel": name, "exact": {}, "at_least": {}, "reported": {}}
        for c in EXACT:
            row["exact"][c] = [p.get(c, 0), s.get(c, 0)]
            if p.get(c, 0) != s.get(c, 0):
                fails.append("%s: %s PTX %d, SASS %d" % (name, c, p.get(c, 0), s.get(c, 0)))
        for c in AT_LEAST:
            row["at_least"][c] = [p.get(c, 0), s.get(c, 0)]
            if s.get(c, 0) < p.get(c, 0):
                fails.append("%s: %s PTX %d, SASS only %d" % (name, c, p.get(c, 0), s.get(c, 0)))
        for c in REPORTED:
            row["reported"][c] = [p.get(c, 0), s.get(c, 0)]
        others = {k: v for k, v in s.items() if k.startswith("other:")}
        if others:
            row["unclassified_sass"] = others
        rows.append(row)
    return rows, fails


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sass", help="cuobjdump -sass output")
    ap.add_argument("--binary", help="run cuobjdump -sass on this file")
    ap.add_argument("--cuobjdump", default="cuobjdump")
    ap.add_argument("--ptx-counts", required=True, help="mix_check.py ptx --save-counts output")
    ap.add_argument("--out", help="write the comparison as JSON")
    args = ap.parse_args(argv)
    if args.sass:
        with open(args.sass) as f:
            text = f.read()
    else:
        if not args.binary or not shutil.which(args.cuobjdump):
            print("SKIP: cuobjdump not found (or no --binary): no SASS check")
            return 77
        text = subprocess.run([args.cuobjdump, "-sass", args.binary], check=True,
                              capture_output=True, text=True).stdout
    with open(args.ptx_counts) as f:
        ptx = json.load(f)
    rows, fails = compare(parse_sass(text), ptx["entries"])
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"nvcc": ptx.get("nvcc"), "kernels": rows, "failures": fails}, f, indent=1)
    for r in rows:
        rep = r["reported"]
        print("%-60s ffma %s alu %s cvt %s hfma2 %s local %s" % (
            r["kernel"][-60:], *("%d/%d" % tuple(rep[c]) for c in
                                 ("ffma", "alu", "cvt", "hfma2", "#local"))))
    for m in fails:
        print("FAIL:", m)
    print("%d passed, %d failed" % (len(rows) - len({m.split(":")[0] for m in fails}),
                                    len({m.split(":")[0] for m in fails})))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
