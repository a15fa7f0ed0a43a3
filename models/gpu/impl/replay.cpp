// The GPU memory-hierarchy replay (models/gpu/gpu.h, README "How a kernel runs").
#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <unordered_map>

#include "models/gpu/gpu.h"
#include "sim/core/error.h"

namespace accsim::gpu {

namespace {

using workloads::AccessKind;
using workloads::AccessRecord;

enum EvType : std::uint8_t { kIssue, kComplete, kL2Arrive, kL2Service };

struct Event {
  Ps t;
  std::uint64_t seq;
  EvType type;
  std::uint32_t a;
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

struct Req {
  std::uint64_t sector;
  Ps issue_ps;
  std::uint32_t warp;
  std::uint16_t sm;
  std::uint8_t kind;
  bool bypass;
  bool l1_miss = false;  // the primary of an L1 miss (fills L1 when it completes)
};

struct Warp {
  const AccessRecord* recs;
  std::uint32_t n = 0, next = 0;
  std::int32_t outstanding = 0;
  std::uint32_t cta = 0;
};

struct Cta {
  std::uint32_t first_warp = 0, warps = 0, live = 0;
};

struct Sm {
  std::vector<std::uint32_t> warps;  // warps of resident CTAs
  std::size_t rr = 0;
  std::int32_t outstanding = 0;
  std::int32_t resident = 0;
  bool scheduled = false;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> pending;  // L1 misses by sector
};

struct Slice {
  Cycle cycle = -1;
  int used = 0;
};

constexpr std::uint64_t kWriteback = 1ull << 63;

}  // namespace

struct GpuReplay::Impl {
  hw::GpuSpec g;
  hw::DramSpec dspec;
  Ps P;  // SM clock period, ps
  Ps tck;
  StatsRegistry* stats;
  EnergyLedger* energy;
  dram::ControllerConfig ctrl_cfg;
  dram::DramBackend dram;
  std::vector<SectorCache> l1;
  std::vector<SectorCache> l2;
  std::vector<Slice> slices;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> l2_pending;
  Ps now = 0;
  std::vector<KernelStats> done_kernels;
  EnergyLedger::Handle e_l1, e_l2;
  Distribution* access_latency;  // issue to data of every access, SM cycles
  std::uint64_t total_l1_access = 0, total_l2_access = 0;
  bool finalized = false;

  // Per-kernel state.
  std::priority_queue<Event, std::vector<Event>, std::greater<>> q;
  std::uint64_t seq = 0;
  std::vector<Req> reqs;
  std::vector<Warp> warps;
  std::vector<Cta> ctas;
  std::vector<Sm> sms;
  std::uint32_t next_cta = 0;
  int ctas_per_sm = 1;
  KernelStats* ks = nullptr;
  Ps last_finish = 0;
  std::vector<dram::DramBackend::Done> dram_done;
  // DramBackend::next_cycle() scans every channel; it only changes when the DRAM runs or gets a
  // request, so it is cached in between.
  Cycle dc_cache = 0;
  bool dc_dirty = true;
  Cycle dram_next() {
    if (dc_dirty) {
      dc_cache = dram.next_cycle();
      dc_dirty = false;
    }
    return dc_cache;
  }
  std::vector<std::uint64_t> writebacks;

  Impl(const hw::GpuSpec& gs, const hw::DramSpec& ds, const dram::ControllerConfig& ctrl,
       StatsRegistry& st, EnergyLedger& en)
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
    const auto l1_sets = static_cast<std::int64_t>(g.l1.size_bytes / (g.l1.line_bytes * g.l1.ways));
    const auto l2_sets =
        static_cast<std::int64_t>(g.l2.size_bytes / g.l2_slices / (g.l2.line_bytes * g.l2.ways));
    for (int s = 0; s < g.sms; ++s)
      l1.emplace_back(l1_sets, g.l1.ways, g.l1.line_bytes, g.l1.sector_bytes);
    for (int s = 0; s < g.l2_slices; ++s)
      l2.emplace_back(l2_sets, g.l2.ways, g.l2.line_bytes, g.l2.sector_bytes);
    slices.resize(static_cast<std::size_t>(g.l2_slices));
    access_latency = &st.group("gpu").distribution(
        "access_latency", "issue to data of every access (all kernels)", "SM cycles");
    const double bits = 8.0 * g.l1.sector_bytes;
    e_l1 = en.action("gpu", "l1_access", bits * g.energy.l1_j_per_bit * 1e12,
                     "per 32-byte L1 sector access; 0.16 pJ/bit KB-sized SRAM (Horowitz)");
    e_l2 = en.action("gpu", "l2_access",
                     bits * (g.energy.l2_j_per_bit + g.energy.noc_j_per_bit) * 1e12,
                     "per 32-byte L2 sector access (lookup or fill); 1.6 pJ/bit MB-sized SRAM "
                     "(Horowitz) + crossbar (0)");
  }

