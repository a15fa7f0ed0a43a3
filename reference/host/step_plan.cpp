#include "reference/host/step_plan.h"

#include <fmt/format.h>

#include <limits>
#include <set>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "reference/host/cases.h"
#include "reference/host/launch_plan.h"

namespace accsim::ref {
namespace {

using U = std::uint64_t;

// Bounds that keep every size of the plan far inside the kernels' int arguments and 64-bit bytes.
constexpr std::int64_t kMaxWidth = 1 << 17, kMaxVocab = 1 << 21, kMaxLayers = 1024,
                       kMaxBatch = 1 << 16, kMaxTokens = 1 << 20;

struct Buffer {
  std::uint64_t addr = 0, bytes = 0;
};

class StepPlanner {
 public:
  explicit StepPlanner(const StepSpec& s) : s_(s), es_(dtype_bytes(s.dtype)), next_(s.base) {}
  std::vector<OpTraceEntry> run();

 private:
  U rows() const { return static_cast<U>(s_.prefill ? s_.batch * s_.tokens : s_.batch); }
  U D() const { return static_cast<U>(s_.d_model); }
  U bytes(U elems) const { return elems * es_; }
  Buffer alloc(U bytes) {
    const Buffer b{next_, bytes};
    next_ += (bytes + s_.align - 1) / s_.align * s_.align;
    return b;
  }
  static OpTensor t(std::string name, const Buffer& b, U offset, U bytes) {
    return OpTensor{std::move(name), b.addr + offset, bytes};
  }
  static OpTensor whole(std::string name, const Buffer& b) {
    return t(std::move(name), b, 0, b.bytes);
  }
  // One case's launches (launch_plan's case_launches) as op-trace entries, labelled `label`, or
  // label.sub[i] for a case of several launches.
  void emit(Case c, const std::vector<OpTensor>& tensors, const std::string& label,
            const std::vector<std::string>& sub = {});
  // y = W x for every row: GEMV at one row, else GEMM with W as the [N, K] B operand.
  void linear(const Buffer& x, U x_offset, const Buffer& w, const Buffer& y, U n_out, U k, U m,
              const std::string& label);
  void layer(int i);
  void attention(const std::string& p);
  void head();

