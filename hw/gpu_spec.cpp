#include "hw/gpu_spec.h"

#include <cmath>
#include <map>

#include "hw/dram_config.h"

namespace accsim::hw {

// Every figure of the built-in GPUs cites one of these beside it (presets() below). The schema
// defaults are the H100 preset's figures.
//
// [H100]  NVIDIA H100 Tensor Core GPU Architecture whitepaper (v1.04), Table 3 "Comparison of
//         NVIDIA A100 and H100 Data Center GPUs", H100 SXM5: 132 SMs, 1980 MHz max boost, 256 KB
//         of combined L1/texture/shared memory per SM (up to 228 KB shared), 50 MB L2, 80 GB
//         HBM3 in 5 stacks at 3.35 TB/s, FP32 67 TFLOPS (= 132 x 128 x 2 x 1.98 GHz), dense FP16
//         tensor with FP32 accumulation 989.4 TFLOPS. The tensor figures use a 1830 MHz clock:
//         989.4e12 = 132 x 4096 FLOP x 1.83 GHz, i.e. 2048 FP16 multiply-adds per SM per cycle
//         (the 1830/1980 MHz ratio is also what XLA's cuda_core_info_table.cc takes from this
//         table, and the FlashAttention-3 blog post, note 2, calls 1830 MHz "the clock speed used
//         to calculate 989 TFLOPS"). NVIDIA's preliminary table (Hopper "in depth" blog) gives
//         FP16 (non-tensor) = 2 x FP32 (120 vs 60 TFLOPS).
// [H200]  NVIDIA H200 Tensor Core GPU datasheet: 141 GB of HBM3E at 4.8 TB/s; FP32 67 TFLOPS and
//         FP16 tensor 1979 TFLOPS with sparsity, both the H100 SXM's (the same GH100
//         configuration). The datasheet lists no L2 size.
// [A100]  NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020): 108 SMs, 1410 MHz boost,
//         192 KB of combined L1/shared memory per SM (up to 164 KB shared), 40 MB L2, 40 GB HBM2
//         in 5 stacks at 1555 GB/s, FP32 19.5 TFLOPS, FP16 (non-tensor) 78 TFLOPS, dense FP16
//         tensor 312 TFLOPS (= 108 x 2048 FLOP x 1.41 GHz: 1024 multiply-adds per SM per cycle).
//         A100 80GB datasheet: HBM2E at 2039 GB/s (SXM).
// [T4]    NVIDIA T4 datasheet: 2560 CUDA cores, 320 Turing tensor cores, FP32 8.1 TFLOPS,
//         mixed-precision FP16/FP32 65 TFLOPS, 16 GB GDDR6 at 320 GB/s, 70 W; TechPowerUp GPU
//         database, Tesla T4: TU104, 40 SMs, 1590 MHz boost, 4 MB L2, 256-bit GDDR6 at 10 Gbps.
//         65e12 / (2 x 40 x 1.59 GHz) = 511: 512 multiply-adds per SM per cycle (8 tensor cores
//         x 64). NVIDIA Turing GPU Architecture whitepaper (2018): 96 KB of L1/shared memory per
//         SM, split 64 KB shared + 32 KB L1 or 32 KB shared + 64 KB L1.
// [SMSP]  The Volta, Turing, Ampere and Hopper whitepapers: an SM is four processing blocks, each
//         with one warp scheduler dispatching one warp-instruction per clock.
// [TP]    CUDA C++ Programming Guide, "Arithmetic Instructions", table "Throughput of Native
//         Arithmetic Instructions (Number of Results per Clock Cycle per Multiprocessor)" (now
//         also CUDA C++ Best Practices Guide 12.1.1), columns 7.5 (7.x), 8.0, 9.0: 32-bit FP
//         add/mul/fma 64 / 64 / 128; 16-bit FP add/mul/fma 128 / 256 / 256; 32-bit FP
//         reciprocal, rsqrt, log2, exp2, sin, cos 16 / 16 / 16; 32-bit integer add, bitwise
//         and/or/xor, compare/min/max 64 / 64 / 64; "all other type conversions" 16 / 16 / 16;
//         warp shuffle 32 / 32 / 32. Checked: the 7.x column from an archived (translated)
//         copy of the table; 9.0's 16 for the SFU row as quoted by the FlashAttention-3 blog post
//         (note 2); the 8.0/9.0 FP32 and FP16 rows reproduce [A100]'s and [H100]'s peaks. The
//         other 8.0 and 9.0 entries are the table's as recalled, not re-checked.
// [TS]    CUDA C++ Programming Guide, "Technical Specifications per Compute Capability":
//         64 K 32-bit registers per SM, 255 per thread; 7.5: 16 CTAs, 32 warps (1024 threads),
//         64 KB shared memory per SM; 8.0: 32 CTAs, 64 warps (2048 threads), 164 KB; 9.0: 32,
//         64 (2048), 228 KB; 1 KB of shared memory reserved by the system per CTA on 8.0 and 9.0,
//         none on 7.5. Confirmed against NVIDIA CCCL's cudax/include/cuda/experimental/__device/
//         arch_traits.cuh (sm_750/800/900 traits).
// [OCC]   CUDA Occupancy Calculator (CUDA_Occupancy_Calculator.xls, "GPU Data"): registers are
//         allocated per warp in units of 256 for compute capability 7.x-9.0. Not re-checked
//         when these presets were written.
// [SMB]   CUDA C++ Programming Guide, "Shared Memory" (compute capability 5.x and later): 32
//         banks, successive 32-bit words in successive banks, each bank 32 bits per clock: 128
//         bytes per SM per cycle.
// [FA3]   Shah, Bikshandi, Zhang, Thakkar, Ramani, Dao, "FlashAttention-3: Fast and Accurate
//         Attention with Asynchrony and Low-precision" (PyTorch blog, July 2024), note 1:
//         "Without the wgmma instruction, the older mma.sync instruction can only reach about
//         2/3 the peak throughput of Hopper Tensor Cores", citing [LUO] (arXiv 2402.13499v1).
// [LUO]   Luo, Fan, Li, Du, Wang, Chu, "Benchmarking and Dissecting the Nvidia Hopper GPU
//         Architecture", IPDPS 2024 (arXiv 2402.13499), and Luo et al., "Dissecting the NVIDIA
//         Hopper Architecture through Microbenchmarking and Multiple Level Analysis" (arXiv
//         2501.12084). As summarised in a third-party reading of the papers (their tables could
//         not be consulted): on an H800, mma m16n8k16/m16n8k8 shapes reach
//         62.9 % of the tensor peak on average, wgmma m64nNk16 over 95 %; pointer-chase L2 hits
//         near/far 258 / 414.1 cycles (H800) and 208 / 356.6 (A100). Their code repository
//         (HPMLL/NVIDIA-Hopper-Benchmark, RegularUnits/random_latency/{h800_pcie,a100_pcie}.txt,
//         a random pointer chase, 8-byte loads, 128-byte stride): H800 PCIe at 1755 MHz: L1 32,
//         L2 264 (<= 20 MB), DRAM ~600-650 cycles; A100 PCIe at 1395 MHz: L1 32.7, L2 203
//         (<= 20 MB), DRAM ~530 cycles at 96-112 MB.
// [AS]    Accel-Sim's tuned configurations (accel-sim/gpgpu-sim_distribution, configs/
//         tested-cfgs/<GPU>/gpgpusim.config; tuned with microbenchmarks, Khairy et al., ISCA
//         2020): SM90_H100 / SM80_A100 / SM75_RTX2060 (Turing, the T4's SM): -ptx_opcode_latency_fp
//         4/4/4, _int 4/4/4, _sfu 23/23/21, _tesnor 24/25/64, -gpgpu_smem_latency 29/28/30,
//         -gpgpu_l1_latency 41/34/32. L2: H100 40 memory partitions x 2 sub-partitions of
//         256 sets x 128 B x 20 ways = 80 slices of 640 KB; A100 40 x 4 of 128 x 128 B x 16 =
//         160 slices of 256 KB; RTX 2060 (192-bit) 12 x 2 of 64 x 128 B x 16 = 24 slices of
//         128 KB; SM90_H200 scales H100's to 48 x 2 = 96 slices (60 MB).
// [TUR]   sjfeng1999/gpu-arch-microbenchmark (README; RTX 2070, Turing): L1 hit 32, L2 hit 236,
//         global memory 1000-1200 cycles. A T4 measurement (Jia et al., "Dissecting the NVidia
//         Turing T4 GPU via Microbenchmarking", arXiv 1903.07486) could not be consulted.
// [CHASE] A pointer chase and read-bandwidth sweep on an H100 SXM at 1980 MHz reported to this
//         project (not a publication; not yet reproduced by reference/kernels/micro.cu): L1 hit
//         39 cycles, L2 hit ~290 (working set <= 8 MB), DRAM ~420 for L1-bypassing loads (~650-690
//         for cached loads), ~7.6 TB/s read bandwidth from an L2-resident working set. [LUO]'s
//         H800 figures above are of a lower-clocked part.
// [HZ]    Horowitz, "Computing's Energy Problem (and what we can do about it)", ISSCC 2014,
//         45 nm, 0.9 V: 16-bit FP multiply 1.1 pJ, add 0.4 pJ; 32-bit FP multiply 3.7 pJ, add
//         0.9 pJ; 32-bit integer add 0.1 pJ; 64-bit read of an 8 KB SRAM 10 pJ (0.16 pJ/bit; a
//         32-bit read 5 pJ), of a 1 MB SRAM 100 pJ (1.6 pJ/bit); ~70 pJ per instruction of an
//         in-order core's fetch, decode and control overhead.
// [AW]    AccelWattch (Kandiah et al., MICRO 2021) as released with Accel-Sim (configs/
//         tested-cfgs/SM7_QV100/accelwattch_sass_sim_alt.xml; the same figures in
//         SM75_RTX2060_S/accelwattch_sass_sim.xml): constant_power 32.33 W and idle_core_power
//         0.283 W per idle SM, calibrated on a 12 nm Quadro GV100.
//
// The energy model is a simplification: the per-operation figures are [HZ]'s 45 nm ones, several
// nodes older than these GPUs (12 nm T4, 7 nm A100, 4 nm H100/H200), so dynamic energy is an
// upper bound; static power is [AW]'s idle GPU (constant + idle SMs) of a 12 nm Volta, applied to
// each GPU's SM count unchanged (ASSUMPTION; for the 70 W T4 it is likely too high). Its
// constant part includes board power beside the DRAM, which the DRAM model charges separately.
//
// Cache and memory-system figures that no source gives, the same for every preset:
// ASSUMPTIONS: L1 4 ways and 4 sectors (one 128-byte line) per SM cycle; L2 16 ways (Accel-Sim
// uses 20 for the H100); max_outstanding 1536 sectors per SM: [AS]'s tuned L1 data caches have
// 384 MSHR entries of 128-byte lines (-gpgpu_cache:dl1 ...,A:384:48,...), i.e. 1536 sectors
// (Little's law for the H100's 3.35 TB/s at a ~600-cycle loaded latency needs ~560 per SM; a
// GEMM's cp.async stages put 16 KB per CTA in flight); warp_outstanding 8 (memory-only kernels
// only). The L1 capacity is the unified L1/shared array; the model subtracts the shared memory
// of the resident CTAs (models/gpu/README.md).

ClockDomain GpuSpec::clock() const {
  ClockDomain c;
  c.name = "sm";
  c.period_ps = static_cast<Ps>(std::llround(1e12 / sm_clock_hz));
  return c;
}

std::vector<std::string> GpuSpec::sources() {
  return {
      "organisation and peaks: NVIDIA H100 whitepaper (v1.04, Table 3), H200 datasheet, A100 "
      "whitepaper and A100 80GB datasheet, T4 datasheet and Turing whitepaper",
      "L2 slices: Accel-Sim's tuned configs (SM90_H100 80 x 640 KB, SM80_A100 160 x 256 KB, "
      "Turing 128 KB slices); the T4's 32 slices scale Turing's to its 256-bit bus",
      "pipe rates: CUDA C++ Programming Guide, Throughput of Native Arithmetic Instructions; "
      "tensor: whitepaper peaks; Hopper mma.sync ~2/3 of the wgmma peak (FlashAttention-3 blog, "
      "citing Luo et al., IPDPS 2024)",
      "pipe latencies: Accel-Sim's tuned configs; occupancy limits: CUDA C++ Programming Guide, "
      "Technical Specifications per Compute Capability (and NVIDIA CCCL arch_traits)",
      "cache latencies: H100/H200 a pointer chase on an H100 SXM reported to the project (not "
      "yet reproduced by reference/); A100 Luo et al.'s A100 PCIe chase; T4 Accel-Sim and a "
      "Turing RTX 2070 chase; dram_latency derived from them (hw/gpu_spec.cpp)",
      "energy: Horowitz ISSCC 2014 (45 nm) per operation and SRAM access; static power "
      "AccelWattch MICRO 2021 (12 nm Volta) constant + idle-SM power",
      "cache ways, L1/L2 throughput, outstanding-request limits, H200 L2 = H100's: assumptions "
      "(hw/gpu_spec.cpp)",
  };
}

namespace {

// The built-in GPUs as YAML patches onto the schema defaults. Every figure cites its source
// ([KEY] above); DERIVED figures show the derivation.
const std::map<std::string, std::string>& presets() {
  static const std::map<std::string, std::string> p = {
      {"H100",
       "name: NVIDIA H100 SXM\n"
       "compute_capability: '9.0'\n"    // [H100]
       "sms: 132\n"                     // [H100]
       "sm_clock: 1.98GHz\n"            // [H100] max boost
       "max_threads_per_sm: 2048\n"     // [TS] 9.0
       "max_ctas_per_sm: 32\n"          // [TS] 9.0
       "max_warps_per_sm: 64\n"         // [TS] 9.0
       "smem_per_sm: 228KiB\n"          // [TS] 9.0, [H100]
       "smem_reserved_per_cta: 1KiB\n"  // [TS] 9.0
       "regs_per_sm: 65536\n"           // [TS]
       "reg_alloc_unit: 256\n"          // [OCC]
       "max_regs_per_thread: 255\n"     // [TS]
       "sub_partitions: 4\n"            // [SMSP]
       "issue_per_cycle: 1\n"           // [SMSP]
       "pipes:\n"
       // mma.sync m16n8k16: 2/3 [FA3] (62.9 % [LUO]) of the wgmma peak of 2048 MACs per SM
       // per cycle ([H100]: 989.4 TFLOPS / (2 x 132 x 1.83 GHz)); latency [AS].
       "  tensor: {rate: 1365, latency: 24}\n"
       "  fma: {rate: 128, latency: 4}\n"    // [TP] 9.0; [AS] fp latency
       "  fp16: {rate: 256, latency: 4}\n"   // [TP] 9.0; ASSUMPTION: fp32's latency ([AS] has one)
       "  sfu: {rate: 16, latency: 23}\n"    // [TP] 9.0 ([FA3] note 2); [AS]
       "  alu: {rate: 64, latency: 4}\n"     // [TP] 9.0; [AS] int latency
       "  cvt: {rate: 16, latency: 23}\n"    // [TP] 9.0; ASSUMPTION: the SFU's latency (same rate)
       "  shfl: {rate: 32, latency: 29}\n"   // [TP] 9.0; ASSUMPTION: shared memory's latency
       "  smem: {rate: 128, latency: 29}\n"  // [SMB]; [AS] smem latency
       "l1: {size: 256KiB, ways: 4, hit_latency: 39, sectors_per_cycle: 4}\n"   // [H100], [CHASE]
       "l2: {size: 50MiB, ways: 16, hit_latency: 290, sectors_per_cycle: 2}\n"  // [H100], [CHASE]
       "l2_slices: 80\n"                                                        // [AS] 80 x 640 KB
       // DERIVED: [CHASE] DRAM 420 - L2 290 - HBM3-5.2's read (nRCDRD + nCL + nBL = 40 nCK x
       // 0.769 ns = 61 SM cycles) = 69.
       "dram_latency: 69\n"
       "max_outstanding: 1536\nwarp_outstanding: 8\n"  // [AS] L1 MSHRs; ASSUMPTION (see above)
       // [H100] 5 stacks x 16 channels; 5.2 Gbps x 160 pseudo-channels x 4 B = 3.33 TB/s
       // (-0.6 % of 3.35 TB/s; the exact 5.23 Gbps has no bin).
       "memory_preset: HBM3\nmemory_speed: HBM3-5.2\nmemory_channels: 80\n"
       // [HZ] 8 KB / 1 MB SRAM reads; no figure for the SM-L2 crossbar: 0.
       "energy: {l1: 0.16pJ/bit, l2: 1.6pJ/bit, noc: 0pJ/bit,\n"
       // [HZ]: 16-bit multiply 1.1 + 32-bit add 0.9; 32-bit multiply 3.7 + add 0.9; two 16-bit
       // (1.1 + 0.4); 32-bit int add.
       "  tensor: 2.0pJ, fma: 4.6pJ, fp16: 3.0pJ, alu: 0.1pJ,\n"
       // ASSUMPTIONS from [HZ]: MUFU evaluates a quadratic interpolation (two multiply-adds,
       // Oberman & Siu, ARITH 2005); a conversion ~ one 32-bit FP add; a shuffle lane ~ one
       // 32-bit read of an 8 KB SRAM.
       "  sfu: 9.2pJ, cvt: 0.9pJ, shfl: 5pJ,\n"
       "  smem: 0.16pJ/bit,\n"  // [HZ] 8 KB SRAM (a bank is 228 KB / 32 = 7 KB)
       // DERIVED from [HZ]: 70 pJ overhead + 3 source and 1 destination registers x 32 lanes x
       // 32 bit x 0.16 pJ/bit (register banks are KB-sized SRAM) = 70 + 655.
       "  issue: 725pJ,\n"
       "  static: 69.66W}\n"},  // [AW] 32.33 W + 132 SMs x 0.283 W (ASSUMPTION, see above)
      {"H200",
       "name: NVIDIA H200 SXM\n"
       "compute_capability: '9.0'\n"  // [H200]: the GH100 of [H100]
       "sms: 132\n"                   // [H200] same compute figures as the H100 SXM
       "sm_clock: 1.98GHz\n"          // [H200] same FP32 peak as the H100 SXM
       "max_threads_per_sm: 2048\nmax_ctas_per_sm: 32\nmax_warps_per_sm: 64\n"  // [TS] 9.0
       "smem_per_sm: 228KiB\nsmem_reserved_per_cta: 1KiB\n"                     // [TS] 9.0
       "regs_per_sm: 65536\nreg_alloc_unit: 256\nmax_regs_per_thread: 255\n"    // [TS], [OCC]
       "sub_partitions: 4\nissue_per_cycle: 1\n"                                // [SMSP]
       "pipes:\n"
       "  tensor: {rate: 1365, latency: 24}\n"  // as H100: [FA3], [LUO], [AS]
       "  fma: {rate: 128, latency: 4}\n"       // [TP] 9.0; [AS]
       "  fp16: {rate: 256, latency: 4}\n"      // [TP] 9.0; ASSUMPTION as H100
       "  sfu: {rate: 16, latency: 23}\n"       // [TP] 9.0; [AS]
       "  alu: {rate: 64, latency: 4}\n"        // [TP] 9.0; [AS]
       "  cvt: {rate: 16, latency: 23}\n"       // [TP] 9.0; ASSUMPTION as H100
       "  shfl: {rate: 32, latency: 29}\n"      // [TP] 9.0; ASSUMPTION as H100
       "  smem: {rate: 128, latency: 29}\n"     // [SMB]; [AS]
       // [H200] lists no cache sizes; ASSUMPTION: the H100 SXM's 50 MB in 80 slices (Accel-Sim's
       // SM90_H200 uses 96 slices, 60 MB: the full GH100, which NVIDIA does not state). No H200
       // chase: ASSUMPTION [CHASE]'s H100 latencies.
       "l1: {size: 256KiB, ways: 4, hit_latency: 39, sectors_per_cycle: 4}\n"
       "l2: {size: 50MiB, ways: 16, hit_latency: 290, sectors_per_cycle: 2}\n"
       "l2_slices: 80\n"
       // DERIVED as H100 with HBM3E-6.25's read (23 + 23 + 2 nCK x 0.64 ns = 61 SM cycles).
       "dram_latency: 69\n"
       "max_outstanding: 1536\nwarp_outstanding: 8\n"  // [AS] L1 MSHRs; ASSUMPTION
       // [H200] 6 stacks x 16 channels; 6.25 Gbps x 192 pseudo-channels x 4 B = 4.80 TB/s.
       "memory_preset: HBM3E\nmemory_speed: HBM3E-6.25\nmemory_channels: 96\n"
       "energy: {l1: 0.16pJ/bit, l2: 1.6pJ/bit, noc: 0pJ/bit,\n"  // [HZ] as H100
       "  tensor: 2.0pJ, fma: 4.6pJ, fp16: 3.0pJ, alu: 0.1pJ,\n"  // [HZ] as H100
       "  sfu: 9.2pJ, cvt: 0.9pJ, shfl: 5pJ,\n"                   // ASSUMPTIONS as H100
       "  smem: 0.16pJ/bit, issue: 725pJ,\n"                      // [HZ], DERIVED as H100
       "  static: 69.66W}\n"},                                    // [AW] as H100
      {"A100-40GB",
       "name: NVIDIA A100 SXM4 40GB\n"
       "compute_capability: '8.0'\n"                                            // [A100]
       "sms: 108\n"                                                             // [A100]
       "sm_clock: 1.41GHz\n"                                                    // [A100] boost
       "max_threads_per_sm: 2048\nmax_ctas_per_sm: 32\nmax_warps_per_sm: 64\n"  // [TS] 8.0
       "smem_per_sm: 164KiB\nsmem_reserved_per_cta: 1KiB\n"                     // [TS] 8.0, [A100]
       "regs_per_sm: 65536\nreg_alloc_unit: 256\nmax_regs_per_thread: 255\n"    // [TS], [OCC]
       "sub_partitions: 4\nissue_per_cycle: 1\n"                                // [SMSP]
       "pipes:\n"
       // [A100] 312 TFLOPS / (2 x 108 x 1.41 GHz) = 1024 (mma.sync is Ampere's tensor path);
       // latency [AS].
       "  tensor: {rate: 1024, latency: 25}\n"
       "  fma: {rate: 64, latency: 4}\n"     // [TP] 8.0 ([A100] 19.5 TFLOPS); [AS]
       "  fp16: {rate: 256, latency: 4}\n"   // [TP] 8.0 ([A100] 78 TFLOPS); ASSUMPTION as H100
       "  sfu: {rate: 16, latency: 23}\n"    // [TP] 8.0; [AS]
       "  alu: {rate: 64, latency: 4}\n"     // [TP] 8.0; [AS]
       "  cvt: {rate: 16, latency: 23}\n"    // [TP] 8.0; ASSUMPTION: the SFU's latency
       "  shfl: {rate: 32, latency: 28}\n"   // [TP] 8.0; ASSUMPTION: shared memory's latency
       "  smem: {rate: 128, latency: 28}\n"  // [SMB]; [AS]
       // [A100] 192 KB L1/shared (largest L1 carve-out); hit 33 cycles [LUO] A100 PCIe chase.
       "l1: {size: 192KiB, ways: 4, hit_latency: 33, sectors_per_cycle: 4}\n"
       // [A100] 40 MB in [AS]'s 160 slices; hit 203 [LUO] (<= 20 MB, near partition);
       // 1 sector per slice per cycle: ASSUMPTION (160 x 32 B x 1.41 GHz = 7.2 TB/s).
       "l2: {size: 40MiB, ways: 16, hit_latency: 203, sectors_per_cycle: 1}\n"
       "l2_slices: 160\n"  // [AS]
       // DERIVED: [LUO] DRAM ~530 (cached loads) - L2 203 - HBM2-2.4's read (15 + 21 + 2 nCK x
       // 0.823 ns = 44 SM cycles) = 283.
       "dram_latency: 283\n"
       "max_outstanding: 1536\nwarp_outstanding: 8\n"  // [AS] L1 MSHRs; ASSUMPTION
       // [A100] 5 stacks x 8 channels; 2.43 Gbps x 80 pseudo-channels x 8 B = 1.555 TB/s.
       "memory_preset: HBM2\nmemory_speed: HBM2-2.4\nmemory_channels: 40\n"
       "energy: {l1: 0.16pJ/bit, l2: 1.6pJ/bit, noc: 0pJ/bit,\n"  // [HZ] as H100
       "  tensor: 2.0pJ, fma: 4.6pJ, fp16: 3.0pJ, alu: 0.1pJ,\n"  // [HZ] as H100
       "  sfu: 9.2pJ, cvt: 0.9pJ, shfl: 5pJ,\n"                   // ASSUMPTIONS as H100
       "  smem: 0.16pJ/bit, issue: 725pJ,\n"                      // [HZ], DERIVED as H100
       "  static: 62.87W}\n"},  // [AW] 32.33 W + 108 SMs x 0.283 W (ASSUMPTION)
      {"A100-80GB",
       "name: NVIDIA A100 SXM4 80GB\n"
       "compute_capability: '8.0'\n"                                            // [A100]
       "sms: 108\nsm_clock: 1.41GHz\n"                                          // [A100]
       "max_threads_per_sm: 2048\nmax_ctas_per_sm: 32\nmax_warps_per_sm: 64\n"  // [TS] 8.0
       "smem_per_sm: 164KiB\nsmem_reserved_per_cta: 1KiB\n"                     // [TS] 8.0
       "regs_per_sm: 65536\nreg_alloc_unit: 256\nmax_regs_per_thread: 255\n"    // [TS], [OCC]
       "sub_partitions: 4\nissue_per_cycle: 1\n"                                // [SMSP]
       "pipes:\n"
       "  tensor: {rate: 1024, latency: 25}\n"  // as A100-40GB: [A100], [AS]
       "  fma: {rate: 64, latency: 4}\n"        // [TP] 8.0; [AS]
       "  fp16: {rate: 256, latency: 4}\n"      // [TP] 8.0; ASSUMPTION
       "  sfu: {rate: 16, latency: 23}\n"       // [TP] 8.0; [AS]
       "  alu: {rate: 64, latency: 4}\n"        // [TP] 8.0; [AS]
       "  cvt: {rate: 16, latency: 23}\n"       // [TP] 8.0; ASSUMPTION
       "  shfl: {rate: 32, latency: 28}\n"      // [TP] 8.0; ASSUMPTION
       "  smem: {rate: 128, latency: 28}\n"     // [SMB]; [AS]
       "l1: {size: 192KiB, ways: 4, hit_latency: 33, sectors_per_cycle: 4}\n"   // as A100-40GB
       "l2: {size: 40MiB, ways: 16, hit_latency: 203, sectors_per_cycle: 1}\n"  // as A100-40GB
       "l2_slices: 160\n"                                                       // [AS]
       // DERIVED as A100-40GB with HBM2E-3.2's read (20 + 28 + 2 nCK x 0.628 ns = 44 SM
       // cycles); ASSUMPTION: the same ~530-cycle DRAM latency as [LUO]'s A100.
       "dram_latency: 283\n"
       "max_outstanding: 1536\nwarp_outstanding: 8\n"  // [AS] L1 MSHRs; ASSUMPTION
       // [A100] 80GB datasheet: 5 stacks x 8 channels; 3.186 Gbps x 80 x 8 B = 2.038 TB/s.
       "memory_preset: HBM2E\nmemory_speed: HBM2E-3.2\nmemory_channels: 40\n"
       "energy: {l1: 0.16pJ/bit, l2: 1.6pJ/bit, noc: 0pJ/bit,\n"  // [HZ] as H100
       "  tensor: 2.0pJ, fma: 4.6pJ, fp16: 3.0pJ, alu: 0.1pJ,\n"  // [HZ] as H100
       "  sfu: 9.2pJ, cvt: 0.9pJ, shfl: 5pJ,\n"                   // ASSUMPTIONS as H100
       "  smem: 0.16pJ/bit, issue: 725pJ,\n"                      // [HZ], DERIVED as H100
       "  static: 62.87W}\n"},                                    // [AW] as A100-40GB
      {"T4",
       "name: NVIDIA T4\n"
       "compute_capability: '7.5'\n"                                            // [T4]
       "sms: 40\n"                                                              // [T4]
       "sm_clock: 1.59GHz\n"                                                    // [T4] boost
       "max_threads_per_sm: 1024\nmax_ctas_per_sm: 16\nmax_warps_per_sm: 32\n"  // [TS] 7.5
       "smem_per_sm: 64KiB\nsmem_reserved_per_cta: 0B\n"                        // [TS] 7.5, [T4]
       "regs_per_sm: 65536\nreg_alloc_unit: 256\nmax_regs_per_thread: 255\n"    // [TS], [OCC]
       "sub_partitions: 4\nissue_per_cycle: 1\n"                                // [SMSP]
       "pipes:\n"
       // [T4] 512 MACs per SM per cycle; latency [AS]'s SM75 tensor latency (Turing has no native
       // m16n8k16 and runs it as two m16n8k8: ASSUMPTION that [AS]'s figure applies to it).
       "  tensor: {rate: 512, latency: 64}\n"
       "  fma: {rate: 64, latency: 4}\n"     // [TP] 7.x ([T4] 8.1 TFLOPS); [AS]
       "  fp16: {rate: 128, latency: 4}\n"   // [TP] 7.x; ASSUMPTION: fp32's latency
       "  sfu: {rate: 16, latency: 21}\n"    // [TP] 7.x; [AS]
       "  alu: {rate: 64, latency: 4}\n"     // [TP] 7.x; [AS]
       "  cvt: {rate: 16, latency: 21}\n"    // [TP] 7.x; ASSUMPTION: the SFU's latency
       "  shfl: {rate: 32, latency: 30}\n"   // [TP] 7.x; ASSUMPTION: shared memory's latency
       "  smem: {rate: 128, latency: 30}\n"  // [SMB]; [AS]
       // [T4] Turing whitepaper: largest L1 carve-out 64 KB; hit 32 cycles [AS], [TUR].
       "l1: {size: 64KiB, ways: 4, hit_latency: 32, sectors_per_cycle: 4}\n"
       // [T4] 4 MB; [AS]'s Turing slice (128 KB; 24 on the RTX 2060's 192-bit bus, 4 per 32
       // bits) on the T4's 256-bit bus: 32 slices (DERIVED); hit 236 [TUR] (RTX 2070, not a T4);
       // 1 sector per slice per cycle: ASSUMPTION (32 x 32 B x 1.59 GHz = 1.6 TB/s).
       "l2: {size: 4MiB, ways: 16, hit_latency: 236, sectors_per_cycle: 1}\n"
       "l2_slices: 32\n"
       // DERIVED: [TUR] global memory ~1000 cycles (lower end) - L2 236 - GDDR6-10's read (23 +
       // 18 + 2 nCK x 0.8 ns = 55 SM cycles) = 709; an RTX 2070 figure that likely includes TLB
       // misses: an upper bound.
       "dram_latency: 709\n"
       "max_outstanding: 1536\nwarp_outstanding: 8\n"  // [AS] L1 MSHRs; ASSUMPTION
       // [T4] 8 x16 GDDR6 devices = 16 channels x 16 bit x 10 Gbps = 320 GB/s.
       "memory_preset: GDDR6\nmemory_speed: GDDR6-10\nmemory_channels: 16\n"
       "energy: {l1: 0.16pJ/bit, l2: 1.6pJ/bit, noc: 0pJ/bit,\n"  // [HZ] as H100
       "  tensor: 2.0pJ, fma: 4.6pJ, fp16: 3.0pJ, alu: 0.1pJ,\n"  // [HZ] as H100
       "  sfu: 9.2pJ, cvt: 0.9pJ, shfl: 5pJ,\n"                   // ASSUMPTIONS as H100
       "  smem: 0.16pJ/bit, issue: 725pJ,\n"                      // [HZ], DERIVED as H100
       "  static: 43.64W}\n"},  // [AW] 32.33 W + 40 SMs x 0.283 W (ASSUMPTION; 62 % of 70 W)
  };
  return p;
}

struct PipeDefault {
  double rate;
  int latency;
};

struct SchemaHolder {
  config::Schema<GpuCacheSpec> l1{"gpu.l1"};
  config::Schema<GpuCacheSpec> l2{"gpu.l2"};
  config::Schema<GpuPipeSpec> tensor{"gpu.pipes.tensor"}, fma{"gpu.pipes.fma"},
      fp16{"gpu.pipes.fp16"}, sfu{"gpu.pipes.sfu"}, alu{"gpu.pipes.alu"}, cvt{"gpu.pipes.cvt"},
      shfl{"gpu.pipes.shfl"}, smem{"gpu.pipes.smem"};
  config::Schema<GpuPipesSpec> pipes{"gpu.pipes"};
  config::Schema<GpuEnergySpec> energy{"gpu.energy"};
  config::Schema<GpuSpec> spec{"gpu"};

