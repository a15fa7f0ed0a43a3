#include "reference/host/cli.h"

#include <fmt/format.h>

#include <charconv>

namespace accsim::ref {
namespace {

const char* const kCommands[] = {"list",    "info",    "check",     "time",
                                 "capture", "profile", "mix-table", "plan"};

template <class T>
T number(const std::string& flag, const std::string& v, T lo, T hi) {
  T out{};
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < lo || out > hi)
    throw UsageError(fmt::format("{}: '{}' is not a number in {}..{}", flag, v, lo, hi));
  return out;
}

}  // namespace

std::string usage() {
  return R"(usage: accsim_ref <command> [options]

commands:
  list      print the selected cases (no GPU needed)
  info      describe the GPU (name, SMs, clocks, driver) as JSON
  check     run each case once on fresh random inputs; compare with the fp64 references
  time      time each case with CUDA events (warm-up, repetitions, L2 flushed between them)
  capture   run the capture build of each case tagged 'capture'; write access traces + op trace
  profile   run each case once, for Nsight Compute; write the launch log
  mix-table print the instruction-mix table of workloads/trace/kernel_mix.h per kernel
            instantiation, as JSON (--out FILE; no GPU, no cases; read by scripts/mix_check.py)
  plan      write the launches of one transformer step (--step "LINE") as an op trace, as the
            launchers would size them on --step's sm_count SMs (--out FILE; no GPU, no cases)

options:
  --shapes FILE      study list (reference/shapes.txt)
  --case "LINE"      a case in study-list syntax, e.g. --case "gemm M=512 N=768 K=768" (repeatable)
  --step "LINE"      plan: prefill|decode, then d_model= heads= d_ff= vocab= (required) and
                     layers= batch= tokens= context= attention=flash|naive lm_head=0|1
                     dtype=f16|bf16 sm_count= (defaults 1 1 0 0 flash 1 f16 132), e.g.
                     --step "decode d_model=768 heads=12 d_ff=3072 vocab=50257 context=127"
  --filter TEXT      keep cases whose id contains TEXT (repeatable: any of them)
  --tag TAG          keep cases tagged TAG (repeatable: all of them)
  --seed N           input seed (default: a fresh one, printed and recorded)
  --out FILE         output file (check: JSON lines, time: JSON lines, info: JSON, profile: TSV)
  --out-dir DIR      capture: folder for the .atrace files and the op trace
  --optrace FILE     time: op trace with the measured time of every launch
  --reps N           timed repetitions (default 20)
  --warmup N         untimed runs before them (default 3)
  --no-flush         do not flush the L2 between repetitions
  --max-records N    capture buffer, in 32-byte records (default 4194304)
  --sample S         capture only CTAs whose linear id % S == 0 (overrides the study list)
  --all              capture every selected case, not only those tagged 'capture'
  --mac-budget X     fp64 multiply-adds per check before rows are sampled (default 4e8)
  --threads N        host threads for the references (default: all)
  --deadline SEC     start no new case after SEC seconds (the rest is reported as skipped)
  --quiet            print failures and the summary only

exit codes: 0 ok, 1 a check failed or a case could not run, 2 usage, 4 bad study list,
            6 CUDA error, 7 no CUDA device
)";
}

Options parse_args(const std::vector<std::string>& args) {
  Options o;
  if (args.empty()) throw UsageError("missing command\n" + usage());
  o.command = args[0];
  bool known = false;
  for (const char* c : kCommands) known = known || o.command == c;
  if (!known) throw UsageError(fmt::format("unknown command '{}'\n{}", o.command, usage()));
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--shapes")
      o.shapes = value();
    else if (a == "--case")
      o.case_lines.push_back(value());
    else if (a == "--step")
      o.step = value();
    else if (a == "--filter")
      o.filters.push_back(value());
    else if (a == "--tag")
      o.tags.push_back(value());
    else if (a == "--seed")
      o.seed = number<std::uint64_t>(a, value(), 0, ~std::uint64_t{0});
    else if (a == "--out")
      o.out = value();
    else if (a == "--out-dir")
      o.out_dir = value();
    else if (a == "--optrace")
      o.optrace = value();
    else if (a == "--reps")
      o.reps = number<int>(a, value(), 1, 100000);
    else if (a == "--warmup")
      o.warmup = number<int>(a, value(), 0, 1000);
    else if (a == "--no-flush")
      o.flush = false;
    else if (a == "--max-records")
      o.max_records = number<std::uint64_t>(a, value(), 1, std::uint64_t{1} << 32);
    else if (a == "--sample")
      o.sample = number<std::uint32_t>(a, value(), 1, 1u << 30);
    else if (a == "--all")
      o.all = true;
    else if (a == "--mac-budget")
      o.mac_budget = number<double>(a, value(), 1e3, 1e13);
    else if (a == "--threads")
      o.threads = number<unsigned>(a, value(), 0, 4096);
    else if (a == "--deadline")
      o.deadline_s = number<double>(a, value(), 0, 1e7);
    else if (a == "--quiet")
      o.quiet = true;
    else if (a == "-h" || a == "--help")
      throw UsageError(usage());
    else
      throw UsageError(fmt::format("unknown option '{}' (see accsim_ref --help)", a));
  }
  if (o.command == "plan") {
    if (o.step.empty()) throw UsageError("plan needs --step \"LINE\"");
    if (o.out.empty()) throw UsageError("plan needs --out FILE");
    if (!o.shapes.empty() || !o.case_lines.empty())
      throw UsageError("plan takes --step, not --shapes or --case");
    return o;
  }
  if (!o.step.empty()) throw UsageError("--step goes with the plan command");
  if (o.shapes.empty() && o.case_lines.empty() && o.command != "info" && o.command != "mix-table")
    throw UsageError("no cases: give --shapes FILE and/or --case \"LINE\"");
  if (o.command == "capture" && o.out_dir.empty()) throw UsageError("capture needs --out-dir DIR");
  return o;
}

std::vector<Case> select_cases(const Options& o) {
  std::vector<Case> all;
  if (!o.shapes.empty()) all = load_cases(o.shapes);
  for (std::size_t i = 0; i < o.case_lines.size(); ++i) {
    for (auto& c : parse_case_line(o.case_lines[i], fmt::format("--case #{}", i + 1))) {
      validate_case(c);
      all.push_back(std::move(c));
    }
  }
  std::vector<Case> out;
  for (auto& c : all) {
    bool keep = o.filters.empty();
    for (const auto& f : o.filters) keep = keep || c.id().find(f) != std::string::npos;
    for (const auto& t : o.tags) keep = keep && c.has_tag(t);
    if (keep) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace accsim::ref
