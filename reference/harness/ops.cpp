#include "reference/harness/ops.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "reference/host/reference.h"

namespace accsim::ref {

CaptureSink sink_for(const CaptureSink* sink, int k) {
  CaptureSink s = *sink;
  s.kernel = static_cast<unsigned short>(sink->kernel + k);
  return s;
}

namespace {

const CaptureSink* pick(const CaptureSink* sink, int k, CaptureSink& tmp) {
  if (!sink) return nullptr;
  tmp = sink_for(sink, k);
  return &tmp;
}

std::size_t elems_bytes(std::uint64_t elems, DType t) {
  return static_cast<std::size_t>(elems * dtype_bytes(t));
}

class FlashSdpa final : public OpInstance {
 public:
  FlashSdpa(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    const auto e = elems_bytes(static_cast<std::uint64_t>(c.B * c.H * c.N * c.d), c.dtype);
    add("Q", e, false), add("K", e, false), add("V", e, false), add("O", e, true);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    FlashArgs a;
    a.dtype = c_.dtype;
    a.BH = static_cast<int>(c_.B * c_.H);
    a.N = static_cast<int>(c_.N);
    a.d = static_cast<int>(c_.d);
    a.causal = c_.causal;
    a.Q = buf("Q").get(), a.K = buf("K").get(), a.V = buf("V").get(), a.O = buf("O").get();
    CaptureSink tmp;
    mark(0);
    auto info = launch_flash_fwd(a, s, pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
};

class NaiveSdpa final : public OpInstance {
 public:
  NaiveSdpa(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    const auto bh = static_cast<std::uint64_t>(c.B * c.H);
    const auto e = elems_bytes(bh * c.N * c.d, c.dtype);
    add("Q", e, false), add("K", e, false), add("V", e, false);
    add("S", elems_bytes(bh * c.N * c.N, c.dtype), false);
    add("O", e, true);
  }
  int launch_count() const override { return 3; }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    const int bh = static_cast<int>(c_.B * c_.H), n = static_cast<int>(c_.N);
    const int d = static_cast<int>(c_.d);
    std::vector<LaunchInfo> out;
    CaptureSink tmp;
    GemmArgs qk;
    qk.dtype = c_.dtype;
    qk.M = n, qk.N = n, qk.K = d, qk.batch = bh;
    qk.A = buf("Q").get(), qk.B = buf("K").get(), qk.C = buf("S").get();
    qk.b_nk = true;  // K is [N, d]: S = Q K^T
    qk.alpha = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
    qk.causal = c_.causal;
    mark(0);
    out.push_back(launch_gemm(qk, s, pick(sink, 0, tmp)));
    mark(1);
    out.push_back(launch_softmax(c_.dtype, static_cast<std::int64_t>(bh) * n, n, buf("S").get(),
                                 buf("S").get(), s, pick(sink, 1, tmp)));
    mark(2);
    GemmArgs pv;
    pv.dtype = c_.dtype;
    pv.M = n, pv.N = d, pv.K = n, pv.batch = bh;
    pv.A = buf("S").get(), pv.B = buf("V").get(), pv.C = buf("O").get();
    pv.b_nk = false;  // V is [N, d] = [K, N] of this product
    out.push_back(launch_gemm(pv, s, pick(sink, 2, tmp)));
    mark(3);
    return out;
  }
};

class Decode final : public OpInstance {
 public:
  Decode(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    const auto bh = static_cast<std::uint64_t>(c.B * c.H);
    // About 8 CTAs of 4 warps per SM in flight (H100: 132 SMs, up to 64 warps each).
    splits_ = decode_splits(c, d.sm_count * 8);
    add("q", elems_bytes(bh * c.d, c.dtype), false);
    add("K", elems_bytes(bh * c.L * c.d, c.dtype), false);
    add("V", elems_bytes(bh * c.L * c.d, c.dtype), false);
    add("partials",
        plan::decode_workspace_bytes(static_cast<int>(bh), splits_, static_cast<int>(c.d)), false);
    add("out", elems_bytes(bh * c.d, c.dtype), true);
  }
  int launch_count() const override { return 2; }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    DecodeArgs a;
    a.dtype = c_.dtype;
    a.BH = static_cast<int>(c_.B * c_.H);
    a.L = static_cast<int>(c_.L);
    a.d = static_cast<int>(c_.d);
    a.splits = splits_;
    a.q = buf("q").get(), a.K = buf("K").get(), a.V = buf("V").get();
    a.out = buf("out").get(), a.workspace = buf("partials").get();
    CaptureSink tmp;
    std::vector<LaunchInfo> out;
    mark(0);
    out.push_back(launch_decode(0, a, s, pick(sink, 0, tmp)));
    mark(1);
    out.push_back(launch_decode(1, a, s, pick(sink, 1, tmp)));
    mark(2);
    return out;
  }
  std::string info_json() const override { return fmt::format("\"splits\":{}", splits_); }

