#include "reference/harness/device.h"

#include <fmt/format.h>

#include <utility>

#include "reference/host/json.h"
#include "reference/kernels/launch.h"

namespace accsim::ref {

void cuda_ok(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw CudaError(fmt::format("{}: {} ({})", what, cudaGetErrorName(e), cudaGetErrorString(e)));
}

bool cuda_device_available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (why)
      *why = fmt::format("cudaGetDeviceCount: {} ({})", cudaGetErrorName(e), cudaGetErrorString(e));
    cudaGetLastError();  // clear the sticky error for later calls
    return false;
  }
  if (n == 0) {
    if (why) *why = "cudaGetDeviceCount found no device";
    return false;
  }
  return true;
}

DeviceBuffer::DeviceBuffer(std::size_t bytes, const char* what) : bytes_(bytes) {
  if (bytes == 0) return;
  const cudaError_t e = cudaMalloc(&p_, bytes);
  if (e != cudaSuccess) {
    p_ = nullptr;
    cudaGetLastError();
    throw CudaError(fmt::format("cudaMalloc of {} ({:.1f} MiB): {} ({})", what,
                                static_cast<double>(bytes) / (1 << 20), cudaGetErrorName(e),
                                cudaGetErrorString(e)));
  }
}
DeviceBuffer::~DeviceBuffer() {
  if (p_) cudaFree(p_);
}
DeviceBuffer::DeviceBuffer(DeviceBuffer&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (p_) cudaFree(p_);
    p_ = std::exchange(o.p_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

Stream::Stream() {
  cuda_ok(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking), "cudaStreamCreate");
}
Stream::~Stream() {
  if (s_) cudaStreamDestroy(s_);
}
void Stream::sync() const {
  cuda_ok(cudaStreamSynchronize(s_), "cudaStreamSynchronize");
}

DeviceInfo query_device(bool probe_clock) {
  DeviceInfo d;
  cuda_ok(cudaGetDevice(&d.ordinal), "cudaGetDevice");
  cudaDeviceProp p{};
  cuda_ok(cudaGetDeviceProperties(&p, d.ordinal), "cudaGetDeviceProperties");
  d.name = p.name;
  d.cc_major = p.major;
  d.cc_minor = p.minor;
  d.sm_count = p.multiProcessorCount;
  d.global_mem_bytes = p.totalGlobalMem;
  d.l2_bytes = static_cast<std::uint64_t>(p.l2CacheSize);
  d.smem_per_sm = p.sharedMemPerMultiprocessor;
  d.smem_per_block_optin = p.sharedMemPerBlockOptin;
  d.mem_bus_width_bits = p.memoryBusWidth;
  cuda_ok(cudaDeviceGetAttribute(&d.sm_clock_max_khz, cudaDevAttrClockRate, d.ordinal),
          "cudaDeviceGetAttribute(ClockRate)");
  cuda_ok(cudaDeviceGetAttribute(&d.mem_clock_max_khz, cudaDevAttrMemoryClockRate, d.ordinal),
          "cudaDeviceGetAttribute(MemoryClockRate)");
  cuda_ok(cudaDriverGetVersion(&d.driver_version), "cudaDriverGetVersion");
  cuda_ok(cudaRuntimeGetVersion(&d.runtime_version), "cudaRuntimeGetVersion");
  char bus[32] = {};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, d.ordinal) == cudaSuccess) d.pci_bus_id = bus;
  if (probe_clock) {
    DeviceBuffer out(2 * sizeof(unsigned long long), "clock probe");
    Stream s;
    // First spin wakes the clocks from idle; the second is the reading.
    launch_clock_probe(5'000'000, out.as<unsigned long long>(), s.get());
    launch_clock_probe(20'000'000, out.as<unsigned long long>(), s.get());
    s.sync();
    unsigned long long r[2] = {};
    cuda_ok(cudaMemcpy(r, out.get(), sizeof r, cudaMemcpyDeviceToHost), "cudaMemcpy(clock probe)");
    if (r[1] > 0)
      d.sm_clock_measured_mhz = static_cast<double>(r[0]) / static_cast<double>(r[1]) * 1e3;
  }
  return d;
}

std::string DeviceInfo::to_json() const {
  const auto ver = [](int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); };
  return fmt::format(
      "{{\"name\":{},\"ordinal\":{},\"compute_capability\":\"{}.{}\",\"sm_count\":{},"
      "\"global_mem_bytes\":{},\"l2_bytes\":{},\"smem_per_sm_bytes\":{},"
      "\"smem_per_block_optin_bytes\":{},\"mem_bus_width_bits\":{},\"sm_clock_max_mhz\":{},"
      "\"mem_clock_max_mhz\":{},\"sm_clock_measured_mhz\":{},\"driver_version\":\"{}\","
      "\"cuda_runtime_version\":\"{}\",\"pci_bus_id\":{}}}",
      json_str(name), ordinal, cc_major, cc_minor, sm_count, global_mem_bytes, l2_bytes,
      smem_per_sm, smem_per_block_optin, mem_bus_width_bits, json_num(sm_clock_max_khz / 1e3),
      json_num(mem_clock_max_khz / 1e3), json_num(sm_clock_measured_mhz), ver(driver_version),
      ver(runtime_version), json_str(pci_bus_id));
}

}  // namespace accsim::ref
