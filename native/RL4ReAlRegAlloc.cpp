//===- RL4ReAlRegAlloc.cpp - Register allocation by an RL agent -----------===//
//
// This file defines the rl4real register allocator (-regalloc=rl4real), the
// allocator of RL4ReAl (Venkatakeerthy et al., CC 2023) for LLVM 19 as a pass
// plugin for llc.
//
// With a client (the Python driver, on the socket of -rl4real-fd in llc, or
// installed by the rl4real-server fork server), an external agent makes every
// decision through the protocol in rl4real.proto: it selects a virtual
// register (node of the interference graph), chooses to colour-or-spill or to
// split it, then picks a physical register (or spill) or a split point.
// Without a client, or for whatever the agent does not decide, a
// basic-allocator-like heuristic decides, so the compiler always produces a
// complete, correct allocation.
//
// The structure follows LLVM's basic allocator: a driver loop that takes
// decisions one at a time, one function that applies a decision
// (selectOrSplit), and LiveRangeEdit delegate callbacks that keep the
// bookkeeping right when the spiller erases or shrinks intervals. The
// decision state, its encoding (StateCodec), the client connection
// (EpisodeClient), the options, fault injection, process lifetime, the
// splitter and the heuristic live in files of their own.
//
//===----------------------------------------------------------------------===//

#include "AllocContext.h"
#include "AllocationCost.h"
#include "CalleeSavedCost.h"
#include "ColourTable.h"
#include "DecisionState.h"
#include "EpisodeClient.h"
#include "FaultInjection.h"
#include "HeuristicAllocator.h"
#include "LiveRangeSplitter.h"
#include "PluginOptions.h"
#include "PolicyDecider.h"
#include "ProcessLifetime.h"
#include "StateCodec.h"
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
#include "llvm/Support/raw_ostream.h"
#include <queue>

using namespace llvm;
using namespace rl4real;

#define DEBUG_TYPE "regalloc"

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
  /// The in-process policy (-rl4real-model) decides, as a client would.
  void driveModel();
  /// The sizes the agent may be offered: the model's, else the options'.
  DecisionLimits limits() const;
  void runHeuristic();
  void enqueue(Register Reg);
  /// The current state, encoded for the client.
  State state();

  /// Applies the client's decision; returns an error message if it is
  /// illegal.
  std::string selectOrSplit(const Decision &A);
  void split(unsigned Node, const SplitPoint &Point);

  // AllocationEditor.
  void assign(Register VirtReg, MCRegister PhysReg) override;
  /// Takes LI's register away, keeping the decision state's free registers
  /// right.
  void unassign(const LiveInterval &LI);
  void spill(Register VirtReg, SmallVectorImpl<Register> &NewVRegs) override;

  // LiveRangeEdit::Delegate.
  bool LRE_CanEraseVirtReg(Register VirtReg) override;
  void LRE_WillShrinkVirtReg(Register VirtReg) override;
  void LRE_WillEraseInstruction(MachineInstr *MI) override;
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
  RunFigures Run;
  StateCodec Codec;
  EpisodeClient *Client = nullptr;
  std::unique_ptr<PolicyDecider> Native;

  // Per-process: the colour table goes with the first State only.
  static bool SentColours;
  // Heuristic decisions of the module (the in-process summary).
  unsigned HeuristicTotal = 0;
};

char RL4ReAlRegAlloc::ID = 0;
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
  if (opts::ClientFd >= 0 && !EpisodeClient::get())
    EpisodeClient::install(opts::ClientFd, /*Reaper=*/0);
  Client = EpisodeClient::get();
  // A model that cannot be used is the compiler's error (no output file),
  // never a silent fallback; the heuristic only finishes the doomed run.
  std::string LoadError;
  PolicyModel *Model = PolicyDecider::processModel(LoadError);
  if (!LoadError.empty())
    M.getContext().emitError(LoadError);
  else if (Model && Client)
    M.getContext().emitError("rl4real: -rl4real-model and a client "
                             "(-rl4real-fd or the allocation server) exclude "
                             "each other");
  else if (Model)
    Native = std::make_unique<PolicyDecider>(*Model);
  return false;
}

DecisionLimits RL4ReAlRegAlloc::limits() const {
  DecisionLimits L = opts::limits();
  if (Native) {
    std::string Unused;
    PolicyModel *Model = PolicyDecider::processModel(Unused);
    L.MaxNodes = Model->maxNodes();
    L.MaxEdges = Model->maxEdges();
    L.MaxSplitPoints = Model->maxSplitPoints();
  }
  return L;
}

