//===- AllocationServer.cpp - rl4real-server: episodes without llc starts -===//
//
// A long-lived allocation process for the Python driver. Starting llc for
// every episode costs tens of milliseconds (process start, loading libLLVM and
// the plugin, target initialisation) before the allocator sees a function.
// rl4real-server pays that once: it initialises LLVM, then waits on its
// control socket for episode requests (a module and llc-style options). For
// each it parses the module (and, once per set of options, the options and a
// target machine with its subtargets), then forks: the child runs the
// code-generation pipeline up to and through the rl4real allocator (the same
// pass as in llc) and serves the decisions on a socket of its own, which the
// server hands to the driver. The pipeline is llc's with one pass added
// right after prologue/epilogue insertion: it sends the allocator's
// FUNCTION_DONE state with the callee-saved save/restore cost, which only
// exists once PEI has run. No pass ever runs in the server, so every
// episode starts from the same state, and a crash costs one episode, not the
// server.
//
// The server is a subreaper: an episode forked mid-way (env.fork()) is
// adopted by it when the episode it was copied from ends. The server dies
// with its driver, and every episode dies with the server.
//
//===----------------------------------------------------------------------===//

#include "CalleeSavedCost.h"
#include "EpisodeClient.h"
#include "FrameChannel.h"
#include "ProcessLifetime.h"
#include "Schema.h"
#include "rl4real.pb.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/CodeGen/MachineFunctionPass.h"
#include "llvm/CodeGen/MachineModuleInfo.h"
#include "llvm/CodeGen/Passes.h"
#include "llvm/CodeGen/TargetPassConfig.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/InitializePasses.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace llvm;
using namespace rl4real;

static codegen::RegisterCodeGenFlags CodeGenFlags;

static cl::opt<int> ControlFd("control-fd",
                              cl::desc("Connected socket of the driver"),
                              cl::init(-1));
static cl::opt<std::string>
    TargetTriple("mtriple", cl::desc("Override the module's target triple"));
static cl::opt<char> OptLevel("O", cl::Prefix, cl::init('2'),
                              cl::desc("Optimization level (0-3), as llc"));

