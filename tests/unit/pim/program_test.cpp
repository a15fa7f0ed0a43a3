// Lowering to PIM programs: every MAC the product needs is done exactly once, every (channel,
// DRAM row) is visited once per product, the global buffer is loaded only when its chunk or
// vector changes, the KV-cache append writes the right bursts, and models that do not fit are
// config errors.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/pim/helpers.h"

namespace accsim::test {
namespace {

pim::Geometry geo() {
  return pim::Geometry::from(pim_dram(), pim_spec());
}

// Bank column accesses (MACAB x active banks) and results of an op.
struct Work {
  std::int64_t bank_cols = 0, results = 0, gb_bursts = 0, visits = 0, writes = 0;
};
Work work_of(const pim::Op& op) {
  Work w;
  for (const auto& prog : op.programs)
    for (const auto& v : prog) {
      w.bank_cols += static_cast<std::int64_t>(v.active_banks) *
                     ((v.pieces - 1) * static_cast<std::int64_t>(v.macs) + v.macs_last);
      w.results += static_cast<std::int64_t>(v.pieces) * v.active_banks;
      w.gb_bursts += v.gb_bursts;
      w.writes += v.writes;
      ++w.visits;
    }
  return w;
}

TEST(PimLowering, GeometryComesFromTheSpecs) {
  const auto g = geo();
  EXPECT_EQ(g.channels, 8);
  EXPECT_EQ(g.banks, 16);
  EXPECT_EQ(g.row_elems, 1024);  // 2 KB GDDR6 page of BF16
  EXPECT_EQ(g.burst_elems, 16);  // 32-byte column access
  EXPECT_EQ(g.gb_elems, 1024);
}

TEST(PimLowering, WeightProductCoversEveryElementOnce) {
  const auto g = geo();
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{3072, 1024},
                            {1024, 4096},
                            {50257, 768},
                            {1000, 1600},
                            {17, 33}}) {
    pim::RowAllocator a(g);
    const auto m = a.place("w", rows, cols, cols, 1);
    const auto op = pim::lower_vmm(m, g, rows, cols, "w", "");
    const Work w = work_of(op);
    const std::int64_t chunks = (cols + 1023) / 1024;
    std::int64_t cols_per_row_bursts = 0;  // bursts of one matrix row over its chunks
    for (std::int64_t c = 0; c < chunks; ++c)
      cols_per_row_bursts += (std::min<std::int64_t>(1024, cols - c * 1024) + 15) / 16;
    EXPECT_EQ(w.bank_cols, rows * cols_per_row_bursts) << rows << "x" << cols;
    EXPECT_EQ(w.results, rows * chunks);  // one partial per row and chunk
    EXPECT_EQ(op.macs, rows * cols);
    // Each channel loads each chunk of x once (one vector).
    std::int64_t want_gb = 0;
    for (const auto& prog : op.programs)
      if (!prog.empty()) want_gb += cols_per_row_bursts;
    EXPECT_EQ(w.gb_bursts, want_gb);
    // (channel, row) pairs are distinct and inside the matrix's rows.
    for (const auto& prog : op.programs) {
      std::set<std::int64_t> seen;
      for (const auto& v : prog) {
        EXPECT_TRUE(seen.insert(v.row).second);
        EXPECT_GE(v.row, m.row_base);
        EXPECT_LT(v.row, m.row_base + m.rows_per_bank());
      }
    }
  }
}

TEST(PimLowering, AttentionScoresReadOneResultPerHead) {
  const auto g = geo();
  pim::RowAllocator a(g);
  const std::int64_t d = 1024, dh = 64, ctx_max = 1024;
  const auto k = a.place("k", ctx_max, d, dh, 1);
  for (std::int64_t ctx : {1, 16, 129, 1024}) {
    const auto op = pim::lower_vmm(k, g, ctx, d, "scores", "");
    const Work w = work_of(op);
    EXPECT_EQ(w.results, ctx * (d / dh));  // one score per token and head
    EXPECT_EQ(w.bank_cols, ctx * d / 16);
  }
}

