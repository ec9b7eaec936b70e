// A TCP proxy on 127.0.0.1 under test control, put between two kaartnetd
// nodes to partition or slow the link without touching the machine's
// network settings.
//
// Thread-safety: the setters are safe from any thread.
#ifndef KAARTNET_TESTS_TESTING_TCP_PROXY_H_
#define KAARTNET_TESTS_TESTING_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace kaartnet::testing {

class TcpProxy {
 public:
  // Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:target.
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  std::string address() const;

  // Partition: cuts every open connection and refuses new ones until
  // unblocked.
  void SetBlocked(bool blocked);
  // Holds every chunk of bytes this long before forwarding it.
  void SetDelay(absl::Duration delay);

 private:
  struct Connection;
  void AcceptLoop();
  void Pump(int from, int to);
  void CutAll();

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> blocked_{false};
  std::atomic<int64_t> delay_micros_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace kaartnet::testing

#endif  // KAARTNET_TESTS_TESTING_TCP_PROXY_H_
