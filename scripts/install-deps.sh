#!/usr/bin/env bash
# Installs every build/run dependency of metarl from Debian 12 packages.
# Idempotent: packages already present are skipped; apt runs only when something is missing.
# Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake make git
  libtorch-dev            # LibTorch 1.13 (CPU)
  libopenblas0-pthread    # BLAS for LibTorch: ~5x faster linear layers than reference BLAS
  libmujoco-dev           # MuJoCo 2.2.2
  libqhull-dev            # needed by Debian's mujoco::mujoco CMake target (include dir)
  libeigen3-dev
  libboost-program-options-dev
  libyaml-cpp-dev
  libgtest-dev
  libpng-dev              # PNG decoding of the few-shot image datasets (Omniglot), PNG frames
  libjpeg-dev             # JPEG decoding of the colour few-shot datasets (mini-/tiered-ImageNet)
  libegl-dev              # headless OpenGL context for rendering (EGL; headers + libEGL)
  libosmesa6-dev          # the other headless OpenGL backend (OSMesa; headers + libOSMesa)
  libgl1-mesa-dri         # Mesa's software OpenGL driver: rendering without a GPU
  ffmpeg                  # video encoding of rendered rollouts (mp4, gif); ffprobe in the tests
  gnuplot-nox             # PNG plots: adaptation curves (metarl eval), learning curves (metarl plot)
  libopenmpi-dev          # distributed training over MPI (mpi.h, libmpi; CMake METARL_MPI)
  openmpi-bin             # mpirun: distributed runs and their test
  openssh-client          # Open MPI's mpirun will not start, even for local ranks, without ssh/rsh on PATH
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
