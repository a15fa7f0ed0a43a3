#pragma once
// The instruction mix of the reference CUDA kernels (reference/kernels/), per warp and program
// point: what one warp issues besides its global loads and stores, as the compute records of
// access-trace format version 2 (workloads/trace/access_trace_format.h, RecordKind::kCompute).
//
// Dependency-free C++17 (only <cstdint> and access_trace_format.h): included by the kernels
// (nvcc, host and device code: every function is constexpr and __host__ __device__ under nvcc),
// by the capture harness, by the PTX/SASS check (reference/scripts/mix_check.py, through
// `accsim_ref mix-table`) and by the CPU-side generator (workloads/gen/kernel_access.cpp), which
// emits the same records at the same program points.
//
// A program point is a stretch of a kernel's source between two records of the warp's record
// stream. Its Body lists, in program order, items {class, n, flags}: "the warp issues n
// warp-instructions of class `cls`"; kFlagDep: the item's first instruction consumes the result
// of the warp's previous compute item; kFlagChain: each of the n depends on the one before
// (shuffle reductions, accumulation chains). The capture build writes one compute record per
// item, in order, where the program point starts (reference/kernels/mem.cuh: ACCSIM_MIX). Global
// memory accesses are never in a body: they are the sector records. Records of a warp, in order,
// are: its program points' compute records, its memory records, and the structure records
// commit / wait / barrier / cta_begin / warp_exit, placed as listed below.
//
// Counts. A body is what the timing build (PlainMem) issues per warp at that point, as nvcc's PTX
// shows it (nvcc 13.0.88, -O3 -arch=sm_90; PTX ISA 8.x): every PTX instruction once, in the class
// of its operation (counting rules: reference/scripts/mix_check.py). Exact classes (mma,
// ldmatrix, shared loads/stores, shfl, ex2, rcp, rsqrt, ffma, hfma2, cvt) follow from the source
// and are checked exactly against the PTX of every instantiation (CTest reference_ptx_mix). `alu`
// (integer address arithmetic, compares, selects, fp min/max) is what that nvcc emits, checked
// within max(6, 25 %) per point; how a point's alu splits among its items is an estimate. A warp
// issues every instruction of a point's code once (a lane-divergent branch inside a point is
// counted as a warp that runs both sides would: the bodies below say where that matters). Not
// counted: register moves, parameter loads, branches. ptxas turns some PTX instructions into
// several SASS instructions (div.rn.f32 / rcp.rn.f32: MUFU.RCP and an FFMA refinement; integer
// division: a short subroutine); reference/scripts/sass_mix.py measures that on the GPU machine.
//
// Program points per kernel: where each sits in the source, and the records around it. "load"
// points cover the address arithmetic of the loads that follow them; the values those loads
// return are used only after commit() and wait(0), by the next point. Structure records are
// abbreviated: commit, wait N, barrier, cta_begin (warp 0 only, first statement of every kernel),
// warp_exit (every warp, last record).
//
// gemm_tc_kernel<T, b_nk> (8 warps; grid N/128 x M/128 x batch):
//   cta_begin
//   gemm_prologue(b_nk)      kernel start .. after the first load_tile(0, 0): index math, the
//                            tile-0 copies' addresses; then its cp.async records; commit
//   for kt in 0 .. K/32-1:
//     gemm_load_tile(b_nk)   inside `if (kt + 1 < ktiles)`, before load_tile(kt + 1): addresses of
//                            the 4 copies; then their cp.async records (none on the last kt)
//     commit, wait 1, barrier                                     (after load_tile)
//     gemm_ktile(bf16)       the `kk` loop (12 ldmatrix.x4, 32 mma)
//     barrier                                                     (end of the kt loop)
//   gemm_epilogue(bf16, causal)  after the kt loop: the stores' values and addresses, then the
//                            store records (rows >= M / columns >= N skipped: the body is a full
//                            tile's); causal = the launch's causal flag (naive attention's QK^T)
//   warp_exit
// flash_fwd_kernel<T, D> (8 warps, 16 query rows each; grid N/128 x B*H):
//   cta_begin
//   flash_prologue(d)        kernel start .. the Q copy loop: indices, tile count, pointers
//   flash_copy(d)            one per trip of each cp.async loop, before its copy's record: the Q
//                            loop (d/16 trips), then load_kv(0, 0) (K loop d/32 trips, V loop
//                            d/32 trips); commit
//   for j in 0 .. ntiles-1 (causal: tiles past the CTA's last row are not visited):
//     when j + 1 < ntiles, load_kv(j + 1): 2 x d/32 x (flash_copy(d), its cp.async record)
//     commit, wait 1, barrier
//     flash_tile(bf16, d, causal_masked_tile)  inside `if (!skip)` (skip: causal and the tile's
//                            first key k0 = 64 j is past the warp's last row, k0 > q0 + 16 warp +
//                            15; such a warp has no compute record for the tile);
//                            causal_masked_tile = causal && k0 + 63 > q0 + 16 warp: S = Q K^T,
//                            the mask, the online softmax, O += P V
//     barrier                (end of the j loop; skipped warps too)
//   flash_epilogue(bf16, d)  after the loop: row sums, 1/l, the O stores
//   warp_exit
// decode_split_kernel<T, D> (4 warps; grid splits x B*H):
//   cta_begin
//   decode_split_prologue(d) kernel start .. the q load; its record; commit, wait 0
//   decode_split_q(bf16)     q unpack and scale, loop setup
//   for st in 0 .. steps-1:
//     decode_split_load(d)   before the 4 K and V loads of the step; their records
//     commit, wait 0
//     decode_split_step(bf16, d)  the `u` loop: 4 keys per lane group (dot, shuffle reduction,
//                            online softmax update)
//   decode_split_merge(d)    after the loop: the group's (o, m, l) to shared memory
//   barrier
//   decode_split_combine(d)  inside `for c` (warps whose threads have c < d: d = 64, warps 0-1;
//                            d = 128, all), before the partial's stores
//   warp_exit
// decode_combine_kernel<T, D> (d threads):
//   cta_begin, decode_combine_prologue()
//   for s < splits: decode_combine_max_load() (+ its load), commit, wait 0, decode_combine_max()
//   for s < splits: decode_combine_sum_load() (+ load of the split's max), commit, wait 0; when the
//     split has keys (uniform over the CTA): decode_combine_sum_load2() (+ loads of l, o), commit,
//     wait 0, decode_combine_sum()
//   decode_combine_epilogue(bf16) (+ the store), warp_exit
// gemv_kernel<T> (8 warps, one row each):
//   cta_begin; warps whose row >= N: warp_exit (nothing else)
//   gemv_prologue()
//   for i (lane, step 128): gemv_load() (+ 4 W and 4 x loads), commit, wait 0, gemv_step(e)
//   gemv_epilogue(e) (warp_sum, the store by lane 0), warp_exit
// softmax_kernel<T> (one CTA per row):
//   cta_begin, softmax_prologue()
//   pass 1, vector trips (cols % (16 / sizeof T) == 0) then scalar trips (the rest; all of the row
//     when not aligned): softmax_pass1_load(e, vec) (+ the load), commit, wait 0,
//     softmax_pass1(e, vec)
//   softmax_reduce_warp(), barrier, softmax_reduce_block()
//   pass 2, vector then scalar trips: softmax_pass2_load(e, vec) (+ load), commit, wait 0,
//     softmax_pass2(e, vec) (+ the store)
//   warp_exit
// layernorm_kernel<T> (one CTA per row):
//   cta_begin, layernorm_prologue()
//   pass 1 trips: layernorm_pass1_load(e, vec), commit, wait 0, layernorm_pass1(e, vec)
//   layernorm_reduce_warp(), barrier, layernorm_reduce_store(), barrier, layernorm_mean()
//   pass 2 trips: layernorm_pass2_load(e, vec), commit, wait 0, layernorm_pass2(e, vec)
//   layernorm_reduce_warp(), barrier, layernorm_reduce_store(), barrier, layernorm_rstd()
//   pass 3 trips: layernorm_pass3_load(e, vec) (+ x, gamma, beta loads), commit, wait 0,
//     layernorm_pass3(e, vec) (+ the store)
//   warp_exit
// gelu_kernel<T> (grid-stride, 256 threads):
//   cta_begin, gelu_prologue()
//   vector trips then scalar trips: gelu_load(e, vec) (+ load), commit, wait 0, gelu_step(e, vec)
//     (+ the store)
//   warp_exit
// add_kernel<T> (grid-stride, 256 threads; the grid and trips of gelu_kernel):
//   cta_begin, add_prologue()
//   vector trips then scalar trips: add_load(e, vec) (+ loads of a, then b), commit, wait 0,
//     add_step(e, vec) (+ the store of y)
//   warp_exit
// Row trips (softmax, layernorm, gelu, add): a warp makes a trip when any of its lanes has an
// element in it; vec = the 16-byte loop (8 elements per lane for f16/bf16, 4 for f32), !vec = the
// scalar tail (1 element per lane).
//
// Registers per thread: regs_<kernel>(...) below, from ptxas -v (same nvcc and flags).
#include <cstdint>

