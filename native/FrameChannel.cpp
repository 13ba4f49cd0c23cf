//===- FrameChannel.cpp - Framed protobuf messages on a socket -----------===//

#include "FrameChannel.h"
#include <google/protobuf/message_lite.h>
#include <cerrno>
#include <cstring>
#include <algorithm>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace rl4real;

/// Frames larger than this are taken as a corrupt stream, not allocated.
static constexpr uint32_t MaxFrame = 1u << 30;

FrameChannel::~FrameChannel() { abandon(); }

void FrameChannel::abandon() {
  if (Fd >= 0)
    close(Fd);
  Fd = -1;
}

bool FrameChannel::writeAll(const char *Data, size_t Size, int PassedFd) {
  // The descriptor rides on the first bytes of the frame.
  alignas(cmsghdr) char Control[CMSG_SPACE(sizeof(int))] = {};
  while (Size) {
    iovec IO{const_cast<char *>(Data), Size};
    msghdr Msg{};
    Msg.msg_iov = &IO;
    Msg.msg_iovlen = 1;
    if (PassedFd >= 0) {
      Msg.msg_control = Control;
      Msg.msg_controllen = sizeof(Control);
      cmsghdr *C = CMSG_FIRSTHDR(&Msg);
      C->cmsg_level = SOL_SOCKET;
      C->cmsg_type = SCM_RIGHTS;
      C->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(C), &PassedFd, sizeof(int));
    }
    ssize_t N = sendmsg(Fd, &Msg, MSG_NOSIGNAL);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return false;
    PassedFd = -1;
    Data += N;
    Size -= size_t(N);
  }
  return true;
}

bool FrameChannel::send(const google::protobuf::MessageLite &M,
                        int PassedFd) {
  if (Fd < 0)
    return false;
  size_t Size = M.ByteSizeLong();
  Buffer.resize(4 + Size);
  for (unsigned I = 0; I < 4; ++I)
    Buffer[I] = char((Size >> (8 * I)) & 0xff);
  if (!M.SerializeToArray(&Buffer[4], int(Size)))
    return false;
  return writeAll(Buffer.data(), Buffer.size(), PassedFd);
}

FrameChannel::Status
FrameChannel::readAll(char *Data, size_t Size,
                      std::chrono::steady_clock::time_point Deadline,
                      std::chrono::microseconds Spin) {
  using namespace std::chrono;
  // Polling the socket for a short while before sleeping: waking a sleeping
  // process costs tens of microseconds on an idle (virtual) machine, more
  // than a decision takes, and a core left idle for long is slower to wake.
  // Between polls the core is yielded to whatever else wants it (another
  // episode of the same driver, or the driver itself).
  auto Start = steady_clock::now();
  while (Size && steady_clock::now() - Start < Spin) {
    ssize_t N = ::recv(Fd, Data, Size, MSG_DONTWAIT);
    if (N > 0) {
      Data += N;
      Size -= size_t(N);
    } else if (N == 0 || (errno != EAGAIN && errno != EINTR)) {
      return Status::Closed;
    } else {
      sched_yield();
    }
  }
  while (Size) {
    auto Left = std::chrono::duration_cast<std::chrono::milliseconds>(
        Deadline - std::chrono::steady_clock::now());
    pollfd P{Fd, POLLIN, 0};
    int R = poll(&P, 1, Left.count() > 0 ? int(Left.count()) : 0);
    if (R < 0 && errno == EINTR)
      continue;
    if (R == 0)
      return Status::TimedOut;
    if (R < 0)
      return Status::Closed;
    ssize_t N = ::recv(Fd, Data, Size, 0);
    if (N < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (N <= 0)
      return Status::Closed;
    Data += N;
    Size -= size_t(N);
  }
  return Status::Ok;
}

FrameChannel::Status
FrameChannel::receive(google::protobuf::MessageLite &M,
                      std::chrono::milliseconds Timeout) {
  if (Fd < 0)
    return Status::Closed;
  auto Start = std::chrono::steady_clock::now();
  auto Deadline = Start + Timeout;
  unsigned char Header[4];
  // A peer that answered quickly last time is polled for before sleeping.
  std::chrono::microseconds Spin{0};
  if (LastWait < SpinWhenWaitBelow)
    Spin = std::max(MinSpin, SpinFactor * LastWait);
  Status S = readAll(reinterpret_cast<char *>(Header), 4, Deadline, Spin);
  LastWait = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - Start);
  if (S != Status::Ok)
    return S;
  uint32_t Size = uint32_t(Header[0]) | uint32_t(Header[1]) << 8 |
                  uint32_t(Header[2]) << 16 | uint32_t(Header[3]) << 24;
  if (Size > MaxFrame)
    return Status::Malformed;
  Buffer.resize(Size);
  S = readAll(Buffer.data(), Size, Deadline, std::chrono::microseconds(0));
  if (S != Status::Ok)
    return S;
  return M.ParseFromArray(Buffer.data(), int(Size)) ? Status::Ok
                                                     : Status::Malformed;
}

