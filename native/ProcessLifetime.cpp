//===- ProcessLifetime.cpp - Never outlive the driver ---------------------===//
//
// Implements the parent-death guard declared in ProcessLifetime.h. It may run
// before main() (from a plugin's static initializer), so it uses only libc:
// no LLVM, no iostreams, nothing that needs initialising first.
//
//===----------------------------------------------------------------------===//

#include "ProcessLifetime.h"
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

using namespace rl4real;

void rl4real::guardParentLifetime() {
  const char *Value = std::getenv(ParentPidVar);
  if (!Value || !*Value)
    return;
  char *End = nullptr;
  errno = 0;
  long long Pid = std::strtoll(Value, &End, 10);
  bool Valid = !*End && errno == 0 && Pid > 0 && pid_t(Pid) == Pid;
  if (!Valid) {
    std::fprintf(stderr, "rl4real: %s=\"%s\" is not a process ID\n",
                 ParentPidVar, Value);
    std::fflush(stderr);
    _exit(1);
  }
  unsetenv(ParentPidVar);
  guardParentLifetime(pid_t(Pid));
}

void rl4real::guardParentLifetime(pid_t ExpectedParent) {
#ifdef __linux__
  // Arm first, check second: the other order leaves a window in which the
  // parent can end unnoticed.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    std::perror("rl4real: prctl(PR_SET_PDEATHSIG)");
    _exit(1);
  }
#endif
  pid_t Parent = getppid();
  if (Parent != ExpectedParent) {
    std::fprintf(stderr,
                 "rl4real: the process that started this one (%d) has ended "
                 "or is not its parent (the parent is %d); exiting\n",
                 int(ExpectedParent), int(Parent));
    std::fflush(stderr);
    _exit(1);
  }
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
  guardParentLifetime(Reaper);
}
