// accsim_ref: runs the reference kernels' checks, timings, trace captures and ncu passes.
// See reference/README.md.
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "reference/harness/device.h"
#include "reference/harness/ops.h"
#include "reference/host/capture_order.h"
#include "reference/host/cli.h"
#include "reference/host/json.h"
#include "reference/host/mix_table.h"
#include "reference/host/stats.h"
#include "reference/host/step_plan.h"
#include "workloads/trace/access_trace_format.h"

namespace accsim::ref {
namespace {

namespace wl = accsim::workloads;
using Clock = std::chrono::steady_clock;

constexpr const char* kTool = "accsim-ref 0.1";

// The device record and the trace format's record must be the same 32 bytes.
static_assert(sizeof(wl::AccessRecord) == 32);
static_assert(offsetof(wl::AccessRecord, timestamp) == 8 && offsetof(wl::AccessRecord, cta) == 16 &&
              offsetof(wl::AccessRecord, size) == 20 && offsetof(wl::AccessRecord, sm) == 24 &&
              offsetof(wl::AccessRecord, warp) == 26 && offsetof(wl::AccessRecord, kernel) == 28 &&
              offsetof(wl::AccessRecord, kind) == 30 && offsetof(wl::AccessRecord, flags) == 31);

class Output {
 public:
  explicit Output(const std::string& path) {
    if (path.empty()) return;
    if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
      std::filesystem::create_directories(dir);
    f_.open(path, std::ios::trunc);
    if (!f_) throw std::runtime_error("cannot write " + path);
  }
  void line(const std::string& s) {
    if (f_.is_open()) {
      f_ << s << '\n';
      f_.flush();  // a run cut short by its time limit keeps every finished case
    }
  }

 private:
  std::ofstream f_;
};

std::string summary_json(const Summary& s) {
  return fmt::format(
      R"({{"n":{},"min":{},"p10":{},"median":{},"p90":{},"max":{},"mean":{},"stdev":{}}})", s.n,
      json_num(s.min), json_num(s.p10), json_num(s.median), json_num(s.p90), json_num(s.max),
      json_num(s.mean), json_num(s.stdev));
}

std::string dim_json(const Dim3& d) {
  return fmt::format("[{},{},{}]", d.x, d.y, d.z);
}

std::string tags_json(const Case& c) {
  std::string s = "[";
  for (std::size_t i = 0; i < c.tags.size(); ++i) s += (i ? "," : "") + json_str(c.tags[i]);
  return s + "]";
}

std::string case_head_json(const Case& c) {
  return fmt::format(R"("case":{},"op":{},"impl":{},"dtype":{},"shape":{},"causal":{},"tags":{})",
                     json_str(c.id()), json_str(op_name(c.op)), json_str(c.impl),
                     json_str(dtype_name(c.dtype)), c.shapes_json(), c.causal ? "true" : "false",
                     tags_json(c));
}

// A per-case seed: distinct cases see distinct inputs even under one run seed.
std::uint64_t case_seed(std::uint64_t run_seed, const Case& c) {
  const std::string id = c.id();
  return mix64(run_seed ^ wl::fnv1a64(id.data(), id.size()));
}

// After a failure the context may be unusable (an illegal address poisons it for good); then
// there is no point in trying the next case.
void require_healthy_context() {
  const cudaError_t e = cudaDeviceSynchronize();
  if (e != cudaSuccess)
    throw CudaError(fmt::format("the CUDA context is broken after the previous error: {} ({})",
                                cudaGetErrorName(e), cudaGetErrorString(e)));
  cudaGetLastError();
}

struct Runner {
  Options opt;
  std::vector<Case> cases;
  DeviceInfo dev;
  std::uint64_t seed = 0;
  Clock::time_point start = Clock::now();
  int failed = 0, errors = 0, skipped = 0;

  bool past_deadline() const {
    return opt.deadline_s > 0 &&
           std::chrono::duration<double>(Clock::now() - start).count() > opt.deadline_s;
  }
  void say(const std::string& s) const {
    if (!opt.quiet) fmt::print("{}\n", s);
    std::fflush(stdout);
  }

