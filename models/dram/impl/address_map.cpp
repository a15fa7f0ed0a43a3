#include "models/dram/impl/address_map.h"

#include <fmt/format.h>

#include <array>
#include <bit>

#include "sim/core/error.h"
#include "sim/core/registry.h"

namespace accsim::dram {
namespace {

enum class Field { kRow, kBank, kBankGroup, kRank, kColumn, kChannel };

// A field of the address: `bits` wide, starting `shift` bits above the burst offset, or, for a
// field above a channel field of a non-power-of-two count, `shift` bits into the quotient
// (`above` set; see FieldMapper).
struct Slice {
  Field field;
  int shift = 0;
  int bits = 0;
  bool above = false;
  std::uint64_t mask() const { return bits == 0 ? 0 : ((1ULL << bits) - 1); }
};

int log2_exact(std::int64_t v, const char* what, const hw::DramSpec& spec,
               const std::string& scheme) {
  if (v <= 0 || !std::has_single_bit(static_cast<std::uint64_t>(v)))
    throw Error(ExitCode::kConfig,
                fmt::format("dram '{}': {} = {} is not a power of two; address mapping '{}' "
                            "needs power-of-two sizes",
                            spec.name, what, v, scheme));
  return std::countr_zero(static_cast<std::uint64_t>(v));
}

// Parses "RoBaRaCoBgCh" into fields, most significant first.
std::vector<Field> parse_scheme(const std::string& s) {
  std::vector<Field> out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    std::string_view t = std::string_view(s).substr(i, 2);
    if (t == "Ro")
      out.push_back(Field::kRow);
    else if (t == "Ba")
      out.push_back(Field::kBank);
    else if (t == "Bg")
      out.push_back(Field::kBankGroup);
    else if (t == "Ra")
      out.push_back(Field::kRank);
    else if (t == "Co")
      out.push_back(Field::kColumn);
    else if (t == "Ch")
      out.push_back(Field::kChannel);
    else
      throw Error(ExitCode::kInternal,
                  "address mapping scheme '" + s + "' has unknown field '" + std::string(t) + "'");
  }
  return out;
}

class FieldMapper final : public AddressMapper {
 public:
  // `xor_bank`: bank group and bank are XORed with the low row bits (permutation-based
  // interleaving, Zhang, Zhu, Zhang, MICRO 2000), which spreads row conflicts of strided
  // streams over banks.
  FieldMapper(std::string name, const std::string& scheme, bool xor_bank, const hw::DramSpec& spec)
      : name_(std::move(name)), xor_bank_(xor_bank) {
    const auto& o = spec.org;
    burst_bits_ =
        log2_exact(o.burst_bytes(), "burst bytes (channel_width x burst_length / 8)", spec, name_);
    nch_ = o.independent_channels();
    if (o.channels < 1 || o.pseudo_channels < 1)
      throw Error(ExitCode::kConfig,
                  fmt::format("dram '{}': channels = {} x pseudo_channels = {} must both be at "
                              "least 1 (address mapping '{}')",
                              spec.name, o.channels, o.pseudo_channels, name_));
    // Any channel count: a power of two is a bit field as before; any other count is the residue
    // of the address (in bursts, above the fields below it) modulo the count (see decode()).
    mod_channel_ = !std::has_single_bit(static_cast<std::uint64_t>(nch_));
    ch_bits_ = mod_channel_ ? 0 : std::countr_zero(static_cast<std::uint64_t>(nch_));
    // "Ra" decodes the rank and, below it, the stack ID (HBM3 SID) as one field.
    si_bits_ = log2_exact(o.stack_ids, "stack_ids", spec, name_);
    ra_bits_ = log2_exact(o.ranks, "ranks", spec, name_) + si_bits_;
    bg_bits_ = log2_exact(o.bank_groups, "bank_groups", spec, name_);
    ba_bits_ = log2_exact(o.banks_per_group, "banks_per_group", spec, name_);
    ro_bits_ = log2_exact(o.rows, "rows", spec, name_);
    co_bits_ = log2_exact(o.bursts_per_row(), "columns / burst_length", spec, name_);
    pseudo_ = o.pseudo_channels;
    bool has_bg = false;
    auto fields = parse_scheme(scheme);
    for (Field f : fields) has_bg |= f == Field::kBankGroup;
    // Least significant first. With a non-power-of-two channel count, the fields above the
    // channel field are numbered from bit 0 of the quotient (`above`).
    int shift = 0;
    bool above = false;
    for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
      auto add = [&](Field f, int bits) {
        slices_.push_back(Slice{f, shift, bits, above});
        shift += bits;
      };
      switch (*it) {
        case Field::kRow:
          add(Field::kRow, ro_bits_);
          break;
        case Field::kRank:
          add(Field::kRank, ra_bits_);
          break;
        case Field::kColumn:
          add(Field::kColumn, co_bits_);
          break;
        case Field::kChannel:
          if (mod_channel_) {
            ch_shift_ = shift;
            slices_.push_back(Slice{Field::kChannel, shift, 0, false});
            shift = 0;
            above = true;
          } else {
            add(Field::kChannel, ch_bits_);
          }
          break;
        case Field::kBankGroup:
          add(Field::kBankGroup, bg_bits_);
          break;
        case Field::kBank:
          if (!has_bg) add(Field::kBankGroup, bg_bits_);  // bank groups alternate fastest
          add(Field::kBank, ba_bits_);
          break;
      }
    }
    if (!mod_channel_) {
      total_bits_ = shift + burst_bits_;
    } else {
      // Capacity in bytes = 2^(bits below the channel + bits above it + burst bits) x channels;
      // it must fit the 64-bit address space, so that every address decodes and encode() is the
      // exact inverse of decode() on [0, capacity).
      const int pow2_bits = ch_shift_ + shift + burst_bits_;
      if (pow2_bits >= 64 || static_cast<std::uint64_t>(nch_) > (~0ULL >> pow2_bits))
        throw Error(ExitCode::kConfig,
                    fmt::format("dram '{}': {} channels x 2^{} bytes per channel do not fit a "
                                "64-bit address (address mapping '{}')",
                                spec.name, nch_, pow2_bits, name_));
      capacity_ = static_cast<std::uint64_t>(nch_) << pow2_bits;
    }
    for (const Slice& sl : slices_) {
      fshift_[static_cast<int>(sl.field)] = sl.shift;
      fmask_[static_cast<int>(sl.field)] = sl.mask();
      fabove_[static_cast<int>(sl.field)] = sl.above;
    }
  }