  const StepSpec& s_;
  const U es_;
  U next_;
  Buffer x_, h_, qkv_, attn_, proj_, ff_, ff2_, scores_, partials_;
  std::vector<OpTraceEntry> out_;
};

void StepPlanner::emit(Case c, const std::vector<OpTensor>& tensors, const std::string& label,
                       const std::vector<std::string>& sub) {
  c.dtype = s_.dtype;
  c.source = s_.source + " (" + label + ")";
  validate_case(c);
  const auto launches = plan::case_launches(c, s_.sm_count);
  auto entries = op_trace_entries(c, launches, tensors);
  for (std::size_t j = 0; j < entries.size(); ++j) {
    entries[j].label = j < sub.size() ? label + "." + sub[j] : label;
    out_.push_back(std::move(entries[j]));
  }
}

void StepPlanner::linear(const Buffer& x, U x_offset, const Buffer& w, const Buffer& y, U n_out,
                         U k, U m, const std::string& label) {
  Case c;
  if (m == 1) {
    c.op = Op::kGemv;
    c.N = static_cast<std::int64_t>(n_out), c.K = static_cast<std::int64_t>(k);
    emit(c, {whole("W", w), t("x", x, x_offset, bytes(k)), t("y", y, 0, bytes(n_out))}, label);
    return;
  }
  c.op = Op::kGemm;
  c.M = static_cast<std::int64_t>(m), c.N = static_cast<std::int64_t>(n_out);
  c.K = static_cast<std::int64_t>(k);
  emit(c, {t("A", x, x_offset, bytes(m * k)), whole("W", w), t("C", y, 0, bytes(m * n_out))},
       label);
}

void StepPlanner::attention(const std::string& p) {
  const U H = static_cast<U>(s_.heads), dh = D() / H, T = rows(), third = bytes(T * D());
  Case c;
  c.B = s_.batch, c.H = s_.heads, c.d = static_cast<std::int64_t>(dh);
  if (!s_.prefill) {
    // The layer's KV cache [B, H, L, d_head] of context + 1 tokens (this step's included).
    c.op = Op::kDecode;
    c.L = s_.context + 1;
    const U cache = bytes(static_cast<U>(s_.batch) * H * static_cast<U>(c.L) * dh);
    const Buffer kc = alloc(cache), vc = alloc(cache);
    emit(c,
         {t("q", qkv_, 0, third), whole("K", kc), whole("V", vc), whole("partials", partials_),
          t("out", attn_, 0, third)},
         p + "attn", {"split", "combine"});
    return;
  }
  c.op = Op::kSdpa;
  c.N = s_.tokens;
  c.causal = true;
  c.impl = s_.naive ? "naive" : "flash";
  std::vector<OpTensor> ts = {t("Q", qkv_, 0, third), t("K", qkv_, third, third),
                              t("V", qkv_, 2 * third, third), t("O", attn_, 0, third)};
  if (s_.naive) ts.push_back(whole("S", scores_));
  emit(c, ts, p + "attn",
       s_.naive ? std::vector<std::string>{"scores", "softmax", "pv"} : std::vector<std::string>{});
}

void StepPlanner::layer(int i) {
  const std::string p = fmt::format("L{}.", i);
  const U T = rows(), F = static_cast<U>(s_.d_ff);
  const Buffer g1 = alloc(bytes(D())), b1 = alloc(bytes(D()));
  const Buffer wqkv = alloc(bytes(3 * D() * D())), wo = alloc(bytes(D() * D()));
  const Buffer g2 = alloc(bytes(D())), b2 = alloc(bytes(D()));
  const Buffer w1 = alloc(bytes(F * D())), w2 = alloc(bytes(D() * F));
  const auto ln = [&](const Buffer& g, const Buffer& b, const std::string& name) {
    Case c;
    c.op = Op::kLayernorm;
    c.rows = static_cast<std::int64_t>(T), c.cols = s_.d_model;
    emit(c, {whole("x", x_), whole("gamma", g), whole("beta", b), whole("y", h_)}, p + name);
  };
  const auto residual = [&](const Buffer& r, const std::string& name) {
    Case c;
    c.op = Op::kAdd;
    c.n = static_cast<std::int64_t>(T * D());
    emit(c, {whole("a", x_), t("b", r, 0, bytes(T * D())), whole("y", x_)}, p + name);
  };
  ln(g1, b1, "ln1");
  linear(h_, 0, wqkv, qkv_, 3 * D(), D(), T, p + "qkv");
  attention(p);
  linear(attn_, 0, wo, proj_, D(), D(), T, p + "proj");
  residual(proj_, "res1");
  ln(g2, b2, "ln2");
  linear(h_, 0, w1, ff_, F, D(), T, p + "fc1");
  Case gelu;
  gelu.op = Op::kGelu;
  gelu.n = static_cast<std::int64_t>(T * F);
  emit(gelu, {whole("x", ff_), whole("y", ff_)}, p + "gelu");
  linear(ff_, 0, w2, ff2_, D(), F, T, p + "fc2");
  residual(ff2_, "res2");
}

void StepPlanner::head() {
  const U T = rows(), B = static_cast<U>(s_.batch), vocab = static_cast<U>(s_.vocab);
  // A GEMM's N must be a multiple of 8: with several sequences the vocabulary is padded.
  const U V = B == 1 ? vocab : (vocab + 7) / 8 * 8;
  const Buffer g = alloc(bytes(D())), b = alloc(bytes(D()));
  const Buffer w = alloc(bytes(V * D())), logits = alloc(bytes(B * V));
  Case c;
  c.op = Op::kLayernorm;
  c.rows = static_cast<std::int64_t>(T), c.cols = s_.d_model;
  emit(c, {whole("x", x_), whole("gamma", g), whole("beta", b), whole("y", h_)}, "ln_f");
  // At one sequence its last row; with several, their last rows taken as gathered.
  const U last = B == 1 ? bytes((T - 1) * D()) : 0;
  linear(h_, last, w, logits, V, D(), B, "lm_head");
}

std::vector<OpTraceEntry> StepPlanner::run() {
  const U T = rows(), F = static_cast<U>(s_.d_ff), H = static_cast<U>(s_.heads);
  x_ = alloc(bytes(T * D()));
  h_ = alloc(bytes(T * D()));
  qkv_ = alloc(bytes(3 * T * D()));
  attn_ = alloc(bytes(T * D()));
  proj_ = alloc(bytes(T * D()));
  ff_ = alloc(bytes(T * F));
  ff2_ = alloc(bytes(T * D()));
  if (s_.prefill && s_.naive)
    scores_ = alloc(bytes(static_cast<U>(s_.batch) * H * static_cast<U>(s_.tokens * s_.tokens)));
  if (!s_.prefill) {
    Case c;
    c.op = Op::kDecode;
    c.B = s_.batch, c.H = s_.heads, c.L = s_.context + 1;
    c.d = s_.d_model / s_.heads;
    partials_ = alloc(plan::case_decode_workspace(c, s_.sm_count));
  }
  for (int i = 0; i < s_.layers; ++i) layer(i);
  if (s_.lm_head) head();
  return std::move(out_);
}

void check_step(const StepSpec& s) {
  const auto fail = [&](const std::string& msg) {
    return InputError(fmt::format("{}: {}", s.source, msg));
  };
  for (auto [v, what, max] : {std::tuple{s.d_model, "d_model", kMaxWidth},
                              {s.heads, "heads", kMaxWidth},
                              {s.d_ff, "d_ff", 4 * kMaxWidth},
                              {s.vocab, "vocab", kMaxVocab},
                              {s.layers, "layers", kMaxLayers},
                              {s.batch, "batch", kMaxBatch}})
    if (v <= 0 || v > max) throw fail(fmt::format("{} = {} is outside 1..{}", what, v, max));
  if (s.d_model % s.heads != 0)
    throw fail(fmt::format("d_model {} is not a multiple of heads {}", s.d_model, s.heads));
  if (s.prefill) {
    if (s.tokens <= 0 || s.tokens > kMaxTokens)
      throw fail(fmt::format("prefill needs tokens=1..{}", kMaxTokens));
    if (s.context != 0) throw fail("context goes with decode");
    if (s.naive && static_cast<double>(s.batch) * static_cast<double>(s.heads) *
                           static_cast<double>(s.tokens) * static_cast<double>(s.tokens) >
                       0x1p40)
      throw fail("the naive score matrix would exceed 2^40 elements");
  } else {
    if (s.context < 0 || s.context >= kMaxTokens)
      throw fail(fmt::format("decode needs context=0..{}", kMaxTokens - 1));
    if (s.tokens != 0) throw fail("tokens goes with prefill");
    if (s.naive) throw fail("attention=naive applies to prefill (decode is split-KV)");
  }
  if (s.sm_count <= 0 || s.sm_count > 4096) throw fail("sm_count must be 1..4096");
  if (s.align == 0 || (s.align & (s.align - 1)) != 0) throw fail("align must be a power of two");
}

}  // namespace

StepSpec parse_step_line(const std::string& line, const std::string& where) {
  StepSpec s;
  s.source = where;
  std::set<std::string> seen;
  std::size_t pos = 0;
  bool first = true;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos >= line.size()) break;
    const std::size_t end = line.find_first_of(" \t", pos);
    const std::string tok = line.substr(pos, end == std::string::npos ? end : end - pos);
    const std::string at = fmt::format("{}:{}", where, pos + 1);
    pos = end == std::string::npos ? line.size() : end;
    if (first) {
      if (tok != "prefill" && tok != "decode")
        throw InputError(
            fmt::format("{}: a step starts with prefill or decode, got '{}'", at, tok));
      s.prefill = tok == "prefill";
      first = false;
      continue;
    }
    const auto eq = tok.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError(fmt::format("{}: expected key=value, got '{}'", at, tok));
    const std::string key = tok.substr(0, eq), value = tok.substr(eq + 1);
    if (!seen.insert(key).second) throw InputError(fmt::format("{}: '{}' is given twice", at, key));
    const auto integer = [&](auto& dst) {
      std::int64_t v = 0;
      if (!parse_size(value, v) || v < 0 ||
          v > std::numeric_limits<std::remove_reference_t<decltype(dst)>>::max())
        throw InputError(
            fmt::format("{}: bad value '{}' for '{}': expected an integer", at, value, key));
      dst = static_cast<std::remove_reference_t<decltype(dst)>>(v);
    };
    if (key == "d_model")
      integer(s.d_model);
    else if (key == "heads")
      integer(s.heads);
    else if (key == "d_ff")
      integer(s.d_ff);
    else if (key == "vocab")
      integer(s.vocab);
    else if (key == "layers")
      integer(s.layers);
    else if (key == "batch")
      integer(s.batch);
    else if (key == "tokens")
      integer(s.tokens);
    else if (key == "context")
      integer(s.context);
    else if (key == "sm_count")
      integer(s.sm_count);
    else if (key == "attention") {
      if (value != "flash" && value != "naive")
        throw InputError(fmt::format("{}: attention expects flash or naive, got '{}'", at, value));
      s.naive = value == "naive";
    } else if (key == "lm_head") {
      if (value != "0" && value != "1")
        throw InputError(fmt::format("{}: lm_head expects 0 or 1, got '{}'", at, value));
      s.lm_head = value == "1";
    } else if (key == "dtype") {
      const auto t = parse_dtype(value);
      if (!t || *t == DType::kF32)
        throw InputError(fmt::format("{}: dtype expects f16 or bf16, got '{}'", at, value));
      s.dtype = *t;
    } else {
      throw InputError(fmt::format(
          "{}: unknown key '{}' (known: d_model heads d_ff vocab layers batch tokens context "
          "attention lm_head dtype sm_count)",
          at, key));
    }
  }
  if (first) throw InputError(where + ": empty step (expected prefill|decode key=value ...)");
  for (const char* k : {"d_model", "heads", "d_ff", "vocab"})
    if (!seen.count(k)) throw InputError(fmt::format("{}: '{}' is required", where, k));
  return s;
}

std::vector<OpTraceEntry> plan_step(const StepSpec& s) {
  check_step(s);
  return StepPlanner(s).run();
}

std::string step_op_trace(const StepSpec& s) {
  std::string text = op_trace_header("", "accsim_ref plan", 0) + "\n";
  for (const auto& e : plan_step(s)) text += op_trace_line(e) + "\n";
  return text;
}

}  // namespace accsim::ref
