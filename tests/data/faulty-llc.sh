#!/bin/sh
# llc-19 with one fault, for tests (point RL4REAL_LLC at this file):
#   FAULTY_LLC_REAL       the real llc (required)
#   FAULTY_LLC_KIND       crash | hang | verifier
#   FAULTY_LLC_ALLOCATOR  the -regalloc value that gets the fault (e.g. basic)
#   FAULTY_LLC_FUNCTION   optional: only for input modules that define this function
# The fault hits runs that allocate with that allocator (not -stop-before runs, which
# stop before allocation); every other run is the real llc, unchanged.
#   crash:    the process kills itself with SIGSEGV
#   hang:     it sleeps until it is killed
#   verifier: the real llc allocates, the block live-ins of its MIR output are deleted
#             (the allocation is corrupted) and the real machine verifier checks it
real=${FAULTY_LLC_REAL:?set FAULTY_LLC_REAL to the real llc-19}
allocates=no stops_before=no module="" out="" prev=""
for arg in "$@"; do
  case "$arg" in
    "-regalloc=$FAULTY_LLC_ALLOCATOR") allocates=yes ;;
    -stop-before=*) stops_before=yes ;;
    *.ll | *.bc) module=$arg ;;
  esac
  [ "$prev" = "-o" ] && out=$arg
  prev=$arg
done
if [ "$allocates" = no ] || [ "$stops_before" = yes ]; then
  exec "$real" "$@"
fi
if [ -n "$FAULTY_LLC_FUNCTION" ] && ! grep -q "^define .*@$FAULTY_LLC_FUNCTION(" "$module"; then
  exec "$real" "$@"
fi
case "$FAULTY_LLC_KIND" in
  crash) kill -s SEGV $$ ;;
  hang) exec sleep 3600 ;;
  verifier)
    case "$out" in
      *.mir) ;;
      *) echo "faulty-llc.sh: the verifier fault needs MIR output (-stop-after=...), not $out" >&2; exit 2 ;;
    esac
    "$real" "$@" || exit $?
    sed -i '/^    liveins:/d' "$out"
    exec "$real" -run-pass=machineverifier "$out" -o /dev/null ;;
  *) echo "faulty-llc.sh: FAULTY_LLC_KIND must be crash, hang or verifier, not '$FAULTY_LLC_KIND'" >&2; exit 2 ;;
esac
