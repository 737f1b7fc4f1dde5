#include "models/mesos/group.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <list>
#include <utility>

namespace bootsim::models {

namespace {

// src/zookeeper/group.cpp: GroupProcess::RETRY_INTERVAL, doubled on each failed retry up to 60 s.
constexpr sim::SimTime kRetryInterval = sim::seconds(2);
constexpr sim::SimTime kMaxRetryInterval = sim::seconds(60);

// group.cpp zkBasename: "<label>_" followed by the sequence on 10 digits.
std::string basename_of(int sequence, const std::string& label) {
  const std::string seq = fmt::format("{:010d}", sequence);
  return label.empty() ? seq : label + "_" + seq;
}

// group.cpp cache(): tokenize on '_', the last token is the sequence, the first the label.
std::optional<std::pair<int, std::string>> parse_member(const std::string& name) {
  const auto underscore = name.rfind('_');
  const std::string digits = underscore == std::string::npos ? name : name.substr(underscore + 1);
  if (digits.empty() || digits.size() > 10 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t value = std::stoll(digits);
  if (value > 0x7fffffff) return std::nullopt;  // numify<int32_t>
  std::string label = underscore == std::string::npos ? "" : name.substr(0, name.find('_'));
  return std::pair<int, std::string>{static_cast<int>(value), std::move(label)};
}

std::string field(std::string_view json, std::string_view key) {
  const std::string needle = fmt::format("\"{}\":\"", key);
  const auto at = json.find(needle);
  if (at == std::string_view::npos) return {};
  const auto begin = at + needle.size();
  const auto end = json.find('"', begin);
  if (end == std::string_view::npos) return {};
  return std::string(json.substr(begin, end - begin));
}

}  // namespace

std::vector<sim::Address> zookeeper_servers(const Topology& topology) {
  std::vector<sim::Address> out;
  for (const HostInfo& m : topology.masters) out.push_back({m.node, ports::kZooKeeperClient});
  return out;
}

std::string MasterInfo::to_json() const {
  return fmt::format("{{\"hostname\":\"{}\",\"id\":\"{}\"}}", hostname, id);
}

std::optional<MasterInfo> MasterInfo::from_json(std::string_view json) {
  MasterInfo info{field(json, "hostname"), field(json, "id")};
  if (info.hostname.empty() || info.id.empty()) return std::nullopt;
  return info;
}

std::string_view to_string(GroupState s) {
  switch (s) {
    case GroupState::kConnecting:
      return "connecting";
    case GroupState::kConnected:
      return "connected";
    case GroupState::kReady:
      return "ready";
  }
  return "?";
}

std::string_view to_string(ContenderState s) {
  switch (s) {
    case ContenderState::kIdle:
      return "idle";
    case ContenderState::kJoining:
      return "joining";
    case ContenderState::kCandidate:
      return "candidate";
    case ContenderState::kLost:
      return "lost";
  }
  return "?";
}

std::string_view to_string(ElectionState s) {
  switch (s) {
    case ElectionState::kIdle:
      return "idle";
    case ElectionState::kContending:
      return "contending";
    case ElectionState::kCandidate:
      return "candidate";
    case ElectionState::kElected:
      return "elected";
    case ElectionState::kSteppedDown:
      return "stepped_down";
  }
  return "?";
}

// ------------------------------------------------------------------------------------------
// The group (GroupProcess). Held by shared_ptr; its owner sets `closed` when it goes, and every
// continuation checks it, so an owner may drop the group from inside any callback.

namespace {

using Memberships = std::map<int, std::string>;  // sequence → label

class Group : public std::enable_shared_from_this<Group> {
 public:
  using Joined = std::function<void(int sequence, const std::string& znode)>;
  using Cancelled = std::function<void(const std::string& reason)>;
  using DataCallback = std::function<void(const std::optional<std::string>& data)>;
  using WatchCallback = std::function<void(const Memberships&)>;

  Group(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
        sim::SimTime session_timeout, GroupOptions options)
      : ctx_(ctx),
        owner_(owner),
        servers_(std::move(servers)),
        session_timeout_(session_timeout),
        options_(std::move(options)),
        path_(kMesosGroupPath) {}

