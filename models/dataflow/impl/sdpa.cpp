// Scaled dot-product attention on streaming units, the two mappings of arXiv 2404.16629
// (Sohn, Zhang, Olukotun, "Implementing and Optimizing the Scaled Dot-Product Attention on
// Streaming Dataflow"):
//   naive:     s = q.K^T/sqrt(d) -> row max -> s - m -> exp -> row sum -> e / sum -> x V,
//              with bypass channels that carry each row past its two reductions;
//   reordered: online softmax: running max m, delta = exp(m_old - m_new), c = exp(s - m_new),
//              running sum l <- l*delta + c, running output o <- o*delta + c*v, o / l per row.
// One element of the score stream carries `lanes` scores (lanes keys per cycle at full rate).
#include <algorithm>
#include <bit>
#include <cmath>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

std::string_view graph_name(SdpaGraph g) {
  return g == SdpaGraph::kNaive ? "naive" : "reordered";
}

const config::Schema<SdpaParams>& sdpa_schema() {
  static const config::Schema<SdpaParams> s = [] {
    using config::Range;
    config::Schema<SdpaParams> sc("sdpa");
    sc.choice("graph", &SdpaParams::graph,
              {{"naive", SdpaGraph::kNaive}, {"reordered", SdpaGraph::kReordered}},
              std::optional<SdpaGraph>(SdpaGraph::kReordered),
              "which mapping of attention onto streaming units")
        .integer("N", &SdpaParams::N, std::optional<std::int64_t>(1024), Range::between(1, 1 << 24),
                 "keys", "sequence length (keys per score row)")
        .integer("M", &SdpaParams::M, std::optional<std::int64_t>(0), Range::between(0, 1 << 24),
                 "queries", "query rows simulated per head (0 = N)")
        .integer("d", &SdpaParams::d, std::optional<std::int64_t>(64), Range::between(1, 4096),
                 "values", "head dimension")
        .integer("lanes", &SdpaParams::lanes, std::optional<std::int64_t>(1),
                 Range::between(1, 1024), "scores/element",
                 "scores per stream element (scores per cycle at full throughput); divides N")
        .integer("batch", &SdpaParams::batch, std::optional<std::int64_t>(1),
                 Range::between(1, 1 << 16), "", "batch size")
        .integer("heads", &SdpaParams::heads, std::optional<std::int64_t>(1),
                 Range::between(1, 1 << 16), "", "attention heads")
        .integer("parallel", &SdpaParams::parallel, std::optional<std::int64_t>(1),
                 Range::between(1, 4096), "replicas",
                 "graph replicas running heads in parallel (heads dealt round-robin)")
        .integer("capacity", &SdpaParams::capacity, std::optional<std::int64_t>(16),
                 Range::between(1, 1 << 26), "elements", "capacity of every channel but bypasses")
        .integer("bypass_capacity", &SdpaParams::bypass_capacity, std::optional<std::int64_t>(0),
                 Range::between(0, 1 << 26), "elements",
                 "capacity of the naive graph's bypass channels (0 = the computed minimum for "
                 "full throughput)")
        .integer("latency", &SdpaParams::latency, std::optional<std::int64_t>(0),
                 Range::between(0, 1 << 20), "cycles",
                 "latency of every channel (0 = dataflow.channel_latency)")
        .integer("seed", &SdpaParams::seed, std::optional<std::uint64_t>(1),
                 Range::between(0, 9.0e15), "", "seed of the random Q, K, V in [-1, 1)")
        .flag("check", &SdpaParams::check, true, "compare the output with an fp64 host reference")
        .check([](const SdpaParams& p, const SourceLoc& where) { validate_sdpa(p, where); });
    return sc;
  }();
  return s;
}

void validate_sdpa(const SdpaParams& p, const SourceLoc& where) {
  if (p.N % p.lanes != 0)
    throw config_error(where, "sdpa.lanes = " + std::to_string(p.lanes) +
                                  " must divide sdpa.N = " + std::to_string(p.N));
  if (p.parallel > p.batch * p.heads)
    throw config_error(where, "sdpa.parallel = " + std::to_string(p.parallel) +
                                  " exceeds batch x heads = " + std::to_string(p.batch * p.heads) +
                                  ": a replica would have no head to run");
}

