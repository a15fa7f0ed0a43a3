#!/usr/bin/env python3
"""Checks workloads/trace/kernel_mix.h against the compiled reference kernels.

kernel_mix.h says, per program point of each reference kernel, how many warp-instructions of each
class (InstrClass of workloads/trace/access_trace_format.h) one warp issues there. This script
counts them in the compiler's output and compares:

  ptx    nvcc -ptx of the kernel sources built with -DACCSIM_MIX_MARKERS, whose mix calls leave PTX
         comments ("// accsim-mix begin gemm_ktile;" ... "// accsim-mix end gemm_ktile;") around
         each program point (reference/kernels/mem.cuh). Per PlainMem (timing build) kernel
         instantiation and program point, the PTX instructions between the marks are classified
         and compared with the body `accsim_ref mix-table` prints for it. The same sources are
         also compiled without the marks, and every kernel's whole-kernel counts per class must be
         equal in both builds (the marks are asm volatile comments; they must not change what is
         counted).
  sass   cuobjdump -sass of the timing build (GPU machine: run_h100.sh), whole-kernel counts per
         SASS class, compared with the whole-kernel PTX counts of the same kernel (saved by the ptx
         check with --save-counts).
  report print the counts per program point of a marked PTX file (development aid).

Counting rules (PTX). Each PTX instruction counts once, in the class of its operation:
  mma.sync ... .f16 / .bf16      mma_f16_f32_m16n8k16 / mma_bf16_f32_m16n8k16
  ldmatrix .x1/.x2/.x4            ldmatrix_x1/x2/x4 (.trans alike)
  ld.shared / st.shared           lds32/64/128, sts32/64/128 by bytes per lane (type size x vector;
                                  1- and 2-byte accesses count as 32)
  shfl.sync                       shfl
  ex2.approx[.ftz].f32            ex2
  rcp.approx / rcp.rn / div.rn    rcp (ptxas expands the IEEE forms into MUFU.RCP and an FFMA
                                  refinement; the sass check shows by how much)
  rsqrt.approx                    rsqrt
  fma/add/sub/mul .f32, cvt.sat.f32.f32 (a saturating FADD)   ffma
  fma/add/sub/mul .f16x2/.bf16x2/.f16/.bf16                   hfma2
  cvt between a floating type and any other type              cvt
  integer and logic arithmetic, integer division (one instruction here; a subroutine in SASS),
  setp, selp, min/max (integer and fp32), neg/abs/copysign, bfi/bfe/prmt, cvt between integer
  types                                                       alu
  not counted: mov (register copies and special-register reads), ld.param, cvta, branches, ret,
  the memory instructions (ld.global, st.global, cp.async: the sector records) and the structure
  (bar.sync, cp.async.commit_group / wait_group: barrier, commit and wait records).
Anything else is an error ("unclassified PTX instruction"), so a new kind of instruction cannot
slip through uncounted.

Region rules. A region runs from "begin NAME" to "end NAME" in PTX text order; regions do not nest
(the check fails if they do), except parts ("part P" ... "partend P"), which lie inside a region
and mark code that runs only in some variants of its body: a table row that excludes part P
compares the region's counts minus P's. A program point whose code the compiler duplicated
(an unrolled loop, two versions of a loop) has several regions of the same name; every copy must
match. Instructions of the exact classes outside every region are an error; alu outside regions
(loop control, hoisted address arithmetic) is reported per kernel.

Tolerances. Exact: mma, ldmatrix, shared loads and stores, shfl, ex2, rcp, rsqrt, ffma, hfma2 and
cvt (the source fixes them: every one is written in the source or follows from a library call),
and the structural instructions: every bar.sync, cp.async.commit_group and cp.async.wait_group
must follow a barrier, commit or wait mark with no other such instruction between. alu: within
max(ALU_ABS, ALU_REL x expected) of the body (address arithmetic and loop control move between
regions with the compiler's choices).
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLASSES = [
    "mma_f16_f32_m16n8k16", "mma_bf16_f32_m16n8k16", "ffma", "hfma2", "ex2", "rcp", "rsqrt",
    "alu", "cvt", "shfl", "lds32", "lds64", "lds128", "sts32", "sts64", "sts128", "ldmatrix_x1",
    "ldmatrix_x2", "ldmatrix_x4"
]
EXACT = [c for c in CLASSES if c != "alu"]
ALU_ABS = 6
ALU_REL = 0.25

_TYPE_BYTES = {"8": 1, "16": 2, "32": 4, "64": 8}
_ALU_OPS = {
    "add", "sub", "mul", "mad", "mul24", "mad24", "div", "rem", "and", "or", "xor", "not", "cnot",
    "shl", "shr", "setp", "selp", "min", "max", "neg", "abs", "copysign", "bfi", "bfe", "prmt",
    "popc", "clz", "brev", "lop3", "shf", "sad", "slct", "testp", "bfind", "fns"
}
_SKIP_OPS = {"mov", "ld.param", "cvta", "bra", "ret", "exit"}
_FLOAT_TYPES = {"f16", "bf16", "f32", "f64", "f16x2", "bf16x2", "tf32", "e4m3x2", "e5m2x2"}


class PtxError(Exception):
    pass


def access_width(op):
    """Bytes per lane of an ld/st: type size times the vector length."""
    parts = op.split(".")
    vec = 1
    size = None
    for p in parts[1:]:
        if p in ("v2", "v4", "v8"):
            vec = int(p[1:])
        m = re.fullmatch(r"[bsuf](8|16|32|64)", p)
        if m:
            size = _TYPE_BYTES[m.group(1)]
    if size is None:
        raise PtxError("no type in " + op)
    return size * vec


def smem_class(kind, width):
    return "%s%d" % (kind, 32 if width <= 4 else width * 8)


def classify(op):
    """The class of one PTX instruction (its opcode with modifiers), or a kind that is not
    counted: 'skip', 'mem', 'bar', 'commit', 'wait'."""
    parts = op.split(".")
    base = parts[0]
    if base == "mov" or op.startswith("ld.param") or base in ("cvta", "bra", "ret", "exit"):
        return "skip"
    if base == "mma":
        if ".bf16" in op:
            return "mma_bf16_f32_m16n8k16"
        if ".f16" in op:
            return "mma_f16_f32_m16n8k16"
        raise PtxError("mma of another type: " + op)
    if base == "ldmatrix":
        for x in ("x1", "x2", "x4"):
            if "." + x in op:
                return "ldmatrix_" + x
        raise PtxError(op)
    if base in ("ld", "st") and ".shared" in op:
        return smem_class("lds" if base == "ld" else "sts", access_width(op))
    if base in ("ld", "st", "atom", "red") and (".global" in op or ".shared" not in op):
        return "mem"
    if op.startswith("cp.async.commit_group"):
        return "commit"
    if op.startswith("cp.async.wait_group") or op.startswith("cp.async.wait_all"):
        return "wait"
    if op.startswith("cp.async"):
        return "mem"
    if base in ("bar", "barrier") and (".sync" in op or op in ("bar", "barrier")):
        return "bar"
    if base == "shfl":
        return "shfl"
    if base == "ex2":
        return "ex2"
    if base == "rcp" or (base == "div" and parts[-1] in ("f32", "f64")):
        return "rcp"
    if base == "rsqrt":
        return "rsqrt"
    types = [p for p in parts[1:] if p in _FLOAT_TYPES]
    if base == "cvt":
        if len(types) == 2 and types[0] == types[1] == "f32":
            return "ffma"  # cvt.sat.f32.f32 / cvt.rzi.f32.f32: an FADD.SAT / FRND
        return "cvt" if types else "alu"
    if base in ("fma", "add", "sub", "mul") and types:
        return "hfma2" if types[0] in ("f16", "f16x2", "bf16", "bf16x2") else "ffma"
    if base in _ALU_OPS:
        return "alu"
    raise PtxError("unclassified PTX instruction: " + op)


def split_entries(ptx):
    """{entry name: body text} for every .entry of a PTX file."""
    out = {}
    for m in re.finditer(r"^\.(?:visible\s+\.)?entry\s+(\S+?)\s*\((.*?)^\}", ptx, re.S | re.M):
        out[m.group(1)] = m.group(2)
    return out


def instructions(body):
    """Yields ('mark', kind, name), ('label', name), ('bra', target) and ('ins', opcode) in
    text order."""
    for raw in body.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("//"):
            words = line[2:].strip().rstrip(";").split()
            if words and words[0] == "accsim-mix":
                # "accsim-mix begin NAME", "accsim-mix commit"
                yield ("mark", words[1] if len(words) > 1 else "", words[2] if len(words) > 2
                       else None)
            continue
        # inline-asm blocks of the CUDA headers put several statements on one line in braces
        for stmt in line.split(";"):
            s = stmt.strip().strip("{}").strip()
            if not s or s.startswith("//") or s.startswith("."):
                continue
            m = re.fullmatch(r"([$\w]+):", s)
            if m:
                yield ("label", m.group(1))
                continue
            if s.startswith(")") or s.startswith("("):
                continue
            s = re.sub(r"^@!?%\w+\s+", "", s)
            op = s.split()[0]
            if op.split(".")[0] == "bra":
                yield ("bra", s.split()[-1].rstrip(","))
            yield ("ins", op)


class RegionCopy:
    def __init__(self, name, start):
        self.name = name
        self.start = start          # index of its begin mark in the entry's item list
        self.end = None
        self.counts = collections.Counter()
        self.parts = collections.defaultdict(collections.Counter)  # part -> counts inside


class EntryCounts:
    def __init__(self):
        self.total = collections.Counter()      # every counted class, whole kernel
        self.outside = collections.Counter()    # counted classes outside every region
        self.regions = collections.defaultdict(list)  # name -> [RegionCopy]
        self.loops = []                          # (label index, branch index): backward branches
        self.counted = []                        # (item index, class) of every counted item
        self.structure = []                     # marks and structural instructions, in order
        self.errors = []


def analyse_entry(body):
    """Counts per class for the whole entry and per region copy (with its parts); pairs the
    structural instructions with their marks; finds the loops (backward branches)."""
    e = EntryCounts()
    region = None   # RegionCopy
    part = None     # part name
    labels = {}
    # A structural instruction must come after a mark of its kind with no other instruction of
    # that kind between them (a commit or wait mark for plain loads has no instruction).
    armed = {"barrier": False, "commit": False, "wait": False}
    struct_of = {"bar": "barrier", "commit": "commit", "wait": "wait"}
    for idx, item in enumerate(instructions(body)):
        if item[0] == "label":
            labels[item[1]] = idx
            continue
        if item[0] == "bra":
            if item[1] in labels:
                e.loops.append((labels[item[1]], idx))
                if region is not None and labels[item[1]] > region.start:
                    e.errors.append("region %s contains a loop (its counts would be per "
                                    "trip of the loop, not per program point)" % region.name)
            continue
        if item[0] == "mark":
            kind, name = item[1], item[2]
            if kind == "begin":
                if region is not None:
                    e.errors.append("region %s begins inside region %s" % (name, region.name))
                region = RegionCopy(name, idx)
            elif kind == "end":
                if region is None or region.name != name:
                    e.errors.append("end of %s outside its region" % name)
                else:
                    if part is not None:
                        e.errors.append("part %s not closed in region %s" % (part, name))
                        part = None
                    region.end = idx
                    e.regions[name].append(region)
                region = None
            elif kind == "part":
                if region is None or part is not None:
                    e.errors.append("part %s outside a region or inside another part" % name)
                else:
                    part = name
                    region.parts[name]  # a part with no counted instruction still exists
            elif kind == "partend":
                if part is None or part != name:
                    e.errors.append("partend %s without its part" % name)
                part = None
            elif kind in armed or kind in ("cta_begin", "warp_exit"):
                if region is not None:
                    e.errors.append("%s mark inside region %s (records would be out of program "
                                    "order)" % (kind, region.name))
                if kind in armed:
                    armed[kind] = True
                e.structure.append(kind)
            else:
                e.errors.append("unknown mark %r" % kind)
            continue
        cls = classify(item[1])
        if cls in struct_of:
            k = struct_of[cls]
            if not armed[k]:
                e.errors.append("%s without a %s mark before it" % (item[1], k))
            armed[k] = False
            e.structure.append(item[1])
            e.total["#" + k] += 1
            e.counted.append((idx, "#" + k))
            continue
        if cls == "skip":
            continue
        if cls == "mem":
            # not compared with bodies; used to tell the copies of unrolled loops apart
            cls = "#" + item[1].split(".")[0]
        e.total[cls] += 1
        e.counted.append((idx, cls))
        if region is not None:
            region.counts[cls] += 1
            if part is not None:
                region.parts[part][cls] += 1
        else:
            e.outside[cls] += 1
    if region is not None:
        e.errors.append("region %s not closed" % region.name)
    return e


def counts_of_text(ptx, only="PlainMem"):
    """Counts of every entry whose name contains `only` (the timing build's instantiations)."""
    return {
        name: analyse_entry(body)
        for name, body in split_entries(ptx).items() if only is None or only in name
    }


def fmt_counter(c):
    return " ".join("%s=%d" % (k, c[k]) for k in CLASSES if c.get(k))


def short_name(entry):
    m = re.search(r"(\w+?_kernel)I(.*)$", entry)
    return (m.group(1) + "<" + m.group(2)[:40] + ">") if m else entry


def cmd_report(args):
    for path in args.ptx:
        for name, e in counts_of_text(open(path).read(), args.only).items():
            if args.filter and not re.search(args.filter, name):
                continue
            print("==", short_name(name))
            for r, copies in e.regions.items():
                for i, c in enumerate(copies):
                    print("  %-28s #%d %s" % (r, i, fmt_counter(c.counts)))
                    for p, pc in c.parts.items():
                        print("  %-28s    part %s: %s" % ("", p, fmt_counter(pc)))
            print("  %-31s %s" % ("outside", fmt_counter(e.outside)))
            print("  %-31s %s" % ("total", fmt_counter(e.total)))
            for err in e.errors:
                print("  ERROR", err)


# --- the table ------------------------------------------------------------------------------


def load_table(args):
    if args.table:
        with open(args.table) as f:
            t = json.load(f)
    else:
        out = subprocess.run([args.accsim_ref, "mix-table"], check=True, capture_output=True,
                             text=True).stdout
        t = json.loads(out)
    if t.get("format") != "accsim-mix-table":
        raise SystemExit("not a mix table (accsim_ref mix-table)")
    return t["kernels"]


def body_totals(body):
    c = collections.Counter()
    for it in body["items"]:
        c[it["class"]] += it["n"]
    return c


def alu_ok(got, exp, abs_tol=ALU_ABS, rel_tol=ALU_REL):
    return abs(got - exp) <= max(abs_tol, rel_tol * exp)


def compare_counts(got, exp):
    """Differences between counted and expected classes (exact ones exactly, alu loosely)."""
    bad = []
    for c in CLASSES:
        g, x = got.get(c, 0), exp.get(c, 0)
        if c == "alu":
            if not alu_ok(g, x):
                bad.append("alu %d, expected %d (tolerance max(%d, %d%%))" %
                           (g, x, ALU_ABS, ALU_REL * 100))
        elif g != x:
            bad.append("%s %d, expected %d" % (c, g, x))
    return bad


def match_entries(entries, table):
    """{entry name: table row}; errors for entries without a row and rows without an entry."""
    rows = {}
    errors = []
    used = collections.Counter()
    for name in entries:
        hits = [k for k in table if k["match"] in name]
        if len(hits) != 1:
            errors.append("%s: %d table rows match (want 1)" % (name, len(hits)))
            continue
        rows[name] = hits[0]
        used[hits[0]["match"]] += 1
    for k in table:
        if used[k["match"]] != 1:
            errors.append("table row %s %s (%s) matches %d PTX entries (want 1)" %
                          (k["kernel"], k["params"], k["match"], used[k["match"]]))
    return rows, errors


def check_marked(entries, table):
    """Compares every region copy of every timing-build entry with its table bodies."""
    rows, errors = match_entries(entries, table)
    checked = 0
    for name, e in entries.items():
        row = rows.get(name)
        if row is None:
            continue
        label = "%s<%s>" % (row["kernel"], row["params"])
        errors += ["%s: %s" % (label, m) for m in e.errors]
        by_region = collections.defaultdict(list)
        for r in row["regions"]:
            by_region[r["region"]].append(r)
        for rname, copies in e.regions.items():
            if rname not in by_region:
                errors.append("%s: region %s has no table row" % (label, rname))
                continue
            known_parts = {p for r in by_region[rname] for p in r["exclude_parts"]}
            for copy in copies:
                for p in copy.parts:
                    if p not in known_parts:
                        errors.append("%s: part %s of %s is in no table row" % (label, p, rname))
        for rname, variants in by_region.items():
            copies = e.regions.get(rname, [])
            if not copies:
                errors.append("%s: no region %s in the PTX" % (label, rname))
            for v in variants:
                exp = body_totals(v["body"])
                for i, copy in enumerate(copies):
                    got = collections.Counter(copy.counts)
                    for p in v["exclude_parts"]:
                        if p not in copy.parts:
                            errors.append("%s: %s copy %d has no part %s" % (label, rname, i, p))
                        got.subtract(copy.parts.get(p, collections.Counter()))
                    bad = compare_counts(got, exp)
                    checked += 1
                    if bad:
                        what = rname + (" without " + "+".join(v["exclude_parts"])
                                        if v["exclude_parts"] else "")
                        errors.append("%s: %s (copy %d of %d): %s" %
                                      (label, what, i + 1, len(copies), "; ".join(bad)))
        stray = [c for c in EXACT if e.outside.get(c)]
        if stray:
            errors.append("%s: outside every program point: %s" %
                          (label, ", ".join("%s %d" % (c, e.outside[c]) for c in stray)))
    return errors, checked


def loop_groups(e):
    """Per loop of the marked entry (innermost first): the counts of everything in it, and the
    program points it holds."""
    groups = []
    seen = set()
    for (lab, bra) in sorted(e.loops, key=lambda lb: lb[1] - lb[0]):
        inside = [c for copies in e.regions.values() for c in copies
                  if c.start > lab and c.end is not None and c.end < bra]
        if not inside:
            continue
        v = collections.Counter(cls for idx, cls in e.counted if lab < idx < bra)
        key = tuple(sorted((k, n) for k, n in v.items() if k != "alu"))
        if key in seen:
            continue
        seen.add(key)
        groups.append((v, sorted({c.name for c in inside})))
    return groups


def solve_copies(diff, groups, limit=8):
    """Nonnegative integer multiples of the groups' counts that add up to diff (every class but
    alu), or None."""
    keys = sorted(k for k in diff if k != "alu")
    target = [diff[k] for k in keys]
    if any(t < 0 for t in target):
        return None
    vecs = [[g[0].get(k, 0) for k in keys] for g in groups]

    def rec(i, rest):
        if all(r == 0 for r in rest):
            return [0] * (len(vecs) - i)
        if i == len(vecs):
            return None
        for k in range(limit + 1):
            nxt = [r - k * v for r, v in zip(rest, vecs[i])]
            if any(r < 0 for r in nxt):
                break
            sub = rec(i + 1, nxt)
            if sub is not None:
                return [k] + sub
            if not any(vecs[i]):
                break
        return None

    return rec(0, target)


def check_unmarked(marked, unmarked, table):
    """The marks must not change what is counted: per entry, equal counts of every exact class,
    memory and structural instruction in both builds (alu within max(ALU_ABS, 5 %)), or a
    difference that is a whole number of extra copies of loops of program points (nvcc unrolls
    some loops of the timing build by 4 that it leaves rolled when they hold the marks: inline
    asm is convergent)."""
    errors, notes = [], []
    rows_m, _ = match_entries(marked, table)
    rows_u, err_u = match_entries(unmarked, table)
    errors += ["unmarked build: " + m for m in err_u]
    by_match = {rows_u[n]["match"]: n for n in rows_u}
    for name, e in marked.items():
        row = rows_m.get(name)
        if row is None or row["match"] not in by_match:
            continue
        label = "%s<%s>" % (row["kernel"], row["params"])
        u = unmarked[by_match[row["match"]]]
        keys = set(k for k in list(e.total) + list(u.total) if k != "alu")
        diff = collections.Counter({k: u.total.get(k, 0) - e.total.get(k, 0) for k in keys})
        if all(v == 0 for v in diff.values()):
            a_m, a_u = e.total.get("alu", 0), u.total.get("alu", 0)
            if not alu_ok(a_u, a_m, ALU_ABS, 0.05):
                errors.append("%s: alu %d in the timing build, %d with the marks" %
                              (label, a_u, a_m))
            continue
        groups = loop_groups(e)
        k = solve_copies(diff, groups)
        if k is None:
            errors.append("%s: the marks change the counts: timing build minus marked build = %s"
                          % (label, dict((c, n) for c, n in diff.items() if n)))
        else:
            notes.append("%s: the timing build has %s" % (label, ", ".join(
                "%d more copies of the loop of %s" % (n, "+".join(g[1]))
                for n, g in zip(k, groups) if n)))
    return errors, notes


# --- compiling --------------------------------------------------------------------------------

NVCC_FLAGS = ["-arch=sm_90", "-std=c++17", "-O3", "-DNDEBUG", "-lineinfo"]


def kernel_sources(repo):
    d = os.path.join(repo, "reference", "kernels")
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".cu"))


