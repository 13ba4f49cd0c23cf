//===- ProcessLifetime.h - Allocation processes never outlive their driver -===//
//
// Every process that allocates for a Python driver dies with it: the kernel
// kills it when its parent dies (PR_SET_PDEATHSIG), and each process checks,
// right after asking for that, that its parent is still the one it expects,
// so a parent that died earlier cannot be missed.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_PROCESSLIFETIME_H
#define RL4REAL_PROCESSLIFETIME_H

#include <sys/types.h>

namespace rl4real {

/// The driver names itself in RL4REAL_PARENT_PID when it starts a process;
/// the process dies with it from then on (exiting now if it is already
/// gone). Consumes the variable, so that processes started from here are not
/// held to a parent that is not theirs. Without it, does nothing.
void guardParentLifetime();

/// Asks for SIGKILL when the parent dies; exits at once if the parent is no
/// longer Expected.
void dieWithParent(pid_t Expected);

/// In a fork's copy whose middle process is exiting: waits until Reaper
/// (a subreaper) has adopted this process, then dies with it.
void awaitAdoption(pid_t Reaper);

} // namespace rl4real

#endif
