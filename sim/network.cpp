#include "sim/network.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <boost/container/flat_map.hpp>
#include <boost/container/stable_vector.hpp>

#include "sim/detail/connection_list.hpp"
#include "sim/slot_table.hpp"

namespace bootsim::sim {

namespace {
// Linux TCP_RTO_MIN (include/net/tcp.h): a lost stream segment is retransmitted after 200 ms,
// and each further loss of it doubles the wait (RFC 6298 §5.5), up to TCP_RTO_MAX, 120 s.
constexpr SimTime kRetransmissionTimeout = milliseconds(200);
constexpr SimTime kMaxRetransmissionTimeout = seconds(120);
// Linux net.ipv4.tcp_retries2 default: bounds the retransmissions of one segment, so that a
// link that loses everything (loss 1) cannot retry forever.
constexpr int kMaxRetransmissions = 15;
}  // namespace

struct Network::Impl {
  struct Node {
    std::string name;
    bool up = true;
    std::vector<ProcessId> processes;
    RandomStream rng;  // every draw for a message this node sends
    SimTime clock_skew = SimTime::zero();
    std::int64_t clock_drift_ppm = 0;
    std::int64_t disk_percent = 100;
    std::uint32_t zone = kNoZone;
    // Bindings are kept by host and by process, not in maps of the whole cluster: a lookup's
    // cost then stays with one host's few ports however many hosts there are.
    std::map<Port, ProcessId> port_owner;
    std::map<Port, DatagramInterceptor> interceptors;
    Port next_ephemeral = 0;
    // The FIFO floor of messages from this node to itself: most of a boot's datagrams are a
    // resolver asking the host's own DNS proxy, and this spares them the cluster-wide table.
    SimTime loopback_floor = SimTime::zero();
  };
  struct Process {
    NodeId node;
    std::string_view name;  // as given to add_process, interned in process_names
    ProcessState state = ProcessState::kDown;
    std::uint64_t incarnation = 0;
    std::vector<ProcessCallback> held;  // work held while paused, in arrival order
    bool draining = false;  // resumed, held work not yet run: later arrivals queue behind it
    // Flat: a process binds a port or two, and there is one process for each unit of each
    // host (an empty std::map is 48 bytes, and each entry a node of its own). Handlers are
    // called through copies, so nothing holds a reference into these across a call.
    struct Sockets {
      detail::ConnectionList connections;
      boost::container::flat_map<Port, AcceptHandler> listeners;
      boost::container::flat_map<Port, DatagramHandler> datagram_handlers;
    };
    // Made at the first bind, listen or connection: most processes (the main process of a unit
    // with no protocol model, most of a host's dozen) never have any, and an empty set took
    // 130 bytes.
    std::unique_ptr<Sockets> sockets;
    Sockets& made_sockets() {
      if (!sockets) sockets = std::make_unique<Sockets>();
      return *sockets;
    }
    bool listens(Port port) const { return sockets && sockets->listeners.contains(port); }
    void forget(ConnectionId c) {
      if (sockets) sockets->connections.erase(c);
    }
  };
  struct End {
    ProcessId process;
    std::uint64_t incarnation = 0;
    StreamHandlers handlers;
    bool open = false;
  };
  struct Connection {
    End ends[2];  // [0] initiator, [1] acceptor
    Address target;
    TimerId connect_timer;
    bool established = false;
    // A stream whose retransmissions ran out (tcp_retries2) across a cut link is broken for
    // good: nothing more goes through, and detection is left to the application's timeouts.
    bool broken = false;
    // Segments waiting out a cut link, per receiving side: TCP retransmits the first, its RTO
    // doubling, and the others queue behind it; when the link is back they arrive in order.
    struct Stall {
      std::vector<Message> segments;
      SimTime rto = kRetransmissionTimeout;
      int retries = 0;
    };
    Stall stalled[2];
    // The FIFO floors of its two hosts' directions (last_arrival's entries, which never move),
    // [0] from the initiator's host, [1] back: found once, not hashed for every segment. Null
    // when the initiator was down at connect: then no end ever opens, and nothing reads them.
    SimTime* fifo[2] = {nullptr, nullptr};
    // What of it is still to come or running: a SYN in flight, an accept, an on_closed or
    // on_connect_failed on its way to a process, a handler being called. Its slot is reused
    // only at zero, so nothing that can still tell a model about it finds another there.
    std::uint32_t pins = 0;
  };
  struct Link {
    std::optional<Distribution> latency;  // absent: the zones' or the default latency
    double loss = 0.0;
  };

