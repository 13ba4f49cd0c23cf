//===- FaultInjection.cpp - Faults on demand for robustness tests ---------===//

#include "FaultInjection.h"
#include "llvm/Support/CommandLine.h"
#include <cstdlib>
#include <unistd.h>

using namespace llvm;

static cl::opt<int> InjectCrashAfter(
    "rl4real-inject-crash-after", cl::Hidden, cl::init(-1),
    cl::desc("Abort after this many client decisions (testing only)"));
static cl::opt<int> InjectHangAfter(
    "rl4real-inject-hang-after", cl::Hidden, cl::init(-1),
    cl::desc("Stop responding after this many client decisions (testing "
             "only)"));

static cl::opt<bool> SelfCheck(
    "rl4real-self-check", cl::Hidden, cl::init(false),
    cl::desc("Check incrementally kept state against a fresh computation "
             "before every state sent; a difference is a fatal error "
             "(testing only)"));

bool rl4real::selfChecking() { return SelfCheck; }

void rl4real::injectFaultsAfter(unsigned Decisions) {
  if (InjectCrashAfter >= 0 && Decisions > unsigned(InjectCrashAfter))
    std::abort();
  if (InjectHangAfter >= 0 && Decisions > unsigned(InjectHangAfter))
    for (;;)
      pause();
}
