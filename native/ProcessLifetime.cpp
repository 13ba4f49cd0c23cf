//===- ProcessLifetime.cpp - Allocation processes never outlive their driver -===//

#include "ProcessLifetime.h"
#include <csignal>
#include <cstdlib>
#include <sys/prctl.h>
#include <unistd.h>

using namespace rl4real;

void rl4real::dieWithParent(pid_t Expected) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != Expected)
    _exit(1);
}

void rl4real::guardParentLifetime() {
  const char *Value = getenv("RL4REAL_PARENT_PID");
  if (!Value || !*Value)
    return;
  pid_t Expected = pid_t(atol(Value));
  unsetenv("RL4REAL_PARENT_PID");
  dieWithParent(Expected);
}

void rl4real::awaitAdoption(pid_t Reaper) {
  // The middle process exits right after forking us; the kernel then hands
  // us to the nearest subreaper. If that is not Reaper, Reaper is gone.
  pid_t Parent;
  for (unsigned Spin = 0; (Parent = getppid()) != Reaper; ++Spin) {
    if (Spin > 100000 || Parent == 1)
      _exit(1);
    usleep(10);
  }
  dieWithParent(Reaper);
}