  Engine& engine;
  Distribution default_latency;
  Distribution loopback_latency = Distribution::constant(microseconds(20));
  // zone_count x zone_count, row-major; an absent entry: default_latency.
  std::uint32_t zone_count = 0;
  std::vector<std::optional<Distribution>> zone_latency;
  double default_loss = 0.0;
  LinkFaults link_faults;
  // Stable vectors: a handler running from a process's or host's map may add a process (a
  // task) or a host, and what it runs from must not move; growing never copies them all. Not
  // deques: a deque's operator[] was an out-of-line call with a division, 7 % of a small boot.
  boost::container::stable_vector<Node> nodes;
  boost::container::stable_vector<Process> processes;
  // The names processes are given, once each: every host runs the same dozen units, so a
  // process keeps a view, and "node/name" is composed when asked for (process_name).
  std::unordered_set<std::string> process_names;
  // By ConnectionId value. A connection's slot is reused once it is over (settled, closed at
  // both ends, nothing of it pinned): a boot opens hundreds of thousands of short-lived
  // connections (30 an agent), and keeping each was a tenth of a 10,000-agent boot's memory.
  // Ids stay unique and in order of connect, as models key by them; a connection stays where it
  // is (handlers hold references across connects).
  SlotTable<Connection> connections;
  std::map<std::pair<std::uint32_t, std::uint32_t>, Link> links;  // keyed (min, max) node index
  // Directed (from << 32 | to), between two hosts (a host's own: Node::loopback_floor), for
  // FIFO: looked up for every message, never iterated, so hashed (an ordered map of every pair
  // of talking nodes was a tenth of a 2,000-agent boot).
  std::unordered_map<std::uint64_t, SimTime> last_arrival;

