#include "models/dram/impl/energy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "sim/core/error.h"

namespace accsim::dram {

namespace {

// One supply rail's currents (mA) at voltage v, as the formulas read them.
struct RailCurrents {
  std::string name;  // "VDD", "VPP", "VDD1" ...
  std::string key;   // the power keys' spelling: "idd", "ipp", "_vdd1" ...
  double v, i0, i2n, i3n, i4r, i4w, i5b;
};

}  // namespace

DramEnergyCosts dram_energy_costs(const hw::DramSpec& spec) {
  const auto& p = spec.power;
  const auto& t = spec.timing;
  auto check = [&](double a, double b, const char* an, const char* bn) {
    if (a < b)
      throw Error(ExitCode::kConfig,
                  fmt::format("dram '{}': power.{} = {} mA is below power.{} = {} mA; the energy "
                              "formulas need {} >= {}",
                              spec.name, an, a, bn, b, an, bn));
  };
  const bool have_idd = p.idd0 > 0 || p.idd3n > 0 || p.idd4r > 0;
  // How an activation is charged. kSplit (DRAMPower): ACT over tRAS above IDD3N, PRE over tRP
  // above IDD2N. Where IDD0 < IDD3N the split would make ACT negative; then ACT carries the
  // whole IDD0 cycle and PRE nothing: kTn41 (Micron TN-41-01's ACT power, IDD3N over tRAS and
  // IDD2N over tRP subtracted) when that is not negative (GDDR6: IDD3N is one bank open), else
  // kAboveIdd2n (the cycle above precharge standby: DDR5, whose IDD3N has every bank open).
  enum class ActForm { kSplit, kTn41, kAboveIdd2n } form = ActForm::kSplit;
  if (have_idd) {
    check(p.idd0, p.idd2n, "idd0", "idd2n");
    check(p.idd4r, p.idd3n, "idd4r", "idd3n");
    check(p.idd4w, p.idd3n, "idd4w", "idd3n");
    check(p.idd5b, p.idd3n, "idd5b", "idd3n");
    if (p.idd0 < p.idd3n)
      form = p.idd0 * (t.nRAS + t.nRP) - p.idd3n * t.nRAS - p.idd2n * t.nRP >= 0
                 ? ActForm::kTn41
                 : ActForm::kAboveIdd2n;
  }
  const double tck_ns = static_cast<double>(t.tCK_ps) / 1000.0;
  const double dev = p.devices_per_rank;
  // V x mA x ns = pJ.
  auto e = [&](double v, double di, int cycles) { return v * di * cycles * tck_ns * dev; };
  std::vector<RailCurrents> rails = {
      {"VDD", "idd", p.vdd, p.idd0, p.idd2n, p.idd3n, p.idd4r, p.idd4w, p.idd5b}};
  if (p.vpp > 0)
    rails.push_back({"VPP", "ipp", p.vpp, p.ipp0, p.ipp2n, p.ipp3n, p.ipp4r, p.ipp4w, p.ipp5b});
  for (const hw::DramRail& r : p.rails) {
    std::string lower = r.name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    rails.push_back(
        {r.name, "_" + lower, r.v, r.idd0, r.idd2n, r.idd3n, r.idd4r, r.idd4w, r.idd5b});
  }
  DramEnergyCosts c;
  for (const RailCurrents& r : rails) {
    double act = 0, pre = 0;
    switch (form) {
      case ActForm::kSplit:
        act = e(r.v, r.i0 - r.i3n, t.nRAS);
        pre = e(r.v, r.i0 - r.i2n, t.nRP);
        break;
      case ActForm::kTn41:
        act = r.v * (r.i0 * (t.nRAS + t.nRP) - r.i3n * t.nRAS - r.i2n * t.nRP) * tck_ns * dev;
        break;
      case ActForm::kAboveIdd2n:
        act = e(r.v, r.i0 - r.i2n, t.nRAS + t.nRP);
        break;
    }
    const double terms[] = {act, pre, e(r.v, r.i4r - r.i3n, t.nBL), e(r.v, r.i4w - r.i3n, t.nBL),
                            e(r.v, r.i5b - r.i3n, t.nRFC)};
    const char* names[] = {"ACT", "PRE", "RD", "WR", "REF"};
    if (r.name != "VDD")  // the VDD rail's currents are checked by name above
      for (int k = 0; k < 5; ++k)
        if (terms[k] < 0)
          throw Error(ExitCode::kConfig,
                      fmt::format("dram '{}': the {} currents give a negative {} energy ({} pJ); "
                                  "check power.{}0/{}2n/{}3n/{}4r/{}4w/{}5b",
                                  spec.name, r.name, names[k], terms[k], r.key, r.key, r.key, r.key,
                                  r.key, r.key));
    c.act_pj += act;
    c.pre_pj += pre;
    c.rd_pj += terms[2];
    c.wr_pj += terms[3];
    c.refab_pj += terms[4];
    c.bg_active_pj_per_cycle += e(r.v, r.i3n, 1);
    c.bg_precharged_pj_per_cycle += e(r.v, r.i2n, 1);
  }
  std::string formula =
      "DRAMPower / Micron TN-40-07: E_ACT=VDD*(IDD0-IDD3N)*tRAS, E_PRE=VDD*(IDD0-IDD2N)*tRP, "
      "E_RD=VDD*(IDD4R-IDD3N)*tBL, E_WR=VDD*(IDD4W-IDD3N)*tBL, E_REF=VDD*(IDD5B-IDD3N)*tRFC, "
      "background VDD*IDD3N (any bank open) / VDD*IDD2N (all precharged), x devices_per_rank";
  if (form == ActForm::kTn41)
    formula +=
        "; IDD0 < IDD3N: E_ACT=VDD*(IDD0*(tRAS+tRP)-IDD3N*tRAS-IDD2N*tRP) (Micron TN-41-01), "
        "E_PRE=0";
  else if (form == ActForm::kAboveIdd2n)
    formula +=
        "; IDD0 < IDD3N and TN-41-01's ACT term negative: E_ACT=VDD*(IDD0-IDD2N)*(tRAS+tRP), "
        "E_PRE=0";
  if (!p.rails.empty()) {
    formula += "; the same terms on";
    for (const hw::DramRail& r : p.rails) formula += " " + r.name;
    formula += ", summed";
  }
  c.source = (p.source.empty() ? std::string("IDD currents of the DRAM spec") : p.source) + "; " +
             formula + (have_idd ? "" : " (the spec gives no IDD currents: all zero)");
  if (t.nRFCpb > 0) {
    if (p.idd5pb > 0) {
      if (p.idd5pb < p.idd3n)
        throw Error(ExitCode::kConfig,
                    fmt::format("dram '{}': power.idd5pb is below power.idd3n", spec.name));
      c.refpb_pj = e(p.vdd, p.idd5pb - p.idd3n, t.nRFCpb);
      c.refpb_source = c.source + "; E_REFpb=VDD*(IDD5PB-IDD3N)*tRFCpb";
    } else {
      // No per-bank refresh current given: assume the all-bank refresh charge is shared by the
      // banks (assumption, not a datasheet figure).
      const int banks = spec.per_bank_refresh == hw::PerBankRefresh::kSameBankInAllGroups
                            ? spec.org.bank_groups
                            : 1;
      c.refpb_pj = c.refab_pj * banks / spec.org.banks_per_rank();
      c.refpb_source = c.source +
                       "; IDD5PB not given: E_REFpb ASSUMED = E_REFab x refreshed "
                       "banks / banks per rank";
    }
  }
  c.io_pj_per_burst = p.io_pj_per_bit * spec.org.burst_bytes() * 8.0;
  return c;
}

DramEnergy::DramEnergy(const hw::DramSpec& spec) : spec_(spec), costs_(dram_energy_costs(spec)) {
  const std::size_t ch = static_cast<std::size_t>(spec.org.independent_channels());
  ranks_.assign(ch * spec.org.ranks, RankState{});
  open_.assign(ch * spec.org.ranks * spec.org.banks_per_rank(), 0);
}

int DramEnergy::flat(const DramAddr& a) const {
  const auto& o = spec_.org;
  return a.channel * o.ranks * o.banks_per_rank() + flat_bank(o, a.bank);
}

void DramEnergy::advance(RankState& s, Cycle now) {
  while (s.last < now) {
    if (s.open > 0) {
      s.active += now - s.last;
      s.last = now;
    } else if (s.last < s.busy_until) {
      const Cycle e = std::min(now, s.busy_until);
      s.active += e - s.last;
      s.last = e;
    } else {
      s.precharged += now - s.last;
      s.last = now;
    }
  }
}

void DramEnergy::on_command(Cmd cmd, const DramAddr& a, Cycle now) {
  RankState& s = rank(a);
  advance(s, now);
  const auto& t = spec_.timing;
  auto close = [&](int fb) {
    if (open_[fb]) {
      open_[fb] = 0;
      --s.open;
      ++pres_;
    }
  };
  switch (cmd) {
    case Cmd::kACT: {
      const int fb = flat(a);
      if (!open_[fb]) ++s.open;
      open_[fb] = 1;
      ++acts_;
      break;
    }
    case Cmd::kPRE:
      close(flat(a));
      break;
    case Cmd::kPREA: {
      DramAddr b = a;
      b.bank = BankAddr{a.bank.rank, 0, 0};
      const int first = flat(b);
      for (int i = 0; i < spec_.org.banks_per_rank(); ++i) close(first + i);
      break;
    }
    case Cmd::kRD:
      ++rds_;
      break;
    case Cmd::kWR:
      ++wrs_;
      break;
    case Cmd::kRDA:
      ++rds_;
      close(flat(a));
      break;
    case Cmd::kWRA:
      ++wrs_;
      close(flat(a));
      break;
    case Cmd::kREFab:
      ++refab_;
      s.busy_until = std::max(s.busy_until, now + t.nRFC);
      break;
    case Cmd::kREFpb:
      ++refpb_;
      s.busy_until = std::max(s.busy_until, now + t.nRFCpb);
      break;
    case Cmd::kCount:
      break;
  }
}

void DramEnergy::finish(Cycle end, EnergyLedger& ledger, const std::string& component) {
  active_total_ = pre_total_ = 0;
  for (RankState& s : ranks_) {
    advance(s, end);
    active_total_ += s.active;
    pre_total_ += s.precharged;
  }
  const std::string& src = costs_.source;
  ledger.count(ledger.action(component, "ACT", costs_.act_pj, src), acts_);
  ledger.count(ledger.action(component, "PRE", costs_.pre_pj, src), pres_);
  ledger.count(ledger.action(component, "RD", costs_.rd_pj, src), rds_);
  ledger.count(ledger.action(component, "WR", costs_.wr_pj, src), wrs_);
  ledger.count(ledger.action(component, "REFab", costs_.refab_pj, src), refab_);
  if (refpb_ > 0 || spec_.timing.nRFCpb > 0)
    ledger.count(ledger.action(component, "REFpb", costs_.refpb_pj, costs_.refpb_source), refpb_);
  ledger.count(ledger.action(component, "IO", costs_.io_pj_per_burst,
                             spec_.power.source + "; io_pj_per_bit x burst bits"),
               rds_ + wrs_);
  ledger.add_pj(component, "background_active",
                static_cast<double>(active_total_) * costs_.bg_active_pj_per_cycle,
                src + "; VDD*IDD3N x rank-cycles with a bank open or refreshing");
  ledger.add_pj(component, "background_precharged",
                static_cast<double>(pre_total_) * costs_.bg_precharged_pj_per_cycle,
                src + "; VDD*IDD2N x rank-cycles with all banks precharged");
}

}  // namespace accsim::dram
