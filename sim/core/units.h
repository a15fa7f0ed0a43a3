#pragma once
// Quantities with units at the configuration boundary. Inside the simulator every value is a
// plain number in a fixed base unit (seconds, hertz, bytes, joules ...) or integer cycles.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/core/error.h"

namespace accsim {

// What a configuration value measures. The base unit each parses to is given in brackets.
enum class Unit {
  kNone,          // dimensionless number                       [1]
  kTime,          // "13.75ns", "7.8us", "1ps"                   [s]
  kFrequency,     // "2GHz", "800MHz"                            [Hz]
  kDataRate,      // per-pin rate "6.4Gbps", "3200MT/s"          [bit/s or transfers/s per pin]
  kBandwidth,     // "3.35TB/s", "25.6GB/s", "100MiB/s"          [byte/s]
  kSize,          // "50MiB", "64B", "8Gb" (bits), "2KiB"        [byte]
  kEnergy,        // "0.32pJ", "1.5nJ"                           [J]
  kPower,         // "300mW", "1.2W"                             [W]
  kVoltage,       // "1.2V", "1100mV"                            [V]
  kCurrent,       // "57mA", "0.1A"                              [A]
  kEnergyPerBit,  // "3.9pJ/bit", "3.9pJ/b"                   [J/bit]
};

// Human name of the unit kind and its accepted spellings, for error messages and `config show`.
std::string_view unit_name(Unit u);
// The symbol of the base unit a value of `u` is stored in ("s", "Hz", "B" ...; "" for kNone):
// the unit of a quantity in a report's JSON.
std::string_view base_unit_symbol(Unit u);
std::string_view unit_examples(Unit u);

// Parses "<number><suffix>" (spaces allowed between) into the base unit of `u`. A bare number is
// accepted only for Unit::kNone. Throws a config error at `loc` that says what was expected.
double parse_quantity(std::string_view text, Unit u, const SourceLoc& loc);

// Formats a base-unit value with the most readable suffix ("13.75ns", "3.35TB/s").
std::string format_quantity(double base_value, Unit u);

// Clocks must have a whole-picosecond period (SystemC time resolution, integer-ps time model):
// throws a config error at `loc` naming `key` otherwise.
void check_whole_ps_clock(double hz, const std::string& key, const SourceLoc& loc);

// Time and clocks. SystemC's resolution is 1 ps; all clock periods are integer picoseconds.
using Ps = std::uint64_t;
using Cycle = std::int64_t;

struct ClockDomain {
  std::string name;
  Ps period_ps = 1000;
  double freq_hz() const { return 1e12 / static_cast<double>(period_ps); }
  Ps to_ps(Cycle c) const { return static_cast<Ps>(c) * period_ps; }
  double to_ns(Cycle c) const {
    return static_cast<double>(c) * static_cast<double>(period_ps) / 1e3;
  }
  // Earliest cycle boundary at or after `t`.
  Cycle ceil_cycle(Ps t) const { return static_cast<Cycle>((t + period_ps - 1) / period_ps); }
};

// Converts seconds to the nearest integer picosecond; throws if the value is not positive or
// overflows.
Ps seconds_to_ps(double s, const SourceLoc& loc);

}  // namespace accsim