  void push(Ps t, EvType type, std::uint32_t a) { q.push(Event{t, seq++, type, a}); }
  Ps cycle_ceil(Ps t) const { return (t + P - 1) / P * P; }

  int slice_of(std::uint64_t sector) const {
    // An XOR hash of the line address over the slices (the real H100 hash is not public).
    const std::uint64_t line = sector / static_cast<std::uint64_t>(g.l2.line_bytes);
    const std::uint64_t h = line ^ (line >> 7) ^ (line >> 13) ^ (line >> 19);
    return static_cast<int>(h % static_cast<std::uint64_t>(g.l2_slices));
  }

  bool eligible(const Sm& sm, const Warp& w) const {
    return w.next < w.n && w.outstanding < g.warp_outstanding && sm.outstanding < g.max_outstanding;
  }

  void dispatch(std::uint16_t s, Ps t) {
    Sm& sm = sms[s];
    while (sm.resident < ctas_per_sm && next_cta < ctas.size()) {
      const Cta& c = ctas[next_cta++];
      ++sm.resident;
      for (std::uint32_t w = 0; w < c.warps; ++w) sm.warps.push_back(c.first_warp + w);
    }
    wake(s, t);
  }

  void wake(std::uint16_t s, Ps t) {
    Sm& sm = sms[s];
    if (sm.scheduled) return;
    sm.scheduled = true;
    push(cycle_ceil(t), kIssue, s);
  }

  void issue(std::uint16_t s, Ps t) {
    Sm& sm = sms[s];
    sm.scheduled = false;
    int issued = 0;
    const std::size_t nw = sm.warps.size();
    for (std::size_t k = 0; k < nw && issued < g.l1.sectors_per_cycle; ++k) {
      const std::size_t i = (sm.rr + k) % nw;
      Warp& w = warps[sm.warps[i]];
      if (!eligible(sm, w)) continue;
      const AccessRecord& r = w.recs[w.next++];
      ++w.outstanding;
      ++sm.outstanding;
      ++issued;
      sm.rr = (i + 1) % nw;
      const auto id = static_cast<std::uint32_t>(reqs.size());
      const std::uint64_t sector = r.address / 32 * 32;
      const bool bypass = (r.flags & workloads::kFlagL1Bypass) != 0 ||
                          r.kind != static_cast<std::uint8_t>(AccessKind::kLoad);
      reqs.push_back(Req{sector, t, sm.warps[i], s, r.kind, bypass});
      const Ps l1_done = t + static_cast<Ps>(g.l1.hit_latency) * P;
      if (bypass) {
        push(l1_done, kL2Arrive, id);
        continue;
      }
      energy->count(e_l1);
      ++total_l1_access;
      if (l1[s].lookup(sector)) {
        ++ks->l1_hits;
        push(l1_done, kComplete, id);
        continue;
      }
      ++ks->l1_misses;
      auto it = sm.pending.find(sector);
      if (it != sm.pending.end()) {
        it->second.push_back(id);  // merged into the outstanding miss
        continue;
      }
      reqs[id].l1_miss = true;
      sm.pending[sector] = {id};
      push(l1_done, kL2Arrive, id);
    }
    // Rotate even when nothing issued, so no warp starves.
    if (issued == 0 && nw > 0) sm.rr = (sm.rr + 1) % nw;
    bool more = false;
    for (std::uint32_t wi : sm.warps)
      if (eligible(sm, warps[wi])) {
        more = true;
        break;
      }
    if (more) {
      sm.scheduled = true;
      push(t + P, kIssue, s);
    }
  }