  Impl(Engine& e, Distribution d) : engine(e), default_latency(std::move(d)) {}
  // Held work goes first: its pins let go of connections, which must still be there.
  ~Impl() {
    for (Process& p : processes) p.held.clear();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const Link* link(NodeId a, NodeId b) const {
    const auto key = std::minmax(a.value, b.value);
    const auto it = links.find({key.first, key.second});
    return it == links.end() ? nullptr : &it->second;
  }

  // The process bound to (node, port), if any.
  std::optional<ProcessId> owner_of(Address a) const {
    const auto& owners = nodes[a.node.value].port_owner;
    const auto it = owners.find(a.port);
    return it == owners.end() ? std::nullopt : std::optional<ProcessId>(it->second);
  }
  // Every binding of p, as its crash or its host's drops them.
  void drop_bindings(ProcessId p) {
    Process& pr = processes[p.value];
    if (pr.sockets) {
      pr.sockets->listeners.clear();
      pr.sockets->datagram_handlers.clear();
    }
    std::erase_if(nodes[pr.node.value].port_owner,
                  [p](const auto& owner) { return owner.second == p; });
  }

  // The FIFO floor of messages from `from` to `to`: the latest arrival so far.
  SimTime& fifo_floor(NodeId from, NodeId to) {
    if (from == to) return nodes[from.value].loopback_floor;
    return last_arrival[std::uint64_t{from.value} << 32 | to.value];
  }

  // One-way delay for a message from a to b, never earlier than the previous one on that link.
  SimTime arrival_time(NodeId from, NodeId to, bool stream) {
    return arrival_time(from, to, stream, fifo_floor(from, to));
  }
  // The same, with the link's FIFO floor already found (a connection keeps its two).
  SimTime arrival_time(NodeId from, NodeId to, bool stream, SimTime& last) {
    Node& src = nodes[from.value];
    const Link* l = link(from, to);
    const Distribution& d = l != nullptr && l->latency ? *l->latency
                            : from == to               ? loopback_latency
                                                       : zone_or_default_latency(src, to);
    SimTime delay = d.sample(src.rng);
    if (link_faults.any()) delay += link_faults.degradation(from.value, to.value).extra_delay;
    const double loss = loss_between(from, to);
    if (stream && loss > 0.0) {
      SimTime rto = kRetransmissionTimeout;
      for (int i = 0; i < kMaxRetransmissions && src.rng.uniform01() < loss; ++i) {
        delay += rto;
        rto = std::min(rto * 2, kMaxRetransmissionTimeout);
      }
    }
    SimTime at = engine.now() + delay;
    if (at < last) at = last;
    last = at;
    return at;
  }

  // At least `count` zones in the matrix, keeping the latencies set so far.
  void grow_zones(std::uint32_t count) {
    if (count <= zone_count) return;
    std::vector<std::optional<Distribution>> m(std::size_t{count} * count);
    for (std::uint32_t i = 0; i < zone_count; ++i) {
      for (std::uint32_t j = 0; j < zone_count; ++j) {
        m[std::size_t{i} * count + j] = std::move(zone_latency[std::size_t{i} * zone_count + j]);
      }
    }
    zone_latency = std::move(m);
    zone_count = count;
  }

  const Distribution& zone_or_default_latency(const Node& src, NodeId to) const {
    const std::uint32_t za = src.zone, zb = nodes[to.value].zone;
    if (za == kNoZone || zb == kNoZone) return default_latency;
    const auto& d = zone_latency[std::size_t{za} * zone_count + zb];
    return d ? *d : default_latency;
  }

  double loss_between(NodeId from, NodeId to) const {
    const Link* l = link(from, to);
    const double own = l != nullptr ? l->loss : (from == to ? 0.0 : default_loss);
    if (!link_faults.any()) return own;
    return 1.0 - (1.0 - own) * (1.0 - link_faults.degradation(from.value, to.value).loss);
  }

  // A degraded link may deliver a datagram twice (streams discard duplicate segments).
  bool duplicated_datagram(NodeId from, NodeId to) {
    if (!link_faults.any()) return false;
    const double p = link_faults.degradation(from.value, to.value).duplication;
    return p > 0.0 && nodes[from.value].rng.uniform01() < p;
  }

  bool lost_datagram(NodeId from, NodeId to) {
    const double loss = loss_between(from, to);
    return loss > 0.0 && nodes[from.value].rng.uniform01() < loss;
  }

  bool reachable(NodeId a, NodeId b) const {
    return nodes[a.value].up && nodes[b.value].up && !link_faults.is_cut(a.value, b.value);
  }

  bool alive(ProcessId p, std::uint64_t incarnation) const {
    const Process& pr = processes[p.value];
    return pr.state != ProcessState::kDown && pr.incarnation == incarnation;
  }

  // Connection c, or nullptr once it is over and its slot may hold another. Whatever finds it
  // over would have found it closed at both ends and settled, and done nothing.
  const Connection* live(ConnectionId c) const { return connections.find(c.value); }
  Connection* live(ConnectionId c) { return connections.find(c.value); }
  // Connection c, which a pin or the caller's own event keeps from being over.
  Connection& conn(ConnectionId c) {
    Connection* cn = live(c);
    assert(cn != nullptr && "a connection that is over");
    return *cn;
  }
  void pin(ConnectionId c) { ++conn(c).pins; }
  void unpin(ConnectionId c) {
    --conn(c).pins;
    free_if_over(c);
  }
  // Frees c's slot if nothing of c can happen any more.
  void free_if_over(ConnectionId c) {
    Connection* cn = live(c);
    if (cn == nullptr || cn->pins != 0 || !cn->established || cn->ends[0].open ||
        cn->ends[1].open) {
      return;
    }
    connections.erase(c.value);
  }
  // A pin held by an object: it lets go of its connection when destroyed, so work that holds
  // one unpins whether it runs or is dropped (held by a paused process that then crashes).
  class Pin {
   public:
    Pin(Impl& impl, ConnectionId c) : impl_(&impl), c_(c) { impl.pin(c); }
    Pin(Pin&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)), c_(other.c_) {}
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    Pin& operator=(Pin&&) = delete;
    ~Pin() {
      if (impl_ != nullptr) impl_->unpin(c_);
    }

   private:
    Impl* impl_;
    ConnectionId c_;
  };
  // Calls a handler of c with c pinned: the handler may close c, and its slot must not be
  // reused (its handlers destroyed) while one of them runs.
  template <class Call>
  void call_pinned(ConnectionId c, Call call) {
    const Pin pin(*this, c);
    call(conn(c));
  }
  // run_for(p, incarnation, work) with c pinned until `work` has run or been dropped: it tells
  // p of c, and c's slot must still be c's when a paused p gets to it.
  template <class Work>
  void run_pinned(ConnectionId c, ProcessId p, std::uint64_t incarnation, Work work) {
    run_for(p, incarnation, [pin = Pin(*this, c), work = std::move(work)]() mutable { work(); });
  }
  // The connection an answer to c's SYN settles (established from now on), or nullptr if it
  // was settled already, is over, or the answer cannot reach the initiator (from, inc).
  Connection* settle(ConnectionId c, NodeId answer_from, NodeId initiator_host, ProcessId from,
                     std::uint64_t inc) {
    Connection* now = live(c);
    if (now == nullptr || now->established || !reachable(answer_from, initiator_host) ||
        !alive(from, inc)) {
      return nullptr;
    }
    now->established = true;
    engine.cancel(now->connect_timer);
    return now;
  }

  // A segment of connection c for its side `to_side` reaches dst's host, coming from src.
  void segment_arrives(ConnectionId c, NodeId src, NodeId dst, int to_side, Message m) {
    Connection* found = live(c);
    if (found == nullptr) return;
    Connection& cn = *found;
    if (cn.broken) return;
    if (!nodes[dst.value].up) return;  // dropped; a retransmission after reboot gets a reset
    if (!reachable(src, dst) || !cn.stalled[to_side].segments.empty()) {
      stall(c, src, dst, to_side, std::move(m));
      return;
    }
    End& to = cn.ends[to_side];
    if (!to.open) return;  // the receiving end already closed: data is discarded
    if (!alive(to.process, to.incarnation)) {
      reset_from(c, src, dst, to_side);
      return;
    }
    run_for(to.process, to.incarnation, [this, c, to_side, m = std::move(m)] {
      const Connection* now = live(c);
      if (now == nullptr || !now->ends[to_side].open || !now->ends[to_side].handlers.on_message) {
        return;
      }
      call_pinned(c, [&](Connection& cn2) { cn2.ends[to_side].handlers.on_message(c, m); });
    });
  }

