#include "reference/host/cases.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <limits>
#include <set>

namespace accsim::ref {
namespace {

struct OpSpec {
  Op op;
  std::string_view name;
  std::string_view trace_kind;
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
      {Op::kSdpa, "sdpa", "sdpa", {"N", "d", "impl"}, {"B", "H", "causal", "dtype"}},
      {Op::kDecode, "decode", "sdpa", {"L", "d"}, {"B", "H", "dtype", "splits"}},
      {Op::kGemm, "gemm", "gemm", {"M", "N", "K"}, {"dtype"}},
      {Op::kGemv, "gemv", "gemv", {"N", "K"}, {"dtype"}},
      {Op::kSoftmax, "softmax", "softmax", {"rows", "cols"}, {"dtype"}},
      {Op::kLayernorm, "layernorm", "layernorm", {"rows", "cols"}, {"dtype"}},
      {Op::kGelu, "gelu", "gelu", {"n"}, {"dtype"}},
      {Op::kAdd, "add", "elementwise", {"n"}, {"dtype"}},
      {Op::kChase, "chase", "elementwise", {"bytes", "impl"}, {"stride", "steps"}},
      {Op::kBandwidth, "bandwidth", "elementwise", {"bytes", "impl"}, {}},
  };
  return specs;
}

const OpSpec& spec_of(Op op) {
  for (const auto& s : op_specs())
    if (s.op == op) return s;
  throw std::logic_error("op without spec");
}

struct Field {
  std::string_view key;
  std::string_view value;
  int column;  // 1-based column of the key
};

std::string loc(const std::string& where, int column) {
  return column > 0 ? fmt::format("{}:{}", where, column) : where;
}

bool parse_bool(std::string_view v, bool& out) {
  if (v == "1" || v == "true" || v == "yes") return out = true, true;
  if (v == "0" || v == "false" || v == "no") return out = false, true;
  return false;
}

void set_field(Case& c, const Field& f, const std::string& where) {
  const auto bad = [&](std::string_view expected) {
    return InputError(fmt::format("{}: bad value '{}' for '{}': expected {}", loc(where, f.column),
                                  f.value, f.key, expected));
  };
  const auto integer = [&](std::int64_t& dst, std::int64_t lo) {
    std::int64_t v = 0;
    if (!parse_size(f.value, v) || v < lo)
      throw bad(fmt::format("an integer >= {} (suffixes K, M, G allowed)", lo));
    dst = v;
  };
  const std::string_view k = f.key;
  if (k == "B") return integer(c.B, 1);
  if (k == "H") return integer(c.H, 1);
  if (k == "N") return integer(c.N, 1);
  if (k == "d") return integer(c.d, 1);
  if (k == "L") return integer(c.L, 1);
  if (k == "M") return integer(c.M, 1);
  if (k == "K") return integer(c.K, 1);
  if (k == "rows") return integer(c.rows, 1);
  if (k == "cols") return integer(c.cols, 1);
  if (k == "n") return integer(c.n, 1);
  if (k == "bytes") return integer(c.bytes, 1);
  if (k == "stride") return integer(c.stride, 8);
  if (k == "steps") return integer(c.steps, 1);
  if (k == "splits") {
    if (f.value == "auto") return void(c.splits = 0);
    return integer(c.splits, 1);
  }
  if (k == "sample") {
    std::int64_t v = 0;
    integer(v, 1);
    if (v > std::numeric_limits<std::uint32_t>::max()) throw bad("an integer below 2^32");
    c.sample = static_cast<std::uint32_t>(v);
    return;
  }
  if (k == "causal") {
    if (!parse_bool(f.value, c.causal)) throw bad("0, 1, true or false");
    return;
  }
  if (k == "dtype") {
    auto t = parse_dtype(f.value);
    if (!t) throw bad("f16, bf16 or f32");
    c.dtype = *t;
    return;
  }
  if (k == "impl") {
    const bool attn = c.op == Op::kSdpa;
    if (attn ? (f.value != "flash" && f.value != "naive") : (f.value != "ca" && f.value != "cg"))
      throw bad(attn ? "flash or naive" : "ca (L1-cached loads) or cg (L1-bypassing loads)");
    c.impl = std::string(f.value);
    return;
  }
  if (k == "tags") {
    c.tags.clear();
    std::string_view rest = f.value;
    while (!rest.empty()) {
      const auto cut = rest.find('+');
      c.tags.emplace_back(rest.substr(0, cut));
      if (c.tags.back().empty()) throw bad("tags joined by '+', e.g. capture+small");
      rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
    }
    return;
  }
  throw std::logic_error("unhandled key");
}

std::vector<std::string_view> split_commas(std::string_view v) {
  std::vector<std::string_view> out;
  while (true) {
    const auto cut = v.find(',');
    out.push_back(v.substr(0, cut));
    if (cut == std::string_view::npos) break;
    v = v.substr(cut + 1);
  }
  return out;
}

}  // namespace

