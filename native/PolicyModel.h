//===- PolicyModel.h - A trained policy's network, run in-process -*- C++ -*-===//
//
// A trained gnn-scoring policy (agents/policies/scoring.py) read from a native
// policy file (agents/native_export.py writes it; docs/native-policy.md has
// the format) and its forward pass, written out in plain C++ with no runtime
// library, as LLVM's own EmitC models are: the network is small (a 20 -> 64
// embedding, two residual graph convolutions, four pair scorers) and a
// dependency-free forward pass keeps llc free of onnxruntime or libtorch.
//
// The model knows nothing of LLVM's allocator: it takes the env's observation
// (the unpadded part of it, see PolicyObservation) and gives the argmax of
// the current phase's masked logits, the action the Python policy's
// deterministic predict takes. PolicyDecider builds the observation.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_POLICYMODEL_H
#define RL4REAL_POLICYMODEL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rl4real {

/// The observation of one decision, as the env builds it (clipped float32
/// features; rows past NumNodes, edges past NumEdges, split points past
/// NumSplitPoints are the env's zero padding and are left out).
struct PolicyObservation {
  unsigned NumNodes = 0;
  const float *Features = nullptr;  // NumNodes x schema::NumNodeFeatures
  const uint8_t *NodeMask = nullptr; // NumNodes
  const int32_t *Edges = nullptr;    // NumEdges pairs (i, j)
  unsigned NumEdges = 0;
  unsigned Phase = 0;      // 0 select node, 1 task, 2 colour, 3 split
  int Current = -1;        // the node being decided, or -1
  const float *SplitFeatures = nullptr; // NumSplitPoints x NumSplitFeatures
  unsigned NumSplitPoints = 0;
  const float *RegisterFeatures = nullptr; // (colours + 1) x NumRegisterFeatures, or null
  const uint8_t *Mask = nullptr; // the phase's legal choices (its segment)
  unsigned MaskSize = 0;
};

/// A gnn-scoring network and the sizes of the env it was trained on.
class PolicyModel {
public:
  /// Reads and checks a native policy file; the error names the file and
  /// says what is wrong (missing, corrupt, other version or feature layout).
  static llvm::Expected<std::unique_ptr<PolicyModel>> load(llvm::StringRef Path);

  /// The feature layout text this plugin was built with (schema.json's
  /// version and column names) and its SHA-256, which a file must carry.
  static std::string layoutText();
  static std::string layoutFingerprint();

  const std::string &path() const { return Path; }
  const std::string &target() const { return Target; }
  unsigned maxNodes() const { return MaxNodes; }
  unsigned maxEdges() const { return MaxEdges; }
  unsigned maxSplitPoints() const { return MaxSplitPoints; }
  unsigned numColours() const { return NumColours; }
  float featureLow() const { return FeatureLow; }
  float featureHigh() const { return FeatureHigh; }

  /// Computes the node embeddings of the observation's graph (the trunk);
  /// the heads of decide() read them until the next call. With ChangedRows
  /// (the nodes whose features or mask changed since the last call on the
  /// same function; EdgesChanged: the edge list too), only the rows whose
  /// inputs changed are recomputed: a layer's row depends on the row and its
  /// neighbours' rows of the layer before, so the dirty set grows by one hop
  /// per layer. Every row is computed by the same code either way, so the
  /// embeddings are bitwise those of a full computation.
  void embed(const PolicyObservation &Obs,
             const std::vector<unsigned> *ChangedRows = nullptr,
             bool EdgesChanged = true);
  /// Rows computed by embed() so far, and rows a full computation each time
  /// would have computed (for the summary).
  uint64_t rowsComputed() const { return RowsComputed; }
  uint64_t rowsFull() const { return RowsFull; }
  /// The argmax of the masked logits of the observation's phase (the first
  /// on ties, as numpy's), over the embeddings of the last embed(); -1 when
  /// nothing is legal.
  int decide(const PolicyObservation &Obs);

private:
  PolicyModel() = default;
  llvm::Error parse(llvm::StringRef Data);
  /// A tensor of the file, checked to have this shape.
  llvm::Error take(const std::map<std::string, std::vector<float>> &All,
                   const std::string &Name, std::vector<unsigned> Shape,
                   std::vector<float> &Out, bool Transpose);

