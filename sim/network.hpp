// Network: simulated hosts (nodes), the processes on them, and the messages between processes.
//
//   sim::Network net(engine, sim::Distribution::constant(sim::microseconds(200)));
//   const auto n1 = net.add_node("master-1");
//   const auto zk = net.add_process(n1, "zookeeper");
//   net.start_process(zk);
//   net.listen(zk, 2181, [&](sim::ConnectionId c, sim::Address peer) { return handlers; });
//
// Contract:
// - Components talk only through this class, so every delay, loss, partition, pause and crash
//   applies to every interaction. Payloads are immutable and shared, never copied.
// - Streams (TCP-like): connect with a timeout, FIFO per connection, reliable while both ends are
//   up and reachable (a lost segment costs a retransmission delay, not the message).
//   Datagrams (UDP-like): may be lost with the link's loss probability.
// - Latency is drawn per message from the link's distribution, from a stream per sending node,
//   and never lets a message overtake an earlier one on the same directed link (FIFO).
// - Faults take effect on messages in flight: reachability is checked on arrival.
// - A crashed process (host alive) has its connections reset by the host at once, so peers see
//   on_closed after one link latency. A crashed or partitioned host, or a paused process, sends
//   nothing: peers notice only through their own timeouts. After a crashed host comes back, a
//   message over an old connection is answered with a reset, as TCP does.
// - Process-scoped timers (after()) die with the process incarnation that armed them and are
//   held while the process is paused, together with every delivery to it.
// Not thread-safe; one per run. Node and process handles are indices into tables that only
// grow. A ConnectionId is unique in a run and ids grow in order of connect; once a connection is
// over (closed at both ends, nothing of it still to come) its id behaves as a closed
// connection's: send() is false, close() does nothing, is_open() is false, peer_of() throws.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/detail/inline_function.hpp"
#include "sim/distribution.hpp"
#include "sim/engine.hpp"
#include "sim/link_faults.hpp"

namespace bootsim::sim {

struct NodeId {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(NodeId, NodeId) = default;
};
struct ProcessId {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(ProcessId, ProcessId) = default;
};
struct ConnectionId {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(ConnectionId, ConnectionId) = default;
};
using Port = std::uint16_t;
inline constexpr std::uint32_t kNoZone = 0xffffffffu;
struct Address {
  NodeId node;
  Port port = 0;
  friend constexpr auto operator<=>(const Address&, const Address&) = default;
};

// Base of every message a model sends. Models define their own payload types and recognise
// them with message_as<T>(); kind() names the message in traces.
class Payload {
 public:
  virtual ~Payload() = default;
  virtual std::string_view kind() const = 0;
};
using Message = std::shared_ptr<const Payload>;

template <class T>
const T* message_as(const Message& m) {
  return dynamic_cast<const T*>(m.get());
}

enum class ConnectError {
  kRefused,   // host up, nothing listening: a reset after one round trip
  kTimedOut,  // host down, unreachable, or the answer lost: the caller's timeout elapsed
};

// Callbacks of one end of a stream. Unset members are ignored.
struct StreamHandlers {
  std::function<void(ConnectionId)> on_open;  // initiator only: the connection is established
  std::function<void(ConnectionId, ConnectError)> on_connect_failed;  // initiator only
  std::function<void(ConnectionId, const Message&)> on_message;
  std::function<void(ConnectionId)> on_closed;  // closed or reset by the peer or its host
};
// Called on the listening process for each accepted connection; returns that end's handlers.
using AcceptHandler = std::function<StreamHandlers(ConnectionId, Address peer)>;
using DatagramHandler = std::function<void(Address from, const Message&)>;

inline constexpr std::size_t kProcessCallbackCapacity = 40;
using ProcessCallback = detail::InlineFunction<kProcessCallbackCapacity>;

enum class ProcessState { kDown, kUp, kPaused };

class Network {
 public:
  Network(Engine& engine, Distribution default_latency);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  ~Network();

  Engine& engine() { return engine_; }
  SimTime now() const { return engine_.now(); }

  // --- topology -------------------------------------------------------------------------------
  NodeId add_node(std::string name);
  // A process is created down; start_process brings it up.
  ProcessId add_process(NodeId node, std::string name);
  std::size_t node_count() const;
  const std::string& node_name(NodeId node) const;
  std::optional<NodeId> find_node(std::string_view name) const;
  NodeId node_of(ProcessId p) const;
  // "node/process", e.g. "master-1/zookeeper".
  std::string process_name(ProcessId p) const;

  void set_default_latency(Distribution d);
  // Latency between processes on the same host (loopback).
  void set_loopback_latency(Distribution d);
  // Both directions of the link between a and b.
  void set_link_latency(NodeId a, NodeId b, Distribution d);
  void set_link_loss(NodeId a, NodeId b, double probability);
  // Loss on every link between distinct hosts that has no loss of its own.
  void set_default_loss(double probability);
  // Zones (availability zones, racks): a node in zone z, numbered from 0; a message between
  // two zoned hosts takes the latency set for their pair of zones (within one zone: (z, z)),
  // unless its link has a latency of its own; pairs with none, and unzoned hosts, take the
  // default.
  void set_node_zone(NodeId n, std::uint32_t zone);
  void set_zone_latency(std::uint32_t a, std::uint32_t b, Distribution d);

