#pragma once
// The streaming-dataflow target: units that compute on fp32 streams, connected by timed bounded
// channels, simulated the way the Dataflow Abstract Machine (DAM) does it (Sohn, Zhang, Olukotun,
// arXiv 2404.16629): every unit keeps its own local time, every element carries the
// cycle at which it becomes receivable, and nothing ticks per cycle. The engine runs whichever
// unit can make progress; the cycle counts equal those of a cycle-stepped model
// (tests/unit/dataflow/reference_sim.h proves it on several graphs).
//
// Timing rules (exact; README.md "Timing"):
//   * firing k of a unit happens at
//       f_k = max(f_{k-1} + II, ready(inputs it pops), free(slots of the outputs it pushes));
//   * an output pushed at f_k is computed at c_k = f_k + depth (memory units: when the memory
//     delivers) and is receivable at c_k + channel latency, never earlier;
//   * the result occupies its slot from f_k on (DAM semantics: a unit issues only when every
//     output it will write has room, so in-flight pipeline results count against the capacity);
//   * a slot freed by a receive at cycle r may be reused by a send at r + credit_latency.
// Plain C++: no SystemC inside (SystemC only at module boundaries; engines are plain classes).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hw/dataflow_spec.h"
#include "sim/core/config.h"
#include "sim/core/energy.h"
#include "sim/core/stats.h"
#include "sim/core/units.h"

namespace accsim::hw {
struct DramSpec;
}
namespace accsim::dram {
struct ControllerConfig;
}

namespace accsim::dataflow {

// ---------------------------------------------------------------------------------------------
// Memory: tensors hold the values, MemoryPort the timing.

// A dense fp32 tensor of `blocks` x `rows` x `cols` (blocks = batch x heads).
struct Tensor {
  std::string name;
  std::int64_t blocks = 1, rows = 0, cols = 0;
  std::uint64_t base_addr = 0;  // byte address in the simulated memory
  std::vector<float> data;
  float* row(std::int64_t block, std::int64_t r) { return data.data() + (block * rows + r) * cols; }
  const float* row(std::int64_t block, std::int64_t r) const {
    return data.data() + (block * rows + r) * cols;
  }
  std::uint64_t addr(std::int64_t block, std::int64_t r) const {
    return base_addr + static_cast<std::uint64_t>((block * rows + r) * cols) * 4u;
  }
  std::uint64_t bytes() const { return data.size() * 4u; }
};

class TensorStore {
 public:
  // Allocates a zero tensor at the next 4 KiB-aligned address. Names are unique.
  Tensor& add(const std::string& name, std::int64_t blocks, std::int64_t rows, std::int64_t cols);
  Tensor* find(const std::string& name);
  Tensor& get(const std::string& name);  // throws an internal error if absent
  const std::vector<std::unique_ptr<Tensor>>& all() const { return tensors_; }

 private:
  std::vector<std::unique_ptr<Tensor>> tensors_;
  std::uint64_t next_addr_ = 0;
};

// Fills with uniform values in [lo, hi) from a 64-bit seed; the same on every platform.
void fill_uniform(Tensor& t, std::uint64_t seed, float lo, float hi);

struct MemPortStats {
  std::uint64_t reads = 0, writes = 0, bytes_read = 0, bytes_written = 0;
  Cycle last_done = 0;  // cycle the last access completed
};

// The timing of one memory port. A memory unit calls it once per element, in non-decreasing
// `issue` order. Different ports may be called out of time order relative to each other (each
// unit runs ahead in its own local time), so a backend shared between ports (SharedMemory, the
// DRAM of models/dram/backend.h) answers kPending and orders requests by `issue` itself; see
// README.md "Memory".
class MemoryPort {
 public:
  // The answer of a port of a SharedMemory: the completion is delivered later, through
  // SharedMemory::resolve / advance, as (port id, ticket, cycle).
  static constexpr Cycle kPending = INT64_MAX;
  virtual ~MemoryPort() = default;
  // Returns the cycle at which the data of a read issued at `issue` is available, or kPending.
  virtual Cycle read(std::uint64_t addr, std::uint32_t bytes, Cycle issue) = 0;
  // Returns the cycle at which a write issued at `issue` is complete, or kPending.
  virtual Cycle write(std::uint64_t addr, std::uint32_t bytes, Cycle issue) = 0;
  const MemPortStats& stats() const { return stats_; }
  // Shared ports: the id resolutions name (-1 = answers at once). A request's ticket is the
  // number of requests this port received before it (reads and writes together).
  int shared_id() const { return shared_id_; }

