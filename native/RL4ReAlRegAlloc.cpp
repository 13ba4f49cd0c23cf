//===- RL4ReAlRegAlloc.cpp - Register allocation by an RL agent -----------===//
//
// This file defines the rl4real register allocator (-regalloc=rl4real), the
// allocator of RL4ReAl (Venkatakeerthy et al., CC 2023) for LLVM 19 as a pass
// plugin for llc.
//
// With -rl4real-server=ADDRESS, an external agent makes every decision through
// the protocol in rl4real.proto: it selects a virtual register (node of the
// interference graph), chooses to colour-or-spill or to split it, then picks
// a physical register (or spill) or a split point. Without a server, or for
// whatever the agent does not decide, a basic-allocator-like heuristic
// decides, so llc always produces a complete, correct allocation.
//
// The structure follows LLVM's basic allocator: a driver loop that takes
// decisions one at a time, one function that applies a decision
// (selectOrSplit), and LiveRangeEdit delegate callbacks that keep the
// bookkeeping right when the spiller erases or shrinks intervals. The
// decision state, the splitter, the heuristic and the protocol server live in
// their own files.
//
//===----------------------------------------------------------------------===//

#include "AllocContext.h"
#include "AllocationCost.h"
#include "ColourTable.h"
#include "DecisionState.h"
#include "HeuristicAllocator.h"
#include "LiveRangeSplitter.h"
#include "ProcessLifetime.h"
#include "ProtocolServer.h"
#include "llvm/Analysis/AliasAnalysis.h"
#include "llvm/CodeGen/LiveDebugVariables.h"
#include "llvm/CodeGen/LiveRangeEdit.h"
#include "llvm/CodeGen/LiveStacks.h"
#include "llvm/CodeGen/MachineDominators.h"
#include "llvm/CodeGen/MachineFunctionPass.h"
#include "llvm/CodeGen/RegAllocRegistry.h"
#include "llvm/CodeGen/Spiller.h"
#include "llvm/CodeGen/TargetSubtargetInfo.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include <queue>
#include <unistd.h>

using namespace llvm;
using namespace rl4real;

#define DEBUG_TYPE "regalloc"

static cl::opt<std::string> ServerAddress(
    "rl4real-server",
    cl::desc("Serve allocation decisions to a client on this gRPC address "
             "(e.g. unix:/tmp/dir/s.sock); without it, allocate with the "
             "built-in heuristic"),
    cl::init(""));
static cl::opt<unsigned> ClientTimeout(
    "rl4real-timeout",
    cl::desc("Seconds to wait for the client's next action before finishing "
             "with the heuristic"),
    cl::init(1800));
static cl::opt<unsigned> ConnectTimeout(
    "rl4real-connect-timeout",
    cl::desc("Seconds to wait for a client to connect once the first state is "
             "ready, before finishing with the heuristic (0: as long as "
             "-rl4real-timeout)"),
    cl::init(60));
static cl::opt<unsigned> MaxNodes("rl4real-max-nodes",
                                  cl::desc("Most agent nodes per function"),
                                  cl::init(600));
static cl::opt<unsigned> MaxEdges("rl4real-max-edges",
                                  cl::desc("Most interference edges offered"),
                                  cl::init(30000));
static cl::opt<unsigned>
    MaxSplitPoints("rl4real-max-split-points",
                   cl::desc("Most split points offered per node"),
                   cl::init(200));
static cl::opt<unsigned>
    MaxSplitsPerNode("rl4real-max-splits-per-node",
                     cl::desc("Most splits of one node's descendants"),
                     cl::init(10));
static cl::opt<unsigned> MaxDecisions(
    "rl4real-max-decisions",
    cl::desc("Most client decisions per function (0: 40 per node + 1000)"),
    cl::init(0));
