// The unit kinds: what each firing pops, pushes and computes (fp32), and the depth each derives
// from the spec's operation depths. Timing lives in engine.cpp, prices in account.cpp.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "models/dataflow/dataflow.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

namespace {

// Position within a row of `length` firings, without a division per firing.
class RowPos {
 public:
  explicit RowPos(std::int64_t length) : length_(static_cast<std::uint64_t>(length)) {}
  bool first() const { return pos_ == 0; }
  bool last() const { return pos_ + 1 == length_; }
  void advance() {
    if (++pos_ == length_) pos_ = 0;
  }

 private:
  std::uint64_t length_, pos_ = 0;
};

// Stages of a balanced tree over n inputs.
int tree_levels(int n) {
  return n <= 1 ? 0 : static_cast<int>(std::bit_width(static_cast<unsigned>(n - 1)));
}

int op_depth(const hw::DataflowSpec& s, Op op) {
  switch (op) {
    case Op::kAdd:
    case Op::kSub:
    case Op::kSum:
      return s.depth.add;
    case Op::kMul:
    case Op::kScale:
      return s.depth.mul;
    case Op::kMax:
      return s.depth.cmp;
    case Op::kDiv:
      return s.depth.div;
    case Op::kExp:
      return s.depth.exp;
    case Op::kCopy:
      return 0;
    case Op::kOnlineMax:
      return s.depth.cmp + s.depth.add + s.depth.exp;
  }
  return 0;
}

std::string width_text(const char* port, int w) {
  return std::string("'") + port + "' width " + std::to_string(w);
}

// ---- map -----------------------------------------------------------------------------------

bool is_binary(Op op) {
  return op == Op::kAdd || op == Op::kSub || op == Op::kMul || op == Op::kDiv || op == Op::kMax;
}

class MapUnit final : public Unit {
 public:
  MapUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kMap,
             is_binary(p.op) ? std::vector<PortDecl>{{"a"}, {"b"}} : std::vector<PortDecl>{{"a"}},
             {{"out"}}, ii, p.depth),
        op_(p.op),
        scale_(static_cast<float>(p.scale)) {}

  std::string check_widths() const override {
    int a = in_widths()[0], o = out_widths()[0];
    if (is_binary(op_)) {
      int b = in_widths()[1];
      if (a != b && a != 1 && b != 1)
        return "inputs " + width_text("a", a) + " and " + width_text("b", b) +
               " must be equal or one of them 1 (broadcast)";
      if (o != std::max(a, b))
        return width_text("out", o) + " must be " + std::to_string(std::max(a, b)) +
               " (the wider input)";
    } else if (o != a) {
      return width_text("out", o) + " must equal " + width_text("a", a);
    }
    return {};
  }
  int derived_depth(const hw::DataflowSpec& s) const override { return op_depth(s, op_); }
  FirePlan plan() const override { return {is_binary(op_) ? 3u : 1u, 1u, false}; }

  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int w = out_widths()[0];
    const float* a = in[0];
    float* o = out[0];
    if (!is_binary(op_)) {
      switch (op_) {
        case Op::kExp:
          for (int i = 0; i < w; ++i) o[i] = std::exp(a[i]);
          ops_.exp += static_cast<std::uint64_t>(w);
          break;
        case Op::kScale:
          for (int i = 0; i < w; ++i) o[i] = a[i] * scale_;
          ops_.mul += static_cast<std::uint64_t>(w);
          break;
        default:
          std::memcpy(o, a, sizeof(float) * static_cast<std::size_t>(w));
      }
      return t + depth();
    }
    const float* b = in[1];
    const int sa = in_widths()[0] == 1 ? 0 : 1, sb = in_widths()[1] == 1 ? 0 : 1;
    for (int i = 0; i < w; ++i) {
      float x = a[i * sa], y = b[i * sb];
      switch (op_) {
        case Op::kAdd:
          o[i] = x + y;
          break;
        case Op::kSub:
          o[i] = x - y;
          break;
        case Op::kMul:
          o[i] = x * y;
          break;
        case Op::kDiv:
          o[i] = x / y;
          break;
        default:
          o[i] = std::max(x, y);
      }
    }
    auto n = static_cast<std::uint64_t>(w);
    switch (op_) {
      case Op::kAdd:
      case Op::kSub:
        ops_.add += n;
        break;
      case Op::kMul:
        ops_.mul += n;
        break;
      case Op::kDiv:
        ops_.div += n;
        break;
      default:
        ops_.cmp += n;
    }
    return t + depth();
  }

 private:
  Op op_;
  float scale_;
};

