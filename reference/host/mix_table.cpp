#include "reference/host/mix_table.h"

#include <fmt/format.h>

#include "reference/host/json.h"

namespace accsim::ref {
namespace {

namespace mx = accsim::workloads::mix;
namespace wl = accsim::workloads;

// Itanium C++ ABI manglings of the kernels' template arguments (nvcc's entry names).
const char* mangled(mx::Elem e) {
  switch (e) {
    case mx::Elem::kF16:
      return "6__half";
    case mx::Elem::kBF16:
      return "13__nv_bfloat16";
    case mx::Elem::kF32:
      return "f";
  }
  return "?";
}
const char* elem_name(mx::Elem e) {
  return e == mx::Elem::kF16 ? "f16" : e == mx::Elem::kBF16 ? "bf16" : "f32";
}

MixRegion r(std::string name, const mx::Body& b, std::vector<std::string> exclude = {}) {
  return MixRegion{std::move(name), std::move(exclude), b};
}

// The four regions of a row loop pair (load, math) for the vector and the scalar trips.
template <class L, class M>
void row_loop(std::vector<MixRegion>& out, const char* load, const char* math, L&& lb, M&& mb) {
  for (bool vec : {true, false}) {
    const char* v = vec ? "/vec" : "/scalar";
    out.push_back(r(std::string(load) + v, lb(vec)));
    out.push_back(r(std::string(math) + v, mb(vec)));
  }
}

}  // namespace

std::vector<MixKernel> mix_table() {
  std::vector<MixKernel> t;
  for (mx::Elem e : {mx::Elem::kF16, mx::Elem::kBF16}) {
    const bool bf16 = e == mx::Elem::kBF16;
    for (bool b_nk : {true, false}) {
      MixKernel k{"gemm_tc_kernel",
                  fmt::format("gemm_tc_kernelI{}Lb{}E", mangled(e), b_nk ? 1 : 0),
                  fmt::format("T={} b_nk={}", elem_name(e), b_nk ? 1 : 0),
                  mx::regs_gemm(bf16, b_nk),
                  {}};
      k.regions = {r("gemm_prologue", mx::gemm_prologue(b_nk)),
                   r("gemm_load_tile", mx::gemm_load_tile(b_nk)),
                   r("gemm_ktile", mx::gemm_ktile(bf16)),
                   r("gemm_epilogue/causal", mx::gemm_epilogue(bf16, true)),
                   r("gemm_epilogue/plain", mx::gemm_epilogue(bf16, false))};
      t.push_back(k);
    }
    for (int d : {64, 128}) {
      MixKernel f{"flash_fwd_kernel",
                  fmt::format("flash_fwd_kernelI{}Li{}E", mangled(e), d),
                  fmt::format("T={} D={}", elem_name(e), d),
                  mx::regs_flash(bf16, d),
                  {}};
      f.regions = {r("flash_prologue", mx::flash_prologue(d)), r("flash_copy", mx::flash_copy(d)),
                   r("flash_tile", mx::flash_tile(bf16, d, true)),
                   r("flash_tile", mx::flash_tile(bf16, d, false), {"flash_tile_mask"}),
                   r("flash_epilogue", mx::flash_epilogue(bf16, d))};
      t.push_back(f);
      MixKernel s{"decode_split_kernel",
                  fmt::format("decode_split_kernelI{}Li{}E", mangled(e), d),
                  fmt::format("T={} D={}", elem_name(e), d),
                  mx::regs_decode_split(bf16, d),
                  {}};
      s.regions = {r("decode_split_prologue", mx::decode_split_prologue(d)),
                   r("decode_split_q", mx::decode_split_q(bf16)),
                   r("decode_split_load", mx::decode_split_load(d)),
                   r("decode_split_step", mx::decode_split_step(bf16, d)),
                   r("decode_split_merge", mx::decode_split_merge(d)),
                   r("decode_split_combine", mx::decode_split_combine(d))};
      t.push_back(s);
      MixKernel c{"decode_combine_kernel",
                  fmt::format("decode_combine_kernelI{}Li{}E", mangled(e), d),
                  fmt::format("T={} D={}", elem_name(e), d),
                  mx::regs_decode_combine(bf16, d),
                  {}};
      c.regions = {r("decode_combine_prologue", mx::decode_combine_prologue()),
                   r("decode_combine_max_load", mx::decode_combine_max_load()),
                   r("decode_combine_max", mx::decode_combine_max()),
                   r("decode_combine_sum_load", mx::decode_combine_sum_load()),
                   r("decode_combine_sum_load2", mx::decode_combine_sum_load2()),
                   r("decode_combine_sum", mx::decode_combine_sum()),
                   r("decode_combine_epilogue", mx::decode_combine_epilogue(bf16))};
      t.push_back(c);
    }
  }
  for (mx::Elem e : {mx::Elem::kF16, mx::Elem::kBF16, mx::Elem::kF32}) {
    const std::string T = elem_name(e);
    MixKernel g{"gemv_kernel",
                fmt::format("gemv_kernelI{}NS0_8PlainMem", mangled(e)),
                "T=" + T,
                mx::regs_gemv(e),
                {}};
    g.regions = {r("gemv_prologue", mx::gemv_prologue()), r("gemv_load", mx::gemv_load()),
                 r("gemv_step", mx::gemv_step(e)), r("gemv_epilogue", mx::gemv_epilogue(e))};
    t.push_back(g);
    MixKernel s{"softmax_kernel",
                fmt::format("softmax_kernelI{}NS0_8PlainMem", mangled(e)),
                "T=" + T,
                mx::regs_softmax(e),
                {}};
    s.regions = {r("softmax_prologue", mx::softmax_prologue())};
    row_loop(
        s.regions, "softmax_pass1_load", "softmax_pass1",
        [&](bool v) { return mx::softmax_pass1_load(e, v); },
        [&](bool v) { return mx::softmax_pass1(e, v); });
    s.regions.push_back(r("softmax_reduce_warp", mx::softmax_reduce_warp()));
    s.regions.push_back(r("softmax_reduce_block", mx::softmax_reduce_block()));
    row_loop(
        s.regions, "softmax_pass2_load", "softmax_pass2",
        [&](bool v) { return mx::softmax_pass2_load(e, v); },
        [&](bool v) { return mx::softmax_pass2(e, v); });
    t.push_back(s);
    MixKernel l{"layernorm_kernel",
                fmt::format("layernorm_kernelI{}NS0_8PlainMem", mangled(e)),
                "T=" + T,
                mx::regs_layernorm(e),
                {}};
    l.regions = {r("layernorm_prologue", mx::layernorm_prologue())};
    row_loop(
        l.regions, "layernorm_pass1_load", "layernorm_pass1",
        [&](bool v) { return mx::layernorm_pass1_load(e, v); },
        [&](bool v) { return mx::layernorm_pass1(e, v); });
    l.regions.push_back(r("layernorm_reduce_warp", mx::layernorm_reduce_warp()));
    l.regions.push_back(r("layernorm_reduce_store", mx::layernorm_reduce_store()));
    l.regions.push_back(r("layernorm_mean", mx::layernorm_mean()));
    row_loop(
        l.regions, "layernorm_pass2_load", "layernorm_pass2",
        [&](bool v) { return mx::layernorm_pass2_load(e, v); },
        [&](bool v) { return mx::layernorm_pass2(e, v); });
    l.regions.push_back(r("layernorm_rstd", mx::layernorm_rstd()));
    row_loop(
        l.regions, "layernorm_pass3_load", "layernorm_pass3",
        [&](bool v) { return mx::layernorm_pass3_load(e, v); },
        [&](bool v) { return mx::layernorm_pass3(e, v); });
    t.push_back(l);
    MixKernel u{"gelu_kernel",
                fmt::format("gelu_kernelI{}NS0_8PlainMem", mangled(e)),
                "T=" + T,
                mx::regs_gelu(e),
                {}};
    u.regions = {r("gelu_prologue", mx::gelu_prologue())};
    row_loop(
        u.regions, "gelu_load", "gelu_step", [&](bool v) { return mx::gelu_load(e, v); },
        [&](bool v) { return mx::gelu_step(e, v); });
    t.push_back(u);
    MixKernel a{"add_kernel",
                fmt::format("add_kernelI{}NS0_8PlainMem", mangled(e)),
                "T=" + T,
                mx::regs_add(e),
                {}};
    a.regions = {r("add_prologue", mx::add_prologue())};
    row_loop(
        a.regions, "add_load", "add_step", [&](bool v) { return mx::add_load(e, v); },
        [&](bool v) { return mx::add_step(e, v); });
    t.push_back(a);
  }
  // The microbenchmarks: structure records only, no program points.
  t.push_back(MixKernel{"chase_kernel", "chase_kernelINS0_8PlainMem", "", 0, {}});
  for (int cg : {0, 1})
    t.push_back(MixKernel{"bandwidth_kernel",
                          fmt::format("bandwidth_kernelILb{}ENS0_8PlainMem", cg),
                          fmt::format("cg={}", cg),
                          0,
                          {}});
  return t;
}

std::string mix_body_json(const mx::Body& b) {
  std::string s = "{\"name\":" + json_str(b.name) + ",\"items\":[";
  for (std::uint32_t i = 0; i < b.count; ++i) {
    const auto& it = b.items[i];
    s += fmt::format("{}{{\"class\":{},\"n\":{},\"flags\":{}}}", i ? "," : "",
                     json_str(wl::kInstrClasses[static_cast<std::uint32_t>(it.cls)].name), it.n,
                     it.flags);
  }
  return s + "]}";
}

std::string mix_table_json(const std::vector<MixKernel>& table) {
  std::string s = "{\"format\":\"accsim-mix-table\",\"version\":1,\"kernels\":[";
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& k = table[i];
    s += fmt::format("{}\n{{\"kernel\":{},\"match\":{},\"params\":{},\"regs\":{},\"regions\":[",
                     i ? "," : "", json_str(k.kernel), json_str(k.match), json_str(k.params),
                     k.regs);
    for (std::size_t j = 0; j < k.regions.size(); ++j) {
      const auto& r = k.regions[j];
      std::string parts;
      for (std::size_t p = 0; p < r.exclude_parts.size(); ++p) {
        if (p) parts += ',';
        parts += json_str(r.exclude_parts[p]);
      }
      s += fmt::format("{}{{\"region\":{},\"exclude_parts\":[{}],\"body\":{}}}", j ? "," : "",
                       json_str(r.region), parts, mix_body_json(r.body));
    }
    s += "]}";
  }
  return s + "\n]}\n";
}

}  // namespace accsim::ref