#include "workloads/trace/access_trace_format.h"

#if defined(__CUDACC__)
#define ACCSIM_MIX_HD __host__ __device__
#else
#define ACCSIM_MIX_HD
#endif

namespace accsim::workloads::mix {

inline constexpr std::uint32_t kMaxItems = 16;

struct Item {
  InstrClass cls;
  std::uint32_t n;
  std::uint8_t flags;  // kFlagDep | kFlagChain
};
struct Body {
  const char* name;  // the program point: the function's name
  std::uint32_t count;
  Item items[16];  // items in program order
};

// The element type of the row kernels (gemv, softmax, layernorm, gelu, add).
enum class Elem : std::uint8_t { kF16, kBF16, kF32 };

// --- building bodies ----------------------------------------------------------------------------

// Appends an item; n == 0 adds nothing. More than kMaxItems items is a programming error that
// the host test catches (count would stop at kMaxItems and the sums would not match).
ACCSIM_MIX_HD constexpr void add(Body& b, InstrClass c, std::uint32_t n, std::uint8_t f = 0) {
  if (n == 0 || b.count >= kMaxItems) return;
  b.items[b.count] = Item{c, n, f};
  ++b.count;
}
ACCSIM_MIX_HD constexpr Body body(const char* name) {
  return Body{name, 0, {}};
}
// Total of one class over a body's items.
ACCSIM_MIX_HD constexpr std::uint32_t total(const Body& b, InstrClass c) {
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < b.count; ++i)
    if (b.items[i].cls == c) n += b.items[i].n;
  return n;
}

