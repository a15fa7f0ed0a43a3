#include "models/pim/impl/program.h"

#include <algorithm>
#include <map>

#include "sim/core/config.h"
#include "sim/core/error.h"

namespace accsim::pim {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

Geometry Geometry::from(const hw::DramSpec& dram, const hw::PimSpec& pim) {
  Geometry g;
  g.channels = dram.org.independent_channels();
  g.banks = dram.org.banks_per_rank() * dram.org.ranks;
  g.rows = dram.org.rows;
  g.element_bytes = pim.element_bytes;
  const std::int64_t burst = dram.org.burst_bytes();
  g.burst_elems = std::max<std::int64_t>(1, burst / pim.element_bytes);
  g.row_elems = static_cast<std::int64_t>(dram.org.bursts_per_row()) * burst / pim.element_bytes;
  g.gb_elems = static_cast<std::int64_t>(pim.gb_bytes) / pim.element_bytes;
  return g;
}

int MatrixLayout::channel_of_round(std::int64_t r, int channels) const {
  if (round_robin) return static_cast<int>(r % channels);
  // Contiguous blocks: channel c owns rounds [floor(c*R/C), floor((c+1)*R/C)).
  return static_cast<int>(((r + 1) * channels - 1) / rounds);
}

std::int64_t MatrixLayout::local_round(std::int64_t r, int channels) const {
  if (round_robin) return r / channels;
  const int c = channel_of_round(r, channels);
  // First round of channel c: the least r with ((r + 1) C - 1) / R >= c.
  const std::int64_t first =
      (static_cast<std::int64_t>(c) * rounds + 1 + channels - 1) / channels - 1;
  return r - first;
}

MatrixLayout RowAllocator::place(std::string name, std::int64_t rows, std::int64_t cols,
                                 std::int64_t segment, std::int64_t groups) {
  MatrixLayout m;
  m.name = std::move(name);
  m.rows = rows;
  m.cols = cols;
  m.segment = segment;
  m.groups = groups;
  const std::int64_t cap = std::min(g_.row_elems, g_.gb_elems);
  if (segment <= cap)
    m.chunk = std::min(cols, cap / segment * segment);
  else
    m.chunk = cap;
  m.chunks = ceil_div(cols, m.chunk);
  m.rounds = groups * ceil_div(rows / groups, g_.banks);
  m.round_robin = groups == 1;
  // Rows per bank this matrix takes in the busiest channel.
  const std::int64_t per_channel = ceil_div(m.rounds, g_.channels);
  m.row_base = next_;
  next_ += per_channel * m.chunks;
  return m;
}

Op lower_vmm(const MatrixLayout& m, const Geometry& g, std::int64_t rows_used,
             std::int64_t cols_used, std::string name, std::string layer) {
  Op op;
  op.kind = OpKind::kVmm;
  op.name = std::move(name);
  op.layer = std::move(layer);
  op.programs.resize(static_cast<std::size_t>(g.channels));
  const std::int64_t rows_per_group = m.rows / m.groups;
  const std::int64_t rounds_per_group = ceil_div(rows_per_group, g.banks);
  // Used rounds: grouped matrices use every row; others their first rows_used rows.
  const std::int64_t rounds_used = m.groups == 1 ? ceil_div(rows_used, g.banks) : m.rounds;
  const std::int64_t chunks_used = ceil_div(cols_used, m.chunk);
  // Per channel: its rounds in order; a new global-buffer load whenever chunk or group changes.
  std::vector<std::vector<std::int64_t>> rounds_of(static_cast<std::size_t>(g.channels));
  for (std::int64_t r = 0; r < rounds_used; ++r)
    rounds_of[static_cast<std::size_t>(m.channel_of_round(r, g.channels))].push_back(r);
  for (int c = 0; c < g.channels; ++c) {
    auto& prog = op.programs[static_cast<std::size_t>(c)];
    const auto& rs = rounds_of[static_cast<std::size_t>(c)];
    std::size_t i = 0;
    while (i < rs.size()) {
      // A block of consecutive rounds with one input vector (one group).
      const std::int64_t grp = m.groups == 1 ? 0 : rs[i] / rounds_per_group;
      std::size_t j = i;
      while (j < rs.size() && (m.groups == 1 ? 0 : rs[j] / rounds_per_group) == grp) ++j;
      for (std::int64_t ch = 0; ch < chunks_used; ++ch) {
        const std::int64_t len = std::min(m.chunk, cols_used - ch * m.chunk);
        bool first = true;
        for (std::size_t k = i; k < j; ++k) {
          const std::int64_t r = rs[k];
          const std::int64_t in_group = r % rounds_per_group;
          const std::int64_t row0 = m.groups == 1 ? r * g.banks : in_group * g.banks;
          const std::int64_t limit = m.groups == 1 ? rows_used : rows_per_group;
          Visit v;
          v.row = m.row_base + m.local_round(r, g.channels) * m.chunks + ch;
          v.gb_bursts = first ? static_cast<std::int32_t>(ceil_div(len, g.burst_elems)) : 0;
          first = false;
          v.active_banks = static_cast<std::int32_t>(std::min<std::int64_t>(g.banks, limit - row0));
          if (m.segment < m.cols) {  // several results per row (K: one per head)
            v.pieces = static_cast<std::int32_t>(len / m.segment);
            v.macs = static_cast<std::int32_t>(ceil_div(m.segment, g.burst_elems));
            v.macs_last = v.macs;
          } else {
            v.pieces = 1;
            v.macs = static_cast<std::int32_t>(ceil_div(len, g.burst_elems));
            v.macs_last = v.macs;
          }
          op.results += static_cast<std::int64_t>(v.pieces) * v.active_banks;
          prog.push_back(v);
        }
      }
      i = j;
    }
  }
  op.macs = (m.groups == 1 ? rows_used : m.rows) * cols_used;
  return op;
}

Op lower_kv_append(const MatrixLayout& k, const MatrixLayout& v, const Geometry& g, std::int64_t t,
                   std::string layer) {
  Op op;
  op.kind = OpKind::kKvAppend;
  op.name = "kv_append";
  op.layer = std::move(layer);
  op.programs.resize(static_cast<std::size_t>(g.channels));
  // Key: row t of K, all its chunks, in the bank that owns row t (full bursts).
  {
    const std::int64_t r = t / g.banks;
    auto& prog = op.programs[static_cast<std::size_t>(k.channel_of_round(r, g.channels))];
    for (std::int64_t ch = 0; ch < k.chunks; ++ch) {
      const std::int64_t len = std::min(k.chunk, k.cols - ch * k.chunk);
      Visit vis;
      vis.row = k.row_base + k.local_round(r, g.channels) * k.chunks + ch;
      vis.writes = static_cast<std::int32_t>(ceil_div(len, g.burst_elems));
      vis.active_banks = 1;
      prog.push_back(vis);
    }
  }
  // Value: column t of V (stored column-major: one element in every row of V), one masked
  // burst per bank of every round.
  {
    const std::int64_t ch = t / v.chunk;
    for (std::int64_t r = 0; r < v.rounds; ++r) {
      auto& prog = op.programs[static_cast<std::size_t>(v.channel_of_round(r, g.channels))];
      Visit vis;
      vis.row = v.row_base + v.local_round(r, g.channels) * v.chunks + ch;
      vis.active_banks = g.banks;
      vis.writes = g.banks;
      prog.push_back(vis);
    }
  }
  op.elements = k.cols + v.rows;
  return op;
}

Op asic_op(std::string name, std::string layer, std::int64_t elements, std::int64_t passes) {
  Op op;
  op.kind = OpKind::kAsic;
  op.name = std::move(name);
  op.layer = std::move(layer);
  op.elements = elements;
  op.passes = passes;
  return op;
}

GptLayout place_gpt(const GptModel& m, const Geometry& g, std::int64_t context_max, bool lm_head,
                    const SourceLoc& where) {
  workloads::check_transformer_model(m, where);
  if (context_max <= 0)
    throw config_error(where, "context_max = " + std::to_string(context_max) + " must be positive");
  const std::int64_t dh = m.d_model / m.heads;
  if (dh > std::min(g.row_elems, g.gb_elems))
    throw config_error(where, "head size " + std::to_string(dh) +
                                  " elements does not fit one DRAM row / global buffer (" +
                                  std::to_string(std::min(g.row_elems, g.gb_elems)) + ")");
  // Rows per bank grow with the products below; check_transformer_model bounds the model's sizes
  // and this the cache length, so that no count overflows.
  if (context_max > (1 << 24))
    throw config_error(where, "context_max " + std::to_string(context_max) +
                                  " too large for one PIM system (at most 2^24)");
  RowAllocator a(g);
  GptLayout lay;
  for (std::int64_t l = 0; l < m.layers; ++l) {
    const std::string p = "L" + std::to_string(l) + ".";
    lay.qkv.push_back(a.place(p + "qkv", 3 * m.d_model, m.d_model, m.d_model, 1));
    lay.wo.push_back(a.place(p + "wo", m.d_model, m.d_model, m.d_model, 1));
    lay.fc1.push_back(a.place(p + "fc1", m.d_ff, m.d_model, m.d_model, 1));
    lay.fc2.push_back(a.place(p + "fc2", m.d_model, m.d_ff, m.d_ff, 1));
    // K row-major (a token's key, all heads concatenated, fills a row; one result per head);
    // V column-major (row = one output feature of one head, columns = tokens).
    lay.k.push_back(a.place(p + "k", context_max, m.d_model, dh, 1));
    lay.v.push_back(a.place(p + "v", m.d_model, context_max, context_max, m.heads));
  }
  if (lm_head) {
    lay.lm_head = a.place("lm_head", m.vocab, m.d_model, m.d_model, 1);
    lay.has_lm_head = true;
  }
  lay.rows_used = a.used_rows();
  lay.weight_bytes = m.layers * (12 * m.d_model * m.d_model) * g.element_bytes +
                     (lm_head ? m.vocab * m.d_model * g.element_bytes : 0);
  if (lay.rows_used > g.rows)
    throw config_error(where, m.name + " with a " + std::to_string(context_max) +
                                  "-token KV cache needs " + std::to_string(lay.rows_used) +
                                  " rows per bank; the device has " + std::to_string(g.rows) +
                                  " (add channels, or a denser dram.density)");
  return lay;
}

std::vector<Op> gpt_decode_step(const GptModel& m, const GptLayout& lay, const Geometry& g,
                                std::int64_t pos) {
  std::vector<Op> ops;
  const std::int64_t d = m.d_model, ctx = pos + 1;
  auto vmm = [&](const MatrixLayout& w, std::int64_t rows, std::int64_t cols, const char* name,
                 const std::string& layer) {
    ops.push_back(lower_vmm(w, g, rows, cols, name, layer));
    // Partial results of rows longer than a chunk are summed on the ASIC.
    const std::int64_t parts = (cols + w.chunk - 1) / w.chunk;
    if (w.segment > w.chunk && parts > 1)
      ops.push_back(asic_op(std::string(name) + ".reduce", layer, rows, parts - 1));
  };
  for (std::int64_t l = 0; l < m.layers; ++l) {
    const std::string L = "L" + std::to_string(l);
    const auto i = static_cast<std::size_t>(l);
    ops.push_back(asic_op("ln1", L, d, 3));  // mean, variance, normalise
    vmm(lay.qkv[i], 3 * d, d, "qkv", L);
    ops.push_back(asic_op("qkv.bias", L, 3 * d, 1));
    ops.push_back(lower_kv_append(lay.k[i], lay.v[i], g, pos, L));
    vmm(lay.k[i], ctx, d, "scores", L);
    ops.push_back(asic_op("softmax", L, m.heads * ctx, 3));  // max, exp + sum, normalise
    vmm(lay.v[i], d, ctx, "attn_v", L);
    vmm(lay.wo[i], d, d, "proj", L);
    ops.push_back(asic_op("proj.bias_residual", L, d, 2));
    ops.push_back(asic_op("ln2", L, d, 3));
    vmm(lay.fc1[i], m.d_ff, d, "fc1", L);
    ops.push_back(asic_op("fc1.bias_gelu", L, m.d_ff, 2));
    vmm(lay.fc2[i], d, m.d_ff, "fc2", L);
    ops.push_back(asic_op("fc2.bias_residual", L, d, 2));
  }
  ops.push_back(asic_op("ln_f", "head", d, 3));
  if (lay.has_lm_head) {
    vmm(lay.lm_head, m.vocab, d, "lm_head", "head");
    ops.push_back(asic_op("argmax", "head", m.vocab, 1));
  }
  return ops;
}

std::vector<Op> lower_op_records(const std::vector<workloads::OpRecord>& recs, const Geometry& g,
                                 const SourceLoc& where, std::int64_t max_vmms) {
  using workloads::OpKind;
  RowAllocator a(g);
  std::vector<Op> ops;
  std::int64_t vmms = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const std::string tag = "R" + std::to_string(i);
    auto dim = [&](const char* key, std::int64_t def) -> std::int64_t {
      for (const auto& [k, v] : r.shape)
        if (k == key) return static_cast<std::int64_t>(v);
      return def;
    };
    auto fail = [&](const std::string& what) {
      return config_error(SourceLoc{where.file, r.line > 0 ? r.line : where.line, 0},
                          "op trace record " + std::to_string(i) + " (" + r.kernel + ", " +
                              std::string(workloads::op_kind_name(r.op)) + "): " + what);
    };
    auto count = [&](std::int64_t n) {
      vmms += n;
      if (vmms > max_vmms)
        throw fail("more than " + std::to_string(max_vmms) +
                   " matrix-vector products in all; PIM runs decode-sized work");
    };
    auto vmm = [&](const MatrixLayout& m, std::int64_t rows, std::int64_t cols, const char* name) {
      ops.push_back(lower_vmm(m, g, rows, cols, name, tag));
      const std::int64_t parts = (cols + m.chunk - 1) / m.chunk;
      if (m.segment > m.chunk && parts > 1)
        ops.push_back(asic_op(std::string(name) + ".reduce", tag, rows, parts - 1));
    };
    switch (r.op) {
      case OpKind::kGemv:
      case OpKind::kGemm: {
        const bool gemv = r.op == OpKind::kGemv;
        const std::int64_t rows = gemv ? dim("M", 0) : dim("N", 0), cols = dim("K", 0);
        const std::int64_t n = (gemv ? 1 : dim("M", 1)) * dim("batch", 1);
        if (rows > (1 << 24) || cols > (1 << 24)) throw fail("matrix too large");
        count(n);
        const MatrixLayout m = a.place(tag + ".w", rows, cols, cols, 1);
        for (std::int64_t k = 0; k < n; ++k) vmm(m, rows, cols, gemv ? "gemv" : "gemm");
        break;
      }
      case OpKind::kSdpa: {
        const std::int64_t B = dim("B", 1), H = dim("H", 1), N = dim("N", 1), d = dim("d", 1);
        const std::int64_t L = dim("N_kv", N);
        if (N != 1)
          throw fail("N = " + std::to_string(N) +
                     ": the PIM runs decode attention (one query token, N = 1) only");
        if (d > std::min(g.row_elems, g.gb_elems))
          throw fail("head size " + std::to_string(d) + " does not fit a DRAM row");
        if (H > 4096 || d > 4096 || L > (1 << 24)) throw fail("attention too large");
        count(2 * B);
        const MatrixLayout k = a.place(tag + ".k", L, H * d, d, 1);
        const MatrixLayout v = a.place(tag + ".v", H * d, L, L, H);
        for (std::int64_t b = 0; b < B; ++b) {
          vmm(k, L, H * d, "scores");
          ops.push_back(asic_op("softmax", tag, H * L, 3));
          vmm(v, H * d, L, "attn_v");
        }
        break;
      }
      case OpKind::kSoftmax:
        ops.push_back(asic_op("softmax", tag, dim("rows", 1) * dim("cols", 1), 3));
        break;
      case OpKind::kLayernorm:
        ops.push_back(asic_op("layernorm", tag, dim("rows", 1) * dim("cols", 1), 3));
        break;
      case OpKind::kGelu:
        ops.push_back(asic_op("gelu", tag, dim("n", 1), 1));
        break;
      case OpKind::kElementwise:
        ops.push_back(asic_op("elementwise", tag, dim("n", 1), 1));
        break;
    }
    if (a.used_rows() > g.rows)
      throw fail("the matrices up to this record need " + std::to_string(a.used_rows()) +
                 " rows per bank; the device has " + std::to_string(g.rows));
  }
  return ops;
}

}  // namespace accsim::pim
