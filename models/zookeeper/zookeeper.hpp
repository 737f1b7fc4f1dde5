// The ZooKeeper model: ZooKeeper 3.4 at protocol level, one server per master (Fast Leader
// Election, Zab discovery, sync and broadcast, the leader's session tracker, the data tree with
// watches), the ensemble that owns the servers and checks them, and the client protocol that
// ZooKeeperClient (client.hpp) speaks on port 2181. This header gathers the model's parts for
// the code that builds a run; each part has its own header, named after what it holds:
//
//   data_tree.hpp    zxids, znodes, transactions, watch events, ZkError, DataTree
//   wire.hpp         the client protocol: CreateMode, ZkOp, the zkwire payloads
//   config.hpp       ZooKeeperConfig (the zookeeper.* timings), ZooKeeperVersion
//   server.hpp       ZooKeeperServer and its states; its member functions are defined in
//                    server.cpp, election.cpp, zab_leader.cpp, zab_learner.cpp and
//                    client_service.cpp, the messages between servers in quorum_wire.hpp
//   ensemble.hpp     ZooKeeperEnsemble: the servers of a run, zookeeper.quorum, the
//                    single-leader check
//   client.hpp       ZooKeeperClient, a session as the Java client keeps it
//   calibration.hpp  the model against measurements of a real ensemble
//
//   ZooKeeperEnsemble ensemble(ctx);        // one server per master, processes "<node>/zookeeper"
//   ensemble.server(2).launch();            // what Exhibitor does; the JVM starts, then FLE, Zab
//
// Contract: that of each part (server.hpp: network, disk and determinism; ensemble.hpp:
// milestones and checks). Code that uses one part includes that part's header.
#pragma once

#include "models/zookeeper/config.hpp"
#include "models/zookeeper/data_tree.hpp"
#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/server.hpp"
#include "models/zookeeper/wire.hpp"
