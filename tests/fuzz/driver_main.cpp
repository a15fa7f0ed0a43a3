// main() for the driver builds of the fuzz targets (see driver.h); libFuzzer builds use its own.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/driver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  return accsim::fuzz::run_driver(argc, argv, LLVMFuzzerTestOneInput);
}