bool RL4ReAlRegAlloc::doFinalization(Module &M) {
  if (Native && opts::Summary)
    Native->printSummary(HeuristicTotal);
  if (Client) {
    State Last;
    Last.set_phase(int(schema::phase::ModuleDone));
    Last.set_current_node(-1);
    Client->finish(Last);
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

void RL4ReAlRegAlloc::unassign(const LiveInterval &LI) {
  Ctx.Matrix->unassign(LI);
  // A node's status change says the rest; another interval's must be told.
  if (Decisions->nodeOf(LI.reg()) < 0)
    Decisions->otherUnassigned(LI.reg());
}

void RL4ReAlRegAlloc::spill(Register VirtReg,
                            SmallVectorImpl<Register> &NewVRegs) {
  LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  if (Ctx.VRM->hasPhys(VirtReg))
    unassign(LI);
  // The spiller may leave the interval or erase it; the node is spilled
  // either way.
  Decisions->setStatus(VirtReg, NodeStatus::Spilled);
  LiveRangeEdit LRE(&LI, NewVRegs, *Ctx.MF, *Ctx.LIS, Ctx.VRM, this,
                    &DeadRemats);
  SpillerInstance->spill(LRE);
  ++Run.Spilled;
  reassignShrunk();
}

bool RL4ReAlRegAlloc::LRE_CanEraseVirtReg(Register VirtReg) {
  LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  if (Decisions->nodeOf(VirtReg) >= 0 &&
      Decisions->status(Decisions->nodeOf(VirtReg)) != NodeStatus::Spilled)
    Decisions->setStatus(VirtReg, NodeStatus::Gone);
  if (Ctx.VRM->hasPhys(VirtReg)) {
    unassign(LI);
    return true;
  }
  // Not assigned: it is waiting in a queue, which drops empty intervals.
  LI.clear();
  return false;
}

void RL4ReAlRegAlloc::LRE_WillEraseInstruction(MachineInstr *MI) {
  // A copy that goes away changes both ends' copy weights.
  if (MI->isCopy())
    Decisions->copyErased(*MI);
}

void RL4ReAlRegAlloc::LRE_WillShrinkVirtReg(Register VirtReg) {
  if (!Ctx.VRM->hasPhys(VirtReg))
    return;
  // Take it out of the matrix while it changes; reassigned afterwards.
  Shrunk.push_back({VirtReg, Ctx.VRM->getPhys(VirtReg)});
  unassign(Ctx.LIS->getInterval(VirtReg));
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
    MCRegister PhysReg =
        Heuristic->selectOrSpill(LI, NewVRegs, Run.Evictions);
    ++Run.HeuristicDecisions;
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
  Run.LastWeight = Ctx.LIS->getInterval(V).weight();
  SmallVector<Register, 4> NewRegs;
  if (!Splitter->split(V, *Point.MI, NewRegs))
    return;
  ++Run.Splits;
  Decisions->refresh(V);
  // Only spillable parts carry a finite weight; unspillable ones count as 0 so
  // that per-step rewards stay comparable before and after a split.
  auto FiniteWeight = [&](Register R) {
    const LiveInterval &LI = Ctx.LIS->getInterval(R);
    return LI.isSpillable() ? double(LI.weight()) : 0.0;
  };
  Run.LastSplitWeight = FiniteWeight(V);
  for (Register R : NewRegs) {
    Run.LastSplitWeight += FiniteWeight(R);
    if (Decisions->hasRoomFor(1))
      Decisions->addNode(R, Splits);
    else
      Deferred.push_back(R);
  }
  Ctx.Matrix->invalidateVirtRegs();
}

std::string RL4ReAlRegAlloc::selectOrSplit(const Decision &A) {
  namespace phase = schema::phase;
  namespace action = schema::action;
  DecisionState &D = *Decisions;
  Phase P = D.phase();
  int Cur = D.current();
  int V = A.Value;
  switch (A.Kind) {
  case action::SelectNode:
    if (P != phase::SelectNode)
      return "SELECT_NODE outside the select-node phase";
    if (V < 0 || unsigned(V) >= D.numNodes() || !D.selectable(V))
      return "node " + std::to_string(V) + " is not selectable";
    D.setPhase(phase::SelectTask, V);
    return "";
  case action::SelectTask:
    if (P != phase::SelectTask)
      return "SELECT_TASK outside the select-task phase";
    if (V == 0 && D.canColourOrSpill(Cur)) {
      D.setPhase(phase::Colour, Cur);
      return "";
    }
    if (V == 1 && D.canSplit(Cur)) {
      D.setPhase(phase::Split, Cur);
      return "";
    }
    return "task " + std::to_string(V) + " is not legal for node " +
           std::to_string(Cur);
  case action::Colour: {
    if (P != phase::Colour)
      return "COLOUR outside the colour phase";
    std::vector<uint8_t> Mask = D.colourMask(Cur);
    if (V < 0 || unsigned(V) >= Mask.size() || !Mask[V])
      return "colour " + std::to_string(V) + " is not legal for node " +
             std::to_string(Cur);
    Register Reg = D.reg(Cur);
    Run.LastWeight = Ctx.LIS->getInterval(Reg).weight();
    Run.LastSplitWeight = 0;
    ++Run.AgentDecisions;
    if (unsigned(V) == Colours->size()) {
      SmallVector<Register, 4> NewVRegs;
      spill(Reg, NewVRegs);
      for (Register New : NewVRegs)
        enqueue(New);
      runHeuristic(); // the spiller's small intervals
    } else {
      assign(Reg, Colours->reg(V));
    }
    D.setPhase(phase::SelectNode, -1);
    return "";
  }
  case action::Split: {
    if (P != phase::Split)
      return "SPLIT outside the split phase";
    const auto &Points = D.splitPoints(Cur);
    if (V < 0 || unsigned(V) >= Points.size())
      return "split point " + std::to_string(V) + " does not exist";
    SplitPoint Point = Points[V];
    split(Cur, Point);
    D.setPhase(phase::SelectNode, -1);
    return "";
  }
  default:
    return "unexpected action kind " + std::to_string(A.Kind);
  }
}

State RL4ReAlRegAlloc::state() {
  if (selfChecking()) {
    std::string Problem = Decisions->checkFreeRegisters();
    if (Problem.empty())
      Problem = Decisions->checkSelectable();
    if (Problem.empty())
      Problem = Decisions->checkAssignedNeighbours();
    if (!Problem.empty())
      report_fatal_error(Twine("rl4real self-check: ") + Problem);
  }
  State S;
  Codec.setChecking(selfChecking());
  Codec.encode(*Decisions, Ctx.MF->getName().str(), Run, S);
  if (selfChecking()) {
    std::string Problem = Codec.check(*Decisions);
    if (!Problem.empty())
      report_fatal_error(Twine("rl4real self-check: ") + Problem);
  }
  if (!SentColours) {
    StateCodec::addTarget(Colours->names(),
                          Ctx.MF->getTarget().getTargetTriple().str(), S);
    SentColours = true;
  }
  return S;
}

void RL4ReAlRegAlloc::driveClient() {
  unsigned Limit = opts::MaxDecisions ? unsigned(opts::MaxDecisions)
                                      : 40 * Decisions->numNodes() + 1000;
  Decisions->setPhase(schema::phase::SelectNode, -1);
  std::string Error;
  // The decisions of the last Action (it and its plan); those before Next
  // were applied or rejected.
  std::vector<Decision> Plan;
  size_t Next = 0;
  while (Run.Steps < Limit) {
    Ctx.Matrix->invalidateVirtRegs();
    if (Decisions->phase() == schema::phase::SelectNode &&
        !Decisions->anySelectable())
      return;
    if (Next == Plan.size()) {
      State S = state();
      S.set_error(Error);
      Action A;
      if (!Client->exchange(S, A, std::chrono::seconds(opts::ClientTimeout))) {
        errs() << "rl4real: lost the client (it closed the connection, or did "
                  "not answer within "
               << opts::ClientTimeout << " s); finishing "
               << Ctx.MF->getName() << " with the heuristic\n";
        return;
      }
      StateCodec::decode(A, Plan);
      Next = 0;
      Run.Applied = 0;
      Error.clear();
    }
    Decision D = Plan[Next++];
    if (D.Kind == schema::action::Finish)
      return;
    ++Run.Steps;
    injectFaultsAfter(Run.Steps);
    Error = selectOrSplit(D);
    if (Error.empty())
      ++Run.Applied;
    else
      Next = Plan.size(); // the rest of the plan was made for another state
  }
}

void RL4ReAlRegAlloc::driveModel() {
  unsigned Limit = opts::MaxDecisions ? unsigned(opts::MaxDecisions)
                                      : 40 * Decisions->numNodes() + 1000;
  static constexpr unsigned KindOf[] = {
      schema::action::SelectNode, schema::action::SelectTask,
      schema::action::Colour, schema::action::Split};
  Decisions->setPhase(schema::phase::SelectNode, -1);
  while (Run.Steps < Limit) {
    Ctx.Matrix->invalidateVirtRegs();
    if (Decisions->phase() == schema::phase::SelectNode &&
        !Decisions->anySelectable())
      return;
    Phase P = Decisions->phase();
    int Choice = Native->decide(*Decisions);
    if (Choice < 0 || P > schema::phase::Split)
      report_fatal_error("rl4real: in " + Ctx.MF->getName() +
                             ", the decision state offers no legal choice in "
                             "phase " + Twine(P),
                         false);
    ++Run.Steps;
    std::string Error = selectOrSplit(Decision{KindOf[P], Choice});
    if (!Error.empty())
      report_fatal_error("rl4real: in " + Ctx.MF->getName() +
                             ", the allocator rejected the policy's masked "
                             "choice: " + Error,
                         false);
    Native->record(Ctx.MF->getName(), P, Choice);
  }
}

//===----------------------------------------------------------------------===//
// Per-function driver
//===----------------------------------------------------------------------===//

void RL4ReAlRegAlloc::seed(SmallVectorImpl<Register> &AgentRegs) {
  bool Agent = (Client && !Client->closed()) || Native;
  for (unsigned I = 0, E = Ctx.MRI->getNumVirtRegs(); I != E; ++I) {
    Register Reg = Register::index2VirtReg(I);
    if (Ctx.MRI->reg_nodbg_empty(Reg))
      continue;
    if (Agent &&
        Colours->supports(Ctx.MRI->getRegClass(Reg), Ctx.RegClassInfo) &&
        !Ctx.LIS->getInterval(Reg).empty())
      AgentRegs.push_back(Reg);
    else {
      if (Native && !Ctx.LIS->getInterval(Reg).empty())
        ++Native->Stats.OtherClassRegs;
      enqueue(Reg);
    }
  }
  unsigned MaxNodes = limits().MaxNodes;
  if (AgentRegs.size() > MaxNodes) {
    if (Native) {
      ++Native->Stats.OversizeFunctions;
      Native->Stats.DeferredRegs += AgentRegs.size() - MaxNodes;
    }
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
  if (Native) {
    std::string Problem =
        Native->checkTarget(MF.getTarget().getTargetTriple(), Colours->size());
    if (!Problem.empty()) {
      MF.getFunction().getContext().emitError(Problem);
      Native.reset();
    }
  }
  Decisions = std::make_unique<DecisionState>(Ctx, *Colours, *Splitter,
                                              limits());
  if (Native) {
    Native->startFunction();
    ++Native->Stats.Functions;
  }
  Heuristic = std::make_unique<HeuristicAllocator>(
      Ctx, static_cast<AllocationEditor &>(*this));
  Run = RunFigures();
  Codec.startFunction();
  Deferred.clear();

  // Classes outside the colour table first, by the heuristic; then the agent;
  // then the heuristic finishes whatever is left.
  SmallVector<Register, 64> AgentRegs;
  seed(AgentRegs);
  runHeuristic();
  Decisions->addInitialNodes(AgentRegs);
  bool Agent = Client && !Client->closed();
  if (Agent)
    driveClient();
  else if (Native)
    driveModel();
  for (unsigned N = 0; N < Decisions->numNodes(); ++N)
    if (Decisions->status(N) == NodeStatus::Pending)
      enqueue(Decisions->reg(N));
  for (Register R : Deferred)
    enqueue(R);
  runHeuristic();

  HeuristicTotal += Run.HeuristicDecisions;
  SpillerInstance->postOptimization();
  for (MachineInstr *Dead : DeadRemats) {
    Ctx.LIS->RemoveMachineInstrFromMaps(*Dead);
    Dead->eraseFromParent();
  }
  DeadRemats.clear();

  AllocationFigures F = measureAllocation(MF, *Ctx.MBFI, Ctx.VRM);
  if (!opts::FiguresOutput.empty())
    appendFigures(opts::FiguresOutput, "-rl4real-figures-output",
                  [&](raw_ostream &OS) {
                    if (!Native)
                      return F.printJSON(OS, MF.getName().str().c_str());
                    // In-process decisions: who took them, as a client
                    // learns from the figures of its states.
                    std::string Line;
                    raw_string_ostream LS(Line);
                    F.printJSON(LS, MF.getName().str().c_str());
                    OS << StringRef(Line).rtrim().drop_back()
                       << ", \"agent_decisions\": " << Run.AgentDecisions
                       << ", \"heuristic_decisions\": "
                       << Run.HeuristicDecisions << "}\n";
                  });
  if (Agent && !Client->closed()) {
    Decisions->setPhase(schema::phase::FunctionDone, -1);
    State Done = state();
    StateCodec::addFinal(F, Done);
    if (functionDoneAfterPEI()) {
      // The host sends it after PEI, with the callee-saved cost.
      deferFunctionDone(std::move(Done));
    } else {
      Action Ack;
      Client->exchange(Done, Ack, std::chrono::seconds(opts::ClientTimeout));
    }
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
