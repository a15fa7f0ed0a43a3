#pragma once
// A cycle-stepped reference for the dataflow engine: it advances one cycle at a time and, in each
// cycle, fires every unit whose II has elapsed, whose inputs are at the head of their channels
// and receivable, and whose outputs have a free slot, repeating until nothing more fires in that
// cycle (a receive frees its slot in the same cycle when credit_latency = 0). It shares only the
// units' plan()/fire() with the engine; channels, back-pressure, stalls and occupancy are its own
// straightforward per-cycle bookkeeping. Tests require the two to agree exactly.
//
// With a shared memory (the DRAM), the reference issues requests in global time order by
// construction; before each cycle c it tells the memory that every request up to c - 1 has been
// made (SharedMemory::advance), and an element whose read is not answered yet is not receivable.
#include <algorithm>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "models/dataflow/dataflow.h"

namespace accsim::dataflow::testing {

struct RefResult {
  std::vector<std::vector<Cycle>> firings;  // per unit
  std::vector<std::uint64_t> starved, blocked;
  std::vector<std::uint64_t> peak;  // per channel
  Cycle total_cycles = 0;
  bool deadlock = false;
};

inline RefResult reference_run(Graph& g, const hw::DataflowSpec& spec, Cycle max_cycles = 1 << 22) {
  g.finalize(spec);
  struct Elem {
    Cycle ready;
    std::vector<float> data;
  };
  struct Ch {
    std::deque<Elem> buf;
    std::deque<Cycle> frees;  // slots received but not yet reusable: their reuse cycle
    bool closed = false;
  };
  const std::size_t nu = g.units().size(), nc = g.channels().size();
  std::vector<Ch> ch(nc);
  RefResult r;
  r.firings.assign(nu, {});
  r.starved.assign(nu, 0);
  r.blocked.assign(nu, 0);
  r.peak.assign(nc, 0);
  std::vector<Cycle> next(nu, 0), last_res(nu, 0);
  std::vector<std::uint64_t> pend_starved(nu, 0), pend_blocked(nu, 0);
  std::vector<bool> done(nu, false);

  auto occupancy = [&](std::size_t ci, Cycle c) {
    std::size_t n = ch[ci].buf.size();
    for (Cycle f : ch[ci].frees) n += f > c ? 1 : 0;
    return n;
  };
  auto finish = [&](std::size_t u) {
    done[u] = true;
    for (int ci : g.units()[u]->out_ch)
      if (ci >= 0) ch[static_cast<std::size_t>(ci)].closed = true;
  };

  // Shared memory: firings waiting for their answer, by (port, ticket).
  struct Pending {
    std::size_t unit;
    Elem* elem;  // null for a write
    Cycle lat;
    Cycle floor;
  };
  std::map<std::pair<int, std::uint64_t>, Pending> pending;
  std::vector<SharedMemory::Resolved> resolved;
  auto apply = [&] {
    for (const auto& a : resolved) {
      auto it = pending.find({a.port, a.ticket});
      if (it == pending.end()) continue;
      const Cycle res = std::max(it->second.floor, a.done);
      if (it->second.elem) it->second.elem->ready = res + it->second.lat;
      last_res[it->second.unit] = std::max(last_res[it->second.unit], res);
      pending.erase(it);
    }
    resolved.clear();
  };

  Cycle c = 0;
  for (; c < max_cycles; ++c) {
    if (g.memory && c > 0) {
      g.memory->advance(c - 1, resolved);
      apply();
    }
    std::vector<bool> fired(nu, false);
    bool changed = true;
    while (changed) {
      changed = false;
      for (std::size_t u = 0; u < nu; ++u) {
        if (done[u] || fired[u] || c < next[u]) continue;
        Unit& U = *g.units()[u];
        FirePlan p = U.plan();
        if (p.done) {
          finish(u);
          changed = true;
          continue;
        }
        bool ok = true, ends = false;
        for (std::size_t i = 0; i < U.inputs().size(); ++i) {
          if (!(p.pop >> i & 1u)) continue;
          Ch& k = ch[static_cast<std::size_t>(U.in_ch[i])];
          if (k.buf.empty()) {
            ends = ends || k.closed;
            ok = false;
          } else if (k.buf.front().ready > c) {
            ok = false;
          }
        }
        if (ends) {
          finish(u);
          changed = true;
          continue;
        }
        for (std::size_t o = 0; o < U.outputs().size() && ok; ++o) {
          if (!(p.push >> o & 1u)) continue;
          auto ci = static_cast<std::size_t>(U.out_ch[o]);
          if (occupancy(ci, c) >= g.channels()[ci]->p.capacity) ok = false;
        }
        if (!ok) continue;
        const float* in[32];
        float* out[32];
        std::vector<std::vector<float>> outs(U.outputs().size());
        for (std::size_t i = 0; i < U.inputs().size(); ++i)
          if (p.pop >> i & 1u)
            in[i] = ch[static_cast<std::size_t>(U.in_ch[i])].buf.front().data.data();
        for (std::size_t o = 0; o < U.outputs().size(); ++o)
          if (p.push >> o & 1u) {
            outs[o].assign(static_cast<std::size_t>(U.out_widths()[o]), 0.0f);
            out[o] = outs[o].data();
          }
        const Cycle res = U.fire(c, in, out);
        const bool pend = res == MemoryPort::kPending;
        std::pair<int, std::uint64_t> key{-1, 0};
        if (pend) {
          const MemoryPort* mp = U.memory_port();
          key = {mp->shared_id(), mp->stats().reads + mp->stats().writes - 1};
          pending[key] = Pending{u, nullptr, 0, c + U.depth()};
        }
        for (std::size_t i = 0; i < U.inputs().size(); ++i)
          if (p.pop >> i & 1u) {
            auto ci = static_cast<std::size_t>(U.in_ch[i]);
            ch[ci].buf.pop_front();
            ch[ci].frees.push_back(c + g.channels()[ci]->p.credit_latency);
          }
        for (std::size_t o = 0; o < U.outputs().size(); ++o)
          if (p.push >> o & 1u) {
            auto ci = static_cast<std::size_t>(U.out_ch[o]);
            const Cycle lat = g.channels()[ci]->p.latency;
            ch[ci].buf.push_back({pend ? MemoryPort::kPending : res + lat, std::move(outs[o])});
            if (pend) {
              pending[key].elem = &ch[ci].buf.back();
              pending[key].lat = lat;
            }
          }
        r.firings[u].push_back(c);
        r.starved[u] += pend_starved[u];
        r.blocked[u] += pend_blocked[u];
        pend_starved[u] = pend_blocked[u] = 0;
        if (!pend) last_res[u] = std::max(last_res[u], res);
        next[u] = c + U.ii();
        fired[u] = true;
        changed = true;
      }
    }
    // Stall classification of this cycle for units that could have fired by their II.
    for (std::size_t u = 0; u < nu; ++u) {
      if (done[u] || fired[u] || c < next[u]) continue;
      Unit& U = *g.units()[u];
      FirePlan p = U.plan();
      bool inputs_ready = true;
      for (std::size_t i = 0; i < U.inputs().size(); ++i)
        if (p.pop >> i & 1u) {
          const Ch& k = ch[static_cast<std::size_t>(U.in_ch[i])];
          inputs_ready = inputs_ready && !k.buf.empty() && k.buf.front().ready <= c;
        }
      (inputs_ready ? pend_blocked : pend_starved)[u]++;
    }
    for (std::size_t ci = 0; ci < nc; ++ci) {
      auto& fr = ch[ci].frees;
      r.peak[ci] = std::max<std::uint64_t>(r.peak[ci], occupancy(ci, c));
      while (!fr.empty() && fr.front() <= c) fr.pop_front();
    }
    if (std::all_of(done.begin(), done.end(), [](bool b) { return b; })) break;
    // Deadlock: nothing fired and nothing can change in any later cycle.
    bool any_fired = std::any_of(fired.begin(), fired.end(), [](bool b) { return b; });
    if (!any_fired) {
      bool future = g.memory && g.memory->pending() > 0;
      for (std::size_t u = 0; u < nu; ++u) future = future || (!done[u] && next[u] > c);
      for (const auto& k : ch) {
        future = future || (!k.buf.empty() && k.buf.front().ready > c);
        for (Cycle f : k.frees) future = future || f > c;
      }
      if (!future) {
        r.deadlock = true;
        break;
      }
    }
  }
  // Writes still in flight after the last unit finished.
  for (Cycle t = c; g.memory && g.memory->pending() > 0; t += 1024) {
    g.memory->advance(t, resolved);
    apply();
  }
  Cycle end = 0;
  for (std::size_t u = 0; u < nu; ++u) {
    if (!r.firings[u].empty()) end = std::max(end, r.firings[u].back() + 1);
    end = std::max(end, last_res[u]);
    if (const MemoryPort* p = g.units()[u]->memory_port())
      end = std::max(end, p->stats().last_done);
  }
  r.total_cycles = end;
  return r;
}

}  // namespace accsim::dataflow::testing