  // Must be called once, after construction (shared_from_this).
  void start() {
    if (client_) return;
    new_session();
  }
  // The owner is gone: no callback runs any more; the session is left to expire (a process
  // that exits does not close its ZooKeeper session).
  void close() {
    closed_ = true;
    client_.reset();
  }

  void join(std::string data, std::string label, Joined on_joined, Cancelled on_cancelled) {
    joins_.push_back(
        Join{std::move(data), std::move(label), std::move(on_joined), std::move(on_cancelled)});
    sync();
  }
  void data(int sequence, std::string label, DataCallback cb) {
    datas_.push_back(DataRequest{sequence, std::move(label), std::move(cb)});
    sync();
  }
  // Calls `cb` once the memberships differ from `expected` (at once if they already do).
  void watch(Memberships expected, WatchCallback cb) {
    if (memberships_ && *memberships_ != expected) {
      const Memberships now = *memberships_;
      cb(now);
      return;
    }
    watches_.push_back(Watch{std::move(expected), std::move(cb)});
    if (!memberships_) sync();
  }

  std::optional<sim::Address> connected_server() const {
    return client_ ? client_->connected_server() : std::nullopt;
  }
  const std::string& node_name() const {
    return ctx_.network().node_name(ctx_.network().node_of(owner_));
  }
  void log(std::string_view event, std::string detail) {
    ctx_.event(node_name(), "zk-group", event, fmt::format("{}: {}", options_.name, detail));
  }

 private:
  struct Join {
    std::string data;
    std::string label;
    Joined on_joined;
    Cancelled on_cancelled;
  };
  struct DataRequest {
    int sequence = 0;
    std::string label;
    DataCallback cb;
  };
  struct Watch {
    Memberships expected;
    WatchCallback cb;
  };

  void transition(GroupState next, std::string_view why) {
    if (next == state_) return;
    log("group_state", fmt::format("{} -> {}: {}", to_string(state_), to_string(next), why));
    state_ = next;
  }

  // A new ZooKeeper handle: at start and after every expiry (group.cpp `expired`).
  void new_session() {
    ++session_number_;
    ZooKeeperClient::Options o;
    o.expiry = options_.expiry;
    o.name = fmt::format("{}#{}", options_.name, session_number_);
    client_ = std::make_unique<ZooKeeperClient>(ctx_, owner_, servers_, session_timeout_, o);
    std::weak_ptr<Group> weak = weak_from_this();
    const std::uint64_t number = session_number_;
    client_->on_session_event([weak, number](SessionEvent e) {
      auto self = weak.lock();
      if (!self || self->closed_ || self->session_number_ != number) return;
      self->on_session_event(e);
    });
    transition(GroupState::kConnecting, session_number_ == 1 ? "start" : "new session");
    client_->connect();
  }

  void on_session_event(SessionEvent e) {
    switch (e) {
      case SessionEvent::kConnected:
        // group.cpp connected(): (re)connected within the session; sync at once.
        session_up_ = true;
        if (state_ == GroupState::kConnecting) {
          transition(GroupState::kConnected, "session established");
        } else {
          log("reconnected", "same session");
        }
        sync();
        return;
      case SessionEvent::kDisconnected:
        // group.cpp reconnecting(): no retries until the connection is back; the local expiry
        // timer runs in the client (ExpiryDetection::kLocalTimer).
        session_up_ = false;
        retrying_ = false;
        ++retry_epoch_;
        log("disconnected", "lost connection to ZooKeeper, attempting to reconnect");
        return;
      case SessionEvent::kExpired:
        expired();
        return;
    }
  }

  // group.cpp expired(): watchers see an empty group, owned memberships are cancelled, and a
  // new session is opened. Memberships still in ZooKeeper come back with the next cache.
  void expired() {
    std::shared_ptr<Group> self = shared_from_this();
    log("session_expired", "ZooKeeper session expired");
    session_up_ = false;
    retrying_ = false;
    ++retry_epoch_;
    syncing_ = false;
    memberships_ = Memberships{};
    update();
    if (closed_) return;
    memberships_.reset();
    std::map<int, Cancelled> owned = std::move(owned_);
    owned_.clear();
    for (auto& [sequence, cancelled] : owned) {
      cancelled("ZooKeeper session expired");
      if (closed_) return;
    }
    // The old handle may be the caller of this function: it tolerates being dropped here.
    new_session();
  }

