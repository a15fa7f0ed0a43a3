#include "workloads/trace/trace_file.h"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "sim/core/config.h"
#include "sim/core/units.h"
#include "workloads/trace/op_trace.h"
#include "workloads/trace/trace_io.h"

namespace accsim::workloads {

namespace {

constexpr std::string_view kDumpSignature = "# accsim access trace dump";
constexpr std::string_view kMetadataPrefix = "# metadata:";
// A dump's metadata line holds the whole metadata JSON (≤ 16 MiB); other lines are short (an
// .stl write may carry its data as hex).
constexpr std::size_t kMaxDumpLine = kMaxMetadataBytes + 64;
constexpr std::size_t kMaxPeerLine = 1u << 20;

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> v = {"atrace", "dump", "ramulator", "stl", "optrace"};
  return v;
}

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

// Text-dump spelling of each record kind, indexed by RecordKind.
constexpr std::string_view kKindMnemonics[kRecordKindCount] = {
    "LD", "ST", "ATOM", "EXEC", "BAR", "COMMIT", "WAIT", "CTA", "EXIT"};

std::string_view kind_mnemonic(std::uint8_t kind) {
  return kind < kRecordKindCount ? kKindMnemonics[kind] : std::string_view("?");
}

// The dump's flags column of a compute record: "-", "dep", "chain" or "dep+chain".
const char* compute_flags_text(std::uint8_t f) {
  static constexpr const char* t[4] = {"-", "dep", "chain", "dep+chain"};
  return t[f & 3];
}

// --- binary -------------------------------------------------------------------------------------

class BinaryReader final : public AccessRecordReader {
 public:
  explicit BinaryReader(AccessTraceReader rd) : rd_(std::move(rd)) {}
  bool next(AccessRecord& r) override { return rd_.next(r); }
  const AccessTraceMeta& meta() const override { return rd_.meta(); }
  TraceFormat format() const override { return TraceFormat::kAccessBinary; }
  const std::string& name() const override { return rd_.name(); }
  const AccessTraceHeaderInfo* binary_header() const override { return &rd_.header(); }

 private:
  AccessTraceReader rd_;
};

// --- text ---------------------------------------------------------------------------------------

class TextReader : public AccessRecordReader {
 public:
  TextReader(detail::ByteInput in, TraceFormat fmt)
      : lines_(std::move(in), fmt == TraceFormat::kAccessText ? kMaxDumpLine : kMaxPeerLine),
        format_(fmt) {}
  const AccessTraceMeta& meta() const override { return meta_; }
  TraceFormat format() const override { return format_; }
  const std::string& name() const override { return lines_.name(); }

  bool next(AccessRecord& r) override {
    std::string line;
    for (;;) {
      if (have_pending_) {
        line.swap(pending_);
        have_pending_ = false;
        cur_line_ = pending_line_no_;
      } else if (!lines_.next(line)) {
        return false;
      } else {
        cur_line_ = lines_.line_no();
      }
      if (is_blank(line)) continue;
      if (line[0] == '#') {
        comment(line);
        continue;
      }
      r = parse(line);
      ++records_;
      return true;
    }
  }

 protected:
  // Reads up to the first record line, so that comments that set the metadata are seen before
  // anyone asks for meta().
  void read_preamble() {
    std::string line;
    while (lines_.next(line)) {
      cur_line_ = lines_.line_no();
      if (is_blank(line)) continue;
      if (line[0] == '#') {
        comment(line);
        continue;
      }
      pending_ = std::move(line);
      have_pending_ = true;
      pending_line_no_ = lines_.line_no();
      return;
    }
  }
  virtual void comment(const std::string& line) {}
  virtual AccessRecord parse(const std::string& line) = 0;

  SourceLoc at(int column) const { return SourceLoc{lines_.name(), cur_line_, column}; }
  [[noreturn]] void fail(const detail::Token& t, const std::string& msg) const {
    throw input_error(at(t.column), msg);
  }

  detail::LineReader lines_;
  TraceFormat format_;
  AccessTraceMeta meta_;
  std::uint64_t records_ = 0;
  int cur_line_ = 0;
  std::string pending_;
  bool have_pending_ = false;
  int pending_line_no_ = 0;
};

// Parses the tokens of text traces with messages that quote the bad field.
std::uint64_t dec_field(const detail::Token& t, const char* what, std::uint64_t lo,
                        std::uint64_t hi, const SourceLoc& loc) {
  const auto v = detail::parse_u64(t.text, 10);
  if (!v || *v < lo || *v > hi)
    throw input_error(loc, std::string(what) + " is '" + std::string(t.text) +
                               "'; expected a decimal integer " + std::to_string(lo) + ".." +
                               std::to_string(hi));
  return *v;
}

class DumpReader final : public TextReader {
 public:
  explicit DumpReader(detail::ByteInput in) : TextReader(std::move(in), TraceFormat::kAccessText) {
    read_preamble();
  }

 private:
  void comment(const std::string& line) override {
    if (line.compare(0, kMetadataPrefix.size(), kMetadataPrefix) != 0) return;
    if (records_ > 0 || have_pending_)
      throw input_error(at(1), "a metadata line must come before the first record");
    if (have_meta_) throw input_error(at(1), "a second metadata line");
    have_meta_ = true;
    const std::size_t start = line.find_first_not_of(' ', kMetadataPrefix.size());
    const std::size_t off = start == std::string::npos ? line.size() : start;
    meta_ = AccessTraceMeta::from_json(
        std::string_view(line).substr(off), [&](std::size_t pos, const std::string& msg) {
          const int col = pos == std::string::npos ? static_cast<int>(off) + 1
                                                   : static_cast<int>(off + pos) + 1;
          return input_error(at(col), "metadata: " + msg);
        });
  }

