//===- FaultInjection.h - Faults on demand for robustness tests --*- C++ -*-===//
//
// Hidden options that make the allocation process crash or hang after a given
// number of client decisions, so that the driver's handling of both can be
// tested against the real process.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_FAULTINJECTION_H
#define RL4REAL_FAULTINJECTION_H

namespace rl4real {

/// Called after the Decisions-th client decision of a function.
void injectFaultsAfter(unsigned Decisions);

} // namespace rl4real

#endif
