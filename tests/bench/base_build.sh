# Sourced by the *_vs_base.sh benchmarks: checks the tools they need and sets BASE_BIN to the
# accsim of commit BASE_REV, built once into build-base-<rev>/ (Release, accsim only, from a git
# worktree) unless BASE_BIN is already given. Needs BIN, BASE_REV and BASE_BIN set.
[[ -x "$BIN" ]] || { echo "no accsim at $BIN: build first (bash setup.sh build)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }

if [[ -z "$BASE_BIN" ]]; then
  dir="build-base-$BASE_REV"
  BASE_BIN="$dir/build/sim/cli/accsim"
  if [[ ! -x "$BASE_BIN" ]]; then
    echo "building accsim at $BASE_REV into $dir (once) ..."
    rm -rf "$dir"
    git worktree add --detach "$dir" "$BASE_REV" >/dev/null
    cmake -S "$dir" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DACCSIM_TESTS=OFF \
      -DACCSIM_BENCH=OFF -DACCSIM_REFERENCE=OFF >/dev/null
    cmake --build "$dir/build" -j "${JOBS:-2}" --target accsim >/dev/null
  fi
fi
