#include "sim/core/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace accsim {

std::string SourceLoc::str() const {
  std::string s = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

namespace {

struct Suffix {
  const char* text;
  double scale;
};

// Suffixes per unit kind, longest first where one is a prefix of another is not an issue: the
// whole suffix must match exactly.
const std::vector<Suffix>& suffixes(Unit u) {
  static const std::vector<Suffix> kTime = {{"s", 1},     {"ms", 1e-3}, {"us", 1e-6},
                                            {"µs", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12}};
  static const std::vector<Suffix> kFreq = {{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
  static const std::vector<Suffix> kRate = {{"bps", 1},    {"Kbps", 1e3}, {"Mbps", 1e6},
                                            {"Gbps", 1e9}, {"T/s", 1},    {"MT/s", 1e6},
                                            {"GT/s", 1e9}, {"Gb/s", 1e9}, {"Mb/s", 1e6}};
  static const std::vector<Suffix> kBw = {
      {"B/s", 1},           {"KB/s", 1e3},           {"MB/s", 1e6},
      {"GB/s", 1e9},        {"TB/s", 1e12},          {"KiB/s", 1024.0},
      {"MiB/s", 1048576.0}, {"GiB/s", 1073741824.0}, {"TiB/s", 1099511627776.0}};
  static const std::vector<Suffix> kSize = {
      {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
      {"b", 0.125},    {"Kb", 128.0},      {"Mb", 131072.0},      {"Gb", 134217728.0}};
  static const std::vector<Suffix> kEnergy = {{"J", 1},     {"mJ", 1e-3},  {"uJ", 1e-6},
                                              {"nJ", 1e-9}, {"pJ", 1e-12}, {"fJ", 1e-15}};
  static const std::vector<Suffix> kPower = {{"W", 1}, {"mW", 1e-3}, {"uW", 1e-6}, {"kW", 1e3}};
  static const std::vector<Suffix> kVolt = {{"V", 1}, {"mV", 1e-3}};
  static const std::vector<Suffix> kCurrent = {{"A", 1}, {"mA", 1e-3}, {"uA", 1e-6}};
  static const std::vector<Suffix> kEpb = {
      {"pJ/bit", 1e-12}, {"pJ/b", 1e-12}, {"fJ/bit", 1e-15}, {"nJ/bit", 1e-9}};
  static const std::vector<Suffix> kNone = {};
  switch (u) {
    case Unit::kTime:
      return kTime;
    case Unit::kFrequency:
      return kFreq;
    case Unit::kDataRate:
      return kRate;
    case Unit::kBandwidth:
      return kBw;
    case Unit::kSize:
      return kSize;
    case Unit::kEnergy:
      return kEnergy;
    case Unit::kPower:
      return kPower;
    case Unit::kVoltage:
      return kVolt;
    case Unit::kCurrent:
      return kCurrent;
    case Unit::kEnergyPerBit:
      return kEpb;
    case Unit::kNone:
      return kNone;
  }
  return kNone;
}

}  // namespace

std::string_view base_unit_symbol(Unit u) {
  switch (u) {
    case Unit::kNone:
      return "";
    case Unit::kTime:
      return "s";
    case Unit::kFrequency:
      return "Hz";
    case Unit::kDataRate:
      return "bit/s";  // per pin; MT/s and Gb/s per pin are the same number
    case Unit::kBandwidth:
      return "B/s";
    case Unit::kSize:
      return "B";
    case Unit::kEnergy:
      return "J";
    case Unit::kPower:
      return "W";
    case Unit::kVoltage:
      return "V";
    case Unit::kCurrent:
      return "A";
    case Unit::kEnergyPerBit:
      return "J/bit";
  }
  return "";
}

std::string_view unit_name(Unit u) {
  switch (u) {
    case Unit::kNone:
      return "";
    case Unit::kTime:
      return "time";
    case Unit::kFrequency:
      return "frequency";
    case Unit::kDataRate:
      return "data rate per pin";
    case Unit::kBandwidth:
      return "bandwidth";
    case Unit::kSize:
      return "size";
    case Unit::kEnergy:
      return "energy";
    case Unit::kPower:
      return "power";
    case Unit::kVoltage:
      return "voltage";
    case Unit::kCurrent:
      return "current";
    case Unit::kEnergyPerBit:
      return "energy per bit";
  }
  return "";
}

std::string_view unit_examples(Unit u) {
  switch (u) {
    case Unit::kNone:
      return "a plain number such as 4 or 0.5";
    case Unit::kTime:
      return "a time such as 13.75ns, 7.8us or 500ps";
    case Unit::kFrequency:
      return "a frequency such as 2GHz or 800MHz";
    case Unit::kDataRate:
      return "a per-pin data rate such as 6.4Gbps or 3200MT/s";
    case Unit::kBandwidth:
      return "a bandwidth such as 3.35TB/s, 25.6GB/s or 100MiB/s";
    case Unit::kSize:
      return "a size such as 64B, 2KiB, 50MiB or 8Gb (bits)";
    case Unit::kEnergy:
      return "an energy such as 0.32pJ or 1.5nJ";
    case Unit::kPower:
      return "a power such as 300mW or 1.2W";
    case Unit::kVoltage:
      return "a voltage such as 1.2V or 1100mV";
    case Unit::kCurrent:
      return "a current such as 57mA or 0.1A";
    case Unit::kEnergyPerBit:
      return "an energy per bit such as 3.9pJ/bit";
  }
  return "";
}

double parse_quantity(std::string_view text, Unit u, const SourceLoc& loc) {
  std::string s(text);
  auto fail = [&](const std::string& why) -> Error {
    return config_error(loc, "'" + s + "' is not a valid " +
                                 std::string(u == Unit::kNone ? "number" : unit_name(u)) + ": " +
                                 why + "; expected " + std::string(unit_examples(u)));
  };
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  if (b == e) throw fail("it is empty");
  std::string body = s.substr(b, e - b);
  const char* start = body.c_str();
  char* end = nullptr;
  double v = std::strtod(start, &end);
  if (end == start) throw fail("it does not start with a number");
  // strtod accepts "inf"/"nan" and hex floats; a configuration value never needs them.
  if (!std::isfinite(v)) throw fail("the number is not finite");
  for (const char* p = start; p < end; ++p)
    if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' || *p == 'i' || *p == 'I')
      throw fail("the number is not a plain decimal");
  std::string suffix(end);
  size_t k = 0;
  while (k < suffix.size() && std::isspace(static_cast<unsigned char>(suffix[k]))) ++k;
  suffix = suffix.substr(k);
  if (suffix.empty()) {
    if (u == Unit::kNone) return v;
    throw fail("the unit is missing");
  }
  if (u == Unit::kNone) throw fail("a plain number takes no unit '" + suffix + "'");
  for (const auto& sf : suffixes(u))
    if (suffix == sf.text) return v * sf.scale;
  std::string known;
  for (const auto& sf : suffixes(u)) known += (known.empty() ? "" : ", ") + std::string(sf.text);
  throw fail("unknown unit '" + suffix + "' (known: " + known + ")");
}

void check_whole_ps_clock(double hz, const std::string& key, const SourceLoc& loc) {
  const double period = 1e12 / hz;
  if (std::abs(period - std::round(period)) > 1e-6 * period)
    throw config_error(
        loc, key + " " + format_quantity(hz, Unit::kFrequency) + " has no whole-picosecond period");
}

std::string format_quantity(double v, Unit u) {
  auto num = [](double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return std::string(buf);
  };
  if (u == Unit::kNone) return num(v);
  // Pick the largest suffix whose scaled value is >= 1 (exact binary sizes prefer binary).
  const auto& sfx = suffixes(u);
  if (u == Unit::kSize) {
    static const std::vector<std::pair<const char*, double>> order = {
        {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0}, {"B", 1}};
    for (auto& [t, sc] : order)
      if (std::fabs(v) >= sc && std::fmod(v, sc) == 0) return num(v / sc) + t;
    return num(v) + "B";
  }
  const Suffix* best = nullptr;
  for (const auto& sf : sfx) {
    if (std::string(sf.text).find('i') != std::string::npos && u == Unit::kBandwidth) continue;
    if (std::string(sf.text) == "T/s" || std::string(sf.text) == "MT/s" ||
        std::string(sf.text) == "GT/s" || std::string(sf.text) == "Gb/s" ||
        std::string(sf.text) == "Mb/s" || std::string(sf.text) == "µs" ||
        std::string(sf.text) == "pJ/b")
      continue;
    if (std::fabs(v) >= sf.scale * 0.9999999 && (!best || sf.scale > best->scale)) best = &sf;
  }
  if (!best) {
    for (const auto& sf : sfx)
      if (!best || sf.scale < best->scale) best = &sf;
  }
  if (v == 0) {
    for (const auto& sf : sfx)
      if (sf.scale == 1) return "0" + std::string(sf.text);
  }
  return num(v / best->scale) + best->text;
}

Ps seconds_to_ps(double s, const SourceLoc& loc) {
  if (!(s > 0)) throw config_error(loc, "a clock period must be positive");
  double ps = std::round(s * 1e12);
  if (ps < 1) throw config_error(loc, "a clock period below 1 ps cannot be represented");
  if (ps > 1e15) throw config_error(loc, "a clock period above 1000 s is not plausible");
  return static_cast<Ps>(ps);
}

}  // namespace accsim