  AccessRecord parse(const std::string& line) override {
    const auto f = detail::split_fields(line);
    if (f.size() != 9)
      throw input_error(at(1),
                        "expected 9 fields (timestamp kind address size sm cta warp kernel "
                        "flags), found " +
                            std::to_string(f.size()));
    AccessRecord r;
    r.timestamp =
        dec_field(f[0], "timestamp", 0, std::numeric_limits<std::uint64_t>::max(), at(f[0].column));
    const auto* k = std::find(std::begin(kKindMnemonics), std::end(kKindMnemonics), f[1].text);
    if (k == std::end(kKindMnemonics))
      fail(f[1], "kind is '" + std::string(f[1].text) +
                     "'; expected LD, ST, ATOM, EXEC, BAR, COMMIT, WAIT, CTA or EXIT");
    r.kind = static_cast<std::uint8_t>(k - std::begin(kKindMnemonics));
    if (is_memory_kind(r.kind)) {
      const auto addr = detail::parse_hex_address(f[2].text);
      if (!addr)
        fail(f[2], "address is '" + std::string(f[2].text) + "'; expected hex like 0x7f3a00001000");
      r.address = *addr;
      r.size =
          static_cast<std::uint32_t>(dec_field(f[3], "size", 1, kMaxRecordSize, at(f[3].column)));
    } else {
      // Non-memory records: the address column holds the count / id / N in decimal; the size
      // column the instruction class (compute) or 0.
      r.address = dec_field(f[2], "value", 0, kMaxComputeCount, at(f[2].column));
      if (r.kind == static_cast<std::uint8_t>(RecordKind::kCompute)) {
        const auto c = parse_instr_class(f[3].text);
        if (!c)
          fail(f[3], "instruction class '" + std::string(f[3].text) +
                         "' is unknown (workloads/README.md lists the classes)");
        r.size = static_cast<std::uint32_t>(*c);
      } else {
        r.size = static_cast<std::uint32_t>(dec_field(f[3], "size", 0, 0, at(f[3].column)));
      }
    }
    r.sm = static_cast<std::uint16_t>(dec_field(f[4], "sm", 0, 65535, at(f[4].column)));
    r.cta = static_cast<std::uint32_t>(
        dec_field(f[5], "cta", 0, std::numeric_limits<std::uint32_t>::max(), at(f[5].column)));
    r.warp = static_cast<std::uint16_t>(dec_field(f[6], "warp", 0, 65535, at(f[6].column)));
    r.kernel = static_cast<std::uint16_t>(dec_field(f[7], "kernel", 0, 65535, at(f[7].column)));
    if (r.kind == static_cast<std::uint8_t>(RecordKind::kCompute)) {
      std::uint8_t v = 0;
      while (v < 4 && f[8].text != compute_flags_text(v)) ++v;
      if (v == 4)
        fail(f[8], "flags are '" + std::string(f[8].text) +
                       "'; expected '-', 'dep', 'chain' or 'dep+chain'");
      r.flags = v;
    } else if (f[8].text == "cg" && is_memory_kind(r.kind)) {
      r.flags = kFlagL1Bypass;
    } else if (f[8].text == "cg+smem" && is_memory_kind(r.kind)) {
      r.flags = kFlagL1Bypass | kFlagToShared;
    } else if (f[8].text == "smem" && is_memory_kind(r.kind)) {
      r.flags = kFlagToShared;
    } else if (f[8].text != "-") {
      fail(f[8], "flags are '" + std::string(f[8].text) +
                     "'; expected '-', 'cg', 'smem' or "
                     "'cg+smem'");
    }
    const std::string bad = check_record(r, meta_);
    if (!bad.empty()) fail(f[7], bad);
    return r;
  }

  bool have_meta_ = false;
};

class RamulatorReader final : public TextReader {
 public:
  RamulatorReader(detail::ByteInput in, const PeerReadOptions& o)
      : TextReader(std::move(in), TraceFormat::kRamulator), bytes_(o.request_bytes) {
    if (bytes_ == 0 || bytes_ > kMaxRecordSize)
      throw usage_error("request size must be 1.." + std::to_string(kMaxRecordSize) + " bytes");
    meta_.timestamp_unit = TimestampUnit::kNone;
    meta_.tool = "Ramulator 2 LoadStoreTrace";
    read_preamble();
  }

 private:
  AccessRecord parse(const std::string& line) override {
    const auto f = detail::split_fields(line);
    if (f.size() != 2)
      throw input_error(at(1),
                        "expected 'LD <address>' or 'ST <address>' (Ramulator "
                        "LoadStoreTrace), found " +
                            std::to_string(f.size()) + " fields");
    AccessRecord r;
    r.size = bytes_;
    if (f[0].text == "LD") {
      r.kind = 0;
    } else if (f[0].text == "ST") {
      r.kind = 1;
    } else {
      fail(f[0], "operation is '" + std::string(f[0].text) + "'; expected LD or ST");
    }
    // Ramulator takes 0x-prefixed hex or plain decimal.
    auto a = detail::parse_hex_address(f[1].text);
    if (!a) a = detail::parse_u64(f[1].text, 10);
    if (!a)
      fail(f[1], "address is '" + std::string(f[1].text) +
                     "'; expected 0x-prefixed hex or decimal, below 2^64");
    r.address = *a;
    const std::string bad = check_record(r, meta_);
    if (!bad.empty()) fail(f[1], bad);
    return r;
  }
  std::uint32_t bytes_;
};

class StlReader final : public TextReader {
 public:
  StlReader(detail::ByteInput in, const PeerReadOptions& o)
      : TextReader(std::move(in), TraceFormat::kDramsysStl), bytes_(o.request_bytes) {
    if (bytes_ == 0 || bytes_ > kMaxRecordSize)
      throw usage_error("request size must be 1.." + std::to_string(kMaxRecordSize) + " bytes");
    if (o.stl_clock_mhz > 0) {
      meta_.timestamp_unit = TimestampUnit::kMemCycle;
      meta_.mem_clock_mhz = o.stl_clock_mhz;
    } else {
      meta_.timestamp_unit = TimestampUnit::kNone;
    }
    meta_.time_origin = 0;  // .stl cycles count from the start of the simulation
    meta_.tool = "DRAMSys stl";
    read_preamble();
  }