  // The receiving process (or host) restarted since the connection opened: its kernel answers
  // with a reset, which closes the sender's end one latency later.
  void reset_from(ConnectionId c, NodeId src, NodeId dst, int to_side) {
    Connection& cn = conn(c);
    cn.ends[to_side].open = false;
    const SimTime rst_at = arrival_time(dst, src, /*stream=*/true, *cn.fifo[to_side]);
    engine.schedule_at(rst_at, [this, c, from_side = 1 - to_side] {
      Connection* now = live(c);
      if (now == nullptr || !now->ends[from_side].open) return;
      End& e = now->ends[from_side];
      e.open = false;
      notify_closed(c, e, from_side);
    });
    free_if_over(c);
  }

  // Tells end `side` of c (just closed, e) that the connection closed, when its process runs.
  void notify_closed(ConnectionId c, const End& e, int side) {
    run_pinned(c, e.process, e.incarnation, [this, c, side] {
      const End& end = conn(c).ends[side];
      if (end.handlers.on_closed) end.handlers.on_closed(c);
    });
  }

  // A segment that found its link cut (or queues behind one that did): retransmitted after the
  // RTO, doubling up to 120 s, for at most tcp_retries2 (15) tries, about 15 minutes.
  void stall(ConnectionId c, NodeId src, NodeId dst, int to_side, Message m) {
    Connection::Stall& st = conn(c).stalled[to_side];
    st.segments.push_back(std::move(m));
    if (st.segments.size() == 1) retry_after(c, src, dst, to_side);
  }

  void retry_after(ConnectionId c, NodeId src, NodeId dst, int to_side) {
    const SimTime rto = conn(c).stalled[to_side].rto;
    engine.schedule_after(rto, [this, c, src, dst, to_side] {
      Connection* found = live(c);
      if (found == nullptr) return;
      Connection& cn = *found;
      Connection::Stall& st = cn.stalled[to_side];
      if (!reachable(src, dst) && !cn.broken) {
        if (++st.retries >= kMaxRetransmissions) {
          cn.broken = true;
        } else {
          st.rto = std::min(st.rto * 2, kMaxRetransmissionTimeout);
          retry_after(c, src, dst, to_side);
          return;
        }
      }
      std::vector<Message> segments = std::move(st.segments);
      st = Connection::Stall{};
      for (Message& m : segments) segment_arrives(c, src, dst, to_side, std::move(m));
    });
  }

  // Runs `work` for process p if it is still that incarnation; holds it while p is paused.
  // False if `work` was dropped (p is down or another incarnation).
  bool run_for(ProcessId p, std::uint64_t incarnation, ProcessCallback work) {
    Process& pr = processes[p.value];
    if (pr.state == ProcessState::kDown || pr.incarnation != incarnation) return false;
    if (pr.state == ProcessState::kPaused || pr.draining) {
      pr.held.push_back(std::move(work));
      return true;
    }
    work();
    return true;
  }

