#pragma once
// DramSpec: the resolved description of one DRAM device/channel type, in integer cycles of tCK.
// It is produced from a preset (configs/dram/*.yaml, values citing JEDEC or datasheets) plus the
// user's overrides (speed bin, density, width, individual timings) by resolve_dram_spec().
// Field names follow JEDEC; the timing engine, the controller, the protocol checker and the
// energy model read these fields and nothing else.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/dram_standard.h"
#include "sim/core/units.h"

namespace accsim::hw {

// How per-bank refresh addresses banks, where the standard has it.
enum class PerBankRefresh {
  kNone,                 // DDR4: all-bank refresh only
  kSingleBank,           // LPDDR5 REFpb, HBM2/3 REFSB, GDDR6 REFpb: one bank
  kSameBankInAllGroups,  // DDR5 REFsb: bank index b in every bank group of the rank
};

struct DramOrg {
  std::int64_t density_gbit = 8;  // per die (per pseudo-channel's die for HBM)
  int dq = 8;                     // device data width (x4/x8/x16; HBM/GDDR6: per-channel width)
  int channel_width = 64;         // data-bus bits of one independent (pseudo-)channel
  int channels = 1;               // independent channels in the system
  int pseudo_channels = 1;        // per channel (HBM: 2); each is an independent controller
  int ranks = 1;
  // Stack IDs per rank (HBM3 SID, JESD238): the dies of a taller stack that share one
  // (pseudo-)channel's buses, each with its own bank groups and banks. 1 = none.
  int stack_ids = 1;
  int bank_groups = 4;  // per stack ID; 1 if the standard/mode has no bank groups
  int banks_per_group = 4;
  std::int64_t rows = 65536;  // rows per bank
  int columns = 1024;         // device column addresses per row
  int burst_length = 8;       // BL, beats per column command
  int banks_per_stack_id() const { return bank_groups * banks_per_group; }
  int banks_per_rank() const { return stack_ids * banks_per_stack_id(); }
  // Bank groups of a rank over all its stack IDs.
  int groups_per_rank() const { return stack_ids * bank_groups; }
  int independent_channels() const { return channels * pseudo_channels; }
  // Bytes moved by one column command on one (pseudo-)channel.
  int burst_bytes() const { return channel_width * burst_length / 8; }
  // Column commands (bursts) per row.
  int bursts_per_row() const { return columns / burst_length; }
};

// All timings in nCK (cycles of tCK), already rounded per JEDEC (ceil of tX/tCK after a small
// tolerance). Fields the standard does not have are set so they never bind (e.g. nRRD_L = nRRD_S
// without bank groups) and are documented as such in models/dram/README.md.
struct DramTiming {
  Ps tCK_ps = 625;
  int nBL = 4;        // data-bus cycles of one burst: burst_length / transfers_per_ck
  int nCL = 22;       // read latency RL
  int nCWL = 16;      // write latency WL
  int nRCDRD = 22;    // ACT -> RD
  int nRCDWR = 22;    // ACT -> WR (== nRCDRD where the standard has one tRCD)
  int nRP = 22;       // PRE -> ACT (per-bank precharge)
  int nRPab = 22;     // PREA -> ACT (LPDDR5 tRPab > tRPpb; == nRP where the standard has one tRP)
  int nRAS = 52;      // ACT -> PRE
  int nRC = 74;       // ACT -> ACT same bank
  int nWR = 24;       // write recovery: end of write data -> PRE
  int nRTP = 12;      // RD -> PRE
  int nRRD_S = 4;     // ACT -> ACT, different bank group
  int nRRD_L = 8;     // ACT -> ACT, same bank group
  int nCCD_S = 4;     // column -> column, different bank group
  int nCCD_L = 8;     // column -> column, same bank group
  int nCCD_L_WR = 8;  // WR -> WR, same bank group (DDR5 tCCD_L_WR; == nCCD_L elsewhere)
  int nCCDR = 0;      // RD -> RD, another stack ID of the rank (HBM3 tCCDR; 0 without SIDs)
  int nWTR_S = 4;     // end of write data -> RD, different bank group
  int nWTR_L = 12;    // end of write data -> RD, same bank group
  int nFAW = 34;      // four-activate window (rank)
  int nRTRS = 2;      // rank-to-rank data-bus switch
  int nRFC = 560;     // all-bank refresh cycle
  int nRFCpb = 0;     // per-bank refresh cycle (0 if none)
  int nREFI = 12480;  // average all-bank refresh interval
  int nREFIpb = 0;    // average per-bank refresh interval (0 if none)
  int nRREFD = 0;     // per-bank refresh -> ACT in another bank (0 if none)
  int nPBR2PBR = 0;   // per-bank refresh -> per-bank refresh of another bank (LPDDR5 tpbR2pbR;
                      // == nRREFD where the standard has one figure; 0 if none)
  int nPPD = 0;       // PRE -> PRE (LPDDR5/DDR5 tPPD; 0 if none)
};

// One further supply rail (LPDDR5 VDD1 or VDD2L beside the VDD2H core rail): its voltage and
// the same IDD currents (mA) measured on its balls. The energy model applies the formulas of the
// VDD rail to it and sums the rails.
struct DramRail {
  std::string name;  // "VDD1", "VDD2L"
  double v = 0;
  double idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0;
};

// IDD currents (mA) and voltages (V) per device, DRAMPower / Micron TN-40-07 style, plus the
// I/O energy per transferred bit. Energy per command is derived in models/dram (energy.cpp).
// LPDDR5: vdd/idd* are the VDD2H core rail, VDD1 (and VDD2L) go to `rails`.
struct DramPower {
  double vdd = 1.2;
  double idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0, idd5pb = 0;
  double vpp = 0;  // second supply (DDR4/DDR5/GDDR6 VPP); 0 if not modelled
  double ipp0 = 0, ipp2n = 0, ipp3n = 0, ipp4r = 0, ipp4w = 0, ipp5b = 0;
  std::vector<DramRail> rails;  // further rails with their own currents; empty for most presets
  double io_pj_per_bit = 0;     // I/O + termination energy per transferred data bit
  int devices_per_rank = 8;     // chips that draw these currents for one rank
  std::string source;           // where these numbers come from
};

struct DramSpec {
  std::string name;  // e.g. "DDR4-3200AA 8Gb x8"
  DramStandard standard = DramStandard::kDDR4;
  double data_rate_mtps = 3200;  // transfers per second per pin, in MT/s (= transfers_per_ck / tCK)
  int transfers_per_ck = 2;      // data transfers per pin per CK (DDR4/DDR5/HBM2 2, HBM3 4,
                                 // LPDDR5/GDDR6 8): nBL = burst_length / transfers_per_ck
  PerBankRefresh per_bank_refresh = PerBankRefresh::kNone;
  DramOrg org;
  DramTiming timing;
  DramPower power;
  std::vector<std::string> sources;  // citations for the values above

  // Peak data bandwidth of one independent (pseudo-)channel, bytes/s.
  double peak_bw_per_channel() const { return data_rate_mtps * 1e6 * org.channel_width / 8.0; }
  double peak_bw_total() const { return peak_bw_per_channel() * org.independent_channels(); }
};

}  // namespace accsim::hw
