#include "models/dram/impl/refresh.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/dram/impl/protocol_checker.h"
#include "sim/core/error.h"

namespace accsim::dram {

RefreshManager::RefreshManager(const hw::DramSpec& spec, const ControllerConfig& cfg) {
  const auto& o = spec.org;
  const auto& t = spec.timing;
  const int ranks = o.ranks;
  org_ = o;
  enabled_ = cfg.refresh;
  per_bank_ = cfg.refresh && cfg.per_bank_refresh;
  kind_ = spec.per_bank_refresh;
  postpone_ = cfg.refresh_postpone;
  offset_.assign(ranks, 0);
  issued_.assign(ranks, 0);
  catching_up_.assign(ranks, 0);
  locked_.assign(ranks, -1);
  done_count_.assign(ranks, 0);
  targets_.assign(ranks, {});
  if (!enabled_) return;

  // JEDEC lets a controller postpone up to N refreshes (ProtocolChecker holds the figure and its
  // source). We force a refresh once more than `postpone` are owed and need up to one interval
  // to precharge and issue it, so the configurable limit is one below the standard's.
  const int limit = hw::standard_info(spec.standard).max_postponed_refreshes - 1;
  if (postpone_ < 0 || postpone_ > limit)
    throw Error(ExitCode::kConfig,
                fmt::format("controller.refresh_postpone = {} is out of range for {}: expected 0 "
                            "to {} (JEDEC allows {} postponed refreshes; one interval is kept for "
                            "issuing the forced one)",
                            postpone_, spec.name, limit, limit + 1));
  if (t.nREFI <= 0 || t.nRFC <= 0)
    throw Error(ExitCode::kConfig, fmt::format("dram '{}': refresh is on but nREFI = {} and nRFC "
                                               "= {}; set both or turn controller.refresh off",
                                               spec.name, t.nREFI, t.nRFC));

  const int bpr = o.banks_per_rank();
  if (per_bank_) {
    if (kind_ == hw::PerBankRefresh::kNone || t.nRFCpb <= 0)
      throw Error(ExitCode::kConfig,
                  fmt::format("controller.per_bank_refresh is on but {} ({}) has no per-bank "
                              "refresh (nRFCpb = {})",
                              spec.name, standard_name(spec.standard), t.nRFCpb));
    for (int r = 0; r < ranks; ++r) {
      for (int sid = 0; sid < o.stack_ids; ++sid) {
        if (kind_ == hw::PerBankRefresh::kSameBankInAllGroups) {
          // DDR5 REFsb: bank index b in every bank group at once.
          for (int b = 0; b < o.banks_per_group; ++b) {
            std::vector<int> set;
            set.reserve(o.bank_groups);
            for (int g = 0; g < o.bank_groups; ++g) set.push_back(flat_bank(o, {r, g, b, sid}));
            targets_[r].push_back(std::move(set));
          }
        } else {
          // One bank at a time, bank groups fastest so consecutive refreshes hit different
          // groups; the stack IDs of the rank one after the other (HBM3: tREFIpb = tREFI over
          // every bank of every SID, as Ramulator 2's hbm3.py derives it).
          for (int i = 0; i < o.banks_per_stack_id(); ++i)
            targets_[r].push_back({flat_bank(o, {r, i % o.bank_groups, i / o.bank_groups, sid})});
        }
      }
    }
    // Every bank must see one refresh per nREFI on average (each per-bank refresh counts for
    // the banks it covers), so a round over all sets must fit in nREFI. The standard's nREFIpb
    // is used when it is at least that frequent.
    const auto sets = static_cast<Cycle>(targets_[0].size());
    interval_ = t.nREFI / sets;
    if (t.nREFIpb > 0) interval_ = std::min<Cycle>(interval_, t.nREFIpb);
    if (interval_ <= 0)
      throw Error(ExitCode::kConfig, fmt::format("dram '{}': per-bank refresh interval is zero "
                                                 "(nREFI {} over {} refresh sets)",
                                                 spec.name, t.nREFI, sets));
  } else {
    for (int r = 0; r < ranks; ++r) {
      std::vector<int> all(bpr);
      for (int i = 0; i < bpr; ++i) all[i] = r * bpr + i;
      targets_[r].push_back(std::move(all));
    }
    interval_ = t.nREFI;
  }
  for (int r = 0; r < ranks; ++r) offset_[r] = interval_ * r / ranks;
  for (int r = 0; r < ranks; ++r) done_.push_back(std::vector<char>(targets_[r].size(), 0));
}

BankAddr RefreshManager::command_bank(int rank, int set) const {
  if (!per_bank_) return BankAddr{rank, 0, 0};
  BankAddr b = bank_at(org_, targets_[rank][set].front());
  if (kind_ == hw::PerBankRefresh::kSameBankInAllGroups) b.bank_group = 0;
  return b;
}

Cycle RefreshManager::next_deadline_after(Cycle t) const {
  if (!enabled_) return kNever;
  Cycle best = kNever;
  for (std::size_t r = 0; r < offset_.size(); ++r) {
    const Cycle k = (t + offset_[r]) / interval_ + 1;
    best = std::min(best, k * interval_ - offset_[r]);
  }
  return best;
}

void RefreshManager::on_refresh(int rank, int set, Cycle now) {
  const bool was_forced = forced(rank, now);
  ++issued_[rank];
  catching_up_[rank] = was_forced && owed(rank, now) > 0;
  locked_[rank] = -1;
  if (!done_[rank][set]) {
    done_[rank][set] = 1;
    ++done_count_[rank];
  }
  if (done_count_[rank] == static_cast<int>(done_[rank].size())) {
    std::fill(done_[rank].begin(), done_[rank].end(), 0);
    done_count_[rank] = 0;
  }
}

std::uint64_t RefreshManager::issued_total() const {
  std::uint64_t n = 0;
  for (auto v : issued_) n += static_cast<std::uint64_t>(v);
  return n;
}

}  // namespace accsim::dram