 private:
  AccessRecord parse(const std::string& line) override {
    const auto f = detail::split_fields(line);
    if (f.size() < 3)
      throw input_error(at(1),
                        "expected '<cycle>: [(<length>)] read|write <address>' (DRAMSys "
                        "stl), found " +
                            std::to_string(f.size()) + " fields");
    AccessRecord r;
    std::string_view cyc = f[0].text;
    if (!cyc.empty() && cyc.back() == ':') cyc.remove_suffix(1);
    const auto c = detail::parse_u64(cyc, 10);
    if (!c)
      fail(f[0], "cycle is '" + std::string(f[0].text) + "'; expected a decimal number and ':'");
    r.timestamp = *c;
    std::size_t i = 1;
    r.size = bytes_;
    if (f[i].text.front() == '(') {
      std::string_view len = f[i].text.substr(1);
      if (!len.empty() && len.back() == ')') len.remove_suffix(1);
      const auto n = detail::parse_u64(len, 10);
      if (!n || *n == 0 || *n > kMaxRecordSize)
        fail(f[i], "length is '" + std::string(f[i].text) + "'; expected (1.." +
                       std::to_string(kMaxRecordSize) + ")");
      r.size = static_cast<std::uint32_t>(*n);
      ++i;
    }
    if (i >= f.size()) throw input_error(at(1), "missing 'read' or 'write' after the length");
    if (f[i].text == "read") {
      r.kind = 0;
    } else if (f[i].text == "write") {
      r.kind = 1;
    } else {
      fail(f[i], "command is '" + std::string(f[i].text) + "'; expected read or write");
    }
    ++i;
    if (i >= f.size()) throw input_error(at(1), "missing address after the command");
    // DRAMSys reads the address as hex with or without 0x.
    std::string_view a = f[i].text;
    if (a.size() > 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) a.remove_prefix(2);
    const auto addr = detail::parse_u64(a, 16);
    if (!addr) fail(f[i], "address is '" + std::string(f[i].text) + "'; expected hex below 2^64");
    r.address = *addr;
    ++i;
    // Writes may carry their data (DRAMSys storage mode); it is not modelled, but must be hex.
    if (i < f.size()) {
      const std::string_view d = f[i].text;
      const bool hex_data = d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X') &&
                            std::all_of(d.begin() + 2, d.end(), [](char ch) {
                              return std::isxdigit(static_cast<unsigned char>(ch));
                            });
      if (r.kind != 1 || i + 1 != f.size() || !hex_data)
        fail(f[i], "unexpected '" + std::string(d) +
                       "' after the address (only a write may carry its data, as 0x-prefixed hex)");
    }
    const std::string bad = check_record(r, meta_);
    if (!bad.empty()) fail(f[0], bad);
    return r;
  }
  std::uint32_t bytes_;
};

std::unique_ptr<AccessRecordReader> make_reader(detail::ByteInput in, TraceFormat fmt,
                                                const PeerReadOptions& opts) {
  switch (fmt) {
    case TraceFormat::kAccessBinary:
      return nullptr;  // handled by the callers (AccessTraceReader owns its input)
    case TraceFormat::kAccessText:
      return std::make_unique<DumpReader>(std::move(in));
    case TraceFormat::kRamulator:
      return std::make_unique<RamulatorReader>(std::move(in), opts);
    case TraceFormat::kDramsysStl:
      return std::make_unique<StlReader>(std::move(in), opts);
    case TraceFormat::kOpTrace:
      break;
  }
  throw usage_error("'" + in.name() +
                    "' is an op trace (one record per kernel launch), not an access trace");
}

TraceFormat detect_text(detail::LineReader& lines) {
  std::string line;
  int seen = 0;
  while (lines.next(line) && seen < 1000) {
    ++seen;
    if (is_blank(line)) continue;
    if (line.compare(0, kDumpSignature.size(), kDumpSignature) == 0)
      return TraceFormat::kAccessText;
    if (line[0] == '#') continue;
    if (line.find_first_not_of(" \t") != std::string::npos &&
        line[line.find_first_not_of(" \t")] == '{')
      return TraceFormat::kOpTrace;
    const auto f = detail::split_fields(line);
    if (f.size() == 2 && (f[0].text == "LD" || f[0].text == "ST")) return TraceFormat::kRamulator;
    if (f.size() == 9 && (f[1].text == "LD" || f[1].text == "ST" || f[1].text == "ATOM"))
      return TraceFormat::kAccessText;
    std::string_view c = f[0].text;
    if (!c.empty() && c.back() == ':') c.remove_suffix(1);
    if (f.size() >= 3 && detail::parse_u64(c, 10)) return TraceFormat::kDramsysStl;
    std::string shown = line.substr(0, 60);
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    throw input_error(lines.loc(1), "cannot tell the trace format from '" + shown +
                                        "'; name it explicitly (" + trace_format_names() + ")");
  }
  throw input_error(lines.loc(),
                    "no record found; cannot tell the trace format (name it "
                    "explicitly: " +
                        trace_format_names() + ")");
}

// Detection over a fresh input (the head is re-read by the line reader).
template <typename MakeInput>
TraceFormat detect_any(MakeInput make) {
  {
    auto in = make();
    unsigned char head[8] = {};
    const std::size_t n = in.read(head, 8);
    if (n == 0) throw input_error(in.loc(), "the file is empty; cannot tell its trace format");
    if (std::memcmp(head, kAccessTraceMagic, n) == 0) return TraceFormat::kAccessBinary;
  }
  detail::LineReader lines(make(), 1u << 20);
  return detect_text(lines);
}

// Collects output text in a buffer and hands it on in large pieces.
class Buffered {
 public:
  explicit Buffered(const TextSink& sink) : sink_(sink) { buf_.reserve(kFlush + 256); }
  ~Buffered() = default;
  void add(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kFlush) flush();
  }
  void add_line(const char* fmt_buf, int n) {
    buf_.append(fmt_buf, static_cast<std::size_t>(n));
    if (buf_.size() >= kFlush) flush();
  }
  void flush() {
    if (!buf_.empty()) sink_(buf_);
    buf_.clear();
  }

