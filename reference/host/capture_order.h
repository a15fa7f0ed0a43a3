#pragma once
// Host side of the version-2 capture: the order of the records in the file, and a check of the
// structure the format requires (workloads/trace/access_trace_format.h, "Record kinds").
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/trace/access_trace_format.h"

namespace accsim::ref {

// Orders a capture buffer (records in the order their slots were claimed) for the file:
//  1. per (kernel, CTA, warp), timestamps are made non-decreasing in buffer order: one warp's
//     slots are claimed in program order (a thread's atomics on one address are ordered), so
//     this only undoes a timer that stepped back, and the sort below keeps each warp's order;
//  2. per (kernel, CTA), the cta_begin record (written by warp 0 at its start, unsynchronised
//     with the other warps) takes the smallest timestamp of the CTA's records, so that it is
//     never later than the CTA's first record;
//  3. a stable sort by timestamp, cta_begin first among equal timestamps, buffer order otherwise
//     (%globaltimer is coarse).
void order_capture_records(std::vector<workloads::AccessRecord>& records);

// Checks, per kernel index, the version-2 structure of ordered records: every CTA that has
// records has exactly one cta_begin, before its other records; every warp 0 .. warps-1 of such
// a CTA has exactly one warp_exit, its last record; no record names a warp >= warps. `warps`
// holds ceil(block threads / 32) per kernel index. Returns "" or the first problems found.
std::string capture_structure_errors(const std::vector<workloads::AccessRecord>& records,
                                     const std::vector<std::uint32_t>& warps);

}  // namespace accsim::ref
