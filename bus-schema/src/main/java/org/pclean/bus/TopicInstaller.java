package org.pclean.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates pclean's topics with their topic-level configs (see {@link Topics}) on any cluster, embedded or
 * external. Topics that exist are left as they are.
 */
public final class TopicInstaller {
  /** How long a cluster may take to answer at all: an unreachable address is bad input, said at once. */
  static final int REACH_TIMEOUT_MS = 10_000;

  private TopicInstaller() {}

  /** Throws IllegalArgumentException when no broker of the admin's cluster answers within 10 s. */
  public static void requireReachable(Admin admin) throws InterruptedException {
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(REACH_TIMEOUT_MS)).nodes()
          .get(REACH_TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException("no answer from the Kafka cluster within " + REACH_TIMEOUT_MS / 1000
          + " s (is a broker running at the bootstrap address, and reachable from here?)");
    }
  }

  /**
   * Creates whichever of the topics are missing, and configures the sub-cube queue's share group where the cluster
   * serves share groups ({@link SubcubeQueue#configure}); returns the names created.
   *
   * @throws IllegalArgumentException no broker answers within 10 s (a wrong or unreachable address)
   */
  public static List<String> ensure(Admin admin, List<Topics.Topic> topics, short replicationFactor)
      throws InterruptedException {
    requireReachable(admin);
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> create = new ArrayList<>();
      for (Topics.Topic t : topics) {
        if (!existing.contains(t.name())) {
          create.add(new NewTopic(t.name(), Optional.of(t.partitions()), Optional.of(replicationFactor))
              .configs(t.configs()));
        }
      }
      List<String> created = new ArrayList<>();
      for (var e : admin.createTopics(create).values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
          created.add(e.getKey());
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
        }
      }
      if (topics.contains(Topics.SUBCUBE_TASKS)) {
        SubcubeQueue.configure(admin);
      }
      return created;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create pclean topics: " + e.getMessage(), e);
    }
  }
}