 private:
  static constexpr std::size_t kFlush = 1 << 20;
  const TextSink& sink_;
  std::string buf_;
};

std::string source_line(const AccessRecordReader& in) {
  std::string s = in.name() + " (" + std::string(trace_format_name(in.format()));
  if (const auto* h = in.binary_header()) {
    s += ", version " + std::to_string(h->version) +
         (h->compression == Compression::kZstd ? ", zstd" : ", uncompressed") + ", " +
         std::to_string(h->record_count) + " records in " + std::to_string(h->chunk_count) +
         " chunks";
  }
  return s + ")";
}

// Passes records through and counts them.
class CountingReader final : public AccessRecordReader {
 public:
  explicit CountingReader(AccessRecordReader& in) : in_(in) {}
  bool next(AccessRecord& r) override {
    if (!in_.next(r)) return false;
    ++n_;
    return true;
  }
  const AccessTraceMeta& meta() const override { return in_.meta(); }
  TraceFormat format() const override { return in_.format(); }
  const std::string& name() const override { return in_.name(); }
  const AccessTraceHeaderInfo* binary_header() const override { return in_.binary_header(); }
  std::uint64_t record_hint() const override { return in_.record_hint(); }
  std::uint64_t count() const { return n_; }

 private:
  AccessRecordReader& in_;
  std::uint64_t n_ = 0;
};

// Cycle of `clock_mhz` at which a record's timestamp falls, rounded down (see write_stl).
std::uint64_t stl_cycle(std::uint64_t ts, std::uint64_t origin, const AccessTraceMeta& m,
                        std::uint32_t clock_mhz, const std::string& where) {
  if (m.timestamp_unit == TimestampUnit::kNone) return ts;
  const std::uint64_t d = ts > origin ? ts - origin : 0;
  using u128 = unsigned __int128;
  u128 c = 0;
  switch (m.timestamp_unit) {
    case TimestampUnit::kNs:
      c = static_cast<u128>(d) * clock_mhz / 1000u;
      break;
    case TimestampUnit::kPs:
      c = static_cast<u128>(d) * clock_mhz / 1000000u;
      break;
    case TimestampUnit::kSmCycle:
    case TimestampUnit::kMemCycle: {
      const double src =
          m.timestamp_unit == TimestampUnit::kSmCycle ? m.sm_clock_mhz : m.mem_clock_mhz;
      if (src == std::floor(src) && src >= 1) {
        c = static_cast<u128>(d) * clock_mhz / static_cast<std::uint64_t>(src);
      } else {
        const long double v = static_cast<long double>(d) * clock_mhz / src;
        if (v >= 1.8e19L) throw input_error(SourceLoc{where, 0, 0}, "cycle overflows 64 bits");
        c = static_cast<u128>(std::floor(v));
      }
      break;
    }
    case TimestampUnit::kNone:
      break;
  }
  if (c > std::numeric_limits<std::uint64_t>::max())
    throw input_error(SourceLoc{where, 0, 0}, "cycle number overflows 64 bits");
  return static_cast<std::uint64_t>(c);
}

}  // namespace

// --- names and detection ------------------------------------------------------------------------

std::string_view trace_format_name(TraceFormat f) {
  return format_names()[static_cast<std::size_t>(f)];
}

std::optional<TraceFormat> parse_trace_format(std::string_view name) {
  for (std::size_t i = 0; i < format_names().size(); ++i)
    if (format_names()[i] == name) return static_cast<TraceFormat>(i);
  return std::nullopt;
}