  void l2_arrive(std::uint32_t id, Ps t) {
    Slice& sl = slices[static_cast<std::size_t>(slice_of(reqs[id].sector))];
    const Cycle c = static_cast<Cycle>(cycle_ceil(t) / P);
    if (c > sl.cycle) {
      sl.cycle = c;
      sl.used = 0;
    }
    if (sl.used == g.l2.sectors_per_cycle) {
      ++sl.cycle;
      sl.used = 0;
    }
    ++sl.used;
    push(sl.cycle * P, kL2Service, id);
  }

  // The memory partition in front of each DRAM channel: requests go to the controller only
  // while its read (write) queue has room, so a full channel never holds up the others (the
  // backend, like one TLM initiator, would otherwise block every later request).
  struct WaitReq {
    std::uint64_t id, addr;
    bool write;
  };
  std::vector<std::deque<WaitReq>> chan_wait;
  std::vector<int> chan_rd, chan_wr;
  int chan_of(std::uint64_t addr) const { return dram.mapper().decode(addr).channel; }

  // The memory-partition hash: GPUs spread addresses over their DRAM channels with a hash so that
  // strided streams do not pile onto a few channels ("partition camping"). The H100's hash is not
  // public; accsim XORs the channel index with a multiplicative fold of the row and bank (a
  // bijection for each row and bank, so every sector keeps one place and a DRAM page's columns
  // stay together): an assumption.
  std::uint64_t partition(std::uint64_t addr) const {
    const auto& m = dram.mapper();
    const std::uint64_t cap = m.capacity_bytes();
    dram::DramAddr d = m.decode(addr % cap);
    const auto nch = static_cast<std::uint64_t>(dram.channels());
    std::uint64_t h =
        static_cast<std::uint64_t>(d.row) * 0x9E3779B97F4A7C15ull ^
        static_cast<std::uint64_t>(d.bank.bank_group * 131 + d.bank.bank) * 0x165667B19E3779F9ull;
    h ^= h >> 29;
    d.channel = static_cast<int>((static_cast<std::uint64_t>(d.channel) ^ h) % nch);
    return m.encode(d) + (addr % cap) % static_cast<std::uint64_t>(dspec.org.burst_bytes());
  }

  void submit_dram(std::uint64_t id, std::uint64_t sector, bool write, Ps t) {
    const std::uint64_t addr = partition(sector);
    (write ? ks->dram_write_bytes : ks->dram_read_bytes) +=
        static_cast<std::uint64_t>(g.l2.sector_bytes);
    const auto ch = static_cast<std::size_t>(chan_of(addr));
    int& inflight = write ? chan_wr[ch] : chan_rd[ch];
    const int cap = write ? ctrl_cfg.write_queue : ctrl_cfg.read_queue;
    if (inflight >= cap || !chan_wait[ch].empty()) {
      chan_wait[ch].push_back({id, addr, write});
      return;
    }
    ++inflight;
    const Cycle arrival = std::max<Cycle>((t + tck - 1) / tck, dram.last_cycle() + 1);
    if (arrival - 1 > dram.last_cycle()) {
      dram.run_until(arrival - 1, dram_done);
      dc_dirty = true;
      handle_dram_done();
    }
    dram.submit(id, addr, static_cast<std::uint32_t>(g.l2.sector_bytes), write, arrival);
    dc_dirty = true;
  }

  // A request of channel `ch` left its queue: send waiting ones that now fit, in order.
  void drain_channel(std::size_t ch) {
    auto& w = chan_wait[ch];
    while (!w.empty()) {
      const WaitReq r = w.front();
      int& inflight = r.write ? chan_wr[ch] : chan_rd[ch];
      if (inflight >= (r.write ? ctrl_cfg.write_queue : ctrl_cfg.read_queue)) return;
      w.pop_front();
      ++inflight;
      dram.submit(r.id, r.addr, static_cast<std::uint32_t>(g.l2.sector_bytes), r.write,
                  dram.last_cycle() + 1);
      dc_dirty = true;
    }
  }

  void flush_writebacks(Ps t) {
    for (std::uint64_t a : writebacks) submit_dram(kWriteback | a, a, true, t);
    writebacks.clear();
  }