 protected:
  MemPortStats stats_;
  int shared_id_ = -1;
};

// A memory shared by several ports that must see their requests in time order. Its ports answer
// kPending; the timing is decided here, in issue order over all ports, never in the order the
// engine happens to run the units. Two ways to drive it:
//   * resolve(): the event-driven engine calls it when no unit can make progress. Then every
//     request still to come will be issued at or after the earliest completion of the pending
//     reads (every unit waits, directly or through channels, for pending data), so the memory
//     may run forward until it knows the next read's completion.
//   * advance(c): a time-ordered caller (the cycle-stepped reference) promises that every
//     request issued at or before cycle c has been made.
class SharedMemory {
 public:
  struct Resolved {
    int port = -1;
    std::uint64_t ticket = 0;
    Cycle done = 0;  // cycle of this clock at which the data is there / the write is complete
    bool is_write = false;
  };
  virtual ~SharedMemory() = default;
  // A new port; `owner` names it in errors and statistics.
  virtual std::unique_ptr<MemoryPort> make_port(const std::string& owner) = 0;
  // Requests made and not yet resolved.
  virtual std::size_t pending() const = 0;
  // Resolves requests in completion order until at least one read is resolved (or, with no read
  // pending, all writes); appends them to `out`.
  virtual void resolve(std::vector<Resolved>& out) = 0;
  // Every request issued at or before cycle `c` has been made: resolves what that determines.
  virtual void advance(Cycle c, std::vector<Resolved>& out) = 0;
  // After the run (nothing pending): closes statistics and energy at `end` (cycles of this
  // clock) and writes the energy into the ledger.
  virtual void finish(Cycle end, EnergyLedger& energy) = 0;
  // Energy it wrote into the ledger (pJ) and a one-line description for reports.
  virtual double energy_pj() const = 0;
  virtual std::string describe() const = 0;
};

// A port of given bandwidth (bytes per cycle, may be fractional) and latency: a request starts
// when the port is free, occupies it for bytes / bandwidth cycles, and its data is available at
// ceil(end of transfer) - 1 + latency (so a request that fits in one cycle takes `latency`).
class IdealMemoryPort final : public MemoryPort {
 public:
  IdealMemoryPort(double bytes_per_cycle, int latency);
  Cycle read(std::uint64_t addr, std::uint32_t bytes, Cycle issue) override;
  Cycle write(std::uint64_t addr, std::uint32_t bytes, Cycle issue) override;

 private:
  Cycle access(std::uint32_t bytes, Cycle issue);
  double bytes_per_cycle_;
  int latency_;
  double busy_until_ = 0;  // fractional cycle at which the port finishes its last transfer
};

// The DRAM model (models/dram/backend.h, its plain-C++ DramBackend) as the memory of a graph: one
// DRAM shared by every port, clocked by its own tCK. A request issued at dataflow cycle t
// arrives at DRAM cycle floor(t * P / tCK) + 1 (P = the dataflow clock period, integer ps; the
// link takes >= 1 DRAM cycle, as in DramSystem); data done at DRAM cycle D is there at dataflow
// cycle ceil(D * tCK / P). Statistics go to `stats_name` and `stats_name`.chN, energy to the
// ledger component `stats_name`. Throws config errors for a bad controller config.
std::shared_ptr<SharedMemory> make_dram_memory(const hw::DramSpec& dram,
                                               const dram::ControllerConfig& ctrl,
                                               const hw::DataflowSpec& spec, StatsRegistry& stats,
                                               const std::string& stats_name = "dram");

// ---------------------------------------------------------------------------------------------
// Units

enum class UnitKind {
  kMap,         // elementwise: add, sub, mul, div, max (two inputs), exp, scale, copy (one)
  kReduce,      // row max / row sum over `length` elements (and over the lanes of each)
  kScan,        // running max / sum per row, or the online-softmax step (delta, c)
  kDot,         // dot products of a row vector with `lanes` matrix rows (QK^T)
  kAccumulate,  // weighted (optionally rescaled) sum of vectors over a row (xV, running sums)
  kBroadcast,   // fan-out: copies every element to each of its outputs
  kRepeat,      // emits every input element `times` times
  kMemRead,     // streams a tensor from memory
  kMemWrite,    // streams into a tensor in memory
  kSource,      // C++ generator (tests)
  kSink,        // C++ checker: records values and arrival cycles (tests)
};
std::string_view kind_name(UnitKind k);
std::vector<std::string> kind_names();  // for errors and docs

enum class Op { kAdd, kSub, kMul, kDiv, kMax, kExp, kScale, kCopy, kSum, kOnlineMax };
std::string_view op_name(Op o);

// Arithmetic the unit performed (emitted as actions; the energy model prices them).
struct OpCounts {
  std::uint64_t add = 0, mul = 0, cmp = 0, exp = 0, div = 0;
  OpCounts& operator+=(const OpCounts& o) {
    add += o.add, mul += o.mul, cmp += o.cmp, exp += o.exp, div += o.div;
    return *this;
  }
};

struct PortDecl {
  std::string name;
  bool optional = false;  // may stay unconnected (accumulate: v, delta)
};

// What the next firing does: which inputs it pops and which outputs it pushes (bit i = port i).
// `done` = the unit has nothing more to do of its own accord (a source that is exhausted).
// Compute units are never `done` by themselves: they finish when an input they must pop is
// closed (its producer finished) and empty.
struct FirePlan {
  std::uint32_t pop = 0;
  std::uint32_t push = 0;
  bool done = false;
};

struct UnitParams;

class Unit {
 public:
  // `ii` >= 1; `depth` -1 = derived from the spec once the widths are known (Graph::finalize).
  Unit(std::string name, UnitKind kind, std::vector<PortDecl> inputs, std::vector<PortDecl> outputs,
       int ii, int depth);
  virtual ~Unit() = default;
  Unit(const Unit&) = delete;
  Unit& operator=(const Unit&) = delete;

