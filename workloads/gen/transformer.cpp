// Decoder-only transformer steps as reference-kernel launches (transformer.h).
#include "workloads/gen/transformer.h"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <utility>

#include "sim/core/config.h"

namespace accsim::workloads {
namespace {

using Shape = std::vector<std::pair<std::string, std::uint64_t>>;

// Model shapes: GPT-2 (Radford et al. 2019, Table 2; the released configs: n_head, n_ctx 1024,
// vocab 50257) and GPT-3 (Brown et al. 2020, Table 2.1: n_layers, d_model, n_heads, d_head; n_ctx
// 2048). d_ff = 4 d_model in both. GPT-3's alternating locally banded sparse attention layers are
// taken as dense (an upper bound on their attention work).
const std::vector<TransformerModel>& model_table() {
  static const std::vector<TransformerModel> models = {
      {"gpt2-small", 12, 768, 12, 3072, 50257, 1024},
      {"gpt2-medium", 24, 1024, 16, 4096, 50257, 1024},
      {"gpt2-large", 36, 1280, 20, 5120, 50257, 1024},
      {"gpt2-xl", 48, 1600, 25, 6400, 50257, 1024},
      {"gpt3-small", 12, 768, 12, 3072, 50257, 2048},
      {"gpt3-medium", 24, 1024, 16, 4096, 50257, 2048},
      {"gpt3-large", 24, 1536, 16, 6144, 50257, 2048},
      // GPT-3 XL: Table 2.1 lists 24 heads of d_head 128, which is 3072 != d_model 2048; the
      // table's 1.3 B parameters match an attention width of d_model, so accsim keeps d_model
      // and d_head and uses 16 heads.
      {"gpt3-xl", 24, 2048, 16, 8192, 50257, 2048},
  };
  return models;
}

// Bounds that keep every product of the op trace far inside 64 bits.
constexpr std::uint64_t kMaxBatch = 1u << 16;
constexpr std::int64_t kMaxLayers = 1024, kMaxWidth = 1 << 17, kMaxVocab = 1 << 21,
                       kMaxContext = 1 << 20;

TensorRef slice(const TensorRef& buf, std::string name, std::uint64_t offset, std::uint64_t bytes) {
  return TensorRef{std::move(name), buf.addr + offset, bytes};
}

class StepBuilder {
 public:
  explicit StepBuilder(const TransformerStep& s)
      : s_(s), es_(dtype_bytes(s.build.dtype)), arena_{s.build.base_address, s.build.align} {}

  std::vector<KernelLaunch> build();

 private:
  std::uint64_t rows() const {
    return s_.phase == StepPhase::kPrefill ? s_.batch * s_.tokens : s_.batch;
  }
  std::uint64_t d() const { return static_cast<std::uint64_t>(s_.model.d_model); }
  std::uint64_t bytes(std::uint64_t elems) const { return elems * es_; }
  // Builds `op` for `shape`, binds each launch's tensors (by name) to the buffers of `bind` and
  // labels the launches `label`; an op of several launches takes label.sub[i] and, where its
  // launches name tensors alike, one bind list per launch (`per_launch`).
  void emit(std::string_view op, const Shape& shape, const std::vector<TensorRef>& bind,
            const std::string& label, const std::vector<std::string>& sub = {}, bool causal = false,
            const std::vector<std::vector<TensorRef>>& per_launch = {});
  // y = W x for every row of x: gemv at one row, else gemm (B is the [N, K] weight).
  void linear(const TensorRef& x, const TensorRef& w, const TensorRef& y, std::uint64_t n_out,
              std::uint64_t k, std::uint64_t m, const std::string& label);
  void layer(std::uint64_t i);
  void attention(const std::string& p);
  void head();