// ---- reduce --------------------------------------------------------------------------------

class ReduceUnit final : public Unit {
 public:
  ReduceUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kReduce, {{"in"}}, {{"out"}}, ii, p.depth),
        op_(p.op),
        row_(p.length) {}

  std::string check_widths() const override {
    if (out_widths()[0] != 1) return width_text("out", out_widths()[0]) + " must be 1";
    return {};
  }
  int derived_depth(const hw::DataflowSpec& s) const override {
    return op_depth(s, op_) * (1 + tree_levels(in_widths()[0]));
  }
  FirePlan plan() const override { return {1u, row_.last() ? 1u : 0u, false}; }
  bool at_boundary() const override { return row_.first(); }

  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int w = in_widths()[0];
    if (row_.first()) acc_ = op_ == Op::kMax ? -std::numeric_limits<float>::infinity() : 0;
    const float* x = in[0];
    if (op_ == Op::kMax) {
      for (int i = 0; i < w; ++i) acc_ = std::max(acc_, x[i]);
      ops_.cmp += static_cast<std::uint64_t>(w);
    } else {
      for (int i = 0; i < w; ++i) acc_ += x[i];
      ops_.add += static_cast<std::uint64_t>(w);
    }
    if (row_.last()) out[0][0] = acc_;
    row_.advance();
    return t + depth();
  }

 private:
  Op op_;
  RowPos row_;
  float acc_ = 0;
};

// ---- scan ----------------------------------------------------------------------------------

class ScanUnit final : public Unit {
 public:
  ScanUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kScan, {{"in"}},
             p.op == Op::kOnlineMax ? std::vector<PortDecl>{{"delta"}, {"c"}}
                                    : std::vector<PortDecl>{{"out"}},
             ii, p.depth),
        op_(p.op),
        row_(p.length) {}

  std::string check_widths() const override {
    int w = in_widths()[0];
    for (std::size_t o = 0; o < outputs().size(); ++o)
      if (out_widths()[o] != w)
        return width_text(outputs()[o].name.c_str(), out_widths()[o]) + " must equal " +
               width_text("in", w);
    return {};
  }
  int derived_depth(const hw::DataflowSpec& s) const override {
    // A prefix network over the lanes, then the op that carries the running value.
    int lanes = tree_levels(in_widths()[0]);
    if (op_ == Op::kOnlineMax) return s.depth.cmp * (1 + lanes) + s.depth.add + s.depth.exp;
    return op_depth(s, op_) * (1 + lanes);
  }
  FirePlan plan() const override { return {1u, op_ == Op::kOnlineMax ? 3u : 1u, false}; }
  bool at_boundary() const override { return row_.first(); }

  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int w = in_widths()[0];
    const auto n = static_cast<std::uint64_t>(w);
    const float* x = in[0];
    const float inf = std::numeric_limits<float>::infinity();
    if (row_.first()) run_ = (op_ == Op::kSum) ? 0.0f : -inf;
    row_.advance();
    if (op_ == Op::kSum) {
      for (int i = 0; i < w; ++i) out[0][i] = run_ += x[i];
      ops_.add += n;
    } else if (op_ == Op::kMax) {
      for (int i = 0; i < w; ++i) out[0][i] = run_ = std::max(run_, x[i]);
      ops_.cmp += n;
    } else {
      // Online softmax (arXiv 2404.16629): m_new = max(m, x); delta = exp(m - m_new) rescales
      // what was accumulated under the old maximum; c = exp(x - m_new) is the new weight.
      float* delta = out[0];
      float* c = out[1];
      for (int i = 0; i < w; ++i) {
        float m_new = std::max(run_, x[i]);
        delta[i] = run_ == -inf ? 0.0f : std::exp(run_ - m_new);
        c[i] = std::exp(x[i] - m_new);
        run_ = m_new;
      }
      ops_.cmp += n;
      ops_.add += 2 * n;
      ops_.exp += 2 * n;
    }
    return t + depth();
  }

 private:
  Op op_;
  RowPos row_;
  float run_ = 0;
};