  const std::string& name() const { return name_; }
  UnitKind kind() const { return kind_; }
  int ii() const { return ii_; }
  int depth() const { return depth_; }
  // Depth this unit would have from the spec's operation depths and its port widths.
  virtual int derived_depth(const hw::DataflowSpec& spec) const { return 0; }
  const std::vector<PortDecl>& inputs() const { return inputs_; }
  const std::vector<PortDecl>& outputs() const { return outputs_; }
  int input_index(std::string_view port) const;   // -1 if none
  int output_index(std::string_view port) const;  // -1 if none

  // Widths (fp32 values per element) of the connected ports; 0 = unconnected. Set by the graph.
  const std::vector<int>& in_widths() const { return in_w_; }
  const std::vector<int>& out_widths() const { return out_w_; }
  bool in_connected(int i) const { return in_w_[static_cast<std::size_t>(i)] > 0; }
  bool out_connected(int o) const { return out_w_[static_cast<std::size_t>(o)] > 0; }

  // Called once after all channels are connected: checks the port widths against the unit's
  // parameters. Returns an empty string if they fit, else what is wrong.
  virtual std::string check_widths() const = 0;

  virtual FirePlan plan() const = 0;
  // Performs the firing at cycle `t`: reads the popped inputs (in[i], width in_widths()[i]),
  // writes the pushed outputs, and returns the cycle its results are computed (t + depth, or
  // when the memory delivers). Only the ports in plan() are valid pointers.
  virtual Cycle fire(Cycle t, const float* const* in, float* const* out) = 0;
  // True when the unit stopped at a row boundary (a stream that ends mid-row is reported).
  virtual bool at_boundary() const { return true; }

  const OpCounts& ops() const { return ops_; }
  // Memory units expose their port for bandwidth figures.
  virtual const MemoryPort* memory_port() const { return nullptr; }

  // Engine bookkeeping: channel index per port (-1 = unconnected). Set by Graph::connect.
  std::vector<int> in_ch, out_ch;

 protected:
  OpCounts ops_;

