// `accsim trace info|dump|convert|gen`.
#include <cstdint>
#include <iostream>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/core/units.h"
#include "workloads/trace/pattern_gen.h"
#include "workloads/trace/trace_file.h"

namespace accsim::cli {
namespace {

using namespace accsim::workloads;

std::optional<TraceFormat> format_arg(const Args& a, const std::string& opt) {
  if (!a.has(opt)) return std::nullopt;
  auto f = parse_trace_format(a.get(opt));
  if (!f)
    throw usage_error("trace: --" + opt + " '" + a.get(opt) + "' is not a format; expected " +
                      trace_format_names());
  return f;
}

std::uint64_t u64_arg(const Args& a, const std::string& opt, std::uint64_t def) {
  if (!a.has(opt)) return def;
  const std::string s = a.get(opt);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end || errno || s[0] == '-')
    throw usage_error("trace: --" + opt + " expects a non-negative integer, got '" + s + "'");
  return v;
}

double quantity_arg(const Args& a, const std::string& opt, Unit u, double def) {
  if (!a.has(opt)) return def;
  return parse_quantity(a.get(opt), u, SourceLoc{"--" + opt});
}

PeerReadOptions read_options(const Args& a) {
  PeerReadOptions r;
  r.request_bytes = static_cast<std::uint32_t>(quantity_arg(a, "request-bytes", Unit::kSize, 64));
  r.stl_clock_mhz = static_cast<std::uint32_t>(u64_arg(a, "stl-clock-mhz", 0));
  return r;
}

int trace_info_cmd(const Argv& argv) {
  Args a("trace info", "<file> [--json] [--from FORMAT]",
         "Reads a whole trace (streaming, any size) and summarises it: format, version,\n"
         "compression, records, kernels, address range, loads/stores, bytes, time span.");
  a.positional("file", "trace file")
      .option("from", "FORMAT", "format of the file (default: detect): " + trace_format_names())
      .option("request-bytes", "SIZE", "bytes per request in Ramulator/.stl traces (default 64B)")
      .option("stl-clock-mhz", "MHZ", "clock of .stl cycles (default: none)")
      .flag("json", "print JSON instead of text");
  if (!a.parse(argv)) return 0;
  TraceInfo info = trace_info(a.get("file"), format_arg(a, "from"), read_options(a));
  if (a.has("json"))
    std::cout << info.to_json().dump(2) << "\n";
  else
    std::cout << info.to_text();
  return 0;
}

int trace_dump_cmd(const Argv& argv) {
  Args a("trace dump", "<file> [--head N] [--from FORMAT]",
         "Prints an access trace as text (the format `trace convert --to dump` writes and\n"
         "`accsim` reads back).");
  a.positional("file", "trace file")
      .option("head", "N", "print only the first N records")
      .option("from", "FORMAT", "format of the file (default: detect)")
      .option("request-bytes", "SIZE", "bytes per request in Ramulator/.stl traces (default 64B)")
      .option("stl-clock-mhz", "MHZ", "clock of .stl cycles");
  if (!a.parse(argv)) return 0;
  auto in = open_access_records(a.get("file"), format_arg(a, "from"), read_options(a));
  write_text_dump(*in, [](std::string_view s) { std::cout << s; }, u64_arg(a, "head", 0));
  return 0;
}

int trace_convert_cmd(const Argv& argv) {
  Args a("trace convert", "<in> <out> [--from FORMAT] [--to FORMAT] [options]",
         "Converts between access-trace formats: atrace (accsim binary), dump (its text form),\n"
         "ramulator (Ramulator 2 LoadStoreTrace: LD/ST 0x...), stl (DRAMSys: <cycle>: read 0x...).\n"
         "The output is written to <out>.part and renamed when complete.");
  a.positional("in", "input trace").positional("out", "output file")
      .option("from", "FORMAT", "input format (default: detect)")
      .option("to", "FORMAT", "output format (default: atrace)")
      .option("compression", "none|zstd", "compression of atrace output (default zstd)")
      .option("chunk-records", "N", "records per chunk of atrace output")
      .option("request-bytes", "SIZE", "bytes per request read from Ramulator/.stl (default 64B)")
      .option("stl-clock-mhz", "MHZ", "clock of .stl cycles (reading: their meaning; writing: "
                                      "required, the DRAMSys player's clkMhz)")
      .flag("stl-length", "write the request length on every .stl line");
  if (!a.parse(argv)) return 0;
  ConvertOptions o;
  o.from = format_arg(a, "from");
  if (auto to = format_arg(a, "to")) o.to = *to;
  o.read = read_options(a);
  std::string comp = a.get("compression", "zstd");
  if (comp == "none")
    o.binary.compression = Compression::kNone;
  else if (comp == "zstd")
    o.binary.compression = Compression::kZstd;
  else
    throw usage_error("trace convert: --compression expects none or zstd");
  if (a.has("chunk-records"))
    o.binary.chunk_records = static_cast<std::uint32_t>(u64_arg(a, "chunk-records", 0));
  o.stl.clock_mhz = static_cast<std::uint32_t>(u64_arg(a, "stl-clock-mhz", 0));
  o.stl.write_length = a.has("stl-length");
  std::uint64_t n = convert_trace(a.get("in"), a.get("out"), o);
  std::cerr << "converted " << n << " records to " << a.get("out") << " ("
            << trace_format_name(o.to) << ")\n";
  return 0;
}

int trace_gen_cmd(const Argv& argv) {
  Args a("trace gen", "<sequential|random|conflict|bundled> <out> [options]",
         "Writes a synthetic access trace (.atrace, zstd). 'bundled' rewrites every trace of\n"
         "workloads/traces/ into the folder <out>.");
  a.positional("kind", "sequential, random, conflict or bundled")
      .positional("out", "output file (folder for 'bundled')")
      .option("count", "N", "accesses (default 1024)")
      .option("base", "SIZE", "first address (default 0B)")
      .option("size", "SIZE", "bytes per access (default 64B)")
      .option("write-fraction", "F", "fraction of stores, 0..1 (default 0)")
      .option("span", "SIZE", "random: address span (default 1GiB)")
      .option("row-stride", "SIZE", "conflict: bytes between rows (default 2MiB)")
      .option("rows", "N", "conflict: rows cycled through (default 256)")
      .option("seed", "N", "random seed (default 1)")
      .option("interval-ns", "N", "timestamp step per access (default 0: untimed)");
  if (!a.parse(argv)) return 0;
  if (a.get("kind") == "bundled") {
    write_bundled_traces(a.get("out"));
    std::cerr << "wrote " << bundled_traces().size() << " bundled traces to " << a.get("out")
              << "\n";
    return 0;
  }
  auto pat = parse_access_pattern(a.get("kind"));
  if (!pat)
    throw usage_error("trace gen: unknown kind '" + a.get("kind") +
                      "'; expected sequential, random, conflict or bundled");
  PatternParams p;
  p.pattern = *pat;
  p.count = u64_arg(a, "count", p.count);
  p.base = static_cast<std::uint64_t>(quantity_arg(a, "base", Unit::kSize, 0));
  p.size = static_cast<std::uint32_t>(quantity_arg(a, "size", Unit::kSize, p.size));
  p.write_fraction = quantity_arg(a, "write-fraction", Unit::kNone, 0);
  p.span = static_cast<std::uint64_t>(quantity_arg(a, "span", Unit::kSize, double(p.span)));
  p.row_stride =
      static_cast<std::uint64_t>(quantity_arg(a, "row-stride", Unit::kSize, double(p.row_stride)));
  p.rows = static_cast<std::uint32_t>(u64_arg(a, "rows", p.rows));
  p.seed = u64_arg(a, "seed", p.seed);
  p.interval_ns = u64_arg(a, "interval-ns", 0);
  check_pattern(p);
  std::uint64_t n = write_pattern_trace(a.get("out"), p);
  std::cerr << "wrote " << n << " records to " << a.get("out") << "\n";
  return 0;
}

}  // namespace

int cmd_trace(const Argv& argv) {
  const char* usage =
      "usage: accsim trace <info|dump|convert|gen> ... (each takes --help)\n";
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << usage;
    return argv.empty() ? 2 : 0;
  }
  Argv rest(argv.begin() + 1, argv.end());
  if (argv[0] == "info") return trace_info_cmd(rest);
  if (argv[0] == "dump") return trace_dump_cmd(rest);
  if (argv[0] == "convert") return trace_convert_cmd(rest);
  if (argv[0] == "gen") return trace_gen_cmd(rest);
  throw usage_error("trace: unknown subcommand '" + argv[0] + "'; expected info, dump, convert "
                    "or gen");
}

}  // namespace accsim::cli