// ---- dot (QK^T) ----------------------------------------------------------------------------

class DotUnit final : public Unit {
 public:
  DotUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kDot, {{"vec"}, {"mat"}}, {{"out"}}, ii, p.depth),
        row_(p.length),
        scale_(static_cast<float>(p.scale)) {}

  std::string check_widths() const override {
    int v = in_widths()[0], m = in_widths()[1], o = out_widths()[0];
    if (m % v != 0) return width_text("mat", m) + " must be a multiple of " + width_text("vec", v);
    if (o != m / v)
      return width_text("out", o) + " must be " + std::to_string(m / v) +
             " (mat width / vec width: one dot product per matrix row)";
    return {};
  }
  // The scale is applied to the held vector once per row (as FlashAttention pre-scales Q), so
  // the per-element path is a multiplier row and an adder tree.
  int derived_depth(const hw::DataflowSpec& s) const override {
    return s.depth.mul + s.depth.add * tree_levels(in_widths()[0]);
  }
  FirePlan plan() const override { return {row_.first() ? 3u : 2u, 1u, false}; }
  bool at_boundary() const override { return row_.first(); }

  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int d = in_widths()[0], rows = out_widths()[0];
    if (row_.first()) {
      vec_.assign(in[0], in[0] + d);
      tree_.resize(static_cast<std::size_t>(d));
      if (scale_ != 1.0f) {
        for (float& x : vec_) x *= scale_;
        ops_.mul += static_cast<std::uint64_t>(d);
      }
    }
    row_.advance();
    const float* m = in[1];
    const float* v = vec_.data();
    float* p = tree_.data();
    for (int r = 0; r < rows; ++r) {
      const float* mr = m + static_cast<std::ptrdiff_t>(r) * d;
      // A row of multipliers and a balanced adder tree, summed in the tree's order.
      for (int k = 0; k < d; ++k) p[k] = v[k] * mr[k];
      for (int n = d; n > 1;) {
        const int half = (n + 1) / 2;
        for (int k = 0; k < n - half; ++k) p[k] += p[k + half];
        n = half;
      }
      out[0][r] = p[0];
    }
    const auto n = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(d);
    ops_.mul += n;
    ops_.add += n - static_cast<std::uint64_t>(rows);
    return t + depth();
  }

 private:
  RowPos row_;
  float scale_;
  std::vector<float> vec_, tree_;
};

// ---- accumulate (xV, running sums) ---------------------------------------------------------

