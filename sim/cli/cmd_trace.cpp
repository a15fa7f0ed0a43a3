// `accsim trace info|dump|convert|gen`.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>

#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/core/config.h"
#include "sim/core/units.h"
#include "workloads/gen/kernel_access.h"
#include "workloads/gen/transformer.h"
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

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

// An integer option in [lo, hi], checked before it is narrowed to the field it goes into; a
// usage error naming the option and its range otherwise.
std::uint64_t u64_arg(const Args& a, const std::string& opt, std::uint64_t def,
                      std::uint64_t lo = 0, std::uint64_t hi = kU64Max) {
  if (!a.has(opt)) return def;
  const std::string s = a.get(opt);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end || errno || s[0] == '-')
    throw usage_error("trace: --" + opt + " expects a non-negative integer, got '" + s + "'");
  if (v < lo || v > hi)
    throw usage_error("trace: --" + opt + " " + s + " is outside " + std::to_string(lo) + ".." +
                      std::to_string(hi));
  return v;
}

double quantity_arg(const Args& a, const std::string& opt, Unit u, double def) {
  if (!a.has(opt)) return def;
  return parse_quantity(a.get(opt), u, SourceLoc{"--" + opt});
}

// A size option ("64B", "1GiB") in [lo, hi] bytes, a whole number of bytes.
std::uint64_t size_arg(const Args& a, const std::string& opt, std::uint64_t def, std::uint64_t lo,
                       std::uint64_t hi) {
  if (!a.has(opt)) return def;
  const double v = quantity_arg(a, opt, Unit::kSize, 0);
  if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || v != std::floor(v))
    throw usage_error("trace: --" + opt + " " + a.get(opt) + " is outside " + std::to_string(lo) +
                      ".." + std::to_string(hi) + " bytes (a whole number)");
  return static_cast<std::uint64_t>(v);
}

PeerReadOptions read_options(const Args& a) {
  PeerReadOptions r;
  r.request_bytes = static_cast<std::uint32_t>(size_arg(a, "request-bytes", 64, 1, kMaxRecordSize));
  r.stl_clock_mhz = static_cast<std::uint32_t>(u64_arg(a, "stl-clock-mhz", 0, 0, 1000000));
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
  write_text_dump(
      *in, [](std::string_view s) { std::cout << s; }, u64_arg(a, "head", 0));
  return 0;
}