// Fault injection for the driver's robustness tests (hidden).
static cl::opt<int> InjectCrashAfter(
    "rl4real-inject-crash-after", cl::Hidden, cl::init(-1),
    cl::desc("Abort llc after this many client decisions (testing only)"));
static cl::opt<int> InjectHangAfter(
    "rl4real-inject-hang-after", cl::Hidden, cl::init(-1),
    cl::desc("Stop responding after this many client decisions (testing only)"));
static cl::opt<std::string> FiguresOutput(
    "rl4real-figures-output",
    cl::desc("Append each function's allocation figures as JSON lines here"),
    cl::init(""));

namespace {

struct HeavierFirst {
  bool operator()(const std::pair<float, unsigned> &A,
                  const std::pair<float, unsigned> &B) const {
    if (A.first != B.first)
      return A.first < B.first;
    return A.second > B.second; // lower register number first on ties
  }
};

/// The rl4real allocator: an agent (or the heuristic) decides, one virtual
/// register at a time, between colouring, spilling and splitting.
class RL4ReAlRegAlloc : public MachineFunctionPass,
                        private LiveRangeEdit::Delegate,
                        private AllocationEditor {
public:
  static char ID;
  RL4ReAlRegAlloc() : MachineFunctionPass(ID) {}

  StringRef getPassName() const override {
    return "RL4ReAl Register Allocator";
  }
  void getAnalysisUsage(AnalysisUsage &AU) const override;
  bool doInitialization(Module &M) override;
  bool doFinalization(Module &M) override;
  bool runOnMachineFunction(MachineFunction &MF) override;
  void releaseMemory() override;

  MachineFunctionProperties getRequiredProperties() const override {
    return MachineFunctionProperties().set(
        MachineFunctionProperties::Property::NoPHIs);
  }
  MachineFunctionProperties getClearedProperties() const override {
    return MachineFunctionProperties().set(
        MachineFunctionProperties::Property::IsSSA);
  }

private:
  // Driver loops.
  void seed(SmallVectorImpl<Register> &AgentRegs);
  void driveClient();
  void runHeuristic();
  void enqueue(Register Reg);
  State baseState() const;

  /// Applies the client's Action; returns an error message if it is illegal.
  std::string selectOrSplit(const Action &A);
  void split(unsigned Node, const SplitPoint &Point);

  // AllocationEditor.
  void assign(Register VirtReg, MCRegister PhysReg) override;
  void spill(Register VirtReg, SmallVectorImpl<Register> &NewVRegs) override;

  // LiveRangeEdit::Delegate.
  bool LRE_CanEraseVirtReg(Register VirtReg) override;
  void LRE_WillShrinkVirtReg(Register VirtReg) override;
  void reassignShrunk();

  AllocContext Ctx;
  std::unique_ptr<Spiller> SpillerInstance;
  std::unique_ptr<ColourTable> Colours;
  std::unique_ptr<LiveRangeSplitter> Splitter;
  std::unique_ptr<DecisionState> Decisions;
  std::unique_ptr<HeuristicAllocator> Heuristic;
  std::priority_queue<std::pair<float, unsigned>,
                      std::vector<std::pair<float, unsigned>>, HeavierFirst>
      Queue;
  SmallPtrSet<MachineInstr *, 32> DeadRemats;
  SmallVector<std::pair<Register, MCRegister>, 4> Shrunk;
  SmallVector<Register, 8> Deferred;

  // Per-function figures.
  unsigned NumSplits = 0, NumSpilled = 0, NumEvictions = 0,
           NumAgentDecisions = 0, NumHeuristicDecisions = 0, NumSteps = 0;
  double LastWeight = 0, LastSplitWeight = 0;

  // Per-module session.
  static std::unique_ptr<ProtocolServer> Server;
  static bool SentColours;
};

char RL4ReAlRegAlloc::ID = 0;
std::unique_ptr<ProtocolServer> RL4ReAlRegAlloc::Server;
bool RL4ReAlRegAlloc::SentColours = false;

} // end anonymous namespace

