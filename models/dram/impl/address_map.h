#pragma once
// Address mapping: byte address -> (channel, rank, stack ID, bank group, bank, row, column).
// Plain C++.
//
// A scheme is named by its fields from the most to the least significant bits, Ramulator style
// ("RoBaRaCoCh" = row | bank | rank | column | channel), applied to the address divided by the
// burst size (the bytes of one column command), so every scheme keeps a burst in one place.
// "Ra" holds the rank and, in its low bits, the stack ID (HBM3 SID) where the organisation has
// stack IDs.
// "Ba" without a separate "Bg" field means bank group and bank together, bank group in the low
// bits, so that consecutive Ba values alternate bank groups. Addresses above the capacity wrap
// (the high bits are ignored), as in Ramulator and DRAMSys.
//
// The channel count (channels x pseudo-channels) may be any positive number: a power of two is a
// bit field like the others; any other count (an H100's 5 HBM3 stacks are 160 pseudo-channels)
// is decoded as GPUs and Accel-Sim's IPOLY/modulo partition indexing do it: with g = the bytes of
// one burst times the fields below "Ch", channel = (address / g) mod channels, and the fields
// above "Ch" are decoded, as bit fields, from the quotient (address / g) / channels. For a
// power-of-two count both readings are the same bits, so such mappings are unchanged. The
// capacity is then channels x 2^(other fields' bits) x burst bytes, and addresses at and above
// it wrap (the address is taken modulo the capacity).
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
  // The inverse of decode for in-range addresses (column in bursts; byte offset 0):
  // encode(decode(a)) == a for every burst-aligned a < capacity_bytes(), for every channel count.
  // Tests, pattern generators and the GPU model's partition hash rely on it.
  virtual std::uint64_t encode(const DramAddr& a) const = 0;
  virtual const std::string& name() const = 0;
  // Bytes addressed before the mapping wraps.
  virtual std::uint64_t capacity_bytes() const = 0;
};

// Looks `name` up in the registry (an unknown name is a config error listing the known ones).
// An empty name selects default_mapping(spec). Ranks, bank groups, banks, rows, columns per
// burst and the burst size that are not powers of two, a channel count below 1 and a capacity
// beyond 2^64 bytes are config errors naming the offending field.
std::unique_ptr<AddressMapper> make_address_mapper(const std::string& name,
                                                   const hw::DramSpec& spec);

// The default of every standard interleaves bank groups on consecutive bursts, as real
// controllers do, so that a stream is bound by tCCD_S rather than tCCD_L.
std::string default_mapping(const hw::DramSpec& spec);

// Names registered with ACCSIM_REGISTER(AddressMapper, ...).
std::vector<std::string> mapping_names();

}  // namespace accsim::dram
