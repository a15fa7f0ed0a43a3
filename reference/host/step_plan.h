#pragma once
// The launches of one decoder-only transformer step (a prefill of `tokens` per sequence, or a
// decode step against a KV cache of `context` tokens), planned by reference/'s own launchers'
// plan (host/launch_plan.h) without a GPU: `accsim_ref plan --step "LINE"` writes them as an op
// trace. It is reference/'s statement of what a GPT-2-style layer launches — layernorm, the QKV
// projection (GEMV at one row, GEMM otherwise), attention (split-KV decode, or causal fused or
// naive prefill), the output projection, the residual addition, the second layernorm, the MLP
// with GELU and its residual, then the final layernorm and the last token's logits — and the
// test that `accsim trace gen model` (workloads/gen/transformer.cpp) writes the same launches,
// record for record, compares against it (reference/tests/data/step_*.optrace.jsonl).
//
// Simplifications (as the generator's): linear-layer biases are fused into the GEMM epilogues,
// the head split and the KV-cache append are layout work (not launched), the logits take each
// sequence's last row as if gathered; at batch > 1 the vocabulary is padded to a multiple of 8
// (the GEMM's N).
#include <cstdint>
#include <string>
#include <vector>

#include "reference/host/dtype.h"
#include "reference/host/op_trace.h"

namespace accsim::ref {

struct StepSpec {
  bool prefill = false;
  // Model: d_model a multiple of heads, head size d_model / heads 64 or 128.
  std::int64_t d_model = 0, heads = 0, d_ff = 0, vocab = 0;
  std::int64_t layers = 1;  // layers to plan
  std::int64_t batch = 1;
  std::int64_t tokens = 0;   // prefill: prompt tokens per sequence (a multiple of 128)
  std::int64_t context = 0;  // decode: tokens already in the KV cache
  bool naive = false;        // prefill: naive attention (three launches) instead of fused
  bool lm_head = true;       // final layernorm and logits
  DType dtype = DType::kF16;
  int sm_count = 132;  // the grid-stride kernels' grids and the decode split count depend on it
  // Dry-run addresses: buffers laid out from `base`, each aligned to `align` bytes.
  std::uint64_t base = 0x7f0000000000, align = 4096;
  std::string source = "--step";  // for messages
};

// "decode d_model=768 heads=12 d_ff=3072 vocab=50257 layers=1 context=127" — the phase first,
// then key=value (keys: d_model heads d_ff vocab layers batch tokens context attention=flash|naive
// lm_head=0|1 dtype=f16|bf16 sm_count). Throws InputError naming `where` and the column.
StepSpec parse_step_line(const std::string& line, const std::string& where);

// The step's launches in order, labelled "L<i>.<op>" ("L0.qkv", "L0.attn.split", "ln_f",
// "lm_head") as the generator labels them. Throws InputError for a step the kernels cannot run
// (validate_case's constraints, named with the launch's label).
std::vector<OpTraceEntry> plan_step(const StepSpec& s);
// The op trace `accsim_ref plan` writes: the header (tool "accsim_ref plan") and one line per
// launch of plan_step, each line ending in '\n'.
std::string step_op_trace(const StepSpec& s);

}  // namespace accsim::ref