void RL4ReAlRegAlloc::getAnalysisUsage(AnalysisUsage &AU) const {
  AU.setPreservesCFG();
  AU.addRequired<AAResultsWrapperPass>();
  AU.addPreserved<AAResultsWrapperPass>();
  AU.addRequired<LiveIntervalsWrapperPass>();
  AU.addPreserved<LiveIntervalsWrapperPass>();
  AU.addPreserved<SlotIndexesWrapperPass>();
  AU.addRequired<LiveDebugVariables>();
  AU.addPreserved<LiveDebugVariables>();
  AU.addRequired<LiveStacks>();
  AU.addPreserved<LiveStacks>();
  AU.addRequired<MachineBlockFrequencyInfoWrapperPass>();
  AU.addPreserved<MachineBlockFrequencyInfoWrapperPass>();
  AU.addRequired<MachineDominatorTreeWrapperPass>();
  AU.addPreserved<MachineDominatorTreeWrapperPass>();
  AU.addRequired<MachineLoopInfoWrapperPass>();
  AU.addPreserved<MachineLoopInfoWrapperPass>();
  AU.addRequired<VirtRegMap>();
  AU.addPreserved<VirtRegMap>();
  AU.addRequired<LiveRegMatrix>();
  AU.addPreserved<LiveRegMatrix>();
  MachineFunctionPass::getAnalysisUsage(AU);
}

// Never outlive the driver that started us. Armed when llc loads the plugin
// (-load is handled while the command line is parsed, before the IR is read),
// and against the driver's own PID, so a driver that died earlier is noticed.
static ParentLifetimeGuard GuardParentLifetime;

bool RL4ReAlRegAlloc::doInitialization(Module &M) {
  if (ServerAddress.empty() || Server)
    return false;
  std::string Error;
  Server = ProtocolServer::start(ServerAddress, Error,
                                 std::chrono::seconds(ConnectTimeout));
  if (!Server)
    report_fatal_error(Twine("rl4real: ") + Error);
  return false;
}

bool RL4ReAlRegAlloc::doFinalization(Module &M) {
  if (Server) {
    State Last;
    Last.set_phase(PHASE_MODULE_DONE);
    Last.set_current_node(-1);
    Server->finish(Last, std::chrono::seconds(10));
    Server.reset();
  }
  return false;
}

void RL4ReAlRegAlloc::releaseMemory() {
  SpillerInstance.reset();
  Decisions.reset();
  Heuristic.reset();
  Splitter.reset();
  Ctx.SpillWeights.reset();
}

//===----------------------------------------------------------------------===//
// Edits and their bookkeeping
//===----------------------------------------------------------------------===//

void RL4ReAlRegAlloc::assign(Register VirtReg, MCRegister PhysReg) {
  Ctx.Matrix->assign(Ctx.LIS->getInterval(VirtReg), PhysReg);
  Decisions->setStatus(VirtReg, NodeStatus::Assigned, PhysReg);
}

void RL4ReAlRegAlloc::spill(Register VirtReg,
                            SmallVectorImpl<Register> &NewVRegs) {
  LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  if (Ctx.VRM->hasPhys(VirtReg))
    Ctx.Matrix->unassign(LI);
  // The spiller may leave the interval or erase it; the node is spilled
  // either way.
  Decisions->setStatus(VirtReg, NodeStatus::Spilled);
  LiveRangeEdit LRE(&LI, NewVRegs, *Ctx.MF, *Ctx.LIS, Ctx.VRM, this,
                    &DeadRemats);
  SpillerInstance->spill(LRE);
  ++NumSpilled;
  reassignShrunk();
}

