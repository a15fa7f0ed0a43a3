#!/usr/bin/env python3
"""Unit tests of scripts/mix_check.py (PTX side) and scripts/sass_mix.py (SASS side) on small
hand-written samples; they need neither nvcc nor cuobjdump."""
import collections
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))

import mix_check as mc  # noqa: E402
import sass_mix as sm  # noqa: E402

ENTRY = "_ZN6accsim3ref4demo11demo_kernelI6__halfNS0_8PlainMemEEEvPfT_"

# A marked PTX entry: a prologue, a loop whose body is a load point and a math point with a part,
# structural marks paired with their instructions.
PTX = """
.visible .entry %s(
	.param .u64 p0
)
{
	.reg .b32 %%r<9>;
	// begin inline asm
	// accsim-mix cta_begin;
	// end inline asm
	// accsim-mix begin demo_prologue;
	mov.u32 	%%r1, %%tid.x;
	shl.b32 	%%r2, %%r1, 4;
	ld.param.u64 	%%rd1, [p0];
	// accsim-mix end demo_prologue;
$L__BB0_1:
	// accsim-mix begin demo_load;
	add.s32 	%%r3, %%r2, 16;
	cp.async.cg.shared.global [%%r3], [%%rd1], 16, %%r4;
	// accsim-mix end demo_load;
	// accsim-mix commit;
	cp.async.commit_group;
	// accsim-mix wait;
	cp.async.wait_group 0;
	// accsim-mix barrier;
	bar.sync 	0;
	// accsim-mix begin demo_math;
	ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%%r5,%%r6,%%r7,%%r8}, [%%r3];
	mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%%f1,%%f2,%%f3,%%f4}, {%%r5,%%r6,%%r7,%%r8}, {%%r5,%%r6}, {%%f1,%%f2,%%f3,%%f4};
	{ cvt.rn.f16x2.f32 %%r5, %%f1, %%f2; }
	fma.rn.f32 	%%f5, %%f1, %%f2, %%f3;
	ex2.approx.ftz.f32 	%%f6, %%f5;
	@%%p1 bra 	$L__BB0_3;
	// accsim-mix part demo_mask;
	setp.gt.s32 	%%p2, %%r1, %%r2;
	selp.f32 	%%f6, 0fFF800000, %%f6, %%p2;
	// accsim-mix partend demo_mask;
$L__BB0_3:
	shfl.sync.bfly.b32 	%%r4|%%p3, %%r5, 1, 31, -1;
	ld.shared.v4.f32 	{%%f1,%%f2,%%f3,%%f4}, [%%r3];
	st.shared.v2.f32 	[%%r3], {%%f1,%%f2};
	st.shared.f32 	[%%r3], %%f1;
	// accsim-mix end demo_math;
	setp.lt.s32 	%%p4, %%r3, 99;
	@%%p4 bra 	$L__BB0_1;
	st.global.f32 	[%%rd1], %%f6;
	// accsim-mix warp_exit;
	ret;
}
""" % ENTRY


def body(name, **counts):
    return {"name": name, "items": [{"class": c, "n": n, "flags": 0} for c, n in counts.items()]}


def table(math_alu_without_mask=0, prologue_alu=1, extra=None):
    math = dict(mma_f16_f32_m16n8k16=1, ldmatrix_x4=1, cvt=1, ffma=1, ex2=1, shfl=1, lds128=1,
                sts64=1, sts32=1)
    rows = [{"region": "demo_prologue", "exclude_parts": [], "body": body("p", alu=prologue_alu)},
            {"region": "demo_load", "exclude_parts": [], "body": body("l", alu=1)},
            {"region": "demo_math", "exclude_parts": [], "body": body("m", alu=2, **math)},
            {"region": "demo_math", "exclude_parts": ["demo_mask"],
             "body": body("m", alu=math_alu_without_mask, **math)}]
    if extra:
        rows.append(extra)
    return [{"kernel": "demo_kernel", "match": "demo_kernelI6__half", "params": "T=f16",
             "regs": 40, "regions": rows}]


