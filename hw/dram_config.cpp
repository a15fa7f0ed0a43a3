#include "hw/dram_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

namespace accsim::hw {

namespace detail {
// Generated at build time from configs/dram/*.yaml by hw/embed_dram_presets.cmake.
struct EmbeddedFile {
  const char* name;
  const char* path;
  const char* text;
};
extern const EmbeddedFile kDramPresetFiles[];
extern const std::size_t kNumDramPresetFiles;
}  // namespace detail

namespace {

using config::join;

// ---------------------------------------------------------------------------------------------
// Timing table.

enum TIdx : int {
#define ACCSIM_T_ENUM(name, min, desc) kT_##name,
  ACCSIM_DRAM_TIMINGS(ACCSIM_T_ENUM)
#undef ACCSIM_T_ENUM
      kNumT
};

struct TInfo {
  const char* name;
  int min;
  const char* desc;
  int DramTimingOverrides::*n;
  double DramTimingOverrides::*t;
};

const std::array<TInfo, kNumT> kTimings = {{
#define ACCSIM_T_INFO(name, min, desc) \
  {#name, min, desc, &DramTimingOverrides::n##name, &DramTimingOverrides::t##name},
    ACCSIM_DRAM_TIMINGS(ACCSIM_T_INFO)
#undef ACCSIM_T_INFO
}};

// Aliases set both halves of a split parameter; they apply before the specific keys of the same
// layer, so `tRCD: 14ns` with `nRCDWR: 10` sets RCDRD from the time and RCDWR to 10.
std::vector<int> alias_targets(int i) {
  switch (i) {
    case kT_RCD:
      return {kT_RCDRD, kT_RCDWR};
    case kT_RRD:
      return {kT_RRD_S, kT_RRD_L};
    case kT_CCD:
      return {kT_CCD_S, kT_CCD_L};
    case kT_WTR:
      return {kT_WTR_S, kT_WTR_L};
    default:
      return {};
  }
}

int timing_index(const std::string& base) {
  for (int i = 0; i < kNumT; ++i)
    if (base == kTimings[i].name) return i;
  return -1;
}

std::vector<std::string> timing_keys() {
  std::vector<std::string> v;
  for (const auto& t : kTimings) {
    v.push_back(std::string("n") + t.name);
    v.push_back(std::string("t") + t.name);
  }
  return v;
}

// One timing value as written: cycles, a time, or max(cycles, time).
struct TVal {
  bool set = false;
  int nck = -1;         // cycles, or the nCK floor of a max()
  double seconds = -1;  // time, or the time part of a max()
  std::string text;     // "tRCD = 13.75ns" for messages
  std::string origin;   // where it was set
};

// ---------------------------------------------------------------------------------------------
// Presets: parsed once from the embedded YAML.

struct SpeedBin {
  std::string name;
  double rate_mtps = 0;  // nominal, for matching `speed: 3200`
  double tck_s = 0;
  YAML::Node layer;
};

struct Preset {
  std::string name, path, text;
  config::Origin origin{""};
  YAML::Node root;
  DramStandard standard = DramStandard::kDDR4;
  int data_per_ck = 2;
  PerBankRefresh pbr = PerBankRefresh::kNone;
  int density_units = 1;
  std::string def_speed, def_density, def_dq;
  int def_channels = 1, def_pcs = 1, def_ranks = 1;
  std::vector<SpeedBin> speeds;
};

std::vector<std::string> standard_list() {
  std::vector<std::string> v;
  for (const DramStandardInfo& s : dram_standards()) v.emplace_back(s.name);
  return v;
}

[[noreturn]] void preset_error(const Preset& p, const YAML::Node& n, const std::string& msg) {
  throw config_error(p.origin.loc(n), "DRAM preset '" + p.name + "': " + msg);
}

void check_keys(const Preset& p, const YAML::Node& map, const std::vector<std::string>& allowed,
                const std::string& what) {
  if (!map.IsMap()) preset_error(p, map, what + " must be a mapping");
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      preset_error(p, it->first,
                   "unknown key '" + k + "' in " + what + "; valid keys: " + join(allowed, ", "));
  }
}

std::string scalar(const Preset& p, const YAML::Node& n, const std::string& what) {
  if (!n || !n.IsScalar()) preset_error(p, n, what + " must be a single value");
  return n.Scalar();
}

std::int64_t integer(const Preset& p, const YAML::Node& n, const std::string& what) {
  std::string s = scalar(p, n, what);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') preset_error(p, n, what + " = '" + s + "' is not an integer");
  return v;
}

Preset parse_preset(const detail::EmbeddedFile& f) {
  Preset p;
  p.name = f.name;
  p.path = f.path;
  p.text = f.text;
  p.origin = config::Origin(f.path);
  p.root = config::load_yaml_string(p.text, p.origin.file());
  check_keys(p, p.root,
             {"standard", "data_per_ck", "per_bank_refresh", "density_units", "defaults", "org",
              "timing", "power", "by_dq", "by_density", "speeds"},
             "the preset");
  const std::string st = scalar(p, p.root["standard"], "standard");
  const DramStandardInfo* info = find_standard(st);
  if (info == nullptr) preset_error(p, p.root["standard"], "unknown standard '" + st + "'");
  p.standard = info->id;
  p.data_per_ck = static_cast<int>(integer(p, p.root["data_per_ck"], "data_per_ck"));
  const std::string pbr = scalar(p, p.root["per_bank_refresh"], "per_bank_refresh");
  if (pbr == "none")
    p.pbr = PerBankRefresh::kNone;
  else if (pbr == "single_bank")
    p.pbr = PerBankRefresh::kSingleBank;
  else if (pbr == "same_bank_all_groups")
    p.pbr = PerBankRefresh::kSameBankInAllGroups;
  else
    preset_error(p, p.root["per_bank_refresh"],
                 "per_bank_refresh must be none, single_bank or same_bank_all_groups");
  p.density_units = static_cast<int>(integer(p, p.root["density_units"], "density_units"));
  const YAML::Node d = p.root["defaults"];
  check_keys(p, d, {"speed", "density", "dq", "channels", "pseudo_channels", "ranks"}, "defaults");
  p.def_speed = scalar(p, d["speed"], "defaults.speed");
  p.def_density = scalar(p, d["density"], "defaults.density");
  p.def_dq = scalar(p, d["dq"], "defaults.dq");
  p.def_channels = static_cast<int>(integer(p, d["channels"], "defaults.channels"));
  p.def_pcs = static_cast<int>(integer(p, d["pseudo_channels"], "defaults.pseudo_channels"));
  p.def_ranks = static_cast<int>(integer(p, d["ranks"], "defaults.ranks"));
  const YAML::Node sp = p.root["speeds"];
  if (!sp || !sp.IsMap() || sp.size() == 0) preset_error(p, p.root, "needs a 'speeds' mapping");
  for (auto it = sp.begin(); it != sp.end(); ++it) {
    SpeedBin b;
    b.name = it->first.Scalar();
    b.layer = it->second;
    check_keys(p, b.layer, {"rate", "tCK", "org", "timing", "power", "by_dq", "by_density"},
               "speed bin " + b.name);
    b.rate_mtps = static_cast<double>(integer(p, b.layer["rate"], b.name + ".rate"));
    b.tck_s = parse_quantity(scalar(p, b.layer["tCK"], b.name + ".tCK"), Unit::kTime,
                             p.origin.loc(b.layer["tCK"]));
    p.speeds.push_back(std::move(b));
  }
  return p;
}

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = [] {
    std::vector<Preset> v;
    for (std::size_t i = 0; i < detail::kNumDramPresetFiles; ++i)
      v.push_back(parse_preset(detail::kDramPresetFiles[i]));
    std::sort(v.begin(), v.end(), [](const Preset& a, const Preset& b) { return a.name < b.name; });
    return v;
  }();
  return all;
}

const Preset& find_preset(const std::string& name, const SourceLoc& where) {
  for (const Preset& p : presets())
    if (p.name == name) return p;
  std::vector<std::string> names = dram_preset_names();
  std::string hint = config::closest_match(name, names);
  throw config_error(where, "unknown DRAM preset '" + name +
                                "'; known presets: " + join(names, ", ") +
                                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

// ---------------------------------------------------------------------------------------------
// Accumulating the layers.

struct Sel {
  std::string dq_key;  // "x8"
  double density_bytes = 0;
  std::string density_key;  // as written by the user, for messages
  SourceLoc where;          // the user's dram section
};

struct Acc {
  std::array<TVal, kNumT> t;
  std::map<std::string, std::pair<std::int64_t, std::string>> org;  // key -> value, origin
  std::map<std::string, std::pair<double, std::string>> power;      // base units
  std::string power_source;
};

// Parses "max(4nCK, 7.5ns)" or "7.5ns" (t-keys) and "24" (n-keys).
TVal parse_timing_value(const std::string& key, const std::string& text, const SourceLoc& loc) {
  TVal v;
  v.set = true;
  v.text = key + " = " + text;
  auto bad = [&](const std::string& why) {
    return config_error(loc, "'" + key + "' = '" + text + "': " + why);
  };
  if (key[0] == 'n') {
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') throw bad("expected a whole number of clock cycles");
    if (n < 0) throw bad("a timing cannot be negative");
    v.nck = static_cast<int>(n);
    return v;
  }
  std::string s;
  for (char c : text)
    if (c != ' ') s += c;
  if (s.rfind("max(", 0) == 0) {
    if (s.back() != ')') throw bad("expected max(<n>nCK, <time>)");
    std::string inner = s.substr(4, s.size() - 5);
    auto comma = inner.find(',');
    if (comma == std::string::npos) throw bad("expected max(<n>nCK, <time>)");
    for (const std::string& part : {inner.substr(0, comma), inner.substr(comma + 1)}) {
      if (part.size() > 3 && part.compare(part.size() - 3, 3, "nCK") == 0) {
        char* end = nullptr;
        long long n = std::strtoll(part.c_str(), &end, 10);
        if (end != part.c_str() + part.size() - 3 || n < 0)
          throw bad("'" + part + "' is not a whole number of nCK");
        v.nck = static_cast<int>(n);
      } else {
        v.seconds = parse_quantity(part, Unit::kTime, loc);
      }
    }
    if (v.nck < 0 || v.seconds < 0) throw bad("max() needs one nCK and one time");
    return v;
  }
  v.seconds = parse_quantity(s, Unit::kTime, loc);
  if (v.seconds <= 0) throw bad("a timing must be positive");
  return v;
}

// Applies one layer's timings: aliases first, then specific keys; nX and tX of one name in the
// same layer is an error.
void apply_timing_entries(std::vector<std::pair<int, TVal>> entries, Acc& acc, const SourceLoc& loc,
                          const std::string& where_text) {
  std::array<std::string, kNumT> seen;
  for (auto& [i, v] : entries) {
    if (!seen[i].empty())
      throw config_error(loc, where_text + ": both " + seen[i] + " and " + v.text +
                                  " are given; give the timing in cycles or as a time, not both");
    seen[i] = v.text;
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return !alias_targets(a.first).empty() && alias_targets(b.first).empty();
  });
  for (auto& [i, v] : entries) {
    auto targets = alias_targets(i);
    if (targets.empty())
      acc.t[i] = v;
    else
      for (int j : targets) acc.t[j] = v;
  }
}

void apply_layer(const Preset& p, const YAML::Node& layer, const Sel& sel, Acc& acc,
                 const std::string& what);

void apply_org(const Preset& p, const YAML::Node& n, Acc& acc, const std::string& what) {
  check_keys(p, n,
             {"channel_width", "burst_length", "stack_ids", "bank_groups", "banks_per_group",
              "rows", "columns"},
             what + ".org");
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string k = it->first.Scalar();
    acc.org[k] = {integer(p, it->second, what + ".org." + k), p.origin.loc(it->second).str()};
  }
}

void apply_timing(const Preset& p, const YAML::Node& n, Acc& acc, const std::string& what) {
  if (!n.IsMap()) preset_error(p, n, what + ".timing must be a mapping");
  std::vector<std::pair<int, TVal>> entries;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string k = it->first.Scalar();
    const int i = k.size() > 1 && (k[0] == 'n' || k[0] == 't') ? timing_index(k.substr(1)) : -1;
    if (i < 0)
      preset_error(
          p, it->first,
          "unknown timing '" + k + "' in " + what + ".timing; valid: " + join(timing_keys(), ", "));
    const SourceLoc loc = p.origin.loc(it->second);
    TVal v = parse_timing_value(k, scalar(p, it->second, k), loc);
    v.origin = loc.str();
    entries.emplace_back(i, std::move(v));
  }
  apply_timing_entries(std::move(entries), acc, p.origin.loc(n), "preset " + p.name);
}

