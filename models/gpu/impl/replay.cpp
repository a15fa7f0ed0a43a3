// The GPU replay (models/gpu/gpu.h, README "How a kernel runs"): kernels, CTAs on SMs, the event
// loop shared with the DRAM, statistics, energy, bounds and sampling. The SM side is in sm.cpp,
// the memory side in memory.cpp.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <utility>

#include "models/gpu/impl/replay_impl.h"

namespace accsim::gpu {

double estimated_model_bytes(const hw::GpuSpec& g, const hw::DramSpec& dram) {
  const double slot = static_cast<double>(SectorCache::slot_bytes());
  const double lines =
      g.sms * (g.l1.size_bytes / g.l1.line_bytes) + g.l2.size_bytes / g.l2.line_bytes;
  return lines * slot + dram::estimated_model_bytes(dram);
}

namespace {

double rate(std::uint64_t num, std::uint64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
}

// Nsight Compute's "GPU Speed Of Light" rule: a kernel whose highest throughput is below 60 % of
// peak is limited by latency rather than by any one unit (models/gpu/README.md, "Bounds").
constexpr double kBoundThreshold = 0.6;

const hw::GpuPipeSpec& pipe_spec(const hw::GpuSpec& g, Pipe p) {
  switch (p) {
    case Pipe::kTensor:
      return g.pipes.tensor;
    case Pipe::kFma:
      return g.pipes.fma;
    case Pipe::kHalf:
      return g.pipes.fp16;
    case Pipe::kSfu:
      return g.pipes.sfu;
    case Pipe::kAlu:
      return g.pipes.alu;
    case Pipe::kCvt:
      return g.pipes.cvt;
    case Pipe::kShfl:
      return g.pipes.shfl;
    case Pipe::kSmem:
      return g.pipes.smem;
  }
  return g.pipes.fma;
}

double pipe_energy_j(const hw::GpuEnergySpec& e, Pipe p) {
  switch (p) {
    case Pipe::kTensor:
      return e.tensor_j_per_mac;
    case Pipe::kFma:
      return e.fma_j_per_op;
    case Pipe::kHalf:
      return e.fp16_j_per_op;
    case Pipe::kSfu:
      return e.sfu_j_per_op;
    case Pipe::kAlu:
      return e.alu_j_per_op;
    case Pipe::kCvt:
      return e.cvt_j_per_op;
    case Pipe::kShfl:
      return e.shfl_j_per_op;
    case Pipe::kSmem:
      return e.smem_j_per_bit;
  }
  return 0;
}

const char* pipe_unit(Pipe p) {
  return p == Pipe::kTensor ? "per MAC" : p == Pipe::kSmem ? "per bit" : "per lane operation";
}

}  // namespace

double KernelStats::l2_hit_rate_ncu() const {
  return rate(l2_hits + l2_store_allocs, l2_lookups());
}
double KernelStats::l2_primary_miss_rate() const {
  return rate(l2_misses, l2_lookups());
}
double KernelStats::l1_hit_rate() const {
  return rate(l1_hits, l1_hits + l1_misses + l1_pending);
}

GpuReplay::Impl::Impl(const hw::GpuSpec& gs, const hw::DramSpec& ds,
                      const dram::ControllerConfig& ctrl, StatsRegistry& st, EnergyLedger& en)
    : g(gs),
      dspec(ds),
      P(gs.clock().period_ps),
      tck(ds.timing.tCK_ps),
      stats(&st),
      energy(&en),
      ctrl_cfg(ctrl),
      dram(ds, ctrl, st, "dram") {
  const auto nch = static_cast<std::size_t>(ds.org.independent_channels());
  chan_wait.resize(nch);
  chan_rd.assign(nch, 0);
  chan_wr.assign(nch, 0);
  const auto l2_sets =
      static_cast<std::int64_t>(g.l2.size_bytes / g.l2_slices / (g.l2.line_bytes * g.l2.ways));
  for (int s = 0; s < g.l2_slices; ++s)
    l2.emplace_back(l2_sets, g.l2.ways, g.l2.line_bytes, g.l2.sector_bytes);
  l1_pending.resize(static_cast<std::size_t>(g.sms));
  slices.resize(static_cast<std::size_t>(g.l2_slices));
  access_latency = &st.group("gpu").distribution(
      "access_latency", "issue to data of every access (all kernels)", "SM cycles");
  // Pipe cycles per warp-instruction on a sub-partition (smem: on the SM), from the per-SM rates.
  const double smsp = g.sub_partitions;
  for (std::uint32_t c = 0; c < kInstrClassCount; ++c) {
    const auto& info = workloads::kInstrClasses[c];
    const double r = pipe_spec(g, info.pipe).rate;
    if (info.pipe == Pipe::kTensor)
      ii[c] = info.macs / (r / smsp);
    else if (info.pipe == Pipe::kSmem)
      ii[c] = info.smem_bytes / r;
    else if (info.pipe == Pipe::kHalf)
      ii[c] = 64.0 / (r / smsp);  // a half2 lane is two results
    else
      ii[c] = 32.0 / (r / smsp);
    e_units[c] = info.pipe == Pipe::kTensor ? info.macs
                 : info.pipe == Pipe::kSmem ? 8.0 * info.smem_bytes
                                            : 32.0;
  }
  for (int p = 0; p < kPipeCount; ++p) {
    const auto pipe = static_cast<Pipe>(p);
    latency[static_cast<std::size_t>(p)] = pipe_spec(g, pipe).latency;
    e_pipe[static_cast<std::size_t>(p)] = en.action(
        "gpu", std::string(workloads::pipe_name(pipe)), pipe_energy_j(g.energy, pipe) * 1e12,
        std::string(pipe_unit(pipe)) + " (gpu.energy, hw/gpu_spec.cpp)");
  }
  e_issue = en.action("gpu", "issue", g.energy.issue_j_per_instr * 1e12,
                      "per warp-instruction: fetch, decode, schedule, register file "
                      "(gpu.energy.issue, hw/gpu_spec.cpp)");
  const double bits = 8.0 * g.l1.sector_bytes;
  e_l1 = en.action("gpu", "l1_access", bits * g.energy.l1_j_per_bit * 1e12,
                   "per 32-byte L1 sector access (gpu.energy.l1, hw/gpu_spec.cpp)");
  e_l2 =
      en.action("gpu", "l2_access", bits * (g.energy.l2_j_per_bit + g.energy.noc_j_per_bit) * 1e12,
                "per 32-byte L2 sector access, lookup or fill, with the crossbar "
                "(gpu.energy.l2 + noc, hw/gpu_spec.cpp)");
  if (g.energy.static_w > 0)
    en.static_power("gpu", "static", g.energy.static_w,
                    "static power of the GPU (gpu.energy.static, hw/gpu_spec.cpp)");
}

void GpuReplay::Impl::start_kernel(workloads::KernelRecordSource& s, const RunOptions& opt) {
  src = &s;
  const workloads::KernelInfo& info = s.info();
  done_kernels.push_back(KernelStats{});
  ks = &done_kernels.back();
  ks->name = info.name;
  ks->memory_only = !s.has_compute();
  const std::uint64_t threads =
      std::max<std::uint64_t>(1, std::uint64_t{info.block[0]} * info.block[1] * info.block[2]);
  const CtaOccupancy occ = compute_occupancy(g, threads, info.regs, info.smem);
  if (occ.ctas_per_sm == 0)
    throw Error(ExitCode::kInput, "gpu: kernel " + info.name + " cannot run on " + g.name + ": " +
                                      occ.why_zero + " (occupancy 0)");
  ctas_per_sm = occ.ctas_per_sm;
  warp_limit = ks->memory_only ? g.warp_outstanding : std::numeric_limits<std::int32_t>::max();
  ks->ctas_per_sm = ctas_per_sm;
  ks->occupancy_limiter = occ.limiter;
  ks->warps_per_sm = ctas_per_sm * occ.warps_per_cta;
  ks->total_ctas = std::uint64_t{info.grid[0]} * info.grid[1] * info.grid[2];
  const std::uint64_t wave = static_cast<std::uint64_t>(g.sms) * ctas_per_sm;
  cta_budget = opt.sample_waves > 0 ? wave * static_cast<std::uint64_t>(opt.sample_waves)
                                    : std::numeric_limits<std::uint64_t>::max();
  granule = static_cast<std::uint64_t>(std::min({128, g.l1.line_bytes, g.l2.line_bytes}));
  granule_shift = std::countr_zero(granule);
  reset_l1(occ, info.smem);
  sms.assign(static_cast<std::size_t>(g.sms), Sm{});
  for (auto& m : sms) m.smsp.assign(static_cast<std::size_t>(g.sub_partitions), Smsp{});
  ctas.clear();
  warps.clear();
  // Room for a full wave (more if a CTA has more warps than its block: the vector only grows).
  warps.reserve(wave * static_cast<std::uint64_t>(std::max(1, occ.warps_per_cta)) + 64);
  dispatched = finished_ctas = 0;
  source_done = false;
}

// Each kernel starts with empty L1s (L1 is not coherent, so it is invalidated between kernels,
// as GPGPU-Sim / Accel-Sim's tuned configs do with -gpgpu_flush_l1_cache 1) whose capacity is
// the unified L1/shared array less the shared memory the resident CTAs take (the carve-out).
void GpuReplay::Impl::reset_l1(const CtaOccupancy& occ, std::uint64_t smem) {
  double cap = g.l1.size_bytes;
  if (smem > 0)
    cap -= std::min(g.smem_per_sm, static_cast<double>(occ.ctas_per_sm) *
                                       (static_cast<double>(smem) + g.smem_reserved_per_cta));
  const double set_bytes = static_cast<double>(g.l1.line_bytes) * g.l1.ways;
  const auto sets = std::max<std::int64_t>(1, static_cast<std::int64_t>(cap / set_bytes));
  ks->l1_bytes = static_cast<std::uint64_t>(sets) * static_cast<std::uint64_t>(set_bytes);
  l1.clear();
  for (int s = 0; s < g.sms; ++s)
    l1.emplace_back(sets, g.l1.ways, g.l1.line_bytes, g.l1.sector_bytes);
}

// Launches the source's next CTA on SM `s` at cycle t; false when there is none (or the sample's
// budget is spent).
bool GpuReplay::Impl::launch_cta(std::uint16_t s, Cycle t) {
  if (source_done || dispatched >= cta_budget) return false;
  workloads::CtaStart cs;
  if (!src->next_cta(cs)) {
    source_done = true;
    return false;
  }
  ++dispatched;
  const std::uint32_t ci = ctas.acquire();
  Cta& c = ctas[ci];
  c.start = cs;
  c.sm = s;
  c.live = cs.warps;
  c.exited = c.at_barrier = 0;
  c.warps.clear();
  Sm& sm = sms[s];
  ++sm.resident;
  for (std::uint32_t i = 0; i < cs.warps; ++i) {
    const std::uint32_t wi = warps.acquire();
    Warp& w = warps[wi];
    std::vector<AccessRecord> keep;
    keep.swap(w.buf);
    w = Warp{};
    w.buf.swap(keep);
    w.buf.clear();
    w.cta = ci;
    w.index = i;
    w.sm = s;
    w.smsp = static_cast<std::uint8_t>(sm.warps_started++ %
                                       static_cast<std::uint32_t>(g.sub_partitions));
    c.warps.push_back(wi);
    wake(wi, t);
  }
  return true;
}

void GpuReplay::Impl::dispatch(std::uint16_t s, Cycle t) {
  while (sms[s].resident < ctas_per_sm && launch_cta(s, t)) {
  }
}

void GpuReplay::Impl::cta_done(std::uint32_t ci, Cycle t) {
  Cta& c = ctas[ci];
  src->release(c.start.handle);
  for (std::uint32_t wi : c.warps) warps.release(wi);
  ctas.release(ci);
  --sms[c.sm].resident;
  ++finished_ctas;
  ++ks->ctas;
  dispatch(c.sm, t);
}

// Host-cache prefetch (no effect on results): the replay's time goes mostly to cache misses on
// the state of the warp or request an event is about (thousands of warps, each with its own
// record buffer). The event after next gets its warp (or request) fetched; the next one, whose
// warp was fetched one event ago, also its next record.
void GpuReplay::Impl::prefetch_for(const Ev* e, bool deep) const {
  if (e == nullptr) return;
  if (e->type != EvType::kWarp) {
    __builtin_prefetch(&reqs[e->a]);
    return;
  }
  const Warp& w = warps[e->a];
  __builtin_prefetch(&w);
  if (deep && w.pos < w.buf.size()) __builtin_prefetch(&w.buf[w.pos]);
}

void GpuReplay::Impl::event_loop(const RunOptions& opt) {
  std::uint64_t reported = 0;
  for (;;) {
    const Cycle dc = dram_next();
    const bool dram_busy = dram.outstanding() > 0;
    const bool gpu = !q.empty();
    if (!gpu && !dram_busy && pending_wb.empty()) break;
    if (!pending_wb.empty() && (!gpu || pending_wb_time <= q.next_time()) &&
        (!dram_busy || dc == dram::DramBackend::kNever || pending_wb_time * P <= dc * tck)) {
      std::vector<std::uint64_t> wb;
      wb.swap(pending_wb);
      writebacks.swap(wb);
      flush_writebacks(pending_wb_time);
      continue;
    }
    if (dram_busy && dc != dram::DramBackend::kNever && (!gpu || dc * tck <= q.next_time() * P)) {
      dram.run_until(dc, dram_done);
      dc_dirty = true;
      handle_dram_done();
      continue;
    }
    if (!gpu) throw Error(ExitCode::kInternal, "gpu: DRAM requests outstanding with no event");
    Cycle t = 0;
    const Ev e = q.pop(t);
    prefetch_for(q.peek(0), true);
    prefetch_for(q.peek(1), false);
    switch (e.type) {
      case EvType::kWarp:
        step(e.a, t);
        break;
      case EvType::kComplete:
        complete(e.a, e.mask, t);
        break;
      case EvType::kL2Service:
        l2_service(e.a, e.mask, t);
        break;
    }
    if (opt.progress && finished_ctas >= reported + 256) {
      reported = finished_ctas;
      opt.progress(finished_ctas, ks->total_ctas);
    }
  }
}

KernelStats GpuReplay::Impl::run(workloads::KernelRecordSource& s, const RunOptions& opt) {
  start_kernel(s, opt);
  const Cycle start = now;
  last_event = start;
  // First wave breadth-first: CTA i to SM i mod SMs, then fill each SM to its occupancy.
  for (int round = 0; round < ctas_per_sm; ++round)
    for (int sm = 0; sm < g.sms; ++sm)
      if (sms[static_cast<std::size_t>(sm)].resident == round)
        launch_cta(static_cast<std::uint16_t>(sm), start);
  event_loop(opt);
  if (finished_ctas != dispatched) {
    for (const Cta& c : ctas.slots())
      for (std::uint32_t wi : c.warps)
        if (warps[wi].state == WarpState::kBarrier) barrier_error(c, warps[wi].index);
    throw Error(ExitCode::kInternal, "gpu: kernel " + ks->name + " ended with CTAs unfinished");
  }
  ks->records = s.records();
  close_kernel(start);
  if (ks->sampled) s.skip_rest();
  now = std::max(now, last_event);
  return *ks;
}

void GpuReplay::Impl::close_kernel(Cycle start) {
  ks->cycles = last_event - start;
  ks->time_ns = static_cast<double>(ks->cycles) * static_cast<double>(P) / 1e3;
  std::uint64_t dirty = 0;
  for (const auto& c : l2) dirty += c.dirty_sectors();
  ks->l2_dirty_bytes_at_end = dirty * static_cast<std::uint64_t>(g.l2.sector_bytes);
  classify();
  if (!source_done && dispatched >= cta_budget && ks->total_ctas > dispatched) {
    ks->sampled = true;
    extrapolate();
    classify();
  }
}

// Utilisation of every resource over the kernel's time, and the bound: the busiest resource, or
// "latency" when none reaches kBoundThreshold.
void GpuReplay::Impl::classify() {
  KernelStats& k = *ks;
  const double cyc = std::max<double>(1.0, static_cast<double>(k.cycles));
  const double n_sm = g.sms, n_sp = static_cast<double>(g.sms) * g.sub_partitions;
  k.utilisation.clear();
  for (int p = 0; p < kPipeCount; ++p) {
    const auto pipe = static_cast<Pipe>(p);
    const double units = pipe == Pipe::kSmem ? n_sm : n_sp;
    k.utilisation.push_back(
        {workloads::pipe_name(pipe), k.pipe_busy[static_cast<std::size_t>(p)] / (cyc * units)});
  }
  k.utilisation.push_back(
      {"issue", static_cast<double>(k.issued) / (cyc * n_sp * g.issue_per_cycle)});
  k.utilisation.push_back(
      {"l1", static_cast<double>(k.accesses) / (cyc * n_sm * g.l1.sectors_per_cycle)});
  const auto l2_lookups = static_cast<double>(k.l2_lookups());
  k.utilisation.push_back(
      {"l2", l2_lookups / (cyc * g.l2_slices * static_cast<double>(g.l2.sectors_per_cycle))});
  const double secs = cyc * static_cast<double>(P) * 1e-12;
  const double peak = dspec.peak_bw_total();
  k.utilisation.push_back(
      {"dram", peak > 0
                   ? static_cast<double>(k.dram_read_bytes + k.dram_write_bytes) / (secs * peak)
                   : 0.0});
  const auto top = std::max_element(k.utilisation.begin(), k.utilisation.end(),
                                    [](const auto& a, const auto& b) { return a.value < b.value; });
  k.bound_utilisation = top->value;
  k.bound = top->value >= kBoundThreshold ? top->resource : "latency";
}

std::string_view resource_words(std::string_view r) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"tensor", "tensor cores"},     {"fma", "FP32 pipe"},
      {"fp16", "FP16 pipe"},          {"sfu", "SFU (special functions)"},
      {"alu", "integer ALU"},         {"cvt", "conversions"},
      {"shfl", "shuffles"},           {"smem", "shared-memory bandwidth"},
      {"issue", "instruction issue"}, {"l1", "L1 bandwidth"},
      {"l2", "L2 bandwidth"},         {"dram", "DRAM bandwidth"},
      {"latency", "latency"},  // no unit reached kBoundThreshold
  };
  for (const auto& [name, words] : kWords)
    if (name == r) return words;
  return r;
}