  // group.cpp sync(): create the path, then joins, then data reads, then the membership cache,
  // one ZooKeeper call at a time. Stops at the first retryable error.
  void sync() {
    if (syncing_ || !session_up_ || closed_) return;
    syncing_ = true;
    step();
  }

  // One step of sync(): the first of these that is due, as one ZooKeeper call.
  void step() {
    if (closed_) return;
    if (!session_up_) {
      syncing_ = false;
      return;
    }
    if (state_ == GroupState::kConnected) {
      create_path();
    } else if (!joins_.empty()) {
      join_front();
    } else if (!datas_.empty()) {
      read_front();
    } else if (!memberships_) {
      cache();
    } else {
      syncing_ = false;
      next_retry_ = kRetryInterval;
    }
  }

  // For the answer of a ZooKeeper call: the group, if it is still open and in the session that
  // made the call; nullptr otherwise (the answer is stale).
  auto alive_check() {
    return [weak = weak_from_this(), number = session_number_]() -> std::shared_ptr<Group> {
      auto self = weak.lock();
      if (!self || self->closed_ || self->session_number_ != number) return nullptr;
      return self;
    };
  }

  // group.cpp create(): the group path, ZNODEEXISTS being fine.
  void create_path() {
    client_->create(path_, "", CreateMode::kPersistent,
                    [alive = alive_check()](ZkError e, const std::string&) {
                      auto self = alive();
                      if (!self) return;
                      if (e == ZkError::kOk || e == ZkError::kNodeExists) {
                        self->transition(GroupState::kReady, "group path exists");
                        self->step();
                      } else {
                        self->failed("create " + self->path_, e);
                      }
                    });
  }

  // group.cpp doJoin(): an ephemeral sequential member.
  void join_front() {
    const Join& j = joins_.front();
    client_->create(path_ + "/" + (j.label.empty() ? "" : j.label + "_"), j.data,
                    CreateMode::kEphemeralSequential,
                    [alive = alive_check()](ZkError e, const std::string& created) {
                      auto self = alive();
                      if (!self) return;
                      if (e != ZkError::kOk) {
                        self->failed("join", e);
                        return;
                      }
                      self->joined(created);
                    });
  }

  // group.cpp doData(): a member's data.
  void read_front() {
    const DataRequest& d = datas_.front();
    client_->get_data(path_ + "/" + basename_of(d.sequence, d.label), nullptr,
                      [alive = alive_check()](ZkError e, const std::string& data) {
                        auto self = alive();
                        if (!self) return;
                        if (e != ZkError::kOk && e != ZkError::kNoNode) {
                          self->failed("get data", e);
                          return;
                        }
                        DataRequest req = std::move(self->datas_.front());
                        self->datas_.pop_front();
                        // kNoNode: the member is gone before its data could be read.
                        req.cb(e == ZkError::kOk ? std::optional<std::string>(data) : std::nullopt);
                        if (self->closed_) return;
                        self->step();
                      });
  }

  // group.cpp cache(): getChildren with a watch; the watch event re-caches (`updated`).
  void cache() {
    auto on_watch = [weak = weak_from_this(), number = session_number_](const WatchEvent&) {
      auto self = weak.lock();
      if (!self || self->closed_ || self->session_number_ != number) return;
      self->memberships_.reset();
      self->sync();
    };
    client_->get_children(path_, on_watch,
                          [alive = alive_check()](ZkError e, const std::vector<std::string>& c) {
                            auto self = alive();
                            if (!self) return;
                            if (e != ZkError::kOk) {
                              self->failed("get children", e);
                              return;
                            }
                            self->cached(c);
                          });
  }

