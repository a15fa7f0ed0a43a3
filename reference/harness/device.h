#pragma once
// CUDA runtime plumbing for the harness: errors, device buffers, events, the device description.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace accsim::ref {

// A CUDA runtime call failed; the message names the call and the CUDA error.
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void cuda_ok(cudaError_t e, const char* what);

// True when at least one CUDA device can be used; `why` says what is missing otherwise.
bool cuda_device_available(std::string* why = nullptr);

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes, const char* what = "buffer");
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return p_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(p_);
  }
  std::size_t bytes() const { return bytes_; }
  std::uint64_t addr() const { return reinterpret_cast<std::uint64_t>(p_); }

 private:
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }
  void sync() const;

 private:
  cudaStream_t s_ = nullptr;
};

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  int sm_count = 0;
  std::uint64_t global_mem_bytes = 0;
  std::uint64_t l2_bytes = 0;
  std::uint64_t smem_per_sm = 0, smem_per_block_optin = 0;
  int mem_bus_width_bits = 0;
  int sm_clock_max_khz = 0;   // cudaDevAttrClockRate: the peak clock the driver reports
  int mem_clock_max_khz = 0;  // cudaDevAttrMemoryClockRate
  int driver_version = 0, runtime_version = 0;  // 1000 * major + 10 * minor
  std::string pci_bus_id;
  // clock64 cycles per %globaltimer ns over a ~20 ms spin on one SM: the SM clock the kernels ran
  // at (boost clocks vary with load and temperature; this is what it was, not the peak).
  double sm_clock_measured_mhz = 0;

  std::string to_json() const;
};

DeviceInfo query_device(bool probe_clock);

}  // namespace accsim::ref
