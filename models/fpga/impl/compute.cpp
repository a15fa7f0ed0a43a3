#include "models/fpga/impl/compute.h"

#include <algorithm>
#include <cmath>

#include "sim/core/random.h"

namespace accsim::fpga {

namespace {
double uniform(SplitMix64& g) {  // [-1, 1)
  return static_cast<double>(g.next() >> 11) * 0x1.0p-52 - 1.0;
}
}  // namespace

std::vector<double> input_event(const ModelDesc& m, std::int64_t event) {
  const LayerDesc& in = m.layers.front();
  SplitMix64 s{m.seed * 0x100000001B3ULL + 0xE7E7ULL + static_cast<std::uint64_t>(event)};
  s.next();
  std::vector<double> v(static_cast<std::size_t>(in.rows * in.cols));
  for (auto& x : v) x = in.precision.quantize(uniform(s));
  return v;
}

std::vector<double> layer_weights(const ModelDesc& m, int layer_index, std::int64_t count,
                                  const FixedType& t, double fan_in) {
  SplitMix64 s{m.seed * 0x9E3779B1ULL + 0x5EEDULL * static_cast<std::uint64_t>(layer_index + 1)};
  s.next();
  const double a = 1.0 / std::sqrt(std::max(1.0, fan_in));
  std::vector<double> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = t.quantize(a * uniform(s));
  return v;
}

namespace detail {

LayerCompute::LayerCompute(const ModelDesc& m, int idx)
    : l_(&m.layers[static_cast<std::size_t>(idx)]) {
  const LayerDesc& l = *l_;
  if (l.kind == LayerKind::kInput) return;
  const LayerDesc& in = m.layers[static_cast<std::size_t>(m.index_of(l.inputs[0]))];
  in_rows_ = in.rows;
  in_cols_ = in.cols;
  const std::int64_t n = in_cols_, ts = l.table_size;
  // Values are computed in host memory; refuse what would not fit rather than crash.
  const std::int64_t params = l.kind == LayerKind::kMha
                                  ? 4 * n * l.heads * l.head_dim
                                  : (l.kind == LayerKind::kDense ? n * l.units : 0);
  if (params > (std::int64_t{1} << 26) || in_rows_ * std::max(n, l.cols) > (std::int64_t{1} << 26))
    throw config_error(l.where, "layer '" + l.name +
                                    "' is too large to compute its values on the host; set "
                                    "stream.compute_values: false for a timing-only run");
  switch (l.kind) {
    case LayerKind::kDense:
      w_ = layer_weights(m, idx, n * l.units + l.units, l.weight, static_cast<double>(n));
      break;
    case LayerKind::kMha: {
      const std::int64_t hd = l.heads * l.head_dim;
      w_ = layer_weights(m, idx, 4 * n * hd + 3 * hd + n, l.weight, static_cast<double>(n));
      break;
    }
    case LayerKind::kLayerNorm: {
      // gamma = 1 + u/10, beta = u/10 (u uniform in [-1, 1)).
      w_ = layer_weights(m, idx, 2 * n, l.weight, 100.0);
      for (std::int64_t i = 0; i < n; ++i)
        w_[static_cast<std::size_t>(i)] = l.weight.quantize(1.0 + w_[static_cast<std::size_t>(i)]);
      break;
    }
    default:
      break;
  }
  // Softmax (alone or inside mha): exp table over [-range, 0] (left edges, so exp(0) = 1 is
  // exact), inverse table over [0, rows or cols] (bin centres). See README.md "Softmax".
  if (l.kind == LayerKind::kSoftmax || l.kind == LayerKind::kMha) {
    const std::int64_t len = l.kind == LayerKind::kMha ? in_rows_ : n;
    exp_step_ = l.table_range / static_cast<double>(ts);
    inv_step_ = static_cast<double>(len) / static_cast<double>(ts);
    exp_table_.resize(static_cast<std::size_t>(ts));
    inv_table_.resize(static_cast<std::size_t>(ts));
    for (std::int64_t k = 0; k < ts; ++k) {
      exp_table_[static_cast<std::size_t>(k)] = l.table.quantize(std::exp(-exp_step_ * k));
      inv_table_[static_cast<std::size_t>(k)] =
          l.table.quantize(1.0 / ((static_cast<double>(k) + 0.5) * inv_step_));
    }
  }
  if (l.kind == LayerKind::kGelu) {
    table_lo_ = -l.table_range;
    table_step_ = 2 * l.table_range / static_cast<double>(ts);
    table_.resize(static_cast<std::size_t>(ts));
    for (std::int64_t k = 0; k < ts; ++k) {
      const double x = table_lo_ + table_step_ * static_cast<double>(k);
      table_[static_cast<std::size_t>(k)] =
          l.table.quantize(0.5 * x * (1 + std::erf(x / std::sqrt(2.0))));
    }
  }
  if (l.kind == LayerKind::kLayerNorm) {  // 1/sqrt(var + 1e-3) over var in [0, range)
    table_step_ = l.table_range / static_cast<double>(ts);
    table_.resize(static_cast<std::size_t>(ts));
    for (std::int64_t k = 0; k < ts; ++k)
      table_[static_cast<std::size_t>(k)] =
          l.table.quantize(1.0 / std::sqrt((static_cast<double>(k) + 0.5) * table_step_ + 1e-3));
  }
}

namespace {
std::int64_t table_index(double v, double step, std::int64_t size) {
  double k = std::floor(v / step);
  if (!(k >= 0)) return 0;
  return static_cast<std::int64_t>(std::min(k, static_cast<double>(size - 1)));
}
}  // namespace

void LayerCompute::dense_row(const double* x, std::int64_t n_in, std::int64_t n_out,
                             const double* w, const double* b, const FixedType& out_t,
                             double* out) const {
  // hls4ml dense: acc = bias; acc += (accum_t)(x_i * w_ij) for i in order; res = (res_t)acc.
  const Quantizer qa(l_->accum), qo(out_t);
  for (std::int64_t j = 0; j < n_out; ++j) {
    double acc = qa(b[j]);
    for (std::int64_t i = 0; i < n_in; ++i) acc = qa(acc + qa(x[i] * w[i * n_out + j]));
    out[j] = qo(acc);
  }
}

void LayerCompute::softmax_row(const double* x, std::int64_t n, const FixedType& out_t,
                               double* out) const {
  const FixedType& acc_t = l_->accum;
  const std::int64_t ts = l_->table_size;
  double mx = x[0];
  for (std::int64_t i = 1; i < n; ++i) mx = std::max(mx, x[i]);
  std::vector<double> e(static_cast<std::size_t>(n));
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = acc_t.quantize(mx - x[i]);  // >= 0
    e[static_cast<std::size_t>(i)] =
        exp_table_[static_cast<std::size_t>(table_index(d, exp_step_, ts))];
    sum = acc_t.quantize(sum + e[static_cast<std::size_t>(i)]);
  }
  const double inv = inv_table_[static_cast<std::size_t>(table_index(sum, inv_step_, ts))];
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = out_t.quantize(e[static_cast<std::size_t>(i)] * inv);
}

void LayerCompute::row(const double* a, const double* b, double* out) const {
  const LayerDesc& l = *l_;
  const std::int64_t n = in_cols_;
  const FixedType& p = l.precision;
  switch (l.kind) {
    case LayerKind::kDense:
      dense_row(a, n, l.units, w_.data(), w_.data() + n * l.units, p, out);
      return;
    case LayerKind::kRelu:
      for (std::int64_t i = 0; i < n; ++i) out[i] = p.quantize(std::max(0.0, a[i]));
      return;
    case LayerKind::kGelu:
      for (std::int64_t i = 0; i < n; ++i)
        out[i] = p.quantize(table_[static_cast<std::size_t>(
            table_index(a[i] - table_lo_, table_step_, l.table_size))]);
      return;
    case LayerKind::kAdd:
      for (std::int64_t i = 0; i < n; ++i) out[i] = p.quantize(a[i] + b[i]);
      return;
    case LayerKind::kSoftmax:
      softmax_row(a, n, p, out);
      return;
    case LayerKind::kLayerNorm: {
      const FixedType& acc = l.accum;
      const double inv_n = l.weight.quantize(1.0 / static_cast<double>(n));
      double sum = 0;
      for (std::int64_t i = 0; i < n; ++i) sum = acc.quantize(sum + a[i]);
      const double mean = acc.quantize(sum * inv_n);
      std::vector<double> d(static_cast<std::size_t>(n));
      double sq = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        d[static_cast<std::size_t>(i)] = acc.quantize(a[i] - mean);
        sq = acc.quantize(
            sq + acc.quantize(d[static_cast<std::size_t>(i)] * d[static_cast<std::size_t>(i)]));
      }
      const double var = acc.quantize(sq * inv_n);
      const double inv =
          table_[static_cast<std::size_t>(table_index(var, table_step_, l.table_size))];
      for (std::int64_t i = 0; i < n; ++i) {
        const double y = acc.quantize(d[static_cast<std::size_t>(i)] * inv);
        out[i] = p.quantize(acc.quantize(y * w_[static_cast<std::size_t>(i)]) +
                            w_[static_cast<std::size_t>(n + i)]);
      }
      return;
    }
    default:
      return;  // buffering kinds go through tensor()
  }
}