  void joined(const std::string& created) {
    Join j = std::move(joins_.front());
    joins_.pop_front();
    const auto slash = created.rfind('/');
    const std::string name = created.substr(slash + 1);
    const auto member = parse_member(name);
    if (!member) {
      log("unexpected", "created znode without a sequence: " + created);
      step();
      return;
    }
    owned_[member->first] = std::move(j.on_cancelled);
    memberships_.reset();  // doJoin: the cache is stale now
    log("joined", created);
    j.on_joined(member->first, name);
    if (closed_) return;
    step();
  }

  void cached(const std::vector<std::string>& children) {
    Memberships now;
    for (const std::string& c : children) {
      if (const auto m = parse_member(c)) now[m->first] = m->second;
    }
    // Owned memberships that are gone are cancelled before the watchers hear of the change.
    std::vector<int> gone;
    for (const auto& [sequence, cb] : owned_) {
      if (now.count(sequence) == 0) gone.push_back(sequence);
    }
    for (const int sequence : gone) {
      const auto it = owned_.find(sequence);
      if (it == owned_.end()) continue;
      Cancelled cb = std::move(it->second);
      owned_.erase(it);
      cb(fmt::format("its znode (sequence {:010d}) is gone", sequence));
      if (closed_) return;
    }
    memberships_ = now;
    update();
    if (closed_) return;
    step();
  }

  // group.cpp update(): fulfil the watches whose expectation differs from the memberships.
  void update() {
    std::vector<Watch> watches = std::move(watches_);
    watches_.clear();
    std::vector<Watch> keep;
    for (std::size_t i = 0; i < watches.size(); ++i) {
      if (memberships_ && *memberships_ != watches[i].expected) {
        const Memberships now = *memberships_;
        watches[i].cb(now);
        if (closed_) return;
      } else {
        keep.push_back(std::move(watches[i]));
      }
    }
    // Watches added by the callbacks go after the ones still waiting.
    for (Watch& w : watches_) keep.push_back(std::move(w));
    watches_ = std::move(keep);
  }

  void failed(std::string_view what, ZkError e) {
    syncing_ = false;
    if (e == ZkError::kSessionExpired || e == ZkError::kClosed) return;  // expired() follows
    if (e != ZkError::kConnectionLoss) {
      log("unexpected_error", fmt::format("{}: {} (retrying)", what, to_string(e)));
    }
    // group.cpp: "Try again later" after RETRY_INTERVAL, unless a retry is already due.
    if (retrying_) return;
    retrying_ = true;
    const sim::SimTime interval = next_retry_;
    log("retry", fmt::format("{} failed: {}; retrying in {}", what, to_string(e),
                             sim::format_duration(interval)));
    std::weak_ptr<Group> weak = weak_from_this();
    const std::uint64_t epoch = retry_epoch_;
    ctx_.network().after(owner_, interval, [weak, epoch, interval] {
      auto self = weak.lock();
      if (!self || self->closed_ || self->retry_epoch_ != epoch || !self->retrying_) return;
      self->retrying_ = false;
      // group.cpp retry(): a failing retry backs off, doubling up to 60 s.
      self->next_retry_ = std::min(interval * 2, kMaxRetryInterval);
      self->sync();
    });
  }

  RunContext& ctx_;
  const sim::ProcessId owner_;
  const std::vector<sim::Address> servers_;
  const sim::SimTime session_timeout_;
  const GroupOptions options_;
  const std::string path_;

  GroupState state_ = GroupState::kConnecting;
  std::unique_ptr<ZooKeeperClient> client_;
  std::uint64_t session_number_ = 0;
  bool session_up_ = false;
  bool syncing_ = false;
  bool retrying_ = false;
  std::uint64_t retry_epoch_ = 0;
  sim::SimTime next_retry_ = kRetryInterval;
  bool closed_ = false;

  // Lists, not deques: a libstdc++ deque allocates about 600 bytes when made, and these
  // are empty nearly always; every agent's master detector has a group.
  std::list<Join> joins_;
  std::list<DataRequest> datas_;
  std::vector<Watch> watches_;
  std::optional<Memberships> memberships_;
  std::map<int, Cancelled> owned_;
};

}  // namespace

// ------------------------------------------------------------------------------------------
// MasterContender (LeaderContender + ZooKeeperMasterContender).

struct MasterContender::Impl : std::enable_shared_from_this<MasterContender::Impl> {
  Impl(RunContext& c, MasterInfo i, Callbacks cb)
      : ctx(c), info(std::move(i)), callbacks(std::move(cb)) {}

