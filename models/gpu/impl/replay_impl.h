#pragma once
// The state of the GPU replay (models/gpu/gpu.h), shared by its three parts:
//   replay.cpp  kernels, CTAs, the event loop, statistics, energy, sampling;
//   sm.cpp      warps executing their records on the SM's sub-partitions and pipes;
//   memory.cpp  sector accesses through L1, the L2 slices, the memory partitions and DRAM.
// Time is in SM cycles; the DRAM runs on its own clock (dram::DramBackend), converted at the
// boundary. See models/gpu/README.md for what is modelled and the simplifications.
#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <vector>

#include "models/gpu/gpu.h"
#include "models/gpu/impl/cache.h"
#include "models/gpu/impl/event_queue.h"
#include "models/gpu/impl/occupancy.h"
#include "models/gpu/impl/sector_table.h"
#include "sim/core/slot_pool.h"

namespace accsim::gpu {

using workloads::AccessRecord;
using workloads::InstrClass;
using workloads::Pipe;
using workloads::RecordKind;

enum class EvType : std::uint8_t { kWarp, kComplete, kL2Service };

// Sectors in a 4-bit request mask (a table: no popcount instruction is assumed of the host).
inline constexpr std::uint8_t kPopcount4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

struct Ev {
  std::uint32_t a;  // warp slot or request id
  EvType type;
  std::uint8_t mask;  // the request's sectors the event is about (kComplete, kL2*)
};

// One memory request in flight: the sectors of one 128-byte granule that consecutive records of
// a warp touch with the same kind (a coalesced access: a warp's 16-byte-per-lane load is four
// requests of four sectors). Requests are pooled: ids are reused, so memory does not grow with
// the number of accesses. Caches are still looked up sector by sector.
struct Req {
  std::uint64_t base = 0;  // address of the granule
  Cycle issue = 0;
  std::uint32_t warp = 0;
  std::uint32_t group = 0;  // the warp's load group (loads only)
  std::uint16_t sm = 0;
  std::uint16_t slice = 0;  // its L2 slice (slice_of(base)), set when it leaves for L2
  std::uint8_t kind = 0;
  std::uint8_t left = 0;        // sectors not back yet
  std::uint8_t l1_primary = 0;  // sectors whose L1 miss this request fetches (fills L1)
  bool bypass = false;
  bool to_shared = false;  // cp.async: the data is written to shared memory when it arrives
};

// A sector of a request waiting on another request's miss of the same sector (MSHR merging).
struct Waiter {
  std::uint32_t req = 0;
  std::uint8_t sector = 0;
  std::uint32_t next = SectorTable::kNone;
};

enum class WarpState : std::uint8_t {
  kReady,      // an event will run it
  kMemSlot,    // waits for an outstanding-request slot
  kWaitLoads,  // at a wait record
  kBarrier,    // at a barrier
  kDone,       // exited and nothing in flight
};

struct Warp {
  // Hot fields first (the first cache line); the group queue after.
  std::vector<AccessRecord> buf;  // the next records of this warp (from the source)
  std::size_t pos = 0;            // next record in buf
  std::int32_t outstanding = 0;
  std::uint32_t cta = 0;    // slot in Impl::ctas
  std::uint32_t index = 0;  // warp index in the CTA
  std::uint16_t sm = 0;
  std::uint8_t smsp = 0;
  WarpState state = WarpState::kReady;
  bool exhausted = false;        // the source has no more records for it
  Cycle result_at = 0;           // when the last compute record's results are ready
  Cycle drain_at = 0;            // when every compute result issued so far is ready
  Cycle port_slot = -1;          // an L1 port slot reserved for this cycle
  Cycle since = 0;               // when the current stall began
  std::uint64_t batch_done = 0;  // instructions of the current compute record already issued
  // Load groups: the open group (loads since the last commit) and the committed ones still in
  // flight; group ids increase; `groups[i]` is the loads outstanding of group group_base + i.
  std::uint32_t open_group = 0, open_left = 0;
  std::uint32_t group_base = 0;
  std::uint32_t barriers = 0;  // barriers passed
  std::uint32_t wait_n = 0;
  std::deque<std::uint32_t> groups;
};

struct Cta {
  workloads::CtaStart start;
  std::uint16_t sm = 0;
  std::vector<std::uint32_t> warps;  // warp slots
  std::uint32_t live = 0;            // warps not done
  std::uint32_t exited = 0;          // warps whose records ended
  std::uint32_t at_barrier = 0;      // warps waiting at the current barrier
};

// A sub-partition's scheduler: the issue slots taken in the next kIssueHorizon cycles (a ring;
// a batch of instructions books the exact cycles its instructions issue, so other warps'
// instructions fill the cycles in between), and when each pipe accepts its next instruction.
// One bit per cycle when the scheduler issues one instruction per cycle (every preset), else a
// count per cycle.
constexpr std::uint64_t kIssueHorizon = 4096;  // a power of two
struct Smsp {
  std::vector<std::uint64_t> bits = std::vector<std::uint64_t>(kIssueHorizon / 64, 0);
  std::vector<std::uint8_t> counts;            // issue_per_cycle > 1 only
  Cycle cleared = 0;                           // slots of cycles before this are free again
  std::array<double, kPipeCount> pipe_free{};  // per pipe (smem is the SM's, in Sm)
};

// A port that takes `cap` sectors per cycle, in the order asked (the SM's L1 port, an L2
// slice): take(k) books k sectors from cycle t on and returns the cycle of the last.
struct PortSlots {
  Cycle cycle = -1;
  int used = 0;
  Cycle take(int k, int cap, Cycle t) {
    for (; k > 0;) {
      if (t > cycle) {
        cycle = t;
        used = 0;
      }
      if (used == cap) {
        ++cycle;
        used = 0;
      }
      const int n = std::min(k, cap - used);
      used += n;
      k -= n;
    }
    return cycle;
  }
};

struct Sm {
  std::vector<Smsp> smsp;
  double smem_free = 0;
  std::int32_t outstanding = 0;
  std::int32_t resident = 0;
  std::uint32_t warps_started = 0;
  PortSlots port;                     // the L1 port
  std::deque<std::uint32_t> blocked;  // warps waiting for an outstanding-request slot
};

struct GpuReplay::Impl {
  Impl(const hw::GpuSpec& gs, const hw::DramSpec& ds, const dram::ControllerConfig& ctrl,
       StatsRegistry& st, EnergyLedger& en);

