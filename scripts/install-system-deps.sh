#!/usr/bin/env bash
# Installs the Debian 12 packages rl4real-gym needs: LLVM/Clang 19 (the allocator plugin
# builds against them), protobuf for the plugin's protocol, csmith for
# differential testing, valgrind (dynamic instruction and memory-access counts of programs,
# `rl4real evaluate --programs`), and the AArch64 and RISC-V 64 cross toolchains + qemu to
# run their programs; make and cmake (also the build tools `rl4real cc`'s tests drive as a
# project's compiler).
set -euo pipefail
PKGS=(llvm-19-dev llvm-19 clang-19 lld-19 libprotobuf-dev
      protobuf-compiler cmake make ninja-build pkg-config csmith libcsmith-dev
      valgrind qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
      gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu
      python3-venv python3-pip ca-certificates)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"; exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