class Classify(unittest.TestCase):
    def test_classes(self):
        cases = {
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32": "mma_bf16_f32_m16n8k16",
            "ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16": "ldmatrix_x2",
            "ld.shared.u16": "lds32", "ld.shared.v2.f32": "lds64", "st.shared.v4.b32": "sts128",
            "ex2.approx.f32": "ex2", "div.rn.f32": "rcp", "rcp.approx.ftz.f32": "rcp",
            "rsqrt.approx.f32": "rsqrt", "cvt.sat.f32.f32": "ffma", "cvt.rn.bf16x2.f32": "cvt",
            "cvt.f32.f16": "cvt", "cvt.s64.s32": "alu", "fma.rn.f16x2": "hfma2",
            "sub.f32": "ffma", "max.f32": "alu", "div.u32": "alu", "selp.b32": "alu",
            "mov.u32": "skip", "ld.param.u64": "skip", "ld.global.nc.v4.u32": "mem",
            "cp.async.cg.shared.global": "mem", "cp.async.commit_group": "commit",
            "cp.async.wait_group": "wait", "bar.sync": "bar", "shfl.sync.bfly.b32": "shfl",
        }
        for op, want in cases.items():
            self.assertEqual(mc.classify(op), want, op)

    def test_unknown_instruction_is_an_error(self):
        with self.assertRaises(mc.PtxError):
            mc.classify("tanh.approx.f32")


class Regions(unittest.TestCase):
    def setUp(self):
        self.e = mc.counts_of_text(PTX)[ENTRY]

    def test_counts_per_region_and_part(self):
        e = self.e
        self.assertEqual(e.errors, [])
        self.assertEqual(e.regions["demo_prologue"][0].counts, collections.Counter(alu=1))
        m = e.regions["demo_math"][0]
        self.assertEqual(m.counts["mma_f16_f32_m16n8k16"], 1)
        self.assertEqual(m.counts["lds128"], 1)
        self.assertEqual(m.counts["sts64"], 1)
        self.assertEqual(m.counts["alu"], 2)
        self.assertEqual(m.parts["demo_mask"], collections.Counter(alu=2))
        self.assertEqual(e.outside["alu"], 1)  # the loop's compare
        self.assertEqual(e.total["#cp"], 1)
        self.assertEqual(e.total["#barrier"], 1)
        self.assertEqual(len(e.loops), 1)

    def test_check_passes_and_detects_wrong_counts(self):
        errors, checked = mc.check_marked({ENTRY: self.e}, table())
        self.assertEqual(errors, [])
        self.assertEqual(checked, 4)
        wrong = table()
        for it in wrong[0]["regions"][2]["body"]["items"]:
            if it["class"] == "mma_f16_f32_m16n8k16":
                it["n"] = 3
        errors, _ = mc.check_marked({ENTRY: self.e}, wrong)
        self.assertTrue(any("mma_f16_f32_m16n8k16 1, expected 3" in m for m in errors), errors)

    def test_alu_tolerance(self):
        errors, _ = mc.check_marked({ENTRY: self.e}, table(prologue_alu=7))
        self.assertEqual(errors, [])
        errors, _ = mc.check_marked({ENTRY: self.e}, table(prologue_alu=8))
        self.assertTrue(any("alu 1, expected 8" in m for m in errors), errors)

    def test_missing_region_and_unknown_region(self):
        extra = {"region": "demo_absent", "exclude_parts": [], "body": body("x")}
        errors, _ = mc.check_marked({ENTRY: self.e}, table(extra=extra))
        self.assertTrue(any("no region demo_absent" in m for m in errors), errors)
        t = table()
        t[0]["regions"] = t[0]["regions"][1:]
        errors, _ = mc.check_marked({ENTRY: self.e}, t)
        self.assertTrue(any("region demo_prologue has no table row" in m for m in errors), errors)

    def test_structure_errors(self):
        bad = PTX.replace("\t// accsim-mix barrier;\n", "")
        e = mc.counts_of_text(bad)[ENTRY]
        self.assertTrue(any("bar.sync without a barrier mark" in m for m in e.errors), e.errors)
        inside = PTX.replace("\t// accsim-mix end demo_load;\n\t// accsim-mix commit;\n",
                             "\t// accsim-mix commit;\n\t// accsim-mix end demo_load;\n")
        e = mc.counts_of_text(inside)[ENTRY]
        self.assertTrue(any("commit mark inside region demo_load" in m for m in e.errors))
        loop = PTX.replace("\t// accsim-mix end demo_math;\n\tsetp.lt.s32 \t%p4, %r3, 99;\n"
                           "\t@%p4 bra \t$L__BB0_1;\n",
                           "\tsetp.lt.s32 \t%p4, %r3, 99;\n\t@%p4 bra \t$L__BB0_3;\n"
                           "\t// accsim-mix end demo_math;\n")
        e = mc.counts_of_text(loop)[ENTRY]
        self.assertTrue(any("contains a loop" in m for m in e.errors), e.errors)
        stray = PTX.replace("\t// accsim-mix begin demo_prologue;\n", "").replace(
            "\t// accsim-mix end demo_prologue;\n", "").replace(
            "\tshl.b32", "\tfma.rn.f32 \t%f9, %f1, %f1, %f1;\n\tshl.b32")
        errors, _ = mc.check_marked(mc.counts_of_text(stray), table())
        self.assertTrue(any("outside every program point: ffma 1" in m for m in errors), errors)

    def test_unrolled_copies_in_the_timing_build(self):
        # The timing build holds the loop body twice (unrolled): the difference is one whole
        # copy of the loop's program points.
        lo = PTX.index("$L__BB0_1:")
        hi = PTX.index("\tsetp.lt.s32 \t%p4")
        loop = PTX[lo:hi].replace("$L__BB0_1:", "").replace("$L__BB0_3:", "$L__BB0_4:").replace(
            "$L__BB0_3;", "$L__BB0_4;")
        timing = PTX[:hi] + loop + PTX[hi:]
        marked = mc.counts_of_text(PTX)
        unmarked = mc.counts_of_text(timing.replace("// accsim-mix", "// x"))
        errors, notes = mc.check_unmarked(marked, unmarked, table())
        self.assertEqual(errors, [])
        self.assertTrue(any("1 more copies of the loop of demo_load+demo_math" in n
                            for n in notes), notes)
        # A difference that no number of copies explains is an error.
        odd = timing.replace("\t// accsim-mix begin demo_prologue;\n",
                             "\t// accsim-mix begin demo_prologue;\n\tex2.approx.f32 \t%f9, %f9;\n")
        errors, _ = mc.check_unmarked(marked, mc.counts_of_text(odd), table())
        self.assertTrue(any("the marks change the counts" in m for m in errors), errors)

    def test_table_rows_must_match_one_entry(self):
        t = table()
        t.append(dict(t[0], match="other_kernelI", kernel="other"))
        errors, _ = mc.check_marked({ENTRY: self.e}, t)
        self.assertTrue(any("matches 0 PTX entries" in m for m in errors), errors)

    def test_ptxas_registers(self):
        text = ("ptxas info    : Compiling entry function '%s' for 'sm_90'\n"
                "ptxas info    : Function properties for %s\n"
                "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
                "ptxas info    : Used 40 registers, used 1 barriers\n" % (ENTRY, ENTRY))
        self.assertEqual(mc.parse_ptxas_registers(text), {ENTRY: 40})