bool RL4ReAlRegAlloc::LRE_CanEraseVirtReg(Register VirtReg) {
  LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  if (Decisions->nodeOf(VirtReg) >= 0 &&
      Decisions->status(Decisions->nodeOf(VirtReg)) != NodeStatus::Spilled)
    Decisions->setStatus(VirtReg, NodeStatus::Gone);
  if (Ctx.VRM->hasPhys(VirtReg)) {
    Ctx.Matrix->unassign(LI);
    return true;
  }
  // Not assigned: it is waiting in a queue, which drops empty intervals.
  LI.clear();
  return false;
}

void RL4ReAlRegAlloc::LRE_WillShrinkVirtReg(Register VirtReg) {
  if (!Ctx.VRM->hasPhys(VirtReg))
    return;
  // Take it out of the matrix while it changes; reassigned afterwards.
  Shrunk.push_back({VirtReg, Ctx.VRM->getPhys(VirtReg)});
  Ctx.Matrix->unassign(Ctx.LIS->getInterval(VirtReg));
}

void RL4ReAlRegAlloc::reassignShrunk() {
  Ctx.Matrix->invalidateVirtRegs();
  for (auto [Reg, PhysReg] : Shrunk) {
    if (!Ctx.LIS->hasInterval(Reg) || Ctx.MRI->reg_nodbg_empty(Reg))
      continue;
    LiveInterval &LI = Ctx.LIS->getInterval(Reg);
    Decisions->refresh(Reg);
    // A shrunk interval still fits where it was.
    if (!LI.empty() && Ctx.Matrix->checkInterference(LI, PhysReg) ==
                           LiveRegMatrix::IK_Free)
      assign(Reg, PhysReg);
    else if (Decisions->nodeOf(Reg) >= 0)
      Decisions->setStatus(Reg, NodeStatus::Pending);
    else
      enqueue(Reg);
  }
  Shrunk.clear();
}

//===----------------------------------------------------------------------===//
// Heuristic queue
//===----------------------------------------------------------------------===//

void RL4ReAlRegAlloc::enqueue(Register Reg) {
  if (!Ctx.LIS->hasInterval(Reg))
    return;
  const LiveInterval &LI = Ctx.LIS->getInterval(Reg);
  float W = LI.isSpillable() ? LI.weight() : huge_valf;
  Queue.push({W, Reg.id()});
}

void RL4ReAlRegAlloc::runHeuristic() {
  while (!Queue.empty()) {
    Register Reg(Queue.top().second);
    Queue.pop();
    if (!Ctx.LIS->hasInterval(Reg) || Ctx.VRM->hasPhys(Reg))
      continue;
    // Registers with only undef uses have empty intervals but still need a
    // register (any will do): the heuristic gives them the first free one.
    if (Ctx.MRI->reg_nodbg_empty(Reg)) {
      Decisions->setStatus(Reg, NodeStatus::Gone);
      continue;
    }
    Ctx.Matrix->invalidateVirtRegs();
    const LiveInterval &LI = Ctx.LIS->getInterval(Reg);
    SmallVector<Register, 4> NewVRegs;
    MCRegister PhysReg = Heuristic->selectOrSpill(LI, NewVRegs, NumEvictions);
    ++NumHeuristicDecisions;
    if (PhysReg == MCRegister::from(~0u)) {
      // Only possible with impossible constraints (e.g. inline asm).
      Ctx.MF->getFunction().getContext().emitError(
          "rl4real: ran out of registers during register allocation");
      ArrayRef<MCPhysReg> Order =
          Ctx.RegClassInfo.getOrder(Ctx.MRI->getRegClass(Reg));
      if (Order.empty())
        report_fatal_error("no registers from class available to allocate");
      Ctx.VRM->assignVirt2Phys(Reg, Order.front());
    } else if (PhysReg) {
      assign(Reg, PhysReg);
    }
    for (Register New : NewVRegs)
      enqueue(New);
  }
}

//===----------------------------------------------------------------------===//
// Client decisions
//===----------------------------------------------------------------------===//