namespace {

/// What every episode of the same options shares: the options parsed once,
/// and one target machine per triple with its subtargets already built. They
/// live in the server, so each episode inherits them copy-on-write instead of
/// building them again.
struct Prepared {
  std::vector<std::string> Args;
  std::map<std::string, std::unique_ptr<TargetMachine>> Machines;
};

/// Parses llc-style options for the episodes (all options first go back to
/// their defaults). Returns an error message, empty on success.
std::string parseOptions(Prepared &P, const EpisodeRequest &Req) {
  std::vector<std::string> Args(Req.args().begin(), Req.args().end());
  if (Args == P.Args && !P.Args.empty())
    return "";
  P.Args.clear();
  P.Machines.clear();
  std::vector<std::string> All = {"rl4real-server", "-regalloc=rl4real"};
  All.insert(All.end(), Args.begin(), Args.end());
  std::vector<const char *> Argv;
  for (const std::string &A : All)
    Argv.push_back(A.c_str());
  cl::ResetAllOptionOccurrences();
  std::string Error;
  raw_string_ostream OS(Error);
  if (!cl::ParseCommandLineOptions(int(Argv.size()), Argv.data(), "", &OS))
    return "invalid options: " + OS.str();
  if (!CodeGenOpt::parseLevel(OptLevel.getValue()))
    return std::string("invalid optimization level -O") + OptLevel.getValue();
  P.Args = std::move(Args);
  return "";
}

/// The target machine for M's triple (or -mtriple), made once per options.
TargetMachine *machineFor(Prepared &P, Module &M, std::string &Error) {
  Triple T(TargetTriple.empty() ? M.getTargetTriple()
                                : Triple::normalize(TargetTriple));
  if (T.getTriple().empty())
    T.setTriple(sys::getDefaultTargetTriple());
  M.setTargetTriple(T.getTriple());
  std::unique_ptr<TargetMachine> &TM = P.Machines[T.getTriple()];
  if (!TM) {
    const Target *TheTarget =
        TargetRegistry::lookupTarget(codegen::getMArch(), T, Error);
    if (!TheTarget)
      return nullptr;
    TargetOptions Options = codegen::InitTargetOptionsFromCodeGenFlags(T);
    Options.MCOptions.AsmVerbose = true; // as llc writes assembly
    TM.reset(TheTarget->createTargetMachine(
        T.getTriple(), codegen::getCPUStr(), codegen::getFeaturesStr(),
        Options, codegen::getExplicitRelocModel(),
        codegen::getExplicitCodeModel(),
        *CodeGenOpt::parseLevel(OptLevel.getValue())));
    if (!TM) {
      Error = "cannot create a target machine for " + T.getTriple();
      P.Machines.erase(T.getTriple());
      return nullptr;
    }
  }
  M.setDataLayout(TM->createDataLayout());
  codegen::setFunctionAttributes(codegen::getCPUStr(),
                                 codegen::getFeaturesStr(), M);
  // Build the subtargets here, once, rather than in every episode.
  for (const Function &F : M)
    if (!F.isDeclaration())
      TM->getSubtargetImpl(F);
  return TM.get();
}

/// Adds llc's code-generation passes (what LLVMTargetMachine::
/// addPassesToEmitFile adds) to PM, with the FUNCTION_DONE pass inserted
/// after PEI. Returns true if TM cannot emit FileType.
bool addCodeGenPasses(legacy::PassManager &PM, LLVMTargetMachine &TM,
                      raw_pwrite_stream &OS, CodeGenFileType FileType) {
  auto *MMIWP = new MachineModuleInfoWrapperPass(&TM);
  TargetPassConfig *PassConfig = TM.createPassConfig(PM);
  PassConfig->setDisableVerify(true);
  PassConfig->insertPass(&PrologEpilogCodeInserterID,
                         IdentifyingPassPtr(createFunctionDoneAfterPEI()));
  PM.add(PassConfig);
  PM.add(MMIWP);
  if (PassConfig->addISelPasses())
    return true;
  PassConfig->addMachinePasses();
  PassConfig->setInitialized();
  if (TargetPassConfig::willCompleteCodeGenPipeline()) {
    if (TM.addAsmPrinter(PM, OS, nullptr, FileType,
                         MMIWP->getMMI().getContext()))
      return true;
  } else if (FileType != CodeGenFileType::Null) {
    PM.add(createPrintMIRPass(OS));
  }
  PM.add(createFreeMachineFunctionPass());
  return false;
}

/// Runs the code-generation pipeline on M with TM, allocating with
/// -regalloc=rl4real for the client on Fd. Returns the exit code.
int runEpisode(int Fd, Module &M, TargetMachine &TM, const EpisodeRequest &Req,
               pid_t Server) {
  // The client first: it can stop (or kill) this episode from here on.
  EpisodeClient::install(Fd, Server);
  std::error_code EC;
  std::unique_ptr<ToolOutputFile> Out;
  raw_null_ostream Null;
  raw_pwrite_stream *OS = &Null;
  CodeGenFileType FileType = CodeGenFileType::Null;
  if (!Req.output().empty()) {
    FileType = codegen::getFileType();
    Out = std::make_unique<ToolOutputFile>(
        Req.output(), EC,
        FileType == CodeGenFileType::AssemblyFile ? sys::fs::OF_Text
                                                  : sys::fs::OF_None);
    if (EC) {
      errs() << "rl4real-server: cannot write " << Req.output() << ": "
             << EC.message() << "\n";
      return 2;
    }
    OS = &Out->os();
  }
  {
    // The printer flushes its buffer when the pass manager goes away: before
    // the output file is closed.
    legacy::PassManager PM;
    Triple T(M.getTargetTriple());
    TargetLibraryInfoImpl TLII(T);
    PM.add(new TargetLibraryInfoWrapperPass(TLII));
    if (addCodeGenPasses(PM, static_cast<LLVMTargetMachine &>(TM), *OS,
                         FileType)) {
      errs() << "rl4real-server: " << T.getTriple()
             << " cannot emit this file type\n";
      return 2;
    }
    // A pipeline cut short (-stop-after=...) may never reach PEI: there the
    // allocator sends FUNCTION_DONE itself, without the callee-saved cost.
    setFunctionDoneAfterPEI(TargetPassConfig::willCompleteCodeGenPipeline());
    PM.run(M);
  }
  if (Out)
    Out->keep();
  Out.reset();
  // The last frame: the output is complete.
  if (EpisodeClient *C = EpisodeClient::get()) {
    State Last;
    Last.set_phase(int(schema::phase::ModuleDone));
    Last.set_current_node(-1);
    Last.set_output_written(true);
    C->finish(Last);
  }
  return 0;
}

void initialiseLLVM() {
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  InitializeAllAsmParsers();
  PassRegistry &R = *PassRegistry::getPassRegistry();
  initializeCore(R);
  initializeCodeGen(R);
  initializeLoopStrengthReducePass(R);
  initializeLowerIntrinsicsPass(R);
  initializeTransformUtils(R);
  initializeScalarOpts(R);
  initializeVectorization(R);
  initializeTarget(R);
}

/// Starts one episode process for Req and hands its socket to the driver.
/// Bad options, modules and targets are reported to the driver in the reply.
void startEpisode(FrameChannel &Control, Prepared &P,
                  const EpisodeRequest &Req) {
  EpisodeReply Reply;
  std::string Error = parseOptions(P, Req);
  LLVMContext Context;
  std::unique_ptr<Module> M;
  TargetMachine *TM = nullptr;
  if (Error.empty()) {
    SMDiagnostic Diag;
    M = parseIRFile(Req.module(), Diag, Context);
    if (!M) {
      raw_string_ostream OS(Error);
      Diag.print("rl4real-server", OS);
    } else {
      TM = machineFor(P, *M, Error);
    }
  }
  int SV[2] = {-1, -1};
  if (Error.empty() &&
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, SV) != 0)
    Error = "socketpair failed";
  if (!Error.empty()) {
    Reply.set_error(Error);
    Control.send(Reply);
    return;
  }
  pid_t Server = getpid();
  pid_t Pid = fork();
  if (Pid == 0) {
    Control.abandon();
    close(SV[0]);
    signal(SIGCHLD, SIG_DFL); // episodes wait for their own children
    guardParentLifetime(Server);
    if (!Req.stderr_path().empty()) {
      int Err = open(Req.stderr_path().c_str(),
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (Err >= 0) {
        dup2(Err, STDERR_FILENO);
        close(Err);
      }
    }
    int Code = runEpisode(SV[1], *M, *TM, Req, Server);
    errs().flush();
    _exit(Code);
  }
  close(SV[1]);
  if (Pid < 0)
    Reply.set_error("fork failed");
  Reply.set_pid(Pid);
  Control.send(Reply, Pid > 0 ? SV[0] : -1);
  close(SV[0]);
}

} // end anonymous namespace

int main(int argc, char **argv) {
  guardParentLifetime();
  // Adopt forked episodes whose original has ended, and reap every child
  // without keeping zombies.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGCHLD, SIG_IGN);
  initialiseLLVM();
  cl::ParseCommandLineOptions(argc, argv,
                              "rl4real allocation server (started by "
                              "rl4real_gym; not meant to be run by hand)\n");
  if (ControlFd < 0) {
    errs() << "rl4real-server: -control-fd is required\n";
    return 2;
  }
  FrameChannel Control(ControlFd);
  Prepared P;
  for (;;) {
    EpisodeRequest Req;
    // The driver going away (EOF) ends the server.
    if (Control.receive(Req, std::chrono::hours(24 * 365)) !=
        FrameChannel::Status::Ok)
      return 0;
    startEpisode(Control, P, Req);
  }
}