  // Runs `body` for each case, isolating failures: a case that throws is reported and the run
  // goes on, unless the CUDA context itself is broken.
  template <class F>
  void each(F&& body) {
    for (const auto& c : cases) {
      if (past_deadline()) {
        ++skipped;
        fmt::print("SKIP  {}  (deadline of {} s reached)\n", c.id(), opt.deadline_s);
        continue;
      }
      try {
        body(c);
      } catch (const CudaError& e) {
        ++errors;
        fmt::print("ERROR {}  {}\n", c.id(), e.what());
        require_healthy_context();
      } catch (const std::runtime_error& e) {  // includes std::invalid_argument from launchers
        ++errors;
        fmt::print("ERROR {}  {}\n", c.id(), e.what());
        require_healthy_context();
      } catch (const std::logic_error& e) {
        ++errors;
        fmt::print("ERROR {}  {}\n", c.id(), e.what());
        require_healthy_context();
      }
    }
  }
  int finish(const char* what) const {
    fmt::print("{}: {} cases, {} failed, {} could not run, {} skipped (seed {})\n", what,
               cases.size(), failed, errors, skipped, seed);
    return failed + errors > 0 ? static_cast<int>(Exit::kFailed) : static_cast<int>(Exit::kOk);
  }
};

int cmd_list(const Options& o, const std::vector<Case>& cases) {
  fmt::print("{:<48} {:>10} {:>12} {:>10}  {}\n", "case", "GFLOP", "min MB", "outputs", "tags");
  for (const auto& c : cases) {
    std::string tags;
    for (const auto& t : c.tags) tags += (tags.empty() ? "" : "+") + t;
    fmt::print("{:<48} {:>10.3f} {:>12.3f} {:>10}  {}\n", c.id(), c.flops() / 1e9,
               c.min_bytes() / 1e6, c.output_elems(), tags);
  }
  fmt::print("{} cases\n", cases.size());
  (void)o;
  return 0;
}

int cmd_info(Runner& r) {
  const std::string j = r.dev.to_json();
  if (r.opt.out.empty()) {
    fmt::print("{}\n", j);
  } else {
    Output out(r.opt.out);
    out.line(j);
    fmt::print("wrote {}\n", r.opt.out);
  }
  return 0;
}

int cmd_check(Runner& r) {
  Output out(r.opt.out);
  Stream stream;
  CheckOptions copt;
  copt.mac_budget = r.opt.mac_budget;
  copt.threads = r.opt.threads;
  r.each([&](const Case& c) {
    auto inst = OpInstance::create(c, r.dev, RunMode::kTiming);
    const std::uint64_t s = case_seed(r.seed, c);
    inst->fill_inputs(s, stream.get());
    inst->poison(stream.get());
    inst->enqueue(stream.get(), nullptr, [](int) {});
    stream.sync();
    const CheckResult res = inst->check(s, copt);
    if (res.pass) {
      r.say(fmt::format("PASS  {}  {}", c.id(), res.detail));
    } else {
      ++r.failed;
      fmt::print("FAIL  {}  {}\n", c.id(), res.detail);
    }
    out.line(fmt::format(
        R"({{{},"seed":{},"pass":{},"rel_l2":{},"max_err_rel":{},"tol":{},"compared":{},"total":{},"nonfinite":{},"detail":{}}})",
        case_head_json(c), s, res.pass ? "true" : "false", json_num(res.rel_l2),
        json_num(res.max_err_rel), json_num(res.tol), res.compared, res.total, res.nonfinite,
        json_str(res.detail)));
  });
  return r.finish("check");
}

int cmd_time(Runner& r) {
  Output out(r.opt.out);
  Output ops(r.opt.optrace);
  ops.line(op_trace_header(r.dev.name, kTool, r.dev.sm_clock_measured_mhz));
  Stream stream;
  // Writing twice the L2 capacity evicts every line the previous repetition left behind
  // (the flush is outside the timed events).
  DeviceBuffer flush(static_cast<std::size_t>(2 * r.dev.l2_bytes), "L2 flush buffer");
  r.each([&](const Case& c) {
    auto inst = OpInstance::create(c, r.dev, RunMode::kTiming);
    const std::uint64_t s = case_seed(r.seed, c);
    inst->fill_inputs(s, stream.get());
    const bool flush_l2 = r.opt.flush && inst->flush_l2();
    const int reps = std::min(r.opt.reps, inst->max_reps());
    const int k = inst->launch_count();
    std::vector<LaunchInfo> launches;
    for (int w = 0; w < r.opt.warmup; ++w) {
      if (flush_l2)
        cuda_ok(cudaMemsetAsync(flush.get(), w & 0xFF, flush.bytes(), stream.get()), "flush");
      launches = inst->enqueue(stream.get(), nullptr, [](int) {});
    }
    std::vector<cudaEvent_t> ev(static_cast<std::size_t>(reps) * (k + 1));
    for (auto& e : ev) cuda_ok(cudaEventCreate(&e), "cudaEventCreate");
    std::vector<std::vector<std::pair<std::string, double>>> readings;
    try {
      for (int rep = 0; rep < reps; ++rep) {
        if (flush_l2)
          cuda_ok(cudaMemsetAsync(flush.get(), rep & 0xFF, flush.bytes(), stream.get()), "flush");
        launches = inst->enqueue(stream.get(), nullptr, [&](int m) {
          cuda_ok(cudaEventRecord(ev[static_cast<std::size_t>(rep) * (k + 1) + m], stream.get()),
                  "cudaEventRecord");
        });
        if (inst->has_readings()) {
          stream.sync();
          readings.push_back(inst->readings());
        }
      }
      stream.sync();
    } catch (...) {
      for (auto& e : ev) cudaEventDestroy(e);
      throw;
    }
    std::vector<double> total;
    std::vector<std::vector<double>> per(static_cast<std::size_t>(k));
    for (int rep = 0; rep < reps; ++rep) {
      const cudaEvent_t* e = &ev[static_cast<std::size_t>(rep) * (k + 1)];
      float ms = 0;
      cuda_ok(cudaEventElapsedTime(&ms, e[0], e[k]), "cudaEventElapsedTime");
      total.push_back(ms * 1e3);
      for (int j = 0; j < k; ++j) {
        cuda_ok(cudaEventElapsedTime(&ms, e[j], e[j + 1]), "cudaEventElapsedTime");
        per[static_cast<std::size_t>(j)].push_back(ms * 1e3);
      }
    }
    for (auto& e : ev) cudaEventDestroy(e);

    const Summary t = summarize(total);
    std::string kernels;
    for (int j = 0; j < k; ++j) {
      const auto& l = launches[static_cast<std::size_t>(j)];
      kernels += fmt::format(
          R"({}{{"index":{},"name":{},"config":{},"grid":{},"block":{},"smem":{},"time_us":{}}})",
          j ? "," : "", j, json_str(l.kernel), json_str(l.config), dim_json(l.grid),
          dim_json(l.block), l.smem, summary_json(summarize(per[static_cast<std::size_t>(j)])));
    }
    std::string read_json;
    if (!readings.empty()) {
      for (std::size_t q = 0; q < readings.front().size(); ++q) {
        std::vector<double> v;
        for (const auto& rr : readings) v.push_back(rr[q].second);
        read_json += fmt::format("{}{}:{}", q ? "," : "", json_str(readings.front()[q].first),
                                 summary_json(summarize(v)));
      }
    }
    const double secs = t.median * 1e-6;
    const double tflops = c.flops() > 0 && secs > 0 ? c.flops() / secs / 1e12 : 0;
    const double gbps = inst->moved_bytes() > 0 && secs > 0 ? inst->moved_bytes() / secs / 1e9 : 0;
    out.line(fmt::format(
        R"({{{},"seed":{},"reps":{},"warmup":{},"l2_flush":{},"flops":{},"min_bytes":{},"moved_bytes":{},"time_us":{},"tflops":{},"gbps":{},"kernels":[{}],"info":{{{}}},"readings":{{{}}}}})",
        case_head_json(c), s, reps, r.opt.warmup, flush_l2 ? "true" : "false", json_num(c.flops()),
        json_num(c.min_bytes()), json_num(inst->moved_bytes()), summary_json(t), json_num(tflops),
        json_num(gbps), kernels, inst->info_json(), read_json));
    auto entries = op_trace_entries(c, launches, inst->tensors());
    for (std::size_t j = 0; j < entries.size(); ++j) {
      entries[j].time_ns = summarize(per[j]).median * 1e3;
      ops.line(op_trace_line(entries[j]));
    }
    std::string extra;
    if (tflops > 0) extra += fmt::format("  {:.1f} TFLOP/s", tflops);
    if (gbps > 0) extra += fmt::format("  {:.0f} GB/s", gbps);
    if (!readings.empty())
      extra += fmt::format("  {:.1f} cycles/load", summarize([&] {
                                                     std::vector<double> v;
                                                     for (const auto& rr : readings)
                                                       v.push_back(rr[0].second);
                                                     return v;
                                                   }())
                                                       .median);
    r.say(fmt::format("TIME  {:<48} median {:>10.2f} us  (p10 {:.2f}, p90 {:.2f}){}", c.id(),
                      t.median, t.p10, t.p90, extra));
  });
  return r.finish("time");
}

int cmd_capture(Runner& r) {
  std::filesystem::create_directories(r.opt.out_dir);
  const std::filesystem::path dir(r.opt.out_dir);
  Output ops((dir / "capture.optrace.jsonl").string());
  ops.line(op_trace_header(r.dev.name, kTool, r.dev.sm_clock_measured_mhz));
  Output log((dir / "capture.jsonl").string());
  Stream stream;
  DeviceBuffer records(static_cast<std::size_t>(r.opt.max_records * 32), "capture buffer");
  DeviceBuffer counters(16, "capture cursor");
  CheckOptions copt;
  copt.mac_budget = r.opt.mac_budget;
  copt.threads = r.opt.threads;
  std::vector<Case> selected;
  for (const auto& c : r.cases)
    if (r.opt.all || c.has_tag("capture")) selected.push_back(c);
  r.cases = selected;
  r.each([&](const Case& c) {
    auto inst = OpInstance::create(c, r.dev, RunMode::kCapture);
    const std::uint64_t s = case_seed(r.seed, c);
    inst->fill_inputs(s, stream.get());
    inst->poison(stream.get());
    cuda_ok(cudaMemsetAsync(counters.get(), 0, counters.bytes(), stream.get()), "cudaMemset");
    CaptureSink sink;
    sink.records = records.get();
    sink.cursor = counters.as<unsigned long long>();
    sink.overflow = reinterpret_cast<unsigned int*>(counters.as<unsigned char>() + 8);
    sink.capacity = r.opt.max_records;
    sink.sample = r.opt.sample.value_or(c.sample);
    sink.kernel = 0;
    const auto launches = inst->enqueue(stream.get(), &sink, [](int) {});
    stream.sync();
    // The capture build must compute the same result as the timing build.
    const CheckResult res = inst->check(s, copt);
    if (!res.pass) ++r.failed;
    unsigned long long cursor = 0;
    unsigned int overflow = 0;
    cuda_ok(cudaMemcpy(&cursor, counters.get(), 8, cudaMemcpyDeviceToHost), "cudaMemcpy(cursor)");
    cuda_ok(cudaMemcpy(&overflow, counters.as<unsigned char>() + 8, 4, cudaMemcpyDeviceToHost),
            "cudaMemcpy(overflow)");
    const std::uint64_t kept = std::min<std::uint64_t>(cursor, r.opt.max_records);
    std::vector<wl::AccessRecord> recs(kept);
    if (kept)
      cuda_ok(cudaMemcpy(recs.data(), records.get(), kept * 32, cudaMemcpyDeviceToHost),
              "cudaMemcpy(records)");
    // Buffer order is the order the warps won the cursor; %globaltimer order is the order they
    // issued. Sort by time, keeping buffer order among equal timestamps (the timer is coarse),
    // each warp's records in program order and every CTA's cta_begin first (host/capture_order.h).
    order_capture_records(recs);
    std::vector<std::uint32_t> warps;
    for (const auto& l : launches) warps.push_back((l.block.x * l.block.y * l.block.z + 31) / 32);
    const std::string structure = capture_structure_errors(recs, warps);
    const std::uint64_t origin = recs.empty() ? 0 : recs.front().timestamp;
    const std::uint64_t dropped = cursor - kept;
    CaptureStats st;
    st.cta_sample = sink.sample;
    st.buffer_records = r.opt.max_records;
    st.records = kept;
    st.dropped = dropped;
    st.seed = s;
    st.check_pass = res.pass;
    st.structure_ok = structure.empty();
    const std::string meta =
        access_trace_metadata(c, launches, kTool, r.dev.name,
                              r.dev.sm_clock_measured_mhz > 0 ? r.dev.sm_clock_measured_mhz
                                                              : r.dev.sm_clock_max_khz / 1e3,
                              origin, st);
    const std::string file = c.id() + ".atrace";
    wl::AccessTraceRawWriter w;
    if (!w.open((dir / file).string(), meta, wl::kDefaultChunkRecords, wl::kAccessTraceVersion) ||
        !w.append(recs.data(), recs.size()) || !w.close())
      throw std::runtime_error(w.error());
    auto entries = op_trace_entries(c, launches, inst->tensors());
    for (std::size_t j = 0; j < entries.size(); ++j) {
      entries[j].trace_file = file;
      entries[j].trace_kernel = static_cast<unsigned>(j);
      ops.line(op_trace_line(entries[j]));
    }
    log.line(fmt::format(
        R"({{{},"file":{},"format_version":{},"records":{},"dropped":{},"overflow":{},"structure":{},"cta_sample":{},"bytes":{},"seed":{},"check_pass":{},"check":{}}})",
        case_head_json(c), json_str(file), wl::kAccessTraceVersion, kept, dropped,
        overflow ? "true" : "false", json_str(structure.empty() ? "ok" : structure), sink.sample,
        40 + meta.size() + kept * 32 +
            24 * ((kept + wl::kDefaultChunkRecords - 1) / wl::kDefaultChunkRecords),
        s, res.pass ? "true" : "false", json_str(res.detail)));
    // An overflow also breaks the structure (dropped cta_begin / warp_exit records): say why.
    const bool structure_bad = !structure.empty() && !overflow;
    const std::string line = fmt::format(
        "{} {:<48} {} records{}{}  ({})",
        res.pass && !overflow && !structure_bad ? "CAPT " : "FAIL ", c.id(), kept,
        overflow ? fmt::format(", OVERFLOW: {} dropped (raise --max-records or --sample)", dropped)
                 : "",
        structure_bad ? ", BAD STRUCTURE: " + structure : "", res.detail);
    if (res.pass && !overflow && !structure_bad)
      r.say(line);
    else
      fmt::print("{}\n", line);
    if (overflow || structure_bad) ++r.failed;
  });
  return r.finish("capture");
}

// One plain launch of every case's kernels, for `ncu`, and a log that says which case each
// profiled launch belongs to (ncu numbers kernels in launch order; the fills and the chase
// builder are left out by ncu's --kernel-name filter, see run_h100.sh).
int cmd_profile(Runner& r) {
  Output log(r.opt.out);
  log.line("seq\tcase\tkernel_index\tkernel");
  Stream stream;
  int seq = 0;
  r.each([&](const Case& c) {
    auto inst = OpInstance::create(c, r.dev, RunMode::kTiming);
    inst->fill_inputs(case_seed(r.seed, c), stream.get());
    stream.sync();
    const auto launches = inst->enqueue(stream.get(), nullptr, [](int) {});
    stream.sync();
    for (std::size_t j = 0; j < launches.size(); ++j)
      log.line(fmt::format("{}\t{}\t{}\t{}", seq++, c.id(), j, launches[j].kernel));
    r.say(fmt::format("PROF  {}", c.id()));
  });
  return r.finish("profile");
}

// The launches of one transformer step as an op trace, sized as the launchers size them; no GPU.
int cmd_plan(const Options& opt) {
  const std::string text = step_op_trace(parse_step_line(opt.step, "--step"));
  std::ofstream f(opt.out, std::ios::trunc);
  f << text;
  if (!f.flush()) throw std::runtime_error("cannot write " + opt.out);
  fmt::print("wrote {} launches to {}\n", std::count(text.begin(), text.end(), '\n') - 1, opt.out);
  return 0;
}

int run(int argc, char** argv) {
  Options opt;
  std::vector<Case> cases;
  try {
    opt = parse_args(std::vector<std::string>(argv + 1, argv + argc));
    cases = select_cases(opt);
  } catch (const UsageError& e) {
    fmt::print(stderr, "accsim_ref: {}\n", e.what());
    return static_cast<int>(Exit::kUsage);
  } catch (const InputError& e) {
    fmt::print(stderr, "accsim_ref: {}\n", e.what());
    return static_cast<int>(Exit::kInput);
  }
  if (opt.command == "list") return cmd_list(opt, cases);
  if (opt.command == "plan") {
    try {
      return cmd_plan(opt);
    } catch (const InputError& e) {
      fmt::print(stderr, "accsim_ref: {}\n", e.what());
      return static_cast<int>(Exit::kInput);
    } catch (const std::exception& e) {
      fmt::print(stderr, "accsim_ref: {}\n", e.what());
      return static_cast<int>(Exit::kFailed);
    }
  }
  if (opt.command == "mix-table") {
    const std::string j = mix_table_json(mix_table());
    if (opt.out.empty()) {
      fmt::print("{}", j);
    } else {
      Output out(opt.out);
      out.line(j);
    }
    return 0;
  }
  if (cases.empty() && opt.command != "info") {
    fmt::print(stderr, "accsim_ref: no case matches the selection\n");
    return static_cast<int>(Exit::kUsage);
  }
  std::string why;
  if (!cuda_device_available(&why)) {
    fmt::print(stderr, "accsim_ref: no CUDA device: cannot run '{}' ({})\n", opt.command, why);
    return static_cast<int>(Exit::kNoDevice);
  }
  Runner r;
  r.opt = opt;
  r.cases = std::move(cases);
  r.seed = opt.seed ? *opt.seed : std::random_device{}() * 0x100000001ull ^ std::random_device{}();
  try {
    r.dev =
        query_device(opt.command == "info" || opt.command == "time" || opt.command == "capture");
    fmt::print("device: {} ({} SMs, L2 {} MiB, SM clock {}), seed {}\n", r.dev.name, r.dev.sm_count,
               r.dev.l2_bytes >> 20,
               r.dev.sm_clock_measured_mhz > 0
                   ? fmt::format("{:.0f} MHz measured", r.dev.sm_clock_measured_mhz)
                   : fmt::format("up to {:.0f} MHz", r.dev.sm_clock_max_khz / 1e3),
               r.seed);
    if (opt.command == "info") return cmd_info(r);
    if (opt.command == "check") return cmd_check(r);
    if (opt.command == "time") return cmd_time(r);
    if (opt.command == "capture") return cmd_capture(r);
    if (opt.command == "profile") return cmd_profile(r);
  } catch (const CudaError& e) {
    fmt::print(stderr, "accsim_ref: CUDA error: {}\n", e.what());
    return static_cast<int>(Exit::kCuda);
  } catch (const std::exception& e) {
    fmt::print(stderr, "accsim_ref: {}\n", e.what());
    return static_cast<int>(Exit::kFailed);
  }
  return static_cast<int>(Exit::kUsage);
}

}  // namespace
}  // namespace accsim::ref

int main(int argc, char** argv) {
  return accsim::ref::run(argc, argv);
}
