#include "workloads/trace/op_trace.h"

#include <algorithm>
#include <limits>
#include <set>

#include "workloads/trace/trace_io.h"

namespace accsim::workloads {

namespace {

const std::vector<std::string>& op_names() {
  static const std::vector<std::string> v = {"gemm",      "gemv", "sdpa",       "softmax",
                                             "layernorm", "gelu", "elementwise"};
  return v;
}
const std::vector<std::string>& dtype_names() {
  static const std::vector<std::string> v = {"fp16", "bf16", "fp32", "fp64", "int8"};
  return v;
}

constexpr std::uint64_t kMaxDim = 1ull << 40;
constexpr std::size_t kMaxLabel = 128;      // characters of a record label
constexpr std::size_t kMaxLine = 1u << 20;  // an op record is a few hundred bytes

std::string hex_addr(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

nlohmann::ordered_json dim3_json(const std::array<std::uint32_t, 3>& d) {
  return nlohmann::ordered_json::array({d[0], d[1], d[2]});
}

}  // namespace

std::string_view op_kind_name(OpKind k) {
  return op_names()[static_cast<std::size_t>(k)];
}
std::optional<OpKind> parse_op_kind(std::string_view s) {
  for (std::size_t i = 0; i < op_names().size(); ++i)
    if (op_names()[i] == s) return static_cast<OpKind>(i);
  return std::nullopt;
}
std::string_view dtype_name(DType d) {
  return dtype_names()[static_cast<std::size_t>(d)];
}
std::optional<DType> parse_dtype(std::string_view s) {
  for (std::size_t i = 0; i < dtype_names().size(); ++i)
    if (dtype_names()[i] == s) return static_cast<DType>(i);
  return std::nullopt;
}
std::uint32_t dtype_bytes(DType d) {
  switch (d) {
    case DType::kFp16:
    case DType::kBf16:
      return 2;
    case DType::kFp32:
      return 4;
    case DType::kFp64:
      return 8;
    case DType::kInt8:
      return 1;
  }
  return 0;
}

const ShapeKeys& shape_keys(OpKind k) {
  // gemm: C[M,N] = A[M,K] B[K,N]; gemv: y[M] = A[M,K] x[K]; sdpa: B batches, H heads, N query
  // rows, d head size, N_kv key/value rows (decode: N = 1), H_kv key/value heads (grouped query).
  static const ShapeKeys keys[] = {{{"M", "N", "K"}, {"batch"}},
                                   {{"M", "K"}, {"batch"}},
                                   {{"B", "H", "N", "d"}, {"N_kv", "H_kv"}},
                                   {{"rows", "cols"}, {}},
                                   {{"rows", "cols"}, {}},
                                   {{"n"}, {}},
                                   {{"n"}, {}}};
  return keys[static_cast<std::size_t>(k)];
}

std::optional<std::uint64_t> OpRecord::dim(std::string_view key) const {
  for (const auto& [k, v] : shape)
    if (k == key) return v;
  return std::nullopt;
}

bool OpRecord::operator==(const OpRecord& o) const {
  auto same_measured = [](const std::optional<MeasuredFigures>& a,
                          const std::optional<MeasuredFigures>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->time_ns == b->time_ns && a->dram_read_bytes == b->dram_read_bytes &&
           a->dram_write_bytes == b->dram_write_bytes && a->l1_hit_pct == b->l1_hit_pct &&
           a->l2_hit_pct == b->l2_hit_pct;
  };
  auto same_tensors = [](const std::vector<TensorRef>& a, const std::vector<TensorRef>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i].name != b[i].name || a[i].addr != b[i].addr || a[i].bytes != b[i].bytes)
        return false;
    return true;
  };
  auto same_link = [](const std::optional<AccessTraceLink>& a,
                      const std::optional<AccessTraceLink>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->file == b->file && a->kernel == b->kernel);
  };
  return kernel == o.kernel && label == o.label && op == o.op && shape == o.shape &&
         dtype == o.dtype && causal == o.causal && same_tensors(tensors, o.tensors) &&
         grid == o.grid && block == o.block && smem == o.smem && regs == o.regs &&
         same_measured(measured, o.measured) && same_link(access_trace, o.access_trace);
}