int trace_convert_cmd(const Argv& argv) {
  Args a(
      "trace convert", "<in> <out> [--from FORMAT] [--to FORMAT] [options]",
      "Converts between access-trace formats: atrace (accsim binary), dump (its text form),\n"
      "ramulator (Ramulator 2 LoadStoreTrace: LD/ST 0x...), stl (DRAMSys: <cycle>: read 0x...).\n"
      "The output is written to <out>.part and renamed when complete (a link's target is\n"
      "written, the link stays; a device or FIFO is written through for text formats).");
  a.positional("in", "input trace")
      .positional("out", "output file")
      .option("from", "FORMAT", "input format (default: detect)")
      .option("to", "FORMAT", "output format (default: atrace)")
      .option("compression", "none|zstd", "compression of atrace output (default zstd)")
      .option("chunk-records", "N", "records per chunk of atrace output")
      .option("request-bytes", "SIZE", "bytes per request read from Ramulator/.stl (default 64B)")
      .option("stl-clock-mhz", "MHZ",
              "clock of .stl cycles (reading: their meaning; writing: "
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
    o.binary.chunk_records =
        static_cast<std::uint32_t>(u64_arg(a, "chunk-records", 0, 1, kMaxChunkRecords));
  o.stl.clock_mhz = static_cast<std::uint32_t>(u64_arg(a, "stl-clock-mhz", 0, 0, 1000000));
  o.stl.write_length = a.has("stl-length");
  std::uint64_t n = convert_trace(a.get("in"), a.get("out"), o);
  std::cerr << "converted " << n << " records to " << a.get("out") << " ("
            << trace_format_name(o.to) << ")\n";
  return 0;
}

// `trace gen kernel`: the reference kernels' access pattern, generated on the CPU
// (workloads/gen/kernel_access.h).
int trace_gen_kernel(const Args& a) {
  const bool from_log = a.has("op-trace"), from_shape = a.has("kernel");
  if (from_log == from_shape)
    throw usage_error(
        "trace gen kernel: give either --op-trace FILE [--record I] or --kernel OP "
        "--shape K=V,...");
  const auto cta_sample = u64_arg(a, "cta-sample", 1, 1, 0xffffffffull);
  std::vector<KernelLaunch> launches;
  if (from_log) {
    for (const char* opt : {"shape", "dtype", "sm-count", "write-op-trace"})
      if (a.has(opt))
        throw usage_error(std::string("trace gen kernel: --") + opt +
                          " goes with --kernel, not "
                          "--op-trace");
    const auto records = read_op_trace(a.get("op-trace"));
    if (records.empty())
      throw input_error(SourceLoc{a.get("op-trace")}, "the op trace has no records");
    if (a.has("record")) {
      launches.push_back(launch_from_op_trace(records, u64_arg(a, "record", 0)));
    } else {
      for (std::size_t i = 0; i < records.size(); ++i)
        launches.push_back(launch_from_op_trace(records, i));
    }
  } else {
    if (a.has("record")) throw usage_error("trace gen kernel: --record goes with --op-trace");
    if (!a.has("shape")) throw usage_error("trace gen kernel: --kernel needs --shape K=V,...");
    KernelBuildOptions bo;
    if (a.has("dtype")) {
      auto dt = parse_dtype(a.get("dtype"));
      if (!dt) throw usage_error("trace gen kernel: --dtype expects fp16, bf16 or fp32");
      bo.dtype = *dt;
    }
    bo.causal = a.has("causal");
    bo.sm_count = static_cast<std::uint32_t>(u64_arg(a, "sm-count", bo.sm_count, 1, 4096));
    launches = build_kernel_launches(a.get("kernel"), parse_kernel_shape(a.get("shape")), bo);
    if (a.has("write-op-trace")) {
      std::vector<OpRecord> recs;
      for (std::size_t j = 0; j < launches.size(); ++j) {
        OpRecord r = launches[j].rec;
        r.access_trace = AccessTraceLink{std::filesystem::path(a.get("out")).filename().string(),
                                         static_cast<std::uint16_t>(j)};
        recs.push_back(std::move(r));
      }
      OpTraceHeader h;
      h.tool = "accsim trace gen kernel";
      write_op_trace(a.get("write-op-trace"), h, recs);
    }
  }
  KernelTraceOptions ko;
  ko.cta_sample = static_cast<std::uint32_t>(cta_sample);
  ko.instruction_mix = !a.has("memory-only");
  const auto wave = u64_arg(a, "wave-ctas", ko.wave_ctas, 1, 0xffffffffull);
  ko.wave_ctas = static_cast<std::uint32_t>(wave);
  const std::string comp = a.get("compression", "zstd");
  if (comp == "none")
    ko.writer.compression = Compression::kNone;
  else if (comp != "zstd")
    throw usage_error("trace gen kernel: --compression expects none or zstd");
  const std::uint64_t n = write_kernel_trace(a.get("out"), launches, ko);
  std::cerr << "wrote " << n << " records of " << launches.size() << " launch(es) to "
            << a.get("out") << "\n";
  return 0;
}

// `trace gen model`: one prefill or decode step of a transformer as an op trace
// (workloads/gen/transformer.h).
int trace_gen_model_cmd(const Argv& argv) {
  Args a("trace gen model", "<out.optrace.jsonl> --model NAME --phase prefill|decode [options]",
         "Writes one step of a decoder-only transformer as an op trace: per layer the reference\n"
         "kernels' launches (layernorm, QKV projection, attention, output projection, residual\n"
         "add, MLP with GELU), then the final layer norm and the last token's logits. The gpu\n"
         "target replays each launch, pim runs a decode step as PIM-GPT does, dataflow and\n"
         "fpga run one of its sdpa records (workload.record / model.record).\n"
         "  accsim trace gen model gpt2-prefill.jsonl --model gpt2-small --phase prefill "
         "--tokens 1024\n"
         "  accsim trace gen model gpt2-decode.jsonl --model gpt2-small --phase decode "
         "--context 1023\n"
         "Models: " +
             config::join(transformer_model_names(), ", ") +
             ".\n"
             "See workloads/README.md, \"Transformer steps\".");
  a.positional("out", "output op trace (JSON lines)")
      .option("model", "NAME", "the model (accsim list shows them)")
      .option("phase", "prefill|decode", "a prompt of --tokens, or one token after --context")
      .option("tokens", "N", "prefill: prompt tokens per sequence")
      .option("context", "N", "decode: tokens already in the KV cache (default 0)")
      .option("batch", "N", "sequences (default 1)")
      .option("layers", "N", "emit only the first N layers (default: all)")
      .option("attention", "flash|naive", "prefill: fused or naive attention (default flash)")
      .flag("no-lm-head", "leave out the final layer norm and the logits")
      .option("ops", "LIST",
              "keep only these ops' launches, comma-separated (e.g. attn; names: " +
                  config::join(transformer_op_names(), ", ") + ")")
      .option("dtype", "TYPE", "fp16 (default) or bf16")
      .option("sm-count", "N", "SMs of the GPU the launches are sized for (default 132)");
  if (!a.parse(argv)) return 0;
  for (const char* opt : {"model", "phase"})
    if (!a.has(opt)) throw usage_error(std::string("trace gen model: --") + opt + " is required");
  if (a.has("layers") && u64_arg(a, "layers", 0) == 0)
    throw usage_error("trace gen model: --layers must be >= 1");
  StepOptions o;
  o.model = a.get("model");
  o.phase = a.get("phase");
  if (a.has("tokens")) o.tokens = u64_arg(a, "tokens", 0);
  o.context = u64_arg(a, "context", 0);
  o.batch = u64_arg(a, "batch", 1);
  o.layers = u64_arg(a, "layers", 0);
  o.attention = a.get("attention", "");
  o.lm_head = !a.has("no-lm-head");
  o.dtype = a.get("dtype", "");
  o.ops = a.get("ops", "");
  const auto sms = u64_arg(a, "sm-count", o.sm_count);
  if (sms == 0 || sms > 4096) throw usage_error("trace gen model: --sm-count must be 1..4096");
  o.sm_count = static_cast<std::uint32_t>(sms);
  const TransformerStep s = transformer_step_from(o);
  const std::string phase = o.phase;
  const std::size_t n = write_transformer_step(a.get("out"), s);
  std::cerr << "wrote " << n << " launches of one " << phase << " step of " << s.model.name
            << " to " << a.get("out") << "\n";
  return 0;
}

int trace_gen_cmd(const Argv& argv) {
  Args a("trace gen", "<sequential|random|conflict|bundled|kernel|model> <out> [options]",
         "Writes a synthetic access trace (.atrace, zstd). 'bundled' rewrites every trace of\n"
         "workloads/traces/ into the folder <out>. 'kernel' generates, on the CPU, the accesses\n"
         "the capture build of a reference kernel (reference/kernels/) would record: one record\n"
         "per 32-byte sector per warp access, per CTA and warp in program order, and the warps'\n"
         "instruction mix (version-2 compute, commit, wait, barrier records; --memory-only leaves\n"
         "it out); CTAs in waves of --wave-ctas; timestamps and SM ids are not modelled (0).\n"
         "Either from launches in an op trace:\n"
         "  accsim trace gen kernel out.atrace --op-trace capture.optrace.jsonl [--record 2]\n"
         "or for any shape, with the reference host code's launch configuration:\n"
         "  accsim trace gen kernel out.atrace --kernel gemm --shape M=512,N=1024,K=256\n"
         "Ops and shape keys: gemm M,N,K[,batch]; gemv M,K; softmax, layernorm rows,cols;\n"
         "gelu, add n; sdpa_flash, sdpa_naive B,H,N,d (--causal); decode B,H,L,d[,splits].\n"
         "'model' writes a transformer step as an op trace (its own options: trace gen model\n"
         "--help). See workloads/README.md, \"Kernel access generator\".");
  a.positional("kind", "sequential, random, conflict, bundled or kernel")
      .positional("out", "output file (folder for 'bundled')")
      .option("count", "N", "accesses (default 1024)")
      .option("base", "SIZE", "first address (default 0B)")
      .option("size", "SIZE", "bytes per access (default 64B)")
      .option("write-fraction", "F", "fraction of stores, 0..1 (default 0)")
      .option("span", "SIZE", "random: address span (default 1GiB)")
      .option("row-stride", "SIZE", "conflict: bytes between rows (default 2MiB)")
      .option("rows", "N", "conflict: rows cycled through (default 256)")
      .option("seed", "N", "random seed (default 1)")
      .option("interval-ns", "N", "timestamp step per access (default 0: untimed)")
      .option("op-trace", "FILE", "kernel: generate the launches of this op trace")
      .option("record", "I", "kernel: only record I (0-based) of --op-trace")
      .option("kernel", "OP", "kernel: generate for a shape: " + kernel_op_names())
      .option("shape", "K=V,...", "kernel: the shape, e.g. M=512,N=1024,K=256 (K/M/G suffixes)")
      .option("dtype", "TYPE", "kernel: fp16 (default), bf16 or fp32 (memory-bound ops)")
      .flag("causal", "kernel: causal attention (sdpa_flash, sdpa_naive)")
      .option("sm-count", "N", "kernel: SMs of the GPU the launch is sized for (default 132)")
      .option("cta-sample", "S", "kernel: keep CTAs whose linear id % S == 0 (default 1)")
      .option("compression", "none|zstd", "kernel: compression of the output (default zstd)")
      .flag("memory-only", "kernel: memory records only, no instruction mix (a version-1 file)")
      .option("wave-ctas", "N", "kernel: CTAs interleaved per wave in the file (default 264)")
      .option("write-op-trace", "FILE", "kernel: also write the launches as an op trace");
  if (!argv.empty() && argv[0] == "model")
    return trace_gen_model_cmd(Argv(argv.begin() + 1, argv.end()));
  if (!a.parse(argv)) return 0;
  if (a.get("kind") == "kernel") return trace_gen_kernel(a);
  for (const char* opt :
       {"op-trace", "record", "kernel", "shape", "dtype", "causal", "sm-count", "cta-sample",
        "compression", "write-op-trace", "memory-only", "wave-ctas"})
    if (a.has(opt))
      throw usage_error(std::string("trace gen: --") + opt + " applies to kind 'kernel' only");
  if (a.get("kind") == "bundled") {
    write_bundled_traces(a.get("out"));
    std::cerr << "wrote " << bundled_traces().size() << " bundled traces to " << a.get("out")
              << "\n";
    return 0;
  }
  auto pat = parse_access_pattern(a.get("kind"));
  if (!pat)
    throw usage_error("trace gen: unknown kind '" + a.get("kind") +
                      "'; expected sequential, random, conflict, bundled, kernel or model");
  PatternParams p;
  p.pattern = *pat;
  p.count = u64_arg(a, "count", p.count, 1, kMaxPatternRecords);
  // Sizes arrive as doubles: bounded to 2^53 bytes, where every byte count is exact.
  constexpr std::uint64_t kExact = std::uint64_t{1} << 53;
  p.base = size_arg(a, "base", 0, 0, kExact);
  p.size = static_cast<std::uint32_t>(size_arg(a, "size", p.size, 1, kMaxRecordSize));
  p.write_fraction = quantity_arg(a, "write-fraction", Unit::kNone, 0);
  p.span = size_arg(a, "span", p.span, 1, kExact);
  p.row_stride = size_arg(a, "row-stride", p.row_stride, 1, kExact);
  p.rows = static_cast<std::uint32_t>(u64_arg(a, "rows", p.rows, 1, 0xffffffffull));
  p.seed = u64_arg(a, "seed", p.seed);
  p.interval_ns = u64_arg(a, "interval-ns", 0);
  check_pattern(p);
  // Long runs (16 M records and more) say how far they are, about every tenth, on stderr.
  std::uint64_t next_tenth = p.count / 10;
  const auto progress = [&](std::uint64_t done) {
    if (p.count < (1u << 24) || done < next_tenth) return;
    std::cerr << "trace gen: " << done << " of " << p.count << " records (" << 100 * done / p.count
              << " %)\n";
    next_tenth += p.count / 10;
  };
  std::uint64_t n = write_pattern_trace(a.get("out"), p, {}, progress);
  std::cerr << "wrote " << n << " records to " << a.get("out") << "\n";
  return 0;
}

}  // namespace

int cmd_trace(const Argv& argv) {
  const char* usage = "usage: accsim trace <info|dump|convert|gen> ... (each takes --help)\n";
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << usage;
    return argv.empty() ? 2 : 0;
  }
  Argv rest(argv.begin() + 1, argv.end());
  if (argv[0] == "info") return trace_info_cmd(rest);
  if (argv[0] == "dump") return trace_dump_cmd(rest);
  if (argv[0] == "convert") return trace_convert_cmd(rest);
  if (argv[0] == "gen") return trace_gen_cmd(rest);
  throw usage_error("trace: unknown subcommand '" + argv[0] +
                    "'; expected info, dump, convert "
                    "or gen");
}

}  // namespace accsim::cli