def run_jobs(cmds, jobs):
    """Runs commands, `jobs` at a time; returns their (stdout+stderr) in order; raises on
    failure."""
    outs = [None] * len(cmds)
    running = []
    pending = list(enumerate(cmds))
    while pending or running:
        while pending and len(running) < jobs:
            i, c = pending.pop(0)
            running.append((i, c, subprocess.Popen(c, stdout=subprocess.PIPE,
                                                   stderr=subprocess.STDOUT, text=True)))
        i, c, p = running.pop(0)
        out, _ = p.communicate()
        if p.returncode != 0:
            raise SystemExit("failed (%d): %s\n%s" % (p.returncode, " ".join(c), out[-4000:]))
        outs[i] = out
    return outs


def find_nvcc(args):
    nvcc = args.nvcc or shutil.which("nvcc") or (
        "/usr/local/cuda/bin/nvcc" if os.path.exists("/usr/local/cuda/bin/nvcc") else None)
    if not nvcc or not (os.path.exists(nvcc) or shutil.which(nvcc)):
        print("SKIP: nvcc not found (give --nvcc or put it on PATH); the PTX check needs it")
        sys.exit(SKIP)
    return nvcc


def nvcc_version(nvcc):
    out = subprocess.run([nvcc, "--version"], capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1] if out.strip() else "?"