namespace detail {
inline constexpr std::uint8_t kDep = kFlagDep, kChain = kFlagChain,
                              kDepChain = kFlagDep | kFlagChain;
using C = InstrClass;
ACCSIM_MIX_HD constexpr InstrClass mma(bool bf16) {
  return bf16 ? C::kMmaBf16F32M16N8K16 : C::kMmaF16F32M16N8K16;
}
ACCSIM_MIX_HD constexpr std::uint32_t elems(Elem e, bool vec) {  // per lane per row trip
  return vec ? (e == Elem::kF32 ? 4u : 8u) : 1u;
}
ACCSIM_MIX_HD constexpr bool half(Elem e) {
  return e != Elem::kF32;
}
// Conversions of a row trip: n unpacks (16-bit types only) ...
ACCSIM_MIX_HD constexpr std::uint32_t unpacks(Elem e, std::uint32_t n) {
  return half(e) ? n : 0;
}
// ... and the packs of its results: one cvt.rn.{f16,bf16}x2.f32 per two values (vector), one
// cvt.rn.{f16,bf16}.f32 per value (scalar).
ACCSIM_MIX_HD constexpr std::uint32_t packs(Elem e, bool vec) {
  return half(e) ? (vec ? 4u : 1u) : 0u;
}
ACCSIM_MIX_HD constexpr std::uint32_t log2u(std::uint32_t v) {
  std::uint32_t r = 0;
  while (v > 1) v >>= 1, ++r;
  return r;
}
}  // namespace detail

// --- gemm_tc_kernel -----------------------------------------------------------------------------