namespace {

int tree_levels(std::int64_t n) {
  return n <= 1 ? 0 : static_cast<int>(std::bit_width(static_cast<std::uint64_t>(n - 1)));
}

Cycle channel_latency(const hw::DataflowSpec& spec, const SdpaParams& p) {
  return p.latency > 0 ? p.latency : spec.channel_latency;
}

}  // namespace

// A bypass element sent by the fork at t0 + j is received when the row's reduction has come
// back through the repeat unit: the last element of the row leaves the fork at t0 + R - 1,
// reaches the reduction after fork depth + latency, the reduction's result reaches the repeat
// after reduce depth + latency, and the first copy reaches the consumer after repeat depth +
// latency. The bypass must hold everything the fork sends until then, plus the credit delay:
//   C_min = R - 1 + D_fork + D_reduce + D_repeat + 3 * latency + credit_latency.
// Fork and repeat have depth 0 (wires and a register); the reductions derive theirs from the
// spec (reduce: op depth x (1 + tree levels over the lanes)). Must match units.cpp.
std::int64_t naive_min_bypass(const hw::DataflowSpec& spec, const SdpaParams& p) {
  const std::int64_t R = p.row_elements();
  const std::int64_t lat = channel_latency(spec, p);
  const int levels = 1 + tree_levels(p.lanes);
  const std::int64_t d_max = static_cast<std::int64_t>(spec.depth.cmp) * levels;
  const std::int64_t d_sum = static_cast<std::int64_t>(spec.depth.add) * levels;
  return R - 1 + std::max(d_max, d_sum) + 3 * lat + spec.credit_latency;
}

double estimated_sdpa_bytes(const SdpaParams& p) {
  const double M = static_cast<double>(p.queries()), N = static_cast<double>(p.N),
               d = static_cast<double>(p.d);
  const double blocks = static_cast<double>(p.batch) * static_cast<double>(p.heads);
  const double tensors = blocks * (2 * M + 2 * N) * d * sizeof(float);
  const double reference = p.check ? (M * d + N) * sizeof(double) : 0;
  return tensors + reference;
}