  void transition(ContenderState next, std::string_view why) {
    if (next == state) return;
    group->log("contender_state",
               fmt::format("{} -> {}: {}", to_string(state), to_string(next), why));
    state = next;
  }

  void contend() {
    // ZooKeeperMasterContender::contend: no new candidacy while one is being obtained.
    if (closed || state == ContenderState::kJoining || state == ContenderState::kCandidate) return;
    transition(ContenderState::kJoining, "joining the group");
    const std::uint64_t attempt = ++candidacy;
    std::weak_ptr<Impl> weak = weak_from_this();
    group->join(
        info.to_json(), std::string(kMasterInfoLabel),
        [weak, attempt](int seq, const std::string& name) {
          auto self = weak.lock();
          if (!self || self->closed || self->candidacy != attempt) return;
          self->sequence = seq;
          self->znode = name;
          self->transition(ContenderState::kCandidate, name);
          if (self->callbacks.on_contending) self->callbacks.on_contending(name);
        },
        [weak, attempt](const std::string& reason) {
          auto self = weak.lock();
          if (!self || self->closed || self->candidacy != attempt) return;
          self->transition(ContenderState::kLost, reason);
          if (self->callbacks.on_candidacy_lost) self->callbacks.on_candidacy_lost(reason);
        });
  }

  RunContext& ctx;
  MasterInfo info;
  Callbacks callbacks;
  std::shared_ptr<Group> group;
  ContenderState state = ContenderState::kIdle;
  std::uint64_t candidacy = 0;
  std::optional<int> sequence;
  std::optional<std::string> znode;
  bool closed = false;
};

MasterContender::MasterContender(RunContext& ctx, sim::ProcessId owner,
                                 std::vector<sim::Address> servers, sim::SimTime session_timeout,
                                 MasterInfo info, Callbacks callbacks, GroupOptions options)
    : impl_(std::make_shared<Impl>(ctx, std::move(info), std::move(callbacks))) {
  impl_->group =
      std::make_shared<Group>(ctx, owner, std::move(servers), session_timeout, std::move(options));
}

MasterContender::~MasterContender() {
  impl_->closed = true;
  impl_->group->close();
}

void MasterContender::contend() {
  impl_->group->start();
  impl_->contend();
}
ContenderState MasterContender::state() const {
  return impl_->state;
}
std::optional<std::string> MasterContender::znode() const {
  return impl_->state == ContenderState::kCandidate ? impl_->znode : std::nullopt;
}
std::optional<int> MasterContender::sequence() const {
  return impl_->state == ContenderState::kCandidate ? impl_->sequence : std::nullopt;
}
std::optional<sim::Address> MasterContender::connected_server() const {
  return impl_->group->connected_server();
}

// ------------------------------------------------------------------------------------------
// MasterDetector (LeaderDetector + ZooKeeperMasterDetector).

struct MasterDetector::Impl : std::enable_shared_from_this<MasterDetector::Impl> {
  Impl(RunContext& c, LeaderCallback cb) : ctx(c), on_leader_change(std::move(cb)) {}

  void watch(Memberships expected) {
    std::weak_ptr<Impl> weak = weak_from_this();
    group->watch(std::move(expected), [weak](const Memberships& m) {
      auto self = weak.lock();
      if (!self || self->closed) return;
      self->watched(m);
    });
  }

  // LeaderDetectorProcess::watched: the oldest member leads; then keep watching.
  void watched(const Memberships& m) {
    std::optional<std::pair<int, std::string>> current;
    if (!m.empty()) current = *m.begin();
    if (current != leader_member) {
      leader_member = current;
      if (!current) {
        report(std::nullopt, "no member in the group");
        if (closed) return;
      } else {
        // ZooKeeperMasterDetectorProcess::detected: fetch the leader's data.
        const int seq = current->first;
        const std::string label = current->second;
        std::weak_ptr<Impl> weak = weak_from_this();
        group->data(seq, label, [weak, seq, label](const std::optional<std::string>& data) {
          auto self = weak.lock();
          if (!self || self->closed) return;
          self->fetched(seq, label, data);
        });
      }
    }
    watch(m);
  }