class Sass(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(HERE, "data", "sass_sample.txt")) as f:
            self.sass = sm.parse_sass(f.read())
        self.name = "_ZN6accsim3ref4demo11demo_kernelINS0_8PlainMemEEEvPfT_"

    def test_parse(self):
        c = self.sass[self.name]
        want = {"mma_f16_f32_m16n8k16": 1, "mma_bf16_f32_m16n8k16": 1, "ldmatrix_x4": 2,
                "lds128": 1, "sts32": 1, "shfl": 1, "#barrier": 1, "#cp": 1, "#commit": 1,
                "#wait": 1, "ex2": 1, "rcp": 1, "ffma": 1, "cvt": 1, "hfma2": 1, "ualu": 1,
                "#local": 1, "mem": 1}
        for k, v in want.items():
            self.assertEqual(c[k], v, k)
        self.assertEqual(c["alu"], 3)  # IMAD.SHL, FMNMX, predicated IADD3
        self.assertEqual(c["skip"], 5)  # LDC, S2R, ULDC, EXIT, BRA
        self.assertFalse([k for k in c if k.startswith("other:")])

    def test_compare(self):
        ptx = {self.name: {"mma_f16_f32_m16n8k16": 1, "mma_bf16_f32_m16n8k16": 1,
                           "ldmatrix_x4": 2, "lds128": 1, "sts32": 1, "shfl": 1, "#barrier": 1,
                           "#cp": 1, "#commit": 1, "#wait": 1, "ex2": 1, "rcp": 1, "ffma": 3,
                           "alu": 9, "cvt": 2}}
        rows, fails = sm.compare(self.sass, ptx)
        self.assertEqual(fails, [])
        self.assertEqual(rows[0]["reported"]["ffma"], [3, 1])
        ptx[self.name]["shfl"] = 2
        ptx[self.name]["rcp"] = 2
        _, fails = sm.compare(self.sass, ptx)
        self.assertEqual(len(fails), 2, fails)

    def test_cli(self):
        d = tempfile.mkdtemp()
        counts = os.path.join(d, "c.json")
        with open(counts, "w") as f:
            json.dump({"nvcc": "test", "entries": {self.name: {"ldmatrix_x4": 2}}}, f)
        rc = sm.main(["--sass", os.path.join(HERE, "data", "sass_sample.txt"), "--ptx-counts",
                      counts, "--out", os.path.join(d, "o.json")])
        self.assertEqual(rc, 1)  # the sample has mma, shfl ... that these counts lack
        with open(os.path.join(d, "o.json")) as f:
            self.assertTrue(json.load(f)["failures"])


if __name__ == "__main__":
    unittest.main()