// Kernel start .. load_tile(0, 0): thread/warp indices, the batch offsets, the addresses and
// predicates of the tile-0 copies (2 of A, 2 of B per thread). alu only.
ACCSIM_MIX_HD constexpr Body gemm_prologue(bool b_nk) {
  Body b = body("gemm_prologue");
  add(b, InstrClass::kAlu, b_nk ? 72 : 73);
  return b;
}
// load_tile(kt + 1): addresses of the 4 copies of the next k-tile (the predicates are loop
// invariant).
ACCSIM_MIX_HD constexpr Body gemm_load_tile(bool b_nk) {
  Body b = body("gemm_load_tile");
  add(b, InstrClass::kAlu, b_nk ? 31 : 38);
  return b;
}
// The `kk` loop of one k-tile (kk = 0, 16): per kk, 4 ldmatrix.x4 of A (one per 16-row mma tile)
// and 2 of B (.trans when B is [K, N]; one x4 feeds two 8-column tiles), then the 4 x 4 mma.
// Same counts for both B layouts (alu 26 / 27).
ACCSIM_MIX_HD constexpr Body gemm_ktile(bool bf16) {
  using namespace detail;
  Body b = body("gemm_ktile");
  add(b, C::kAlu, 26);  // ldmatrix addresses
  add(b, C::kLdmatrixX4, 6, kDep);
  add(b, mma(bf16), 16, kDep);
  add(b, C::kLdmatrixX4, 6);
  add(b, mma(bf16), 16, kDep);
  return b;
}
// The epilogue, a full 128 x 128 tile: per thread 4 (i) x 2 (half) x 4 (j) = 32 stores of two
// values: 2 fmul by alpha, one pack (cvt.rn.{f16,bf16}x2.f32), address and bounds arithmetic;
// causal adds 2 compares and 2 selects per store (128 alu).
ACCSIM_MIX_HD constexpr Body gemm_epilogue(bool bf16, bool causal) {
  using namespace detail;
  (void)bf16;  // f16 and bf16 epilogues are the same instructions (the pack's type differs)
  Body b = body("gemm_epilogue");
  add(b, C::kAlu, causal ? 360 : 232);
  add(b, C::kFfma, 64, kDep);
  add(b, C::kCvt, 32, kDep);
  return b;
}

// --- flash_fwd_kernel ---------------------------------------------------------------------------

// Kernel start .. the Q copy loop: indices, the causal tile order and count, base pointers.
ACCSIM_MIX_HD constexpr Body flash_prologue(int d) {
  (void)d;
  Body b = body("flash_prologue");
  add(b, InstrClass::kAlu, 18);
  return b;
}
// One trip of a copy loop (Q: d/16 trips per thread, K and V of a tile: d/32 each): the chunk's
// row, column and addresses (integer division by d/8 is a shift).
ACCSIM_MIX_HD constexpr Body flash_copy(int d) {
  (void)d;
  Body b = body("flash_copy");
  add(b, InstrClass::kAlu, 16);
  return b;
}
// One 64-key tile of one warp (16 query rows), in source order:
//   S = Q K^T: per kk < d/16, 1 ldmatrix.x4 of Q (re-read per tile) and 4 of K, 8 mma;
//   the causal mask (causal_masked_tile only): 32 compares and selects (70 alu);
//   online softmax, 2 rows per thread: 16 fmax + 2 shuffles (chain) + 3 fmax per row, 17 ex2 per
//   row (16 probabilities, 1 correction), the scaling fma, the row sum, l and the rescaling of
//   the d/4 accumulators per row;
//   O += P V: 16 packs of P (cvt), per kk < 4 and dp < d/16, 1 ldmatrix.x4.trans of V, 2 mma.
ACCSIM_MIX_HD constexpr Body flash_tile(bool bf16, int d, bool causal_masked_tile) {
  using namespace detail;
  const std::uint32_t k16 = static_cast<std::uint32_t>(d) / 16;
  Body b = body("flash_tile");
  add(b, C::kAlu, 23 + static_cast<std::uint32_t>(d) / 2);  // ldmatrix addresses
  add(b, C::kLdmatrixX4, 5 * k16, kDep);
  add(b, mma(bf16), 8 * k16, kDep);
  if (causal_masked_tile) add(b, C::kAlu, 70, kDep);
  add(b, C::kAlu, 32, kDep);       // row maxima over the tile
  add(b, C::kShfl, 4, kDepChain);  // quad reduction of the maxima
  add(b, C::kAlu, 10, kDep);       // merged maxima, m_new, the -inf guard
  add(b, C::kFfma, 70, kDep);      // exponent arguments, row sums
  add(b, C::kSfuEx2, 34, kDep);
  add(b, C::kFfma, 2 + static_cast<std::uint32_t>(d) / 2, kDep);  // l, rescaled accumulators
  add(b, C::kCvt, 16, kDep);                                      // P to f16/bf16
  add(b, C::kLdmatrixX4, 4 * k16);
  add(b, mma(bf16), 8 * k16, kDep);
  return b;
}
// After the tile loop: the row sums over the quad (2 shuffles + adds per row), 1/l (rcp.rn.f32),
// d/8 x 2 scaled values and d/8 packs per row, the store addresses.
ACCSIM_MIX_HD constexpr Body flash_epilogue(bool bf16, int d) {
  using namespace detail;
  (void)bf16;
  const std::uint32_t du = static_cast<std::uint32_t>(d);
  Body b = body("flash_epilogue");
  add(b, C::kShfl, 4, kChain);
  add(b, C::kFfma, 4, kDep);
  add(b, C::kSfuRcp, 2, kDep);
  add(b, C::kFfma, du / 2, kDep);
  add(b, C::kCvt, du / 4, kDep);
  add(b, C::kAlu, 18);
  return b;
}