TEST(PimLowering, AttentionValuesUseOneVectorPerHead) {
  const auto g = geo();
  pim::RowAllocator a(g);
  const std::int64_t d = 768, heads = 12, ctx_max = 2048;
  const auto v = a.place("v", d, ctx_max, ctx_max, heads);
  const auto op = pim::lower_vmm(v, g, d, 1500, "attn_v", "");
  const Work w = work_of(op);
  EXPECT_EQ(w.bank_cols, d * ((1024 / 16) + (1500 - 1024 + 15) / 16));
  EXPECT_EQ(w.results, d * 2);  // two chunks of the context: two partials per output
  // Every channel's rounds belong to at most two heads (contiguous blocks of 4 rounds = 1 head),
  // so it loads at most (heads it serves) x (chunks) buffer chunks.
  for (const auto& prog : op.programs) {
    int loads = 0;
    for (const auto& vis : prog) loads += vis.gb_bursts > 0;
    EXPECT_LE(loads, 2 * 2);
  }
}

TEST(PimLowering, KvAppendWritesTheKeyRowAndTheValueColumn) {
  const auto g = geo();
  pim::RowAllocator a(g);
  const std::int64_t d = 1024, dh = 64;
  const auto k = a.place("k", 1024, d, dh, 1);
  const auto v = a.place("v", d, 1024, 1024, 16);
  const auto op = pim::lower_kv_append(k, v, g, 200, "L0");
  const Work w = work_of(op);
  // Key: d elements in full bursts; value: one masked burst per bank of every V round.
  EXPECT_EQ(w.writes, d / 16 + v.rounds * 16);
  // Token 200's key lives in round 200 / 16 = 12, channel 12 % 8 = 4.
  EXPECT_FALSE(op.programs[4].empty());
  EXPECT_EQ(op.programs[4].front().row, k.row_base + (12 / 8) * k.chunks);
}

TEST(PimLowering, GptModelsAndTheirFit) {
  const auto g = geo();
  for (const auto& name : workloads::transformer_model_names()) {
    const auto m = workloads::transformer_model(name, SourceLoc{});
    const auto lay = pim::place_gpt(m, g, m.max_context, true, SourceLoc{});
    EXPECT_LE(lay.rows_used, g.rows) << name;
    EXPECT_EQ(lay.weight_bytes, (m.layers * 12 * m.d_model * m.d_model + m.vocab * m.d_model) * 2);
    const auto ops = pim::gpt_decode_step(m, lay, g, 10);
    std::int64_t macs = 0;
    for (const auto& op : ops) macs += op.macs;
    // Weights once, plus scores and values over 11 tokens.
    EXPECT_EQ(macs,
              m.layers * (12 * m.d_model * m.d_model + 2 * 11 * m.d_model) + m.vocab * m.d_model)
        << name;
  }
  EXPECT_THROW(workloads::transformer_model("gpt2-tiny", SourceLoc{"s.yaml", 4, 10}), Error);
  try {
    workloads::transformer_model("gpt2-smal", SourceLoc{"s.yaml", 4, 10});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'gpt2-small'"), std::string::npos);
  }
  // GPT-2 XL with a huge KV cache does not fit 2 channels.
  const auto g2 = pim::Geometry::from(pim_dram(2), pim_spec());
  EXPECT_THROW(pim::place_gpt(workloads::transformer_model("gpt2-xl", SourceLoc{}), g2, 1 << 16,
                              true, SourceLoc{"s.yaml", 1, 1}),
               Error);
}

TEST(PimAsic, CyclesArePassesTimesLaneGroupsPlusDepth) {
  auto spec = pim_spec();
  spec.asic.lanes = 64;
  spec.asic.depth = 8;
  EXPECT_EQ(pim::asic_cycles(spec, pim::asic_op("ln", "", 1024, 3)), 3 * 16 + 8);
  EXPECT_EQ(pim::asic_cycles(spec, pim::asic_op("x", "", 65, 1)), 2 + 8);
  EXPECT_EQ(pim::asic_cycles(spec, pim::asic_op("x", "", 0, 1)), 0);
}

}  // namespace
}  // namespace accsim::test
