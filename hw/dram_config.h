#pragma once
// The user-facing DRAM configuration (the `dram:` section of a system YAML) and its resolution
// into a DramSpec in integer cycles.
//
//   dram:
//     preset: DDR4-3200        # loads configs/dram/DDR4-3200.yaml (built into the binary)
//     speed: 2400              # a speed bin name (DDR4-2400R) or a data rate (2400, 6.4Gbps)
//     density: 16Gb
//     dq: x16
//     ranks: 2
//     timing: {nRCD: 24, tRP: 13.75ns}   # any timing in nCK (nX) or as a time (tX)
//     power: {idd0: 58mA}
//
// The preset's own layers (speed bin, density, device width) are applied first, then the keys of
// `org`, `timing` and `power` override them. A time converts to nCK with the JESD79-4 rounding
// rule (jedec_nck). Values that are left at their "unset" default (-1, 0 or "") mean "take the
// preset's value". The presets and their YAML format are documented in models/dram/README.md.
#include <string>
#include <vector>

#include "hw/dram_spec.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

namespace accsim::hw {

// Every timing a user may override, as X(name, minimum nCK, description). Each becomes two keys:
// `n<name>` in cycles and `t<name>` as a time. RCD, RRD, CCD and WTR set both of their halves.
#define ACCSIM_DRAM_TIMINGS(X)                                                            \
  X(BL, 1, "data-bus cycles of one burst (default: burst_length / transfers per CK)")     \
  X(CL, 1, "read latency RL (CAS latency)")                                               \
  X(CWL, 1, "write latency WL")                                                           \
  X(RCD, 1, "ACT to RD and ACT to WR (sets RCDRD and RCDWR)")                             \
  X(RCDRD, 1, "ACT to RD")                                                                \
  X(RCDWR, 1, "ACT to WR")                                                                \
  X(RP, 1, "PRE to ACT (per-bank precharge)")                                             \
  X(RPab, 1, "PREA to ACT (all-bank precharge; default RP)")                              \
  X(RAS, 1, "ACT to PRE, same bank")                                                      \
  X(RC, 1, "ACT to ACT, same bank")                                                       \
  X(WR, 1, "write recovery: end of write data to PRE")                                    \
  X(RTP, 1, "RD to PRE")                                                                  \
  X(RRD, 1, "ACT to ACT, another bank (sets RRD_S and RRD_L)")                            \
  X(RRD_S, 1, "ACT to ACT, another bank group")                                           \
  X(RRD_L, 1, "ACT to ACT, same bank group")                                              \
  X(CCD, 1, "column to column (sets CCD_S and CCD_L)")                                    \
  X(CCD_S, 1, "column to column, another bank group")                                     \
  X(CCD_L, 1, "column to column, same bank group")                                        \
  X(CCD_L_WR, 1, "WR to WR, same bank group (DDR5 tCCD_L_WR; default CCD_L)")             \
  X(CCDR, 0, "RD to RD, another stack ID (HBM3 tCCDR; needed with stack IDs)")            \
  X(WTR, 1, "end of write data to RD (sets WTR_S and WTR_L)")                             \
  X(WTR_S, 1, "end of write data to RD, another bank group")                              \
  X(WTR_L, 1, "end of write data to RD, same bank group")                                 \
  X(FAW, 1, "four-activate window")                                                       \
  X(RTRS, 0, "rank-to-rank data-bus switch")                                              \
  X(RFC, 1, "all-bank refresh cycle")                                                     \
  X(RFCpb, 0, "per-bank refresh cycle (DDR5 tRFCsb; 0 = no per-bank refresh)")            \
  X(REFI, 1, "average all-bank refresh interval")                                         \
  X(REFIpb, 0, "average per-bank refresh interval (0 = no per-bank refresh)")             \
  X(RREFD, 0, "per-bank refresh to ACT of another bank (DDR5 tREFSBRD, LPDDR5 tpbR2act)") \
  X(PBR2PBR, 0, "per-bank refresh to per-bank refresh of another bank (default RREFD)")   \
  X(PPD, 0, "PRE to PRE (0 = no constraint)")

struct DramTimingOverrides {
#define ACCSIM_DRAM_TIMING_FIELDS(name, min, desc) \
  int n##name = -1;                                \
  double t##name = 0;
  ACCSIM_DRAM_TIMINGS(ACCSIM_DRAM_TIMING_FIELDS)
#undef ACCSIM_DRAM_TIMING_FIELDS
};

// Organisation overrides; 0 = the preset's value.
struct DramOrgOverrides {
  int channel_width = 0;
  int burst_length = 0;
  int bank_groups = 0;
  int banks_per_group = 0;
  int banks = 0;      // banks per rank (per stack ID); must divide by bank_groups (alternative to
                      // banks_per_group)
  int stack_ids = 0;  // stack IDs per rank (HBM3 SID)
  std::int64_t rows = 0;
  int columns = 0;
};

// Power overrides; a negative value = the preset's value. Currents in A, voltages in V, energy
// per bit in J/bit (the config's base units); resolve converts to DramPower's mA and pJ.
struct DramPowerOverrides {
  double vdd = -1, vpp = -1;
  double idd0 = -1, idd2n = -1, idd3n = -1, idd4r = -1, idd4w = -1, idd5b = -1, idd5pb = -1;
  double ipp0 = -1, ipp2n = -1, ipp3n = -1, ipp4r = -1, ipp4w = -1, ipp5b = -1;
  double io = -1;
  int devices_per_rank = 0;
};

// Most independent channels one DRAM system may have (dram.channels, gpu.memory_channels).
inline constexpr int kMaxDramChannels = 4096;
// Upper bounds of a timing override, so that sums of several timings stay far inside an int: a
// timing in cycles at most 2^20 (the longest JEDEC timing, tREFI, is about 12 500 cycles at
// DDR4-3200 and HBM3-6.4), one as a time at most 100 us (2^20 cycles at 10 GHz).
inline constexpr int kMaxTimingCycles = 1 << 20;
inline constexpr double kMaxTimingSeconds = 100e-6;

struct DramConfig {
  std::string preset;        // name of a built-in preset; "" = the standard's preset
  std::string standard;      // DDR4 DDR5 LPDDR5 HBM2 HBM3 GDDR6; "" = the preset's
  std::string speed;         // bin name or data rate; "" = the preset's default bin
  double density_bytes = 0;  // device/channel density ("8Gb"); 0 = the preset's default
  std::string dq;            // device width "x8" (HBM/GDDR6/LPDDR5: channel width); "" = default
  int channels = 0;          // 0 = the preset's default
  int pseudo_channels = 0;
  int ranks = 0;
  DramOrgOverrides org;
  DramTimingOverrides timing;
  DramPowerOverrides power;
};

// The schema of the `dram:` section (a static; include it as a section of a system schema).
const config::Schema<DramConfig>& dram_config_schema();

// Built-in presets, from configs/dram/*.yaml (embedded at build time), sorted by name.
std::vector<std::string> dram_preset_names();
// The YAML text of a preset (for `accsim list` and docs); throws like load_dram_preset.
const std::string& dram_preset_text(const std::string& name);
// Resets `cfg` to the preset's defaults. An unknown name is a config error at `where` that
// lists the known presets.
void load_dram_preset(const std::string& name, DramConfig& cfg, const SourceLoc& where);

// Resolves a configuration into cycles and checks it. Every error is a config error at `where`
// (the dram section) naming the offending key and value.
DramSpec resolve_dram_spec(const DramConfig& cfg, const SourceLoc& where);
// The spec of a preset at its defaults (tests, `accsim list`).
DramSpec dram_preset_spec(const std::string& name);

// JESD79-4 rounding of a time to clock cycles: nCK = floor(t / tCK * 1000 + 974) / 1000 with
// the ratio truncated to 1/1000 (i.e. round up unless within 2.6 % above a whole cycle).
int jedec_nck(double seconds, Ps tck_ps);

std::string_view per_bank_refresh_name(PerBankRefresh p);

}  // namespace accsim::hw
