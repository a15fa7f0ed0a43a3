#pragma once
// `mpirun -np N accsim sweep ...` (sim/README.md, `sweep`): rank 0 coordinates,
// ranks 1..N-1 are workers that each run up to `-j` points at a time as child `accsim run`
// processes. Rank 0 hands out point indices one slot at a time (dynamic balancing: points differ
// in run time), records each exit code and writes the summary; reports, logs and stamps go to
// the results folder, which every rank must see (one machine, or a shared file system).
// Built when CMake finds MPI (Debian: libopenmpi-dev); otherwise a launch under mpirun is
// refused with a clear error rather than running the sweep N times.
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace accsim::cli {

// True if this process was started by mpirun/mpiexec (Open MPI, PMI or PMIx environment).
bool launched_by_mpirun();

// This process's rank as mpirun's environment gives it (before MPI_Init); 0 if none.
int rank_from_env();

// Whether this accsim was built with MPI.
bool mpi_available();

// MPI_Init on construction, MPI_Finalize on destruction (only built with MPI).
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every rank with `code` (after a rank-0 error that workers would otherwise wait on).
  [[noreturn]] void abort(int code);

 private:
  int rank_ = 0, size_ = 1;
};

// Rank 0: hands `pending` out to the workers' slots (`slots_per_worker` each, ranks 1..size-1) and
// calls on_done(index, exit code) as results come back. Returns when every slot is closed.
void mpi_coordinate(const MpiSession& s, const std::vector<std::size_t>& pending,
                    int slots_per_worker, const std::function<void(std::size_t, int)>& on_done);

// Ranks 1..size-1: asks for points, `jobs` at a time; start(index) starts a child process and
// returns its pid. Returns when rank 0 has no more points and the children have ended.
void mpi_work(const MpiSession& s, int jobs, const std::function<pid_t(std::size_t)>& start);

}  // namespace accsim::cli
