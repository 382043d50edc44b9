package org.pclean.bus;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sub-cube task queue: cube jobs' tasks on {@link Topics#SUBCUBE_TASKS}, consumed by the share group
 * {@link Topics#SUBCUBE_QUEUE_GROUP} (Kafka's queues, KIP-932). Any idle worker takes the next waiting sub-cube
 * (the topic's one partition is shared by every member), so a worker that joins mid-job takes its share of
 * everything still waiting; on
 * pclean.tasks a task stays on the partition it was published to, and a late joiner inherits only what waits on
 * the partitions the group hands it. Continuum row chunks stay on pclean.tasks: there a chunk's partition is the
 * worker that caches its rows across major cycles.
 *
 * <p>A worker acquires one record at a time and acknowledges it (ACCEPT) once its SubcubeReady is sent. A sub-cube
 * outlasting the acquisition lock (the group's share.record.lock.duration.ms, Kafka's default 30 s) has its lock
 * renewed (RENEW, KIP-1222); a worker that stops releases its record, a dead one's is released when its share
 * session ends (or its lock runs out), and another worker takes it, the delivery count limit bounding a task that
 * kills every worker that tries it.
 *
 * <p>Two group configs make the queue usable, set by {@link #configure} wherever pclean's topics are installed:
 * share.auto.offset.reset=earliest (the default, latest, would skip tasks published before the group first
 * fetched a partition) and share.renew.acknowledge.enable=true. Submitters use the queue only when the cluster
 * serves share groups and the group reads from the earliest offset ({@link #ready}); otherwise cube tasks go to
 * pclean.tasks as before, and workers consume both.
 */
public final class SubcubeQueue {
  private static final Logger LOG = LoggerFactory.getLogger(SubcubeQueue.class);
  private static final int TIMEOUT_S = 10;
  private static final String RESET = "share.auto.offset.reset";
  private static final String RENEW = "share.renew.acknowledge.enable";
  private static final ConfigResource GROUP =
      new ConfigResource(ConfigResource.Type.GROUP, Topics.SUBCUBE_QUEUE_GROUP);

  private SubcubeQueue() {}

  /** Whether the cluster serves share groups (its share.version feature is finalized at 1 or more). */
  public static boolean servedBy(Admin admin) throws InterruptedException {
    try {
      FinalizedVersionRange v = admin.describeFeatures().featureMetadata().get(TIMEOUT_S, TimeUnit.SECONDS)
          .finalizedFeatures().get("share.version");
      return v != null && v.maxVersionLevel() >= 1;
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("cannot read the cluster's features: " + e.getMessage());
      return false;
    }
  }

  /**
   * Sets the share group's configs (earliest, renewals allowed) when the cluster serves share groups. Returns
   * whether the queue is ready; a principal not allowed to alter the group's configs gets false, with the reason
   * logged, and its cube tasks then go to pclean.tasks.
   */
  public static boolean configure(Admin admin) throws InterruptedException {
    if (!servedBy(admin)) {
      return false;
    }
    if (configured(admin)) {
      return true;  // configured before (by whoever installed the topics): nothing to alter, nothing to warn of
    }
    try {
      admin.incrementalAlterConfigs(Map.of(GROUP, List.of(
          new AlterConfigOp(new ConfigEntry(RESET, "earliest"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry(RENEW, "true"), AlterConfigOp.OpType.SET))))
          .all().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("cannot configure the share group " + Topics.SUBCUBE_QUEUE_GROUP + " (" + e.getMessage()
          + "): cube tasks go to " + Topics.TASKS.name() + " by partition");
      return false;
    }
    // The controller has committed the configs; the broker answers describeConfigs from its metadata, a moment
    // behind: a submitter asking at once would still find the queue unconfigured.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (System.nanoTime() < deadline) {
      if (configured(admin)) {
        return true;
      }
      Thread.sleep(100);
    }
    LOG.warn("the share group " + Topics.SUBCUBE_QUEUE_GROUP + " was configured but its configs were not in force"
        + " after " + TIMEOUT_S + " s");
    return false;
  }

  /** Whether a submitter may put sub-cube tasks on the queue: share groups served, the group configured. */
  public static boolean ready(Admin admin) throws InterruptedException {
    return servedBy(admin) && configured(admin);
  }

  /** Whether the group reads from the earliest offset and allows renewals (on a cluster with share groups). */
  private static boolean configured(Admin admin) throws InterruptedException {
    try {
      Config c = admin.describeConfigs(List.of(GROUP)).all().get(TIMEOUT_S, TimeUnit.SECONDS).get(GROUP);
      ConfigEntry reset = c == null ? null : c.get(RESET);
      ConfigEntry renew = c == null ? null : c.get(RENEW);
      return reset != null && "earliest".equals(reset.value()) && renew != null && "true".equals(renew.value());
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("cannot read the configs of " + Topics.SUBCUBE_QUEUE_GROUP + ": " + e.getMessage());
      return false;
    }
  }

  /**
   * A share consumer's config for one worker: the client's connection settings, explicit acknowledgement, one
   * record acquired at a time (record_limit: a worker holds no task it is not imaging).
   */
  public static Properties consumerConfig(Properties client, String clientId) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, Topics.SUBCUBE_QUEUE_GROUP);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    c.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    c.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    return c;
  }
}