  static void cache(config::Schema<GpuCacheSpec>& s, double size, int ways, int lat, int spc,
                    const char* what) {
    using config::Range;
    s.quantity("size", &GpuCacheSpec::size_bytes, Unit::kSize, size, Range::between(1024, 1e12),
               what)
        .integer("line", &GpuCacheSpec::line_bytes, std::optional<int>(128),
                 Range::between(32, 1024), "bytes", "line size (at most 32 sectors)")
        .integer("sector", &GpuCacheSpec::sector_bytes, std::optional<int>(32),
                 Range::between(32, 32), "bytes", "sector size (the access traces' granularity)")
        .integer("ways", &GpuCacheSpec::ways, std::optional<int>(ways), Range::between(1, 1024), "",
                 "associativity (assumption)")
        .integer("hit_latency", &GpuCacheSpec::hit_latency, std::optional<int>(lat),
                 Range::between(1, 100000), "SM cycles", "issue to data on a hit (pointer chase)")
        .integer("sectors_per_cycle", &GpuCacheSpec::sectors_per_cycle, std::optional<int>(spc),
                 Range::between(1, 64), "sectors", "lookups per cycle (assumption)");
  }

  static void pipe(config::Schema<GpuPipeSpec>& s, PipeDefault d, const char* rate_desc) {
    using config::Range;
    s.quantity("rate", &GpuPipeSpec::rate, Unit::kNone, d.rate, Range::between(0.001, 1e6),
               rate_desc)
        .integer("latency", &GpuPipeSpec::latency, std::optional<int>(d.latency),
                 Range::between(1, 100000), "SM cycles",
                 "issue to a dependent instruction's issue");
  }