struct PowerKey {
  std::string key;
  Unit unit;
};
// Further supply rails (hw::DramRail) a preset may give, and the currents given per rail.
constexpr const char* kFurtherRails[] = {"vdd1", "vdd2l"};
constexpr const char* kRailCurrents[] = {"idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5b"};
const std::vector<PowerKey>& power_keys() {
  static const std::vector<PowerKey> v = [] {
    std::vector<PowerKey> k = {
        {"vdd", Unit::kVoltage},
        {"vpp", Unit::kVoltage},
        {"idd0", Unit::kCurrent},
        {"idd2n", Unit::kCurrent},
        {"idd3n", Unit::kCurrent},
        {"idd4r", Unit::kCurrent},
        {"idd4w", Unit::kCurrent},
        {"idd5b", Unit::kCurrent},
        {"idd5pb", Unit::kCurrent},
        {"ipp0", Unit::kCurrent},
        {"ipp2n", Unit::kCurrent},
        {"ipp3n", Unit::kCurrent},
        {"ipp4r", Unit::kCurrent},
        {"ipp4w", Unit::kCurrent},
        {"ipp5b", Unit::kCurrent},
        {"io", Unit::kEnergyPerBit},
        {"devices_per_rank", Unit::kNone},
        // Per-bit energies (pJ, plain numbers) from which currents are derived (derive_currents).
        {"act_pre_pj_per_row_bit", Unit::kNone},
        {"rd_pj_per_bit", Unit::kNone},
        {"wr_pj_per_bit", Unit::kNone}};
    // Further rails (hw::DramRail): the voltage `<rail>` and the currents `<current>_<rail>`.
    for (const char* rail : kFurtherRails) {
      k.push_back({rail, Unit::kVoltage});
      for (const char* cur : kRailCurrents)
        k.push_back({std::string(cur) + "_" + rail, Unit::kCurrent});
    }
    return k;
  }();
  return v;
}