std::unique_ptr<Graph> build_sdpa(const hw::DataflowSpec& spec, const SdpaParams& p,
                                  std::shared_ptr<SharedMemory> memory) {
  validate_sdpa(p, SourceLoc{"<sdpa parameters>"});
  auto g = std::make_unique<Graph>("sdpa-" + std::string(graph_name(p.graph)));
  g->memory = std::move(memory);
  const std::int64_t M = p.queries(), N = p.N, d = p.d, L = p.lanes, R = p.row_elements();
  const std::int64_t blocks = p.batch * p.heads;
  TensorStore& st = g->store();
  fill_uniform(st.add("Q", blocks, M, d), p.seed, -1.0f, 1.0f);
  fill_uniform(st.add("K", blocks, N, d), p.seed + 1, -1.0f, 1.0f);
  fill_uniform(st.add("V", blocks, N, d), p.seed + 2, -1.0f, 1.0f);
  st.add("O", blocks, M, d);

  const Cycle lat = channel_latency(spec, p);
  const auto cap = static_cast<std::uint32_t>(p.capacity);
  const auto bypass = static_cast<std::uint32_t>(p.bypass_capacity > 0 ? p.bypass_capacity
                                                                       : naive_min_bypass(spec, p));
  const int Li = static_cast<int>(L), Di = static_cast<int>(d);

  for (std::int64_t r = 0; r < p.parallel; ++r) {
    const std::string px = p.parallel > 1 ? "r" + std::to_string(r) + "_" : "";
    std::vector<std::int64_t> mine;
    for (std::int64_t b = r; b < blocks; b += p.parallel) mine.push_back(b);

    auto unit = [&](UnitParams u) {
      u.name = px + u.name;
      const bool mem = u.kind == UnitKind::kMemRead || u.kind == UnitKind::kMemWrite;
      g->add(make_unit(u, spec, &st, mem ? g->memory_port_for(u.name) : nullptr));
    };
    auto chan = [&](const std::string& from, const std::string& fp, const std::string& to,
                    const std::string& tp, int width, std::uint32_t capacity) {
      ChannelParams c;
      c.capacity = capacity;
      c.latency = lat;
      c.credit_latency = spec.credit_latency;
      c.width = width;
      g->connect(px + from, fp, px + to, tp, c);
    };
    auto mem = [&](const char* name, UnitKind k, const char* tensor, std::int64_t rpe,
                   std::int64_t repeat) {
      UnitParams u;
      u.name = name;
      u.kind = k;
      u.tensor = tensor;
      u.rows_per_element = rpe;
      u.repeat = repeat;
      u.blocks = mine;
      unit(u);
    };
    auto compute = [&](const char* name, UnitKind k, Op op, std::int64_t length = 1) {
      UnitParams u;
      u.name = name;
      u.kind = k;
      u.op = op;
      u.length = length;
      u.times = length;
      u.outputs = 2;
      return u;
    };

    mem("q_rd", UnitKind::kMemRead, "Q", 1, 1);
    mem("k_rd", UnitKind::kMemRead, "K", L, M);
    mem("v_rd", UnitKind::kMemRead, "V", L, M);
    UnitParams qk = compute("qk", UnitKind::kDot, Op::kMul, R);
    qk.scale = 1.0 / std::sqrt(static_cast<double>(d));
    unit(qk);
    mem("o_wr", UnitKind::kMemWrite, "O", 1, 1);
    chan("q_rd", "out", "qk", "vec", Di, cap);
    chan("k_rd", "out", "qk", "mat", Li * Di, cap);

    if (p.graph == SdpaGraph::kNaive) {
      unit(compute("fork1", UnitKind::kBroadcast, Op::kCopy));
      unit(compute("rmax", UnitKind::kReduce, Op::kMax, R));
      unit(compute("rep1", UnitKind::kRepeat, Op::kCopy, R));
      unit(compute("sub", UnitKind::kMap, Op::kSub));
      unit(compute("exp", UnitKind::kMap, Op::kExp));
      unit(compute("fork2", UnitKind::kBroadcast, Op::kCopy));
      unit(compute("rsum", UnitKind::kReduce, Op::kSum, R));
      unit(compute("rep2", UnitKind::kRepeat, Op::kCopy, R));
      unit(compute("div", UnitKind::kMap, Op::kDiv));
      unit(compute("pv", UnitKind::kAccumulate, Op::kSum, R));
      chan("qk", "out", "fork1", "in", Li, cap);
      chan("fork1", "out0", "rmax", "in", Li, cap);
      chan("fork1", "out1", "sub", "a", Li, bypass);
      chan("rmax", "out", "rep1", "in", 1, cap);
      chan("rep1", "out", "sub", "b", 1, cap);
      chan("sub", "out", "exp", "a", Li, cap);
      chan("exp", "out", "fork2", "in", Li, cap);
      chan("fork2", "out0", "rsum", "in", Li, cap);
      chan("fork2", "out1", "div", "a", Li, bypass);
      chan("rsum", "out", "rep2", "in", 1, cap);
      chan("rep2", "out", "div", "b", 1, cap);
      chan("div", "out", "pv", "w", Li, cap);
      chan("v_rd", "out", "pv", "v", Li * Di, cap);
      chan("pv", "out", "o_wr", "in", Di, cap);
    } else {
      unit(compute("smax", UnitKind::kScan, Op::kOnlineMax, R));
      unit(compute("fork_d", UnitKind::kBroadcast, Op::kCopy));
      unit(compute("fork_c", UnitKind::kBroadcast, Op::kCopy));
      unit(compute("lsum", UnitKind::kAccumulate, Op::kSum, R));
      unit(compute("oacc", UnitKind::kAccumulate, Op::kSum, R));
      unit(compute("div", UnitKind::kMap, Op::kDiv));
      chan("qk", "out", "smax", "in", Li, cap);
      chan("smax", "delta", "fork_d", "in", Li, cap);
      chan("smax", "c", "fork_c", "in", Li, cap);
      chan("fork_d", "out0", "lsum", "delta", Li, cap);
      chan("fork_d", "out1", "oacc", "delta", Li, cap);
      chan("fork_c", "out0", "lsum", "w", Li, cap);
      chan("fork_c", "out1", "oacc", "w", Li, cap);
      chan("v_rd", "out", "oacc", "v", Li * Di, cap);
      chan("lsum", "out", "div", "b", 1, cap);
      chan("oacc", "out", "div", "a", Di, cap);
      chan("div", "out", "o_wr", "in", Di, cap);
    }
    // Measured where the score stream ends: any stall upstream reaches this unit at once,
    // while buffers in front of qk could hide a per-row stall for the first rows.
    g->throughput_units.push_back(px + (p.graph == SdpaGraph::kNaive ? "pv" : "oacc"));
  }
  g->work = static_cast<std::uint64_t>(blocks * M * N);
  g->work_unit = "scores";
  g->work_per_firing = static_cast<double>(L);
  g->peak_work_per_cycle = static_cast<double>(L * p.parallel);
  return g;
}