SKIP = 77


def cmd_ptx(args):
    nvcc = find_nvcc(args)
    table = load_table(args)
    work = args.keep or tempfile.mkdtemp(prefix="accsim-mix-")
    os.makedirs(work, exist_ok=True)
    srcs = kernel_sources(args.repo)
    cmds, outs = [], []
    for src in srcs:
        base = os.path.splitext(os.path.basename(src))[0]
        for marked in (True, False):
            out = os.path.join(work, "%s.%s.ptx" % (base, "marked" if marked else "timing"))
            cmds.append([nvcc, "-ptx"] + NVCC_FLAGS + ["-I", args.repo] +
                        (["-DACCSIM_MIX_MARKERS"] if marked else []) + [src, "-o", out])
            outs.append((out, marked))
    run_jobs(cmds, args.jobs)
    marked, unmarked = {}, {}
    for out, is_marked in outs:
        with open(out) as f:
            (marked if is_marked else unmarked).update(counts_of_text(f.read()))
    errors, checked = check_marked(marked, table)
    err_u, notes = check_unmarked(marked, unmarked, table)
    errors += err_u
    if args.save_counts:
        with open(args.save_counts, "w") as f:
            json.dump({"nvcc": nvcc_version(nvcc), "entries": {
                n: dict(e.total) for n, e in unmarked.items()}}, f, indent=1, sort_keys=True)
    for n in notes:
        print("note:", n)
    print("%s; %d kernel instantiations, %d program-point copies compared" %
          (nvcc_version(nvcc), len(marked), checked))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    for m in errors:
        print("FAIL:", m)
    print("%d passed, %d failed" % (0 if errors else 1, 1 if errors else 0))
    return 1 if errors else 0