void apply_power(const Preset& p, const YAML::Node& n, Acc& acc, const std::string& what) {
  std::vector<std::string> allowed = {"source"};
  for (auto& k : power_keys()) allowed.push_back(k.key);
  check_keys(p, n, allowed, what + ".power");
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (k == "source") {
      acc.power_source = scalar(p, it->second, "power.source");
      continue;
    }
    for (auto& pk : power_keys())
      if (k == pk.key)
        acc.power[k] = {parse_quantity(scalar(p, it->second, k), pk.unit, p.origin.loc(it->second)),
                        p.origin.loc(it->second).str()};
  }
}

std::vector<std::string> map_keys(const YAML::Node& n) {
  std::vector<std::string> v;
  for (auto it = n.begin(); it != n.end(); ++it) v.push_back(it->first.Scalar());
  return v;
}

void apply_layer(const Preset& p, const YAML::Node& layer, const Sel& sel, Acc& acc,
                 const std::string& what) {
  if (!layer || layer.IsNull()) return;
  if (!layer.IsMap()) preset_error(p, layer, what + " must be a mapping");
  if (auto n = layer["org"]) apply_org(p, n, acc, what);
  if (auto n = layer["timing"]) apply_timing(p, n, acc, what);
  if (auto n = layer["power"]) apply_power(p, n, acc, what);
  if (auto n = layer["by_density"]) {
    if (!n.IsMap()) preset_error(p, n, what + ".by_density must be a mapping");
    const YAML::Node* hit = nullptr;
    YAML::Node match;
    for (auto it = n.begin(); it != n.end(); ++it) {
      double b = parse_quantity(it->first.Scalar(), Unit::kSize, p.origin.loc(it->first));
      if (std::fabs(b - sel.density_bytes) < 0.5) {
        match = it->second;
        hit = &match;
      }
    }
    if (!hit)
      throw config_error(
          sel.where, "DRAM preset '" + p.name + "' has no " + sel.density_key +
                         " devices (dram.density); valid densities: " + join(map_keys(n), ", "));
    apply_layer(p, *hit, sel, acc, what + ".by_density." + sel.density_key);
  }
  if (auto n = layer["by_dq"]) {
    if (!n.IsMap()) preset_error(p, n, what + ".by_dq must be a mapping");
    if (!n[sel.dq_key])
      throw config_error(sel.where,
                         "DRAM preset '" + p.name + "' has no " + sel.dq_key +
                             " devices (dram.dq); valid widths: " + join(map_keys(n), ", "));
    apply_layer(p, n[sel.dq_key], sel, acc, what + ".by_dq." + sel.dq_key);
  }
}

// ---------------------------------------------------------------------------------------------
// Selection helpers.

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const SpeedBin& select_speed(const Preset& p, const std::string& speed, const SourceLoc& where) {
  std::vector<std::string> names;
  for (const SpeedBin& b : p.speeds) {
    names.push_back(b.name + " (" + config::fmt_number(b.rate_mtps) + " MT/s)");
    if (lower(b.name) == lower(speed)) return b;
  }
  // A data rate: a plain number is MT/s, otherwise a quantity such as 6.4Gbps or 3200MT/s.
  double mtps = -1;
  char* end = nullptr;
  double plain = std::strtod(speed.c_str(), &end);
  if (!speed.empty() && *end == '\0') {
    mtps = plain;
  } else {
    try {
      mtps = parse_quantity(speed, Unit::kDataRate, where) / 1e6;
    } catch (const Error&) {
      mtps = -1;
    }
  }
  if (mtps > 0)
    for (const SpeedBin& b : p.speeds)
      if (std::fabs(b.rate_mtps - mtps) <= 0.005 * b.rate_mtps) return b;
  throw config_error(where, "dram.speed = '" + speed + "' is not a speed bin of preset '" + p.name +
                                "'; known bins: " + join(names, ", ") +
                                " (give a bin name or its data rate)");
}

int parse_dq(const std::string& s, const SourceLoc& where) {
  std::string t = s;
  if (!t.empty() && (t[0] == 'x' || t[0] == 'X')) t = t.substr(1);
  char* end = nullptr;
  long v = std::strtol(t.c_str(), &end, 10);
  if (t.empty() || *end != '\0' || v <= 0)
    throw config_error(where, "dram.dq = '" + s + "' is not a device width; expected x4, x8, " +
                                  "x16, x32 or x64");
  return static_cast<int>(v);
}

