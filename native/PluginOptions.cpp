//===- PluginOptions.cpp - Command-line options of the allocator ----------===//

#include "PluginOptions.h"

using namespace llvm;
using namespace rl4real;

cl::opt<int> opts::ClientFd(
    "rl4real-fd",
    cl::desc("Serve allocation decisions to the driver on this inherited, "
             "connected unix socket; without it, allocate with the built-in "
             "heuristic"),
    cl::init(-1));
cl::opt<unsigned> opts::ClientTimeout(
    "rl4real-timeout",
    cl::desc("Seconds to wait for the client's next action before finishing "
             "with the heuristic"),
    cl::init(schema::DefaultClientTimeout));
cl::opt<unsigned> opts::MaxDecisions(
    "rl4real-max-decisions",
    cl::desc("Most client decisions per function (0: 40 per node + 1000)"),
    cl::init(0));
cl::opt<std::string> opts::FiguresOutput(
    "rl4real-figures-output",
    cl::desc("Append each function's allocation figures as JSON lines here"),
    cl::init(""));

cl::opt<std::string> opts::ModelPath(
    "rl4real-model",
    cl::desc("Decide in-process with this native policy file (rl4real "
             "export --format native); its sizes replace -rl4real-max-nodes, "
             "-rl4real-max-edges and -rl4real-max-split-points"),
    cl::init(""));
cl::opt<std::string> opts::DecisionsOutput(
    "rl4real-decisions-output",
    cl::desc("With -rl4real-model, append every decision of the policy here "
             "(function, phase, choice: a line each)"),
    cl::init(""));
cl::opt<bool> opts::Summary(
    "rl4real-summary",
    cl::desc("With -rl4real-model, print a line on stderr at the end of the "
             "module: what the policy and the heuristic decided"),
    cl::init(false));

static cl::opt<unsigned> MaxNodes("rl4real-max-nodes",
                                  cl::desc("Most agent nodes per function"),
                                  cl::init(schema::DefaultMaxNodes));
static cl::opt<unsigned> MaxEdges("rl4real-max-edges",
                                  cl::desc("Most interference edges offered"),
                                  cl::init(schema::DefaultMaxEdges));
static cl::opt<unsigned>
    MaxSplitPoints("rl4real-max-split-points",
                   cl::desc("Most split points offered per node"),
                   cl::init(schema::DefaultMaxSplitPoints));
static cl::opt<unsigned>
    MaxSplitsPerNode("rl4real-max-splits-per-node",
                     cl::desc("Most splits of one node's descendants"),
                     cl::init(schema::DefaultMaxSplitsPerNode));

DecisionLimits opts::limits() {
  return DecisionLimits{MaxNodes, MaxEdges, MaxSplitPoints, MaxSplitsPerNode};
}