  // Runs the work held while p was paused, in arrival order, after resume_process.
  void drain(ProcessId p, std::uint64_t incarnation) {
    Process& pr = processes[p.value];
    if (pr.incarnation != incarnation || !pr.draining) return;
    pr.draining = false;
    std::vector<ProcessCallback> held = std::move(pr.held);
    pr.held.clear();
    for (ProcessCallback& work : held) run_for(p, incarnation, std::move(work));
  }
};

Network::Network(Engine& engine, Distribution default_latency)
    : impl_(std::make_unique<Impl>(engine, std::move(default_latency))), engine_(engine) {}
Network::~Network() = default;

NodeId Network::add_node(std::string name) {
  RandomStream rng(engine_.seed(), "net/" + name);
  impl_->nodes.push_back(
      Impl::Node{std::move(name), true, {}, rng, SimTime::zero(), 0, 100, kNoZone, {}, {}, 0});
  return NodeId{static_cast<std::uint32_t>(impl_->nodes.size() - 1)};
}

ProcessId Network::add_process(NodeId node, std::string name) {
  Impl::Process p;
  p.node = node;
  impl_->nodes.at(node.value);  // throws std::out_of_range for a node that does not exist
  p.name = *impl_->process_names.insert(std::move(name)).first;
  impl_->processes.push_back(std::move(p));
  const ProcessId id{static_cast<std::uint32_t>(impl_->processes.size() - 1)};
  impl_->nodes[node.value].processes.push_back(id);
  return id;
}

std::size_t Network::node_count() const {
  return impl_->nodes.size();
}
const std::string& Network::node_name(NodeId node) const {
  return impl_->nodes.at(node.value).name;
}
std::optional<NodeId> Network::find_node(std::string_view name) const {
  for (std::size_t i = 0; i < impl_->nodes.size(); ++i) {
    if (impl_->nodes[i].name == name) return NodeId{static_cast<std::uint32_t>(i)};
  }
  return std::nullopt;
}
NodeId Network::node_of(ProcessId p) const {
  return impl_->processes.at(p.value).node;
}
std::string Network::process_name(ProcessId p) const {
  const Impl::Process& process = impl_->processes.at(p.value);
  std::string name = impl_->nodes[process.node.value].name;
  name += '/';
  name += process.name;
  return name;
}

void Network::set_default_latency(Distribution d) {
  impl_->default_latency = std::move(d);
}
void Network::set_loopback_latency(Distribution d) {
  impl_->loopback_latency = std::move(d);
}
void Network::set_link_latency(NodeId a, NodeId b, Distribution d) {
  const auto key = std::minmax(a.value, b.value);
  auto [it, inserted] = impl_->links.try_emplace({key.first, key.second}, Impl::Link{});
  it->second.latency = std::move(d);
}
void Network::set_node_zone(NodeId n, std::uint32_t zone) {
  impl_->nodes.at(n.value).zone = zone;
  impl_->grow_zones(zone + 1);
}
void Network::set_zone_latency(std::uint32_t a, std::uint32_t b, Distribution d) {
  impl_->grow_zones(std::max(a, b) + 1);
  const std::uint32_t n = impl_->zone_count;
  impl_->zone_latency[std::size_t{a} * n + b] = d;
  impl_->zone_latency[std::size_t{b} * n + a] = std::move(d);
}
void Network::set_default_loss(double probability) {
  impl_->default_loss = probability;
}

void Network::set_link_loss(NodeId a, NodeId b, double probability) {
  const auto key = std::minmax(a.value, b.value);
  auto [it, inserted] = impl_->links.try_emplace({key.first, key.second}, Impl::Link{});
  it->second.loss = probability;
}

ProcessState Network::process_state(ProcessId p) const {
  return impl_->processes.at(p.value).state;
}
std::uint64_t Network::incarnation(ProcessId p) const {
  return impl_->processes.at(p.value).incarnation;
}
bool Network::node_up(NodeId n) const {
  return impl_->nodes.at(n.value).up;
}
bool Network::reachable(NodeId a, NodeId b) const {
  return impl_->reachable(a, b);
}

void Network::start_process(ProcessId p) {
  Impl::Process& pr = impl_->processes.at(p.value);
  assert(impl_->nodes[pr.node.value].up && "starting a process on a host that is down");
  assert(pr.state == ProcessState::kDown && "starting a process that is running");
  ++pr.incarnation;
  pr.state = ProcessState::kUp;
}

void Network::crash_process(ProcessId p) {
  Impl::Process& pr = impl_->processes.at(p.value);
  if (pr.state == ProcessState::kDown) return;
  pr.state = ProcessState::kDown;
  pr.held.clear();
  pr.draining = false;
  impl_->drop_bindings(p);
  // The host is alive: its kernel resets every connection of the process at once.
  const std::vector<ConnectionId> conns =
      pr.sockets ? pr.sockets->connections.take() : std::vector<ConnectionId>{};
  for (const ConnectionId c : conns) close(c, p);
}

void Network::pause_process(ProcessId p) {
  Impl::Process& pr = impl_->processes.at(p.value);
  if (pr.state == ProcessState::kUp) pr.state = ProcessState::kPaused;
}

void Network::resume_process(ProcessId p) {
  Impl::Process& pr = impl_->processes.at(p.value);
  if (pr.state != ProcessState::kPaused) return;
  pr.state = ProcessState::kUp;
  if (pr.held.empty()) return;
  // Held work runs in one event at this instant, in arrival order. Until it has run, anything
  // else arriving for p queues behind it (an arrival already queued for this instant would
  // otherwise overtake the held work and break FIFO).
  pr.draining = true;
  const std::uint64_t inc = pr.incarnation;
  engine_.schedule_after(SimTime::zero(), [this, p, inc] { impl_->drain(p, inc); });
}

void Network::crash_node(NodeId n) {
  Impl::Node& node = impl_->nodes.at(n.value);
  if (!node.up) return;
  node.up = false;
  for (const ProcessId p : node.processes) {
    Impl::Process& pr = impl_->processes[p.value];
    pr.state = ProcessState::kDown;
    pr.held.clear();
    pr.draining = false;
    if (pr.sockets) pr.sockets->connections.clear();  // silently: no peer hears of it
    impl_->drop_bindings(p);
  }
}

void Network::restart_node(NodeId n) {
  impl_->nodes.at(n.value).up = true;
}

void Network::partition(const std::vector<std::vector<NodeId>>& groups) {
  std::vector<std::vector<std::uint32_t>> indices;
  for (const auto& group : groups) {
    indices.emplace_back();
    for (const NodeId n : group) indices.back().push_back(n.value);
  }
  impl_->link_faults.cut("", LinkSet::between(indices, /*others_form_a_group=*/true));
}

void Network::heal() {
  impl_->link_faults.remove_all_cuts();
}

LinkFaults& Network::link_faults() {
  return impl_->link_faults;
}

void Network::set_clock(NodeId n, SimTime skew, std::int64_t drift_ppm) {
  Impl::Node& node = impl_->nodes.at(n.value);
  assert(drift_ppm > -1'000'000 && "a clock must move forward");
  node.clock_skew = skew;
  node.clock_drift_ppm = drift_ppm;
}

namespace {
__extension__ using Int128 = __int128;  // GCC and Clang; exact where a double would round
// d · 1e6 / (1e6 + ppm) in 128-bit integers, rounded up: exact whatever the standard library,
// and never 0 for a positive delay (a model that re-arms a timer for what remains of a deadline
// read off true time would otherwise spin at one instant on a fast clock).
SimTime true_duration(SimTime local, std::int64_t drift_ppm) {
  if (drift_ppm == 0 || local.is_infinite() || local <= SimTime::zero()) return local;
  const Int128 rate = 1'000'000 + drift_ppm;
  const Int128 ns = (static_cast<Int128>(local.ns()) * 1'000'000 + rate - 1) / rate;
  return ns > static_cast<Int128>(SimTime::max_finite().ns())
             ? SimTime::max_finite()
             : nanoseconds(static_cast<std::int64_t>(ns));
}
}  // namespace

SimTime Network::local_time(NodeId n) const {
  const Impl::Node& node = impl_->nodes.at(n.value);
  const SimTime t = engine_.now();
  const Int128 ns = static_cast<Int128>(t.ns()) * (1'000'000 + node.clock_drift_ppm) / 1'000'000;
  return nanoseconds(static_cast<std::int64_t>(ns)) + node.clock_skew;  // < 1.5 × now: fits
}

void Network::set_disk_slowdown(NodeId n, std::int64_t percent) {
  assert(percent > 0 && "a disk that takes no time");
  impl_->nodes.at(n.value).disk_percent = percent;
}

SimTime Network::disk_time(NodeId n, SimTime latency) const {
  const std::int64_t percent = impl_->nodes.at(n.value).disk_percent;
  if (percent == 100) return latency;
  return latency * percent / 100;
}

TimerId Network::after(ProcessId p, SimTime delay, ProcessCallback cb) {
  const auto inc = static_cast<std::uint32_t>(impl_->processes.at(p.value).incarnation);
  const std::int64_t ppm = impl_->nodes[impl_->processes[p.value].node.value].clock_drift_ppm;
  return engine_.schedule_after(
      true_duration(delay, ppm),
      [this, p, inc, w = std::move(cb)]() mutable { impl_->run_for(p, inc, std::move(w)); });
}

void Network::bind(ProcessId p, Port port, DatagramHandler handler) {
  impl_->processes.at(p.value).made_sockets().datagram_handlers[port] = std::move(handler);
  impl_->nodes[node_of(p).value].port_owner[port] = p;
}

void Network::unbind(ProcessId p, Port port) {
  Impl::Process& pr = impl_->processes.at(p.value);
  if (pr.sockets) pr.sockets->datagram_handlers.erase(port);
  auto& owners = impl_->nodes[pr.node.value].port_owner;
  const auto owner = owners.find(port);
  if (owner != owners.end() && owner->second == p && !pr.listens(port)) {
    owners.erase(owner);
  }
}

Port Network::ephemeral_port(NodeId node) {
  constexpr Port kFirst = 32768;
  constexpr Port kLast = 60999;
  Impl::Node& n = impl_->nodes.at(node.value);
  Port& next = n.next_ephemeral;
  for (int tries = 0; tries <= kLast - kFirst; ++tries) {
    if (next < kFirst || next > kLast) next = kFirst;
    const Port candidate = next++;
    if (!n.port_owner.contains(candidate)) return candidate;
  }
  assert(false && "every ephemeral port of the host is bound");
  return 0;
}

void Network::send_datagram(ProcessId from, Port from_port, Address to, Message m) {
  if (!process_up(from)) return;
  ++messages_sent_;
  const NodeId src = node_of(from);
  if (impl_->lost_datagram(src, to.node)) return;
  const Address reply_to{src, from_port};
  const int copies = impl_->duplicated_datagram(src, to.node) ? 2 : 1;
  for (int i = 0; i < copies; ++i) deliver_datagram(src, to, reply_to, m);
}

void Network::send_message(ProcessId from, Address to, Message m) {
  if (!process_up(from)) return;
  ++messages_sent_;
  const NodeId src = node_of(from);
  deliver_datagram(src, to, Address{src, 0}, std::move(m), /*stream=*/true);
}

void Network::deliver_datagram(NodeId src, Address to, Address reply_to, Message m, bool stream) {
  const SimTime at = impl_->arrival_time(src, to.node, stream);
  engine_.schedule_at(at, [this, src, to, reply_to, m = std::move(m)]() mutable {
    if (!impl_->reachable(src, to.node)) return;
    const auto owner = impl_->owner_of(to);
    if (!owner) return;  // ICMP port unreachable: UDP callers time out
    const ProcessId dst = *owner;
    const auto inc = impl_->processes[dst.value].incarnation;
    impl_->run_for(dst, inc, [this, dst, port = to.port, reply_to, m = std::move(m)]() mutable {
      const auto& interceptors = impl_->nodes[node_of(dst).value].interceptors;
      const auto i = interceptors.find(port);
      if (i != interceptors.end()) {
        // Through a copy, as a handler below: one may clear itself.
        const DatagramInterceptor intercept = i->second;
        return intercept(dst, reply_to, m);
      }
      const Impl::Process& receiver = impl_->processes[dst.value];
      if (!receiver.sockets) return;
      const auto& handlers = receiver.sockets->datagram_handlers;
      const auto h = handlers.find(port);
      if (h == handlers.end()) return;
      // Called through a copy: a handler that crashes its process or binds its port again
      // destroys the one in the map while it runs (so does an accept handler, syn_arrives).
      const DatagramHandler handler = h->second;
      handler(reply_to, m);
    });
  });
}

void Network::set_interceptor(Address at, DatagramInterceptor interceptor) {
  impl_->nodes.at(at.node.value).interceptors[at.port] = std::move(interceptor);
}

void Network::clear_interceptor(Address at) {
  impl_->nodes.at(at.node.value).interceptors.erase(at.port);
}

void Network::listen(ProcessId p, Port port, AcceptHandler handler) {
  impl_->processes.at(p.value).made_sockets().listeners[port] = std::move(handler);
  impl_->nodes[node_of(p).value].port_owner[port] = p;
}

ConnectionId Network::connect(ProcessId from, Address to, SimTime timeout,
                              StreamHandlers handlers) {
  Impl::Connection fresh;
  fresh.ends[0].process = from;
  fresh.ends[0].incarnation = incarnation(from);
  fresh.ends[0].handlers = std::move(handlers);
  fresh.target = to;
  const ConnectionId c{impl_->connections.add(std::move(fresh))};
  if (!process_up(from)) return c;
  const NodeId src = node_of(from);
  Impl::Connection& cn = impl_->conn(c);
  cn.fifo[0] = &impl_->fifo_floor(src, to.node);
  cn.fifo[1] = &impl_->fifo_floor(to.node, src);
  impl_->processes[from.value].made_sockets().connections.add(c);
  const std::uint64_t inc = incarnation(from);

  cn.connect_timer = after(from, timeout, [this, c] {
    Impl::Connection* now = impl_->live(c);
    if (now == nullptr || now->established) return;
    now->established = true;  // settled: a late answer is ignored
    now->broken = true;
    impl_->call_pinned(c, [c](Impl::Connection& cn2) {
      if (cn2.ends[0].handlers.on_connect_failed) {
        cn2.ends[0].handlers.on_connect_failed(c, ConnectError::kTimedOut);
      }
    });
  });

  // SYN travels to the target host; it keeps the connection until it has arrived (pinned by
  // hand, not by a Pin in the event: the engine, which holds the event, outlives the network).
  const SimTime syn_at = impl_->arrival_time(src, to.node, /*stream=*/true, *cn.fifo[0]);
  impl_->pin(c);
  engine_.schedule_at(syn_at, [this, c, src, to, from, inc] {
    syn_arrives(c, src, to, from, inc);
    impl_->unpin(c);
  });
  return c;
}

void Network::syn_arrives(ConnectionId c, NodeId src, Address to, ProcessId from,
                          std::uint64_t inc) {
  if (!impl_->reachable(src, to.node)) return;  // no answer: the caller times out
  const auto owner = impl_->owner_of(to);
  const bool listening = owner && impl_->processes[owner->value].listens(to.port);
  Impl::Connection& cn = impl_->conn(c);
  const SimTime back_at = impl_->arrival_time(to.node, src, /*stream=*/true, *cn.fifo[1]);
  if (!listening) {
    // RST from the target host.
    engine_.schedule_at(back_at, [this, c, src, to, from, inc] {
      Impl::Connection* now = impl_->settle(c, to.node, src, from, inc);
      if (now == nullptr) return;
      now->broken = true;
      impl_->run_pinned(c, from, inc, [this, c] {
        const Impl::End& end = impl_->conn(c).ends[0];
        if (end.handlers.on_connect_failed) {
          end.handlers.on_connect_failed(c, ConnectError::kRefused);
        }
      });
    });
    return;
  }
  // The host's kernel completes the handshake even if the process is paused; the process
  // itself accepts when it runs.
  const ProcessId acceptor = *owner;
  cn.ends[1].process = acceptor;
  cn.ends[1].incarnation = incarnation(acceptor);
  cn.ends[1].open = true;
  impl_->processes[acceptor.value].made_sockets().connections.add(c);
  // SYN-ACK back to the initiator, queued before anything the acceptor sends or a close,
  // which follow it on the same link.
  engine_.schedule_at(back_at, [this, c, src, to, from, inc] {
    Impl::Connection* now = impl_->settle(c, to.node, src, from, inc);
    if (now == nullptr) return;
    if (now->broken) {
      impl_->free_if_over(c);
      return;
    }
    now->ends[0].open = true;
    impl_->run_for(from, inc, [this, c] {
      const Impl::Connection* cn3 = impl_->live(c);
      if (cn3 == nullptr || !cn3->ends[0].open || !cn3->ends[0].handlers.on_open) return;
      impl_->call_pinned(c, [c](Impl::Connection& cn4) { cn4.ends[0].handlers.on_open(c); });
    });
  });
  impl_->run_pinned(c, acceptor, cn.ends[1].incarnation, [this, c, acceptor, src, port = to.port] {
    const Impl::Process& pr = impl_->processes[acceptor.value];
    if (!pr.sockets) return;
    const auto& listeners = pr.sockets->listeners;
    if (const auto l = listeners.find(port); l != listeners.end()) {
      // Through a copy, as a datagram handler is (deliver_datagram).
      const AcceptHandler accept = l->second;
      StreamHandlers handlers = accept(c, Address{src, 0});
      Impl::End& end = impl_->conn(c).ends[1];
      if (impl_->alive(acceptor, end.incarnation)) end.handlers = std::move(handlers);
    }
  });
}

bool Network::is_open(ConnectionId c) const {
  const Impl::Connection* cn = impl_->live(c);
  return cn != nullptr && cn->ends[0].open && cn->ends[1].open && !cn->broken;
}

ProcessId Network::peer_of(ConnectionId c, ProcessId self) const {
  const Impl::Connection* cn = impl_->live(c);
  if (cn == nullptr) throw std::out_of_range("peer_of: a connection that is over");
  return cn->ends[0].process == self ? cn->ends[1].process : cn->ends[0].process;
}

bool Network::send(ConnectionId c, ProcessId from, Message m) {
  Impl::Connection* found = impl_->live(c);
  if (found == nullptr) return false;  // over: closed at this end too
  Impl::Connection& cn = *found;
  const int side = cn.ends[0].process == from ? 0 : 1;
  Impl::End& self = cn.ends[side];
  if (!self.open || self.process != from || !impl_->alive(from, self.incarnation)) return false;
  ++messages_sent_;
  const Impl::End& other = cn.ends[1 - side];
  const NodeId src = node_of(from);
  const NodeId dst = node_of(other.process);
  const SimTime at = impl_->arrival_time(src, dst, /*stream=*/true, *cn.fifo[side]);
  const int to_side = 1 - side;
  engine_.schedule_at(at, [this, c, src, dst, to_side, m = std::move(m)]() mutable {
    impl_->segment_arrives(c, src, dst, to_side, std::move(m));
  });
  return true;
}

void Network::close(ConnectionId c, ProcessId by) {
  Impl::Connection* found = impl_->live(c);
  if (found == nullptr) {
    impl_->processes[by.value].forget(c);  // as closing a closed end does
    return;
  }
  close_end(c, by);
  impl_->free_if_over(c);
}

void Network::close_end(ConnectionId c, ProcessId by) {
  Impl::Connection& cn = impl_->conn(c);
  const int side = cn.ends[0].process == by ? 0 : 1;
  Impl::End& self = cn.ends[side];
  if (side == 0 && !cn.established) {
    // Closing while connecting abandons the attempt.
    cn.established = true;
    cn.broken = true;
    engine_.cancel(cn.connect_timer);
  }
  const bool was_open = self.open;
  self.open = false;
  impl_->processes[by.value].forget(c);
  if (!was_open) return;
  const Impl::End& other = cn.ends[1 - side];
  // The acceptor closing before its SYN-ACK reached the initiator: the initiator's end opens
  // when the SYN-ACK arrives, and this FIN, behind it on the same link, then closes it.
  if (!other.open && (side == 0 || cn.established)) return;
  const NodeId src = node_of(by);
  const NodeId dst = node_of(other.process);
  // FIN/RST follows the data already sent, so it takes the same FIFO path.
  const SimTime at = impl_->arrival_time(src, dst, /*stream=*/true, *cn.fifo[side]);
  engine_.schedule_at(at, [this, c, src, dst, to_side = 1 - side] {
    Impl::Connection* now = impl_->live(c);
    if (now == nullptr || now->broken || !impl_->reachable(src, dst)) return;
    Impl::End& e = now->ends[to_side];
    if (!e.open) return;
    e.open = false;
    impl_->processes[e.process.value].forget(c);
    impl_->notify_closed(c, e, to_side);
  });
}

}  // namespace bootsim::sim
