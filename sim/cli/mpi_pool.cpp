// The MPI sweep driver (mpi_pool.h). Messages: a worker sends {finished index or -1, exit code}
// whenever one of its slots is free; rank 0 answers with the next index to run or -1 (the slot
// closes). Rank 0 knows every worker has `jobs` slots, so it is done when all are closed.
#include "sim/cli/mpi_pool.h"

#include <sys/wait.h>

#include <cstdlib>
#include <map>

#include "sim/cli/runner.h"
#include "sim/core/error.h"

#ifdef ACCSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace accsim::cli {

bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

int rank_from_env() {
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"})
    if (const char* r = std::getenv(v)) return std::atoi(r);
  return 0;
}

#ifdef ACCSIM_HAVE_MPI

namespace {
constexpr int kTagFree = 1, kTagNext = 2;
}

bool mpi_available() {
  return true;
}

MpiSession::MpiSession() {
  if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS)
    throw Error(ExitCode::kInternal, "MPI_Init failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

void MpiSession::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; keep [[noreturn]] honest
}

void mpi_coordinate(const MpiSession& s, const std::vector<std::size_t>& pending,
                    int slots_per_worker, const std::function<void(std::size_t, int)>& on_done) {
  const long total_slots = static_cast<long>(s.size() - 1) * slots_per_worker;
  long closed = 0;
  std::size_t next = 0;
  while (closed < total_slots) {
    long msg[2];
    MPI_Status st;
    MPI_Recv(msg, 2, MPI_LONG, MPI_ANY_SOURCE, kTagFree, MPI_COMM_WORLD, &st);
    if (msg[0] >= 0) on_done(static_cast<std::size_t>(msg[0]), static_cast<int>(msg[1]));
    long reply = -1;
    if (next < pending.size())
      reply = static_cast<long>(pending[next++]);
    else
      ++closed;
    MPI_Send(&reply, 1, MPI_LONG, st.MPI_SOURCE, kTagNext, MPI_COMM_WORLD);
  }
}

void mpi_work(const MpiSession& s, int jobs, const std::function<pid_t(std::size_t)>& start) {
  (void)s;
  std::map<pid_t, long> running;
  // Offers a free slot (after `done`, if >= 0) and starts what rank 0 answers; false = closed.
  auto offer = [&](long done, int code) {
    long msg[2] = {done, code}, reply = -1;
    MPI_Send(msg, 2, MPI_LONG, 0, kTagFree, MPI_COMM_WORLD);
    MPI_Recv(&reply, 1, MPI_LONG, 0, kTagNext, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (reply < 0) return false;
    running[start(static_cast<std::size_t>(reply))] = reply;
    return true;
  };
  // Every slot offers itself once; rank 0 counts each slot's closing, so none may stay silent.
  for (int k = 0; k < jobs; ++k) offer(-1, 0);
  while (!running.empty()) {
    int ws = 0;
    const pid_t pid = wait(&ws);
    if (pid < 0) throw Error(ExitCode::kInternal, "wait failed");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const long i = it->second;
    running.erase(it);
    offer(i, exit_code_of(ws));
  }
  // Each slot closed either at its first offer or at the offer after its last point.
}

#else

bool mpi_available() {
  return false;
}
MpiSession::MpiSession() {
  throw Error(ExitCode::kUsage,
              "this accsim was built without MPI: install libopenmpi-dev (bash setup.sh does) "
              "and rebuild, or run the sweep without mpirun");
}
MpiSession::~MpiSession() = default;
void MpiSession::abort(int code) {
  std::_Exit(code);
}
void mpi_coordinate(const MpiSession&, const std::vector<std::size_t>&, int,
                    const std::function<void(std::size_t, int)>&) {}
void mpi_work(const MpiSession&, int, const std::function<pid_t(std::size_t)>&) {}

#endif

}  // namespace accsim::cli
