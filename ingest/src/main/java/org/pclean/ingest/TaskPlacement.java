package org.pclean.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.PartitionDescriptor;

/**
 * Where a job's tasks go on pclean.tasks. Kafka hands a partition's records to one member of the worker group,
 * so tasks keyed by hash can all land on one worker while the others idle (two row chunks on 16 partitions share
 * a worker half the time). Placement reads the group's current assignment and gives task k a partition owned by
 * member k mod m, so a job's tasks spread over the members; a member that leaves has its partitions, and so its
 * uncommitted tasks, reassigned as usual. A member's share is spread evenly over all its partitions, not packed
 * into the first ones: a worker that joins mid-job takes over some of them and so inherits a fair part of the
 * tasks still waiting. With no members yet, tasks are spread evenly over the partitions. Works for groups of
 * either protocol (Admin.describeConsumerGroups reads KIP-848 consumer groups and classic ones alike).
 */
public final class TaskPlacement {
  private TaskPlacement() {}

  /** The pinned pclean.tasks partition of a task, or null to let its key's hash choose. */
  public static Integer partitionOf(PartitionDescriptor task) {
    return task.getTopicPartition() >= 0 ? task.getTopicPartition() : null;
  }

  /** Members of the worker group that own pclean.tasks partitions now. */
  public static int assignedMembers(Admin admin) throws InterruptedException {
    try {
      return owned(admin).size();
    } catch (ExecutionException e) {
      return 0;
    }
  }

  /** A partition of pclean.tasks for each of n tasks. */
  public static List<Integer> spread(Admin admin, int n) throws InterruptedException {
    List<List<Integer>> owned;
    int total;
    try {
      total = admin.describeTopics(List.of(Topics.TASKS.name())).allTopicNames().get().get(Topics.TASKS.name())
          .partitions().size();
      owned = owned(admin);
    } catch (ExecutionException e) {
      total = Topics.TASKS.partitions();  // the cluster cannot be read: fall back to an even spread
      owned = List.of();
    }
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (owned.isEmpty()) {
        out.add((int) ((long) k * total / Math.max(n, 1)) % total);
      } else {
        int m = owned.size();
        List<Integer> parts = owned.get(k % m);
        int share = (n - k % m + m - 1) / m;  // tasks this member gets: k % m, k % m + m, ...
        int j = k / m;  // this task's place among them
        out.add(share <= parts.size() ? parts.get((int) ((long) j * parts.size() / share))
            : parts.get(j % parts.size()));
      }
    }
    return out;
  }

  /**
   * Re-places a job's tasks on the group as it is now, moving as few as possible. Each member's fair share is
   * ⌊n/m⌋ tasks, n mod m of them (those holding most now) one more; a task stays on its partition while the
   * partition's owner is within its share, and the rest — tasks over a share, or on partitions nobody owns —
   * go to the least loaded members, on the partition of theirs this job uses least. So a member that joined
   * mid-job takes over a fair part of the next cycle, and a departed member's tasks spread over the others;
   * moving a row chunk costs its new worker one read of the chunk.
   *
   * @param current the partition each task is on now
   * @param owned the partitions each member owns (as {@link #owned}); empty = leave as is
   */
  public static List<Integer> rebalance(List<Integer> current, List<List<Integer>> owned) {
    int m = owned.size();
    int n = current.size();
    if (m == 0 || n == 0) {
      return List.copyOf(current);
    }
    Map<Integer, Integer> ownerOf = new HashMap<>();
    for (int i = 0; i < m; i++) {
      for (int part : owned.get(i)) {
        ownerOf.put(part, i);
      }
    }
    int[] holding = new int[m];
    for (int part : current) {
      Integer o = ownerOf.get(part);
      if (o != null) {
        holding[o]++;
      }
    }
    int[] share = new int[m];
    Arrays.fill(share, n / m);
    List<Integer> byHolding = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      byHolding.add(i);
    }
    byHolding.sort(Comparator.comparingInt((Integer i) -> -holding[i]).thenComparing(i -> i));
    for (int k = 0; k < n % m; k++) {
      share[byHolding.get(k)]++;
    }
    int[] load = new int[m];
    Integer[] out = new Integer[n];
    Map<Integer, Integer> usedPartition = new HashMap<>();
    for (int k = 0; k < n; k++) {
      Integer o = ownerOf.get(current.get(k));
      if (o != null && load[o] < share[o]) {
        load[o]++;
        out[k] = current.get(k);
        usedPartition.merge(out[k], 1, Integer::sum);
      }
    }
    for (int k = 0; k < n; k++) {
      if (out[k] != null) {
        continue;
      }
      int to = 0;
      for (int i = 1; i < m; i++) {
        if (load[i] - share[i] < load[to] - share[to]) {
          to = i;
        }
      }
      load[to]++;
      int best = owned.get(to).get(0);
      for (int part : owned.get(to)) {
        if (usedPartition.getOrDefault(part, 0) < usedPartition.getOrDefault(best, 0)) {
          best = part;
        }
      }
      out[k] = best;
      usedPartition.merge(best, 1, Integer::sum);
    }
    return List.of(out);
  }

  /** The pclean.tasks partitions each member of the worker group owns (sorted; members by id; owners only). */
  public static List<List<Integer>> owned(Admin admin) throws InterruptedException, ExecutionException {
    List<List<Integer>> owned = new ArrayList<>();
    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(Topics.WORKER_GROUP)).all().get()
        .get(Topics.WORKER_GROUP);
    if (group != null) {
      List<MemberDescription> members = new ArrayList<>(group.members());
      members.sort(Comparator.comparing(MemberDescription::consumerId));
      for (MemberDescription m : members) {
        List<Integer> parts = m.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(Topics.TASKS.name())).map(TopicPartition::partition).sorted().toList();
        if (!parts.isEmpty()) {
          owned.add(parts);
        }
      }
    }
    return owned;
  }
}