class AccumulateUnit final : public Unit {
 public:
  AccumulateUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kAccumulate, {{"w"}, {"v", true}, {"delta", true}}, {{"out"}}, ii,
             p.depth),
        row_(p.length) {}

  std::string check_widths() const override {
    int w = in_widths()[0], v = in_widths()[1], dl = in_widths()[2], o = out_widths()[0];
    if (dl != 0 && dl != w) return width_text("delta", dl) + " must equal " + width_text("w", w);
    if (v == 0) {
      if (o != 1) return width_text("out", o) + " must be 1 when 'v' is not connected";
      return {};
    }
    if (v % w != 0) return width_text("v", v) + " must be a multiple of " + width_text("w", w);
    if (o != v / w)
      return width_text("out", o) + " must be " + std::to_string(v / w) +
             " (v width / w width: one vector row per weight)";
    return {};
  }
  int derived_depth(const hw::DataflowSpec& s) const override {
    bool v = in_connected(1), dl = in_connected(2);
    return (v ? s.depth.mul : 0) + s.depth.add * (1 + tree_levels(in_widths()[0])) +
           (dl ? s.depth.mul : 0);
  }
  FirePlan plan() const override {
    if (pop_ == 0) pop_ = 1u | (in_connected(1) ? 2u : 0u) | (in_connected(2) ? 4u : 0u);
    return {pop_, row_.last() ? 1u : 0u, false};
  }
  bool at_boundary() const override { return row_.first(); }

  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int lanes = in_widths()[0], d = out_widths()[0];
    const bool last = row_.last();
    if (row_.first()) acc_.assign(static_cast<std::size_t>(d), 0.0f);
    row_.advance();
    const float* w = in[0];
    const float* v = in_connected(1) ? in[1] : nullptr;
    const float* delta = in_connected(2) ? in[2] : nullptr;
    float* acc = acc_.data();
    for (int l = 0; l < lanes; ++l) {
      const float wl = w[l];
      if (v) {
        const float* vl = v + static_cast<std::ptrdiff_t>(l) * d;
        if (delta) {
          const float dl = delta[l];
          for (int k = 0; k < d; ++k) acc[k] = acc[k] * dl + wl * vl[k];
        } else {
          for (int k = 0; k < d; ++k) acc[k] += wl * vl[k];
        }
      } else {
        acc[0] = (delta ? acc[0] * delta[l] : acc[0]) + wl;
      }
    }
    const auto n = static_cast<std::uint64_t>(lanes) * static_cast<std::uint64_t>(d);
    ops_.add += n;
    if (v) ops_.mul += n;
    if (delta) ops_.mul += n;
    if (last) std::memcpy(out[0], acc, sizeof(float) * static_cast<std::size_t>(d));
    return t + depth();
  }

 private:
  RowPos row_;
  mutable std::uint32_t pop_ = 0;  // input mask, fixed once the graph is connected
  std::vector<float> acc_;
};

// ---- broadcast / repeat --------------------------------------------------------------------

std::vector<PortDecl> numbered(const char* prefix, int n) {
  std::vector<PortDecl> v;
  for (int i = 0; i < n; ++i) v.push_back({prefix + std::to_string(i)});
  return v;
}

class BroadcastUnit final : public Unit {
 public:
  BroadcastUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kBroadcast, {{"in"}}, numbered("out", p.outputs), ii, p.depth),
        mask_(p.outputs >= 32 ? ~0u : (1u << p.outputs) - 1u) {}

  std::string check_widths() const override {
    for (std::size_t o = 0; o < outputs().size(); ++o)
      if (out_widths()[o] != in_widths()[0])
        return width_text(outputs()[o].name.c_str(), out_widths()[o]) + " must equal " +
               width_text("in", in_widths()[0]);
    return {};
  }
  FirePlan plan() const override { return {1u, mask_, false}; }
  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    const int w = in_widths()[0];
    const std::size_t n = outputs().size();
    if (w == 1) {
      for (std::size_t o = 0; o < n; ++o) out[o][0] = in[0][0];
    } else {
      for (std::size_t o = 0; o < n; ++o)
        std::memcpy(out[o], in[0], sizeof(float) * static_cast<std::size_t>(w));
    }
    return t + depth();
  }

 private:
  std::uint32_t mask_;
};

class RepeatUnit final : public Unit {
 public:
  RepeatUnit(const UnitParams& p, int ii)
      : Unit(p.name, UnitKind::kRepeat, {{"in"}}, {{"out"}}, ii, p.depth), row_(p.times) {}

  std::string check_widths() const override {
    if (out_widths()[0] != in_widths()[0])
      return width_text("out", out_widths()[0]) + " must equal " + width_text("in", in_widths()[0]);
    return {};
  }
  FirePlan plan() const override { return {row_.first() ? 1u : 0u, 1u, false}; }
  bool at_boundary() const override { return row_.first(); }
  Cycle fire(Cycle t, const float* const* in, float* const* out) override {
    if (row_.first()) held_.assign(in[0], in[0] + in_widths()[0]);
    row_.advance();
    std::memcpy(out[0], held_.data(), sizeof(float) * held_.size());
    return t + depth();
  }

