//===- PolicyDecider.cpp - A trained policy decides in-process ------------===//

#include "PolicyDecider.h"
#include "PluginOptions.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <cstring>

using namespace llvm;
using namespace rl4real;

PolicyModel *PolicyDecider::processModel(std::string &LoadError) {
  static std::unique_ptr<PolicyModel> Model;
  static std::string Error;
  static bool Loaded = false;
  if (!Loaded && !opts::ModelPath.empty()) {
    Loaded = true;
    Expected<std::unique_ptr<PolicyModel>> M =
        PolicyModel::load(opts::ModelPath);
    if (M)
      Model = std::move(*M);
    else
      Error = toString(M.takeError());
  }
  LoadError = Error;
  return Model.get();
}

/// The rl4real target name of a triple ("" if none).
static StringRef targetName(const Triple &T) {
  switch (T.getArch()) {
  case Triple::x86_64:
    return "x86";
  case Triple::aarch64:
    return "aarch64";
  case Triple::riscv64:
    return "riscv64";
  default:
    return "";
  }
}

std::string PolicyDecider::checkTarget(const Triple &T, unsigned NumColours) {
  if (TargetChecked)
    return "";
  TargetChecked = true;
  StringRef Name = targetName(T);
  if (Name != Model.target())
    return ("rl4real: model " + Twine(Model.path()) + " was trained for " +
            Model.target() + ", but this code is compiled for " + T.str() +
            (Name.empty() ? "" : " (" + Name.str() + ")") +
            ": use a model trained with --target " +
            (Name.empty() ? T.getArchName() : Name))
        .str();
  if (NumColours != Model.numColours())
    return ("rl4real: model " + Twine(Model.path()) + " has " +
            Twine(Model.numColours()) + " colours, the plugin's table for " +
            T.str() + " has " + Twine(NumColours) +
            ": export it again with this rl4real-gym")
        .str();
  if (!opts::DecisionsOutput.empty()) {
    std::error_code EC;
    DecisionLog = std::make_unique<raw_fd_ostream>(
        opts::DecisionsOutput, EC, sys::fs::OF_Append | sys::fs::OF_Text);
    if (EC)
      return ("rl4real: cannot open -rl4real-decisions-output " +
              Twine(opts::DecisionsOutput) + ": " + EC.message())
          .str();
  }
  return "";
}

void PolicyDecider::record(StringRef Function, unsigned Phase, int Choice) {
  ++Stats.PolicyDecisions;
  if (DecisionLog)
    *DecisionLog << Function << '\t' << Phase << '\t' << Choice << '\n';
}

void PolicyDecider::printSummary(unsigned HeuristicDecisions) const {
  errs() << "rl4real: policy " << Model.path() << ": " << Stats.Functions
         << " functions, " << Stats.PolicyDecisions << " policy decisions ("
         << TrunkRuns << " graph embeddings, "
         << format("%.0f", Model.rowsFull()
                               ? 100.0 * Model.rowsComputed() / Model.rowsFull()
                               : 0.0)
         << "% of their rows computed); heuristic: "
         << HeuristicDecisions << " decisions, " << Stats.OversizeFunctions
         << " functions over " << Model.maxNodes() << " nodes ("
         << Stats.DeferredRegs << " registers), " << Stats.OtherClassRegs
         << " registers of classes outside the colour table\n";
}

void PolicyDecider::startFunction() {
  Fresh = true;
  Rows.clear();
  Status.clear();
  Edges.clear();
}

