// Warps executing their records on an SM (models/gpu/README.md, "SM model"): compute records on
// their sub-partition's scheduler and pipe, memory records through the L1 port, commit/wait load
// groups, barriers, exit.
#include <algorithm>
#include <bit>
#include <cmath>

#include "models/gpu/impl/replay_impl.h"

namespace accsim::gpu {

namespace {
// The cycle in which a pipe whose next free time is `pf` (fractional cycles: ii need not be whole)
// takes its next instruction: floor(pf). The pipe is a rate, so 1000 instructions of ii = 6.0015
// (the H100's mma.sync m16n8k16) take 6001.5 cycles; rounding each instruction up to a whole
// cycle would make them take 7000.
Cycle pipe_cycle(double pf) {
  return static_cast<Cycle>(pf + 1e-9);
}  // pf >= 0: truncation
}  // namespace

void GpuReplay::Impl::wake(std::uint32_t w, Cycle t) {
  push(t, EvType::kWarp, w);
}

void GpuReplay::Impl::stall(Warp& w, WarpState s, Cycle t) {
  w.state = s;
  w.since = t;
}

void GpuReplay::Impl::unstall(Warp& w, Cycle t) {
  const auto d = static_cast<std::uint64_t>(t - w.since);
  switch (w.state) {
    case WarpState::kMemSlot:
      ks->stall_mem_slots += d;
      break;
    case WarpState::kWaitLoads:
      ks->stall_memory += d;
      break;
    case WarpState::kBarrier:
      ks->stall_barrier += d;
      break;
    default:
      break;
  }
  w.state = WarpState::kReady;
}

// Runs warp `wi` from cycle t until it has to wait (for a pipe, a load, a barrier, a slot) or
// has no more records.
void GpuReplay::Impl::step(std::uint32_t wi, Cycle t) {
  for (;;) {
    Warp& w = warps[wi];
    if (w.pos == w.buf.size()) {
      w.buf.clear();
      w.pos = 0;
      if (w.exhausted || !src->fill(ctas[w.cta].start.handle, w.index, w.buf)) {
        warp_exhausted(wi, t);
        return;
      }
    }
    const AccessRecord& r = w.buf[w.pos];
    bool go_on = true;
    switch (static_cast<RecordKind>(r.kind)) {
      case RecordKind::kLoad:
      case RecordKind::kStore:
      case RecordKind::kAtomic:
        go_on = exec_memory(w, wi, r, t);
        break;
      case RecordKind::kCompute:
        go_on = exec_compute(w, wi, r, t);
        break;
      case RecordKind::kCommit:
        w.groups.push_back(w.open_left);
        ++w.open_group;
        w.open_left = 0;
        ++w.pos;
        break;
      case RecordKind::kWait:
        w.wait_n = static_cast<std::uint32_t>(r.address);
        if (!wait_satisfied(w)) {
          stall(w, WarpState::kWaitLoads, t);
          return;
        }
        ++w.pos;
        break;
      case RecordKind::kBarrier:
        go_on = exec_barrier(w, t);
        break;
      default:  // cta_begin / warp_exit never reach a warp (the source consumes them)
        ++w.pos;
        break;
    }
    if (!go_on) return;
  }
}

// All committed groups but the newest `wait_n` have returned (cp.async.wait_group semantics).
bool GpuReplay::Impl::wait_satisfied(Warp& w) {
  while (!w.groups.empty() && w.groups.front() == 0) {
    w.groups.pop_front();
    ++w.group_base;
  }
  return w.groups.size() <= w.wait_n;
}

void GpuReplay::Impl::load_returned(Warp& w, std::uint32_t group, std::uint32_t n, Cycle t,
                                    std::uint32_t wi) {
  if (group == w.open_group) {
    w.open_left -= n;
    return;
  }
  w.groups[group - w.group_base] -= n;
  if (w.state == WarpState::kWaitLoads && wait_satisfied(w)) {
    unstall(w, t);
    ++w.pos;  // past the wait record
    wake(wi, t);
  }
}

// Consecutive memory records of one kind and flags in one granule go out as one request (the
// sectors of a coalesced access). It needs one slot of the warp's and the SM's outstanding
// limits per sector (a warp with nothing in flight may always issue) and its sectors' slots of
// the SM's L1 port (l1.sectors_per_cycle per cycle); it issues in the cycle of its last slot.
bool GpuReplay::Impl::exec_memory(Warp& w, std::uint32_t wi, const AccessRecord& r, Cycle t) {
  Sm& sm = sms[w.sm];
  const std::uint64_t gran = r.address >> granule_shift;
  auto mask = static_cast<std::uint8_t>(1u << ((r.address & (granule - 1)) / 32));
  std::size_t end = w.pos + 1;
  for (; end < w.buf.size(); ++end) {
    const AccessRecord& x = w.buf[end];
    const auto bit = static_cast<std::uint8_t>(1u << ((x.address & (granule - 1)) / 32));
    if (x.kind != r.kind || x.flags != r.flags || (x.address >> granule_shift) != gran ||
        (mask & bit))
      break;
    mask |= bit;
  }
  const int k = kPopcount4[mask];
  if ((w.outstanding > 0 && w.outstanding + k > warp_limit) ||
      (sm.outstanding > 0 && sm.outstanding + k > g.max_outstanding)) {
    stall(w, WarpState::kMemSlot, t);
    sm.blocked.push_back(wi);
    return false;
  }
  if (w.port_slot != t) {
    const Cycle c = sm.port.take(k, g.l1.sectors_per_cycle, t);
    if (c > t) {
      ks->stall_mem_slots += static_cast<std::uint64_t>(c - t);
      w.port_slot = c;
      wake(wi, c);
      return false;
    }
  }
  w.port_slot = -1;
  w.pos = end;
  issue_access(wi, r, mask, t);
  return true;
}

// Frees the issue slots of the cycles that have passed (a word of the bit ring once all its
// cycles have).
void GpuReplay::Impl::clear_issue_slots(Smsp& sp) {
  const Cycle now = q.now();
  constexpr std::uint64_t kWords = kIssueHorizon / 64;
  if (g.issue_per_cycle == 1) {
    const auto w_now = static_cast<std::uint64_t>(now) / 64;
    auto w = static_cast<std::uint64_t>(sp.cleared) / 64;
    for (const std::uint64_t stop = std::min(w_now, w + kWords); w < stop; ++w)
      sp.bits[w % kWords] = 0;
    sp.cleared = static_cast<Cycle>(w_now * 64);
    return;
  }
  if (sp.counts.empty()) sp.counts.assign(kIssueHorizon, 0);
  const Cycle upto = std::min<Cycle>(now, sp.cleared + static_cast<Cycle>(kIssueHorizon));
  for (Cycle c = sp.cleared; c < upto; ++c)
    sp.counts[static_cast<std::uint64_t>(c) & (kIssueHorizon - 1)] = 0;
  sp.cleared = std::max(sp.cleared, now);
}

// The first cycle at or after `from` in which the scheduler can issue one more instruction;
// books it. Cycles more than about kIssueHorizon ahead are not booked (never reached in
// practice: a batch's instructions issue within a few hundred cycles of its request).
Cycle GpuReplay::Impl::take_issue_slot(Smsp& sp, Cycle from) {
  const auto end = static_cast<std::uint64_t>(q.now()) + kIssueHorizon - 64;
  if (g.issue_per_cycle == 1) {
    constexpr std::uint64_t kWords = kIssueHorizon / 64;
    for (auto c = static_cast<std::uint64_t>(from); c < end;) {
      std::uint64_t& word = sp.bits[(c / 64) % kWords];
      const std::uint64_t free = ~word >> (c % 64);
      if (free != 0) {
        c += static_cast<std::uint64_t>(std::countr_zero(free));
        word |= std::uint64_t{1} << (c % 64);
        return static_cast<Cycle>(c);
      }
      c = (c / 64 + 1) * 64;
    }
    return from;
  }
  for (auto c = static_cast<std::uint64_t>(from); c < end; ++c) {
    std::uint8_t& n = sp.counts[c & (kIssueHorizon - 1)];
    if (n < g.issue_per_cycle) {
      ++n;
      return static_cast<Cycle>(c);
    }
  }
  return from;
}

// Books the issue cycles of a batch of n instructions (one issue slot per cycle: the bit ring),
// each at the first free cycle at or after both the previous one's issue + gap and the cycle the
// pipe takes it (pipe_cycle(pf); pf advances by ii per instruction). Runs of the common case go
// word by word (book_dense); instructions beyond the horizon are not booked (never reached in
// practice).
void GpuReplay::Impl::book_batch(Smsp& sp, Cycle t, std::uint64_t n, double ii_c, Cycle gap,
                                 double& pf, Cycle& first, Cycle& last) {
  const bool dense = gap == 1 && ii_c <= 1.0;
  auto at = static_cast<std::uint64_t>(t);
  while (n > 0) {
    if (dense && pf <= static_cast<double>(at)) {
      const std::uint64_t left = book_dense(sp, at, n, first, last);
      if (left < n) {
        pf = static_cast<double>(last) + ii_c;
        n = left;
        continue;
      }
    }
    book_one(sp, at, ii_c, gap, pf, first, last);
    --n;
  }
}

// One instruction of book_batch.
void GpuReplay::Impl::book_one(Smsp& sp, std::uint64_t& at, double ii_c, Cycle gap, double& pf,
                               Cycle& first, Cycle& last) {
  constexpr std::uint64_t kWords = kIssueHorizon / 64;
  const auto end = static_cast<std::uint64_t>(q.now()) + kIssueHorizon - 64;
  auto c = std::max<std::uint64_t>(at, static_cast<std::uint64_t>(pipe_cycle(pf)));
  while (c < end) {
    std::uint64_t& word = sp.bits[(c / 64) % kWords];
    const std::uint64_t free = ~word & (~std::uint64_t{0} << (c % 64));
    if (free != 0) {
      c = c / 64 * 64 + static_cast<std::uint64_t>(std::countr_zero(free));
      word |= std::uint64_t{1} << (c % 64);
      break;
    }
    c = (c / 64 + 1) * 64;
  }
  const auto ci = static_cast<Cycle>(c);
  if (first < 0) first = ci;
  last = ci;
  pf = std::max(pf, static_cast<double>(ci)) + ii_c;
  at = c + static_cast<std::uint64_t>(gap);
}

// book_batch's common case, a pipe that takes an instruction every cycle or faster (ii <= 1), no
// chain, and the pipe free at the start: then each instruction goes to the first free slot after
// the previous one's (the pipe, free again ii <= 1 cycle after each issue, is never later), so the
// free bits of a ring word are taken together, and the pipe is next free at the last issue + ii.
// Books from cycle `at` up to the horizon; returns the instructions left (beyond it) and sets
// `at` to the cycle after the last one booked.
std::uint64_t GpuReplay::Impl::book_dense(Smsp& sp, std::uint64_t& at, std::uint64_t n,
                                          Cycle& first, Cycle& last) {
  constexpr std::uint64_t kWords = kIssueHorizon / 64;
  const auto end = static_cast<std::uint64_t>(q.now()) + kIssueHorizon - 64;
  std::uint64_t c = at;
  while (n > 0 && c < end) {
    std::uint64_t& word = sp.bits[(c / 64) % kWords];
    const std::uint64_t base = c / 64 * 64;
    std::uint64_t free = ~word & (~std::uint64_t{0} << (c % 64));
    if (free == 0) {
      c = base + 64;
      continue;
    }
    std::uint64_t take = free;
    if (static_cast<std::uint64_t>(std::popcount(free)) > n) {  // the lowest n free slots
      take = 0;
      for (std::uint64_t k = 0; k < n; ++k, free &= free - 1) take |= free & (~free + 1);
    }
    word |= take;
    n -= static_cast<std::uint64_t>(std::popcount(take));
    if (first < 0)
      first = static_cast<Cycle>(base + static_cast<std::uint64_t>(std::countr_zero(take)));
    last = static_cast<Cycle>(base + 63 - static_cast<std::uint64_t>(std::countl_zero(take)));
    c = static_cast<std::uint64_t>(last) + 1;
  }
  at = c;
  return n;
}

// A compute record: n warp-instructions of one class on the warp's sub-partition, issued in
// batches of at most gpu.issue_batch. Each instruction issues in the first cycle where its pipe
// accepts it (one per ii cycles), the scheduler has a free issue slot (booked per cycle, so
// other warps' instructions use the cycles in between) and, for a chain, the previous result is
// ready; the warp goes on (with its next batch or record) after the batch's last instruction. The
// first batch waits for the previous record's result when the record is marked dep; with chain,
// every instruction waits for the one before.
bool GpuReplay::Impl::exec_compute(Warp& w, std::uint32_t wi, const AccessRecord& r, Cycle t) {
  const bool chain = (r.flags & workloads::kFlagChain) != 0;
  const bool dep = w.batch_done == 0 ? (r.flags & workloads::kFlagDep) != 0 : chain;
  if (dep && w.result_at > t) {
    ks->stall_dependency += static_cast<std::uint64_t>(w.result_at - t);
    wake(wi, w.result_at);  // at that cycle the check passes
    return false;
  }
  const auto cls = static_cast<std::size_t>(r.size);
  const auto pipe = workloads::kInstrClasses[cls].pipe;
  const auto p = static_cast<std::size_t>(pipe);
  Smsp& sp = sms[w.sm].smsp[w.smsp];
  double& pipe_free = pipe == Pipe::kSmem ? sms[w.sm].smem_free : sp.pipe_free[p];
  const std::uint64_t batch =
      std::min<std::uint64_t>(r.address - w.batch_done, static_cast<std::uint64_t>(g.issue_batch));
  const Cycle gap = chain ? latency[p] : 1;  // cycles from one instruction to the next's issue
  Cycle first = -1, last_issue = t;
  double pf = pipe_free;
  clear_issue_slots(sp);
  if (g.issue_per_cycle == 1) {
    book_batch(sp, t, batch, ii[cls], gap, pf, first, last_issue);
  } else {
    Cycle at = t;
    for (std::uint64_t k = 0; k < batch; ++k) {
      const Cycle want = std::max(at, pipe_cycle(pf));
      last_issue = take_issue_slot(sp, want);
      if (first < 0) first = last_issue;
      pf = std::max(pf, static_cast<double>(last_issue)) + ii[cls];
      at = last_issue + gap;
    }
  }
  pipe_free = pf;
  const auto n = static_cast<double>(batch);
  w.result_at = last_issue + latency[p];
  w.drain_at = std::max(w.drain_at, w.result_at);
  ks->instructions[cls] += batch;
  ks->issued += batch;
  ks->pipe_busy[p] += n * ii[cls];
  energy->count(e_pipe[p], static_cast<std::uint64_t>(e_units[cls] * n));
  energy->count(e_issue, batch);
  ks->stall_pipe += static_cast<std::uint64_t>(first - t);
  w.batch_done += batch;
  if (w.batch_done == r.address) {
    w.batch_done = 0;
    ++w.pos;
  }
  const Cycle next = last_issue + 1;
  if (next > t) {
    wake(wi, next);
    return false;
  }
  return true;
}

bool GpuReplay::Impl::exec_barrier(Warp& w, Cycle t) {
  Cta& c = ctas[w.cta];
  ++w.pos;
  ++w.barriers;
  if (c.exited > 0) barrier_error(c, w.index);
  if (++c.at_barrier < c.start.warps) {
    stall(w, WarpState::kBarrier, t);
    return false;
  }
  // The last warp arrived: release the others at this cycle.
  c.at_barrier = 0;
  for (std::uint32_t o : c.warps) {
    Warp& x = warps[o];
    if (x.state != WarpState::kBarrier) continue;
    unstall(x, t);
    wake(o, t);
  }
  return true;
}

void GpuReplay::Impl::barrier_error(const Cta& c, std::uint32_t warp_index) const {
  // Name a warp that waits and one that exited without arriving.
  std::uint32_t waiting = warp_index, gone = 0;
  for (std::uint32_t o : c.warps) {
    const Warp& x = warps[o];
    if (x.state == WarpState::kBarrier) waiting = x.index;
    if (x.exhausted) gone = x.index;
  }
  const Warp& wx = warps[c.warps.at(waiting)];
  throw Error(ExitCode::kInput, "gpu: kernel " + ks->name + ", CTA " + std::to_string(c.start.cta) +
                                    ": warp " + std::to_string(waiting) +
                                    " waits at its barrier record #" + std::to_string(wx.barriers) +
                                    " (__syncthreads), which warp " + std::to_string(gone) +
                                    " never reaches: it exits after " +
                                    std::to_string(warps[c.warps.at(gone)].barriers) +
                                    " barriers. Every warp of a CTA must reach each barrier.");
}

void GpuReplay::Impl::warp_exhausted(std::uint32_t wi, Cycle t) {
  Warp& w = warps[wi];
  if (!w.exhausted) {
    w.exhausted = true;
    Cta& c = ctas[w.cta];
    ++c.exited;
    if (c.at_barrier > 0) barrier_error(c, w.index);
    if (w.drain_at > t) {  // the compute results drain from the pipes before the warp ends
      wake(wi, w.drain_at);
      return;
    }
  }
  if (w.outstanding == 0 && w.drain_at <= t) warp_done(wi, t);
  // Otherwise finish() calls warp_done when the last access returns.
}

void GpuReplay::Impl::warp_done(std::uint32_t wi, Cycle t) {
  Warp& w = warps[wi];
  if (w.state == WarpState::kDone) return;
  w.state = WarpState::kDone;
  last_event = std::max(last_event, t);
  Cta& c = ctas[w.cta];
  if (--c.live == 0) cta_done(w.cta, t);
}

}  // namespace accsim::gpu