  // ZooKeeperMasterDetectorProcess::fetched.
  void fetched(int seq, const std::string& label, const std::optional<std::string>& data) {
    if (!data) {
      report(std::nullopt, "the leading member is gone before its data could be read");
      return;
    }
    const auto info = MasterInfo::from_json(*data);
    const auto node = info ? ctx.network().find_node(info->hostname) : std::nullopt;
    if (!info || !node) {
      report(std::nullopt, "unreadable data in " + basename_of(seq, label));
      return;
    }
    report(DetectedMaster{*info, *node, seq, basename_of(seq, label)}, "");
  }

  // Reports only changes of the leading master (detect(previous) in Mesos).
  void report(std::optional<DetectedMaster> now, std::string_view why) {
    const bool same = (now.has_value() == leader.has_value()) &&
                      (!now || (now->info == leader->info && now->sequence == leader->sequence));
    if (same) return;
    leader = std::move(now);
    group->log("leader_detected", leader
                                      ? fmt::format("{} ({})", leader->info.hostname, leader->znode)
                                      : fmt::format("none: {}", why));
    if (on_leader_change) on_leader_change(leader);
  }

  RunContext& ctx;
  LeaderCallback on_leader_change;
  std::shared_ptr<Group> group;
  std::optional<std::pair<int, std::string>> leader_member;
  std::optional<DetectedMaster> leader;
  bool started = false;
  bool closed = false;
};

MasterDetector::MasterDetector(RunContext& ctx, sim::ProcessId owner,
                               std::vector<sim::Address> servers, sim::SimTime session_timeout,
                               LeaderCallback on_leader_change, GroupOptions options)
    : impl_(std::make_shared<Impl>(ctx, std::move(on_leader_change))) {
  impl_->group =
      std::make_shared<Group>(ctx, owner, std::move(servers), session_timeout, std::move(options));
}

MasterDetector::~MasterDetector() {
  impl_->closed = true;
  impl_->group->close();
}

void MasterDetector::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->group->start();
  impl_->watch(Memberships{});
}
const std::optional<DetectedMaster>& MasterDetector::leader() const {
  return impl_->leader;
}
std::optional<sim::Address> MasterDetector::connected_server() const {
  return impl_->group->connected_server();
}

// ------------------------------------------------------------------------------------------
// MesosMasterElection (master.cpp contended / lostCandidacy / detected).

struct MesosMasterElection::Impl : std::enable_shared_from_this<MesosMasterElection::Impl> {
  Impl(RunContext& c, sim::ProcessId p, Callbacks cb, Options o)
      : ctx(c),
        process(p),
        node_name(c.network().node_name(c.network().node_of(p))),
        callbacks(std::move(cb)),
        options(o),
        info{node_name, fmt::format("{}-{}", node_name, c.network().incarnation(p))} {}

  void transition(ElectionState next, std::string_view why) {
    if (next == state) return;
    ctx.event(node_name, "mesos-master", "election_state",
              fmt::format("{} -> {}: {}", to_string(state), to_string(next), why));
    state = next;
  }

  void on_contending(const std::string& znode) {
    if (state == ElectionState::kContending) transition(ElectionState::kCandidate, znode);
    ctx.milestone(node_name, "mesos-master.contending", znode,
                  ctx.latest_milestone("mesos-master.started", node_name));
  }

  // Master::lostCandidacy.
  void on_candidacy_lost(const std::string& reason) {
    if (state == ElectionState::kElected) {
      lose_leadership(
          fmt::format("Lost candidacy as a leader ({})... committing suicide!", reason));
      return;
    }
    if (state != ElectionState::kCandidate && state != ElectionState::kContending) return;
    transition(ElectionState::kContending,
               fmt::format("Lost candidacy as a follower ({})... Contend again", reason));
    contender->contend();
  }