// --- decode_split_kernel ------------------------------------------------------------------------

// Kernel start .. the q load: indices, the split's key range, q's address.
ACCSIM_MIX_HD constexpr Body decode_split_prologue(int d) {
  (void)d;
  Body b = body("decode_split_prologue");
  add(b, InstrClass::kAlu, 12);
  return b;
}
// q: 8 unpacks, 8 scalings by log2(e)/sqrt(d); the step count and K/V base addresses.
ACCSIM_MIX_HD constexpr Body decode_split_q(bool bf16) {
  using namespace detail;
  (void)bf16;
  Body b = body("decode_split_q");
  add(b, C::kCvt, 8);
  add(b, C::kFfma, 8, kDep);
  add(b, C::kAlu, 8);
  return b;
}
// Before the loads of one step: the 4 keys' indices, validity and addresses.
ACCSIM_MIX_HD constexpr Body decode_split_load(int d) {
  (void)d;
  Body b = body("decode_split_load");
  add(b, InstrClass::kAlu, 7);
  return b;
}
// One step, 4 keys per lane group of d/8 lanes: per key 8 unpacks of K and 8 of V, an 8-fma dot
// product (chain), log2(d/8) shuffles + adds (chain), the online softmax update (fmax, 2 ex2,
// 2 subtractions, l = l corr + p, 8 fmul + 8 fma on o).
ACCSIM_MIX_HD constexpr Body decode_split_step(bool bf16, int d) {
  using namespace detail;
  (void)bf16;
  const std::uint32_t red = log2u(static_cast<std::uint32_t>(d) / 8);
  Body b = body("decode_split_step");
  add(b, C::kCvt, 64);
  for (int u = 0; u < 4; ++u) {
    add(b, C::kFfma, 8, kDepChain);    // q . k
    add(b, C::kShfl, red, kDepChain);  // group reduction
  }
  add(b, C::kFfma, 4 * red, kDep);  // the reduction's adds
  add(b, C::kAlu, 11, kDep);        // running maxima
  add(b, C::kFfma, 8, kDep);        // m - m_new, dot - m_new
  add(b, C::kSfuEx2, 8, kDep);
  add(b, C::kFfma, 68, kDep);  // l and o updates
  return b;
}
// After the step loop: 8 st.shared of o, m and l (lanes with sub == 0), addresses.
ACCSIM_MIX_HD constexpr Body decode_split_merge(int d) {
  (void)d;
  Body b = body("decode_split_merge");
  add(b, InstrClass::kAlu, 16);
  add(b, InstrClass::kSts32, 10);
  return b;
}
// One output column per thread over the kGroups = 4 x 32 / (d/8) groups: the maximum over the
// groups' m (ld.shared + fmax chain), then per group m, l, o (ld.shared), exp2(m - max), two fma.
ACCSIM_MIX_HD constexpr Body decode_split_combine(int d) {
  using namespace detail;
  const std::uint32_t groups = 4 * 32 / (static_cast<std::uint32_t>(d) / 8);
  Body b = body("decode_split_combine");
  add(b, C::kLds32, groups);
  add(b, C::kAlu, groups, kDepChain);
  add(b, C::kLds32, 2 * groups);
  add(b, C::kFfma, groups, kDep);
  add(b, C::kSfuEx2, groups, kDep);
  add(b, C::kFfma, 2 * groups, kDep);
  add(b, C::kAlu, groups + 1);
  return b;
}

// --- decode_combine_kernel ----------------------------------------------------------------------

