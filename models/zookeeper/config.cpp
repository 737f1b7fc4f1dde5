#include "models/zookeeper/config.hpp"

namespace bootsim::models {

ZooKeeperConfig ZooKeeperConfig::from(const Parameters& params, ZooKeeperVersion version) {
  ZooKeeperConfig c;
  c.tick = params.duration("zookeeper.tickTime");
  c.init_limit = params.integer("zookeeper.initLimit");
  c.sync_limit = params.integer("zookeeper.syncLimit");
  c.finalize_wait = params.duration("zookeeper.finalizeWait");
  c.max_notification_interval = params.duration("zookeeper.maxNotificationInterval");
  c.cnx_timeout = params.duration("zookeeper.cnxTimeout");
  c.server_start = params.distribution("zookeeper.server_start");
  c.setup_before_looking = params.duration("zookeeper.setup_before_looking");
  constexpr std::string_view kRetryKey = "zookeeper.leaderConnectDelayDuringRetryMs";
  // Learner.java 3.4: Thread.sleep(1000) between connect tries; 3.8: the property
  // zookeeper.leaderConnectDelayDuringRetryMs, default 100 ms.
  const sim::SimTime release_default =
      version == ZooKeeperVersion::k3_4 ? sim::seconds(1) : sim::milliseconds(100);
  c.learner_retry_delay = find_param(kRetryKey) != nullptr && params.is_overridden(kRetryKey)
                              ? params.duration(kRetryKey)
                              : release_default;
  c.snapshot_write = params.duration("zookeeper.snapshot_write");
  return c;
}

}  // namespace bootsim::models
