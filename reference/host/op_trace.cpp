#include "reference/host/op_trace.h"

#include <fmt/format.h>

#include <stdexcept>

#include "reference/host/json.h"

namespace accsim::ref {
namespace {

std::string dim3_json(const Dim3& d) {
  return fmt::format("[{},{},{}]", d.x, d.y, d.z);
}

const OpTensor& find(const std::vector<OpTensor>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return t;
  throw std::logic_error("op trace: case has no tensor named " + name);
}

OpTensor renamed(const OpTensor& t, std::string name) {
  OpTensor r = t;
  r.name = std::move(name);
  return r;
}

}  // namespace

std::string_view op_trace_dtype(DType t) {
  switch (t) {
    case DType::kF16:
      return "fp16";
    case DType::kBF16:
      return "bf16";
    case DType::kF32:
      return "fp32";
  }
  return "fp16";
}

std::string op_trace_header(const std::string& gpu, const std::string& tool, double sm_clock_mhz) {
  std::string s = R"({"format":"accsim-op-trace","version":1)";
  if (!gpu.empty()) s += ",\"gpu\":" + json_str(gpu);
  if (!tool.empty()) s += ",\"tool\":" + json_str(tool);
  if (sm_clock_mhz > 0) s += ",\"sm_clock_mhz\":" + json_num(sm_clock_mhz);
  return s + "}";
}

std::string op_trace_line(const OpTraceEntry& e) {
  std::string s = "{\"kernel\":" + json_str(e.kernel);
  if (!e.label.empty()) s += ",\"label\":" + json_str(e.label);
  s += ",\"op\":" + json_str(e.op) + ",\"shape\":{";
  for (std::size_t i = 0; i < e.shape.size(); ++i)
    s += fmt::format("{}{}:{}", i ? "," : "", json_str(e.shape[i].first), e.shape[i].second);
  s += "},\"dtype\":" + json_str(op_trace_dtype(e.dtype));
  if (e.op == "sdpa") s += e.causal ? ",\"causal\":true" : ",\"causal\":false";
  s += ",\"tensors\":[";
  for (std::size_t i = 0; i < e.tensors.size(); ++i)
    s += fmt::format("{}{{\"name\":{},\"addr\":\"0x{:x}\",\"bytes\":{}}}", i ? "," : "",
                     json_str(e.tensors[i].name), e.tensors[i].addr, e.tensors[i].bytes);
  s += "],\"grid\":" + dim3_json(e.grid) + ",\"block\":" + dim3_json(e.block) +
       fmt::format(",\"smem\":{}", e.smem);
  if (e.regs > 0) s += fmt::format(",\"regs\":{}", e.regs);
  if (e.time_ns) s += ",\"measured\":{\"time_ns\":" + json_num(*e.time_ns) + "}";
  if (!e.trace_file.empty())
    s += ",\"access_trace\":{\"file\":" + json_str(e.trace_file) +
         fmt::format(",\"kernel\":{}}}", e.trace_kernel);
  return s + "}";
}

std::vector<OpTraceEntry> op_trace_entries(const Case& c, const std::vector<LaunchInfo>& launches,
                                           const std::vector<OpTensor>& ts) {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  const std::uint64_t bh = u(c.B) * u(c.H);
  std::vector<OpTraceEntry> out;
  const auto add = [&](std::size_t k, std::string op,
                       std::vector<std::pair<std::string, std::uint64_t>> shape,
                       std::vector<OpTensor> tensors) {
    if (k >= launches.size()) throw std::logic_error("op trace: fewer launches than expected");
    OpTraceEntry e;
    e.kernel = launches[k].kernel;
    e.op = std::move(op);
    e.shape = std::move(shape);
    e.dtype = c.dtype;
    e.causal = c.causal;
    e.tensors = std::move(tensors);
    e.grid = launches[k].grid;
    e.block = launches[k].block;
    e.smem = launches[k].smem;
    e.regs = launches[k].regs;
    out.push_back(std::move(e));
  };
  switch (c.op) {
    case Op::kSdpa:
      if (c.impl == "flash") {
        add(0, "sdpa", {{"B", u(c.B)}, {"H", u(c.H)}, {"N", u(c.N)}, {"d", u(c.d)}},
            {find(ts, "Q"), find(ts, "K"), find(ts, "V"), find(ts, "O")});
      } else {
        // Naive attention is three launches: S = QK^T/sqrt(d) (masked), P = softmax(S) in
        // place, O = P V.
        const OpTensor& s = find(ts, "S");
        add(0, "gemm", {{"M", u(c.N)}, {"N", u(c.N)}, {"K", u(c.d)}, {"batch", bh}},
            {renamed(find(ts, "Q"), "A"), renamed(find(ts, "K"), "B"), renamed(s, "C")});
        add(1, "softmax", {{"rows", bh * u(c.N)}, {"cols", u(c.N)}},
            {renamed(s, "x"), renamed(s, "y")});
        add(2, "gemm", {{"M", u(c.N)}, {"N", u(c.d)}, {"K", u(c.N)}, {"batch", bh}},
            {renamed(s, "A"), renamed(find(ts, "V"), "B"), renamed(find(ts, "O"), "C")});
      }
      break;
    case Op::kDecode:
      add(0, "sdpa", {{"B", u(c.B)}, {"H", u(c.H)}, {"N", 1}, {"d", u(c.d)}, {"N_kv", u(c.L)}},
          {find(ts, "q"), find(ts, "K"), find(ts, "V"), find(ts, "partials")});
      // The combine step rescales and sums the per-split partials: elementwise work on them.
      add(1, "elementwise", {{"n", bh * u(c.d)}}, {find(ts, "partials"), find(ts, "out")});
      break;
    case Op::kGemm:
      add(0, "gemm", {{"M", u(c.M)}, {"N", u(c.N)}, {"K", u(c.K)}},
          {renamed(find(ts, "A"), "A"), renamed(find(ts, "W"), "B"), renamed(find(ts, "C"), "C")});
      break;
    case Op::kGemv:
      add(0, "gemv", {{"M", u(c.N)}, {"K", u(c.K)}}, {find(ts, "W"), find(ts, "x"), find(ts, "y")});
      break;
    case Op::kSoftmax:
      add(0, "softmax", {{"rows", u(c.rows)}, {"cols", u(c.cols)}}, {find(ts, "x"), find(ts, "y")});
      break;
    case Op::kLayernorm:
      add(0, "layernorm", {{"rows", u(c.rows)}, {"cols", u(c.cols)}},
          {find(ts, "x"), find(ts, "gamma"), find(ts, "beta"), find(ts, "y")});
      break;
    case Op::kGelu:
      add(0, "gelu", {{"n", u(c.n)}}, {find(ts, "x"), find(ts, "y")});
      break;
    case Op::kAdd:
      add(0, "elementwise", {{"n", u(c.n)}}, {find(ts, "a"), find(ts, "b"), find(ts, "y")});
      break;
    case Op::kChase:
    case Op::kBandwidth:
      break;
  }
  return out;
}

std::string access_trace_metadata(const Case& c, const std::vector<LaunchInfo>& launches,
                                  const std::string& tool, const std::string& gpu,
                                  double sm_clock_mhz, std::uint64_t time_origin,
                                  const CaptureStats& st) {
  std::string kernels;
  for (std::size_t j = 0; j < launches.size(); ++j) {
    const auto& l = launches[j];
    kernels += fmt::format(
        R"({}{{"id":{},"name":{},"grid":{},"block":{},"smem":{},{}"params":{{"case":{},"op":{},"shape":{},"dtype":{},"causal":{},"config":{}}}}})",
        j ? "," : "", j, json_str(l.kernel), dim3_json(l.grid), dim3_json(l.block), l.smem,
        l.regs > 0 ? fmt::format("\"regs\":{},", l.regs) : std::string(), json_str(c.id()),
        json_str(op_name(c.op)), c.shapes_json(), json_str(dtype_name(c.dtype)),
        c.causal ? "true" : "false", json_str(l.config));
  }
  std::string s = R"({"timestamp_unit":"ns")";
  if (!tool.empty()) s += ",\"tool\":" + json_str(tool);
  if (!gpu.empty()) s += ",\"gpu\":" + json_str(gpu);
  if (sm_clock_mhz > 0) s += ",\"sm_clock_mhz\":" + json_num(sm_clock_mhz);
  s += fmt::format(R"(,"time_origin":{},"kernels":[{}])", time_origin, kernels);
  s += fmt::format(
      R"(,"capture":{{"timer":"%globaltimer","record":"one per 32-byte sector per warp access; per warp in program order the compute, commit, wait and barrier records of workloads/trace/kernel_mix.h's program points; cta_begin, warp_exit","cta_sample":{},"buffer_records":{},"records":{},"dropped":{},"overflow":{},"structure_ok":{},"seed":{},"check_pass":{}}})",
      st.cta_sample, st.buffer_records, st.records, st.dropped, st.dropped > 0 ? "true" : "false",
      st.structure_ok ? "true" : "false", st.seed, st.check_pass ? "true" : "false");
  return s + "}";
}

}  // namespace accsim::ref