std::string trace_format_names() {
  std::string s;
  for (const auto& n : format_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

TraceFormat detect_trace_format(const std::string& path) {
  return detect_any([&] { return detail::ByteInput::open_file(path); });
}

bool is_op_trace_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  try {
    return detect_trace_format(path) == TraceFormat::kOpTrace;
  } catch (const Error&) {
    return false;
  }
}

TraceFormat detect_trace_format_memory(const void* data, std::size_t n, const std::string& name) {
  return detect_any([&] { return detail::ByteInput::from_memory(data, n, name); });
}

std::unique_ptr<AccessRecordReader> open_access_records(const std::string& path,
                                                        std::optional<TraceFormat> fmt,
                                                        const PeerReadOptions& opts) {
  const TraceFormat f = fmt ? *fmt : detect_trace_format(path);
  if (f == TraceFormat::kAccessBinary)
    return std::make_unique<BinaryReader>(AccessTraceReader(path));
  return make_reader(detail::ByteInput::open_file(path), f, opts);
}

std::unique_ptr<AccessRecordReader> open_access_records_memory(const void* data, std::size_t n,
                                                               std::string name, TraceFormat fmt,
                                                               const PeerReadOptions& opts) {
  if (fmt == TraceFormat::kAccessBinary)
    return std::make_unique<BinaryReader>(AccessTraceReader(data, n, std::move(name)));
  return make_reader(detail::ByteInput::from_memory(data, n, std::move(name)), fmt, opts);
}

// --- writers ------------------------------------------------------------------------------------

std::uint64_t write_text_dump(AccessRecordReader& in, const TextSink& out,
                              std::uint64_t max_records) {
  Buffered b(out);
  b.add(kDumpSignature);
  b.add(" (text form of an access trace; workloads/README.md)\n# source: ");
  b.add(source_line(in));
  b.add("\n");
  b.add(kMetadataPrefix);
  b.add(" ");
  b.add(in.meta().to_json());
  b.add("\n# columns: timestamp kind address size sm cta warp kernel flags\n");
  AccessRecord r;
  std::uint64_t n = 0;
  char line[160];
  while ((max_records == 0 || n < max_records) && in.next(r)) {
    const auto ts = static_cast<unsigned long long>(r.timestamp);
    const auto a = static_cast<unsigned long long>(r.address);
    const char* km = kind_mnemonic(r.kind).data();
    const auto sm = static_cast<unsigned>(r.sm), warp = static_cast<unsigned>(r.warp),
               kern = static_cast<unsigned>(r.kernel);
    int len = 0;
    if (is_memory_kind(r.kind)) {
      static constexpr const char* kMemFlags[4] = {"-", "cg", "smem", "cg+smem"};
      len = std::snprintf(line, sizeof line, "%llu %s 0x%llx %u %u %u %u %u %s\n", ts, km, a,
                          r.size, sm, r.cta, warp, kern, kMemFlags[r.flags & 3]);
    } else if (r.kind == static_cast<std::uint8_t>(RecordKind::kCompute)) {
      len = std::snprintf(line, sizeof line, "%llu %s %llu %s %u %u %u %u %s\n", ts, km, a,
                          kInstrClasses[r.size].name, sm, r.cta, warp, kern,
                          compute_flags_text(r.flags));
    } else {
      len = std::snprintf(line, sizeof line, "%llu %s %llu %u %u %u %u %u -\n", ts, km, a, r.size,
                          sm, r.cta, warp, kern);
    }
    b.add_line(line, len);
    ++n;
  }
  const bool cut = max_records != 0 && n == max_records && in.next(r);
  b.add(cut ? "# stopped after " + std::to_string(n) + " records (--head)\n"
            : "# end: " + std::to_string(n) + " records\n");
  b.flush();
  return n;
}

std::uint64_t write_ramulator(AccessRecordReader& in, const TextSink& out) {
  Buffered b(out);
  AccessRecord r;
  std::uint64_t lines = 0;
  char line[48];
  while (in.next(r)) {
    if (!is_memory_kind(r.kind)) continue;  // the instruction mix has no Ramulator form
    const auto a = static_cast<unsigned long long>(r.address);
    if (r.kind != static_cast<std::uint8_t>(AccessKind::kStore)) {
      b.add_line(line, std::snprintf(line, sizeof line, "LD 0x%llx\n", a));
      ++lines;
    }
    if (r.kind != static_cast<std::uint8_t>(AccessKind::kLoad)) {
      b.add_line(line, std::snprintf(line, sizeof line, "ST 0x%llx\n", a));
      ++lines;
    }
  }
  b.flush();
  return lines;
}

std::uint64_t write_stl(AccessRecordReader& in, const TextSink& out, const StlWriteOptions& opts) {
  if (opts.clock_mhz == 0 || opts.clock_mhz > 1000000)
    throw usage_error(
        "a DRAMSys .stl trace counts cycles of a clock: give its frequency in MHz "
        "(1..1000000), e.g. the memory controller clock of the DRAMSys config");
  const auto& m = in.meta();
  Buffered b(out);
  b.add("# DRAMSys trace from accsim: ");
  b.add(source_line(in));
  b.add(", clock " + std::to_string(opts.clock_mhz) + " MHz\n");
  AccessRecord r;
  std::uint64_t lines = 0, index = 0;
  std::optional<std::uint64_t> origin = m.time_origin;
  char line[96];
  char len[24] = "";
  while (in.next(r)) {
    if (!is_memory_kind(r.kind)) continue;  // the instruction mix has no .stl form
    if (!origin) origin = r.timestamp;
    const auto cyc = static_cast<unsigned long long>(stl_cycle(
        r.timestamp, *origin, m, opts.clock_mhz, in.name() + ", record " + std::to_string(index)));
    if (opts.write_length) std::snprintf(len, sizeof len, "(%u)\t", r.size);
    const auto a = static_cast<unsigned long long>(r.address);
    if (r.kind != static_cast<std::uint8_t>(AccessKind::kStore)) {
      b.add_line(line, std::snprintf(line, sizeof line, "%llu:\t%sread\t0x%llx\n", cyc, len, a));
      ++lines;
    }
    if (r.kind != static_cast<std::uint8_t>(AccessKind::kLoad)) {
      b.add_line(line, std::snprintf(line, sizeof line, "%llu:\t%swrite\t0x%llx\n", cyc, len, a));
      ++lines;
    }
    ++index;
  }
  b.flush();
  return lines;
}

// --- conversion ---------------------------------------------------------------------------------

std::uint64_t convert_trace(const std::string& in_path, const std::string& out_path,
                            const ConvertOptions& opts) {
  const TraceFormat from = opts.from ? *opts.from : detect_trace_format(in_path);
  if (from == TraceFormat::kOpTrace || opts.to == TraceFormat::kOpTrace) {
    if (from != opts.to)
      throw usage_error("cannot convert " + std::string(trace_format_name(from)) + " to " +
                        std::string(trace_format_name(opts.to)) +
                        ": op traces (kernel launches) and access traces (memory accesses) hold "
                        "different things");
    OpTraceReader rd(in_path);
    OpTraceWriter w(out_path, rd.header());
    OpRecord r;
    std::uint64_t n = 0;
    while (rd.next(r)) {
      w.append(r);
      ++n;
    }
    w.close();
    return n;
  }
  auto rd = open_access_records(in_path, from, opts.read);
  CountingReader counted(*rd);
  if (opts.to == TraceFormat::kAccessBinary) {
    AccessTraceWriter w(out_path, rd->meta(), opts.binary);
    AccessRecord r;
    std::uint64_t n = 0;
    while (rd->next(r)) {
      w.append(r);
      ++n;
    }
    w.close();
    return n;
  }
  detail::OutFile out(out_path);
  const TextSink sink = [&out](std::string_view s) { out.write(s); };
  switch (opts.to) {
    case TraceFormat::kAccessText:
      write_text_dump(counted, sink);
      break;
    case TraceFormat::kRamulator:
      write_ramulator(counted, sink);
      break;
    case TraceFormat::kDramsysStl:
      write_stl(counted, sink, opts.stl);
      break;
    default:
      break;
  }
  out.commit();
  return counted.count();
}

// --- replay -------------------------------------------------------------------------------------

namespace {

// nullopt when the result does not fit an int64 (the caller builds the message: only then).
std::optional<std::int64_t> ticks_to_ps(std::uint64_t ts, std::uint64_t origin,
                                        const AccessTraceMeta& m) {
  if (m.timestamp_unit == TimestampUnit::kNone || ts <= origin) return 0;
  const std::uint64_t d = ts - origin;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  switch (m.timestamp_unit) {
    case TimestampUnit::kPs:
      if (d > kMax) return std::nullopt;
      return static_cast<std::int64_t>(d);
    case TimestampUnit::kNs:
      if (d > kMax / 1000) return std::nullopt;
      return static_cast<std::int64_t>(d * 1000);
    default: {
      const long double v = static_cast<long double>(d) * m.ps_per_tick();
      if (!(v < 9.2e18L)) return std::nullopt;
      return static_cast<std::int64_t>(std::llround(static_cast<double>(v)));
    }
  }
}

Error timestamp_overflow(std::uint64_t ts, std::uint64_t origin, const AccessTraceMeta& m,
                         const std::string& where) {
  return input_error(SourceLoc{where, 0, 0},
                     "timestamp " + std::to_string(ts) + " is " + std::to_string(ts - origin) +
                         " " + std::string(timestamp_unit_name(m.timestamp_unit)) +
                         " after the origin, more than 2^63 ps (set metadata.time_origin?)");
}

}  // namespace

std::int64_t timestamp_to_ps(std::uint64_t ts, std::uint64_t origin, const AccessTraceMeta& m,
                             const std::string& where) {
  const auto ps = ticks_to_ps(ts, origin, m);
  if (!ps) throw timestamp_overflow(ts, origin, m, where);
  return *ps;
}

std::uint64_t AccessRecordReader::record_hint() const {
  // Version 2 files count compute records too, which make no requests.
  const AccessTraceHeaderInfo* h = binary_header();
  return h != nullptr && h->version == 1 ? h->record_count : 0;
}

AccessTraceSource::AccessTraceSource(std::unique_ptr<AccessRecordReader> reader,
                                     const ReplayOptions& opts)
    : reader_(std::move(reader)), opts_(opts), origin_(reader_->meta().time_origin) {}

bool AccessTraceSource::next(MemRequest& out) {
  if (pending_write_) {
    out = pending_;
    out.id = next_id_++;
    pending_write_ = false;
    return true;
  }
  AccessRecord r;
  do {  // a memory model replays the memory records; the instruction mix (version 2) is skipped
    if (!reader_->next(r)) return false;
  } while (!is_memory_kind(r.kind));
  if (!origin_) origin_ = r.timestamp;
  MemRequest q;
  q.addr = r.address;
  q.size = r.size;
  q.is_write = r.kind == static_cast<std::uint8_t>(AccessKind::kStore);
  q.not_before_ps = 0;
  if (opts_.use_timestamps) {
    const auto ps = ticks_to_ps(r.timestamp, *origin_, reader_->meta());
    if (!ps)
      throw timestamp_overflow(r.timestamp, *origin_, reader_->meta(),
                               reader_->name() + ", record " + std::to_string(record_index_));
    q.not_before_ps = *ps;
  }
  q.sm = r.sm;
  q.cta = r.cta;
  q.warp = r.warp;
  if (r.kind == static_cast<std::uint8_t>(AccessKind::kAtomic)) {
    pending_ = q;
    pending_.is_write = true;
    pending_write_ = true;
  }
  q.id = next_id_++;
  ++record_index_;
  out = q;
  return true;
}

std::string AccessTraceSource::describe() const {
  std::string s = std::string(trace_format_name(reader_->format())) + " trace " + reader_->name();
  if (const auto* h = reader_->binary_header())
    s += " (" + std::to_string(h->record_count) + " records)";
  if (!opts_.use_timestamps) s += ", timestamps ignored";
  return s;
}

std::unique_ptr<AccessTraceSource> open_trace_source(const std::string& path,
                                                     std::optional<TraceFormat> fmt,
                                                     const PeerReadOptions& read,
                                                     const ReplayOptions& replay) {
  return std::make_unique<AccessTraceSource>(open_access_records(path, fmt, read), replay);
}

// --- info ---------------------------------------------------------------------------------------

namespace {

std::string dims(const std::array<std::uint32_t, 3>& d) {
  return std::to_string(d[0]) + "x" + std::to_string(d[1]) + "x" + std::to_string(d[2]);
}

std::string size_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char b[32];
  std::snprintf(b, sizeof b, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return b;
}

TraceInfo access_info(const std::string& path, TraceFormat fmt, const PeerReadOptions& read) {
  auto rd = open_access_records(path, fmt, read);
  const auto& m = rd->meta();
  TraceInfo info;
  info.path = path;
  info.format = fmt;
  nlohmann::ordered_json j;
  j["path"] = path;
  j["format"] = std::string(trace_format_name(fmt));
  if (const auto* h = rd->binary_header()) {
    info.file_bytes = h->file_bytes;
    j["version"] = h->version;
    j["compression"] = h->compression == Compression::kZstd ? "zstd" : "none";
    j["chunks"] = h->chunk_count;
  }
  j["metadata"] = nlohmann::ordered_json::parse(m.to_json());

  std::uint64_t n = 0, loads = 0, stores = 0, atomics = 0, bypass = 0, rd_bytes = 0, wr_bytes = 0;
  std::array<std::uint64_t, kRecordKindCount> by_kind{};
  std::array<std::uint64_t, kInstrClassCount> instrs{};
  std::uint64_t amin = std::numeric_limits<std::uint64_t>::max(), aend = 0;
  std::uint64_t tmin = std::numeric_limits<std::uint64_t>::max(), tmax = 0;
  std::uint32_t cta_max = 0;
  std::uint16_t warp_max = 0;
  auto sms = std::make_unique<std::bitset<65536>>();
  std::vector<std::uint64_t> per_kernel(std::max<std::size_t>(1, m.kernels.size()), 0);
  AccessRecord r;
  while (rd->next(r)) {
    ++n;
    ++by_kind[r.kind];
    if (!is_memory_kind(r.kind)) {
      if (r.kind == static_cast<std::uint8_t>(RecordKind::kCompute)) instrs[r.size] += r.address;
      tmin = std::min(tmin, r.timestamp);
      tmax = std::max(tmax, r.timestamp);
      cta_max = std::max(cta_max, r.cta);
      warp_max = std::max(warp_max, r.warp);
      sms->set(r.sm);
      ++per_kernel[r.kernel];
      continue;
    }
    switch (static_cast<AccessKind>(r.kind)) {
      case AccessKind::kLoad:
        ++loads;
        rd_bytes += r.size;
        break;
      case AccessKind::kStore:
        ++stores;
        wr_bytes += r.size;
        break;
      case AccessKind::kAtomic:
        ++atomics;
        rd_bytes += r.size;
        wr_bytes += r.size;
        break;
    }
    if (r.flags & kFlagL1Bypass) ++bypass;
    amin = std::min(amin, r.address);
    aend = std::max(aend, r.address + r.size);
    tmin = std::min(tmin, r.timestamp);
    tmax = std::max(tmax, r.timestamp);
    cta_max = std::max(cta_max, r.cta);
    warp_max = std::max(warp_max, r.warp);
    sms->set(r.sm);
    ++per_kernel[r.kernel];
  }
  if (!rd->binary_header()) info.file_bytes = 0;
  j["records"] = n;
  j["loads"] = loads;
  j["stores"] = stores;
  j["atomics"] = atomics;
  j["l1_bypass"] = bypass;
  j["bytes_read"] = rd_bytes;
  j["bytes_written"] = wr_bytes;
  if (n > loads + stores + atomics) {  // version 2: the instruction mix and the structure
    auto& mix = j["instruction_mix"] = nlohmann::ordered_json::object();
    for (std::uint32_t c = 0; c < kInstrClassCount; ++c)
      if (instrs[c] > 0) mix[kInstrClasses[c].name] = instrs[c];
    for (std::uint8_t k = static_cast<std::uint8_t>(RecordKind::kCompute); k < kRecordKindCount;
         ++k)
      j[std::string(record_kind_name(k)) + "_records"] = by_kind[k];
  }
  if (n > 0) {
    if (loads + stores + atomics > 0) {
      j["address_min"] = hex(amin);
      j["address_end"] = hex(aend);
    }
    j["sms"] = sms->count();
    j["cta_max"] = cta_max;
    j["warp_max"] = warp_max;
    j["timestamp_unit"] = std::string(timestamp_unit_name(m.timestamp_unit));
    j["timestamp_min"] = tmin;
    j["timestamp_max"] = tmax;
    if (m.timestamp_unit != TimestampUnit::kNone)
      j["time_span_ns"] = static_cast<double>(tmax - tmin) * m.ps_per_tick() / 1000.0;
  }
  auto& ks = j["kernels"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < per_kernel.size(); ++i) {
    nlohmann::ordered_json k;
    k["id"] = i;
    k["name"] = m.kernels.empty() ? std::string("(unnamed)") : m.kernels[i].name;
    if (!m.kernels.empty()) {
      k["grid"] = m.kernels[i].grid;
      k["block"] = m.kernels[i].block;
      k["smem"] = m.kernels[i].smem;
      if (m.kernels[i].regs > 0) k["regs"] = m.kernels[i].regs;
    }
    k["records"] = per_kernel[i];
    ks.push_back(std::move(k));
  }
  info.summary = j;
  return info;
}

TraceInfo op_info(const std::string& path) {
  OpTraceReader rd(path);
  TraceInfo info;
  info.path = path;
  info.format = TraceFormat::kOpTrace;
  std::map<std::string, std::uint64_t> by_op;
  std::uint64_t n = 0, measured = 0;
  double time_ns = 0;
  OpRecord r;
  while (rd.next(r)) {
    ++n;
    ++by_op[std::string(op_kind_name(r.op))];
    if (r.measured && r.measured->time_ns) {
      ++measured;
      time_ns += *r.measured->time_ns;
    }
  }
  nlohmann::ordered_json j;
  j["path"] = path;
  j["format"] = "optrace";
  j["version"] = 1;
  if (!rd.header().gpu.empty()) j["gpu"] = rd.header().gpu;
  if (!rd.header().tool.empty()) j["tool"] = rd.header().tool;
  j["launches"] = n;
  j["by_op"] = by_op;
  j["measured_launches"] = measured;
  j["measured_time_ns"] = time_ns;
  info.summary = j;
  return info;
}

}  // namespace

TraceInfo trace_info(const std::string& path, std::optional<TraceFormat> fmt,
                     const PeerReadOptions& read) {
  const TraceFormat f = fmt ? *fmt : detect_trace_format(path);
  TraceInfo info = f == TraceFormat::kOpTrace ? op_info(path) : access_info(path, f, read);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  info.file_bytes = ec ? 0 : size;
  return info;
}

std::string TraceInfo::to_text() const {
  const auto& j = summary;
  std::string s;
  auto row = [&s](const char* label, const std::string& text) {
    char b[32];
    std::snprintf(b, sizeof b, "  %-11s ", label);
    s += b + text + "\n";
  };
  if (format == TraceFormat::kOpTrace) {
    s += path + ": accsim op trace, version 1, " +
         std::to_string(j["launches"].get<std::uint64_t>()) + " launches, " +
         size_text(static_cast<double>(file_bytes)) + "\n";
    if (j.contains("gpu")) row("gpu", j["gpu"].get<std::string>());
    std::string ops;
    for (auto it = j["by_op"].begin(); it != j["by_op"].end(); ++it)
      ops += (ops.empty() ? "" : ", ") + it.key() + " " + std::to_string(it->get<std::uint64_t>());
    row("by op", ops.empty() ? "-" : ops);
    if (j["measured_launches"].get<std::uint64_t>() > 0)
      row("measured", std::to_string(j["measured_launches"].get<std::uint64_t>()) +
                          " launches, total " +
                          format_quantity(j["measured_time_ns"].get<double>() * 1e-9, Unit::kTime));
    return s;
  }
  s += path + ": " + std::string(trace_format_name(format)) + " access trace";
  if (j.contains("version"))
    s += ", version " + std::to_string(j["version"].get<int>()) + ", " +
         j["compression"].get<std::string>() + ", " +
         std::to_string(j["chunks"].get<std::uint64_t>()) + " chunk(s)";
  s += ", " + std::to_string(j["records"].get<std::uint64_t>()) + " records, " +
       size_text(static_cast<double>(file_bytes)) + "\n";
  const auto& m = j["metadata"];
  std::string meta;
  if (m.contains("gpu")) meta += m["gpu"].get<std::string>() + ", ";
  if (m.contains("sm_clock_mhz"))
    meta += "SM clock " + config::fmt_number(m["sm_clock_mhz"].get<double>()) + " MHz, ";
  if (m.contains("mem_clock_mhz"))
    meta += "memory clock " + config::fmt_number(m["mem_clock_mhz"].get<double>()) + " MHz, ";
  const std::string unit = m["timestamp_unit"].get<std::string>();
  meta += unit == "none" ? "no timing (timestamp unit none)" : "timestamps in " + unit;
  if (m.contains("tool")) meta += ", written by " + m["tool"].get<std::string>();
  row("metadata", meta);
  for (const auto& k : j["kernels"]) {
    std::string t = std::to_string(k["id"].get<int>()) + " " + k["name"].get<std::string>();
    if (k.contains("grid"))
      t += ", grid " + dims(k["grid"].get<std::array<std::uint32_t, 3>>()) + ", block " +
           dims(k["block"].get<std::array<std::uint32_t, 3>>()) + ", smem " +
           std::to_string(k["smem"].get<std::uint32_t>()) + " B";
    t += ": " + std::to_string(k["records"].get<std::uint64_t>()) + " records";
    row("kernel", t);
  }
  row("accesses", std::to_string(j["loads"].get<std::uint64_t>()) + " loads, " +
                      std::to_string(j["stores"].get<std::uint64_t>()) + " stores, " +
                      std::to_string(j["atomics"].get<std::uint64_t>()) + " atomics (" +
                      std::to_string(j["l1_bypass"].get<std::uint64_t>()) + " bypass L1)");
  row("bytes", std::to_string(j["bytes_read"].get<std::uint64_t>()) + " read, " +
                   std::to_string(j["bytes_written"].get<std::uint64_t>()) + " written");
  if (j.contains("address_min")) {
    row("addresses", j["address_min"].get<std::string>() + " .. " +
                         j["address_end"].get<std::string>() + " (end exclusive)");
    row("origin", std::to_string(j["sms"].get<std::uint64_t>()) + " SM(s), CTA ids up to " +
                      std::to_string(j["cta_max"].get<std::uint32_t>()) + ", warps up to " +
                      std::to_string(j["warp_max"].get<std::uint32_t>()));
    if (j["timestamp_unit"] == "none") return s;
    std::string t = std::to_string(j["timestamp_min"].get<std::uint64_t>()) + " .. " +
                    std::to_string(j["timestamp_max"].get<std::uint64_t>()) + " " +
                    j["timestamp_unit"].get<std::string>();
    if (j.contains("time_span_ns"))
      t += " (span " + format_quantity(j["time_span_ns"].get<double>() * 1e-9, Unit::kTime) + ")";
    row("time", t);
  }
  return s;
}

}  // namespace accsim::workloads
