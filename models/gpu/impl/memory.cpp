// Sector accesses through the memory hierarchy (models/gpu/README.md, "Memory hierarchy"): the
// SM's L1 (loads only; MSHR merging), the L2 slices (write-back, write-allocate; merging), the
// memory partitions in front of the DRAM channels, and DRAM through dram::DramBackend.
#include <algorithm>
#include <bit>

#include "models/gpu/impl/replay_impl.h"

namespace accsim::gpu {

namespace {
constexpr std::uint64_t kWriteback = 1ull << 63;  // DRAM ids of dirty evictions
}

std::uint32_t GpuReplay::Impl::new_req() {
  return reqs.acquire();
}

int GpuReplay::Impl::slice_of(std::uint64_t sector) const {
  // An XOR hash of the line address over the slices (the real H100 hash is not public).
  const std::uint64_t line = sector >> std::countr_zero(static_cast<unsigned>(g.l2.line_bytes));
  const std::uint64_t h = line ^ (line >> 7) ^ (line >> 13) ^ (line >> 19);
  return static_cast<int>(h % static_cast<std::uint64_t>(g.l2_slices));
}

// The memory partitions (models/gpu/README.md, "Memory hierarchy"). A DRAM page's worth of
// consecutive addresses (one row of one bank of a channel: 1 KB for an HBM3 or HBM2
// pseudo-channel) stays together; consecutive pages go to different channels, the channel index
// rotated by a multiplicative hash of the address above it so that strided streams do not pile
// onto a few channels ("partition camping"), and, within a channel, through its bank groups,
// banks, stack IDs, ranks and rows in that order. A coalesced stream then reads a whole row per
// activation. GPUs' interleave and hash are not public: this layout is an assumption. It is a
// bijection for any channel count (every address keeps one place).
std::uint64_t GpuReplay::Impl::partition(std::uint64_t addr) const {
  const auto& m = dram.mapper();
  const auto& o = dspec.org;
  const std::uint64_t a = addr % m.capacity_bytes();
  const auto burst = static_cast<std::uint64_t>(o.burst_bytes());
  const auto page = burst * static_cast<std::uint64_t>(o.bursts_per_row());
  const auto nch = static_cast<std::uint64_t>(dram.channels());
  const std::uint64_t chunk = a / page, off = a % page;
  std::uint64_t x = (chunk / nch) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  dram::DramAddr d = m.decode(a);
  d.channel = static_cast<int>((chunk % nch + x % nch) % nch);
  std::uint64_t l = chunk / nch;  // the page's index in its channel
  d.bank.bank_group = static_cast<int>(l % static_cast<std::uint64_t>(o.bank_groups));
  l /= static_cast<std::uint64_t>(o.bank_groups);
  d.bank.bank = static_cast<int>(l % static_cast<std::uint64_t>(o.banks_per_group));
  l /= static_cast<std::uint64_t>(o.banks_per_group);
  d.bank.sid = static_cast<int>(l % static_cast<std::uint64_t>(o.stack_ids));
  l /= static_cast<std::uint64_t>(o.stack_ids);
  d.bank.rank = static_cast<int>(l % static_cast<std::uint64_t>(o.ranks));
  d.row = static_cast<std::int64_t>(l / static_cast<std::uint64_t>(o.ranks) %
                                    static_cast<std::uint64_t>(o.rows));
  d.column = static_cast<int>(off / burst);
  return m.encode(d) + off % burst;
}

namespace {
// The list head stored in an MSHR table for a miss that nobody else waits on yet.
constexpr std::uint32_t kNoWaiters = SectorTable::kNone - 1;
constexpr std::uint64_t kSector = 32;
}  // namespace

std::uint32_t GpuReplay::Impl::add_waiter(std::uint32_t head, std::uint32_t req,
                                          std::uint8_t sector) {
  const std::uint32_t w = waiters.acquire();
  waiters[w] = Waiter{req, sector, head == kNoWaiters ? SectorTable::kNone : head};
  return w;
}

// A warp's memory request at cycle t (its L1 port slots end this cycle): the sectors `mask` of
// the granule of record r.
void GpuReplay::Impl::issue_access(std::uint32_t wi, const AccessRecord& r, std::uint8_t mask,
                                   Cycle t) {
  Warp& w = warps[wi];
  Sm& sm = sms[w.sm];
  const int k = kPopcount4[mask];
  w.outstanding += k;
  sm.outstanding += k;
  const std::uint32_t id = new_req();
  Req& q = reqs[id];
  q = Req{};
  q.base = r.address & ~(granule - 1);
  q.issue = t;
  q.warp = wi;
  q.sm = w.sm;
  q.kind = r.kind;
  q.left = static_cast<std::uint8_t>(k);
  q.bypass = (r.flags & workloads::kFlagL1Bypass) != 0 ||
             r.kind != static_cast<std::uint8_t>(RecordKind::kLoad);
  if (r.kind == static_cast<std::uint8_t>(RecordKind::kLoad)) {
    q.group = w.open_group;
    w.open_left += static_cast<std::uint32_t>(k);
    q.to_shared = (r.flags & workloads::kFlagToShared) != 0;
  }
  const Cycle l1_done = t + g.l1.hit_latency;
  if (q.bypass) {
    to_l2(id, mask, l1_done);
    return;
  }
  energy->count(e_l1, static_cast<std::uint64_t>(k));
  std::uint8_t hit = 0, miss = 0;
  SectorTable& pend = l1_pending[w.sm];
  for (std::uint8_t m = mask; m != 0; m &= m - 1) {
    const auto s = static_cast<std::uint8_t>(std::countr_zero(m));
    const std::uint64_t addr = q.base + s * kSector;
    if (l1[w.sm].lookup(addr)) {
      ++ks->l1_hits;
      hit |= static_cast<std::uint8_t>(1u << s);
    } else if (const std::uint32_t head = pend.find(addr); head != SectorTable::kNone) {
      ++ks->l1_pending;  // merged into the outstanding miss
      pend.at(addr) = add_waiter(head, id, s);
    } else {
      ++ks->l1_misses;
      miss |= static_cast<std::uint8_t>(1u << s);
      pend.insert(addr, kNoWaiters);
    }
  }
  q.l1_primary = miss;
  if (hit) push(l1_done, EvType::kComplete, id, hit);
  if (miss) to_l2(id, miss, l1_done);
}

// Each slice takes `l2.sectors_per_cycle` lookups per cycle, in arrival order (a request's
// granule lies in one line, so in one slice). Every request reaches L2 a fixed time after it
// issues and requests issue in time order, so the slice's slots are booked now, in issue order,
// which is arrival order: one event (the lookup) per request instead of two.
void GpuReplay::Impl::to_l2(std::uint32_t id, std::uint8_t mask, Cycle arrival) {
  Req& r = reqs[id];
  r.slice = static_cast<std::uint16_t>(slice_of(r.base));
  const Cycle c = slices[r.slice].take(kPopcount4[mask], g.l2.sectors_per_cycle, arrival);
  push(c, EvType::kL2Service, id, mask);
}

void GpuReplay::Impl::l2_service(std::uint32_t id, std::uint8_t mask, Cycle t) {
  Req& r = reqs[id];
  SectorCache& c = l2[r.slice];
  energy->count(e_l2, static_cast<std::uint64_t>(kPopcount4[mask]));
  std::uint8_t done = 0;
  for (std::uint8_t m = mask; m != 0; m &= m - 1) {
    const auto s = static_cast<std::uint8_t>(std::countr_zero(m));
    const auto bit = static_cast<std::uint8_t>(1u << s);
    const std::uint64_t addr = r.base + s * kSector;
    if (r.kind == static_cast<std::uint8_t>(RecordKind::kStore)) {
      // Write-back, write-allocate; a whole-sector store needs no fetch.
      if (c.mark_dirty(addr)) {
        ++ks->l2_hits;
      } else {
        ++ks->l2_store_allocs;
        c.fill(addr, true, &writebacks);
      }
      done |= bit;
    } else if (c.lookup(addr)) {
      ++ks->l2_hits;
      if (r.kind == static_cast<std::uint8_t>(RecordKind::kAtomic)) c.mark_dirty(addr);
      done |= bit;
    } else if (const std::uint32_t head = l2_pending.find(addr); head != SectorTable::kNone) {
      ++ks->l2_pending;
      l2_pending.at(addr) = add_waiter(head, id, s);
    } else {
      ++ks->l2_misses;
      l2_pending.insert(addr, kNoWaiters);
      submit_dram((std::uint64_t{id} << 3) | s, addr, false, t);
    }
  }
  if (!writebacks.empty()) flush_writebacks(t);
  if (done) push(t + g.l2.hit_latency - g.l1.hit_latency, EvType::kComplete, id, done);
}

Cycle GpuReplay::Impl::dram_next() {
  // DramBackend::next_cycle() scans every channel; it only changes when the DRAM runs or gets a
  // request, so it is cached in between.
  if (dc_dirty) {
    dc_cache = dram.next_cycle();
    dc_dirty = false;
  }
  return dc_cache;
}

// The memory partition in front of each DRAM channel: requests go to the controller only while
// its read (write) queue has room, so a full channel never holds up the others (the backend, like
// one TLM initiator, would otherwise block every later request).
void GpuReplay::Impl::submit_dram(std::uint64_t id, std::uint64_t sector, bool write, Cycle t) {
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
  const Cycle arrival = std::max<Cycle>((t * P + tck - 1) / tck, dram.last_cycle() + 1);
  if (arrival - 1 > dram.last_cycle()) {
    dram.run_until(arrival - 1, dram_done);
    dc_dirty = true;
    handle_dram_done();
  }
  dram.submit(id, addr, static_cast<std::uint32_t>(g.l2.sector_bytes), write, arrival);
  dc_dirty = true;
}

// A request of channel `ch` left its queue: send waiting ones that now fit, in order.
void GpuReplay::Impl::drain_channel(std::size_t ch) {
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

void GpuReplay::Impl::flush_writebacks(Cycle t) {
  for (std::uint64_t a : writebacks) submit_dram(kWriteback | a, a, true, t);
  writebacks.clear();
}

void GpuReplay::Impl::handle_dram_done() {
  std::vector<dram::DramBackend::Done> batch;
  batch.swap(dram_done);
  const auto addr_of = [this](std::uint64_t dram_id) {
    return (dram_id & kWriteback) != 0 ? (dram_id & ~kWriteback)
                                       : reqs[dram_id >> 3].base + (dram_id & 7) * kSector;
  };
  for (const auto& d : batch) {
    const auto ch = static_cast<std::size_t>(chan_of(partition(addr_of(d.id))));
    --(d.is_write ? chan_wr[ch] : chan_rd[ch]);
    drain_channel(ch);
  }
  for (const auto& d : batch) {
    if ((d.id & kWriteback) != 0) continue;
    const auto id = static_cast<std::uint32_t>(d.id >> 3);
    const auto s = static_cast<std::uint8_t>(d.id & 7);
    const std::uint64_t sector = addr_of(d.id);
    const Cycle t = to_sm(d.done);
    SectorCache& c = l2[static_cast<std::size_t>(slice_of(sector))];
    const std::uint32_t head = l2_pending.erase(sector);
    bool dirty = reqs[id].kind == static_cast<std::uint8_t>(RecordKind::kAtomic);
    for (std::uint32_t w = head; w < kNoWaiters; w = waiters[w].next)
      dirty |= reqs[waiters[w].req].kind == static_cast<std::uint8_t>(RecordKind::kAtomic);
    c.fill(sector, dirty, &writebacks);
    energy->count(e_l2);  // the fill
    const Cycle back = t + g.dram_latency + g.l2.hit_latency - g.l1.hit_latency;
    push(back, EvType::kComplete, id, static_cast<std::uint8_t>(1u << s));
    for (std::uint32_t w = head; w < kNoWaiters;) {
      const Waiter x = waiters[w];
      waiters.release(w);
      push(back, EvType::kComplete, x.req, static_cast<std::uint8_t>(1u << x.sector));
      w = x.next;
    }
    if (!writebacks.empty()) {
      // Evictions leave after the fill; submitted when the event loop reaches that time.
      pending_wb_time = std::max(pending_wb_time, t);
      pending_wb.insert(pending_wb.end(), writebacks.begin(), writebacks.end());
      writebacks.clear();
    }
  }
}

// Sectors `mask` of request id are back at the SM: those this request fetched for L1 fill it and
// release the requests merged into their misses.
void GpuReplay::Impl::complete(std::uint32_t id, std::uint8_t mask, Cycle t) {
  const std::uint8_t prim = reqs[id].l1_primary & mask;
  if (prim) {
    const std::uint16_t sm = reqs[id].sm;
    const std::uint64_t base = reqs[id].base;
    for (std::uint8_t m = prim; m != 0; m &= m - 1) {
      const std::uint64_t sector = base + static_cast<std::uint64_t>(std::countr_zero(m)) * kSector;
      l1[sm].fill(sector, false, nullptr);
      for (std::uint32_t w = l1_pending[sm].erase(sector); w < kNoWaiters;) {
        const Waiter x = waiters[w];
        waiters.release(w);
        finish(x.req, static_cast<std::uint8_t>(1u << x.sector), t);
        w = x.next;
      }
    }
  }
  finish(id, mask, t);
}

// Sectors `mask` of request id have returned to their warp.
void GpuReplay::Impl::finish(std::uint32_t id, std::uint8_t mask, Cycle t) {
  Req& r = reqs[id];
  const int k = kPopcount4[mask];
  Warp& w = warps[r.warp];
  Sm& sm = sms[r.sm];
  w.outstanding -= k;
  sm.outstanding -= k;
  const auto lat = static_cast<std::uint64_t>(t - r.issue);
  ks->latency_sum_cycles += lat * static_cast<std::uint64_t>(k);
  access_latency->add(lat, static_cast<std::uint64_t>(k));
  ks->latency_max_cycles = std::max(ks->latency_max_cycles, lat);
  ks->accesses += static_cast<std::uint64_t>(k);
  if (r.to_shared) {
    // cp.async writes the sectors into shared memory: the SM's shared-memory bandwidth.
    const double busy = static_cast<double>(k * kSector) / g.pipes.smem.rate;
    sm.smem_free = std::max(sm.smem_free, static_cast<double>(t)) + busy;
    ks->pipe_busy[static_cast<std::size_t>(Pipe::kSmem)] += busy;
    ks->smem_async_bytes += static_cast<std::uint64_t>(k) * kSector;
    energy->count(e_pipe[static_cast<std::size_t>(Pipe::kSmem)],
                  8u * kSector * static_cast<std::uint64_t>(k));
  }
  const std::uint32_t wi = r.warp;
  if (r.kind == static_cast<std::uint8_t>(RecordKind::kLoad))
    load_returned(w, r.group, static_cast<std::uint32_t>(k), t, wi);
  r.left = static_cast<std::uint8_t>(r.left - k);
  if (r.left == 0) reqs.release(id);
  if (!sm.blocked.empty()) wake_blocked(sm, t);
  // Done once its records ended, nothing is in flight and its last results are out of the pipe
  // (if they are not yet, warp_exhausted's wake-up at that cycle ends it).
  if (w.exhausted && w.outstanding == 0 && w.drain_at <= t && w.state != WarpState::kDone)
    warp_done(wi, t);
}

// A slot is free: wake the first warp of this SM blocked on the outstanding limits that may
// issue now.
void GpuReplay::Impl::wake_blocked(Sm& sm, Cycle t) {
  for (auto it = sm.blocked.begin(); it != sm.blocked.end(); ++it) {
    Warp& b = warps[*it];
    if (b.outstanding < warp_limit && sm.outstanding < g.max_outstanding) {
      const std::uint32_t bi = *it;
      sm.blocked.erase(it);
      unstall(b, t);
      wake(bi, t);
      return;
    }
  }
}

}  // namespace accsim::gpu
