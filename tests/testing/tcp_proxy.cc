#include "tests/testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace kaartnet::testing {

struct TcpProxy::Connection {
  int client = -1;
  int server = -1;
  std::thread up;
  std::thread down;
};

namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = Loopback(0);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    std::cerr << "tcp proxy: cannot listen: " << strerror(errno) << "\n";
    std::abort();
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  accept_thread_.join();
  close(listen_fd_);
  CutAll();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : connections_) {
    if (c->up.joinable()) c->up.join();
    if (c->down.joinable()) c->down.join();
    close(c->client);
    close(c->server);
  }
}

std::string TcpProxy::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void TcpProxy::SetBlocked(bool blocked) {
  blocked_ = blocked;
  if (blocked) CutAll();
}

void TcpProxy::SetDelay(absl::Duration delay) {
  delay_micros_ = absl::ToInt64Microseconds(delay);
}

void TcpProxy::CutAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : connections_) {
    shutdown(c->client, SHUT_RDWR);
    shutdown(c->server, SHUT_RDWR);
  }
}

void TcpProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    if (blocked_) {
      close(client);
      continue;
    }
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target = Loopback(target_port_);
    if (connect(server, reinterpret_cast<sockaddr*>(&target), sizeof(target)) !=
        0) {
      close(server);
      close(client);
      continue;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto c = std::make_unique<Connection>();
    c->client = client;
    c->server = server;
    c->up = std::thread([this, client, server] { Pump(client, server); });
    c->down = std::thread([this, client, server] { Pump(server, client); });
    std::lock_guard<std::mutex> lock(mu_);
    connections_.push_back(std::move(c));
  }
}

void TcpProxy::Pump(int from, int to) {
  char buffer[64 * 1024];
  while (!stopping_) {
    pollfd p{from, POLLIN, 0};
    const int ready = poll(&p, 1, 50);
    if (blocked_) break;
    if (ready <= 0) continue;
    const ssize_t n = read(from, buffer, sizeof(buffer));
    if (n <= 0) break;
    const int64_t delay = delay_micros_.load();
    if (delay > 0) usleep(static_cast<useconds_t>(delay));
    if (blocked_) break;
    ssize_t done = 0;
    while (done < n) {
      // MSG_NOSIGNAL: a peer that was killed must end this pump, not the
      // test process (SIGPIPE).
      const ssize_t w =
          send(to, buffer + done, static_cast<size_t>(n - done), MSG_NOSIGNAL);
      if (w <= 0) break;
      done += w;
    }
    if (done < n) break;
  }
  shutdown(from, SHUT_RDWR);
  shutdown(to, SHUT_RDWR);
}

}  // namespace kaartnet::testing