  void l2_service(std::uint32_t id, Ps t) {
    Req& r = reqs[id];
    SectorCache& c = l2[static_cast<std::size_t>(slice_of(r.sector))];
    energy->count(e_l2);
    ++total_l2_access;
    const Ps back = t + static_cast<Ps>(g.l2.hit_latency - g.l1.hit_latency) * P;
    if (r.kind == static_cast<std::uint8_t>(AccessKind::kStore)) {
      // Write-back, write-allocate; a whole-sector store needs no fetch.
      if (c.mark_dirty(r.sector)) {
        ++ks->l2_hits;
      } else {
        ++ks->l2_misses;
        c.fill(r.sector, true, &writebacks);
        flush_writebacks(t);
      }
      push(back, kComplete, id);
      return;
    }
    if (c.lookup(r.sector)) {
      ++ks->l2_hits;
      if (r.kind == static_cast<std::uint8_t>(AccessKind::kAtomic)) c.mark_dirty(r.sector);
      push(back, kComplete, id);
      return;
    }
    ++ks->l2_misses;
    auto it = l2_pending.find(r.sector);
    if (it != l2_pending.end()) {
      it->second.push_back(id);
      return;
    }
    l2_pending[r.sector] = {id};
    submit_dram(id, r.sector, false, t);
  }

  void handle_dram_done() {
    std::vector<dram::DramBackend::Done> batch;
    batch.swap(dram_done);
    for (const auto& d : batch) {
      const std::uint64_t a = (d.id & kWriteback) != 0
                                  ? (d.id & ~kWriteback)
                                  : reqs[static_cast<std::size_t>(d.id)].sector;
      const auto ch = static_cast<std::size_t>(chan_of(partition(a)));
      --(d.is_write ? chan_wr[ch] : chan_rd[ch]);
      drain_channel(ch);
    }
    for (const auto& d : batch) {
      if ((d.id & kWriteback) != 0) continue;
      const std::uint64_t sector = reqs[static_cast<std::size_t>(d.id)].sector;
      const Ps t = d.done * tck;
      SectorCache& c = l2[static_cast<std::size_t>(slice_of(sector))];
      bool dirty = false;
      auto it = l2_pending.find(sector);
      std::vector<std::uint32_t> waiting = std::move(it->second);
      l2_pending.erase(it);
      for (std::uint32_t w : waiting)
        dirty |= reqs[w].kind == static_cast<std::uint8_t>(AccessKind::kAtomic);
      c.fill(sector, dirty, &writebacks);
      energy->count(e_l2);  // the fill
      const Ps back = t + static_cast<Ps>(g.dram_latency + g.l2.hit_latency - g.l1.hit_latency) * P;
      for (std::uint32_t w : waiting) push(back, kComplete, w);
      if (!writebacks.empty()) {
        // Evictions leave after the fill; submitted when the event loop reaches that time.
        pending_wb_time = std::max(pending_wb_time, t);
        pending_wb.insert(pending_wb.end(), writebacks.begin(), writebacks.end());
        writebacks.clear();
      }
    }
  }
  std::vector<std::uint64_t> pending_wb;
  Ps pending_wb_time = 0;

  void finish(std::uint32_t id, Ps t) {
    Req& r = reqs[id];
    Sm& sm = sms[r.sm];
    Warp& w = warps[r.warp];
    --w.outstanding;
    --sm.outstanding;
    const auto lat = static_cast<std::uint64_t>((t - r.issue_ps) / P);
    ks->latency_sum_cycles += lat;
    access_latency->add(lat);
    ks->latency_max_cycles = std::max(ks->latency_max_cycles, lat);
    ++ks->accesses;
    last_finish = std::max(last_finish, t);
    if (w.next == w.n && w.outstanding == 0) {
      Cta& c = ctas[w.cta];
      if (--c.live == 0) {
        --sm.resident;
        // Drop the CTA's warps from the SM.
        std::erase_if(sm.warps, [&](std::uint32_t wi) { return warps[wi].cta == w.cta; });
        sm.rr = sm.warps.empty() ? 0 : sm.rr % sm.warps.size();
        dispatch(r.sm, t);
        return;
      }
    }
    wake(r.sm, t);
  }