void LayerCompute::tensor(const std::vector<double>& a, const std::vector<double>* b,
                          std::vector<double>& out) const {
  const LayerDesc& l = *l_;
  const std::int64_t rows = in_rows_, n = in_cols_;
  out.assign(static_cast<std::size_t>(l.rows * l.cols), 0.0);
  if (l.kind == LayerKind::kFlatten) {  // same values, row-major, under the new shape
    std::copy(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(out.size()), out.begin());
    return;
  }
  if (l.kind == LayerKind::kPool) {
    const FixedType& acc = l.accum;
    const double inv_rows = l.weight.quantize(1.0 / static_cast<double>(rows));
    for (std::int64_t c = 0; c < n; ++c) {
      double s = 0;
      for (std::int64_t r = 0; r < rows; ++r)
        s = acc.quantize(s + a[static_cast<std::size_t>(r * n + c)]);
      out[static_cast<std::size_t>(c)] = l.precision.quantize(acc.quantize(s * inv_rows));
    }
    return;
  }
  if (l.kind != LayerKind::kMha) {
    for (std::int64_t r = 0; r < rows; ++r)
      row(a.data() + r * n, b ? b->data() + r * n : nullptr, out.data() + r * l.cols);
    return;
  }
  // Multi-head self-attention. Weights: Wq, Wk, Wv (n x hd each), bq, bk, bv (hd), Wo (hd x n),
  // bo (n). Q, K, V and the head outputs are quantized to the layer precision; the scale
  // 1/sqrt(head_dim) is a constant of the weight precision applied to each score.
  const std::int64_t h = l.heads, dh = l.head_dim, hd = h * dh;
  const double* wq = w_.data();
  const double* wk = wq + n * hd;
  const double* wv = wk + n * hd;
  const double* bq = wv + n * hd;
  const double* bk = bq + hd;
  const double* bv = bk + hd;
  const double* wo = bv + hd;
  const double* bo = wo + hd * n;
  const FixedType& p = l.precision;
  const Quantizer acc(l.accum);
  std::vector<double> q(static_cast<std::size_t>(rows * hd)), k(q.size()), v(q.size()), o(q.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    dense_row(a.data() + r * n, n, hd, wq, bq, p, q.data() + r * hd);
    dense_row(a.data() + r * n, n, hd, wk, bk, p, k.data() + r * hd);
    dense_row(a.data() + r * n, n, hd, wv, bv, p, v.data() + r * hd);
  }
  const double scale = l.weight.quantize(1.0 / std::sqrt(static_cast<double>(dh)));
  std::vector<double> s(static_cast<std::size_t>(rows)), prob(s.size());
  for (std::int64_t head = 0; head < h; ++head)
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < rows; ++c) {
        double dot = 0;
        for (std::int64_t j = 0; j < dh; ++j)
          dot = acc(dot + acc(q[static_cast<std::size_t>(r * hd + head * dh + j)] *
                              k[static_cast<std::size_t>(c * hd + head * dh + j)]));
        s[static_cast<std::size_t>(c)] = acc(dot * scale);
      }
      softmax_row(s.data(), rows, p, prob.data());  // hls4ml: QK[N][N] is data_T
      for (std::int64_t j = 0; j < dh; ++j) {
        double sum = 0;
        for (std::int64_t c = 0; c < rows; ++c)
          sum = acc(sum + acc(prob[static_cast<std::size_t>(c)] *
                              v[static_cast<std::size_t>(c * hd + head * dh + j)]));
        o[static_cast<std::size_t>(r * hd + head * dh + j)] = p.quantize(sum);
      }
    }
  for (std::int64_t r = 0; r < rows; ++r)
    dense_row(o.data() + r * hd, hd, n, wo, bo, p, out.data() + r * n);
}

}  // namespace detail
}  // namespace accsim::fpga