  // Master::detected.
  void on_leader(const std::optional<DetectedMaster>& leader) {
    std::weak_ptr<Impl> weak = weak_from_this();
    if (callbacks.on_leader_change) {
      callbacks.on_leader_change(leader);
      if (weak.expired() || closed) return;
    }
    const bool was = state == ElectionState::kElected;
    const bool me = leader && leader->info == info;
    if (me && !was) {
      if (state == ElectionState::kSteppedDown) return;
      transition(ElectionState::kElected, "Elected as the leading master!");
      ctx.cluster_milestone("mesos-master.elected", node_name, node_name,
                            ctx.latest_milestone("mesos-master.contending", node_name));
      if (callbacks.on_elected) callbacks.on_elected();
      return;
    }
    if (me && was) {
      ctx.event(node_name, "mesos-master", "re-elected", "Re-elected as the leading master");
      return;
    }
    if (was) {
      lose_leadership(
          fmt::format("Lost leadership (the detector reports {})... committing "
                      "suicide!",
                      leader ? leader->info.hostname : std::string("no leader")));
    }
  }

  void lose_leadership(const std::string& reason) {
    if (options.testing_skip_step_down) {
      ctx.event(node_name, "mesos-master", "testing_skip_step_down",
                "keeps leading despite: " + reason);
      return;
    }
    transition(ElectionState::kSteppedDown, reason);
    if (callbacks.on_lost_leadership) callbacks.on_lost_leadership(reason);
  }

  RunContext& ctx;
  const sim::ProcessId process;
  const std::string node_name;
  Callbacks callbacks;
  const Options options;
  const MasterInfo info;
  std::unique_ptr<MasterContender> contender;
  std::unique_ptr<MasterDetector> detector;
  ElectionState state = ElectionState::kIdle;
  bool closed = false;
};

MesosMasterElection::MesosMasterElection(RunContext& ctx, sim::ProcessId process,
                                         Callbacks callbacks, Options options)
    : impl_(std::make_shared<Impl>(ctx, process, std::move(callbacks), options)) {
  const sim::SimTime timeout = ctx.params().duration("mesos-master.zk_session_timeout");
  std::weak_ptr<Impl> weak = impl_;
  MasterContender::Callbacks cc;
  cc.on_contending = [weak](const std::string& znode) {
    if (auto self = weak.lock(); self && !self->closed) self->on_contending(znode);
  };
  cc.on_candidacy_lost = [weak](const std::string& reason) {
    if (auto self = weak.lock(); self && !self->closed) self->on_candidacy_lost(reason);
  };
  impl_->contender = std::make_unique<MasterContender>(
      ctx, process, zookeeper_servers(ctx.topology()), timeout, impl_->info, std::move(cc));
  impl_->detector =
      std::make_unique<MasterDetector>(ctx, process, zookeeper_servers(ctx.topology()), timeout,
                                       [weak](const std::optional<DetectedMaster>& leader) {
                                         if (auto self = weak.lock(); self && !self->closed)
                                           self->on_leader(leader);
                                       });
}

MesosMasterElection::~MesosMasterElection() {
  impl_->closed = true;
  // The contender and detector go with the Impl; close their groups now so that nothing of
  // theirs runs even while a callback still holds the Impl.
  impl_->contender.reset();
  impl_->detector.reset();
}

void MesosMasterElection::start() {
  if (impl_->state != ElectionState::kIdle) return;
  impl_->transition(ElectionState::kContending, "contending and detecting");
  impl_->contender->contend();
  if (impl_->closed) return;
  impl_->detector->start();
}
ElectionState MesosMasterElection::state() const {
  return impl_->state;
}
const MasterInfo& MesosMasterElection::info() const {
  return impl_->info;
}
const std::optional<DetectedMaster>& MesosMasterElection::leader() const {
  return impl_->detector->leader();
}
const MasterContender& MesosMasterElection::contender() const {
  return *impl_->contender;
}
const MasterDetector& MesosMasterElection::detector() const {
  return *impl_->detector;
}

}  // namespace bootsim::models
