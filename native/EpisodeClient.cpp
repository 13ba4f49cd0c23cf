//===- EpisodeClient.cpp - The allocator's connection to its driver -------===//

#include "EpisodeClient.h"
#include "ProcessLifetime.h"
#include "Schema.h"
#include "llvm/Support/raw_ostream.h"
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace rl4real;

std::unique_ptr<EpisodeClient> EpisodeClient::Instance;

EpisodeClient *EpisodeClient::get() { return Instance.get(); }

void EpisodeClient::install(int Fd, pid_t Reaper) {
  Instance.reset(new EpisodeClient(Fd, Reaper));
  Instance->hello();
}

void EpisodeClient::hello() {
  Hello H;
  H.set_pid(getpid());
  H.set_schema_version(schema::Version);
  H.set_num_node_features(schema::NumNodeFeatures);
  H.set_num_split_features(schema::NumSplitFeatures);
  H.set_num_register_features(schema::NumRegisterFeatures);
  int PidFd = int(syscall(SYS_pidfd_open, getpid(), 0));
  bool Ok = PidFd >= 0 && Channel.send(H, PidFd);
  if (PidFd >= 0)
    close(PidFd);
  if (!Ok)
    lost();
}

void EpisodeClient::lost() {
  if (Closed)
    return;
  Closed = true;
  Channel.abandon();
  // A server episode exists only for its client: nothing is left to do.
  if (exitsWithClient())
    _exit(0);
  llvm::errs() << "rl4real: lost the client; finishing with the heuristic\n";
}

bool EpisodeClient::fork(const Action &A) {
  State Reply;
  if (!exitsWithClient()) {
    Reply.set_error("fork needs the allocation server (rl4real-server); "
                    "this allocation runs in llc");
    return Channel.send(Reply);
  }
  int SV[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, SV) != 0) {
    Reply.set_error("fork: socketpair failed");
    return Channel.send(Reply);
  }
  pid_t Middle = ::fork();
  if (Middle == 0) {
    // The middle process exits at once, so that the copy is adopted by the
    // server (a subreaper) and outlives this episode.
    pid_t Copy = ::fork();
    if (Copy != 0)
      _exit(Copy < 0 ? 1 : 0);
    close(SV[0]);
    Channel.abandon();
    awaitAdoption(Reaper);
    if (!A.path().empty()) {
      int Err = open(A.path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (Err >= 0) {
        dup2(Err, STDERR_FILENO);
        close(Err);
      }
    }
    Channel.reset(SV[1]);
    hello();
    return !Closed;
  }
  close(SV[1]);
  int Status = 0;
  bool Made = Middle > 0 && waitpid(Middle, &Status, 0) == Middle &&
              WIFEXITED(Status) && WEXITSTATUS(Status) == 0;
  if (!Made)
    Reply.set_error("fork: fork(2) failed");
  Reply.set_forked(Made);
  bool Ok = Channel.send(Reply, Made ? SV[0] : -1);
  close(SV[0]);
  return Ok;
}

bool EpisodeClient::exchange(const State &S, Action &A,
                             std::chrono::seconds Timeout) {
  if (Closed)
    return false;
  if (!Channel.send(S)) {
    lost();
    return false;
  }
  for (;;) {
    FrameChannel::Status R = Channel.receive(A, Timeout);
    if (R != FrameChannel::Status::Ok) {
      if (R == FrameChannel::Status::Malformed)
        llvm::errs() << "rl4real: malformed message from the client\n";
      lost();
      return false;
    }
    if (unsigned(A.kind()) != schema::action::Fork)
      return true;
    // After a fork, both processes wait for their own client's next action
    // from the same decision point.
    if (!fork(A)) {
      lost();
      return false;
    }
  }
}

void EpisodeClient::finish(const State &S) {
  if (!Closed)
    Channel.send(S);
}