std::string_view op_name(Op op) {
  return spec_of(op).name;
}
std::string_view op_trace_kind(Op op) {
  return spec_of(op).trace_kind;
}

bool parse_size(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  std::int64_t mult = 1;
  switch (s.back()) {
    case 'K':
      mult = std::int64_t{1} << 10;
      break;
    case 'M':
      mult = std::int64_t{1} << 20;
      break;
    case 'G':
      mult = std::int64_t{1} << 30;
      break;
    default:
      break;
  }
  if (mult != 1) s.remove_suffix(1);
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if (v > std::numeric_limits<std::int64_t>::max() / mult) return false;
  out = v * mult;
  return true;
}

bool Case::has_tag(std::string_view t) const {
  return std::find(tags.begin(), tags.end(), t) != tags.end();
}

std::string Case::id() const {
  std::string s(op_name(op));
  if (!impl.empty()) s += "-" + impl;
  const auto add = [&](std::string_view k, std::int64_t v) { s += fmt::format("_{}{}", k, v); };
  switch (op) {
    case Op::kSdpa:
      add("B", B), add("H", H), add("N", N), add("d", d);
      if (causal) s += "_causal";
      break;
    case Op::kDecode:
      add("B", B), add("H", H), add("L", L), add("d", d);
      if (splits) add("S", splits);
      break;
    case Op::kGemm:
      add("M", M), add("N", N), add("K", K);
      break;
    case Op::kGemv:
      add("N", N), add("K", K);
      break;
    case Op::kSoftmax:
    case Op::kLayernorm:
      add("r", rows), add("c", cols);
      break;
    case Op::kGelu:
    case Op::kAdd:
      add("n", n);
      break;
    case Op::kChase:
      add("bytes", bytes), add("stride", stride), add("steps", steps);
      return s;
    case Op::kBandwidth:
      add("bytes", bytes);
      return s;
  }
  return s + "_" + std::string(dtype_name(dtype));
}

std::string Case::shapes_json() const {
  switch (op) {
    case Op::kSdpa:
      return fmt::format(R"({{"B":{},"H":{},"N":{},"d":{}}})", B, H, N, d);
    case Op::kDecode:
      return fmt::format(R"({{"B":{},"H":{},"L":{},"d":{},"splits":{}}})", B, H, L, d, splits);
    case Op::kGemm:
      return fmt::format(R"({{"M":{},"N":{},"K":{}}})", M, N, K);
    case Op::kGemv:
      return fmt::format(R"({{"N":{},"K":{}}})", N, K);
    case Op::kSoftmax:
    case Op::kLayernorm:
      return fmt::format(R"({{"rows":{},"cols":{}}})", rows, cols);
    case Op::kGelu:
    case Op::kAdd:
      return fmt::format(R"({{"n":{}}})", n);
    case Op::kChase:
      return fmt::format(R"({{"bytes":{},"stride":{},"steps":{}}})", bytes, stride, steps);
    case Op::kBandwidth:
      return fmt::format(R"({{"bytes":{}}})", bytes);
  }
  return "{}";
}

