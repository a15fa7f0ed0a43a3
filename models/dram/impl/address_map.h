#pragma once
// Address mapping: byte address -> (channel, rank, bank group, bank, row, column). Plain C++.
//
// A scheme is named by its fields from the most to the least significant bits, Ramulator style
// ("RoBaRaCoCh" = row | bank | rank | column | channel), applied to the address divided by the
// burst size (the bytes of one column command), so every scheme keeps a burst in one place.
// "Ba" without a separate "Bg" field means bank group and bank together, bank group in the low
// bits, so that consecutive Ba values alternate bank groups. Addresses above the capacity wrap
// (the high bits are ignored), as in Ramulator and DRAMSys.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hw/dram_spec.h"
#include "models/dram/impl/command.h"

namespace accsim::dram {

class AddressMapper {
 public:
  using Factory = std::function<std::unique_ptr<AddressMapper>(const hw::DramSpec&)>;
  virtual ~AddressMapper() = default;
  virtual DramAddr decode(std::uint64_t byte_addr) const = 0;
  // The inverse of decode for in-range addresses (column in bursts; byte offset 0). Tests and
  // pattern generators use it to aim at a bank or row.
  virtual std::uint64_t encode(const DramAddr& a) const = 0;
  virtual const std::string& name() const = 0;
  // Bytes addressed before the mapping wraps.
  virtual std::uint64_t capacity_bytes() const = 0;
};

// Looks `name` up in the registry (an unknown name is a config error listing the known ones).
// An empty name selects default_mapping(spec). Sizes that are not powers of two are config
// errors naming the offending field.
std::unique_ptr<AddressMapper> make_address_mapper(const std::string& name,
                                                   const hw::DramSpec& spec);

// The default of every standard interleaves bank groups on consecutive bursts, as real
// controllers do, so that a stream is bound by tCCD_S rather than tCCD_L.
std::string default_mapping(const hw::DramSpec& spec);

// Names registered with ACCSIM_REGISTER(AddressMapper, ...).
std::vector<std::string> mapping_names();

}  // namespace accsim::dram
