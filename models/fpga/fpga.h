#pragma once
// The FPGA target: transformer layers compiled to a pipeline of layer engines the way hls4ml
// builds them (hls4ml transformer papers, arXiv 2402.01047 and 2409.05207). Each engine's
// initiation interval and pipeline depth follow from its shape, reuse factor, ap_fixed precision
// and strategy by the formulas of README.md "Engines"; its resources by README.md "Resources".
//
// Simulation (README.md "Timing"): event-driven max-plus, no per-cycle ticking. Every element
// carries the cycle it is written; every engine keeps its own time. A firing of an engine
//   starts at  s_k = max(s_{k-1} + II + stall_{k-1}, ready(inputs it pops)),
//   writes at  w_k = max(s_k + depth, free(slot of each output FIFO)),  stall_k = w_k - s_k - depth
// where an output slot is free when the consumer popped (started on) the element `capacity`
// places earlier. io_parallel moves one element per event (the whole tensor, layer-level
// dataflow); io_stream moves one element per row. A run that cannot progress is a deadlock,
// reported with the blocked engines and the full / empty FIFOs.
// Values are computed in fixed point (ap_fixed<W,I>, AP_TRN/AP_WRAP by default, as hls4ml).
// Plain C++: no SystemC inside (SystemC only at module boundaries; engines are plain classes).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hw/fpga_spec.h"
#include "sim/core/config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "sim/core/units.h"

namespace accsim::fpga {

// ---------------------------------------------------------------------------------------------
// Fixed point (Vivado HLS ap_fixed semantics; README.md "Fixed point")

enum class Rounding { kTrn, kRnd };   // AP_TRN (toward -inf, hls4ml default), AP_RND (half up)
enum class Overflow { kWrap, kSat };  // AP_WRAP (hls4ml default), AP_SAT

struct FixedType {
  int width = 16;
  int integer = 6;  // bits left of the binary point, sign included (ap_fixed<W,I>)
  bool is_signed = true;
  Rounding rounding = Rounding::kTrn;
  Overflow overflow = Overflow::kWrap;
  double lsb() const;
  // The representable value nearest to `x` under this type's rounding and overflow modes.
  double quantize(double x) const;
  std::string str() const;  // "ap_fixed<16,6>" or "ap_fixed<16,6,AP_RND,AP_SAT>"
  bool operator==(const FixedType&) const = default;
};
// The one quantizer of the FPGA model: FixedType::quantize with the type's constants computed
// once, for the hot loops (dense rows), which inline operator(). fixed_test.cpp and
// values_test.cpp hold it to the host reference.
class Quantizer {
 public:
  explicit Quantizer(const FixedType& t);
  double operator()(double x) const {
    const double q = trn_ ? fast_floor(x * scale_) : fast_floor(x * scale_ + 0.5);
    if (q >= lo_ && q <= hi_) return q * inv_;
    if (std::isnan(q)) return 0.0;
    if (sat_ || std::isinf(q)) return std::min(std::max(q, lo_), hi_) * inv_;
    return (q - std::floor((q - lo_) / span_) * span_) * inv_;  // two's complement wrap-around
  }