  void complete(std::uint32_t id, Ps t) {
    Req& r = reqs[id];
    if (r.l1_miss) {
      l1[r.sm].fill(r.sector, false, nullptr);
      auto it = sms[r.sm].pending.find(r.sector);
      std::vector<std::uint32_t> merged = std::move(it->second);
      sms[r.sm].pending.erase(it);
      for (std::uint32_t m : merged) finish(m, t);
      return;
    }
    finish(id, t);
  }

  KernelStats run(const workloads::KernelInfo& info, std::vector<AccessRecord> recs) {
    done_kernels.push_back(KernelStats{});
    ks = &done_kernels.back();
    ks->name = info.name;
    ks->records = recs.size();
    // Group by CTA, then warp, keeping each warp's order.
    std::stable_sort(recs.begin(), recs.end(), [](const AccessRecord& a, const AccessRecord& b) {
      return a.cta != b.cta ? a.cta < b.cta : a.warp < b.warp;
    });
    warps.clear();
    ctas.clear();
    reqs.clear();
    reqs.reserve(recs.size());
    for (std::size_t i = 0; i < recs.size();) {
      Cta c;
      c.first_warp = static_cast<std::uint32_t>(warps.size());
      const std::uint32_t cta = recs[i].cta;
      while (i < recs.size() && recs[i].cta == cta) {
        Warp w;
        w.recs = &recs[i];
        w.cta = static_cast<std::uint32_t>(ctas.size());
        const std::uint16_t wid = recs[i].warp;
        while (i < recs.size() && recs[i].cta == cta && recs[i].warp == wid) {
          ++w.n;
          ++i;
        }
        warps.push_back(w);
        ++c.warps;
      }
      c.live = c.warps;
      ctas.push_back(c);
    }
    ks->ctas = ctas.size();
    // Occupancy: threads, CTAs and shared memory per SM (registers are not modelled).
    const std::uint64_t threads =
        std::max<std::uint64_t>(1, std::uint64_t{info.block[0]} * info.block[1] * info.block[2]);
    std::uint64_t occ = std::min<std::uint64_t>(
        static_cast<std::uint64_t>(g.max_ctas_per_sm),
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(g.max_threads_per_sm) / threads));
    if (info.smem > 0)
      occ = std::min<std::uint64_t>(
          occ, std::max<std::uint64_t>(1, static_cast<std::uint64_t>(g.smem_per_sm) / info.smem));
    ctas_per_sm = static_cast<int>(occ);
    ks->ctas_per_sm = ctas_per_sm;
    sms.assign(static_cast<std::size_t>(g.sms), Sm{});
    next_cta = 0;
    const Ps start = cycle_ceil(now);
    last_finish = start;
    // First wave breadth-first: CTA i to SM i mod sms, then fill each SM to its occupancy.
    for (int round = 0; round < ctas_per_sm && next_cta < ctas.size(); ++round)
      for (int s = 0; s < g.sms && next_cta < ctas.size(); ++s) {
        Sm& sm = sms[static_cast<std::size_t>(s)];
        const Cta& c = ctas[next_cta++];
        ++sm.resident;
        for (std::uint32_t w = 0; w < c.warps; ++w) sm.warps.push_back(c.first_warp + w);
      }
    for (int s = 0; s < g.sms; ++s)
      if (!sms[static_cast<std::size_t>(s)].warps.empty())
        wake(static_cast<std::uint16_t>(s), start);
    // Event loop: GPU events and the DRAM's own events, in time order.
    for (;;) {
      const Cycle dc = dram_next();
      const bool dram_busy = dram.outstanding() > 0;
      if (q.empty() && !dram_busy && pending_wb.empty()) break;
      if (!pending_wb.empty() && (q.empty() || pending_wb_time <= q.top().t) &&
          (!dram_busy || dc == dram::DramBackend::kNever || pending_wb_time <= dc * tck)) {
        std::vector<std::uint64_t> wb;
        wb.swap(pending_wb);
        for (std::uint64_t a : wb) submit_dram(kWriteback | a, a, true, pending_wb_time);
        continue;
      }
      if (dram_busy && dc != dram::DramBackend::kNever && (q.empty() || dc * tck <= q.top().t)) {
        dram.run_until(dc, dram_done);
        dc_dirty = true;
        handle_dram_done();
        continue;
      }
      if (q.empty()) {
        // Only DRAM work that has no event left (cannot happen with a consistent backend).
        throw sim_error("gpu: DRAM requests outstanding with no event to finish them");
      }
      const Event e = q.top();
      q.pop();
      switch (e.type) {
        case kIssue:
          issue(static_cast<std::uint16_t>(e.a), e.t);
          break;
        case kComplete:
          complete(e.a, e.t);
          break;
        case kL2Arrive:
          l2_arrive(e.a, e.t);
          break;
        case kL2Service:
          l2_service(e.a, e.t);
          break;
      }
    }
    if (next_cta != ctas.size())
      throw sim_error("gpu: kernel " + info.name + " ended with CTAs never scheduled");
    now = std::max(now, last_finish);
    ks->time_ns = static_cast<double>(last_finish - start) / 1e3;
    return *ks;
  }
};