std::string time_weighted_bound(const std::vector<KernelStats>& kernels) {
  std::vector<std::pair<std::string, double>> share;  // bound, time; first-seen order
  double total = 0;
  for (const auto& k : kernels) {
    auto it =
        std::find_if(share.begin(), share.end(), [&](const auto& s) { return s.first == k.bound; });
    if (it == share.end()) it = share.insert(share.end(), {k.bound, 0.0});
    it->second += k.time_ns;
    total += k.time_ns;
  }
  std::stable_sort(share.begin(), share.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [bound, t] : share) {
    const double pc = total > 0 ? 100.0 * t / total : 0.0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f %%", pc);
    out += (out.empty() ? "" : ", ") + std::string(resource_words(bound)) + " " + buf +
           (out.empty() ? " of the time" : "");
  }
  return out;
}

// A sampled kernel ran its first waves only. Counts scale with the CTAs; time scales with the
// waves when an SM resource (a pipe, issue, L1) or latency bounds it — each wave takes as long as
// the sampled ones, a partial last wave as long as a full one — and with the work when a shared
// resource (L2, DRAM bandwidth) does.
void GpuReplay::Impl::extrapolate() {
  KernelStats& k = *ks;
  k.sampled_ctas = dispatched;
  k.sampled_time_ns = k.time_ns;
  const double f = static_cast<double>(k.total_ctas) / static_cast<double>(dispatched);
  const auto scale = [f](std::uint64_t& v) {
    v = static_cast<std::uint64_t>(std::llround(static_cast<double>(v) * f));
  };
  for (auto* v :
       {&k.l1_hits, &k.l1_misses, &k.l1_pending, &k.l2_hits, &k.l2_misses, &k.l2_pending,
        &k.l2_store_allocs, &k.smem_async_bytes, &k.dram_read_bytes, &k.dram_write_bytes,
        &k.latency_sum_cycles, &k.accesses, &k.issued, &k.stall_memory, &k.stall_dependency,
        &k.stall_pipe, &k.stall_barrier, &k.stall_mem_slots, &k.records})
    scale(*v);
  for (auto& v : k.instructions) scale(v);
  for (auto& v : k.pipe_busy) v *= f;
  const std::uint64_t wave = static_cast<std::uint64_t>(g.sms) * ctas_per_sm;
  const double sampled_waves =
      std::ceil(static_cast<double>(dispatched) / static_cast<double>(wave));
  const double total_waves =
      std::ceil(static_cast<double>(k.total_ctas) / static_cast<double>(wave));
  const bool shared = k.bound == "l2" || k.bound == "dram";
  k.extrapolation = shared ? "work" : "waves";
  const double tf = shared ? f : total_waves / sampled_waves;
  k.cycles = static_cast<std::int64_t>(std::llround(static_cast<double>(k.cycles) * tf));
  k.time_ns = static_cast<double>(k.cycles) * static_cast<double>(P) / 1e3;
  k.ctas = k.total_ctas;
  last_event = now + k.cycles;
}