 private:
  RowPos row_;
  std::vector<float> held_;
};

// ---- memory --------------------------------------------------------------------------------

// Walks blocks x repeat x (rows / rows_per_element) elements of a tensor.
class Pattern {
 public:
  Pattern(const Tensor& t, const UnitParams& p)
      : rpe_(p.rows_per_element), repeat_(p.repeat), rows_(t.rows), blocks_(p.blocks) {
    if (blocks_.empty())
      for (std::int64_t b = 0; b < t.blocks; ++b) blocks_.push_back(b);
    per_block_ = static_cast<std::uint64_t>(repeat_ * (rows_ / rpe_));
    total_ = per_block_ * blocks_.size();
  }
  std::uint64_t total() const { return total_; }
  // Block and first row of the current element; next() moves on (no division per element).
  std::pair<std::int64_t, std::int64_t> at() const { return {blocks_[block_], row_}; }
  void next() {
    if ((row_ += rpe_) < rows_) return;
    row_ = 0;
    if (++rep_ < repeat_) return;
    rep_ = 0;
    ++block_;
  }
  std::int64_t rpe() const { return rpe_; }

 private:
  std::int64_t rpe_, repeat_, rows_;
  std::vector<std::int64_t> blocks_;
  std::uint64_t per_block_ = 0, total_ = 0;
  std::size_t block_ = 0;
  std::int64_t rep_ = 0, row_ = 0;
};

class MemReadUnit final : public Unit {
 public:
  MemReadUnit(const UnitParams& p, int ii, Tensor& t, std::unique_ptr<MemoryPort> port)
      : Unit(p.name, UnitKind::kMemRead, {}, {{"out"}}, ii, p.depth),
        t_(t),
        pat_(t, p),
        port_(std::move(port)) {}

  std::string check_widths() const override {
    auto w = pat_.rpe() * t_.cols;
    if (out_widths()[0] != w)
      return width_text("out", out_widths()[0]) + " must be " + std::to_string(w) +
             " (rows_per_element x columns of tensor '" + t_.name + "')";
    return {};
  }
  FirePlan plan() const override {
    if (count_ == pat_.total()) return {0, 0, true};
    return {0, 1u, false};
  }
  Cycle fire(Cycle t, const float* const*, float* const* out) override {
    auto [b, r] = pat_.at();
    pat_.next();
    ++count_;
    const auto n = static_cast<std::size_t>(pat_.rpe() * t_.cols);
    std::memcpy(out[0], t_.row(b, r), n * sizeof(float));
    return std::max(t + depth(), port_->read(t_.addr(b, r), static_cast<std::uint32_t>(n * 4), t));
  }
  const MemoryPort* memory_port() const override { return port_.get(); }

 private:
  Tensor& t_;
  Pattern pat_;
  std::unique_ptr<MemoryPort> port_;
  std::uint64_t count_ = 0;
};

class MemWriteUnit final : public Unit {
 public:
  MemWriteUnit(const UnitParams& p, int ii, Tensor& t, std::unique_ptr<MemoryPort> port)
      : Unit(p.name, UnitKind::kMemWrite, {{"in"}}, {}, ii, p.depth),
        t_(t),
        pat_(t, p),
        port_(std::move(port)) {}

  std::string check_widths() const override {
    auto w = pat_.rpe() * t_.cols;
    if (in_widths()[0] != w)
      return width_text("in", in_widths()[0]) + " must be " + std::to_string(w) +
             " (rows_per_element x columns of tensor '" + t_.name + "')";
    return {};
  }
  FirePlan plan() const override {
    if (count_ == pat_.total()) return {0, 0, true};
    return {1u, 0, false};
  }
  bool at_boundary() const override { return count_ == pat_.total(); }
  Cycle fire(Cycle t, const float* const* in, float* const*) override {
    auto [b, r] = pat_.at();
    pat_.next();
    ++count_;
    const auto n = static_cast<std::size_t>(pat_.rpe() * t_.cols);
    std::memcpy(t_.row(b, r), in[0], n * sizeof(float));
    return std::max(t + depth(), port_->write(t_.addr(b, r), static_cast<std::uint32_t>(n * 4), t));
  }
  const MemoryPort* memory_port() const override { return port_.get(); }