  SchemaHolder() {
    using config::Range;
    cache(l1, 256.0 * 1024, 4, 39, 4, "L1 data cache per SM");
    cache(l2, 50.0 * 1024 * 1024, 16, 290, 2, "L2 in all (per slice: this / l2_slices)");
    // Defaults: the H100 preset's figures (sources there).
    pipe(tensor, {1365, 24},
         "mma.sync m16n8k16 (16-bit inputs, fp32 accumulation) multiply-accumulates per SM "
         "cycle");
    pipe(fma, {128, 4}, "fp32 fma/add/mul results per SM cycle");
    pipe(fp16, {256, 4}, "16-bit fma/add/mul results per SM cycle (a half2 lane is 2)");
    pipe(sfu, {16, 23}, "ex2/rcp/rsqrt/lg2/sin/cos (MUFU) results per SM cycle");
    pipe(alu, {64, 4}, "32-bit integer add/logic/compare results per SM cycle");
    pipe(cvt, {16, 23}, "type-conversion results per SM cycle");
    pipe(shfl, {32, 29}, "warp-shuffle results per SM cycle");
    pipe(smem, {128, 29}, "shared-memory bytes (lds/sts/ldmatrix) per SM cycle");
    pipes.section("tensor", &GpuPipesSpec::tensor, tensor, "tensor cores (mma.sync)")
        .section("fma", &GpuPipesSpec::fma, fma, "fp32 pipe")
        .section("fp16", &GpuPipesSpec::fp16, fp16, "fp16/half2 pipe")
        .section("sfu", &GpuPipesSpec::sfu, sfu, "special-function unit")
        .section("alu", &GpuPipesSpec::alu, alu, "integer/logic pipe")
        .section("cvt", &GpuPipesSpec::cvt, cvt, "conversions")
        .section("shfl", &GpuPipesSpec::shfl, shfl, "warp shuffles")
        .section("smem", &GpuPipesSpec::smem, smem, "shared memory");
    const auto e = Range::between(0, 1e-6);
    const auto eop = Range::between(0, 1e-6);
    energy
        .quantity("l1", &GpuEnergySpec::l1_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "L1 access per bit (Horowitz KB-sized SRAM)")
        .quantity("l2", &GpuEnergySpec::l2_j_per_bit, Unit::kEnergyPerBit, 1.6e-12, e,
                  "L2 access per bit (Horowitz MB-sized SRAM)")
        .quantity("noc", &GpuEnergySpec::noc_j_per_bit, Unit::kEnergyPerBit, 0.0, e,
                  "SM-L2 crossbar per bit (no figure: 0)")
        .quantity("tensor", &GpuEnergySpec::tensor_j_per_mac, Unit::kEnergy, 2.0e-12, eop,
                  "per tensor multiply-accumulate (16-bit multiply, fp32 add; Horowitz 45 nm)")
        .quantity("fma", &GpuEnergySpec::fma_j_per_op, Unit::kEnergy, 4.6e-12, eop,
                  "per fp32 fma lane (Horowitz 45 nm multiply + add)")
        .quantity("fp16", &GpuEnergySpec::fp16_j_per_op, Unit::kEnergy, 3.0e-12, eop,
                  "per half2 lane: two 16-bit fma (Horowitz 45 nm)")
        .quantity("sfu", &GpuEnergySpec::sfu_j_per_op, Unit::kEnergy, 9.2e-12, eop,
                  "per SFU lane (assumption: two fp32 fma)")
        .quantity("alu", &GpuEnergySpec::alu_j_per_op, Unit::kEnergy, 0.1e-12, eop,
                  "per 32-bit integer lane (Horowitz 45 nm add)")
        .quantity("cvt", &GpuEnergySpec::cvt_j_per_op, Unit::kEnergy, 0.9e-12, eop,
                  "per conversion lane (assumption: one fp32 add)")
        .quantity("shfl", &GpuEnergySpec::shfl_j_per_op, Unit::kEnergy, 5e-12, eop,
                  "per shuffle lane (assumption: one 32-bit 8 KB SRAM read)")
        .quantity("smem", &GpuEnergySpec::smem_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "shared memory per bit moved (Horowitz KB-sized SRAM)")
        .quantity("issue", &GpuEnergySpec::issue_j_per_instr, Unit::kEnergy, 725e-12, eop,
                  "per warp-instruction: fetch/decode/schedule and register-file operands "
                  "(derived from Horowitz 45 nm)")
        .quantity("static", &GpuEnergySpec::static_w, Unit::kPower, 69.66, Range::between(0, 1e5),
                  "static and idle power of the whole GPU (AccelWattch idle GPU; assumption)");
    spec.preset(
            "preset", &GpuSpec::preset,
            [this](const std::string& name, GpuSpec& s, const config::LoadCtx& c,
                   const YAML::Node& where) {
              auto it = presets().find(name);
              if (it == presets().end()) {
                auto names = gpu_preset_names();
                const std::string hint = config::closest_match(name, names);
                throw config_error(c.origin->loc(where),
                                   "unknown GPU preset '" + name +
                                       "'; builtin: " + config::join(names, ", ") +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
              }
              config::Origin o("<builtin:" + name + ">");
              YAML::Node n = config::load_yaml_string(it->second, o.file());
              config::LoadCtx pc{&o, c.prov, c.path};
              spec.patch(n, s, pc);
            },
            "builtin GPU applied before the other keys (A100-40GB, A100-80GB, H100, H200, T4)")
        .text("name", &GpuSpec::name, std::string("NVIDIA H100 SXM"), "GPU name, for reports")
        .text("compute_capability", &GpuSpec::compute_capability, std::string("9.0"),
              "CUDA compute capability (for reports; the limits are the keys below)")
        .integer("sms", &GpuSpec::sms, std::optional<int>(132), Range::between(1, 4096), "",
                 "streaming multiprocessors")
        .quantity("sm_clock", &GpuSpec::sm_clock_hz, Unit::kFrequency, 1.98e9,
                  Range::between(1e6, 1e11), "SM clock")
        .integer("max_threads_per_sm", &GpuSpec::max_threads_per_sm, std::optional<int>(2048),
                 Range::between(32, 1 << 16), "threads", "resident threads per SM (occupancy)")
        .integer("max_ctas_per_sm", &GpuSpec::max_ctas_per_sm, std::optional<int>(32),
                 Range::between(1, 1024), "CTAs", "resident CTAs per SM (occupancy)")
        .integer("max_warps_per_sm", &GpuSpec::max_warps_per_sm, std::optional<int>(64),
                 Range::between(1, 2048), "warps", "resident warps per SM (occupancy)")
        .quantity("smem_per_sm", &GpuSpec::smem_per_sm, Unit::kSize, 228.0 * 1024,
                  Range::between(0, 1e9), "shared memory per SM for resident CTAs (occupancy)")
        .quantity("smem_reserved_per_cta", &GpuSpec::smem_reserved_per_cta, Unit::kSize, 1024.0,
                  Range::between(0, 1048576),
                  "shared memory the system reserves per resident CTA (occupancy)")
        .integer("regs_per_sm", &GpuSpec::regs_per_sm, std::optional<int>(65536),
                 Range::between(1, 1 << 24), "registers", "32-bit registers per SM (occupancy)")
        .integer("reg_alloc_unit", &GpuSpec::reg_alloc_unit, std::optional<int>(256),
                 Range::between(1, 1 << 16), "registers",
                 "a warp's registers are allocated in multiples of this")
        .integer("max_regs_per_thread", &GpuSpec::max_regs_per_thread, std::optional<int>(255),
                 Range::between(1, 1 << 16), "registers", "most registers one thread may use")
        .integer("sub_partitions", &GpuSpec::sub_partitions, std::optional<int>(4),
                 Range::between(1, 64), "", "SM sub-partitions (SMSPs), one warp scheduler each")
        .integer("issue_per_cycle", &GpuSpec::issue_per_cycle, std::optional<int>(1),
                 Range::between(1, 8), "warp-instructions",
                 "warp-instructions each scheduler issues per cycle")
        .integer("issue_batch", &GpuSpec::issue_batch, std::optional<int>(32),
                 Range::between(1, 1 << 20), "warp-instructions",
                 "a warp issues up to this many instructions of a compute record back to back on "
                 "their pipe before another warp's instructions for that pipe get a turn (other "
                 "pipes' instructions fill the cycles between); a model granularity, an "
                 "assumption: models/gpu/README.md, \"SM model\"")
        .section("pipes", &GpuSpec::pipes, pipes,
                 "execution pipes per SM: rate (per SM cycle, spread over the sub-partitions) "
                 "and latency")
        .integer("max_outstanding", &GpuSpec::max_outstanding, std::optional<int>(1536),
                 Range::between(1, 1 << 20), "sectors", "sectors in flight per SM (assumption)")
        .integer("warp_outstanding", &GpuSpec::warp_outstanding, std::optional<int>(8),
                 Range::between(1, 1 << 16), "sectors",
                 "sectors in flight per warp for memory-only kernels (version-1 traces: no wait "
                 "records say when a warp needs its loads; assumption). Kernels with the "
                 "instruction mix are bounded by their wait records and max_outstanding")
        .section("l1", &GpuSpec::l1, l1, "L1 data cache (per SM)")
        .section("l2", &GpuSpec::l2, l2, "L2 cache (all slices)")
        .integer("l2_slices", &GpuSpec::l2_slices, std::optional<int>(80), Range::between(1, 4096),
                 "", "L2 slices (Accel-Sim's H100: 80)")
        .integer("dram_latency", &GpuSpec::dram_latency, std::optional<int>(69),
                 Range::between(0, 100000), "SM cycles",
                 "added to the DRAM's service time on an L2 miss (derived, see source)")
        .text("memory_preset", &GpuSpec::memory_preset, std::string("HBM3"),
              "the GPU's device memory: a DRAM preset (configs/dram), used when the system "
              "file has no dram section")
        .text("memory_speed", &GpuSpec::memory_speed, std::string("HBM3-5.2"),
              "speed bin of memory_preset")
        .integer("memory_channels", &GpuSpec::memory_channels, std::optional<int>(80),
                 Range::between(1, kMaxDramChannels), "",
                 "channels of memory_preset (dram.channels)")
        .section("energy", &GpuSpec::energy, energy,
                 "energy per access and operation, and static power")
        .check([](const GpuSpec& s, const SourceLoc& where) {
          // The period is rounded to whole picoseconds (1.98 GHz -> 505 ps = 1.9802 GHz,
          // +0.01 %), which the SM-cycle figures in the report use.
          for (const auto* c : {&s.l1, &s.l2}) {
            const char* n = c == &s.l1 ? "gpu.l1" : "gpu.l2";
            if (c->line_bytes % c->sector_bytes != 0 || (c->line_bytes & (c->line_bytes - 1)))
              throw config_error(where, std::string(n) +
                                            ".line must be a power of two and a "
                                            "multiple of the sector");
            const double per = c == &s.l2 ? c->size_bytes / s.l2_slices : c->size_bytes;
            const double sets = per / (static_cast<double>(c->line_bytes) * c->ways);
            if (sets < 1 || sets != std::floor(sets))
              throw config_error(where, std::string(n) + ".size" +
                                            (c == &s.l2 ? " / l2_slices" : "") +
                                            " must be a whole number of sets of ways x line "
                                            "bytes (" +
                                            config::fmt_number(sets) + " sets)");
          }
          // Occupancy limits must be satisfiable together.
          if (s.max_threads_per_sm > 32 * s.max_warps_per_sm)
            throw config_error(where,
                               "gpu.max_threads_per_sm = " + std::to_string(s.max_threads_per_sm) +
                                   " is more than 32 x gpu.max_warps_per_sm = " +
                                   std::to_string(32 * s.max_warps_per_sm) +
                                   " threads: a resident thread needs a warp slot");
          if (s.reg_alloc_unit > s.regs_per_sm)
            throw config_error(
                where, "gpu.reg_alloc_unit = " + std::to_string(s.reg_alloc_unit) +
                           " is more than gpu.regs_per_sm = " + std::to_string(s.regs_per_sm));
          if (static_cast<long long>(s.max_regs_per_thread) * 32 > s.regs_per_sm)
            throw config_error(
                where, "gpu.max_regs_per_thread = " + std::to_string(s.max_regs_per_thread) +
                           " x 32 threads is more than gpu.regs_per_sm = " +
                           std::to_string(s.regs_per_sm) +
                           ": one warp of such a kernel could not be resident");
          if (s.smem_per_sm > 0 && s.smem_reserved_per_cta >= s.smem_per_sm)
            throw config_error(where, "gpu.smem_reserved_per_cta = " +
                                          format_quantity(s.smem_reserved_per_cta, Unit::kSize) +
                                          " leaves no shared memory of gpu.smem_per_sm = " +
                                          format_quantity(s.smem_per_sm, Unit::kSize));
          if (s.sub_partitions > s.max_warps_per_sm)
            throw config_error(where, "gpu.sub_partitions = " + std::to_string(s.sub_partitions) +
                                          " is more than gpu.max_warps_per_sm = " +
                                          std::to_string(s.max_warps_per_sm));
          // The GPU's own memory must be a DRAM configuration that resolves.
          try {
            DramConfig d;
            dram_config_schema().set_defaults(d);
            load_dram_preset(s.memory_preset, d, where);
            d.speed = s.memory_speed;
            d.channels = s.memory_channels;
            (void)resolve_dram_spec(d, where);
          } catch (const Error& e) {
            std::string why = e.what();
            const std::string at = where.str() + ": ";
            if (why.rfind(at, 0) == 0) why = why.substr(at.size());
            throw config_error(
                where, "gpu.memory_preset / memory_speed / memory_channels = " + s.memory_preset +
                           " / " + s.memory_speed + " / " + std::to_string(s.memory_channels) +
                           " is not a usable DRAM configuration: " + why);
          }
        });
  }
};

const SchemaHolder& holder() {
  static const SchemaHolder h;
  return h;
}

}  // namespace

std::vector<std::string> gpu_preset_names() {
  std::vector<std::string> v;
  for (const auto& [n, t] : presets()) v.push_back(n);
  return v;
}

const config::Schema<GpuSpec>& gpu_spec_schema() {
  return holder().spec;
}

}  // namespace accsim::hw