void check_op_record(const OpRecord& r, const SourceLoc& loc) {
  if (r.kernel.empty()) throw input_error(loc, "op record has an empty kernel name");
  if (r.label.size() > kMaxLabel)
    throw input_error(
        loc, "op record label is longer than " + std::to_string(kMaxLabel) + " characters");
  const auto& keys = shape_keys(r.op);
  for (const auto& k : keys.required)
    if (!r.dim(k))
      throw input_error(loc,
                        std::string(op_kind_name(r.op)) + " record lacks shape key '" + k + "'");
  for (const auto& [k, v] : r.shape) {
    const bool known = std::count(keys.required.begin(), keys.required.end(), k) +
                           std::count(keys.optional.begin(), keys.optional.end(), k) >
                       0;
    if (!known)
      throw input_error(
          loc, "shape key '" + k + "' does not apply to " + std::string(op_kind_name(r.op)));
    if (v == 0 || v > kMaxDim)
      throw input_error(loc, "shape key '" + k + "' is " + std::to_string(v) + ", outside 1.." +
                                 std::to_string(kMaxDim));
  }
  if (r.causal && r.op != OpKind::kSdpa)
    throw input_error(loc, "'causal' applies to sdpa records only");
  std::set<std::string> names;
  for (const auto& t : r.tensors) {
    if (t.name.empty()) throw input_error(loc, "a tensor has an empty name");
    if (!names.insert(t.name).second)
      throw input_error(loc, "tensor name '" + t.name + "' appears twice");
    if (t.addr > std::numeric_limits<std::uint64_t>::max() - t.bytes)
      throw input_error(loc, "tensor '" + t.name + "' wraps past the end of the address space");
  }
}

std::string op_record_to_json(const OpRecord& r) {
  nlohmann::ordered_json j;
  j["kernel"] = r.kernel;
  if (!r.label.empty()) j["label"] = r.label;
  j["op"] = std::string(op_kind_name(r.op));
  auto& s = j["shape"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.shape) s[k] = v;
  j["dtype"] = std::string(dtype_name(r.dtype));
  if (r.op == OpKind::kSdpa) j["causal"] = r.causal;
  auto& ts = j["tensors"] = nlohmann::ordered_json::array();
  for (const auto& t : r.tensors)
    ts.push_back({{"name", t.name}, {"addr", hex_addr(t.addr)}, {"bytes", t.bytes}});
  if (r.grid) j["grid"] = dim3_json(*r.grid);
  if (r.block) j["block"] = dim3_json(*r.block);
  j["smem"] = r.smem;
  if (r.regs > 0) j["regs"] = r.regs;
  if (r.measured) {
    auto& m = j["measured"] = nlohmann::ordered_json::object();
    if (r.measured->time_ns) m["time_ns"] = *r.measured->time_ns;
    if (r.measured->dram_read_bytes) m["dram_read_bytes"] = *r.measured->dram_read_bytes;
    if (r.measured->dram_write_bytes) m["dram_write_bytes"] = *r.measured->dram_write_bytes;
    if (r.measured->l1_hit_pct) m["l1_hit_pct"] = *r.measured->l1_hit_pct;
    if (r.measured->l2_hit_pct) m["l2_hit_pct"] = *r.measured->l2_hit_pct;
  }
  if (r.access_trace)
    j["access_trace"] = {{"file", r.access_trace->file}, {"kernel", r.access_trace->kernel}};
  return j.dump();
}

std::string op_header_to_json(const OpTraceHeader& h) {
  nlohmann::ordered_json j;
  j["format"] = "accsim-op-trace";
  j["version"] = 1;
  if (!h.gpu.empty()) j["gpu"] = h.gpu;
  if (!h.tool.empty()) j["tool"] = h.tool;
  if (h.sm_clock_mhz > 0) j["sm_clock_mhz"] = h.sm_clock_mhz;
  if (!h.notes.is_null()) j["notes"] = h.notes;
  return j.dump();
}