 private:
  // floor without a library call (the default x86-64 target has no SSE4.1 round instruction).
  static double fast_floor(double v) {
    if (!(v > -4e18 && v < 4e18)) return std::floor(v);
    const double t = static_cast<double>(static_cast<std::int64_t>(v));
    return t > v ? t - 1.0 : t;
  }
  double scale_, inv_, lo_, hi_, span_;
  bool trn_, sat_;
};

// Parses "ap_fixed<16,6>", "ap_ufixed<8,0>", "ap_fixed<18,8,AP_RND,AP_SAT>", "ap_int<8>".
std::optional<FixedType> parse_fixed(std::string_view text, std::string* why = nullptr);

// ---------------------------------------------------------------------------------------------
// Model descriptions (README.md "Model files")

enum class LayerKind {
  kInput,
  kDense,
  kMha,
  kSoftmax,
  kLayerNorm,
  kRelu,
  kGelu,
  kAdd,
  kPool,
  kFlatten
};
enum class IoType { kParallel, kStream };
enum class Strategy { kLatency, kResource };
std::string_view kind_name(LayerKind k);
std::vector<std::string> kind_names();
std::string_view io_name(IoType t);
std::string_view strategy_name(Strategy s);

struct LayerDesc {
  std::string name;
  LayerKind kind = LayerKind::kDense;
  std::vector<std::string> inputs;       // producing layers (empty for the input)
  std::int64_t rows = 0, cols = 0;       // output shape (the input layer: given; others: derived)
  std::int64_t units = 0;                // dense: outputs per row
  std::int64_t heads = 0, head_dim = 0;  // mha
  int reuse = 1;                         // reuse factor
  // io_parallel: rows computed at once (hls4ml's ParallelizationFactor, the n_pixels of its
  // pointwise-conv dense, for dense, softmax, layernorm; the whole tensor for activations, add,
  // pool, which hls4ml unrolls completely). io_stream: 1.
  std::int64_t parallel = 1;
  Strategy strategy = Strategy::kLatency;
  FixedType precision, weight, accum, table;  // result, weights/biases, accumulator, tables
  std::int64_t table_size = 1024;             // softmax exp/inverse, gelu, layernorm 1/sqrt tables
  double table_range = 8.0;                   // exp table covers [-range, 0]; gelu [-range, range)
  std::int64_t fifo_depth = 0;  // io_stream: depth of this layer's output FIFOs (0 = model's)
  SourceLoc where;              // the layer's entry in the file
  SourceLoc reuse_where;        // the reuse_factor key (or `where`)
  SourceLoc parallel_where;     // the parallelization_factor key (or `where`)
};

struct ModelDesc {
  std::string name;
  std::string file;
  IoType io = IoType::kParallel;
  std::int64_t fifo_depth = 0;  // io_stream default FIFO depth; 0 = rows of the tensor (hls4ml)
  std::uint64_t seed = 1;       // weights and input events
  std::vector<LayerDesc> layers;
  SourceLoc where;
  int index_of(std::string_view layer) const;  // -1 if none
};

// Loads a model: a mapping with `model:` (name, io_type, strategy, reuse_factor, precision ...
// defaults) and `layers:` (list). Shapes are derived and checked; errors name file:line:col.
ModelDesc load_model(const YAML::Node& root, const config::Origin& origin);
ModelDesc load_model_file(const std::string& path);

// ---------------------------------------------------------------------------------------------
// Engines (README.md "Engines"): pipeline timing derived from shape, reuse, precision, strategy

struct EngineTiming {
  bool buffering = false;  // loads every input row of an event before its first output (mha, pool)
  int load_ii = 1;         // buffering: cycles between row loads
  int load_depth = 0;      // buffering: last load start -> buffered data complete
  int row_ii = 1;          // cycles between output rows
  int row_depth = 0;       // firing start -> output row written
  // Buffering engines built of several dataflow stages (mha): the first loads of consecutive
  // events are at least `event_gap` apart, and the first output row of an event starts at least
  // `rows_gap` cycles after the row slot following the previous event's last row. Others: 0.
  std::int64_t event_gap = 0, rows_gap = 0;
  bool double_buffer = true;  // buffering: loads of event e+2 wait for e's last output row
  // io_parallel figures of the whole layer per event.
  std::int64_t layer_ii = 1;
  std::int64_t layer_latency = 0;
};
EngineTiming engine_timing(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& spec);

// Multiplier mapping (README.md "Resources"): DSPs for a wa x wb multiply (0 = LUTs).
int dsp_per_mult(int wa, int wb, const hw::FpgaSpec& spec);

struct Resources {
  double dsp = 0, bram36 = 0, uram = 0, lut = 0, ff = 0;
  Resources& operator+=(const Resources& o) {
    dsp += o.dsp, bram36 += o.bram36, uram += o.uram, lut += o.lut, ff += o.ff;
    return *this;
  }
};
struct LayerResources {
  Resources r;
  std::int64_t multipliers = 0;      // parallel multipliers instantiated
  std::int64_t dsp_multipliers = 0;  // of which on DSPs
  std::vector<std::string> notes;    // where weights, tables, buffers went
};
LayerResources layer_resources(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& spec);
// A FIFO of `depth` elements of `bits` each: SRL (LUTs) when shallow, else BRAM.
Resources fifo_resources(std::int64_t depth, std::int64_t bits);

// Arithmetic per event (for energy): multiplies by operand widths, adds, table reads.
struct OpCounts {
  double mults = 0, mult_j = 0;  // count and energy (J) at the layer's widths
  double adds = 0, add_j = 0;
  double table_bits = 0;  // bits read from tables / BRAM
};
OpCounts layer_ops_per_event(const ModelDesc& m, const LayerDesc& l, const hw::FpgaSpec& spec);

// ---------------------------------------------------------------------------------------------
// Simulation

struct StreamParams {
  std::int64_t events = 100;
  double interval_cycles = 0;    // between event arrivals; 0 = back-to-back (as fast as accepted)
  std::int64_t fifo_depth = -1;  // overrides every FIFO of io_stream (-1 = model's)
  std::map<std::string, std::int64_t> fifo_depths;  // per FIFO name (after fifo_depth)
  bool unbounded = false;      // every FIFO but the input's unbounded (for the minimum depths)
  bool compute_values = true;  // false: timing only (benchmark)
};

struct LayerReport {
  std::string name;
  LayerKind kind;
  std::int64_t rows = 0, cols = 0;
  int reuse = 1;
  std::int64_t parallel = 1;  // io_parallel rows per firing (LayerDesc::parallel)
  EngineTiming timing;
  std::uint64_t firings = 0;
  std::uint64_t stall_cycles = 0;   // back-pressure: writes delayed by a full output FIFO
  std::uint64_t starve_cycles = 0;  // waiting for input data beyond its own II
  Cycle first_start = -1, last_write = -1;
  bool finished = false;
  LayerResources res;
  OpCounts ops_per_event;
};

struct FifoReport {
  std::string name, from, to;
  std::int64_t capacity = 0;  // 0 = unbounded
  std::int64_t element_bits = 0;
  std::int64_t elements_per_event = 0;
  std::uint64_t transfers = 0;
  std::int64_t peak = 0;             // peak occupancy (elements written, not yet popped)
  std::int64_t min_depth = 0;        // smallest depth with no stall (filled by run_model)
  std::uint64_t delayed_writes = 0;  // writes that waited for a slot
  std::int64_t occupancy_at_end = 0;
};

struct Blocked {
  std::string layer;
  bool waits_for_data = true;  // else waits for room
  std::string fifo;
  std::int64_t event = 0;
};
struct DeadlockReport {
  std::vector<Blocked> blocked;
  std::vector<std::string> full_fifos, empty_fifos;
  std::string text() const;
};

struct FpgaResult {
  std::string model;
  IoType io = IoType::kParallel;
  double clock_hz = 0;
  std::int64_t events_done = 0;
  std::vector<Cycle> arrival, done;  // per event: first input row accepted, last output written
  Distribution latency;              // cycles, per event
  Cycle first_latency = 0;           // of event 0 (empty pipeline)
  double ii_cycles = 0;              // sustained: mean cycles between outputs of the 2nd half
  double events_per_s = 0;
  Cycle total_cycles = 0;
  std::uint64_t source_wait_cycles = 0;  // events accepted later than they arrived
  std::vector<LayerReport> layers;
  std::vector<FifoReport> fifos;
  Resources total;
  bool fits = true;
  std::vector<std::string> over;  // "DSP 15000 > 12288" ...
  double dynamic_pj = 0, static_pj = 0;
  std::optional<DeadlockReport> deadlock;
  std::vector<double> last_output;  // values of the last event's output tensor
  bool deadlocked() const { return deadlock.has_value(); }
  std::string stall_summary() const;  // "no stall", "stalls: layer a (x cycles) ..."
  const LayerReport& layer(std::string_view name) const;
  const FifoReport& fifo(std::string_view name) const;
};

// Builds and runs the pipeline once with the given FIFO settings. Does not fill min_depth.
FpgaResult simulate(const ModelDesc& m, const hw::FpgaSpec& spec, const StreamParams& p);

// The full run of the target: a first simulation with unbounded FIFOs at the sustainable rate
// gives each FIFO's minimum depth for no stall; then the real run; resources checked against the
// part (a design that does not fit is a config error naming the part and the largest layers,
// unless `allow_overfit`); energy priced into `energy` and figures into `stats`.
FpgaResult run_model(const ModelDesc& m, const hw::FpgaSpec& spec, const StreamParams& p,
                     StatsRegistry& stats, EnergyLedger& energy, bool allow_overfit = false,
                     const SourceLoc& part_where = {});

// Input events and weights are generated from the model's seed; these expose them for the
// host-reference tests.
std::vector<double> input_event(const ModelDesc& m, std::int64_t event);
std::vector<double> layer_weights(const ModelDesc& m, int layer_index, std::int64_t count,
                                  const FixedType& t, double fan_in);

// ---------------------------------------------------------------------------------------------
// The bundled study (configs/fpga/jet_tagger_study.yaml; README.md "Validation")
struct StudyResult {
  std::string table;  // markdown
  bool claims_hold = false;
  std::vector<std::string> failed_claims;
};
StudyResult run_study(const std::string& path);

}  // namespace accsim::fpga