double Case::flops() const {
  const double bh = static_cast<double>(B) * H;
  switch (op) {
    case Op::kSdpa: {
      // Two matrix products over the (query, key) pairs that take part.
      const double pairs = causal ? N * (N + 1.0) / 2.0 : static_cast<double>(N) * N;
      return 4.0 * bh * pairs * d;
    }
    case Op::kDecode:
      return 4.0 * bh * L * d;
    case Op::kGemm:
      return 2.0 * M * N * K;
    case Op::kGemv:
      return 2.0 * N * K;
    case Op::kAdd:
      return static_cast<double>(n);  // one addition per element
    default:
      return 0;
  }
}

double Case::min_bytes() const {
  const double e = static_cast<double>(dtype_bytes(dtype));
  const double bh = static_cast<double>(B) * H;
  switch (op) {
    case Op::kSdpa:
      return 4.0 * bh * N * d * e;
    case Op::kDecode:
      return bh * (2.0 * L * d + 2.0 * d) * e;
    case Op::kGemm:
      return (1.0 * M * K + 1.0 * N * K + 1.0 * M * N) * e;
    case Op::kGemv:
      return (1.0 * N * K + K + N) * e;
    case Op::kSoftmax:
      return 2.0 * rows * cols * e;
    case Op::kLayernorm:
      return (2.0 * rows * cols + 2.0 * cols) * e;
    case Op::kGelu:
      return 2.0 * n * e;
    case Op::kAdd:
      return 3.0 * n * e;  // a and b read, y written
    case Op::kChase:
      return 0;
    case Op::kBandwidth:
      return static_cast<double>(bytes);
  }
  return 0;
}

std::uint64_t Case::output_elems() const {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  switch (op) {
    case Op::kSdpa:
      return u(B) * u(H) * u(N) * u(d);
    case Op::kDecode:
      return u(B) * u(H) * u(d);
    case Op::kGemm:
      return u(M) * u(N);
    case Op::kGemv:
      return u(N);
    case Op::kSoftmax:
    case Op::kLayernorm:
      return u(rows) * u(cols);
    case Op::kGelu:
    case Op::kAdd:
      return u(n);
    default:
      return 0;
  }
}

std::vector<Case> parse_case_line(std::string_view line, const std::string& where) {
  // Tokenise on blanks, remembering columns.
  std::vector<std::pair<std::string_view, int>> tokens;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    tokens.emplace_back(line.substr(i, j - i), static_cast<int>(i) + 1);
    i = j;
  }
  if (tokens.empty()) return {};
  const OpSpec* spec = nullptr;
  for (const auto& s : op_specs())
    if (s.name == tokens[0].first) spec = &s;
  if (!spec) {
    std::string names;
    for (const auto& s : op_specs()) names += (names.empty() ? "" : ", ") + std::string(s.name);
    throw InputError(fmt::format("{}: unknown op '{}': expected one of {}", loc(where, 1),
                                 tokens[0].first, names));
  }
  std::vector<Field> fields;
  std::set<std::string_view> seen;
  for (std::size_t t = 1; t < tokens.size(); ++t) {
    const auto [tok, col] = tokens[t];
    const auto eq = tok.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == tok.size())
      throw InputError(fmt::format("{}: expected key=value, got '{}'", loc(where, col), tok));
    Field f{tok.substr(0, eq), tok.substr(eq + 1), col};
    const bool common = f.key == "tags" || f.key == "sample";
    const bool known =
        common ||
        std::find(spec->required.begin(), spec->required.end(), f.key) != spec->required.end() ||
        std::find(spec->optional.begin(), spec->optional.end(), f.key) != spec->optional.end();
    if (!known) {
      std::string keys;
      for (auto k : spec->required) keys += std::string(keys.empty() ? "" : ", ") + std::string(k);
      for (auto k : spec->optional) keys += ", " + std::string(k);
      throw InputError(fmt::format("{}: unknown key '{}' for op '{}': expected {}, tags, sample",
                                   loc(where, col), f.key, spec->name, keys));
    }
    if (!seen.insert(f.key).second)
      throw InputError(fmt::format("{}: key '{}' given twice", loc(where, col), f.key));
    fields.push_back(f);
  }
  for (auto r : spec->required)
    if (!seen.count(r))
      throw InputError(fmt::format("{}: op '{}' needs '{}='", where, spec->name, r));

  // Cartesian expansion of comma lists, first key varying slowest.
  std::vector<Case> out;
  Case base;
  base.op = spec->op;
  base.source = where;
  std::vector<std::vector<std::string_view>> values;
  for (const auto& f : fields)
    values.push_back(f.key == "tags" ? std::vector{f.value} : split_commas(f.value));
  std::vector<std::size_t> idx(fields.size(), 0);
  while (true) {
    Case c = base;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      Field f = fields[i];
      f.value = values[i][idx[i]];
      set_field(c, f, where);
    }
    out.push_back(std::move(c));
    int i = static_cast<int>(fields.size()) - 1;
    for (; i >= 0; --i) {
      if (++idx[i] < values[i].size()) break;
      idx[i] = 0;
    }
    if (i < 0) return out;
  }
}

