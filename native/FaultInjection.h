//===- FaultInjection.h - Faults and self-checks for tests -------*- C++ -*-===//
//
// Hidden options that make the allocation process crash or hang after a given
// number of client decisions, so that the driver's handling of both can be
// tested against the real process; and one that checks, before every state
// sent, what the decision state keeps incrementally against a fresh
// computation.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_FAULTINJECTION_H
#define RL4REAL_FAULTINJECTION_H

namespace rl4real {

/// Called after the Decisions-th client decision of a function.
void injectFaultsAfter(unsigned Decisions);

/// Whether -rl4real-self-check is on.
bool selfChecking();

} // namespace rl4real

#endif