  const TransformerStep& s_;
  const std::uint64_t es_;
  TensorArena arena_;  // the step's buffers, as build_kernel_launches lays out tensors
  TensorRef x_, h_, qkv_, attn_, proj_, ff_, ff2_, scores_, partials_;
  std::vector<KernelLaunch> out_;
};

void StepBuilder::emit(std::string_view op, const Shape& shape,
                       const std::vector<TensorRef>& bind_all, const std::string& label,
                       const std::vector<std::string>& sub, bool causal,
                       const std::vector<std::vector<TensorRef>>& per_launch) {
  KernelBuildOptions bo = s_.build;
  bo.causal = causal;
  std::vector<KernelLaunch> ls;
  try {
    ls = build_kernel_launches(op, shape, bo);
  } catch (const Error& e) {  // a step the reference kernels cannot run, e.g. N % 128 != 0
    throw usage_error("transformer step: " + label + ": " + e.what());
  }
  for (std::size_t j = 0; j < ls.size(); ++j) {
    const std::vector<TensorRef>& bind = j < per_launch.size() ? per_launch[j] : bind_all;
    for (TensorRef& t : ls[j].rec.tensors) {
      const auto it = std::find_if(bind.begin(), bind.end(),
                                   [&](const TensorRef& b) { return b.name == t.name; });
      if (it == bind.end() || it->bytes < t.bytes)
        throw Error(ExitCode::kInternal, "transformer step: " + label + ": tensor " + t.name +
                                             " is not bound to a large enough buffer");
      t.addr = it->addr;
    }
    ls[j].rec.label = j < sub.size() ? label + "." + sub[j] : label;
    out_.push_back(std::move(ls[j]));
  }
}

void StepBuilder::linear(const TensorRef& x, const TensorRef& w, const TensorRef& y,
                         std::uint64_t n_out, std::uint64_t k, std::uint64_t m,
                         const std::string& label) {
  if (m == 1)
    emit("gemv", {{"M", n_out}, {"K", k}},
         {slice(w, "W", 0, w.bytes), slice(x, "x", 0, bytes(k)), slice(y, "y", 0, bytes(n_out))},
         label);
  else
    emit("gemm", {{"M", m}, {"N", n_out}, {"K", k}},
         {slice(x, "A", 0, bytes(m * k)), slice(w, "B", 0, w.bytes),
          slice(y, "C", 0, bytes(m * n_out))},
         label);
}

void StepBuilder::attention(const std::string& p) {
  const std::uint64_t H = static_cast<std::uint64_t>(s_.model.heads), dh = d() / H, T = rows();
  const std::uint64_t third = bytes(T * d());
  if (s_.phase == StepPhase::kDecode) {
    // The layer's KV cache: context + 1 tokens per sequence and head (this step's key and value
    // included), [B, H, L, d_head].
    const std::uint64_t L = s_.context + 1;
    const TensorRef kc = arena_.add("k_cache", bytes(s_.batch * H * L * dh));
    const TensorRef vc = arena_.add("v_cache", bytes(s_.batch * H * L * dh));
    emit("decode", {{"B", s_.batch}, {"H", H}, {"L", L}, {"d", dh}},
         {slice(qkv_, "q", 0, third), slice(kc, "K", 0, kc.bytes), slice(vc, "V", 0, vc.bytes),
          slice(partials_, "partials", 0, partials_.bytes), slice(attn_, "out", 0, third)},
         p + "attn", {"split", "combine"});
    return;
  }
  const Shape sh{{"B", s_.batch}, {"H", H}, {"N", s_.tokens}, {"d", dh}};
  if (s_.attention == PrefillAttention::kFlash) {
    emit("sdpa_flash", sh,
         {slice(qkv_, "Q", 0, third), slice(qkv_, "K", third, third),
          slice(qkv_, "V", 2 * third, third), slice(attn_, "O", 0, third)},
         p + "attn", {}, true);
    return;
  }
  // S = Q K^T (masked), P = softmax(S) in place, O = P V.
  const TensorRef S = scores_;
  emit("sdpa_naive", sh, {}, p + "attn", {"scores", "softmax", "pv"}, true,
       {{slice(qkv_, "A", 0, third), slice(qkv_, "B", third, third), slice(S, "C", 0, S.bytes)},
        {slice(S, "x", 0, S.bytes), slice(S, "y", 0, S.bytes)},
        {slice(S, "A", 0, S.bytes), slice(qkv_, "B", 2 * third, third),
         slice(attn_, "C", 0, third)}});
}

void StepBuilder::layer(std::uint64_t i) {
  const std::string p = "L" + std::to_string(i) + ".";
  const std::uint64_t T = rows(), D = d(), F = static_cast<std::uint64_t>(s_.model.d_ff);
  const TensorRef g1 = arena_.add(p + "ln1.gamma", bytes(D)),
                  b1 = arena_.add(p + "ln1.beta", bytes(D));
  const TensorRef wqkv = arena_.add(p + "w_qkv", bytes(3 * D * D));
  const TensorRef wo = arena_.add(p + "w_o", bytes(D * D));
  const TensorRef g2 = arena_.add(p + "ln2.gamma", bytes(D)),
                  b2 = arena_.add(p + "ln2.beta", bytes(D));
  const TensorRef w1 = arena_.add(p + "w_fc1", bytes(F * D)),
                  w2 = arena_.add(p + "w_fc2", bytes(D * F));
  const Shape rows_d{{"rows", T}, {"cols", D}};
  const auto ln = [&](const TensorRef& g, const TensorRef& b, const std::string& name) {
    emit("layernorm", rows_d,
         {slice(x_, "x", 0, x_.bytes), slice(g, "gamma", 0, g.bytes), slice(b, "beta", 0, b.bytes),
          slice(h_, "y", 0, h_.bytes)},
         p + name);
  };
  const auto residual = [&](const TensorRef& r, const std::string& name) {
    emit("add", {{"n", T * D}},
         {slice(x_, "a", 0, x_.bytes), slice(r, "b", 0, bytes(T * D)), slice(x_, "y", 0, x_.bytes)},
         p + name);
  };
  ln(g1, b1, "ln1");
  linear(h_, wqkv, qkv_, 3 * D, D, T, p + "qkv");
  attention(p);
  linear(attn_, wo, proj_, D, D, T, p + "proj");
  residual(proj_, "res1");
  ln(g2, b2, "ln2");
  linear(h_, w1, ff_, F, D, T, p + "fc1");
  emit("gelu", {{"n", T * F}}, {slice(ff_, "x", 0, ff_.bytes), slice(ff_, "y", 0, ff_.bytes)},
       p + "gelu");
  linear(ff_, w2, ff2_, D, F, T, p + "fc2");
  residual(ff2_, "res2");
}

void StepBuilder::head() {
  const std::uint64_t T = rows(), D = d();
  // At one sequence the logits are a GEMV over the vocabulary; with several, a GEMM whose N must
  // be a multiple of 8 (gemm_tc_kernel), so the vocabulary is padded with zero rows as frameworks
  // pad their embedding tables (GPT-2's 50257 becomes 50264).
  const std::uint64_t vocab = static_cast<std::uint64_t>(s_.model.vocab);
  const std::uint64_t V = s_.batch == 1 ? vocab : (vocab + 7) / 8 * 8;
  const TensorRef g = arena_.add("ln_f.gamma", bytes(D)), b = arena_.add("ln_f.beta", bytes(D));
  const TensorRef w = arena_.add("w_lm_head", bytes(V * D));  // tied with the token embedding
  const TensorRef logits = arena_.add("logits", bytes(s_.batch * V));
  emit("layernorm", {{"rows", T}, {"cols", D}},
       {slice(x_, "x", 0, x_.bytes), slice(g, "gamma", 0, g.bytes), slice(b, "beta", 0, b.bytes),
        slice(h_, "y", 0, h_.bytes)},
       "ln_f");
  // The last token of each sequence: at one sequence the last row of ln_f's output; with several,
  // their rows taken as gathered (the gather is not a launch).
  const std::uint64_t last = s_.batch == 1 ? (T - 1) * D : 0;
  linear(slice(h_, "last", bytes(last), bytes(s_.batch * D)), w, logits, V, D, s_.batch, "lm_head");
}

std::vector<KernelLaunch> StepBuilder::build() {
  const std::uint64_t T = rows(), D = d(), F = static_cast<std::uint64_t>(s_.model.d_ff),
                      H = static_cast<std::uint64_t>(s_.model.heads);
  x_ = arena_.add("x", bytes(T * D));
  h_ = arena_.add("h", bytes(T * D));
  qkv_ = arena_.add("qkv", bytes(3 * T * D));
  attn_ = arena_.add("attn", bytes(T * D));
  proj_ = arena_.add("proj", bytes(T * D));
  ff_ = arena_.add("ff", bytes(T * F));
  ff2_ = arena_.add("ff2", bytes(T * D));
  if (s_.phase == StepPhase::kPrefill && s_.attention == PrefillAttention::kNaive)
    scores_ = arena_.add("scores", bytes(s_.batch * H * s_.tokens * s_.tokens));
  if (s_.phase == StepPhase::kDecode) {
    // The split kernel's fp32 partials (m, l and d_head sums per split); sized by a probe of
    // the planner, which picks the split count.
    const std::vector<KernelLaunch> probe = build_kernel_launches(
        "decode", {{"B", s_.batch}, {"H", H}, {"L", s_.context + 1}, {"d", D / H}}, s_.build);
    for (const auto& t : probe.front().rec.tensors)
      if (t.name == "partials") partials_ = arena_.add("partials", t.bytes);
  }
  const std::uint64_t layers =
      s_.layers == 0 ? static_cast<std::uint64_t>(s_.model.layers) : s_.layers;
  for (std::uint64_t i = 0; i < layers; ++i) layer(i);
  if (s_.lm_head) head();
  return std::move(out_);
}

void check_step(const TransformerStep& s) {
  const auto& m = s.model;
  if (s.batch == 0 || s.batch > kMaxBatch)
    throw usage_error("transformer step: --batch must be 1.." + std::to_string(kMaxBatch));
  if (s.layers > static_cast<std::uint64_t>(m.layers))
    throw usage_error("transformer step: --layers " + std::to_string(s.layers) + " exceeds " +
                      m.name + "'s " + std::to_string(m.layers) + " layers");
  const auto ctx = static_cast<std::uint64_t>(m.max_context);
  if (s.phase == StepPhase::kPrefill) {
    if (s.tokens == 0 || s.tokens > ctx)
      throw usage_error("transformer step: prefill --tokens must be 1.." + std::to_string(ctx) +
                        " (" + m.name + "'s context)");
    if (s.context != 0) throw usage_error("transformer step: --context goes with decode");
  } else {
    if (s.context + 1 > ctx)
      throw usage_error("transformer step: decode --context must be 0.." + std::to_string(ctx - 1) +
                        " (" + m.name + "'s context holds " + std::to_string(ctx) +
                        " tokens, this step's included)");
    if (s.tokens != 0) throw usage_error("transformer step: --tokens goes with prefill");
    if (s.attention != PrefillAttention::kFlash)
      throw usage_error("transformer step: --attention applies to prefill (decode is split-KV)");
  }
  const auto& names = transformer_op_names();
  for (const auto& op : s.ops)
    if (std::find(names.begin(), names.end(), op) == names.end())
      throw usage_error("transformer step: --ops: unknown op '" + op +
                        "'; known: " + config::join(names, ", "));
}

}  // namespace

std::vector<std::string> transformer_model_names() {
  std::vector<std::string> names;
  for (const auto& m : model_table()) names.push_back(m.name);
  return names;
}

TransformerModel transformer_model(const std::string& name, const SourceLoc& where) {
  for (const auto& m : model_table())
    if (m.name == name) return m;
  const auto names = transformer_model_names();
  const std::string hint = config::closest_match(name, names);
  throw config_error(where, "unknown model '" + name + "'; known: " + config::join(names, ", ") +
                                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

void check_transformer_model(const TransformerModel& m, const SourceLoc& where) {
  for (auto [v, what, max] : {std::tuple{m.layers, "layers", kMaxLayers},
                              {m.d_model, "d_model", kMaxWidth},
                              {m.heads, "heads", kMaxWidth},
                              {m.d_ff, "d_ff", 4 * kMaxWidth},
                              {m.vocab, "vocab", kMaxVocab},
                              {m.max_context, "context", kMaxContext}})
    if (v <= 0 || v > max)
      throw config_error(where, std::string(what) + " = " + std::to_string(v) + " is outside 1.." +
                                    std::to_string(max));
  if (m.d_model % m.heads != 0)
    throw config_error(where, "d_model " + std::to_string(m.d_model) +
                                  " is not a multiple of heads " + std::to_string(m.heads));
}

std::string_view step_phase_name(StepPhase p) {
  return p == StepPhase::kPrefill ? "prefill" : "decode";
}

const std::vector<std::string>& transformer_op_names() {
  static const std::vector<std::string> names = {"ln1", "qkv",  "attn", "proj", "res1", "ln2",
                                                 "fc1", "gelu", "fc2",  "res2", "ln_f", "lm_head"};
  return names;
}

std::string transformer_label_op(std::string_view label) {
  if (label.size() > 1 && label[0] == 'L' && std::isdigit(static_cast<unsigned char>(label[1]))) {
    const auto dot = label.find('.');
    label = dot == std::string_view::npos ? std::string_view() : label.substr(dot + 1);
  }
  return std::string(label.substr(0, label.find('.')));
}

TransformerStep transformer_step_from(const StepOptions& o) {
  TransformerStep s;
  s.model = transformer_model(o.model, SourceLoc{"--model"});
  if (o.phase != "prefill" && o.phase != "decode")
    throw usage_error("transformer step: --phase expects prefill or decode, got '" + o.phase + "'");
  s.phase = o.phase == "prefill" ? StepPhase::kPrefill : StepPhase::kDecode;
  if (s.phase == StepPhase::kPrefill && !o.tokens)
    throw usage_error("transformer step: prefill needs --tokens N");
  s.tokens = o.tokens.value_or(0);
  s.context = o.context;
  s.batch = o.batch;
  s.layers = o.layers;
  if (o.attention != "" && o.attention != "flash" && o.attention != "naive")
    throw usage_error("transformer step: --attention expects flash or naive, got '" + o.attention +
                      "'");
  if (!o.attention.empty() && s.phase == StepPhase::kDecode)
    throw usage_error("transformer step: --attention applies to prefill (decode is split-KV)");
  s.attention = o.attention == "naive" ? PrefillAttention::kNaive : PrefillAttention::kFlash;
  s.lm_head = o.lm_head;
  if (!o.dtype.empty()) {
    const auto dt = parse_dtype(o.dtype);
    if (!dt || (*dt != DType::kFp16 && *dt != DType::kBf16))
      throw usage_error("transformer step: --dtype expects fp16 or bf16, got '" + o.dtype + "'");
    s.build.dtype = *dt;
  }
  if (o.sm_count == 0 || o.sm_count > 4096)
    throw usage_error("transformer step: --sm-count must be 1..4096");
  s.build.sm_count = o.sm_count;
  if (!o.ops.empty()) s.ops = parse_transformer_ops(o.ops);
  return s;
}

std::vector<std::string> parse_transformer_ops(std::string_view list) {
  const std::string full(list);
  std::vector<std::string> ops;
  while (true) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty())
      throw usage_error("transformer step: --ops: an empty op name in '" + full + "'");
    ops.emplace_back(item);
    if (comma == std::string_view::npos) return ops;
    list.remove_prefix(comma + 1);
  }
}

std::vector<KernelLaunch> transformer_step_launches(const TransformerStep& s) {
  check_transformer_model(s.model, SourceLoc{"model " + s.model.name});
  check_step(s);
  std::vector<KernelLaunch> all = StepBuilder(s).build();
  if (s.ops.empty()) return all;
  std::vector<KernelLaunch> kept;
  for (auto& l : all)
    if (std::find(s.ops.begin(), s.ops.end(), transformer_label_op(l.rec.label)) != s.ops.end())
      kept.push_back(std::move(l));
  if (kept.empty()) throw usage_error("transformer step: --ops keeps no launch of this step");
  return kept;
}

std::size_t write_transformer_step(const std::string& path, const TransformerStep& s) {
  const std::vector<KernelLaunch> launches = transformer_step_launches(s);
  std::vector<OpRecord> recs;
  recs.reserve(launches.size());
  for (const auto& l : launches) recs.push_back(l.rec);
  write_op_trace(path, transformer_step_header(s), recs);
  return recs.size();
}

OpTraceHeader transformer_step_header(const TransformerStep& s) {
  OpTraceHeader h;
  h.tool = "accsim trace gen model";
  const auto& m = s.model;
  nlohmann::json step = {{"phase", std::string(step_phase_name(s.phase))},
                         {"batch", s.batch},
                         {"layers", s.layers == 0 ? m.layers : static_cast<std::int64_t>(s.layers)},
                         {"lm_head", s.lm_head},
                         {"dtype", std::string(dtype_name(s.build.dtype))}};
  if (!s.ops.empty()) step["ops"] = s.ops;
  if (s.phase == StepPhase::kPrefill) {
    step["tokens"] = s.tokens;
    step["attention"] = s.attention == PrefillAttention::kFlash ? "flash" : "naive";
  } else {
    step["context"] = s.context;
  }
  h.notes = {{"model",
              {{"name", m.name},
               {"layers", m.layers},
               {"d_model", m.d_model},
               {"heads", m.heads},
               {"d_ff", m.d_ff},
               {"vocab", m.vocab},
               {"context", m.max_context}}},
             {"step", step},
             {"simplifications",
              {"linear-layer biases fused into the GEMM epilogues (not launched)",
               "head split and KV-cache append are layout work, not launched",
               "prefill logits of each sequence's last token, rows taken as gathered"}}};
  return h;
}

}  // namespace accsim::workloads