void RL4ReAlRegAlloc::split(unsigned Node, const SplitPoint &Point) {
  Register V = Decisions->reg(Node);
  unsigned Splits = Decisions->splits(Node) + 1;
  LastWeight = Ctx.LIS->getInterval(V).weight();
  SmallVector<Register, 4> NewRegs;
  if (!Splitter->split(V, *Point.MI, NewRegs))
    return;
  ++NumSplits;
  Decisions->refresh(V);
  // Only spillable parts carry a finite weight; unspillable ones count as 0 so
  // that per-step rewards stay comparable before and after a split.
  auto FiniteWeight = [&](Register R) {
    const LiveInterval &LI = Ctx.LIS->getInterval(R);
    return LI.isSpillable() ? double(LI.weight()) : 0.0;
  };
  LastSplitWeight = FiniteWeight(V);
  for (Register R : NewRegs) {
    LastSplitWeight += FiniteWeight(R);
    if (Decisions->hasRoomFor(1))
      Decisions->addNode(R, Splits);
    else
      Deferred.push_back(R);
  }
  Ctx.Matrix->invalidateVirtRegs();
}

std::string RL4ReAlRegAlloc::selectOrSplit(const Action &A) {
  DecisionState &D = *Decisions;
  Phase P = D.phase();
  int Cur = D.current();
  int V = A.value();
  switch (A.kind()) {
  case Action::SELECT_NODE:
    if (P != PHASE_SELECT_NODE)
      return "SELECT_NODE outside the select-node phase";
    if (V < 0 || unsigned(V) >= D.numNodes() || !D.selectable(V))
      return "node " + std::to_string(V) + " is not selectable";
    D.setPhase(PHASE_SELECT_TASK, V);
    return "";
  case Action::SELECT_TASK:
    if (P != PHASE_SELECT_TASK)
      return "SELECT_TASK outside the select-task phase";
    if (V == 0 && D.canColourOrSpill(Cur)) {
      D.setPhase(PHASE_COLOUR, Cur);
      return "";
    }
    if (V == 1 && D.canSplit(Cur)) {
      D.setPhase(PHASE_SPLIT, Cur);
      return "";
    }
    return "task " + std::to_string(V) + " is not legal for node " +
           std::to_string(Cur);
  case Action::COLOUR: {
    if (P != PHASE_COLOUR)
      return "COLOUR outside the colour phase";
    std::vector<uint8_t> Mask = D.colourMask(Cur);
    if (V < 0 || unsigned(V) >= Mask.size() || !Mask[V])
      return "colour " + std::to_string(V) + " is not legal for node " +
             std::to_string(Cur);
    Register Reg = D.reg(Cur);
    LastWeight = Ctx.LIS->getInterval(Reg).weight();
    LastSplitWeight = 0;
    ++NumAgentDecisions;
    if (unsigned(V) == Colours->size()) {
      SmallVector<Register, 4> NewVRegs;
      spill(Reg, NewVRegs);
      for (Register New : NewVRegs)
        enqueue(New);
      runHeuristic(); // the spiller's small intervals
    } else {
      assign(Reg, Colours->reg(V));
    }
    D.setPhase(PHASE_SELECT_NODE, -1);
    return "";
  }
  case Action::SPLIT: {
    if (P != PHASE_SPLIT)
      return "SPLIT outside the split phase";
    const auto &Points = D.splitPoints(Cur);
    if (V < 0 || unsigned(V) >= Points.size())
      return "split point " + std::to_string(V) + " does not exist";
    SplitPoint Point = Points[V];
    split(Cur, Point);
    D.setPhase(PHASE_SELECT_NODE, -1);
    return "";
  }
  default:
    return "unexpected action kind " + std::to_string(int(A.kind()));
  }
}

