#pragma once
// What the harness records about one kernel launch (no CUDA types: the host library and its
// tests use it without the CUDA runtime).
#include <string>

namespace accsim::ref {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

struct LaunchInfo {
  // The __global__ function's name, as `ncu --print-kernel-base function` prints it.
  std::string kernel;
  std::string config;  // tile configuration in words, e.g. "BM128 BN128 BK32, 8 warps"
  Dim3 grid, block;
  unsigned smem = 0;  // static + dynamic shared memory per CTA, bytes
  int regs = 0;       // registers per thread (cudaFuncGetAttributes numRegs); 0 = not known
};

}  // namespace accsim::ref