  // --- configuration ---
  hw::GpuSpec g;
  hw::DramSpec dspec;
  Ps P;    // SM clock period, ps
  Ps tck;  // DRAM clock period, ps
  StatsRegistry* stats;
  EnergyLedger* energy;
  dram::ControllerConfig ctrl_cfg;
  std::array<double, kInstrClassCount> ii{};  // pipe cycles per warp-instruction, per class
  std::array<int, kPipeCount> latency{};
  std::array<EnergyLedger::Handle, kPipeCount> e_pipe{};
  std::array<double, kInstrClassCount> e_units{};  // energy units per warp-instruction
  EnergyLedger::Handle e_l1 = 0, e_l2 = 0, e_issue = 0;

  // --- the machine (kept across kernels) ---
  dram::DramBackend dram;
  std::vector<SectorCache> l1, l2;
  std::vector<SectorTable> l1_pending;
  SectorTable l2_pending;
  std::vector<PortSlots> slices;
  Cycle now = 0;  // end of the last kernel, SM cycles
  std::vector<KernelStats> done_kernels;
  Distribution* access_latency = nullptr;
  bool finalized = false;

  // --- per kernel ---
  CalendarQueue<Ev> q;
  SlotPool<Req> reqs;
  SlotPool<Waiter> waiters;
  std::uint64_t granule = 128;  // bytes of a request (at most 4 sectors, within one L1/L2 line)
  int granule_shift = 7;        // log2(granule): line sizes are powers of two
  SlotPool<Warp> warps;
  SlotPool<Cta> ctas;
  std::vector<Sm> sms;
  workloads::KernelRecordSource* src = nullptr;
  KernelStats* ks = nullptr;
  int ctas_per_sm = 1;
  // Sectors a warp may have in flight: gpu.warp_outstanding for memory-only kernels (they have no
  // wait records, so the limit stands for the loads a warp issues before it needs their data);
  // unbounded with the instruction mix, whose wait records say when a warp needs its loads.
  std::int32_t warp_limit = 0;
  std::uint64_t dispatched = 0, finished_ctas = 0, cta_budget = 0;
  bool source_done = false;
  Cycle last_event = 0;