 private:
  Tensor& t_;
  Pattern pat_;
  std::unique_ptr<MemoryPort> port_;
  std::uint64_t count_ = 0;
};

// ---- test units ----------------------------------------------------------------------------

class SourceUnit final : public Unit {
 public:
  SourceUnit(const std::string& name, std::uint64_t count, int width,
             std::function<void(std::uint64_t, float*)> gen, int ii)
      : Unit(name, UnitKind::kSource, {}, {{"out"}}, ii, 0),
        count_(count),
        width_(width),
        gen_(std::move(gen)) {}
  std::string check_widths() const override {
    if (out_widths()[0] != width_)
      return width_text("out", out_widths()[0]) + " must be " + std::to_string(width_);
    return {};
  }
  FirePlan plan() const override {
    return i_ == count_ ? FirePlan{0, 0, true} : FirePlan{0, 1, false};
  }
  Cycle fire(Cycle t, const float* const*, float* const* out) override {
    gen_(i_++, out[0]);
    return t + depth();
  }

 private:
  std::uint64_t count_, i_ = 0;
  int width_;
  std::function<void(std::uint64_t, float*)> gen_;
};

class SinkUnit final : public Unit {
 public:
  SinkUnit(const std::string& name, std::shared_ptr<SinkRecord> rec, int ii)
      : Unit(name, UnitKind::kSink, {{"in"}}, {}, ii, 0), rec_(std::move(rec)) {}
  std::string check_widths() const override { return {}; }
  FirePlan plan() const override { return {1u, 0, false}; }
  Cycle fire(Cycle t, const float* const* in, float* const*) override {
    rec_->values.insert(rec_->values.end(), in[0], in[0] + in_widths()[0]);
    rec_->receive_at.push_back(t);
    return t;
  }

 private:
  std::shared_ptr<SinkRecord> rec_;
};

}  // namespace

// ---- Unit ----------------------------------------------------------------------------------

Unit::Unit(std::string name, UnitKind kind, std::vector<PortDecl> inputs,
           std::vector<PortDecl> outputs, int ii, int depth)
    : in_ch(inputs.size(), -1),
      out_ch(outputs.size(), -1),
      name_(std::move(name)),
      kind_(kind),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)),
      in_w_(inputs_.size(), 0),
      out_w_(outputs_.size(), 0),
      ii_(ii),
      depth_(depth) {
  if (inputs_.size() > 32 || outputs_.size() > 32)
    throw Error(ExitCode::kInternal, "unit '" + name_ + "': more than 32 ports");
  if (ii_ < 1) throw Error(ExitCode::kInternal, "unit '" + name_ + "': II must be >= 1");
}

int Unit::input_index(std::string_view port) const {
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].name == port) return static_cast<int>(i);
  return -1;
}
int Unit::output_index(std::string_view port) const {
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i].name == port) return static_cast<int>(i);
  return -1;
}

std::string_view kind_name(UnitKind k) {
  switch (k) {
    case UnitKind::kMap:
      return "map";
    case UnitKind::kReduce:
      return "reduce";
    case UnitKind::kScan:
      return "scan";
    case UnitKind::kDot:
      return "dot";
    case UnitKind::kAccumulate:
      return "accumulate";
    case UnitKind::kBroadcast:
      return "broadcast";
    case UnitKind::kRepeat:
      return "repeat";
    case UnitKind::kMemRead:
      return "mem_read";
    case UnitKind::kMemWrite:
      return "mem_write";
    case UnitKind::kSource:
      return "source";
    case UnitKind::kSink:
      return "sink";
  }
  return "?";
}

std::vector<std::string> kind_names() {
  return {"map",       "reduce", "scan",     "dot",      "accumulate",
          "broadcast", "repeat", "mem_read", "mem_write"};
}

