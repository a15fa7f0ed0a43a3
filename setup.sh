#!/usr/bin/env bash
# accsim setup: installs missing Debian packages, configures, builds, then runs what is asked.
#   bash setup.sh demo   build (Release), run the default study (all targets, comparison table)
#                        and the cross-target compare of one GPT-2 medium step
#   bash setup.sh test   build with AddressSanitizer + UndefinedBehaviorSanitizer, run every test
#   bash setup.sh build  only build (Release) into build/
# Environment: JOBS (parallel build jobs, default 2), BUILD_DIR, ACCSIM_LONG_SCALE (scales the
# labelled long tests; the sanitizer run uses a smaller scale, see tests/README.md).
set -euo pipefail
cd "$(dirname "$0")"
MODE="${1:-demo}"
JOBS="${JOBS:-2}"

PACKAGES=(build-essential cmake ninja-build pkg-config libsystemc-dev libboost-dev
          libboost-program-options-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
          libyaml-cpp-dev nlohmann-json3-dev libzstd-dev zstd libopenmpi-dev openmpi-bin)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing missing packages: ${missing[*]}"
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
      sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

configure_build() {  # $1 = build dir, rest = cmake args (SRC_DIR: source folder, default .)
  local dir="$1"; shift
  cmake -S "${SRC_DIR:-.}" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

install_missing
case "$MODE" in
  build)
    configure_build "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE=Release
    ;;
  demo)
    configure_build "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE=Release -DACCSIM_TESTS=OFF -DACCSIM_BENCH=OFF \
      -DACCSIM_REFERENCE=OFF
    "${BUILD_DIR:-build}/sim/cli/accsim" study configs/studies/default.yaml -o results/default
    "${BUILD_DIR:-build}/sim/cli/accsim" compare configs/studies/compare_gpt2.yaml -o results/compare-gpt2
    ;;
  test)
    dir="${BUILD_DIR:-build-asan}"
    configure_build "$dir" -DCMAKE_BUILD_TYPE=Debug -DACCSIM_SANITIZE=ON -DACCSIM_BENCH=OFF
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    export ACCSIM_LONG_SCALE="${ACCSIM_LONG_SCALE:-0.25}"
    status=0
    ctest --test-dir "$dir" -j "$JOBS" --output-on-failure --timeout 900 || status=$?
    # reference/ (CUDA) cannot take the sanitizer flags through nvcc: it is built on its own,
    # as on the GPU machine, and its host tests run; its GPU tests skip without a GPU.
    if command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]]; then
      export PATH="$PATH:/usr/local/cuda/bin"
      SRC_DIR=reference configure_build build-reference -DCMAKE_BUILD_TYPE=Release
      ctest --test-dir build-reference -j "$JOBS" --output-on-failure --timeout 600 || status=$?
    else
      echo "setup: nvcc not found: skipping the reference/ (CUDA) build and its tests"
    fi
    # Tests write to /dev/null, many as root: none may have replaced it with a regular file.
    if [[ ! -c /dev/null ]]; then
      echo "setup: FAIL: /dev/null is no longer a character device after the tests" >&2
      status=1
    fi
    exit $status
    ;;
  *)
    echo "usage: bash setup.sh demo|test|build" >&2; exit 2
    ;;
esac
