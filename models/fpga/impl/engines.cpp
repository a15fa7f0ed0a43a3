// Engine timing, resources and operation counts from shape, reuse factor, precision and strategy
// (README.md "Engines" and "Resources": every formula here is written down there).
#include <algorithm>
#include <cmath>

#include "models/fpga/fpga.h"

namespace accsim::fpga {
namespace {

int lg(std::int64_t n) {  // ceil(log2 n), 0 for n <= 1
  int k = 0;
  while ((std::int64_t{1} << k) < n) ++k;
  return k;
}
std::int64_t cdiv(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

const LayerDesc& input_of(const ModelDesc& m, const LayerDesc& l, std::size_t k = 0) {
  return m.layers[static_cast<std::size_t>(m.index_of(l.inputs.at(k)))];
}

int mult_depth(int wa, int wb, const hw::FpgaSpec& s) {
  return dsp_per_mult(wa, wb, s) > 0 ? s.timing.dsp_mult : s.timing.lut_mult;
}

// A dense dot product of n_in terms per output with reuse factor rf: multiply, accumulate over rf
// cycles, adder tree over the remaining terms, bias add + cast register.
int dense_depth(std::int64_t n_in, int rf, int wa, int wb, const hw::FpgaSpec& s) {
  return mult_depth(wa, wb, s) + (rf - 1) + s.timing.add * lg(n_in) + 1;
}

int softmax_depth(std::int64_t n, int rf, const LayerDesc& l, const hw::FpgaSpec& s) {
  const auto& t = s.timing;
  // max tree, subtract, exp table, sum tree, inverse table, multiply, accumulate over rf.
  return t.add * lg(n) + t.add + t.table + t.add * lg(n) + t.table +
         mult_depth(l.table.width, l.table.width, s) + (rf - 1);
}

int layernorm_depth(std::int64_t n, int rf, const LayerDesc& l, const hw::FpgaSpec& s) {
  const auto& t = s.timing;
  const int m = mult_depth(l.accum.width, l.accum.width, s);
  // sum tree, x 1/n, subtract mean, square, sum tree, x 1/n, 1/sqrt table, x inv, x gamma, + beta
  return t.add * lg(n) + m + t.add + m + t.add * lg(n) + m + t.table + m + m + t.add + (rf - 1);
}

}  // namespace

int dsp_per_mult(int wa, int wb, const hw::FpgaSpec& spec) {
  const int lim = spec.timing.lut_mult_max_bits;
  if (wa <= lim && wb <= lim) return 0;
  // DSP48E2: one 27 x 18 signed multiplier; wider operands are split into 27- and 18-bit parts.
  const int a = std::max(wa, wb), b = std::min(wa, wb);
  return static_cast<int>(cdiv(a, 27) * cdiv(b, 18));
}

EngineTiming engine_timing(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& s) {
  EngineTiming t;
  const int rf = l.reuse;
  const auto& tm = s.timing;
  if (l.kind == LayerKind::kInput) {
    t.row_ii = 1;
    t.row_depth = 0;
    t.layer_ii = m.io == IoType::kParallel ? 1 : l.rows;
    return t;
  }
  const LayerDesc& in = input_of(m, l);
  const std::int64_t rows = in.rows, n = in.cols;
  const int win = in.precision.width;
  switch (l.kind) {
    case LayerKind::kDense:
      t.row_ii = rf;
      t.row_depth = dense_depth(n, rf, win, l.weight.width, s);
      break;
    case LayerKind::kRelu:
      t.row_depth = 1;
      break;
    case LayerKind::kGelu:
      t.row_depth = tm.table + 1;
      break;
    case LayerKind::kAdd:
      t.row_depth = tm.add;
      break;
    case LayerKind::kSoftmax:
      t.row_ii = rf;
      t.row_depth = softmax_depth(n, rf, l, s);
      break;
    case LayerKind::kLayerNorm:
      t.row_ii = rf;
      t.row_depth = layernorm_depth(n, rf, l, s);
      break;
    case LayerKind::kMha: {
      // hls4ml's multi-head attention (nnet_multiheadattention.h) is a dataflow region of four
      // stages, heads in parallel, each stage a row loop pipelined at II = R:
      //   1. projections: Q, K, V of a row per R cycles, streamed on;
      //   2. Q.K^T + softmax: gathers all N rows of K (in step with stage 1), then one score row
      //      per R cycles into the N x N score array (a ping-pong buffer);
      //   3. P.V: starts when the score array is complete, gathers all N rows of V (N x R
      //      cycles), then one row per R cycles, streamed on;
      //   4. output projection: one row per R cycles, in step with stage 3.
      // Loads here are stage 1; "buffer ready" is the start of stage 3's rows; a row is P.V plus
      // the output projection. Stages 2 and 3 each take 2 N R cycles per event. The score
      // array holds the softmax outputs in the layer's data type (hls4ml: `data_T QK[N][N]`),
      // so P.V multiplies two data_T operands; the tables' type only reaches the exp/1/sum step.
      const int wp = l.precision.width;
      t.buffering = true;
      t.double_buffer = false;
      t.load_ii = rf;
      const int proj = dense_depth(n, rf, win, l.weight.width, s);
      const int scores = mult_depth(wp, wp, s) + (rf - 1) + tm.add * lg(l.head_dim);
      const int pv = mult_depth(wp, wp, s) + (rf - 1) + tm.add * lg(rows);
      const int out = dense_depth(l.heads * l.head_dim, rf, wp, l.weight.width, s);
      t.load_depth = static_cast<int>(proj + (rows - 1) * rf + scores +
                                      softmax_depth(rows, rf, l, s) + rows * rf);
      t.row_ii = rf;
      t.row_depth = pv + out;
      t.event_gap = 2 * rows * rf;
      t.rows_gap = rows * rf;
      break;
    }
    case LayerKind::kPool:
      t.row_ii = 1;
      if (m.io == IoType::kParallel) {
        // The whole tensor at once: adder tree over the rows, x 1/N, register.
        t.row_depth = tm.add * lg(rows) + mult_depth(l.accum.width, l.weight.width, s) + 1;
        break;
      }
      t.buffering = true;  // io_stream: accumulate one row per cycle
      t.load_ii = 1;
      t.load_depth = tm.add;
      t.row_depth = mult_depth(l.accum.width, l.weight.width, s) + 1;
      break;
    case LayerKind::kFlatten:
      if (m.io == IoType::kParallel) {
        // hls4ml emits no code for a reshape in io_parallel: the next layer reads the same
        // completely partitioned array under another shape. Wires: no cycles.
        t.row_depth = 0;
        break;
      }
      // io_stream: hls4ml's repack_stream (nnet_stream.h) reads one input row per cycle into a
      // register array and writes the packed row in the iteration that reads the last one; the
      // array is free again at once (no double buffer).
      t.buffering = true;
      t.double_buffer = false;
      t.load_ii = 1;
      t.load_depth = 1;
      t.row_depth = 1;
      break;
    case LayerKind::kInput:
      break;
  }
  if (t.buffering) {
    // Loads of event e+2 reuse the buffer of event e (double buffering): they wait for the
    // last output row of e to start, which bounds the II from below by half a load + compute.
    const std::int64_t cycle2 = (rows - 1) * t.load_ii + t.load_depth + (l.rows - 1) * t.row_ii;
    t.layer_ii = std::max({rows * t.load_ii, l.rows * t.row_ii + t.rows_gap, t.event_gap,
                           t.double_buffer ? (cycle2 + 1) / 2 : std::int64_t{0}});
    t.layer_latency = (rows - 1) * t.load_ii + t.load_depth + (l.rows - 1) * t.row_ii + t.row_depth;
  } else {
    // io_parallel: `parallel` rows per firing of the row pipeline (README.md "Engines").
    const std::int64_t groups =
        m.io == IoType::kParallel ? rows / std::max<std::int64_t>(1, l.parallel) : rows;
    t.layer_ii = groups * t.row_ii;
    t.layer_latency = (groups - 1) * t.row_ii + t.row_depth;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Resources

namespace {

constexpr double kBram36Bits = 36864.0;

// An on-chip array of `bits`, of which `words_per_cycle` words of `word_bits` are accessed each
// cycle. Small arrays and arrays whose parallel access would waste more than 3/4 of the blocks go
// to registers (hls4ml partitions them completely); the others to BRAM36 (512 x 72, 2 ports).
void array_resources(LayerResources& lr, const std::string& what, double bits,
                     double words_per_cycle, int word_bits) {
  if (bits <= 1024) {
    lr.r.ff += bits;
    return;
  }
  const double per_port = std::max(1, 72 / std::max(1, word_bits));
  const double ports = std::ceil(words_per_cycle / per_port);
  const double blocks = std::max(std::ceil(bits / kBram36Bits), std::ceil(ports / 2));
  if (blocks * kBram36Bits > 4 * bits) {
    lr.r.ff += bits;
    lr.notes.push_back(what + ": " + std::to_string(static_cast<long long>(bits)) +
                       " bits in registers (fully partitioned)");
  } else {
    lr.r.bram36 += blocks;
    lr.notes.push_back(what + ": " + std::to_string(static_cast<long long>(blocks)) + " BRAM36");
  }
}

// `copies` lookup tables of size x width: LUTRAM below 16 Kb, else BRAM18 halves.
void table_resources(LayerResources& lr, const std::string& what, std::int64_t size, int width,
                     double lookups_per_cycle) {
  const double copies = std::max(1.0, std::ceil(lookups_per_cycle / 2));  // dual-port
  const double bits = static_cast<double>(size) * width;
  if (bits < 16384) {
    lr.r.lut += copies * std::ceil(bits / 64);
    lr.notes.push_back(what + ": " + std::to_string(static_cast<long long>(copies)) +
                       " LUTRAM copies");
  } else {
    lr.r.bram36 += copies * 0.5 * std::ceil(bits / 18432);
    lr.notes.push_back(what + ": " + std::to_string(static_cast<long long>(copies)) +
                       " BRAM copies");
  }
}

// `mults` parallel multipliers of wa x wb, each feeding an accumulator/adder-tree node of wacc
// bits (one LUT per bit) with a wacc-bit pipeline register.
void multipliers(LayerResources& lr, double mults, int wa, int wb, int wacc,
                 const hw::FpgaSpec& s) {
  const int d = dsp_per_mult(wa, wb, s);
  lr.multipliers += static_cast<std::int64_t>(mults);
  if (d > 0) {
    lr.dsp_multipliers += static_cast<std::int64_t>(mults);
    lr.r.dsp += mults * d;
  } else {
    lr.r.lut += mults * std::ceil(wa * wb / 2.0);  // LUT multiplier: ~wa*wb/2 LUT6 (assumption)
  }
  lr.r.lut += mults * wacc;
  lr.r.ff += mults * wacc;
}

// Weights of n_in x n_out (+ n_out biases) read by `mults` multipliers over `rf` cycles.
void weights(LayerResources& lr, const std::string& what, std::int64_t n_in, std::int64_t n_out,
             std::int64_t mults, int rf, int ww, Strategy st, const hw::FpgaSpec& s) {
  const double bits = static_cast<double>(n_in * n_out) * ww;
  lr.r.ff += static_cast<double>(n_out) * ww;  // biases
  if (st == Strategy::kLatency) {
    if (rf > 1) lr.r.lut += std::ceil(bits / 64);  // constants muxed per cycle: LUT ROM
    return;                                        // rf = 1: constants folded into multipliers
  }
  // Resource strategy: hls4ml reshapes the weights into `rf` words of `mults` weights each
  // (ARRAY_RESHAPE block factor n_in x n_out / rf). At rf = 1 that is one word read every cycle,
  // i.e. constants: no memory, as with the latency strategy.
  if (rf == 1) return;
  const double width = static_cast<double>(mults) * ww;
  if (rf > 512 && s.res.uram > 0) {
    const double u = std::ceil(width / 72) * std::ceil(rf / 4096.0);
    lr.r.uram += u;
    lr.notes.push_back(what + " weights: " + std::to_string(static_cast<long long>(u)) + " URAM");
  } else {
    const double b = std::ceil(width / 72) * std::ceil(rf / 512.0);
    lr.r.bram36 += b;
    lr.notes.push_back(what + " weights: " + std::to_string(static_cast<long long>(b)) + " BRAM36");
  }
}

}  // namespace

Resources fifo_resources(std::int64_t depth, std::int64_t bits) {
  Resources r;
  if (depth <= 0) return r;
  if (depth <= 32) {
    r.lut = static_cast<double>(bits) * std::ceil(depth / 32.0);  // SRL32 per bit
    r.ff = static_cast<double>(bits);                             // output register
  } else {
    r.bram36 = std::ceil(bits / 72.0) * std::ceil(depth / 512.0);
  }
  return r;
}

LayerResources layer_resources(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& s) {
  LayerResources lr;
  if (l.kind == LayerKind::kInput) return lr;
  lr.r.lut += 200;  // control, handshakes (assumption)
  lr.r.ff += 200;
  const LayerDesc& in = input_of(m, l);
  const std::int64_t rows = in.rows, n = in.cols;
  const int rf = l.reuse, win = in.precision.width, wp = l.precision.width;
  const int wa = l.accum.width, ww = l.weight.width, wt = l.table.width;
  // Row engines are replicated `parallel` times in io_parallel (weights are shared constants).
  const double par_rows = static_cast<double>(std::max<std::int64_t>(1, l.parallel));
  switch (l.kind) {
    case LayerKind::kDense: {
      const std::int64_t mults = n * l.units / rf * static_cast<std::int64_t>(par_rows);
      multipliers(lr, static_cast<double>(mults), win, ww, wa, s);
      // The parallel rows read the same weight each cycle: one weight port serves them all.
      weights(lr, "W", n, l.units, n * l.units / rf, rf, ww, l.strategy, s);
      break;
    }
    case LayerKind::kRelu:
      lr.r.lut += par_rows * static_cast<double>(n) * std::ceil(wp / 2.0);
      lr.r.ff += par_rows * static_cast<double>(n) * wp;
      break;
    case LayerKind::kGelu:
      table_resources(lr, "gelu table", l.table_size, wt, par_rows * static_cast<double>(n));
      lr.r.ff += par_rows * static_cast<double>(n) * wp;
      break;
    case LayerKind::kAdd:
      lr.r.lut += par_rows * static_cast<double>(n) * wp;
      lr.r.ff += par_rows * static_cast<double>(n) * wp;
      break;
    case LayerKind::kSoftmax: {
      const double par = par_rows * static_cast<double>(n) / rf;
      table_resources(lr, "exp table", l.table_size, wt, par);
      table_resources(lr, "inverse table", l.table_size, wt, par_rows);
      multipliers(lr, par, wt, wt, wa, s);
      lr.r.lut += par * wa;  // max tree
      break;
    }
    case LayerKind::kLayerNorm: {
      const double par = par_rows * static_cast<double>(n) / rf;
      multipliers(lr, 3 * par, wa, wa, wa, s);
      table_resources(lr, "1/sqrt table", l.table_size, wt, par_rows);
      lr.r.lut += par * wa;                          // second sum tree
      lr.r.ff += 2.0 * static_cast<double>(n) * ww;  // gamma, beta
      break;
    }
    case LayerKind::kMha: {
      const std::int64_t hd = l.heads * l.head_dim;
      const std::int64_t proj = n * hd / rf;
      for (const char* w : {"Wq", "Wk", "Wv"}) {
        multipliers(lr, static_cast<double>(proj), win, ww, wa, s);
        weights(lr, w, n, hd, proj, rf, ww, l.strategy, s);
      }
      multipliers(lr, static_cast<double>(proj), wp, ww, wa, s);  // output projection
      weights(lr, "Wo", hd, n, proj, rf, ww, l.strategy, s);
      const double att = static_cast<double>(l.heads * rows * l.head_dim) / rf;
      multipliers(lr, att, wp, wp, wa, s);  // Q.K^T
      multipliers(lr, att, wp, wp, wa, s);  // P.V (P is data_T, see engine_timing)
      const double lookups = static_cast<double>(l.heads * rows) / rf;
      table_resources(lr, "exp table", l.table_size, wt, lookups);
      table_resources(lr, "inverse table", l.table_size, wt,
                      std::ceil(static_cast<double>(l.heads) / rf));
      multipliers(lr, lookups, wt, wt, wa, s);  // exp x 1/sum
      const double kv_bits = static_cast<double>(rows * hd) * wp;
      array_resources(lr, "K", kv_bits, static_cast<double>(rows * hd) / rf, wp);
      array_resources(lr, "V", kv_bits, static_cast<double>(rows * hd) / rf, wp);
      // hls4ml keeps the whole N x N score matrix of every head.
      array_resources(lr, "scores", static_cast<double>(rows * rows * l.heads) * wp, lookups, wp);
      break;
    }
    case LayerKind::kPool: {
      // io_stream: one accumulator per column; io_parallel: an adder tree of rows - 1 adders.
      const double adders =
          m.io == IoType::kParallel ? static_cast<double>(std::max<std::int64_t>(1, rows - 1)) : 1;
      lr.r.lut += adders * static_cast<double>(n) * wa;
      lr.r.ff += adders * static_cast<double>(n) * wa;
      multipliers(lr, static_cast<double>(n), wa, ww, wa, s);
      break;
    }
    case LayerKind::kFlatten:
      // io_parallel: wires. io_stream: the packed output row in registers.
      if (m.io == IoType::kStream) lr.r.ff += static_cast<double>(l.cols) * wp;
      break;
    case LayerKind::kInput:
      break;
  }
  return lr;
}

OpCounts layer_ops_per_event(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& s) {
  OpCounts o;
  if (l.kind == LayerKind::kInput) return o;
  const LayerDesc& in = input_of(m, l);
  const double rows = static_cast<double>(in.rows), n = static_cast<double>(in.cols);
  const int win = in.precision.width, wp = l.precision.width, wa = l.accum.width;
  const int ww = l.weight.width, wt = l.table.width;
  auto mul = [&](double c, int a, int b) {
    o.mults += c;
    o.mult_j += c * s.mult_j(a, b);
  };
  auto add = [&](double c, int w) {
    o.adds += c;
    o.add_j += c * s.add_j(w);
  };
  switch (l.kind) {
    case LayerKind::kDense:
      mul(rows * n * l.units, win, ww);
      add(rows * n * l.units, wa);
      if (l.strategy == Strategy::kResource) o.table_bits += rows * n * l.units * ww;
      break;
    case LayerKind::kRelu:
      add(rows * n, wp);  // compare
      break;
    case LayerKind::kGelu:
      o.table_bits += rows * n * wt;
      break;
    case LayerKind::kAdd:
      add(rows * n, wp);
      break;
    case LayerKind::kSoftmax:
      add(3 * rows * n, wa);  // max, subtract, sum
      mul(rows * n, wt, wt);
      o.table_bits += rows * (n + 1) * wt;
      break;
    case LayerKind::kLayerNorm:
      add(3 * rows * n, wa);
      mul(3 * rows * n, wa, wa);
      o.table_bits += rows * wt;
      break;
    case LayerKind::kMha: {
      const double hd = static_cast<double>(l.heads * l.head_dim), h = static_cast<double>(l.heads);
      mul(3 * rows * n * hd, win, ww);
      mul(rows * hd * n, wp, ww);
      add(4 * rows * n * hd, wa);
      mul(rows * rows * hd, wp, wp);  // Q.K^T
      mul(rows * rows * hd, wp, wp);  // P.V
      add(2 * rows * rows * hd, wa);
      add(3 * h * rows * rows, wa);  // softmax max, subtract, sum
      mul(h * rows * rows, wt, wt);
      o.table_bits += h * rows * (rows + 1) * wt;
      if (l.strategy == Strategy::kResource) o.table_bits += rows * 4 * n * hd * ww;
      break;
    }
    case LayerKind::kPool:
      add(rows * n, wa);
      mul(n, wa, ww);
      break;
    case LayerKind::kFlatten:  // moves data, no arithmetic
    case LayerKind::kInput:
      break;
  }
  return o;
}

}  // namespace accsim::fpga
