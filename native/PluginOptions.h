//===- PluginOptions.h - Command-line options of the allocator ---*- C++ -*-===//
//
// The options of -regalloc=rl4real, the same in llc and in rl4real-server.
// Their defaults come from rl4real_gym/schema.json (Schema.h).
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_PLUGINOPTIONS_H
#define RL4REAL_PLUGINOPTIONS_H

#include "DecisionState.h"
#include "llvm/Support/CommandLine.h"
#include <string>

namespace rl4real {
namespace opts {

extern llvm::cl::opt<int> ClientFd;
extern llvm::cl::opt<unsigned> ClientTimeout;
extern llvm::cl::opt<unsigned> MaxDecisions;
extern llvm::cl::opt<std::string> FiguresOutput;
extern llvm::cl::opt<std::string> ModelPath;
extern llvm::cl::opt<std::string> DecisionsOutput;
extern llvm::cl::opt<bool> Summary;

/// The sizes the agent may be offered.
DecisionLimits limits();

} // namespace opts
} // namespace rl4real

#endif