void validate_case(const Case& c) {
  const auto fail = [&](const std::string& msg) {
    return InputError(fmt::format("{}: {} ({}): {}", c.source, op_name(c.op), c.id(), msg));
  };
  const bool tensor_core = c.dtype != DType::kF32;
  switch (c.op) {
    case Op::kSdpa:
      if (c.d != 64 && c.d != 128) throw fail("head size d must be 64 or 128");
      if (c.N % 128 != 0) throw fail("N must be a multiple of 128 (the query tile)");
      if (!tensor_core) throw fail("attention runs on tensor cores: dtype f16 or bf16");
      if (c.B * c.H > 65535) throw fail("B*H must be at most 65535 (grid dimension)");
      break;
    case Op::kDecode:
      if (c.d != 64 && c.d != 128) throw fail("head size d must be 64 or 128");
      if (!tensor_core) throw fail("dtype must be f16 or bf16");
      if (c.B * c.H > 65535) throw fail("B*H must be at most 65535 (grid dimension)");
      if (c.splits > 4096) throw fail("splits must be at most 4096");
      break;
    case Op::kGemm:
      if (!tensor_core) throw fail("the GEMM runs on tensor cores: dtype f16 or bf16");
      if (c.K % 32 != 0) throw fail("K must be a multiple of 32 (the k tile)");
      if (c.N % 8 != 0) throw fail("N must be a multiple of 8 (16-byte rows)");
      if (c.M > (std::int64_t{1} << 31) - 1) throw fail("M too large");
      break;
    case Op::kGemv:
      if (c.K % 8 != 0) throw fail("K must be a multiple of 8 (16-byte vector loads)");
      break;
    case Op::kSoftmax:
    case Op::kLayernorm:
      if (c.rows > (std::int64_t{1} << 31) - 1) throw fail("rows must be below 2^31");
      break;
    case Op::kGelu:
    case Op::kAdd:
      break;
    case Op::kChase:
      if (c.stride % 8 != 0) throw fail("stride must be a multiple of 8 bytes");
      if (c.bytes / c.stride < 2) throw fail("bytes must hold at least two strides");
      if (c.bytes / c.stride > (std::int64_t{1} << 32) - 1) throw fail("too many nodes");
      break;
    case Op::kBandwidth:
      if (c.bytes % 16 != 0 || c.bytes < 4096)
        throw fail("bytes must be a multiple of 16 and at least 4K");
      break;
  }
}

std::vector<Case> load_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open the study list", path));
  std::vector<Case> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    const std::string where = fmt::format("{}:{}", path, line_no);
    for (auto& c : parse_case_line(line, where)) {
      validate_case(c);
      out.push_back(std::move(c));
    }
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", path));
  std::set<std::string> ids;
  for (const auto& c : out)
    if (!ids.insert(c.id()).second)
      throw InputError(
          fmt::format("{}: case {} appears twice in the study list", c.source, c.id()));
  return out;
}

}  // namespace accsim::ref