int PolicyDecider::decide(DecisionState &D) {
  constexpr unsigned F = DecisionState::NumFeatures;
  constexpr unsigned SF = DecisionState::NumSplitFeatures;
  constexpr unsigned RF = DecisionState::NumRegisterFeatures;
  const float Low = Model.featureLow(), High = Model.featureHigh();
  auto Clip = [&](float V) { return std::min(std::max(V, Low), High); };

  // What the codec reads for a state, in its order.
  std::vector<uint8_t> Mask = D.mask();
  D.splitFeatures(Split);
  D.registerFeatures(Registers);
  unsigned N = D.numNodes();
  bool Changed = Fresh || N != Status.size();
  bool EdgesChanged = Fresh;
  ChangedRows.clear();
  Rows.resize(size_t(N) * F, 0.0f);
  Status.resize(N, -1);
  Candidates.clear();
  D.takeChangedRows(Candidates);
  Row.resize(F);
  for (unsigned I : Candidates) {
    D.features(I, Row.data());
    for (float &V : Row)
      V = Clip(V);
    int8_t St = int8_t(D.status(I));
    float *Old = &Rows[size_t(I) * F];
    if (St != Status[I] || std::memcmp(Old, Row.data(), F * sizeof(float))) {
      std::memcpy(Old, Row.data(), F * sizeof(float));
      Status[I] = St;
      Changed = true;
      ChangedRows.push_back(I);
    }
  }
  if (D.takeEdgeChanges(Dropped, Added) || Fresh) {
    D.edges(Edges);
    Changed = EdgesChanged = true;
  } else if (!Dropped.empty() || !Added.empty()) {
    // Every edge of a dropped node goes, in place; then the new ones follow.
    std::vector<uint8_t> Dead(N, 0);
    for (int32_t V : Dropped)
      Dead[V] = 1;
    size_t Keep = 0;
    for (size_t I = 0; I + 1 < Edges.size(); I += 2)
      if (!Dead[Edges[I]] && !Dead[Edges[I + 1]]) {
        Edges[Keep++] = Edges[I];
        Edges[Keep++] = Edges[I + 1];
      }
    Edges.resize(Keep);
    Edges.insert(Edges.end(), Added.begin(), Added.end());
    Changed = EdgesChanged = true;
  }
  bool Whole = Fresh;
  Fresh = false;

  // The observation: sizes cut to the model's layout.
  unsigned MaxNodes = Model.maxNodes();
  unsigned Used = std::min(N, MaxNodes);
  PolicyObservation Obs;
  Obs.NumNodes = Used;
  Obs.Features = Rows.data();
  NodeMask.resize(Used);
  for (unsigned I = 0; I < Used; ++I)
    NodeMask[I] = Status[I] != int8_t(NodeStatus::Gone);
  Obs.NodeMask = NodeMask.data();
  const std::vector<int32_t> *E = &Edges;
  if (N > Used) {
    ObsEdges.clear();
    for (size_t I = 0; I + 1 < Edges.size(); I += 2)
      if (unsigned(Edges[I]) < Used && unsigned(Edges[I + 1]) < Used) {
        ObsEdges.push_back(Edges[I]);
        ObsEdges.push_back(Edges[I + 1]);
      }
    E = &ObsEdges;
  }
  Obs.Edges = E->data();
  Obs.NumEdges = std::min<size_t>(E->size() / 2, Model.maxEdges());
  Phase P = D.phase();
  Obs.Phase = P <= schema::phase::Split ? P : 0;
  Obs.Current = D.current() >= 0 && unsigned(D.current()) < MaxNodes
                    ? D.current()
                    : -1;
  if (P == schema::phase::Split) {
    Obs.NumSplitPoints =
        std::min<size_t>(Split.size() / SF, Model.maxSplitPoints());
    Split.resize(size_t(Obs.NumSplitPoints) * SF);
    for (float &V : Split)
      V = Clip(V);
    Obs.SplitFeatures = Split.data();
  }
  if (P == schema::phase::Colour &&
      Registers.size() == size_t(Model.numColours() + 1) * RF) {
    for (float &V : Registers)
      V = Clip(V);
    Obs.RegisterFeatures = Registers.data();
  }
  unsigned Limit = P == schema::phase::SelectNode ? MaxNodes
                   : P == schema::phase::SelectTask ? 2
                   : P == schema::phase::Colour     ? Model.numColours() + 1
                                                    : Model.maxSplitPoints();
  Obs.Mask = Mask.data();
  Obs.MaskSize = std::min<size_t>(Mask.size(), Limit);
  if (Changed) {
    Model.embed(Obs, Whole ? nullptr : &ChangedRows, EdgesChanged);
    ++TrunkRuns;
  }
  return Model.decide(Obs);
}