std::string_view op_name(Op o) {
  switch (o) {
    case Op::kAdd:
      return "add";
    case Op::kSub:
      return "sub";
    case Op::kMul:
      return "mul";
    case Op::kDiv:
      return "div";
    case Op::kMax:
      return "max";
    case Op::kExp:
      return "exp";
    case Op::kScale:
      return "scale";
    case Op::kCopy:
      return "copy";
    case Op::kSum:
      return "sum";
    case Op::kOnlineMax:
      return "online_max";
  }
  return "?";
}

std::unique_ptr<Unit> make_unit(const UnitParams& p, const hw::DataflowSpec& spec,
                                TensorStore* store, std::unique_ptr<MemoryPort> port) {
  const int ii = p.ii > 0 ? p.ii : spec.ii;
  auto bad = [&](const std::string& why) {
    return Error(ExitCode::kInternal, "unit '" + p.name + "': " + why);
  };
  if (p.length < 1) throw bad("length must be >= 1");
  if (p.times < 1) throw bad("times must be >= 1");
  switch (p.kind) {
    case UnitKind::kMap:
      if (p.op == Op::kSum || p.op == Op::kOnlineMax) throw bad("not a map op");
      return std::make_unique<MapUnit>(p, ii);
    case UnitKind::kReduce:
      if (p.op != Op::kMax && p.op != Op::kSum) throw bad("reduce op must be max or sum");
      return std::make_unique<ReduceUnit>(p, ii);
    case UnitKind::kScan:
      if (p.op != Op::kMax && p.op != Op::kSum && p.op != Op::kOnlineMax)
        throw bad("scan op must be max, sum or online_max");
      return std::make_unique<ScanUnit>(p, ii);
    case UnitKind::kDot:
      return std::make_unique<DotUnit>(p, ii);
    case UnitKind::kAccumulate:
      return std::make_unique<AccumulateUnit>(p, ii);
    case UnitKind::kBroadcast:
      if (p.outputs < 1 || p.outputs > 32) throw bad("outputs must be 1..32");
      return std::make_unique<BroadcastUnit>(p, ii);
    case UnitKind::kRepeat:
      return std::make_unique<RepeatUnit>(p, ii);
    case UnitKind::kMemRead:
    case UnitKind::kMemWrite: {
      if (!store) throw bad("memory unit without a tensor store");
      Tensor* t = store->find(p.tensor);
      if (!t) throw bad("no tensor '" + p.tensor + "'");
      if (p.rows_per_element < 1 || t->rows % p.rows_per_element != 0)
        throw bad("rows_per_element must divide the rows of '" + p.tensor + "'");
      if (p.repeat < 1) throw bad("repeat must be >= 1");
      for (auto b : p.blocks)
        if (b < 0 || b >= t->blocks) throw bad("block " + std::to_string(b) + " out of range");
      if (!port)
        port = std::make_unique<IdealMemoryPort>(spec.mem_bytes_per_cycle(), spec.memory.latency);
      UnitParams q = p;
      if (q.depth < 0) q.depth = 0;  // the memory's latency comes from the port
      if (p.kind == UnitKind::kMemRead)
        return std::make_unique<MemReadUnit>(q, ii, *t, std::move(port));
      return std::make_unique<MemWriteUnit>(q, ii, *t, std::move(port));
    }
    case UnitKind::kSource:
    case UnitKind::kSink:
      throw bad("sources and sinks are built with make_source/make_sink");
  }
  throw bad("unknown kind");
}

std::unique_ptr<Unit> make_source(const std::string& name, std::uint64_t count, int width,
                                  std::function<void(std::uint64_t, float*)> gen, int ii) {
  return std::make_unique<SourceUnit>(name, count, width, std::move(gen), ii);
}

std::unique_ptr<Unit> make_sink(const std::string& name, std::shared_ptr<SinkRecord> record,
                                int ii) {
  return std::make_unique<SinkUnit>(name, std::move(record), ii);
}

}  // namespace accsim::dataflow