std::vector<double> sdpa_reference(const Tensor& q, const Tensor& k, const Tensor& v,
                                   std::int64_t block, std::int64_t M) {
  const std::int64_t N = k.rows, d = k.cols;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> out(static_cast<std::size_t>(M * d), 0.0), s(static_cast<std::size_t>(N));
  for (std::int64_t i = 0; i < M; ++i) {
    const float* qi = q.row(block, i);
    double mx = -INFINITY;
    for (std::int64_t j = 0; j < N; ++j) {
      const float* kj = k.row(block, j);
      double acc = 0;
      for (std::int64_t c = 0; c < d; ++c) acc += static_cast<double>(qi[c]) * kj[c];
      s[static_cast<std::size_t>(j)] = acc * scale;
      mx = std::max(mx, acc * scale);
    }
    double sum = 0;
    for (auto& x : s) sum += (x = std::exp(x - mx));
    double* o = out.data() + i * d;
    for (std::int64_t j = 0; j < N; ++j) {
      const float* vj = v.row(block, j);
      const double w = s[static_cast<std::size_t>(j)] / sum;
      for (std::int64_t c = 0; c < d; ++c) o[c] += w * vj[c];
    }
  }
  return out;
}

// A forward-error bound in units of u = 2^-24 for inputs in [-1, 1) (Higham, "Accuracy and
// Stability of Numerical Algorithms", recursive summation/dot products, gamma_n ~ n u): scores
// carry gamma_d * sqrt(d) absolute error (|q.k| / sqrt(d) <= sqrt(d)), which exp turns into a
// relative error of the weights; the row sum and the weighted sum over N keys add gamma_N each;
// the rescaling and division add a few u. The error is measured relative to max |V|.
double sdpa_tolerance(const SdpaParams& p) {
  const double u = std::ldexp(1.0, -24);
  const double d = static_cast<double>(p.d), n = static_cast<double>(p.N);
  return (2.0 * n + 2.0 * d * std::sqrt(d) + 16.0) * u;
}

DataflowResult run_sdpa(const hw::DataflowSpec& spec, const SdpaParams& p, StatsRegistry& stats,
                        EnergyLedger& energy, std::shared_ptr<SharedMemory> memory) {
  const bool want_dram = spec.memory.kind == hw::DataflowMemoryKind::kDram;
  if (want_dram && !memory)
    throw config_error(SourceLoc{"<dataflow>"},
                       "dataflow.memory.kind is dram, but no DRAM was attached (give the system "
                       "a dram: section, e.g. dram: {preset: HBM3})");
  if (!want_dram && memory)
    throw config_error(SourceLoc{"<dataflow>"},
                       "a shared memory (" + memory->describe() +
                           ") was attached, but dataflow.memory.kind is ideal");
  auto g = build_sdpa(spec, p, memory);
  DataflowResult r = run(*g, spec);
  if (memory) {
    memory->finish(r.total_cycles, energy);
    r.memory = memory->describe();
    r.memory_energy_pj = memory->energy_pj();
  }
  if (p.check && !r.deadlocked()) {
    TensorStore& st = g->store();
    const Tensor &q = st.get("Q"), &k = st.get("K"), &v = st.get("V"), &o = st.get("O");
    double vmax = 0;
    for (float x : v.data) vmax = std::max(vmax, static_cast<double>(std::abs(x)));
    double err = 0;
    for (std::int64_t b = 0; b < o.blocks; ++b) {
      std::vector<double> ref = sdpa_reference(q, k, v, b, o.rows);
      const float* ob = o.row(b, 0);
      for (std::size_t i = 0; i < ref.size(); ++i) {
        double e = std::abs(static_cast<double>(ob[i]) - ref[i]);
        if (!(e <= err)) err = std::isnan(e) ? INFINITY : e;  // a NaN output fails the check
      }
    }
    r.checked = true;
    r.max_error = vmax > 0 ? err / vmax : err;
    r.tolerance = sdpa_tolerance(p);
    r.output_ok = r.max_error <= r.tolerance;
  } else if (p.check) {
    r.output_ok = false;  // a deadlocked run produced no output
  }
  account(r, spec, stats, energy);
  return r;
}

}  // namespace accsim::dataflow