OpRecord parse_op_record(std::string_view line, const SourceLoc& loc) {
  auto at = [&](int column) { return SourceLoc{loc.file, loc.line, column}; };
  const nlohmann::json j =
      detail::parse_json_text(line, [&](std::size_t pos, const std::string& msg) {
        return input_error(at(static_cast<int>(pos) + 1), "op record: " + msg);
      });
  auto fail_at_key = [&](const std::string& key, const std::string& msg) {
    const int c = detail::key_column(line, key);
    return input_error(at(c > 0 ? c : 1), msg);
  };
  OpRecord r;
  r.line = loc.line;
  detail::JsonFields f(j, "an op record", fail_at_key);
  r.kernel = *f.text("kernel", true);
  r.label = f.text("label", false).value_or("");
  r.op = static_cast<OpKind>(*f.choice("op", true, op_names()));
  const std::string opname(op_kind_name(r.op));
  const auto* shape = f.raw("shape");
  if (!shape) throw fail_at_key("", opname + " record lacks the required key 'shape'");
  {
    const auto& keys = shape_keys(r.op);
    detail::JsonFields sf(*shape, "the shape of a " + opname + " record", fail_at_key);
    for (const auto& k : keys.required) r.shape.emplace_back(k, *sf.u64(k, true, 1, kMaxDim));
    for (const auto& k : keys.optional)
      if (auto v = sf.u64(k, false, 1, kMaxDim)) r.shape.emplace_back(k, *v);
    sf.done();
  }
  r.dtype = static_cast<DType>(*f.choice("dtype", true, dtype_names()));
  if (f.has("causal") && r.op != OpKind::kSdpa)
    throw fail_at_key("causal", "'causal' applies to sdpa records only, not " + opname);
  r.causal = f.flag("causal", false).value_or(false);
  if (const auto* ts = f.raw("tensors")) {
    if (!ts->is_array())
      throw fail_at_key("tensors",
                        "'tensors' must be an array, not " + detail::json_type_phrase(*ts));
    for (std::size_t i = 0; i < ts->size(); ++i) {
      detail::JsonFields tf((*ts)[i], "tensors[" + std::to_string(i) + "]", fail_at_key);
      TensorRef t;
      t.name = *tf.text("name", true);
      t.addr = *tf.address("addr", true);
      t.bytes = *tf.u64("bytes", true, 0, std::numeric_limits<std::uint64_t>::max());
      tf.done();
      r.tensors.push_back(std::move(t));
    }
  }
  r.grid = f.dim3("grid", false);
  r.block = f.dim3("block", false);
  r.smem = static_cast<std::uint32_t>(
      f.u64("smem", false, 0, std::numeric_limits<std::uint32_t>::max()).value_or(0));
  r.regs = static_cast<std::uint32_t>(f.u64("regs", false, 0, 255).value_or(0));
  if (const auto* m = f.raw("measured")) {
    detail::JsonFields mf(*m, "'measured'", fail_at_key);
    MeasuredFigures mm;
    mm.time_ns = mf.number("time_ns", false, 0, 1e15);
    mm.dram_read_bytes =
        mf.u64("dram_read_bytes", false, 0, std::numeric_limits<std::uint64_t>::max());
    mm.dram_write_bytes =
        mf.u64("dram_write_bytes", false, 0, std::numeric_limits<std::uint64_t>::max());
    mm.l1_hit_pct = mf.number("l1_hit_pct", false, 0, 100);
    mm.l2_hit_pct = mf.number("l2_hit_pct", false, 0, 100);
    mf.done();
    r.measured = mm;
  }
  if (const auto* a = f.raw("access_trace")) {
    detail::JsonFields af(*a, "'access_trace'", fail_at_key);
    AccessTraceLink l;
    l.file = *af.text("file", true);
    if (l.file.empty()) throw fail_at_key("file", "'file' in 'access_trace' is empty");
    l.kernel = static_cast<std::uint16_t>(af.u64("kernel", false, 0, 65535).value_or(0));
    af.done();
    r.access_trace = l;
  }
  f.done();
  check_op_record(r, at(1));
  return r;
}

OpTraceReader::OpTraceReader(const std::string& path)
    : lines_(std::make_unique<detail::LineReader>(detail::ByteInput::open_file(path), kMaxLine)) {
  read_header();
}

OpTraceReader::OpTraceReader(const void* data, std::size_t n, std::string name)
    : lines_(std::make_unique<detail::LineReader>(
          detail::ByteInput::from_memory(data, n, std::move(name)), kMaxLine)) {
  read_header();
}

OpTraceReader::~OpTraceReader() = default;

const std::string& OpTraceReader::name() const {
  return lines_->name();
}

