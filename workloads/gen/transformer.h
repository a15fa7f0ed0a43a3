#pragma once
// One step of a decoder-only transformer as the reference kernels' launches: a prefill (a prompt
// of N tokens per sequence) or a decode step (one new token per sequence against a KV cache of
// `context` tokens), layer by layer, each launch an op-trace record that every target reads
// (workloads/README.md, "Transformer steps"). The launches' configurations come from the kernel
// access generator's plans (gen/kernel_access.h), so the GPU model replays them as generated and
// the other targets take their shapes.
//
// Per layer (GPT-2's pre-norm block: Radford et al. 2019, section 2.3), T = batch x tokens rows:
//   ln1 (layernorm T x d) · qkv (gemm T x 3d x d; gemv 3d x d at T = 1) · attention (prefill:
//   sdpa_flash, causal, or the naive three launches; decode: split-KV over context + 1 keys) ·
//   proj (d x d) · residual add · ln2 · fc1 (d_ff x d) · gelu (T x d_ff) · fc2 (d x d_ff) ·
//   residual add; then ln_f and the logits of each sequence's last token (lm_head, vocab x d).
// Simplifications, stated in the op trace's notes: linear-layer biases are taken as fused into
// the GEMM epilogues (not launched); the head split (Q, K, V heads-major) and the KV-cache append
// are layout work that is not launched (attention reads Q, K, V as thirds of the qkv output, and
// decode reads a cache of context + 1 tokens); prefill logits take the last rows of ln_f's
// output as if gathered.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/trace/op_trace.h"

namespace accsim::workloads {

struct TransformerModel {
  std::string name;
  std::int64_t layers = 12, d_model = 768, heads = 12, d_ff = 3072, vocab = 50257,
               max_context = 1024;
};

// gpt2-small gpt2-medium gpt2-large gpt2-xl gpt3-small gpt3-medium gpt3-large gpt3-xl.
std::vector<std::string> transformer_model_names();
// Throws a config error at `where` for an unknown name (listing the known ones).
TransformerModel transformer_model(const std::string& name, const SourceLoc& where);
// Positive sizes, d_model a multiple of heads, sizes within what an op trace holds; a config
// error at `where` otherwise.
void check_transformer_model(const TransformerModel& m, const SourceLoc& where);

enum class StepPhase { kPrefill, kDecode };
enum class PrefillAttention { kFlash, kNaive };

struct TransformerStep {
  TransformerModel model;
  StepPhase phase = StepPhase::kDecode;
  std::uint64_t batch = 1;    // sequences
  std::uint64_t tokens = 0;   // prefill: prompt tokens per sequence
  std::uint64_t context = 0;  // decode: tokens already in the KV cache
  std::uint64_t layers = 0;   // layers to emit (0 = all of the model's)
  PrefillAttention attention = PrefillAttention::kFlash;
  bool lm_head = true;  // final layer norm and the last token's logits
  // Keep only the launches of these ops (a label's op part: "qkv" for "L3.qkv", "attn" for
  // "L3.attn.split"; "ln_f", "lm_head" for the head); empty = every launch.
  std::vector<std::string> ops;
  KernelBuildOptions build;  // dtype, sm_count, base address, alignment
};

// A step as `accsim trace gen model` and compare files spell it: phase "prefill" | "decode",
// attention "flash" | "naive" (empty: flash; prefill only), dtype "fp16" | "bf16" (empty: fp16),
// ops a comma-separated list (empty: all). Bad values are usage errors naming the option.
struct StepOptions {
  std::string model, phase, attention, dtype, ops;
  std::optional<std::uint64_t> tokens;  // required for prefill
  std::uint64_t context = 0, batch = 1, layers = 0;
  bool lm_head = true;
  std::uint32_t sm_count = 132;
};
TransformerStep transformer_step_from(const StepOptions& o);

// The step's launches in order, each record labelled ("L0.qkv", "ln_f", ...). Bad parameters
// (tokens beyond the model's context, a batch that would overflow the op trace's sizes, ...) are
// usage errors naming the option.
std::vector<KernelLaunch> transformer_step_launches(const TransformerStep& s);
// The op-trace header of the step: tool, and notes naming the model, the step and the
// simplifications above.
OpTraceHeader transformer_step_header(const TransformerStep& s);

std::string_view step_phase_name(StepPhase p);  // "prefill", "decode"

// The op names StepBuilder labels launches with, and the op part of a label ("L3.attn.split" ->
// "attn").
const std::vector<std::string>& transformer_op_names();
std::string transformer_label_op(std::string_view label);
// "qkv, attn" -> {"qkv", "attn"}; an empty entry is a usage error (names are checked when the
// step is built).
std::vector<std::string> parse_transformer_ops(std::string_view list);

// Writes the step's op trace (header and launches) to `path`; returns the launches written.
std::size_t write_transformer_step(const std::string& path, const TransformerStep& s);

}  // namespace accsim::workloads