 private:
  friend class Graph;
  std::string name_;
  UnitKind kind_;
  std::vector<PortDecl> inputs_, outputs_;
  std::vector<int> in_w_, out_w_;
  int ii_, depth_;
};

// Parameters a YAML or C++ description gives a unit. Fields not used by a kind are ignored by the
// builder (YAML rejects them: each kind has its own schema).
struct UnitParams {
  std::string name;
  UnitKind kind = UnitKind::kMap;
  Op op = Op::kCopy;
  int ii = 0;               // 0 = the spec's default
  int depth = -1;           // -1 = derived from the spec's operation depths
  std::int64_t length = 1;  // elements per row (reduce, scan, dot, accumulate)
  std::int64_t times = 1;   // repeat count
  int outputs = 2;          // broadcast fan-out
  double scale = 1.0;       // map scale / dot product scale
  // Memory units: tensor name and streaming pattern (see MemReadUnit).
  std::string tensor;
  std::int64_t rows_per_element = 1;
  std::int64_t repeat = 1;
  std::vector<std::int64_t> blocks;  // empty = all blocks of the tensor, in order
};

// Builds a unit. Memory units need the store and a port (owned by the graph).
std::unique_ptr<Unit> make_unit(const UnitParams& p, const hw::DataflowSpec& spec,
                                TensorStore* store, std::unique_ptr<MemoryPort> port);

// Test units: a generator of `count` elements of `width` values (gen(i, out)), optionally with
// its own II; a sink that records every element and the cycle it was received.
std::unique_ptr<Unit> make_source(const std::string& name, std::uint64_t count, int width,
                                  std::function<void(std::uint64_t, float*)> gen, int ii = 1);
struct SinkRecord {
  std::vector<float> values;      // concatenated elements
  std::vector<Cycle> receive_at;  // cycle of each receive
};
std::unique_ptr<Unit> make_sink(const std::string& name, std::shared_ptr<SinkRecord> record,
                                int ii = 1);

// ---------------------------------------------------------------------------------------------
// Channels and graphs

struct ChannelParams {
  std::uint32_t capacity = 16;  // elements
  Cycle latency = 1;            // >= 1
  Cycle credit_latency = 0;     // >= 0
  int width = 1;                // fp32 values per element (lanes x vector width)
  std::string name;             // "" = "<from>.<port>-><to>.<port>"
};

// Run-time state of a channel (the engine's; the reference simulator keeps its own).
struct Channel {
  ChannelParams p;
  int producer = -1, out_port = -1, consumer = -1, in_port = -1;
  // Ring of `capacity` slots.
  std::vector<Cycle> ready;          // cycle the element in the slot is receivable
  std::vector<Cycle> sent_at;        // cycle the element was sent (occupancy)
  std::vector<Cycle> free_at;        // cycle the slot is reusable (set on receive)
  std::vector<float> data;           // capacity x width
  std::uint32_t head = 0, tail = 0;  // next slot to receive / to send
  std::uint64_t sent = 0, received = 0;
  bool closed = false;  // producer finished: no more sends
  bool consumer_waiting = false, producer_waiting = false;
  // Occupancy: peak by merging sends with frees in time order; mean from the area.
  std::uint64_t occ_eval = 0, occ_free = 0;
  std::uint32_t occ_eval_slot = 0, occ_free_slot = 0;
  std::uint64_t peak = 0;
  double area = 0;  // sum over elements of (free - sent) cycles
  std::uint64_t bytes_per_element() const { return static_cast<std::uint64_t>(p.width) * 4u; }
};

class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  Unit& add(std::unique_ptr<Unit> u);  // names must be unique
  // Connects `from.out_port` to `to.in_port`. Throws an internal error on a bad port (the YAML
  // loader checks first and reports the place).
  Channel& connect(const std::string& from, const std::string& out_port, const std::string& to,
                   const std::string& in_port, ChannelParams p);
  // Every required port connected, widths fit. Returns the problems (empty = valid).
  std::vector<std::string> problems() const;
  // Resolves derived depths; throws a config error listing problems() if the graph is invalid.
  void finalize(const hw::DataflowSpec& spec);

  int unit_index(std::string_view name) const;  // -1 if none
  Unit& unit(std::string_view name);
  std::vector<std::unique_ptr<Unit>>& units() { return units_; }
  const std::vector<std::unique_ptr<Unit>>& units() const { return units_; }
  std::vector<std::unique_ptr<Channel>>& channels() { return channels_; }
  const std::vector<std::unique_ptr<Channel>>& channels() const { return channels_; }
  TensorStore& store() { return store_; }
  const TensorStore& store() const { return store_; }
  // The memory behind the memory units; null = an IdealMemoryPort per unit (dataflow.memory).
  std::shared_ptr<SharedMemory> memory;
  // A port for a memory unit: from `memory` if set, else null (make_unit then builds an ideal one).
  std::unique_ptr<MemoryPort> memory_port_for(const std::string& unit) {
    return memory ? memory->make_port(unit) : nullptr;
  }
  // Work elements (e.g. attention scores) the throughput figures count, and the peak rate.
  // The sustained rate is measured on `throughput_units` (each firing = work_per_firing).
  std::uint64_t work = 0;
  double peak_work_per_cycle = 1.0;
  std::string work_unit = "elements";
  std::vector<std::string> throughput_units;
  double work_per_firing = 1.0;