void OpTraceReader::read_header() {
  std::string line;
  do {
    if (!lines_->next(line))
      throw input_error(lines_->loc(),
                        "empty op trace: expected a header line "
                        "{\"format\":\"accsim-op-trace\",\"version\":1,...}");
  } while (line.find_first_not_of(" \t") == std::string::npos);
  auto at = [&](int column) { return lines_->loc(column); };
  const nlohmann::json j =
      detail::parse_json_text(line, [&](std::size_t pos, const std::string& msg) {
        return input_error(at(static_cast<int>(pos) + 1), "op trace header: " + msg);
      });
  auto fail_at_key = [&](const std::string& key, const std::string& msg) {
    const int c = detail::key_column(line, key);
    return input_error(at(c > 0 ? c : 1), msg);
  };
  detail::JsonFields f(j, "the op trace header", fail_at_key);
  const auto format = f.text("format", true);
  if (*format != "accsim-op-trace")
    throw fail_at_key("format", "'format' is \"" + *format +
                                    "\"; an op trace's first line must say \"accsim-op-trace\"");
  const auto version = *f.u64("version", true, 0, std::numeric_limits<std::uint32_t>::max());
  if (version != 1)
    throw fail_at_key("version", "unsupported op trace version " + std::to_string(version) +
                                     " (this build reads version 1)");
  header_.gpu = f.text("gpu", false).value_or("");
  header_.tool = f.text("tool", false).value_or("");
  header_.sm_clock_mhz = f.number("sm_clock_mhz", false, 1e-3, 1e6).value_or(0);
  if (const auto* n = f.raw("notes")) {
    if (!n->is_object())
      throw fail_at_key("notes", "'notes' must be an object, not " + detail::json_type_phrase(*n));
    header_.notes = *n;
  }
  f.done();
}

bool OpTraceReader::next(OpRecord& r) {
  std::string line;
  do {
    if (!lines_->next(line)) return false;
  } while (line.find_first_not_of(" \t") == std::string::npos);
  r = parse_op_record(line, lines_->loc());
  return true;
}

struct OpTraceWriter::Impl {
  explicit Impl(const std::string& path) : out(path) {}
  detail::OutFile out;
  std::uint64_t records = 0;
};

OpTraceWriter::OpTraceWriter(const std::string& path, const OpTraceHeader& header)
    : impl_(std::make_unique<Impl>(path)) {
  impl_->out.write(op_header_to_json(header));
  impl_->out.write("\n");
}

OpTraceWriter::~OpTraceWriter() = default;

void OpTraceWriter::append(const OpRecord& r) {
  check_op_record(r, SourceLoc{impl_->out.path(), 0, 0});
  impl_->out.write(op_record_to_json(r));
  impl_->out.write("\n");
  ++impl_->records;
}

void OpTraceWriter::close() {
  impl_->out.commit();
}

std::vector<OpRecord> read_op_trace(const std::string& path, OpTraceHeader* header) {
  OpTraceReader rd(path);
  std::vector<OpRecord> v;
  OpRecord r;
  while (rd.next(r)) v.push_back(std::move(r));
  if (header) *header = rd.header();
  return v;
}

void write_op_trace(const std::string& path, const OpTraceHeader& header,
                    const std::vector<OpRecord>& records) {
  OpTraceWriter w(path, header);
  for (const auto& r : records) w.append(r);
  w.close();
}

const OpRecord& pick_sdpa_record(const std::vector<OpRecord>& recs, std::int64_t index,
                                 const std::string& path, std::string_view target,
                                 std::string_view index_key) {
  std::vector<std::size_t> sdpa;
  for (std::size_t i = 0; i < recs.size(); ++i)
    if (recs[i].op == OpKind::kSdpa) sdpa.push_back(i);
  const std::string key(index_key);
  if (index >= 0) {
    if (static_cast<std::uint64_t>(index) >= sdpa.size())
      throw input_error(SourceLoc{path}, "the op trace has no sdpa record number " +
                                             std::to_string(index) + " (it has " +
                                             std::to_string(sdpa.size()) + ")");
    return recs[sdpa[static_cast<std::size_t>(index)]];
  }
  for (std::size_t i = 0; i < recs.size(); ++i)
    if (recs[i].op != OpKind::kSdpa)
      throw config_error(SourceLoc{path, recs[i].line, 0},
                         "op trace record " + std::to_string(i) + " (" + recs[i].kernel + ", " +
                             std::string(op_kind_name(recs[i].op)) + "): the " +
                             std::string(target) +
                             " target runs one attention (sdpa) record, not " +
                             std::string(op_kind_name(recs[i].op)) + "; set " + key +
                             " to run one sdpa record of this trace alone");
  if (sdpa.empty()) throw input_error(SourceLoc{path}, "the op trace has no sdpa record");
  if (sdpa.size() > 1)
    throw config_error(SourceLoc{path}, "the op trace has " + std::to_string(sdpa.size()) +
                                            " sdpa records and the " + std::string(target) +
                                            " target runs one; set " + key + " to pick it");
  return recs[sdpa.front()];
}

}  // namespace accsim::workloads
