#pragma once
// The table that reference/scripts/mix_check.py compares with the compiled kernels: for every
// timing-build (PlainMem) instantiation of the reference kernels, its registers per thread and,
// per program point region of its PTX (reference/kernels/mem.cuh marks), the expected body from
// workloads/trace/kernel_mix.h. `accsim_ref mix-table` prints it as JSON.
#include <string>
#include <vector>

#include "workloads/trace/kernel_mix.h"

namespace accsim::ref {

struct MixRegion {
  std::string region;                      // mark name: "gemm_ktile", "softmax_pass1/vec"
  std::vector<std::string> exclude_parts;  // parts of the region this variant does not run
  workloads::mix::Body body;
};

struct MixKernel {
  std::string kernel;  // "gemm_tc_kernel"
  std::string match;   // substring of the PTX entry's mangled name: "gemm_tc_kernelI6__halfLb1E"
  std::string params;  // "T=f16 b_nk=1", for messages
  int regs = 0;        // kernel_mix.h regs_*; 0: not checked (microbenchmarks)
  std::vector<MixRegion> regions;
};

std::vector<MixKernel> mix_table();
std::string mix_table_json(const std::vector<MixKernel>& table);
// One body as JSON: {"name":...,"items":[{"class":"alu","n":72,"flags":0},...]}
std::string mix_body_json(const workloads::mix::Body& b);

}  // namespace accsim::ref