State RL4ReAlRegAlloc::baseState() const {
  State S;
  S.set_function_name(Ctx.MF->getName().str());
  S.set_step(NumSteps);
  S.set_last_weight(LastWeight);
  S.set_last_split_weight(LastSplitWeight);
  Figures &F = *S.mutable_figures();
  F.set_splits(NumSplits);
  F.set_spilled_vregs(NumSpilled);
  F.set_evictions(NumEvictions);
  F.set_agent_decisions(NumAgentDecisions);
  F.set_heuristic_decisions(NumHeuristicDecisions);
  if (!SentColours) {
    for (const std::string &Name : Colours->names())
      S.add_colours(Name);
    S.set_target(Ctx.MF->getTarget().getTargetTriple().str());
    SentColours = true;
  }
  return S;
}

void RL4ReAlRegAlloc::driveClient() {
  unsigned Limit = MaxDecisions ? unsigned(MaxDecisions)
                                : 40 * Decisions->numNodes() + 1000;
  Decisions->setPhase(PHASE_SELECT_NODE, -1);
  std::string Error;
  while (NumSteps < Limit) {
    Ctx.Matrix->invalidateVirtRegs();
    if (Decisions->phase() == PHASE_SELECT_NODE && !Decisions->anySelectable())
      return;
    State S = baseState();
    S.set_error(Error);
    Decisions->fillState(S);
    Action A;
    if (!Server->exchange(S, A, std::chrono::seconds(ClientTimeout))) {
      errs() << "rl4real: the client did not answer in " << ClientTimeout
             << " s; finishing " << Ctx.MF->getName()
             << " with the heuristic\n";
      return;
    }
    if (A.kind() == Action::FINISH)
      return;
    ++NumSteps;
    if (InjectCrashAfter >= 0 && NumSteps > unsigned(InjectCrashAfter))
      std::abort();
    if (InjectHangAfter >= 0 && NumSteps > unsigned(InjectHangAfter))
      for (;;)
        pause();
    Error = selectOrSplit(A);
  }
}

//===----------------------------------------------------------------------===//
// Per-function driver
//===----------------------------------------------------------------------===//

void RL4ReAlRegAlloc::seed(SmallVectorImpl<Register> &AgentRegs) {
  bool Agent = Server && !Server->closed();
  for (unsigned I = 0, E = Ctx.MRI->getNumVirtRegs(); I != E; ++I) {
    Register Reg = Register::index2VirtReg(I);
    if (Ctx.MRI->reg_nodbg_empty(Reg))
      continue;
    if (Agent && Colours->supports(Ctx.MRI->getRegClass(Reg)) &&
        !Ctx.LIS->getInterval(Reg).empty())
      AgentRegs.push_back(Reg);
    else
      enqueue(Reg);
  }
  if (AgentRegs.size() > MaxNodes) {
    // Keep the heaviest for the agent; the heuristic does the rest last.
    llvm::stable_sort(AgentRegs, [&](Register A, Register B) {
      return Ctx.LIS->getInterval(A).weight() > Ctx.LIS->getInterval(B).weight();
    });
    Deferred.append(AgentRegs.begin() + MaxNodes, AgentRegs.end());
    AgentRegs.resize(MaxNodes);
    llvm::sort(AgentRegs);
  }
}

