package org.pclean.imaging.worker;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which consumer group protocol the workers speak. Kafka 4's consumer protocol (KIP-848) rebalances on the broker
 * and incrementally: a joining or leaving worker does not stop the others. It is served when the cluster has
 * finalized the {@code group.version} feature at level 1 or more (and the brokers list {@code consumer} in
 * {@code group.coordinator.rebalance.protocols}); older clusters get the classic protocol with the
 * cooperative-sticky assignor, which behaves the same for the workers, only with slower rebalances.
 */
public enum WorkerGroupProtocol {
  CONSUMER,
  CLASSIC;

  private static final Logger LOG = LoggerFactory.getLogger(WorkerGroupProtocol.class);

  /** Classic session timeout: a worker killed with -9 has its task redelivered after this (client-side). */
  static final int CLASSIC_SESSION_TIMEOUT_MS = 10_000;

  /** One decision per process and cluster: every worker of a process joins the group the same way. */
  private static final Map<String, WorkerGroupProtocol> DECIDED = new ConcurrentHashMap<>();

  /** "auto" (null), "consumer" or "classic", as the --group-protocol option takes it. */
  public static WorkerGroupProtocol parse(String name) {
    if (name == null || name.equalsIgnoreCase("auto")) {
      return null;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown group protocol '" + name + "' (auto, consumer or classic)");
    }
  }

  /** The protocol for the cluster of clientConfig, asked once per process and cluster. */
  public static WorkerGroupProtocol forCluster(Properties clientConfig) {
    String bootstrap = String.valueOf(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    return DECIDED.computeIfAbsent(bootstrap, b -> {
      try (Admin admin = Admin.create(clientConfig)) {
        WorkerGroupProtocol p = ask(admin);
        LOG.debug("group " + org.pclean.bus.Topics.WORKER_GROUP + " at " + b + ": " + p.description());
        return p;
      }
    });
  }

  /** Reads the cluster's finalized group.version (and, where readable, the brokers' rebalance protocols). */
  static WorkerGroupProtocol ask(Admin admin) {
    try {
      Map<String, FinalizedVersionRange> features = admin.describeFeatures().featureMetadata()
          .get(15, TimeUnit.SECONDS).finalizedFeatures();
      FinalizedVersionRange group = features.get("group.version");
      if (group == null || group.maxVersionLevel() < 1) {
        return CLASSIC;
      }
      return brokerServesConsumerProtocol(admin) ? CONSUMER : CLASSIC;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("cannot read the cluster's features (" + e.getMessage() + "): using the classic group protocol");
      return CLASSIC;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CLASSIC;
    }
  }

  /**
   * group.version finalized but the consumer protocol switched off in the broker config is possible; the config
   * may not be readable (no DescribeConfigs permission), in which case the feature level decides.
   */
  private static boolean brokerServesConsumerProtocol(Admin admin) throws InterruptedException {
    try {
      List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get(15, TimeUnit.SECONDS));
      if (nodes.isEmpty()) {
        return true;
      }
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.get(0).idString());
      Config config = admin.describeConfigs(List.of(broker)).all().get(15, TimeUnit.SECONDS).get(broker);
      ConfigEntry protocols = config == null ? null : config.get("group.coordinator.rebalance.protocols");
      return protocols == null || protocols.value() == null
          || List.of(protocols.value().replace(" ", "").split(",")).contains("consumer");
    } catch (ExecutionException | TimeoutException e) {
      return true;
    }
  }

  /** Adds this protocol's settings to a worker's consumer config. */
  public void configure(Properties consumer) {
    if (this == CONSUMER) {
      // The broker assigns (its default assignor, uniform) and owns the session timeout
      // (group.consumer.session.timeout.ms); the client must not set the classic assignor or timeouts.
      consumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    } else {
      consumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      consumer.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
      // The default 45 s would leave a killed worker's task waiting that long.
      consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(CLASSIC_SESSION_TIMEOUT_MS));
      consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    }
  }

  String description() {
    return this == CONSUMER ? "consumer group protocol (KIP-848, broker-side assignment)"
        : "classic group protocol (cooperative-sticky assignor)";
  }
}
