// request(): one request/response exchange over datagrams, the way a DNS client or a short
// HTTP call uses a socket: bind a fresh ephemeral port, send the request from it, take the
// first datagram that comes back to that port as the answer, or give up after a timeout.
//
//   sim::request(net, me, {server_node, 53}, query, sim::seconds(1), [](sim::Message answer) {
//     if (!answer) { /* timed out: retrying is the caller's business */ }
//   });
//
// Contract: `done` runs exactly once — with the answer, or with nullptr when `timeout` elapses
// first — unless the requesting process ends first (its timers and ports go with it; nothing
// runs). The port is unbound either way, so a late answer is dropped as the kernel drops a
// datagram to a closed port. A server answers with
// `send_datagram(self, its_port, from, answer)` to the source address its handler was given.
#pragma once

#include <functional>

#include "sim/network.hpp"
#include "sim/time.hpp"

namespace bootsim::sim {

using AnswerCallback = std::function<void(Message answer)>;

// Returns the ephemeral port the request went out from.
Port request(Network& net, ProcessId from, Address to, Message request, SimTime timeout,
             AnswerCallback done);

}  // namespace bootsim::sim