bool RL4ReAlRegAlloc::runOnMachineFunction(MachineFunction &MF) {
  Ctx.MF = &MF;
  Ctx.TRI = MF.getSubtarget().getRegisterInfo();
  Ctx.TII = MF.getSubtarget().getInstrInfo();
  Ctx.MRI = &MF.getRegInfo();
  Ctx.LIS = &getAnalysis<LiveIntervalsWrapperPass>().getLIS();
  Ctx.VRM = &getAnalysis<VirtRegMap>();
  Ctx.Matrix = &getAnalysis<LiveRegMatrix>();
  Ctx.MBFI = &getAnalysis<MachineBlockFrequencyInfoWrapperPass>().getMBFI();
  Ctx.Loops = &getAnalysis<MachineLoopInfoWrapperPass>().getLI();
  Ctx.LDV = &getAnalysis<LiveDebugVariables>();
  Ctx.MRI->freezeReservedRegs();
  Ctx.RegClassInfo.runOnMachineFunction(MF);
  Ctx.SpillWeights = std::make_unique<VirtRegAuxInfo>(MF, *Ctx.LIS, *Ctx.VRM,
                                                      *Ctx.Loops, *Ctx.MBFI);
  Ctx.SpillWeights->calculateSpillWeightsAndHints();
  SpillerInstance.reset(
      createInlineSpiller(*this, MF, *Ctx.VRM, *Ctx.SpillWeights));

  Colours = std::make_unique<ColourTable>(*Ctx.TRI);
  Splitter = std::make_unique<LiveRangeSplitter>(Ctx);
  DecisionLimits Limits{MaxNodes, MaxEdges, MaxSplitPoints, MaxSplitsPerNode};
  Decisions = std::make_unique<DecisionState>(Ctx, *Colours, *Splitter, Limits);
  Heuristic = std::make_unique<HeuristicAllocator>(
      Ctx, static_cast<AllocationEditor &>(*this));
  NumSplits = NumSpilled = NumEvictions = NumAgentDecisions =
      NumHeuristicDecisions = NumSteps = 0;
  LastWeight = LastSplitWeight = 0;
  Deferred.clear();

  // Classes outside the colour table first, by the heuristic; then the agent;
  // then the heuristic finishes whatever is left.
  SmallVector<Register, 64> AgentRegs;
  seed(AgentRegs);
  runHeuristic();
  Decisions->addInitialNodes(AgentRegs);
  bool Agent = Server && !Server->closed();
  if (Agent)
    driveClient();
  for (unsigned N = 0; N < Decisions->numNodes(); ++N)
    if (Decisions->status(N) == NodeStatus::Pending)
      enqueue(Decisions->reg(N));
  for (Register R : Deferred)
    enqueue(R);
  runHeuristic();

  SpillerInstance->postOptimization();
  for (MachineInstr *Dead : DeadRemats) {
    Ctx.LIS->RemoveMachineInstrFromMaps(*Dead);
    Dead->eraseFromParent();
  }
  DeadRemats.clear();

  AllocationFigures F = measureAllocation(MF, *Ctx.MBFI, Ctx.VRM);
  if (!FiguresOutput.empty()) {
    std::error_code EC;
    raw_fd_ostream OS(FiguresOutput, EC, sys::fs::OF_Append);
    if (EC)
      report_fatal_error(Twine("rl4real: cannot open ") + FiguresOutput);
    F.printJSON(OS, MF.getName().str().c_str());
  }
  if (Agent && !Server->closed()) {
    State Done = baseState();
    Done.set_phase(PHASE_FUNCTION_DONE);
    Done.set_current_node(-1);
    Figures &Out = *Done.mutable_figures();
    Out.set_weighted_cost(F.weighted());
    Out.set_reload_cost(F.ReloadCost);
    Out.set_spill_cost(F.SpillCost);
    Out.set_copy_cost(F.CopyCost);
    Out.set_reloads(F.Reloads);
    Out.set_spills(F.Spills);
    Out.set_folded_reloads(F.FoldedReloads);
    Out.set_folded_spills(F.FoldedSpills);
    Out.set_copies(F.Copies);
    Decisions->setPhase(PHASE_FUNCTION_DONE, -1);
    Decisions->fillState(Done);
    Action Ack;
    Server->exchange(Done, Ack, std::chrono::seconds(ClientTimeout));
  }
  releaseMemory();
  return true;
}

static FunctionPass *createRL4ReAlRegisterAllocator() {
  return new RL4ReAlRegAlloc();
}

static RegisterRegAlloc
    RL4ReAlRegAllocReg("rl4real",
                       "reinforcement-learning register allocator (RL4ReAl)",
                       createRL4ReAlRegisterAllocator);