ACCSIM_MIX_HD constexpr Body decode_combine_prologue() {
  Body b = body("decode_combine_prologue");
  add(b, InstrClass::kAlu, 1);
  return b;
}
// The splits loops are unrolled by 4 (nvcc): address arithmetic per trip is 0 .. 5.
ACCSIM_MIX_HD constexpr Body decode_combine_max_load() {
  Body b = body("decode_combine_max_load");
  add(b, InstrClass::kAlu, 1);
  return b;
}
ACCSIM_MIX_HD constexpr Body decode_combine_max() {
  Body b = body("decode_combine_max");
  add(b, InstrClass::kAlu, 1, kFlagChain);  // fmax into the running maximum
  return b;
}
ACCSIM_MIX_HD constexpr Body decode_combine_sum_load() {
  Body b = body("decode_combine_sum_load");
  add(b, InstrClass::kAlu, 1);
  return b;
}
ACCSIM_MIX_HD constexpr Body decode_combine_sum_load2() {
  Body b = body("decode_combine_sum_load2");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// exp2(m_s - max), l += l_s w, o += o_s w.
ACCSIM_MIX_HD constexpr Body decode_combine_sum() {
  using namespace detail;
  Body b = body("decode_combine_sum");
  add(b, C::kFfma, 1);
  add(b, C::kSfuEx2, 1, kDep);
  add(b, C::kFfma, 2, kDep);
  return b;
}
// o / l (div.rn.f32), the conversion to T, the store address.
ACCSIM_MIX_HD constexpr Body decode_combine_epilogue(bool bf16) {
  using namespace detail;
  (void)bf16;
  Body b = body("decode_combine_epilogue");
  add(b, C::kAlu, 6);
  add(b, C::kSfuRcp, 1, kDep);
  add(b, C::kCvt, 1, kDep);
  return b;
}

// --- gemv_kernel --------------------------------------------------------------------------------

// After the early exit: K/8 or K/4, the row's address.
ACCSIM_MIX_HD constexpr Body gemv_prologue() {
  Body b = body("gemv_prologue");
  add(b, InstrClass::kAlu, 1);
  return b;
}
// Before the 4 W and 4 x loads of a trip: indices, bounds, addresses (7 .. 15: the f32 loop is
// unrolled by 2 with a remainder).
ACCSIM_MIX_HD constexpr Body gemv_load() {
  Body b = body("gemv_load");
  add(b, InstrClass::kAlu, 10);
  return b;
}
// 4 x (unpack W and x, 8 or 4 fma into the single accumulator: one chain).
ACCSIM_MIX_HD constexpr Body gemv_step(Elem e) {
  using namespace detail;
  Body b = body("gemv_step");
  add(b, C::kCvt, unpacks(e, 64));
  add(b, C::kFfma, 4 * elems(e, true), kDepChain);
  return b;
}
// warp_sum (5 shuffles + adds, chain), the conversion and store address of lane 0.
ACCSIM_MIX_HD constexpr Body gemv_epilogue(Elem e) {
  using namespace detail;
  Body b = body("gemv_epilogue");
  add(b, C::kShfl, 5, kDepChain);
  add(b, C::kFfma, 5, kDep);
  add(b, C::kCvt, unpacks(e, 1), kDep);
  add(b, C::kAlu, half(e) ? 3 : 4);
  return b;
}

// --- softmax_kernel -----------------------------------------------------------------------------

// Row pointers only (no instruction left in the PTX).
ACCSIM_MIX_HD constexpr Body softmax_prologue() {
  return body("softmax_prologue");
}
ACCSIM_MIX_HD constexpr Body softmax_pass1_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("softmax_pass1_load");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// Per element: the -inf test, then `v > m` (new running maximum: s = s exp(m - v) + 1) or not
// (s += exp(v - m)). Both sides are counted (17 ffma, 2 ex2, 6 alu per element): on the study's
// random rows a thread sees a few dozen elements, and some lane of a warp finds a new maximum at
// nearly every one of them, so the warp runs both sides. expf without fast math is an ex2 with a
// range reduction (8 ffma-class instructions).
ACCSIM_MIX_HD constexpr Body softmax_pass1(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("softmax_pass1");
  add(b, C::kCvt, unpacks(e, n));
  add(b, C::kAlu, 6 * n, kDep);
  add(b, C::kFfma, 14 * n, kDep);
  add(b, C::kSfuEx2, 2 * n, kDep);
  add(b, C::kFfma, 3 * n, kDepChain);  // into the running sum
  return b;
}
// 5 butterfly rounds, each 2 shuffles and one (max, sum) merge (2 expf), then lane 0 stores the
// warp's pair (2 st.shared).
ACCSIM_MIX_HD constexpr Body softmax_reduce_warp() {
  using namespace detail;
  Body b = body("softmax_reduce_warp");
  add(b, C::kShfl, 10, kChain);
  add(b, C::kAlu, 41, kDep);
  add(b, C::kFfma, 95, kDep);
  add(b, C::kSfuEx2, 10, kDep);
  add(b, C::kSts32, 2, kDep);
  return b;
}
// After the barrier: 2 ld.shared, the same 5 rounds, 1/s (rcp.rn.f32).
ACCSIM_MIX_HD constexpr Body softmax_reduce_block() {
  using namespace detail;
  Body b = body("softmax_reduce_block");
  add(b, C::kLds32, 2);
  add(b, C::kShfl, 10, kDepChain);
  add(b, C::kAlu, 41, kDep);
  add(b, C::kFfma, 95, kDep);
  add(b, C::kSfuEx2, 10, kDep);
  add(b, C::kSfuRcp, 1, kDep);
  return b;
}
ACCSIM_MIX_HD constexpr Body softmax_pass2_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("softmax_pass2_load");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// Per element exp(v - max) * inv (9 ffma, 1 ex2, 4 alu for the -inf guards), then the packs.
ACCSIM_MIX_HD constexpr Body softmax_pass2(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("softmax_pass2");
  add(b, C::kCvt, unpacks(e, n));
  add(b, C::kAlu, 4 * n + 2, kDep);
  add(b, C::kFfma, 8 * n, kDep);
  add(b, C::kSfuEx2, n, kDep);
  add(b, C::kFfma, n, kDep);
  add(b, C::kCvt, packs(e, vec), kDep);
  return b;
}

// --- layernorm_kernel ---------------------------------------------------------------------------

ACCSIM_MIX_HD constexpr Body layernorm_prologue() {
  Body b = body("layernorm_prologue");
  add(b, InstrClass::kAlu, 2);
  return b;
}
ACCSIM_MIX_HD constexpr Body layernorm_pass1_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("layernorm_pass1_load");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// sum += v per element.
ACCSIM_MIX_HD constexpr Body layernorm_pass1(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("layernorm_pass1");
  add(b, C::kCvt, unpacks(e, n));
  add(b, C::kFfma, n, kDepChain);
  return b;
}
// warp_sum of the thread's partial (5 shuffles + adds, chain). Twice per row (sum, squares).
ACCSIM_MIX_HD constexpr Body layernorm_reduce_warp() {
  using namespace detail;
  Body b = body("layernorm_reduce_warp");
  add(b, C::kShfl, 5, kDepChain);
  add(b, C::kFfma, 5, kDep);
  return b;
}
// Between the two barriers: lane 0 stores the warp sum (the lane/warp index math of the first
// reduction is shared with the second).
ACCSIM_MIX_HD constexpr Body layernorm_reduce_store() {
  Body b = body("layernorm_reduce_store");
  add(b, InstrClass::kAlu, 2);
  add(b, InstrClass::kSts32, 1);
  return b;
}
// The per-warp sums (1 ld.shared), warp_sum, / cols (cvt of cols, div.rn.f32).
ACCSIM_MIX_HD constexpr Body layernorm_mean() {
  using namespace detail;
  Body b = body("layernorm_mean");
  add(b, C::kAlu, 6);
  add(b, C::kLds32, 1);
  add(b, C::kShfl, 5, kDepChain);
  add(b, C::kFfma, 5, kDep);
  add(b, C::kCvt, 1);
  add(b, C::kSfuRcp, 1, kDep);
  return b;
}
ACCSIM_MIX_HD constexpr Body layernorm_pass2_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("layernorm_pass2_load");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// sq += (v - mean)^2 per element: a subtraction and an fma.
ACCSIM_MIX_HD constexpr Body layernorm_pass2(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("layernorm_pass2");
  add(b, C::kCvt, unpacks(e, n));
  add(b, C::kFfma, n, kDep);
  add(b, C::kFfma, n, kDepChain);
  return b;
}
// warp_sum of the per-warp sums, / cols + eps, rsqrt.
ACCSIM_MIX_HD constexpr Body layernorm_rstd() {
  using namespace detail;
  Body b = body("layernorm_rstd");
  add(b, C::kLds32, 1);
  add(b, C::kShfl, 5, kDepChain);
  add(b, C::kFfma, 5, kDep);
  add(b, C::kSfuRcp, 1, kDep);
  add(b, C::kFfma, 1, kDep);
  add(b, C::kSfuRsqrt, 1, kDep);
  return b;
}
ACCSIM_MIX_HD constexpr Body layernorm_pass3_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("layernorm_pass3_load");
  add(b, InstrClass::kAlu, 4);
  return b;
}
// (v - mean) * rstd * gamma + beta per element (3 ffma) after 3 unpacks, then the packs.
ACCSIM_MIX_HD constexpr Body layernorm_pass3(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("layernorm_pass3");
  add(b, C::kCvt, unpacks(e, 3 * n));
  add(b, C::kFfma, 3 * n, kDep);
  add(b, C::kCvt, packs(e, vec), kDep);
  add(b, C::kAlu, 1);
  return b;
}