GpuReplay::GpuReplay(const hw::GpuSpec& gpu, const hw::DramSpec& dram,
                     const dram::ControllerConfig& ctrl, StatsRegistry& stats, EnergyLedger& energy)
    : impl_(std::make_unique<Impl>(gpu, dram, ctrl, stats, energy)) {}
GpuReplay::~GpuReplay() = default;

KernelStats GpuReplay::run_kernel(workloads::KernelRecordSource& source, const RunOptions& opt) {
  return impl_->run(source, opt);
}

KernelStats GpuReplay::run_kernel(const workloads::KernelInfo& info,
                                  std::vector<workloads::AccessRecord> records) {
  auto s = workloads::make_vector_kernel_source(info, std::move(records));
  return impl_->run(*s, RunOptions{});
}

double GpuReplay::now_s() const {
  return static_cast<double>(impl_->now) * static_cast<double>(impl_->P) * 1e-12;
}

const std::vector<KernelStats>& GpuReplay::kernels() const {
  return impl_->done_kernels;
}

void GpuReplay::finalize() {
  Impl& m = *impl_;
  if (m.finalized) return;
  m.finalized = true;
  const Cycle end = std::max<Cycle>(m.dram.last_cycle(), m.now * m.P / m.tck);
  m.dram.finalize(end, *m.energy);
  m.dram.throw_if_violations();
  KernelStats t;
  for (const auto& k : m.done_kernels)
    for (auto [dst, v] : std::initializer_list<std::pair<std::uint64_t*, std::uint64_t>>{
             {&t.l1_hits, k.l1_hits},
             {&t.l1_misses, k.l1_misses},
             {&t.l1_pending, k.l1_pending},
             {&t.l2_hits, k.l2_hits},
             {&t.l2_misses, k.l2_misses},
             {&t.l2_pending, k.l2_pending},
             {&t.l2_store_allocs, k.l2_store_allocs},
             {&t.dram_read_bytes, k.dram_read_bytes},
             {&t.dram_write_bytes, k.dram_write_bytes},
             {&t.accesses, k.accesses},
             {&t.latency_sum_cycles, k.latency_sum_cycles},
             {&t.issued, k.issued}})
      *dst += v;
  StatsGroup& g = m.stats->group("gpu");
  g.scalar("l1_hit_rate",
           "L1 sector hits / L1 lookups (loads through L1; a lookup merged into a miss in flight "
           "is a miss, as l1tex__t_sector_hit_rate counts it)",
           "ratio", t.l1_hit_rate());
  g.scalar("l2_hit_rate",
           "L2 sector hit rate as Nsight Compute's lts__t_sector_hit_rate counts it: lookups whose "
           "sector is present, and every store, / all lookups",
           "ratio", t.l2_hit_rate_ncu());
  g.scalar("l2_primary_miss_rate", "L2 lookups that read DRAM / all lookups", "ratio",
           t.l2_primary_miss_rate());
  g.scalar("l1_lookups", "L1 sector lookups", "sectors",
           static_cast<double>(t.l1_hits + t.l1_misses + t.l1_pending));
  g.scalar("l2_lookups", "L2 sector lookups", "sectors", static_cast<double>(t.l2_lookups()));
  g.scalar("dram_read_bytes", "bytes read from DRAM (L2 primary misses)", "bytes",
           static_cast<double>(t.dram_read_bytes));
  g.scalar("dram_write_bytes", "bytes written to DRAM during the kernels (L2 dirty evictions)",
           "bytes", static_cast<double>(t.dram_write_bytes));
  g.scalar("instructions", "warp-instructions issued (compute records)", "instructions",
           static_cast<double>(t.issued));
  std::uint64_t dirty = 0;
  for (const auto& c : m.l2) dirty += c.dirty_sectors();
  g.scalar("l2_dirty_bytes_at_end", "dirty data left in L2 when the run ends (not written back)",
           "bytes", static_cast<double>(dirty * static_cast<std::uint64_t>(m.g.l2.sector_bytes)));
  g.scalar("p99_access_latency", "issue to data, 99th percentile (nearest rank), all accesses",
           "SM cycles", static_cast<double>(m.access_latency->percentile(99)));
  g.scalar("mean_access_latency", "issue to data, all accesses", "SM cycles",
           rate(t.latency_sum_cycles, t.accesses));
  g.scalar("max_access_latency", "issue to data, the slowest access", "SM cycles",
           static_cast<double>(m.access_latency->max()));
}

}  // namespace accsim::gpu
