#include "models/dram/impl/controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "models/dram/impl/address_map.h"
#include "sim/core/error.h"

namespace accsim::dram {

// ---------------------------------------------------------------------------------------------
// Configuration schema
// ---------------------------------------------------------------------------------------------

const config::Schema<ControllerConfig>& controller_schema() {
  using C = ControllerConfig;
  using config::Range;
  static const config::Schema<C> schema = [] {
    config::Schema<C> s("controller");
    s.text("scheduler", &C::scheduler, std::string("FRFCFS"),
           "request scheduler, by registered name (FRFCFS: row hits first, then oldest; FCFS: "
           "oldest first)");
    s.choice<PagePolicy>("page_policy", &C::page_policy,
                         {{"open", PagePolicy::kOpen}, {"closed", PagePolicy::kClosed}},
                         PagePolicy::kOpen,
                         "open: rows stay open until another row is needed; closed: column "
                         "commands auto-precharge unless another queued request hits the row");
    // Ramulator 2's generic controller uses 32-entry request buffers (buf_size = 32).
    s.integer<int>("read_queue", &C::read_queue, 32, Range::between(1, 4096), "entries",
                   "read queue entries (one per burst) per channel; a full queue back-pressures "
                   "the initiator");
    s.integer<int>("write_queue", &C::write_queue, 32, Range::between(1, 4096), "entries",
                   "write queue entries (one per burst) per channel");
    // Ramulator 2 generic controller defaults: wr_high_watermark 0.8, wr_low_watermark 0.2.
    s.quantity("write_high_watermark", &C::write_high_watermark, Unit::kNone, 0.8,
               Range::between(0.0, 1.0),
               "write-queue fill fraction that starts draining writes (reads wait)");
    s.quantity("write_low_watermark", &C::write_low_watermark, Unit::kNone, 0.2,
               Range::between(0.0, 1.0),
               "write-queue fill fraction at which a drain stops if reads are waiting");
    s.flag("refresh", &C::refresh, true, "issue refresh commands (every nREFI, or per bank)");
    s.flag("per_bank_refresh", &C::per_bank_refresh, false,
           "refresh one bank (DDR5: one bank index in every group) at a time where the standard "
           "has per-bank refresh, instead of all-bank REF");
    s.integer<int>("refresh_postpone", &C::refresh_postpone, 0, Range::between(0, 16), "refreshes",
                   "refreshes a busy rank may postpone before it must refresh (then it catches "
                   "up); at most one below the standard's limit (JEDEC DDR4: 8)");
    s.integer<int>("row_hit_cap", &C::row_hit_cap, 16, Range::between(0, 1 << 20), "hits",
                   "after this many column commands to one open row, an older request for "
                   "another row of the bank goes first (FR-FCFS-Cap; 0 = no cap)");
    s.text("mapping", &C::mapping, std::string(""),
           "address mapping scheme by registered name; empty = the standard's default "
           "(RoBaRaCoBgCh, bank groups interleaved)");
    s.flag("check_protocol", &C::check_protocol, false,
           "verify every command with the independent protocol checker (about halves the "
           "simulation speed); a violation fails the run");
    s.check([](const C& c, const SourceLoc& where) {
      if (!(c.write_low_watermark < c.write_high_watermark))
        throw config_error(where, fmt::format("controller.write_low_watermark ({}) must be below "
                                              "controller.write_high_watermark ({})",
                                              c.write_low_watermark, c.write_high_watermark));
      auto names = scheduler_names();
      if (std::find(names.begin(), names.end(), c.scheduler) == names.end())
        throw config_error(where, "controller.scheduler: unknown scheduler '" + c.scheduler +
                                      "'; registered: " + config::join(names, ", "));
      auto maps = mapping_names();
      if (!c.mapping.empty() && std::find(maps.begin(), maps.end(), c.mapping) == maps.end())
        throw config_error(where, "controller.mapping: unknown address mapping '" + c.mapping +
                                      "'; registered: " + config::join(maps, ", "));
    });
    return s;
  }();
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Controller
// ---------------------------------------------------------------------------------------------

Controller::Controller(const hw::DramSpec& spec, const ControllerConfig& cfg, int channel,
                       StatsGroup& stats, ProtocolChecker::Mode checker_mode)
    : spec_(spec),
      cfg_(cfg),
      channel_(channel),
      timing_(spec),
      refresh_(spec, cfg),
      scheduler_(make_scheduler(cfg.scheduler)),
      hits_first_(scheduler_->row_hits_first()) {
  if (cfg.read_queue < 1 || cfg.write_queue < 1)
    throw Error(ExitCode::kConfig, "controller.read_queue and write_queue must be at least 1");
  if (!(cfg.write_low_watermark < cfg.write_high_watermark))
    throw Error(ExitCode::kConfig,
                "controller.write_low_watermark must be below "
                "controller.write_high_watermark");
  // HBM has separate row and column command buses (JESD235/JESD238 R[] and C[] pins): one row
  // and one column command may share a cycle. The other standards have one command bus.
  dual_bus_ = hw::standard_info(spec.standard).split_command_bus;
  hi_mark_ = std::max(1, static_cast<int>(std::ceil(cfg.write_high_watermark * cfg.write_queue)));
  lo_mark_ = static_cast<int>(std::floor(cfg.write_low_watermark * cfg.write_queue));
  if (cfg.check_protocol) {
    ProtocolChecker::Options opt;
    opt.check_refresh = cfg.refresh;
    checker_ = std::make_unique<ProtocolChecker>(spec, checker_mode, opt);
  }
  const int nb = spec.org.ranks * spec.org.banks_per_rank();
  banks_.assign(nb, BankState{});
  open_in_rank_.assign(spec.org.ranks, 0);
  rq_.assign(nb, {});
  wq_.assign(nb, {});
  pending_in_bank_.assign(nb, 0);
  blocked_.assign(nb, 0);
  cand_index_.assign(nb, -1);
  bcache_.assign(nb, BankCache{});
  const std::size_t cap = static_cast<std::size_t>(cfg.read_queue) + cfg.write_queue;
  pool_.resize(cap);
  free_.reserve(cap);
  for (std::size_t i = cap; i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
  cands_.reserve(static_cast<std::size_t>(nb) * 2 + spec.org.ranks);

  reads_ = &stats.counter("reads", "read bursts served", "bursts");
  writes_ = &stats.counter("writes", "write bursts served", "bursts");
  read_bytes_ = &stats.counter("read_bytes", "bytes read on the data bus", "B");
  write_bytes_ = &stats.counter("write_bytes", "bytes written on the data bus", "B");
  row_hits_ = &stats.counter("row_hits", "column commands to an already open row", "accesses");
  row_misses_ =
      &stats.counter("row_misses", "accesses that had to open a row in a closed bank", "accesses");
  row_conflicts_ = &stats.counter("row_conflicts",
                                  "accesses that had to close another open row first", "accesses");
  refreshes_ = &stats.counter("refreshes", "refresh commands (REFab + REFpb)", "commands");
  drains_ =
      &stats.counter("write_drains", "switches from serving reads to draining writes", "switches");
  bus_busy_ = &stats.counter("data_bus_busy", "cycles the data bus carried bursts", "cycles");
  unused_acts_request_ = &stats.counter(
      "unused_acts_request",
      "ACTs whose row a PRE for another request closed before any column command", "commands");
  unused_acts_refresh_ =
      &stats.counter("unused_acts_refresh",
                     "ACTs whose row a refresh closed before any column command", "commands");
  for (int c = 0; c < kNumCmds; ++c) {
    const std::string n(cmd_name(static_cast<Cmd>(c)));
    cmd_count_[c] = &stats.counter("cmd_" + n, n + " commands issued", "commands");
  }
  read_lat_ = &stats.distribution(
      "read_latency", "read burst: entered the queue -> last data beat (RD + nCL + nBL)", "cycles");
  write_lat_ = &stats.distribution(
      "write_latency", "write burst: entered the queue -> last data beat (WR + nCWL + nBL)",
      "cycles");
  rq_occ_ = &stats.occupancy("read_queue", "read queue occupancy (time-weighted)", "entries");
  wq_occ_ = &stats.occupancy("write_queue", "write queue occupancy (time-weighted)", "entries");
}

Controller::~Controller() = default;

void Controller::enqueue(const Burst& b, Cycle now) {
  assert(can_accept(b.is_write));
  assert(b.addr.channel == channel_);
  assert(now >= now_);
  now_ = now;
  floor_ = std::max(floor_, now);
  const std::uint32_t slot = free_.back();
  free_.pop_back();
  Entry& e = pool_[slot];
  e.b = b;
  e.arrival = now;
  e.seq = seq_++;
  e.fb = flat(b.addr.bank);
  if (b.is_write) {
    wq_[e.fb].push_back(slot);
    ++nwrite_;
    wq_occ_->set(now, nwrite_);
  } else {
    rq_[e.fb].push_back(slot);
    ++nread_;
    rq_occ_->set(now, nread_);
  }
  ++pending_in_bank_[e.fb];
  mark_dirty(e.fb);
  const bool mode = write_mode_;
  update_mode();
  if (cands_valid_ && mode == write_mode_ && patchable_)
    patch_candidate(e.fb);  // only this bank's command can have changed
  else
    cands_valid_ = false;
}

// Rebuilds bank fb's entry of a valid candidate list in place (refresh neither has a candidate
// nor blocks a bank); the other banks' entries and ready cycles are unchanged since the last build.
void Controller::patch_candidate(int fb) {
  Candidate* c = update_bank_entry(fb);
  if (c == nullptr) return;
  const Cycle old = c->ready;
  c->ready = timing_.earliest_bank(c->cmd, fb);
  if (old == min_ready_ && c->ready > old) {
    min_ready_ = kNever;
    for (const Candidate& k : rcands_) min_ready_ = std::min(min_ready_, k.ready);
    for (const Candidate& k : cands_) min_ready_ = std::min(min_ready_, k.ready);
  }
  min_ready_ = std::min(min_ready_, c->ready);
}

void Controller::mark_dirty(int fb) {
  BankCache& bc = bcache_[fb];
  if (bc.dirty) return;
  bc.dirty = true;
  dirty_list_.push_back(fb);
}

// Brings bank fb's entry of cands_ up to date with its (dirty) cached command: replaced,
// appended or removed (swapping the last entry in). Returns the entry (its `ready` is stale;
// kNever for a new one), or nullptr when the bank has nothing to offer.
Candidate* Controller::update_bank_entry(int fb) {
  if (bcache_[fb].dirty) refresh_bank_candidate(fb);
  const BankCache& bc = bcache_[fb];
  int& at = cand_index_[fb];
  if (!bc.has) {
    if (at >= 0) {
      const int last = static_cast<int>(cands_.size()) - 1;
      if (at != last) {
        cands_[at] = cands_[last];
        cand_index_[cands_[at].flat_bank] = at;
      }
      cands_.pop_back();
      at = -1;
    }
    return nullptr;
  }
  if (at < 0) {
    at = static_cast<int>(cands_.size());
    cands_.push_back(bc.c);
    cands_.back().ready = kNever;
    return &cands_.back();
  }
  const Cycle ready = cands_[at].ready;
  cands_[at] = bc.c;
  cands_[at].ready = ready;
  return &cands_[at];
}

void Controller::update_mode() {
  // Write drain with watermarks (as Ramulator 2's generic controller): drain when the write
  // queue reaches the high mark or no read waits; stop at the low mark if reads wait.
  const bool was = write_mode_;
  if (!write_mode_) {
    if (nwrite_ >= hi_mark_ || (nread_ == 0 && nwrite_ > 0)) {
      write_mode_ = true;
      if (nread_ > 0) drains_->inc();
    }
  } else if (nwrite_ == 0 || (nwrite_ <= lo_mark_ && nread_ > 0)) {
    write_mode_ = false;
  }
  if (write_mode_ != was) {
    for (auto& bc : bcache_) bc.dirty = true;
    all_dirty_ = true;
  }
}

bool Controller::other_hit_pending(int fb, std::int64_t row, std::uint32_t except) const {
  for (const auto* q : {&rq_[fb], &wq_[fb]})
    for (std::uint32_t s : *q)
      if (s != except && pool_[s].b.addr.row == row) return true;
  return false;
}

void Controller::build_candidates(Cycle now) {
  rcands_.clear();
  cands_expire_ = refresh_.next_deadline_after(now);
  const int bpr = spec_.org.banks_per_rank();
  min_ready_ = kNever;

  // Refresh first: its commands take priority, and a forced refresh blocks request commands to
  // the banks it covers.
  if (refresh_.enabled()) {
    for (int r = 0; r < spec_.org.ranks; ++r) {
      if (refresh_.owed(r, now) <= 0) continue;
      const bool forced = refresh_.forced(r, now);
      // Which refresh set: all-bank has one; per-bank keeps a set it has precharged for, else
      // prefers a set with no queued work (then one with its banks already closed).
      int set = 0;
      if (refresh_.per_bank()) {
        set = refresh_.locked(r);
        if (set < 0) {
          int best_score = -1;
          const auto& sets = refresh_.sets(r);
          for (int i = 0; i < static_cast<int>(sets.size()); ++i) {
            if (!refresh_.pending(r, i)) continue;
            bool idle = true, closed_all = true;
            for (int fb : sets[i]) {
              idle &= pending_in_bank_[fb] == 0;
              closed_all &= !banks_[fb].open;
            }
            const int score = (idle ? 2 : 0) + (closed_all ? 1 : 0);
            if (score > best_score) {
              best_score = score;
              set = i;
            }
          }
        }
      }
      const auto& tg = refresh_.sets(r)[set];
      bool waits = false;  // a row of the set was opened for a request that is not served yet
      if (!forced) {
        bool busy = false;
        for (int fb : tg) busy |= pending_in_bank_[fb] > 0;
        if (busy) continue;  // postpone while the banks have work
      } else {
        // No new work starts on the banks; a row opened for a request stays open until that
        // request's column command (one interval of slack is kept for this, see refresh.cpp).
        for (int fb : tg) {
          if (banks_[fb].reserved != Candidate::kNoEntry) {
            waits = true;
            continue;
          }
          blocked_[fb] = 1;
          blocked_list_.push_back(fb);
        }
      }
      Candidate c;
      c.refresh = true;
      c.entry = Candidate::kNoEntry;
      c.age = 0;
      c.column = set;  // remembered for on_refresh / lock
      if (!refresh_.per_bank()) {
        if (waits) continue;  // PREA would close the waiting rows
        c.bank = BankAddr{r, 0, 0};
        c.flat_bank = r * bpr;
        c.cmd = open_in_rank_[r] > 0 ? Cmd::kPREA : Cmd::kREFab;
      } else {
        int open_fb = -1;
        for (int fb : tg)
          if (banks_[fb].open && banks_[fb].reserved == Candidate::kNoEntry) {
            open_fb = fb;
            break;
          }
        if (open_fb < 0 && waits) continue;  // only waiting rows are left open
        if (open_fb >= 0) {
          c.cmd = Cmd::kPRE;
          c.flat_bank = open_fb;
          c.bank = bank_of(open_fb);
          c.row = banks_[open_fb].row;
        } else {
          c.cmd = Cmd::kREFpb;
          c.bank = refresh_.command_bank(r, set);
          c.flat_bank = tg.front();
        }
      }
      c.ready = timing_.earliest(c.cmd, c.bank);
      min_ready_ = std::min(min_ready_, c.ready);
      rcands_.push_back(c);
    }
  }
  if (!blocked_list_.empty() || all_dirty_ || !incremental_) {
    rebuild_bank_candidates();
  } else {
    for (int fb : dirty_list_) update_bank_entry(fb);
    dirty_list_.clear();
  }
  for (Candidate& c : cands_) {
    c.ready = timing_.earliest_bank(c.cmd, c.flat_bank);
    min_ready_ = std::min(min_ready_, c.ready);
  }
  patchable_ = rcands_.empty() && blocked_list_.empty();
  incremental_ = blocked_list_.empty();
  for (int fb : blocked_list_) blocked_[fb] = 0;
  blocked_list_.clear();
  cands_valid_ = true;
}

// Every bank's entry from scratch, leaving out the banks a forced refresh blocks (they stay
// dirty; the next build is again a full one).
void Controller::rebuild_bank_candidates() {
  cands_.clear();
  dirty_list_.clear();
  all_dirty_ = false;
  for (int fb = 0; fb < static_cast<int>(banks_.size()); ++fb) {
    cand_index_[fb] = -1;
    if (blocked_[fb]) {
      bcache_[fb].dirty = true;
      continue;
    }
    update_bank_entry(fb);
  }
}

// The command the bank's requests of the active kind need next (without its ready cycle, which
// depends on every other bank). Cached until the bank's queues or state change.
void Controller::refresh_bank_candidate(int fb) {
  BankCache& bc = bcache_[fb];
  bc.dirty = false;
  bc.has = false;
  const BankState& bs = banks_[fb];
  Candidate& c = bc.c;
  if (bs.reserved != Candidate::kNoEntry) {
    // The row was opened for this request: serve it first, whichever mode the controller is
    // in now (a mode switch must not close the row before its column command).
    bc.has = true;
    column_candidate(fb, bs.reserved, c);
    return;
  }
  const auto& q = (write_mode_ ? wq_ : rq_)[fb];
  if (q.empty()) return;
  c = Candidate{};
  c.bank = pool_[q.front()].b.addr.bank;
  c.flat_bank = fb;
  c.entry = Candidate::kNoEntry;
  bc.has = true;
  if (!bs.open) {
    const Entry& e = pool_[q.front()];
    c.cmd = Cmd::kACT;
    c.row = e.b.addr.row;
    c.age = e.seq;
    c.entry = q.front();  // the request the row is opened for
    return;
  }
  // The bank's oldest hit, and its oldest request for another row if that is older (a younger
  // one plays no part below, so the scan stops at the first hit).
  std::uint32_t hit = Candidate::kNoEntry, other = Candidate::kNoEntry;
  for (std::uint32_t s : q) {
    if (pool_[s].b.addr.row == bs.row) {
      hit = s;
      break;
    }
    if (other == Candidate::kNoEntry) other = s;
  }
  bool serve_hit;
  if (!hits_first_) {
    serve_hit = hit == q.front();  // strict arrival order within the bank
  } else {
    // Row hits first and the row stays open while they wait, unless the hits have had
    // row_hit_cap column commands and an older request wants another row (FR-FCFS-Cap).
    serve_hit = hit != Candidate::kNoEntry &&
                !(cfg_.row_hit_cap > 0 && bs.hits >= cfg_.row_hit_cap &&
                  other != Candidate::kNoEntry && pool_[other].seq < pool_[hit].seq);
  }
  c.row = bs.row;
  if (serve_hit) {
    column_candidate(fb, hit, c);
  } else {
    c.cmd = Cmd::kPRE;
    c.age = pool_[other].seq;
  }
}

// The column command that serves queue slot `slot` in the open row of bank `fb`.
void Controller::column_candidate(int fb, std::uint32_t slot, Candidate& c) const {
  const Entry& e = pool_[slot];
  const std::int64_t row = banks_[fb].row;
  const bool auto_pre =
      cfg_.page_policy == PagePolicy::kClosed && !other_hit_pending(fb, row, slot);
  c = Candidate{};
  c.bank = e.b.addr.bank;
  c.flat_bank = fb;
  c.row = row;
  c.cmd = e.b.is_write ? (auto_pre ? Cmd::kWRA : Cmd::kWR) : (auto_pre ? Cmd::kRDA : Cmd::kRD);
  c.column = e.b.addr.column;
  c.entry = slot;
  c.age = e.seq;
  c.hit = true;
}

const Candidate* Controller::choose(Cycle now, BusFilter bus) const {
  for (const Candidate& c : rcands_)
    if (c.ready <= now && bus_allows(bus, c.cmd)) return &c;
  const int k = scheduler_->pick(cands_, now, bus);
  assert(k < 0 || cands_[k].ready <= now);
  return k < 0 ? nullptr : &cands_[k];
}

int Controller::tick(Cycle now) {
  assert(now >= floor_);
  now_ = now;
  floor_ = now + 1;
  if (!cands_valid_ || now >= cands_expire_) build_candidates(now);
  int issued = 0;
  BusFilter bus = BusFilter::kAny;
  for (int round = 0; round < (dual_bus_ ? 2 : 1); ++round) {
    if (round == 1) build_candidates(now);  // state changed: the second bus sees it
    const Candidate* pick = choose(now, bus);
    if (pick == nullptr) break;
    const Candidate c = *pick;
    issue(c, now);
    ++issued;
    cands_valid_ = false;
    bus = is_column(c.cmd) ? BusFilter::kRowOnly : BusFilter::kColumnOnly;
  }
  return issued;
}

Cycle Controller::next_event_cycle() {
  if (!cands_valid_) build_candidates(now_);
  const Cycle best = std::min(cands_expire_, min_ready_);
  return best == kNever ? kNever : std::max(best, floor_);
}

void Controller::notify(Cmd cmd, const DramAddr& a, Cycle now, std::int64_t wanted_row) {
  if (checker_) checker_->on_command(cmd, a, now, wanted_row);
  for (CommandObserver* o : observers_) o->on_command(cmd, a, now);
}

void Controller::close_bank(int fb, CloseCause cause) {
  mark_dirty(fb);
  BankState& bs = banks_[fb];
  if (bs.open) {
    --open_in_rank_[fb / spec_.org.banks_per_rank()];
    if (bs.fresh)
      (cause == CloseCause::kRefresh ? unused_acts_refresh_ : unused_acts_request_)->inc();
  }
  bs.open = false;
  bs.closed_for_conflict = cause == CloseCause::kRequest;
  bs.reserved = Candidate::kNoEntry;
}

void Controller::issue(const Candidate& c, Cycle now) {
  timing_.issue(c.cmd, c.bank, now);
  ++commands_;
  cmd_count_[static_cast<int>(c.cmd)]->inc();
  DramAddr a;
  a.channel = channel_;
  a.pseudo_channel = channel_ % spec_.org.pseudo_channels;
  a.bank = c.bank;
  a.row = c.row;
  a.column = c.column;
  const auto& t = spec_.timing;

  switch (c.cmd) {
    case Cmd::kACT: {
      notify(c.cmd, a, now, -1);
      BankState& bs = banks_[c.flat_bank];
      bs.open = true;
      bs.row = c.row;
      bs.hits = 0;
      bs.fresh = true;
      bs.act_for_conflict = bs.closed_for_conflict;
      bs.reserved = c.entry;
      ++open_in_rank_[c.bank.rank];
      mark_dirty(c.flat_bank);
      break;
    }
    case Cmd::kPRE:
      a.column = 0;
      notify(c.cmd, a, now, -1);
      close_bank(c.flat_bank, c.refresh ? CloseCause::kRefresh : CloseCause::kRequest);
      if (c.refresh) refresh_.lock(c.bank.rank, c.column);
      break;
    case Cmd::kPREA: {
      a.column = 0;
      notify(c.cmd, a, now, -1);
      const int bpr = spec_.org.banks_per_rank();
      for (int fb = c.bank.rank * bpr; fb < (c.bank.rank + 1) * bpr; ++fb)
        close_bank(fb, CloseCause::kRefresh);
      break;
    }
    case Cmd::kREFab:
    case Cmd::kREFpb:
      a.column = 0;
      notify(c.cmd, a, now, -1);
      refresh_.on_refresh(c.bank.rank, c.column, now);
      refreshes_->inc();
      break;
    case Cmd::kRD:
    case Cmd::kWR:
    case Cmd::kRDA:
    case Cmd::kWRA: {
      const Entry e = pool_[c.entry];
      notify(c.cmd, e.b.addr, now, e.b.addr.row);
      BankState& bs = banks_[c.flat_bank];
      if (bs.fresh)
        (bs.act_for_conflict ? row_conflicts_ : row_misses_)->inc();
      else
        row_hits_->inc();
      bs.fresh = false;
      if (bs.reserved == c.entry) bs.reserved = Candidate::kNoEntry;
      ++bs.hits;
      mark_dirty(c.flat_bank);
      const bool w = e.b.is_write;
      auto& q = (w ? wq_ : rq_)[c.flat_bank];
      q.erase(std::find(q.begin(), q.end(), c.entry));
      free_.push_back(c.entry);
      --pending_in_bank_[c.flat_bank];
      const Cycle done = now + (w ? t.nCWL : t.nCL) + t.nBL;
      completions_.push_back(Completion{e.b.tag, done, e.arrival, w});
      const auto bytes = static_cast<std::uint64_t>(spec_.org.burst_bytes());
      bus_busy_->inc(static_cast<std::uint64_t>(t.nBL));
      if (w) {
        --nwrite_;
        wq_occ_->set(now, nwrite_);
        writes_->inc();
        write_bytes_->inc(bytes);
        write_lat_->add(static_cast<std::uint64_t>(done - e.arrival));
      } else {
        --nread_;
        rq_occ_->set(now, nread_);
        reads_->inc();
        read_bytes_->inc(bytes);
        read_lat_->add(static_cast<std::uint64_t>(done - e.arrival));
      }
      if (c.cmd == Cmd::kRDA || c.cmd == Cmd::kWRA)
        close_bank(c.flat_bank, CloseCause::kAutoPrecharge);
      update_mode();
      break;
    }
    case Cmd::kCount:
      break;
  }
}

void Controller::finish(Cycle end) {
  rq_occ_->finish(end);
  wq_occ_->finish(end);
  if (checker_) checker_->finish(end);
}

}  // namespace accsim::dram