  // --- lifecycle and faults -------------------------------------------------------------------
  // Starts a new incarnation of the process (its host must be up).
  void start_process(ProcessId p);
  // The process exits or is killed with its host alive: listeners go, the host resets every
  // connection, peers see on_closed one latency later, its timers die.
  void crash_process(ProcessId p);
  void pause_process(ProcessId p);
  void resume_process(ProcessId p);
  // Host power loss: every process dies without a word to any peer.
  void crash_node(NodeId n);
  // Host is back; its processes stay down until started.
  void restart_node(NodeId n);
  // Nodes in different groups cannot exchange anything; nodes in no group form one more group.
  // A second partition() replaces the first; heal() undoes every cut set, named ones included.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void heal();
  // Named cut sets and degradations (link_faults.hpp), each undone by name; they take effect on
  // messages in flight (reachability is checked on arrival).
  LinkFaults& link_faults();
  // The node's own clock runs `drift_ppm` parts per million fast (negative: slow) and reads
  // `skew` ahead of true time: process timers (after()) on it last their delay as that clock
  // counts, so a timer of d takes d / (1 + drift_ppm·1e-6) of true time.
  void set_clock(NodeId n, SimTime skew, std::int64_t drift_ppm);
  // What the node's clock reads now.
  SimTime local_time(NodeId n) const;
  // The node's disk is `percent`/100 times slower (100: as it was); disk_time scales a
  // latency that a model spends on that disk (an fsync, reading a program at start-up).
  void set_disk_slowdown(NodeId n, std::int64_t percent);
  SimTime disk_time(NodeId n, SimTime latency) const;

  ProcessState process_state(ProcessId p) const;
  bool process_up(ProcessId p) const { return process_state(p) != ProcessState::kDown; }
  // Incarnation counter: bumps on every start; lets models tell a restarted peer from the old one.
  std::uint64_t incarnation(ProcessId p) const;
  bool node_up(NodeId n) const;
  // Whether `a` can send to `b` now (both up, no cut set holds the directed link a→b).
  bool reachable(NodeId a, NodeId b) const;

  // --- process-scoped timers ------------------------------------------------------------------
  // Runs `cb` after `delay` if `p` is still the same incarnation; held while `p` is paused.
  TimerId after(ProcessId p, SimTime delay, ProcessCallback cb);
  bool cancel(TimerId id) { return engine_.cancel(id); }

  // --- datagrams ------------------------------------------------------------------------------
  // The handler sees each datagram's source address: the sender's host and the port it sent
  // from (0 when it sent from no bound port), so an answer can go back to that port.
  void bind(ProcessId p, Port port, DatagramHandler handler);
  // The port is free again (a closed socket); datagrams to it are dropped from now on.
  void unbind(ProcessId p, Port port);
  // A port of `node` that nothing is bound to, from the Linux default ephemeral range
  // (net.ipv4.ip_local_port_range 32768-60999), handed out in turn as the kernel does.
  Port ephemeral_port(NodeId node);
  void send_datagram(ProcessId from, Address to, Message m) {
    send_datagram(from, 0, to, std::move(m));
  }
  // From the port `from_port` that `from` has bound: the receiver can answer to it.
  void send_datagram(ProcessId from, Port from_port, Address to, Message m);
  // A one-way message over a connection the sender's runtime keeps open (libprocess, HTTP
  // keep-alive), delivered to whatever is bound to `to` as a datagram would be: in order per
  // link, never lost to link loss (a lost segment is retransmitted after the RTO, 200 ms
  // doubling, as on a stream), never duplicated; dropped if unreachable on arrival or nothing
  // is bound there (the sender's own timeouts notice). A simplification of a stream per peer
  // pair: no handshake, no reset.
  void send_message(ProcessId from, Address to, Message m);
  // A datagram service that misbehaves (a DNS server answering SERVFAIL, or nothing): while an
  // interceptor is set on `at` (a host and port, whoever binds it, restarts included), each
  // datagram to it goes to the interceptor instead of the bound handler, in the bound process's
  // context (so never while it is down or paused), with the process to answer from. Setting
  // again replaces; clear_interceptor restores delivery.
  using DatagramInterceptor = std::function<void(ProcessId bound, Address from, const Message&)>;
  void set_interceptor(Address at, DatagramInterceptor interceptor);
  void clear_interceptor(Address at);

  // --- streams --------------------------------------------------------------------------------
  void listen(ProcessId p, Port port, AcceptHandler handler);
  // Connects from `from` to `to`; exactly one of on_open / on_connect_failed follows, unless
  // `from` dies first.
  ConnectionId connect(ProcessId from, Address to, SimTime timeout, StreamHandlers handlers);
  // Sends over an open connection; false if this end is not open.
  bool send(ConnectionId c, ProcessId from, Message m);
  // Orderly close by one end; the other end sees on_closed one latency later.
  void close(ConnectionId c, ProcessId by);
  bool is_open(ConnectionId c) const;
  // The other end's process; std::out_of_range once c is over.
  ProcessId peer_of(ConnectionId c, ProcessId self) const;

  std::uint64_t messages_sent() const { return messages_sent_; }

 private:
  void deliver_datagram(NodeId src, Address to, Address reply_to, Message m, bool stream = false);
  // connect()'s SYN reaching the target host (inc: the initiator's incarnation).
  void syn_arrives(ConnectionId c, NodeId src, Address to, ProcessId from, std::uint64_t inc);
  // close() of a connection that is not over.
  void close_end(ConnectionId c, ProcessId by);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Engine& engine_;
  std::uint64_t messages_sent_ = 0;
};

}  // namespace bootsim::sim
