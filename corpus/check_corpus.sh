#!/usr/bin/env bash
# Builds every corpus program for x86-64 (-O0, -O2) and AArch64 (-O2, run under
# qemu), runs them, and diffs stdout against programs/<name>.expected.
#
# Usage: bash corpus/check_corpus.sh [options] [name ...]
#   --full       also build x86-64 -O1/-O3 and AArch64 -O0/-O3
#   --sanitize   also build x86-64 -O1 with sanitizers (gcc ASan+UBSan, clang UBSan in trap mode)
#   --update     regenerate .expected from a plain x86-64 -O2 build before checking
#   -j N         parallel jobs (default: nproc)
# Environment:
#   CC=clang-19              compiler used for all clang builds
#   EXTRA_CFLAGS="..."       appended to every optimised (-O1/-O2/-O3) clang build, e.g.
#                            "-mllvm -regalloc=pbqp" (LLVM refuses non-fast allocators at -O0)
#   EXTRA_CFLAGS_O0="..."    appended to -O0 clang builds (default: nothing)
#   QEMU=qemu-aarch64-static
#   AARCH64_SYSROOT=/usr/aarch64-linux-gnu
#   KEEP_WORK=1              keep the build directory (binaries, outputs, logs of failures)
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROG_DIR="$HERE/programs"
CC="${CC:-clang-19}"
QEMU="${QEMU:-qemu-aarch64-static}"
AARCH64_SYSROOT="${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}"
EXTRA_CFLAGS="${EXTRA_CFLAGS:-}"
EXTRA_CFLAGS_O0="${EXTRA_CFLAGS_O0:-}"
FULL=0; SANITIZE=0; UPDATE=0; JOBS="$(nproc 2>/dev/null || echo 2)"
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) FULL=1 ;;
    --sanitize) SANITIZE=1 ;;
    --update) UPDATE=1 ;;
    -j) shift; JOBS="$1" ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) NAMES+=("$(basename "${1%.c}")") ;;
  esac
  shift
done
if [ ${#NAMES[@]} -eq 0 ]; then
  for f in "$PROG_DIR"/*.c; do NAMES+=("$(basename "${f%.c}")"); done
fi

# Working command lines (see README.md).
#   x86-64 : $CC -O2 -ffp-contract=off -w prog.c -o out -lm
#   AArch64: $CC --target=aarch64-linux-gnu --gcc-toolchain=/usr -O2 -ffp-contract=off -w prog.c -o out -lm -fuse-ld=lld
#            run: qemu-aarch64-static -L /usr/aarch64-linux-gnu ./out
# (--sysroot=/usr/aarch64-linux-gnu does not link: the libc.so linker script holds
#  absolute paths that lld then re-prefixes with the sysroot, and crtbeginS.o/libgcc
#  live under /usr/lib/gcc-cross, which --gcc-toolchain=/usr finds.)
WORK="$(mktemp -d /tmp/corpus_check.XXXXXX)"
if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
export CC QEMU AARCH64_SYSROOT EXTRA_CFLAGS EXTRA_CFLAGS_O0 FULL SANITIZE UPDATE PROG_DIR WORK

check_one() {
  local name="$1" src="$PROG_DIR/$1.c" exp="$PROG_DIR/$1.expected" d="$WORK/$1"
  mkdir -p "$d"
  local fails=()
  extra_for() { if [ "$1" = O0 ]; then echo "$EXTRA_CFLAGS_O0"; else echo "$EXTRA_CFLAGS"; fi; }
  # shellcheck disable=SC2046
  build_x86() { $CC "-$1" -ffp-contract=off -w $(extra_for "$1") "$src" -o "$d/x86_$1" -lm 2>"$d/x86_$1.log"; }
  # shellcheck disable=SC2046
  build_a64() { $CC --target=aarch64-linux-gnu --gcc-toolchain=/usr "-$1" -ffp-contract=off -w $(extra_for "$1") "$src" -o "$d/a64_$1" -lm -fuse-ld=lld 2>"$d/a64_$1.log"; }
  if [ "$UPDATE" = 1 ]; then
    # reference output: plain x86-64 -O2 build with LLVM's default (greedy) allocator, no EXTRA_CFLAGS
    if $CC -O2 -ffp-contract=off -w "$src" -o "$d/ref" -lm 2>"$d/ref.log"; then timeout 20 "$d/ref" >"$exp"; else echo "[$name] x86 -O2 build failed"; cat "$d/ref.log"; fi
  fi
  if [ ! -f "$exp" ]; then echo "FAIL $name: missing .expected"; return 1; fi
  local x86_levels="O0 O2" a64_levels="O2"
  if [ "$FULL" = 1 ]; then x86_levels="O0 O1 O2 O3"; a64_levels="O0 O2 O3"; fi
  for o in $x86_levels; do
    if ! build_x86 "$o"; then fails+=("x86-$o:build"); continue; fi
    if ! timeout 20 "$d/x86_$o" >"$d/x86_$o.out" 2>"$d/x86_$o.err"; then fails+=("x86-$o:exit"); continue; fi
    cmp -s "$d/x86_$o.out" "$exp" || fails+=("x86-$o:diff")
  done
  for o in $a64_levels; do
    if ! build_a64 "$o"; then fails+=("a64-$o:build"); continue; fi
    if ! timeout 60 "$QEMU" -L "$AARCH64_SYSROOT" "$d/a64_$o" >"$d/a64_$o.out" 2>"$d/a64_$o.err"; then fails+=("a64-$o:exit"); continue; fi
    cmp -s "$d/a64_$o.out" "$exp" || fails+=("a64-$o:diff")
  done
  if [ "$SANITIZE" = 1 ]; then
    if gcc -O1 -Wall -Wextra -fsanitize=undefined,address -fno-sanitize-recover=all "$src" -o "$d/gsan" -lm 2>"$d/gsan.log"; then
      if ! timeout 60 "$d/gsan" >"$d/gsan.out" 2>"$d/gsan.err" || [ -s "$d/gsan.err" ]; then fails+=("gcc-asan-ubsan"); fi
      cmp -s "$d/gsan.out" "$exp" || fails+=("gcc-asan-ubsan:diff")
    else fails+=("gcc-asan-ubsan:build"); fi
    if $CC -O1 -Wall -Wextra -fsanitize=undefined,bounds -fsanitize-trap=all "$src" -o "$d/csan" -lm 2>"$d/csan.log"; then
      if ! timeout 60 "$d/csan" >"$d/csan.out" 2>"$d/csan.err"; then fails+=("clang-ubsan-trap"); fi
      cmp -s "$d/csan.out" "$exp" || fails+=("clang-ubsan-trap:diff")
    else fails+=("clang-ubsan-trap:build"); fi
  fi
  if [ ${#fails[@]} -eq 0 ]; then echo "PASS $name"; rm -rf "$d"; return 0; fi
  echo "FAIL $name: ${fails[*]}"
  return 1
}
export -f check_one

printf '%s\n' "${NAMES[@]}" | xargs -P "$JOBS" -I{} bash -c 'check_one "$@"' _ {} >"$WORK/results.txt"
sort "$WORK/results.txt"
PASS=$(grep -c '^PASS' "$WORK/results.txt")
FAIL=$(grep -c '^FAIL' "$WORK/results.txt")
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -eq ${#NAMES[@]} ]
