//===- ProcessLifetime.h - Never outlive the driver -------------*- C++ -*-===//
//
// A process started by the rl4real driver must not outlive it: an allocation
// process left waiting for a client that is gone holds memory and CPU for as
// long as its timeouts say (issue 18: half an hour).
//
// Linux kills a process when its parent ends once the process has asked for it
// with PR_SET_PDEATHSIG. Asking is not enough on its own: if the parent ended
// before the request, no signal comes. So the driver names itself (its PID in
// the RL4REAL_PARENT_PID environment variable), and the process first asks for
// the signal, then checks that its parent is still the process named. If the
// parent ends after the request, the kernel sends the signal; if it ended
// before, the process has already been given another parent and the check
// fails. Either way the process ends; there is no window in between.
//
// Nothing here depends on llc or LLVM: any host (llc loading the plugin, an
// allocation server and the children it forks) can use it.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_PROCESSLIFETIME_H
#define RL4REAL_PROCESSLIFETIME_H

#include <sys/types.h>

namespace rl4real {

/// The environment variable through which a driver passes its own PID.
inline constexpr const char ParentPidVar[] = "RL4REAL_PARENT_PID";

/// When RL4REAL_PARENT_PID is set, ties this process's life to that parent
/// (see guardParentLifetime(pid_t)) and removes the variable from the
/// environment, so that processes started from here do not inherit a PID that
/// is not their parent's. Exits with status 1 and a message on stderr when the
/// value is not a PID. Does nothing when the variable is not set or empty.
///
/// Call it as early as possible, before starting threads (it changes the
/// environment): in a plugin, from a static initializer (ParentLifetimeGuard).
void guardParentLifetime();

/// Makes the kernel send SIGKILL to this process when its parent ends, then
/// exits at once (status 1, message on stderr) if the parent is not
/// ExpectedParent any more, i.e. it ended before the signal was armed.
///
/// A process that forks children which must not outlive it calls this in each
/// child with its own PID, taken before fork().
void guardParentLifetime(pid_t ExpectedParent);

/// In the copy made by a fork whose middle process is exiting (so that the
/// copy outlives the process it was copied from): waits until Reaper, a
/// subreaper, has adopted this process, then dies with it. Exits at once if
/// another process adopts it (Reaper has ended).
void awaitAdoption(pid_t Reaper);

/// Calls guardParentLifetime() when constructed: a static instance in a
/// plugin arms the guard as soon as the host loads the plugin.
struct ParentLifetimeGuard {
  ParentLifetimeGuard() { guardParentLifetime(); }
};

} // namespace rl4real

#endif