 private:
  std::string name_;
  std::vector<std::unique_ptr<Unit>> units_;
  std::vector<std::unique_ptr<Channel>> channels_;
  TensorStore store_;
};

// ---------------------------------------------------------------------------------------------
// Results

struct UnitReport {
  std::string name;
  UnitKind kind;
  int ii = 1, depth = 0;
  std::uint64_t firings = 0;
  Cycle first_fire = -1, last_fire = -1;
  std::uint64_t starved_cycles = 0;  // waiting for an input element to be receivable
  std::uint64_t blocked_cycles = 0;  // inputs ready, waiting for an output slot
  OpCounts ops;
  bool finished = false;
};

struct ChannelReport {
  std::string name;
  std::uint32_t capacity = 0;
  int width = 0;
  Cycle latency = 0;
  std::uint64_t transfers = 0;
  std::uint64_t peak_occupancy = 0;
  double mean_occupancy = 0;
  std::uint64_t unreceived = 0;  // elements still in the channel at the end
  std::uint64_t buffer_bytes() const { return std::uint64_t{capacity} * width * 4u; }
};

// Why a unit could not go on when nothing could make progress.
struct BlockedUnit {
  std::string unit;
  Cycle local_time = 0;        // cycle of its next firing, as far as known
  bool waits_for_data = true;  // else waits for room
  std::string channel;
  std::string port;
};
struct DeadlockReport {
  std::vector<BlockedUnit> blocked;
  std::vector<std::string> full_channels, empty_channels;
  std::string text() const;  // the human report
};

struct DataflowResult {
  std::string graph;
  double clock_hz = 0;
  Cycle total_cycles = 0;  // first firing at cycle 0 to the last result
  double time_s = 0;
  std::uint64_t element_transfers = 0;  // over all channels
  // Throughput of work elements (graph.work): overall = work / total cycles; sustained = the
  // throughput unit's firing rate between its first and last firing (fill and drain excluded).
  std::uint64_t work = 0;
  std::string work_unit;
  double peak_per_cycle = 0;
  double overall_per_cycle = 0, overall_fraction = 0;
  double sustained_per_cycle = 0, sustained_fraction = 0;
  std::vector<UnitReport> units;
  std::vector<ChannelReport> channels;
  std::uint64_t intermediate_bytes = 0;       // sum of channel buffers (capacity x width x 4 B)
  std::uint64_t peak_intermediate_bytes = 0;  // sum of channel peaks x element bytes
  std::uint64_t mem_bytes_read = 0, mem_bytes_written = 0;
  double mem_bandwidth_Bps = 0;  // (read + written) / time
  std::string memory = "ideal";  // what the memory units used: "ideal" or the shared memory
  double energy_pj = 0;          // the dataflow units' dynamic energy (account())
  double memory_energy_pj = 0;   // a shared memory's own energy (DRAM), 0 for the ideal memory
  std::optional<DeadlockReport> deadlock;
  std::vector<std::string> warnings;  // streams that ended mid-row, elements never received
  // Numerical check (SDPA): max |out - ref| / max |V| against the fp64 host reference.
  bool checked = false;
  double max_error = 0, tolerance = 0;
  bool output_ok = true;

  const UnitReport& unit(std::string_view name) const;
  const ChannelReport& channel(std::string_view name) const;
  bool deadlocked() const { return deadlock.has_value(); }
};

struct RunOptions {
  // Records every firing cycle per unit (tests compare it with the cycle-stepped reference).
  bool record_firings = false;
  std::vector<std::vector<Cycle>>* firings_out = nullptr;
};

// Runs the graph to completion or deadlock. Throws a config error if the graph is invalid.
DataflowResult run(Graph& g, const hw::DataflowSpec& spec, const RunOptions& opt = {});

// Prices the actions of a run (ops per unit kind, channel SRAM accesses, memory bits) into
// `energy` under component "<prefix>.<kind>" etc., and fills `stats` with the report's figures.
// Returns the dynamic energy in pJ (also stored in result.energy_pj).
double account(DataflowResult& result, const hw::DataflowSpec& spec, StatsRegistry& stats,
               EnergyLedger& energy, const std::string& prefix = "dataflow");

// ---------------------------------------------------------------------------------------------
// Graphs from YAML