GpuReplay::GpuReplay(const hw::GpuSpec& gpu, const hw::DramSpec& dram,
                     const dram::ControllerConfig& ctrl, StatsRegistry& stats, EnergyLedger& energy)
    : impl_(std::make_unique<Impl>(gpu, dram, ctrl, stats, energy)) {}
GpuReplay::~GpuReplay() = default;

KernelStats GpuReplay::run_kernel(const workloads::KernelInfo& info,
                                  std::vector<workloads::AccessRecord> records) {
  return impl_->run(info, std::move(records));
}

double GpuReplay::now_s() const {
  return static_cast<double>(impl_->now) * 1e-12;
}

const std::vector<KernelStats>& GpuReplay::kernels() const {
  return impl_->done_kernels;
}

void GpuReplay::finalize() {
  Impl& m = *impl_;
  if (m.finalized) return;
  m.finalized = true;
  const Cycle end = std::max<Cycle>(m.dram.last_cycle(), m.now / m.tck);
  m.dram.finalize(end, *m.energy);
  m.dram.throw_if_violations();
  KernelStats t;
  for (const auto& k : m.done_kernels) {
    t.l1_hits += k.l1_hits;
    t.l1_misses += k.l1_misses;
    t.l2_hits += k.l2_hits;
    t.l2_misses += k.l2_misses;
    t.dram_read_bytes += k.dram_read_bytes;
    t.dram_write_bytes += k.dram_write_bytes;
    t.accesses += k.accesses;
    t.latency_sum_cycles += k.latency_sum_cycles;
  }
  StatsGroup& g = m.stats->group("gpu");
  auto rate = [](std::uint64_t h, std::uint64_t mi) {
    return h + mi > 0 ? static_cast<double>(h) / static_cast<double>(h + mi) : 0.0;
  };
  g.scalar("l1_hit_rate", "L1 sector hits / L1 lookups (loads through L1)", "ratio",
           rate(t.l1_hits, t.l1_misses));
  g.scalar("l2_hit_rate", "L2 sector hits / L2 lookups", "ratio", rate(t.l2_hits, t.l2_misses));
  g.scalar("l1_lookups", "L1 sector lookups", "sectors",
           static_cast<double>(t.l1_hits + t.l1_misses));
  g.scalar("l2_lookups", "L2 sector lookups", "sectors",
           static_cast<double>(t.l2_hits + t.l2_misses));
  g.scalar("dram_read_bytes", "bytes read from DRAM (L2 misses)", "bytes",
           static_cast<double>(t.dram_read_bytes));
  g.scalar("dram_write_bytes", "bytes written to DRAM (L2 dirty evictions)", "bytes",
           static_cast<double>(t.dram_write_bytes));
  std::uint64_t dirty = 0;
  for (const auto& c : m.l2) dirty += c.dirty_sectors();
  g.scalar("l2_dirty_bytes_at_end", "dirty data left in L2 when the run ends (not written back)",
           "bytes", static_cast<double>(dirty * static_cast<std::uint64_t>(m.g.l2.sector_bytes)));
  g.scalar("p99_access_latency", "issue to data, 99th percentile (nearest rank), all accesses",
           "SM cycles", static_cast<double>(m.access_latency->percentile(99)));
  g.scalar("mean_access_latency", "issue to data, all accesses", "SM cycles",
           t.accesses ? static_cast<double>(t.latency_sum_cycles) / static_cast<double>(t.accesses)
                      : 0.0);
}

}  // namespace accsim::gpu
