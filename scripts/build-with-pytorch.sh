#!/usr/bin/env bash
# Builds metarl against the LibTorch of an installed PyTorch 2.x (a CUDA build on a
# GPU machine), in BUILD_DIR (default build-torch). The other dependencies come
# from the system, or, on a machine without apt (an offline GPU box), from a
# folder of Debian 12 .deb files given as DEB_DIR: they are unpacked into
# DEB_PREFIX (default /tmp/metarl-deps), never into /.
#   scripts/build-with-pytorch.sh [extra cmake args...]
# After a DEB_DIR build, run programs with
#   LD_LIBRARY_PATH=$DEB_PREFIX/usr/lib/x86_64-linux-gnu
set -euo pipefail
BUILD_DIR=${BUILD_DIR:-build-torch}
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
CXX_STD=${CXX_STD:-17}
extra=()
if [ -n "${DEB_DIR:-}" ]; then
  DEB_PREFIX=${DEB_PREFIX:-/tmp/metarl-deps}
  mkdir -p "$DEB_PREFIX"
  for f in "$DEB_DIR"/*.deb; do dpkg -x "$f" "$DEB_PREFIX"; done
  # Debian's MuJoCo target names /usr/include/libqhull_r/ absolutely.
  sed -i "s#/usr/include/libqhull_r/#$DEB_PREFIX/usr/include/libqhull_r/#" \
    "$DEB_PREFIX"/usr/lib/x86_64-linux-gnu/cmake/mujoco/mujocoTargets.cmake
  # Its config also asks for OpenGL, which libmujoco itself does not link; an
  # offline box may have no GL headers, so drop that check (no rendering then).
  if ! [ -e /usr/include/GL/gl.h ]; then
    sed -i '/find_dependency(OpenGL)/d' "$DEB_PREFIX"/usr/lib/x86_64-linux-gnu/cmake/mujoco/mujocoConfig.cmake
  fi
  export LD_LIBRARY_PATH="$DEB_PREFIX/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  extra+=("-DCMAKE_PREFIX_PATH=$DEB_PREFIX/usr;$DEB_PREFIX/usr/lib/x86_64-linux-gnu/cmake;$DEB_PREFIX/usr/share/eigen3/cmake"
          "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,$DEB_PREFIX/usr/lib/x86_64-linux-gnu")
fi
# No EGL or OSMesa headers (here or in DEB_PREFIX): build without headless rendering.
have_header() { [ -e "/usr/include/$1" ] || [ -e "${DEB_PREFIX:-/nonexistent}/usr/include/$1" ]; }
if ! have_header EGL/egl.h || ! have_header GL/osmesa.h; then
  extra+=("-DMETARL_RENDERING=OFF")
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DMETARL_TORCH_FROM_PYTHON=ON -DMETARL_PYTHON="$PYTHON" -DCMAKE_CXX_STANDARD="$CXX_STD" \
  -DMETARL_USE_CCACHE=OFF "${extra[@]}" "$@"
cmake --build "$BUILD_DIR" -j "$JOBS"