  /// A linear layer stored transposed (In x Out), so that the inner loop
  /// runs over the outputs.
  struct Linear {
    unsigned In = 0, Out = 0;
    std::vector<float> WT, Bias;
  };
  /// score(item, context) = w2 . tanh(W_item item + W_context context + b) + b2
  struct PairScorer {
    unsigned ItemDim = 0, Width = 0;
    std::vector<float> ItemWT;  // ItemDim x Width
    Linear Context;             // context -> Width, with the first bias
    std::vector<float> OutW;    // Width
    float OutBias = 0;
    std::vector<float> ContextPart; // Context applied to the current context
  };
  llvm::Error takeLinear(const std::map<std::string, std::vector<float>> &All,
                         const std::string &Name, unsigned In, unsigned Out,
                         bool HasBias, Linear &L);
  llvm::Error takeScorer(const std::map<std::string, std::vector<float>> &All,
                         const std::string &Name, unsigned ItemDim,
                         PairScorer &S);
  void prepareScorer(PairScorer &S) const;
  float score(const PairScorer &S, const float *Item) const;
  /// The score from the accumulated item products (Width values, changed).
  float finishScore(const PairScorer &S, float *Acc) const;
  static constexpr unsigned MaxWidth = 1024;
  /// Out = X W^T + b for NumRows rows of X (In wide), Out wide.
  void apply(const Linear &L, const float *X, unsigned NumRows, float *Y,
             bool AddBias) const;
  void buildContext(const PolicyObservation &Obs);
  /// Priority columns (agents.policies.scoring.priority_features) of the
  /// legal items ordered by Keys (each Count values, larger first, then by
  /// index): 3 values per item into Out (zero for illegal items).
  void priority(const std::vector<const float *> &Keys, unsigned Stride,
                const uint8_t *Legal, unsigned Count, float *Out) const;

  std::string Path, Target;
  unsigned MaxNodes = 0, MaxEdges = 0, MaxSplitPoints = 0, NumColours = 0;
  unsigned Hidden = 0, Layers = 0, RegisterDim = 0, PriorityDim = 0;
  bool SpillGate = false;
  float FeatureLow = -1, FeatureHigh = 1e6;
  Linear Embed, Task, Colour, Spill;
  std::vector<Linear> SelfLin, NeighLin;
  PairScorer NodeScore, SplitScore, RegisterScore;

  /// Row I of layer L + 1 (L = 0: the embedding of the features).
  void computeRow(const PolicyObservation &Obs, unsigned L, unsigned I);
  void buildAdjacency(const PolicyObservation &Obs);

  // The trunk: Layers + 2 matrices of NumNodes x Hidden (Layer[1] the
  // embedding, H the last; Layer[0] unused).
  unsigned NumNodes = 0;
  std::vector<std::vector<float>> Layer;
  const float *H = nullptr;
  // Each node's neighbours in the order the env's scatter-add sums them: the
  // other ends of the edges (i, j) it starts, then of those it ends, in edge
  // order. AdjStart has NumNodes + 1 entries.
  std::vector<unsigned> AdjStart, Adj, OldAdjStart, OldAdj;
  std::vector<uint8_t> Dirty, NextDirty;
  std::vector<float> Sum, Part;
  bool PooledValid = false;
  // Per node, the node scorer's item product over its embedding (the chain
  // of multiply-adds before the priority columns), while it is valid.
  std::vector<float> NodeItem;
  std::vector<uint8_t> NodeItemValid;
  std::vector<float> Pooled; // mean and max of the last embeddings
  uint64_t RowsComputed = 0, RowsFull = 0;
  // Scratch.
  std::vector<float> Context, Item, Prio;
};

} // namespace rl4real

#endif