bool is_pow2(std::int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

std::string gbit_text(double bytes) {
  return config::fmt_number(bytes * 8 / 1073741824.0) + "Gb";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

int jedec_nck(double seconds, Ps tck_ps) {
  // JESD79-4 "rounding algorithm": work in 1/1000 of a cycle, truncate, add the 0.974 guard band.
  const std::int64_t t_fs = std::llround(seconds * 1e15);
  const std::int64_t ratio_x1000 = t_fs / static_cast<std::int64_t>(tck_ps);
  return static_cast<int>((ratio_x1000 + 974) / 1000);
}

std::string_view per_bank_refresh_name(PerBankRefresh p) {
  switch (p) {
    case PerBankRefresh::kNone:
      return "none";
    case PerBankRefresh::kSingleBank:
      return "single_bank";
    case PerBankRefresh::kSameBankInAllGroups:
      return "same_bank_all_groups";
  }
  return "?";
}

std::vector<std::string> dram_preset_names() {
  std::vector<std::string> v;
  for (const Preset& p : presets()) v.push_back(p.name);
  return v;
}

const std::string& dram_preset_text(const std::string& name) {
  return find_preset(name, SourceLoc{"<dram preset>", 0, 0}).text;
}

void load_dram_preset(const std::string& name, DramConfig& cfg, const SourceLoc& where) {
  const Preset& p = find_preset(name, where);
  cfg = DramConfig{};
  cfg.preset = p.name;
  cfg.standard = std::string(standard_name(p.standard));
  cfg.speed = p.def_speed;
  cfg.density_bytes = parse_quantity(p.def_density, Unit::kSize, where);
  cfg.dq = p.def_dq;
  cfg.channels = p.def_channels;
  cfg.pseudo_channels = p.def_pcs;
  cfg.ranks = p.def_ranks;
}

DramSpec dram_preset_spec(const std::string& name) {
  DramConfig cfg;
  SourceLoc where{"<builtin:" + name + ">", 0, 0};
  load_dram_preset(name, cfg, where);
  return resolve_dram_spec(cfg, where);
}

namespace {

// Currents from per-bit energies, for presets with no public IDD table (HBM2/HBM3 from FGDRAM,
// GDDR6 from Micron's device average). The inverse of the DRAMPower / Micron TN-40-07 formulas
// the energy model applies (per device):
//   E_RD = VDD (IDD4R - IDD3N) tBL,  E_WR = VDD (IDD4W - IDD3N) tBL,
//   E_ACT + E_PRE = VDD (IDD0 - IDD3N) tRAS + VDD (IDD0 - IDD2N) tRP,
// with a burst moving dq x BL bits of one device and an activation opening columns x dq bits.
void derive_currents(const std::map<std::string, std::pair<double, std::string>>& pw, DramSpec& s) {
  DramPower& P = s.power;
  const DramTiming& T = s.timing;
  const double tck = static_cast<double>(T.tCK_ps) * 1e-12;
  const double burst_bits = static_cast<double>(s.org.dq) * s.org.burst_length;
  const double tbl = T.nBL * tck;
  auto has = [&](const char* k) { return pw.count(k) != 0; };
  auto mA = [](double amps) { return amps * 1e3; };
  if (has("rd_pj_per_bit") && !has("idd4r"))
    P.idd4r = P.idd3n + mA(pw.at("rd_pj_per_bit").first * 1e-12 * burst_bits / (P.vdd * tbl));
  if (has("wr_pj_per_bit") && !has("idd4w"))
    P.idd4w = P.idd3n + mA(pw.at("wr_pj_per_bit").first * 1e-12 * burst_bits / (P.vdd * tbl));
  if (has("act_pre_pj_per_row_bit") && !has("idd0")) {
    const double row_bits = static_cast<double>(s.org.columns) * s.org.dq;
    const double e = pw.at("act_pre_pj_per_row_bit").first * 1e-12 * row_bits;  // J per ACT+PRE
    const double tras = T.nRAS * tck, trp = T.nRP * tck;
    // Solve e = V ((I0 - I3N) tRAS + (I0 - I2N) tRP) for I0 (in A; currents stored in mA).
    const double i0 = (e / P.vdd + P.idd3n * 1e-3 * tras + P.idd2n * 1e-3 * trp) / (tras + trp);
    P.idd0 = mA(i0);
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution, step by step: which preset, which part of it, the layers, the organisation, the
// timings in cycles, the power. resolve_dram_spec() at the end runs the steps in order.

// The preset the dram section names, or the one named after its standard.
const Preset& choose_preset(const DramConfig& cfg, const SourceLoc& where) {
  if (!cfg.preset.empty()) {
    const Preset& p = find_preset(cfg.preset, where);
    if (!cfg.standard.empty() && cfg.standard != standard_name(p.standard))
      throw config_error(where, "dram.standard = '" + cfg.standard + "' does not match preset '" +
                                    p.name + "', which is " +
                                    std::string(standard_name(p.standard)));
    return p;
  }
  if (cfg.standard.empty())
    throw config_error(where, "the dram section needs 'preset' (one of " +
                                  join(dram_preset_names(), ", ") + ") or 'standard'");
  // The preset named after the standard (HBM3, not HBM3E, which uses HBM3's rules); else the
  // first preset of that standard by name.
  const Preset* pp = nullptr;
  for (const Preset& p : presets())
    if (standard_name(p.standard) == cfg.standard && (!pp || p.name == cfg.standard)) pp = &p;
  if (!pp) {
    std::string hint = config::closest_match(cfg.standard, standard_list());
    throw config_error(where, "dram.standard = '" + cfg.standard + "' is not known; expected " +
                                  join(standard_list(), ", ") +
                                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  return *pp;
}

// The part of the preset: speed bin, density and device width.
struct Part {
  const SpeedBin* bin = nullptr;
  Sel sel;
  int dq = 0;
};

Part select_part(const Preset& p, const DramConfig& cfg, const SourceLoc& where) {
  Part part;
  part.sel.where = where;
  part.bin = &select_speed(p, cfg.speed.empty() ? p.def_speed : cfg.speed, where);
  part.sel.density_bytes =
      cfg.density_bytes > 0 ? cfg.density_bytes : parse_quantity(p.def_density, Unit::kSize, where);
  part.sel.density_key = gbit_text(part.sel.density_bytes);
  part.dq = parse_dq(cfg.dq.empty() ? p.def_dq : cfg.dq, where);
  part.sel.dq_key = "x" + std::to_string(part.dq);
  return part;
}

// The user's dram.org, dram.timing and dram.power keys, the last layer.
void apply_user_org(const DramConfig& cfg, Acc& acc) {
  for (const auto& [k, v] : std::vector<std::pair<const char*, std::int64_t>>{
           {"channel_width", cfg.org.channel_width},
           {"burst_length", cfg.org.burst_length},
           {"stack_ids", cfg.org.stack_ids},
           {"bank_groups", cfg.org.bank_groups},
           {"banks_per_group", cfg.org.banks_per_group},
           {"rows", cfg.org.rows},
           {"columns", cfg.org.columns}})
    if (v > 0) acc.org[k] = {v, "dram.org." + std::string(k)};
}

void apply_user_timing(const DramConfig& cfg, Acc& acc, const SourceLoc& where) {
  std::vector<std::pair<int, TVal>> entries;
  for (int i = 0; i < kNumT; ++i) {
    const int n = cfg.timing.*kTimings[i].n;
    const double t = cfg.timing.*kTimings[i].t;
    const std::string name = kTimings[i].name;
    if (n >= 0) {
      TVal v;
      v.set = true;
      v.nck = n;
      v.text = "n" + name + " = " + std::to_string(n);
      v.origin = "dram.timing.n" + name;
      entries.emplace_back(i, v);
    }
    if (t > 0) {
      TVal v;
      v.set = true;
      v.seconds = t;
      v.text = "t" + name + " = " + format_quantity(t, Unit::kTime);
      v.origin = "dram.timing.t" + name;
      entries.emplace_back(i, v);
    }
  }
  apply_timing_entries(std::move(entries), acc, where, "dram.timing");
}

void apply_user_power(const DramConfig& cfg, Acc& acc) {
  const DramPowerOverrides& o = cfg.power;
  const std::vector<std::pair<const char*, double>> pv = {
      {"vdd", o.vdd},       {"vpp", o.vpp},     {"idd0", o.idd0},   {"idd2n", o.idd2n},
      {"idd3n", o.idd3n},   {"idd4r", o.idd4r}, {"idd4w", o.idd4w}, {"idd5b", o.idd5b},
      {"idd5pb", o.idd5pb}, {"ipp0", o.ipp0},   {"ipp2n", o.ipp2n}, {"ipp3n", o.ipp3n},
      {"ipp4r", o.ipp4r},   {"ipp4w", o.ipp4w}, {"ipp5b", o.ipp5b}, {"io", o.io}};
  bool any = false;
  for (auto& [k, v] : pv)
    if (v >= 0) acc.power[k] = {v, "dram.power." + std::string(k)}, any = true;
  if (o.devices_per_rank > 0)
    acc.power["devices_per_rank"] = {static_cast<double>(o.devices_per_rank),
                                     "dram.power.devices_per_rank"},
    any = true;
  if (any)
    acc.power_source += (acc.power_source.empty() ? "" : "; ") +
                        std::string("overridden in the dram.power section");
}

// Every layer in order: preset top level, speed bin, then the user's overrides.
Acc accumulate_layers(const Preset& p, const Part& part, const DramConfig& cfg,
                      const SourceLoc& where) {
  Acc acc;
  apply_layer(p, p.root, part.sel, acc, "preset");
  apply_layer(p, part.bin->layer, part.sel, acc, "speeds." + part.bin->name);
  apply_user_org(cfg, acc);
  apply_user_timing(cfg, acc, where);
  apply_user_power(cfg, acc);
  return acc;
}

std::int64_t org_value(const Preset& p, const Acc& acc, const char* k, const SourceLoc& where) {
  auto it = acc.org.find(k);
  if (it == acc.org.end())
    throw config_error(where,
                       "DRAM preset '" + p.name + "' gives no org." + k + "; set dram.org." + k);
  return it->second.first;
}

// The organisation from the layers (dram.org.banks splits into bank groups here).
DramOrg build_org(const Preset& p, const DramConfig& cfg, const Part& part, Acc& acc,
                  const SourceLoc& where) {
  DramOrg o;
  o.dq = part.dq;
  o.density_gbit = std::llround(part.sel.density_bytes * 8 / 1073741824.0);
  o.channel_width = static_cast<int>(org_value(p, acc, "channel_width", where));
  o.burst_length = static_cast<int>(org_value(p, acc, "burst_length", where));
  o.bank_groups = static_cast<int>(org_value(p, acc, "bank_groups", where));
  // Stack IDs are optional: a preset without them has one per rank.
  if (acc.org.count("stack_ids")) o.stack_ids = static_cast<int>(acc.org.at("stack_ids").first);
  o.rows = org_value(p, acc, "rows", where);
  o.columns = static_cast<int>(org_value(p, acc, "columns", where));
  if (cfg.org.banks > 0) {
    if (cfg.org.banks_per_group > 0)
      throw config_error(where,
                         "dram.org: both banks = " + std::to_string(cfg.org.banks) +
                             " and banks_per_group = " + std::to_string(cfg.org.banks_per_group) +
                             " are given; give one");
    if (cfg.org.banks % o.bank_groups != 0)
      throw config_error(where, "dram.org.banks = " + std::to_string(cfg.org.banks) +
                                    " does not divide into " + std::to_string(o.bank_groups) +
                                    " bank groups (org.bank_groups from " +
                                    acc.org.at("bank_groups").second + ")");
    o.banks_per_group = cfg.org.banks / o.bank_groups;
    acc.org["banks_per_group"] = {o.banks_per_group, "dram.org.banks"};
  } else {
    o.banks_per_group = static_cast<int>(org_value(p, acc, "banks_per_group", where));
  }
  o.channels = cfg.channels > 0 ? cfg.channels : p.def_channels;
  o.pseudo_channels = cfg.pseudo_channels > 0 ? cfg.pseudo_channels : p.def_pcs;
  o.ranks = cfg.ranks > 0 ? cfg.ranks : p.def_ranks;
  return o;
}

// Powers of two where address bits decode a level, whole devices, whole bursts, and a capacity
// that matches dram.density.
void check_org(const Preset& p, const DramOrg& o, const Part& part, const Acc& acc,
               const SourceLoc& where) {
  for (const char* k : {"bank_groups", "banks_per_group", "rows", "columns", "burst_length"}) {
    const std::int64_t v =
        k == std::string("banks_per_group") ? o.banks_per_group : org_value(p, acc, k, where);
    if (!is_pow2(v))
      throw config_error(where, "org." + std::string(k) + " = " + std::to_string(v) + " (from " +
                                    acc.org.at(k).second +
                                    ") must be a power of two: it is decoded from address bits");
  }
  const int max_sids = standard_info(p.standard).max_stack_ids;
  if (o.stack_ids < 1 || o.stack_ids > max_sids || !is_pow2(o.stack_ids))
    throw config_error(
        where, "org.stack_ids = " + std::to_string(o.stack_ids) + " (from " +
                   acc.org.at("stack_ids").second + ") is not possible for " +
                   std::string(standard_name(p.standard)) +
                   (max_sids == 1 ? ", which has no stack IDs; expected 1"
                                  : ": expected 1 to " + std::to_string(max_sids) +
                                        ", a power of two (it is decoded from address bits)"));
  const int dq = part.dq;
  if (o.channel_width < 1)
    throw config_error(
        where, "org.channel_width = " + std::to_string(o.channel_width) + " must be at least 1");
  if (o.channel_width % dq != 0)
    throw config_error(where, "org.channel_width = " + std::to_string(o.channel_width) +
                                  " bits is not a whole number of " + part.sel.dq_key +
                                  " devices (dram.dq)");
  if (o.columns % o.burst_length != 0)
    throw config_error(where, "org.columns = " + std::to_string(o.columns) +
                                  " is not divisible by the burst length " +
                                  std::to_string(o.burst_length));
  const double density_bits = part.sel.density_bytes * 8;
  const double org_bits = static_cast<double>(o.banks_per_rank()) * static_cast<double>(o.rows) *
                          o.columns * dq * p.density_units;
  if (std::fabs(org_bits - density_bits) > 0.5) {
    const double want_rows =
        density_bits / (static_cast<double>(o.banks_per_rank()) * o.columns * dq * p.density_units);
    throw config_error(
        where, "the organisation holds " + gbit_text(org_bits / 8) + " (" +
                   std::to_string(o.banks_per_rank()) + " banks x " + std::to_string(o.rows) +
                   " rows x " + std::to_string(o.columns) + " columns x " + std::to_string(dq) +
                   " bits" +
                   (p.density_units > 1 ? " x " + std::to_string(p.density_units) + " channels"
                                        : std::string()) +
                   ") but dram.density is " + part.sel.density_key + "; set org.rows to " +
                   config::fmt_number(want_rows) + " or density to " + gbit_text(org_bits / 8));
  }
  for (auto [k, v] : {std::pair<const char*, int>{"channels", o.channels},
                      {"pseudo_channels", o.pseudo_channels},
                      {"ranks", o.ranks}})
    if (v < 1)
      throw config_error(
          where, "dram." + std::string(k) + " = " + std::to_string(v) + " must be at least 1");
  // Channels (and pseudo-channels) may be any count; ranks and the burst are address bits.
  if (!is_pow2(o.ranks))
    throw config_error(where, "dram.ranks = " + std::to_string(o.ranks) +
                                  " must be a power of two: it is decoded from address bits");
  if (!is_pow2(o.burst_bytes()))
    throw config_error(where, "a burst of " + std::to_string(o.burst_bytes()) +
                                  " bytes (org.channel_width x org.burst_length / 8) must be a "
                                  "power of two: it is decoded from address bits");
}

// Every timing in cycles, with "nRC = 40 (from ...)" for messages.
struct Cycles {
  std::array<int, kNumT> n{};
  std::array<std::string, kNumT> desc;
};

// nBL from the burst when no layer gives it.
void default_burst_cycles(const Preset& p, const DramOrg& o, const Acc& acc, Cycles& c,
                          const SourceLoc& where) {
  if (acc.t[kT_BL].set) return;
  if (o.burst_length % p.data_per_ck != 0)
    throw config_error(where, "org.burst_length = " + std::to_string(o.burst_length) +
                                  " is not a whole number of clock cycles at " +
                                  std::to_string(p.data_per_ck) +
                                  " transfers per CK; set dram.timing.nBL");
  c.n[kT_BL] = o.burst_length / p.data_per_ck;
  c.desc[kT_BL] = "nBL = " + std::to_string(c.n[kT_BL]) + " (burst_length / transfers per CK)";
}

// Parameters a standard may leave out take their documented defaults (hw/dram_spec.h).
void default_optional_cycles(Acc& acc, Cycles& c) {
  auto default_to = [&](int i, int from) {
    if (acc.t[i].set) return;
    c.n[i] = c.n[from];
    c.desc[i] = "n" + std::string(kTimings[i].name) + " = " + std::to_string(c.n[i]) +
                " (defaults to n" + kTimings[from].name + ")";
    acc.t[i].set = true;
  };
  if (!acc.t[kT_RC].set && acc.t[kT_RAS].set && acc.t[kT_RP].set) {
    // LPDDR-style definition tRC = tRAS + tRPpb, in cycles so that it never rounds below them.
    c.n[kT_RC] = c.n[kT_RAS] + c.n[kT_RP];
    c.desc[kT_RC] = "nRC = " + std::to_string(c.n[kT_RC]) + " (defaults to nRAS + nRP)";
    acc.t[kT_RC].set = true;
  }
  default_to(kT_RPab, kT_RP);
  default_to(kT_CCD_L_WR, kT_CCD_L);
  default_to(kT_PBR2PBR, kT_RREFD);
  for (int i : {kT_RTRS, kT_RFCpb, kT_REFIpb, kT_RREFD, kT_PBR2PBR, kT_PPD, kT_CCDR})
    if (!acc.t[i].set) {
      c.n[i] = 0;
      c.desc[i] = "n" + std::string(kTimings[i].name) + " = 0 (not given)";
      acc.t[i].set = true;
    }
}

Cycles timings_in_cycles(const Preset& p, const DramOrg& o, Acc& acc, Ps tck,
                         const SourceLoc& where) {
  Cycles c;
  default_burst_cycles(p, o, acc, c, where);
  for (int i = 0; i < kNumT; ++i) {
    if (!acc.t[i].set || !alias_targets(i).empty()) continue;
    const TVal& v = acc.t[i];
    c.n[i] = v.seconds >= 0 ? std::max(v.nck, jedec_nck(v.seconds, tck)) : v.nck;
    const bool cycles = v.seconds < 0;
    c.desc[i] = "n" + std::string(kTimings[i].name) + " = " + std::to_string(c.n[i]) + " (" +
                (cycles ? std::string() : v.text + ", ") + "from " + v.origin + ")";
  }
  default_optional_cycles(acc, c);
  return c;
}

// Every timing given and at least its minimum, and the orderings JEDEC's definitions imply.
void check_timings(const Preset& p, const std::string& part_name, const DramOrg& o, const Acc& acc,
                   const Cycles& c, const SourceLoc& where) {
  const auto& n = c.n;
  const auto& desc = c.desc;
  for (int i = 0; i < kNumT; ++i) {
    if (!alias_targets(i).empty() || i == kT_BL) continue;
    if (!acc.t[i].set)
      throw config_error(where, "DRAM preset '" + p.name + "' (" + part_name +
                                    ") gives no value for " + kTimings[i].name + " (" +
                                    kTimings[i].desc + "); set dram.timing.n" + kTimings[i].name +
                                    " or t" + kTimings[i].name);
    if (n[i] < kTimings[i].min)
      throw config_error(where, "dram.timing: " + desc[i] + " must be at least " +
                                    std::to_string(kTimings[i].min) + " cycle" +
                                    (kTimings[i].min == 1 ? "" : "s"));
  }
  auto require = [&](bool ok, const std::string& msg) {
    if (!ok) throw config_error(where, "dram.timing: " + msg);
  };
  require(n[kT_RC] >= n[kT_RAS] + n[kT_RP],
          desc[kT_RC] + " is less than nRAS + nRP = " + std::to_string(n[kT_RAS]) + " + " +
              std::to_string(n[kT_RP]) + " = " + std::to_string(n[kT_RAS] + n[kT_RP]) +
              " (a row cycle is at least an activation plus a precharge)");
  require(n[kT_RRD_L] >= n[kT_RRD_S],
          desc[kT_RRD_L] + " is less than " + desc[kT_RRD_S] + " (same bank group is slower)");
  require(n[kT_CCD_L] >= n[kT_CCD_S],
          desc[kT_CCD_L] + " is less than " + desc[kT_CCD_S] + " (same bank group is slower)");
  require(n[kT_CCD_L_WR] >= n[kT_CCD_S], desc[kT_CCD_L_WR] + " is less than " + desc[kT_CCD_S]);
  require(n[kT_WTR_L] >= n[kT_WTR_S],
          desc[kT_WTR_L] + " is less than " + desc[kT_WTR_S] + " (same bank group is slower)");
  require(n[kT_CCD_S] >= n[kT_BL], desc[kT_CCD_S] + " is less than " + desc[kT_BL] +
                                       ": two bursts would overlap on the data bus");
  require(n[kT_RPab] >= n[kT_RP], desc[kT_RPab] + " is less than " + desc[kT_RP]);
  require(n[kT_REFI] > n[kT_RFC], desc[kT_REFI] + " is not longer than " + desc[kT_RFC]);
  if (o.stack_ids > 1)
    require(n[kT_CCDR] >= n[kT_BL],
            desc[kT_CCDR] + " is less than " + desc[kT_BL] + ": with " +
                std::to_string(o.stack_ids) +
                " stack IDs, reads of different stack IDs need tCCDR (at least one burst); set "
                "dram.timing.nCCDR or tCCDR");
  if (p.pbr != PerBankRefresh::kNone) {
    require(n[kT_RFCpb] >= 1, desc[kT_RFCpb] + ": " + std::string(standard_name(p.standard)) +
                                  " has per-bank refresh, so nRFCpb must be at least 1");
    // Per-bank refreshes of different banks may overlap (spaced by tRREFD / tpbR2pbR; HBM3 with
    // stack IDs refreshes a bank every tREFI / 32 while each takes tRFCpb); one bank's own
    // refreshes, one round of every refresh set apart, may not.
    const int sets = p.pbr == PerBankRefresh::kSameBankInAllGroups ? o.stack_ids * o.banks_per_group
                                                                   : o.banks_per_rank();
    require(static_cast<std::int64_t>(n[kT_REFIpb]) * sets > n[kT_RFCpb],
            desc[kT_REFIpb] + " x " + std::to_string(sets) + " refresh sets is not longer than " +
                desc[kT_RFCpb] + ": a bank's next refresh would start before its last one ended");
    require(n[kT_REFIpb] >= n[kT_PBR2PBR], desc[kT_REFIpb] + " is shorter than " +
                                               desc[kT_PBR2PBR] +
                                               ": per-bank refreshes could not keep pace");
  }
}

// Where each timing lands in DramTiming.
constexpr std::pair<int, int DramTiming::*> kTimingFields[] = {
    {kT_BL, &DramTiming::nBL},       {kT_CL, &DramTiming::nCL},
    {kT_CWL, &DramTiming::nCWL},     {kT_RCDRD, &DramTiming::nRCDRD},
    {kT_RCDWR, &DramTiming::nRCDWR}, {kT_RP, &DramTiming::nRP},
    {kT_RPab, &DramTiming::nRPab},   {kT_RAS, &DramTiming::nRAS},
    {kT_RC, &DramTiming::nRC},       {kT_WR, &DramTiming::nWR},
    {kT_RTP, &DramTiming::nRTP},     {kT_RRD_S, &DramTiming::nRRD_S},
    {kT_RRD_L, &DramTiming::nRRD_L}, {kT_CCD_S, &DramTiming::nCCD_S},
    {kT_CCD_L, &DramTiming::nCCD_L}, {kT_CCD_L_WR, &DramTiming::nCCD_L_WR},
    {kT_WTR_S, &DramTiming::nWTR_S}, {kT_WTR_L, &DramTiming::nWTR_L},
    {kT_FAW, &DramTiming::nFAW},     {kT_RTRS, &DramTiming::nRTRS},
    {kT_RFC, &DramTiming::nRFC},     {kT_RFCpb, &DramTiming::nRFCpb},
    {kT_REFI, &DramTiming::nREFI},   {kT_REFIpb, &DramTiming::nREFIpb},
    {kT_RREFD, &DramTiming::nRREFD}, {kT_PBR2PBR, &DramTiming::nPBR2PBR},
    {kT_PPD, &DramTiming::nPPD},     {kT_CCDR, &DramTiming::nCCDR},
};

DramTiming to_timing(const Cycles& c, Ps tck) {
  DramTiming T;
  T.tCK_ps = tck;
  for (const auto& [i, field] : kTimingFields) T.*field = c.n[i];
  return T;
}

// The power figures from the layers: currents in mA, further rails, I/O energy; currents
// derived from per-bit energies where a preset gives those.
DramPower build_power(const Acc& acc, const DramOrg& o, const SourceLoc& where) {
  DramPower P;
  auto pw = [&](const std::string& k, double scale, double def) {
    auto it = acc.power.find(k);
    return it == acc.power.end() ? def : it->second.first * scale;
  };
  P.vdd = pw("vdd", 1, 0);
  P.vpp = pw("vpp", 1, 0);
  const std::pair<const char*, double DramPower::*> currents[] = {
      {"idd0", &DramPower::idd0},     {"idd2n", &DramPower::idd2n}, {"idd3n", &DramPower::idd3n},
      {"idd4r", &DramPower::idd4r},   {"idd4w", &DramPower::idd4w}, {"idd5b", &DramPower::idd5b},
      {"idd5pb", &DramPower::idd5pb}, {"ipp0", &DramPower::ipp0},   {"ipp2n", &DramPower::ipp2n},
      {"ipp3n", &DramPower::ipp3n},   {"ipp4r", &DramPower::ipp4r}, {"ipp4w", &DramPower::ipp4w},
      {"ipp5b", &DramPower::ipp5b}};
  for (const auto& [k, field] : currents) P.*field = pw(k, 1e3, 0);
  // Further rails (preset keys only; dram.power overrides VDD and VPP): present when their
  // voltage is given; a current without its rail's voltage is an error (it would not count).
  for (const char* rail : kFurtherRails) {
    DramRail r;
    r.name = rail;
    for (char& ch : r.name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    r.v = pw(rail, 1, 0);
    double* rail_currents[] = {&r.idd0, &r.idd2n, &r.idd3n, &r.idd4r, &r.idd4w, &r.idd5b};
    for (std::size_t i = 0; i < std::size(kRailCurrents); ++i) {
      const std::string k = std::string(kRailCurrents[i]) + "_" + rail;
      if (acc.power.count(k) && r.v <= 0)
        throw config_error(where, "power." + k + " is given but " + rail +
                                      " (the rail's voltage) is not; set " + rail);
      *rail_currents[i] = pw(k, 1e3, 0);
    }
    if (r.v > 0) P.rails.push_back(r);
  }
  P.io_pj_per_bit = pw("io", 1e12, 0);
  P.devices_per_rank = static_cast<int>(pw("devices_per_rank", 1, o.channel_width / o.dq));
  P.source = acc.power_source;
  return P;
}

}  // namespace

DramSpec resolve_dram_spec(const DramConfig& cfg, const SourceLoc& where) {
  const Preset& p = choose_preset(cfg, where);
  const Part part = select_part(p, cfg, where);
  Acc acc = accumulate_layers(p, part, cfg, where);

  DramSpec s;
  s.standard = p.standard;
  s.per_bank_refresh = p.pbr;
  s.transfers_per_ck = p.data_per_ck;
  const Ps tck = seconds_to_ps(part.bin->tck_s, where);
  s.data_rate_mtps = p.data_per_ck * 1e6 / static_cast<double>(tck);
  s.name = part.bin->name + " " + part.sel.density_key + " " + part.sel.dq_key;

  s.org = build_org(p, cfg, part, acc, where);
  check_org(p, s.org, part, acc, where);
  const Cycles cycles = timings_in_cycles(p, s.org, acc, tck, where);
  check_timings(p, s.name, s.org, acc, cycles, where);
  s.timing = to_timing(cycles, tck);

  s.power = build_power(acc, s.org, where);
  if (acc.power.count("rd_pj_per_bit") || acc.power.count("wr_pj_per_bit") ||
      acc.power.count("act_pre_pj_per_row_bit")) {
    if (s.power.vdd <= 0) throw config_error(where, "dram.power: deriving currents needs vdd > 0");
    derive_currents(acc.power, s);
  }
  s.sources = {p.path + " (built-in preset " + p.name + "; every value cites its source there)",
               "timing rounding: JESD79-4 rounding algorithm (hw/dram_config.cpp jedec_nck)",
               "power: " + (s.power.source.empty() ? std::string("not given") : s.power.source)};
  return s;
}

// ---------------------------------------------------------------------------------------------
// Schema.

const config::Schema<DramConfig>& dram_config_schema() {
  static const config::Schema<DramOrgOverrides> org = [] {
    config::Schema<DramOrgOverrides> s("dram.org");
    const auto ge1 = config::Range::at_least(1);
    s.integer("channel_width", &DramOrgOverrides::channel_width, std::optional<int>(0), ge1, "bits",
              "data-bus width of one (pseudo-)channel; 0 = the preset's")
        .integer("burst_length", &DramOrgOverrides::burst_length, std::optional<int>(0), ge1,
                 "beats", "burst length BL; 0 = the preset's")
        .integer("bank_groups", &DramOrgOverrides::bank_groups, std::optional<int>(0), ge1, "",
                 "bank groups per rank (power of two); 0 = the preset's")
        .integer("banks_per_group", &DramOrgOverrides::banks_per_group, std::optional<int>(0), ge1,
                 "", "banks per bank group (power of two); 0 = the preset's")
        .integer("banks", &DramOrgOverrides::banks, std::optional<int>(0), ge1, "",
                 "banks per rank (per stack ID), instead of banks_per_group; must divide by "
                 "bank_groups")
        .integer("stack_ids", &DramOrgOverrides::stack_ids, std::optional<int>(0), ge1, "",
                 "stack IDs per rank (HBM3 SID: 1, 2 or 4; power of two); 0 = the preset's")
        .integer("rows", &DramOrgOverrides::rows, std::optional<std::int64_t>(0), ge1, "",
                 "rows per bank (power of two); 0 = the preset's")
        .integer("columns", &DramOrgOverrides::columns, std::optional<int>(0), ge1, "",
                 "device column addresses per row (power of two); 0 = the preset's");
    return s;
  }();
  static const config::Schema<DramTimingOverrides> timing = [] {
    config::Schema<DramTimingOverrides> s("dram.timing");
#define ACCSIM_T_SCHEMA(name, min, desc)                                                      \
  s.integer("n" #name, &DramTimingOverrides::n##name, std::optional<int>(-1),                 \
            config::Range::between(min, kMaxTimingCycles), "nCK",                             \
            desc " in cycles; -1 = the preset's");                                            \
  s.quantity("t" #name, &DramTimingOverrides::t##name, Unit::kTime, std::optional<double>(0), \
             config::Range{0.0, kMaxTimingSeconds, true},                                     \
             desc " as a time (JEDEC rounding); 0 = the preset's");
    ACCSIM_DRAM_TIMINGS(ACCSIM_T_SCHEMA)
#undef ACCSIM_T_SCHEMA
    return s;
  }();
  static const config::Schema<DramPowerOverrides> power = [] {
    config::Schema<DramPowerOverrides> s("dram.power");
    const auto ge0 = config::Range::at_least(0);
    const std::optional<double> unset(-1);
    s.quantity("vdd", &DramPowerOverrides::vdd, Unit::kVoltage, unset, ge0,
               "core supply VDD; negative = the preset's")
        .quantity("vpp", &DramPowerOverrides::vpp, Unit::kVoltage, unset, ge0,
                  "activation supply VPP; negative = the preset's")
        .quantity("idd0", &DramPowerOverrides::idd0, Unit::kCurrent, unset, ge0,
                  "one-bank activate-precharge current IDD0")
        .quantity("idd2n", &DramPowerOverrides::idd2n, Unit::kCurrent, unset, ge0,
                  "precharge standby current IDD2N")
        .quantity("idd3n", &DramPowerOverrides::idd3n, Unit::kCurrent, unset, ge0,
                  "active standby current IDD3N")
        .quantity("idd4r", &DramPowerOverrides::idd4r, Unit::kCurrent, unset, ge0,
                  "burst read current IDD4R")
        .quantity("idd4w", &DramPowerOverrides::idd4w, Unit::kCurrent, unset, ge0,
                  "burst write current IDD4W")
        .quantity("idd5b", &DramPowerOverrides::idd5b, Unit::kCurrent, unset, ge0,
                  "all-bank refresh current IDD5B")
        .quantity("idd5pb", &DramPowerOverrides::idd5pb, Unit::kCurrent, unset, ge0,
                  "per-bank refresh current")
        .quantity("ipp0", &DramPowerOverrides::ipp0, Unit::kCurrent, unset, ge0, "IPP0")
        .quantity("ipp2n", &DramPowerOverrides::ipp2n, Unit::kCurrent, unset, ge0, "IPP2N")
        .quantity("ipp3n", &DramPowerOverrides::ipp3n, Unit::kCurrent, unset, ge0, "IPP3N")
        .quantity("ipp4r", &DramPowerOverrides::ipp4r, Unit::kCurrent, unset, ge0, "IPP4R")
        .quantity("ipp4w", &DramPowerOverrides::ipp4w, Unit::kCurrent, unset, ge0, "IPP4W")
        .quantity("ipp5b", &DramPowerOverrides::ipp5b, Unit::kCurrent, unset, ge0, "IPP5B")
        .quantity("io", &DramPowerOverrides::io, Unit::kEnergyPerBit, unset, ge0,
                  "I/O and termination energy per transferred bit")
        .integer("devices_per_rank", &DramPowerOverrides::devices_per_rank, std::optional<int>(0),
                 config::Range::at_least(1), "",
                 "devices drawing these currents per rank; 0 = channel_width / dq");
    return s;
  }();
  static const config::Schema<DramConfig> schema = [] {
    config::Schema<DramConfig> s("dram");
    s.preset(
         "preset", &DramConfig::preset,
         [](const std::string& name, DramConfig& c, const config::LoadCtx& ctx,
            const YAML::Node& node) { load_dram_preset(name, c, ctx.origin->loc(node)); },
         "built-in DRAM preset (configs/dram/NAME.yaml); resets every other dram key")
        .text("standard", &DramConfig::standard, std::string(),
              "DDR4|DDR5|LPDDR5|HBM2|HBM3|GDDR6; picks that standard's preset when no preset "
              "is named")
        .text("speed", &DramConfig::speed, std::string(),
              "speed bin name (DDR4-2400R) or data rate (2400, 6.4Gbps); \"\" = the preset's")
        .quantity("density", &DramConfig::density_bytes, Unit::kSize, std::optional<double>(0),
                  config::Range::positive(), "device density such as 8Gb; 0 = the preset's")
        .text("dq", &DramConfig::dq, std::string(),
              "device width x4|x8|x16 (HBM, GDDR6, LPDDR5: channel width); \"\" = the preset's")
        // Upper bounds: far above any real part (the largest preset system, the H200, has 96
        // channels; JEDEC modules have at most 8 ranks, HBM 2 pseudo-channels) and low enough
        // that the model's per-bank state stays small (4096 channels x 16 ranks: about 0.6 GB).
        .integer("channels", &DramConfig::channels, std::optional<int>(0),
                 config::Range::between(1, kMaxDramChannels), "",
                 "independent channels; 0 = the preset's")
        .integer("pseudo_channels", &DramConfig::pseudo_channels, std::optional<int>(0),
                 config::Range::between(1, 8), "", "pseudo-channels per channel; 0 = the preset's")
        .integer("ranks", &DramConfig::ranks, std::optional<int>(0), config::Range::between(1, 16),
                 "", "ranks per channel; 0 = the preset's")
        .section("org", &DramConfig::org, org, "organisation overrides")
        .section("timing", &DramConfig::timing, timing,
                 "timing overrides: nX in cycles or tX as a time, never both")
        .section("power", &DramConfig::power, power, "IDD/VDD and I/O energy overrides");
    return s;
  }();
  return schema;
}

}  // namespace accsim::hw