REGS_RE = re.compile(r"Compiling entry function '([^']+)'|Used (\d+) registers")


def parse_ptxas_registers(text):
    """{entry: registers} from nvcc -Xptxas -v output."""
    out = {}
    cur = None
    for m in REGS_RE.finditer(text):
        if m.group(1):
            cur = m.group(1)
        elif cur is not None:
            out[cur] = int(m.group(2))
            cur = None
    return out


def cmd_regs(args):
    nvcc = find_nvcc(args)
    table = load_table(args)
    work = tempfile.mkdtemp(prefix="accsim-regs-")
    cmds = [[nvcc, "-cubin"] + NVCC_FLAGS + ["-Xptxas", "-v", "-I", args.repo, src, "-o",
            os.path.join(work, os.path.basename(src) + ".cubin")]
            for src in kernel_sources(args.repo)]
    regs = {}
    for out in run_jobs(cmds, args.jobs):
        regs.update(parse_ptxas_registers(out))
    shutil.rmtree(work, ignore_errors=True)
    plain = {n: r for n, r in regs.items() if "PlainMem" in n}
    rows, errors = match_entries(plain, table)
    for name, row in rows.items():
        if row["regs"] and plain[name] != row["regs"]:
            errors.append("%s<%s>: ptxas uses %d registers, kernel_mix.h says %d" %
                          (row["kernel"], row["params"], plain[name], row["regs"]))
    print("%s; %d kernel instantiations" % (nvcc_version(nvcc), len(plain)))
    for m in errors:
        print("FAIL:", m)
    print("%d passed, %d failed" % (0 if errors else 1, 1 if errors else 0))
    return 1 if errors else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="counts per program point of marked PTX files")
    r.add_argument("ptx", nargs="+")
    r.add_argument("--only", default="PlainMem")
    r.add_argument("--filter", default=None)
    for name, hlp in (("ptx", "compile the kernels to PTX and compare with kernel_mix.h"),
                      ("regs", "compile with ptxas -v and compare the registers")):
        c = sub.add_parser(name, help=hlp)
        c.add_argument("--repo", required=True, help="repository root")
        c.add_argument("--nvcc", default=None)
        c.add_argument("--table", default=None, help="accsim_ref mix-table output")
        c.add_argument("--accsim-ref", default="accsim_ref",
                       help="program that prints the table (accsim_ref mix-table)")
        c.add_argument("--jobs", type=int, default=2)
        if name == "ptx":
            c.add_argument("--keep", default=None, help="keep the PTX files in this folder")
            c.add_argument("--save-counts", default=None,
                           help="write the timing build's whole-kernel counts (for sass_mix.py)")
    args = ap.parse_args(argv)
    if args.cmd == "report":
        return cmd_report(args) or 0
    if args.cmd == "ptx":
        return cmd_ptx(args)
    return cmd_regs(args)


if __name__ == "__main__":
    sys.exit(main())