  DramAddr decode(std::uint64_t byte_addr) const override {
    // Decoding runs once per burst: straight-line shifts and masks, no loop over the scheme.
    const std::uint64_t a = byte_addr >> burst_bits_;
    DramAddr d;
    if (!mod_channel_) {
      auto f = [&](Field x) {
        return (a >> fshift_[static_cast<int>(x)]) & fmask_[static_cast<int>(x)];
      };
      d.row = static_cast<std::int64_t>(f(Field::kRow));
      d.bank.bank = static_cast<int>(f(Field::kBank));
      d.bank.bank_group = static_cast<int>(f(Field::kBankGroup));
      d.bank.rank = static_cast<int>(f(Field::kRank));
      d.column = static_cast<int>(f(Field::kColumn));
      d.channel = static_cast<int>(f(Field::kChannel));
    } else {
      // channel = (address / granule) mod channels, where the granule is the burst times the
      // fields below the channel field; the fields above it are decoded from the quotient. Every
      // field of the quotient is masked, so addresses at and above the capacity wrap.
      const std::uint64_t r = a >> ch_shift_;
      const std::uint64_t q = r / static_cast<std::uint64_t>(nch_);
      auto f = [&](Field x) {
        const int i = static_cast<int>(x);
        return ((fabove_[i] ? q : a) >> fshift_[i]) & fmask_[i];
      };
      d.row = static_cast<std::int64_t>(f(Field::kRow));
      d.bank.bank = static_cast<int>(f(Field::kBank));
      d.bank.bank_group = static_cast<int>(f(Field::kBankGroup));
      d.bank.rank = static_cast<int>(f(Field::kRank));
      d.column = static_cast<int>(f(Field::kColumn));
      d.channel = static_cast<int>(r - q * static_cast<std::uint64_t>(nch_));
    }
    d.bank.sid = d.bank.rank & ((1 << si_bits_) - 1);
    d.bank.rank >>= si_bits_;
    if (xor_bank_) apply_xor(d);
    d.pseudo_channel = d.channel % pseudo_;
    return d;
  }