// --- gelu_kernel --------------------------------------------------------------------------------

ACCSIM_MIX_HD constexpr Body gelu_prologue() {
  Body b = body("gelu_prologue");
  add(b, InstrClass::kAlu, 4);
  return b;
}
ACCSIM_MIX_HD constexpr Body gelu_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("gelu_load");
  add(b, InstrClass::kAlu, 2);
  return b;
}
// Per element 0.5 v (1 + tanh(0.79788456 (v + 0.044715 v^3))): tanhf is branch-free in CUDA 13
// (both its polynomial, |x| < 0.6, and its ex2/rcp form are computed and selected): 16 ffma,
// 1 ex2, 1 rcp, 6 alu (abs, copysign, compares, selects).
ACCSIM_MIX_HD constexpr Body gelu_step(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("gelu_step");
  add(b, C::kCvt, unpacks(e, n));
  add(b, C::kFfma, 6 * n, kDep);
  add(b, C::kSfuEx2, n, kDep);
  add(b, C::kFfma, n, kDep);
  add(b, C::kSfuRcp, n, kDep);
  add(b, C::kFfma, 9 * n, kDep);
  add(b, C::kAlu, 6 * n + 1, kDep);
  add(b, C::kCvt, packs(e, vec), kDep);
  return b;
}