  // --- memory partitions in front of the DRAM channels ---
  struct WaitReq {
    std::uint64_t id, addr;
    bool write;
  };
  std::vector<std::deque<WaitReq>> chan_wait;
  std::vector<int> chan_rd, chan_wr;
  std::vector<dram::DramBackend::Done> dram_done;
  std::vector<std::uint64_t> writebacks, pending_wb;
  Cycle pending_wb_time = 0;
  Cycle dc_cache = 0;
  bool dc_dirty = true;

  // replay.cpp
  KernelStats run(workloads::KernelRecordSource& s, const RunOptions& opt);
  void start_kernel(workloads::KernelRecordSource& s, const RunOptions& opt);
  void reset_l1(const CtaOccupancy& occ, std::uint64_t smem);
  void event_loop(const RunOptions& opt);
  void dispatch(std::uint16_t sm, Cycle t);
  bool launch_cta(std::uint16_t sm, Cycle t);
  void cta_done(std::uint32_t cta, Cycle t);
  void close_kernel(Cycle start);
  void extrapolate();
  void classify();
  void push(Cycle t, EvType type, std::uint32_t a, std::uint8_t mask = 0) {
    q.push(t, Ev{a, type, mask});
  }

  // sm.cpp
  void step(std::uint32_t w, Cycle t);
  bool exec_compute(Warp& w, std::uint32_t wi, const AccessRecord& r, Cycle t);
  void clear_issue_slots(Smsp& sp);
  Cycle take_issue_slot(Smsp& sp, Cycle from);
  std::uint64_t book_dense(Smsp& sp, std::uint64_t& at, std::uint64_t n, Cycle& first, Cycle& last);
  void book_one(Smsp& sp, std::uint64_t& at, double ii_c, Cycle gap, double& pf, Cycle& first,
                Cycle& last);
  void book_batch(Smsp& sp, Cycle t, std::uint64_t n, double ii_c, Cycle gap, double& pf,
                  Cycle& first, Cycle& last);
  bool exec_memory(Warp& w, std::uint32_t wi, const AccessRecord& r, Cycle t);
  bool exec_barrier(Warp& w, Cycle t);
  bool wait_satisfied(Warp& w);
  void wake(std::uint32_t w, Cycle t);
  void stall(Warp& w, WarpState s, Cycle t);
  void unstall(Warp& w, Cycle t);
  void warp_exhausted(std::uint32_t w, Cycle t);
  void warp_done(std::uint32_t w, Cycle t);
  void load_returned(Warp& w, std::uint32_t group, std::uint32_t n, Cycle t, std::uint32_t wi);
  [[noreturn]] void barrier_error(const Cta& c, std::uint32_t warp_index) const;

  // memory.cpp
  void issue_access(std::uint32_t wi, const AccessRecord& r, std::uint8_t mask, Cycle t);
  void to_l2(std::uint32_t id, std::uint8_t mask, Cycle arrival);
  void prefetch_for(const Ev* e, bool deep) const;
  void l2_service(std::uint32_t id, std::uint8_t mask, Cycle t);
  void complete(std::uint32_t id, std::uint8_t mask, Cycle t);
  void finish(std::uint32_t id, std::uint8_t mask, Cycle t);
  void submit_dram(std::uint64_t id, std::uint64_t sector, bool write, Cycle t);
  void drain_channel(std::size_t ch);
  void handle_dram_done();
  void flush_writebacks(Cycle t);
  int slice_of(std::uint64_t sector) const;
  int chan_of(std::uint64_t addr) const { return dram.mapper().decode(addr).channel; }
  std::uint64_t partition(std::uint64_t addr) const;
  Cycle dram_next();
  Cycle to_sm(Cycle dram_cycle) const { return (dram_cycle * tck + P - 1) / P; }
  std::uint32_t add_waiter(std::uint32_t head, std::uint32_t req, std::uint8_t sector);
  void wake_blocked(Sm& sm, Cycle t);
  std::uint32_t new_req();
};

}  // namespace accsim::gpu