 private:
  int splits_ = 1;
};

class Gemm final : public OpInstance {
 public:
  Gemm(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    add("A", elems_bytes(static_cast<std::uint64_t>(c.M * c.K), c.dtype), false);
    add("W", elems_bytes(static_cast<std::uint64_t>(c.N * c.K), c.dtype), false);
    add("C", elems_bytes(static_cast<std::uint64_t>(c.M * c.N), c.dtype), true);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    GemmArgs a;
    a.dtype = c_.dtype;
    a.M = static_cast<int>(c_.M), a.N = static_cast<int>(c_.N), a.K = static_cast<int>(c_.K);
    a.A = buf("A").get(), a.B = buf("W").get(), a.C = buf("C").get();
    a.b_nk = true;
    CaptureSink tmp;
    mark(0);
    auto info = launch_gemm(a, s, pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
};

class Gemv final : public OpInstance {
 public:
  Gemv(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    add("W", elems_bytes(static_cast<std::uint64_t>(c.N * c.K), c.dtype), false);
    add("x", elems_bytes(static_cast<std::uint64_t>(c.K), c.dtype), false);
    add("y", elems_bytes(static_cast<std::uint64_t>(c.N), c.dtype), true);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    CaptureSink tmp;
    mark(0);
    auto info = launch_gemv(c_.dtype, static_cast<int>(c_.N), static_cast<int>(c_.K),
                            buf("W").get(), buf("x").get(), buf("y").get(), s, pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
};

class RowOp final : public OpInstance {
 public:
  RowOp(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    const std::uint64_t n = c.op == Op::kGelu ? static_cast<std::uint64_t>(c.n)
                                              : static_cast<std::uint64_t>(c.rows * c.cols);
    add("x", elems_bytes(n, c.dtype), false);
    if (c.op == Op::kLayernorm) {
      add("gamma", elems_bytes(static_cast<std::uint64_t>(c.cols), c.dtype), false);
      add("beta", elems_bytes(static_cast<std::uint64_t>(c.cols), c.dtype), false);
    }
    add("y", elems_bytes(n, c.dtype), true);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    CaptureSink tmp;
    const CaptureSink* cs = pick(sink, 0, tmp);
    mark(0);
    LaunchInfo info;
    if (c_.op == Op::kSoftmax)
      info = launch_softmax(c_.dtype, c_.rows, c_.cols, buf("x").get(), buf("y").get(), s, cs);
    else if (c_.op == Op::kLayernorm)
      info = launch_layernorm(c_.dtype, c_.rows, c_.cols, buf("x").get(), buf("gamma").get(),
                              buf("beta").get(), 1e-5f, buf("y").get(), s, cs);
    else
      info = launch_gelu(c_.dtype, c_.n, buf("x").get(), buf("y").get(), s, cs);
    mark(1);
    return {info};
  }
};

// y = a + b, one launch; the inputs in kernel-argument order (checks.cpp input_specs).
class Add final : public OpInstance {
 public:
  Add(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    const auto e = elems_bytes(static_cast<std::uint64_t>(c.n), c.dtype);
    add("a", e, false), add("b", e, false), add("y", e, true);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    CaptureSink tmp;
    mark(0);
    auto info = launch_add(c_.dtype, c_.n, buf("a").get(), buf("b").get(), buf("y").get(), s,
                           pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
};

// Pointer chase. The warm-up walk (part of the same launch, untimed by clock64) loads the
// working set into the caches it fits in; past 2^19 nodes it is cut short, since such sets
// (64 MiB at a 128-byte stride) exceed every cache anyway and a full walk would take seconds.
class Chase final : public OpInstance {
 public:
  Chase(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    nodes_ = static_cast<std::uint64_t>(c.bytes / c.stride);
    warm_ = std::min<std::uint64_t>(nodes_, std::uint64_t{1} << 19);
    add("nodes", static_cast<std::size_t>(nodes_ * c.stride), false);
    add("next", static_cast<std::size_t>(nodes_ * 4), false);
    add("result", 3 * sizeof(unsigned long long), true);
  }
  void fill_inputs(std::uint64_t seed, cudaStream_t s) override {
    next_ = random_cycle(static_cast<std::uint32_t>(nodes_), seed);
    cuda_ok(cudaMemcpyAsync(buf("next").get(), next_.data(), next_.size() * 4,
                            cudaMemcpyHostToDevice, s),
            "cudaMemcpy(chase next)");
    build_chase(buf("nodes").get(), buf("next").as<std::uint32_t>(), nodes_,
                static_cast<std::uint64_t>(c_.stride), s);
    cuda_ok(cudaStreamSynchronize(s), "cudaStreamSynchronize(chase build)");
  }
  bool flush_l2() const override { return false; }
  double moved_bytes() const override { return 0; }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    CaptureSink tmp;
    mark(0);
    auto info = launch_chase(buf("nodes").get(), warm_, static_cast<std::uint64_t>(c_.steps),
                             c_.impl == "cg", buf("result").as<unsigned long long>(), s,
                             pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
  CheckResult check(std::uint64_t, const CheckOptions&) override {
    unsigned long long r[3] = {};
    cuda_ok(cudaMemcpy(r, buf("result").get(), sizeof r, cudaMemcpyDeviceToHost),
            "cudaMemcpy(chase result)");
    const std::uint64_t want_node =
        ref_chase(next_, 0, warm_ + static_cast<std::uint64_t>(c_.steps));
    const std::uint64_t want =
        buf("nodes").addr() + want_node * static_cast<std::uint64_t>(c_.stride);
    return check_exact(r[0], want, "the chase's final pointer");
  }
  bool has_readings() const override { return true; }
  int max_reps() const override { return 5; }
  std::vector<std::pair<std::string, double>> readings() override {
    unsigned long long r[3] = {};
    cuda_ok(cudaMemcpy(r, buf("result").get(), sizeof r, cudaMemcpyDeviceToHost),
            "cudaMemcpy(chase result)");
    const double steps = static_cast<double>(c_.steps);
    return {{"cycles_per_load", static_cast<double>(r[1]) / steps},
            {"ns_per_load", static_cast<double>(r[2]) / steps}};
  }
  std::string info_json() const override {
    return fmt::format("\"nodes\":{},\"warm_steps\":{},\"timed_steps\":{}", nodes_, warm_,
                       c_.steps);
  }

 private:
  std::uint64_t nodes_ = 0, warm_ = 0;
  std::vector<std::uint32_t> next_;
};

// Read sweep. Timed runs re-read the working set until about 4 GiB have moved, so that even an
// L1-resident set runs for tens of microseconds; capture runs read it once.
class Bandwidth final : public OpInstance {
 public:
  Bandwidth(const Case& c, const DeviceInfo& d, RunMode m) : OpInstance(c, d, m) {
    words_ = static_cast<std::uint64_t>(c.bytes / 4);
    passes_ = m == RunMode::kCapture
                  ? 1
                  : std::clamp<std::uint64_t>(
                        (std::uint64_t{4} << 30) / static_cast<std::uint64_t>(c.bytes), 1, 1 << 16);
    shape_ = bandwidth_shape(d.sm_count);
    add("data", static_cast<std::size_t>(c.bytes), false);
    add("partial", static_cast<std::size_t>(shape_.grid) * shape_.block * 4, true);
  }
  void fill_inputs(std::uint64_t seed, cudaStream_t s) override {
    seed_ = seed;
    fill_words(buf("data").as<std::uint32_t>(), words_, seed, s);
  }
  bool flush_l2() const override { return false; }
  double moved_bytes() const override {
    return static_cast<double>(c_.bytes) * static_cast<double>(passes_);
  }
  std::vector<LaunchInfo> enqueue(cudaStream_t s, const CaptureSink* sink,
                                  const std::function<void(int)>& mark) override {
    CaptureSink tmp;
    mark(0);
    auto info = launch_bandwidth(buf("data").as<std::uint32_t>(), words_, passes_, c_.impl == "cg",
                                 buf("partial").as<std::uint32_t>(), shape_, s, pick(sink, 0, tmp));
    mark(1);
    return {info};
  }
  CheckResult check(std::uint64_t, const CheckOptions&) override {
    std::vector<std::uint32_t> part(static_cast<std::size_t>(shape_.grid) * shape_.block);
    cuda_ok(cudaMemcpy(part.data(), buf("partial").get(), part.size() * 4, cudaMemcpyDeviceToHost),
            "cudaMemcpy(bandwidth partials)");
    std::uint32_t sum = 0;
    for (auto v : part) sum += v;
    return check_exact(sum, ref_word_sum(seed_, words_, passes_), "the sweep's wrapping sum");
  }
  std::string info_json() const override {
    return fmt::format("\"passes\":{},\"grid\":{},\"block\":{}", passes_, shape_.grid,
                       shape_.block);
  }

 private:
  std::uint64_t words_ = 0, passes_ = 1, seed_ = 0;
  BandwidthLaunch shape_;
};

}  // namespace

DeviceBuffer& OpInstance::add(const std::string& name, std::size_t bytes, bool output) {
  bufs_.push_back(Named{name, DeviceBuffer(bytes, name.c_str()), output});
  return bufs_.back().buf;
}

DeviceBuffer& OpInstance::buf(const std::string& name) {
  for (auto& b : bufs_)
    if (b.name == name) return b.buf;
  throw std::logic_error("no buffer " + name);
}

std::vector<OpTensor> OpInstance::tensors() const {
  std::vector<OpTensor> out;
  for (const auto& b : bufs_) out.push_back(OpTensor{b.name, b.buf.addr(), b.buf.bytes()});
  return out;
}

void OpInstance::fill_inputs(std::uint64_t seed, cudaStream_t s) {
  for (const auto& spec : input_specs(c_, seed))
    fill_random(buf(spec.name).get(), c_.dtype, spec.elems, spec.random, s);
}

void OpInstance::poison(cudaStream_t s) {
  for (auto& b : bufs_)
    if (b.output)
      cuda_ok(cudaMemsetAsync(b.buf.get(), 0xFF, b.buf.bytes(), s), "cudaMemset(poison)");
}

CheckResult OpInstance::check(std::uint64_t seed, const CheckOptions& opt) {
  for (auto& b : bufs_) {
    if (!b.output) continue;
    std::vector<unsigned char> host(b.buf.bytes());
    cuda_ok(cudaMemcpy(host.data(), b.buf.get(), host.size(), cudaMemcpyDeviceToHost),
            "cudaMemcpy(output)");
    return check_output(c_, seed, host.data(), opt);
  }
  throw std::logic_error("case without output");
}

std::unique_ptr<OpInstance> OpInstance::create(const Case& c, const DeviceInfo& dev, RunMode mode) {
  switch (c.op) {
    case Op::kSdpa:
      if (c.impl == "flash") return std::unique_ptr<OpInstance>(new FlashSdpa(c, dev, mode));
      return std::unique_ptr<OpInstance>(new NaiveSdpa(c, dev, mode));
    case Op::kDecode:
      return std::unique_ptr<OpInstance>(new Decode(c, dev, mode));
    case Op::kGemm:
      return std::unique_ptr<OpInstance>(new Gemm(c, dev, mode));
    case Op::kGemv:
      return std::unique_ptr<OpInstance>(new Gemv(c, dev, mode));
    case Op::kSoftmax:
    case Op::kLayernorm:
    case Op::kGelu:
      return std::unique_ptr<OpInstance>(new RowOp(c, dev, mode));
    case Op::kAdd:
      return std::unique_ptr<OpInstance>(new Add(c, dev, mode));
    case Op::kChase:
      return std::unique_ptr<OpInstance>(new Chase(c, dev, mode));
    case Op::kBandwidth:
      return std::unique_ptr<OpInstance>(new Bandwidth(c, dev, mode));
  }
  throw std::logic_error("unknown op");
}

}  // namespace accsim::ref
