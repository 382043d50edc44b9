package org.pclean.ops.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.pclean.bus.SubcubeQueue;
import org.pclean.bus.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pclean.tasks.lag}: tasks on pclean.tasks not yet committed by the worker group (end offset minus the
 * group's committed offset, summed over partitions; a partition the group never committed counts from its
 * earliest offset), plus the sub-cubes waiting on the sub-cube queue — what an autoscaler scales workers on. Read
 * from the cluster when scraped.
 */
public final class TaskLag {
  private static final Logger LOG = LoggerFactory.getLogger(TaskLag.class);
  private static final long TIMEOUT_S = 3;

  private TaskLag() {}

  /** Registers the gauge; it reads through admin (owned by the caller) on every scrape. */
  public static void register(MeterRegistry registry, Admin admin) {
    Gauge.builder("pclean.tasks.lag", admin, TaskLag::lag)
        .description("tasks on " + Topics.TASKS.name() + " not yet committed by group " + Topics.WORKER_GROUP
            + ", and sub-cubes waiting on " + Topics.SUBCUBE_TASKS.name())
        .register(registry);
  }

  public static double lag(Admin admin) {
    try {
      List<TopicPartition> tps = partitions(admin, Topics.TASKS.name());
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(Topics.WORKER_GROUP)
          .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = offsets(admin, tps, OffsetSpec.latest());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = offsets(admin, tps, OffsetSpec.earliest());
      long lag = 0;
      for (TopicPartition tp : tps) {
        OffsetAndMetadata c = committed.get(tp);
        long from = c != null ? c.offset() : start.get(tp).offset();
        lag += Math.max(0, end.get(tp).offset() - from);
      }
      return lag + queueLag(admin);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("cannot read the lag of " + Topics.WORKER_GROUP + ": " + e.getMessage());
      return Double.NaN;  // Prometheus shows NaN: unknown, not zero
    }
  }

  /**
   * Sub-cubes waiting on the queue: the share group's lag per partition as the broker reports it (KIP-932's
   * start offset to the end, less what is acknowledged); a partition the group never fetched counts whole.
   * 0 where the cluster has no share groups.
   */
  private static long queueLag(Admin admin) throws Exception {
    if (!SubcubeQueue.servedBy(admin)) {
      return 0;
    }
    List<TopicPartition> tps = partitions(admin, Topics.SUBCUBE_TASKS.name());
    Map<TopicPartition, SharePartitionOffsetInfo> group = admin.listShareGroupOffsets(Map.of(
        Topics.SUBCUBE_QUEUE_GROUP, new ListShareGroupOffsetsSpec().topicPartitions(tps)))
        .partitionsToOffsetInfo(Topics.SUBCUBE_QUEUE_GROUP).get(TIMEOUT_S, TimeUnit.SECONDS);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = offsets(admin, tps, OffsetSpec.latest());
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = offsets(admin, tps, OffsetSpec.earliest());
    long lag = 0;
    for (TopicPartition tp : tps) {
      SharePartitionOffsetInfo info = group.get(tp);
      lag += info != null && info.lag().isPresent() ? info.lag().get()
          : Math.max(0, end.get(tp).offset() - start.get(tp).offset());
    }
    return lag;
  }

  private static List<TopicPartition> partitions(Admin admin, String topic) throws Exception {
    int n = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).get(topic)
        .partitions().size();
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> new TopicPartition(topic, i)).toList();
  }

  private static Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(Admin admin,
      List<TopicPartition> tps, OffsetSpec spec) throws Exception {
    return admin.listOffsets(tps.stream().collect(Collectors.toMap(tp -> tp, tp -> spec))).all()
        .get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}