// --- add_kernel ---------------------------------------------------------------------------------

// As gelu_prologue: n / kv, the grid stride and the thread's first vector.
ACCSIM_MIX_HD constexpr Body add_prologue() {
  Body b = body("add_prologue");
  add(b, InstrClass::kAlu, 4);
  return b;
}
// The addresses of the trip's two loads (a, b).
ACCSIM_MIX_HD constexpr Body add_load(Elem e, bool vec) {
  (void)e, (void)vec;
  Body b = body("add_load");
  add(b, InstrClass::kAlu, 3);
  return b;
}
// Per element one add.f32 after the unpacks of a and b, then the packs of y.
ACCSIM_MIX_HD constexpr Body add_step(Elem e, bool vec) {
  using namespace detail;
  const std::uint32_t n = elems(e, vec);
  Body b = body("add_step");
  add(b, C::kCvt, unpacks(e, 2 * n));
  add(b, C::kFfma, n, kDep);
  add(b, C::kCvt, packs(e, vec), kDep);
  add(b, C::kAlu, 1);
  return b;
}

// --- registers per thread -----------------------------------------------------------------------
//
// `ptxas info : Used N registers` of each timing-build (PlainMem) instantiation, from
//   nvcc -cubin -arch=sm_90 -std=c++17 -O3 -DNDEBUG -lineinfo -Xptxas -v reference/kernels/X.cu
// with nvcc 13.0.88 (Build cuda_13.0.r13.0/compiler.36424714_0); re-run and compared by the
// CTest test reference_ptx_regs (reference/scripts/mix_check.py regs). The capture build uses
// more; the access-trace metadata records what the captured launch used (cudaFuncGetAttributes).
ACCSIM_MIX_HD constexpr int regs_gemm(bool bf16, bool b_nk) {
  (void)bf16;
  return b_nk ? 126 : 128;
}
ACCSIM_MIX_HD constexpr int regs_flash(bool bf16, int d) {
  (void)bf16, (void)d;
  return 128;  // __launch_bounds__(256, 2): at most 128; d = 128 spills 8 bytes
}
ACCSIM_MIX_HD constexpr int regs_decode_split(bool bf16, int d) {
  (void)bf16;
  return d == 64 ? 64 : 56;
}
ACCSIM_MIX_HD constexpr int regs_decode_combine(bool bf16, int d) {
  (void)bf16, (void)d;
  return 32;
}
ACCSIM_MIX_HD constexpr int regs_gemv(Elem e) {
  (void)e;
  return 34;
}
ACCSIM_MIX_HD constexpr int regs_softmax(Elem e) {
  return e == Elem::kF32 ? 24 : 31;
}
ACCSIM_MIX_HD constexpr int regs_layernorm(Elem e) {
  return e == Elem::kF32 ? 30 : 32;
}
ACCSIM_MIX_HD constexpr int regs_gelu(Elem e) {
  return e == Elem::kF32 ? 31 : 32;
}
ACCSIM_MIX_HD constexpr int regs_add(Elem e) {
  return e == Elem::kF32 ? 28 : e == Elem::kBF16 ? 29 : 32;
}

}  // namespace accsim::workloads::mix