  std::uint64_t encode(const DramAddr& in) const override {
    DramAddr d = in;
    if (xor_bank_) apply_xor(d);  // XOR is its own inverse
    std::uint64_t a = 0;          // fields below the channel field (all fields for 2^k channels)
    std::uint64_t hi = 0;         // fields above it, with a non-power-of-two channel count
    std::uint64_t ch = 0;
    for (const Slice& s : slices_) {
      std::uint64_t v = 0;
      switch (s.field) {
        case Field::kRow:
          v = static_cast<std::uint64_t>(d.row);
          break;
        case Field::kBank:
          v = static_cast<std::uint64_t>(d.bank.bank);
          break;
        case Field::kBankGroup:
          v = static_cast<std::uint64_t>(d.bank.bank_group);
          break;
        case Field::kRank:
          v = (static_cast<std::uint64_t>(d.bank.rank) << si_bits_) |
              static_cast<std::uint64_t>(d.bank.sid);
          break;
        case Field::kColumn:
          v = static_cast<std::uint64_t>(d.column);
          break;
        case Field::kChannel:
          v = static_cast<std::uint64_t>(d.channel);
          if (mod_channel_) {
            ch = v % static_cast<std::uint64_t>(nch_);
            continue;
          }
          break;
      }
      (s.above ? hi : a) |= (v & s.mask()) << s.shift;
    }
    if (mod_channel_) a |= (ch + hi * static_cast<std::uint64_t>(nch_)) << ch_shift_;
    return a << burst_bits_;
  }

  const std::string& name() const override { return name_; }
  std::uint64_t capacity_bytes() const override {
    if (mod_channel_) return capacity_;
    return total_bits_ >= 64 ? ~0ULL : (1ULL << total_bits_);
  }

 private:
  void apply_xor(DramAddr& d) const {
    const auto row = static_cast<std::uint64_t>(d.row);
    d.bank.bank_group ^= static_cast<int>(row & ((1ULL << bg_bits_) - 1));
    d.bank.bank ^= static_cast<int>((row >> bg_bits_) & ((1ULL << ba_bits_) - 1));
  }

  std::string name_;
  bool xor_bank_;
  int burst_bits_ = 0, ch_bits_ = 0, ra_bits_ = 0, si_bits_ = 0, bg_bits_ = 0, ba_bits_ = 0,
      ro_bits_ = 0, co_bits_ = 0, total_bits_ = 0;
  int pseudo_ = 1;
  int nch_ = 1;                 // independent channels
  bool mod_channel_ = false;    // nch_ is not a power of two: channel = residue modulo nch_
  int ch_shift_ = 0;            // bits (in bursts) below the channel field
  std::uint64_t capacity_ = 0;  // bytes, when mod_channel_
  std::vector<Slice> slices_;
  std::array<int, 6> fshift_{};           // per Field
  std::array<std::uint64_t, 6> fmask_{};  // 0 for a field of width 0
  std::array<bool, 6> fabove_{};          // decoded from the quotient (mod_channel_ only)
};

AddressMapper::Factory scheme(const char* name, const char* fields, bool xor_bank) {
  return [name, fields, xor_bank](const hw::DramSpec& spec) -> std::unique_ptr<AddressMapper> {
    return std::make_unique<FieldMapper>(name, fields, xor_bank, spec);
  };
}

}  // namespace

// Registrations live in the same object file as make_address_mapper so that linking the
// static library always pulls them in.
ACCSIM_REGISTER(AddressMapper, "RoBaRaCoCh",
                "row | bank | rank | column | channel: a stream stays in one bank and row "
                "(column-to-column gap tCCD_L)",
                scheme("RoBaRaCoCh", "RoBaRaCoCh", false));
ACCSIM_REGISTER(AddressMapper, "RoCoBaRaCh",
                "row | column | bank | rank | channel: consecutive bursts rotate over ranks, bank "
                "groups, then banks",
                scheme("RoCoBaRaCh", "RoCoBaRaCh", false));
ACCSIM_REGISTER(AddressMapper, "RoBaRaCoBgCh",
                "row | bank | rank | column | bank group | channel: consecutive bursts alternate "
                "bank groups of one row-aligned bank set (column gap tCCD_S); default",
                scheme("RoBaRaCoBgCh", "RoBaRaCoBgCh", false));
ACCSIM_REGISTER(AddressMapper, "RoBaRaCoBgCh_XOR",
                "RoBaRaCoBgCh with bank group and bank XORed with the low row bits "
                "(permutation-based interleaving)",
                scheme("RoBaRaCoBgCh_XOR", "RoBaRaCoBgCh", true));

std::unique_ptr<AddressMapper> make_address_mapper(const std::string& name,
                                                   const hw::DramSpec& spec) {
  const std::string n = name.empty() ? default_mapping(spec) : name;
  return Registry<AddressMapper>::instance().get(n, "address mapping").make(spec);
}

std::string default_mapping(const hw::DramSpec&) {
  return "RoBaRaCoBgCh";
}

std::vector<std::string> mapping_names() {
  std::vector<std::string> v;
  for (const auto* e : Registry<AddressMapper>::instance().list()) v.push_back(e->name);
  return v;
}

}  // namespace accsim::dram