// A graph file (README.md "Graph files"): tensors, units, channels. Errors name file:line:col.
// `spec` gives the default depths/latencies; the file may carry its own `dataflow:` section.
std::unique_ptr<Graph> load_graph(const YAML::Node& root, const config::Origin& origin,
                                  const hw::DataflowSpec& spec);
std::unique_ptr<Graph> load_graph_file(const std::string& path, const hw::DataflowSpec& spec);
// Loads (spec from the file's `dataflow:` section over `spec`), runs and accounts.
DataflowResult run_graph_file(const std::string& path, hw::DataflowSpec spec, StatsRegistry& stats,
                              EnergyLedger& energy);

// ---------------------------------------------------------------------------------------------
// SDPA

enum class SdpaGraph { kNaive, kReordered };
std::string_view graph_name(SdpaGraph g);

struct SdpaParams {
  SdpaGraph graph = SdpaGraph::kReordered;
  std::int64_t N = 1024;   // keys (row length of the score matrix)
  std::int64_t M = 0;      // queries simulated per head (0 = N)
  std::int64_t d = 64;     // head dimension
  std::int64_t lanes = 1;  // scores per element (elements per cycle at full throughput)
  std::int64_t batch = 1, heads = 1;
  std::int64_t parallel = 1;         // graph replicas; heads are dealt round-robin to them
  std::int64_t capacity = 16;        // every channel but the bypasses
  std::int64_t bypass_capacity = 0;  // naive bypass channels (0 = naive_min_bypass())
  std::int64_t latency = 0;          // channel latency (0 = the spec's)
  std::uint64_t seed = 1;
  bool check = true;  // compare with the fp64 reference
  std::int64_t queries() const { return M > 0 ? M : N; }
  std::int64_t row_elements() const { return N / lanes; }
};

const config::Schema<SdpaParams>& sdpa_schema();  // the `sdpa:` section
void validate_sdpa(const SdpaParams& p, const SourceLoc& where);
// An estimate of the host memory an SDPA run takes: the Q, K, V and O tensors (floats, every
// batch and head) and the fp64 reference of one head's output; the graph's channels and units
// are small beside them. Checked against system.memory_budget before a run.
double estimated_sdpa_bytes(const SdpaParams& p);

// The smallest bypass capacity at which naive SDPA runs without stalling, from the unit depths
// and channel latencies (README.md "Naive bypass"); the study checks it against a search.
std::int64_t naive_min_bypass(const hw::DataflowSpec& spec, const SdpaParams& p);

// Builds the graph (with Q, K, V filled from the seed, O zero) and the names of its parts. With
// `memory` the memory units use its ports, else ideal ports.
std::unique_ptr<Graph> build_sdpa(const hw::DataflowSpec& spec, const SdpaParams& p,
                                  std::shared_ptr<SharedMemory> memory = nullptr);

// fp64 host reference of O for one block (batch x head) and the check of a run's output.
std::vector<double> sdpa_reference(const Tensor& q, const Tensor& k, const Tensor& v,
                                   std::int64_t block, std::int64_t M);
double sdpa_tolerance(const SdpaParams& p);

// Builds, runs, checks against fp64 and accounts. Never throws for a deadlock (it is in the
// result); throws config errors for bad parameters. `memory` (e.g. make_dram_memory) is
// required when spec.memory.kind is dram and must be null otherwise; it is finished here (its
// statistics and energy closed at the end of the run).
DataflowResult run_sdpa(const hw::DataflowSpec& spec, const SdpaParams& p, StatsRegistry& stats,
                        EnergyLedger& energy, std::shared_ptr<SharedMemory> memory = nullptr);

// ---------------------------------------------------------------------------------------------
// The study (configs/dataflow/sdpa_study.yaml): both graphs over N, the naive bypass search.

struct StudyRow {
  std::int64_t N = 0, M = 0;
  std::string graph, setting;
  std::int64_t bypass_capacity = 0, max_capacity = 0;
  Cycle cycles = 0;
  double sustained_fraction = 0, overall_fraction = 0;
  std::uint64_t peak_intermediate_bytes = 0;
  std::string outcome;  // "full throughput", "stalls (x% of peak)", "deadlock: ..."
  double max_error = 0;
  bool output_ok = true;
};
struct StudyResult {
  std::vector<StudyRow> rows;
  std::string table;         // markdown
  bool claims_hold = false;  // every claim of the study (README) held
  std::vector<std::string> failed_claims;
};
StudyResult run_sdpa_study(const std::string& path);

}  // namespace accsim::dataflow
