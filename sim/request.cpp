#include "sim/request.hpp"

#include <memory>
#include <utility>

namespace bootsim::sim {

namespace {

struct Pending {
  Network* net;
  ProcessId from;
  Port port;
  AnswerCallback done;
  TimerId timer{};
  bool finished = false;
};

// Ends the exchange once: frees the port and the timer, then tells the caller. The handler
// that calls this may be destroyed by unbind(), so everything used afterwards is local.
void finish(const std::shared_ptr<Pending>& pending, Message answer) {
  const std::shared_ptr<Pending> p = pending;
  if (p->finished) return;
  p->finished = true;
  p->net->cancel(p->timer);
  p->net->unbind(p->from, p->port);
  AnswerCallback done = std::move(p->done);
  done(std::move(answer));
}

}  // namespace

Port request(Network& net, ProcessId from, Address to, Message request, SimTime timeout,
             AnswerCallback done) {
  const Port port = net.ephemeral_port(net.node_of(from));
  auto pending = std::make_shared<Pending>(Pending{&net, from, port, std::move(done)});
  net.bind(from, port, [pending](Address, const Message& m) { finish(pending, m); });
  pending->timer = net.after(from, timeout, [pending] { finish(pending, nullptr); });
  net.send_datagram(from, port, to, std::move(request));
  return port;
}

}  // namespace bootsim::sim
