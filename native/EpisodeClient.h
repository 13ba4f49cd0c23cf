//===- EpisodeClient.h - The allocator's connection to its driver -*- C++ -*-===//
//
// One allocation process serves one client (the Python driver) over a
// FrameChannel. The allocator publishes a State and waits for an Action;
// FORK actions are handled here and never reach the allocator: the process
// forks, the copy gets a socket of its own (sent to the client), and both go
// on waiting for the next action from the same decision point.
//
// Two hosts install a client: llc with the plugin (-rl4real-fd=N, a socket
// the driver passed down), and the rl4real-server fork server, which makes
// one process per episode. Only the server can fork episodes: it is the
// subreaper that adopts a fork when the original episode ends.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_EPISODECLIENT_H
#define RL4REAL_EPISODECLIENT_H

#include "FrameChannel.h"
#include "rl4real.pb.h"
#include <chrono>
#include <memory>
#include <sys/types.h>

namespace rl4real {

class EpisodeClient {
public:
  /// The client of this process, or nullptr when allocating standalone.
  static EpisodeClient *get();
  /// Serves the client on the connected socket Fd from now on. With a
  /// Reaper (the server's pid), FORK is available and the process exits as
  /// soon as the client goes away; without one (llc), the allocation is
  /// finished by the heuristic instead.
  static void install(int Fd, pid_t Reaper);

  /// Sends S and waits for the next allocation action. Returns false if the
  /// client went away or did not answer within Timeout; the client is then
  /// closed and the allocator finishes without it.
  bool exchange(const State &S, Action &A, std::chrono::seconds Timeout);
  /// Sends the last State of the session (no reply expected).
  void finish(const State &S);
  bool closed() const { return Closed; }
  /// Whether this process exists only for its client (a server episode).
  bool exitsWithClient() const { return Reaper > 0; }

private:
  EpisodeClient(int Fd, pid_t Reaper) : Channel(Fd), Reaper(Reaper) {}
  void hello();
  /// Handles a FORK request; returns false if this process lost its client.
  bool fork(const Action &A);
  void lost();

  FrameChannel Channel;
  pid_t Reaper;
  bool Closed = false;
  static std::unique_ptr<EpisodeClient> Instance;
};

} // namespace rl4real

#endif
