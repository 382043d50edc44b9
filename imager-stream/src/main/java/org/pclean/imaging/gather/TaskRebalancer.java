package org.pclean.imaging.gather;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.pclean.ingest.TaskPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places each major cycle's row-chunk tasks on the worker group as it is when the cycle starts
 * ({@link TaskPlacement#rebalance}): a worker that joined mid-job takes its share from the next cycle on, a
 * departed one's chunks spread over the rest, and otherwise every chunk stays where its data is cached. The
 * placement only decides who does a chunk, never what is computed, so when the group cannot be read the tasks
 * stay where they were, and a restarted coordinator starts again from the job's submitted placement.
 */
final class TaskRebalancer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRebalancer.class);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  /** Where each job's tasks went in its last cycle. */
  private final Map<String, List<Integer>> placed = new ConcurrentHashMap<>();
  private final Properties client;
  private Admin admin;

  TaskRebalancer(Properties client) {
    this.client = client;
  }

  /** The partitions of this cycle's tasks, given those the job was submitted with. */
  synchronized List<Integer> place(String jobId, int cycle, List<Integer> submitted) {
    List<Integer> current = placed.getOrDefault(jobId, submitted);
    if (current.isEmpty() || current.contains(-1)) {
      return current;  // not pinned: the key's hash decides
    }
    List<Integer> next;
    try {
      next = TaskPlacement.rebalance(current, TaskPlacement.owned(admin()));
    } catch (Exception e) {
      LOG.debug("job {}: cannot read the worker group ({}); cycle {} keeps its placement", jobId, e.getMessage(),
          cycle);
      return current;
    }
    if (!next.equals(current)) {
      int moved = 0;
      for (int k = 0; k < next.size(); k++) {
        moved += next.get(k).equals(current.get(k)) ? 0 : 1;
      }
      LOG.info("job {}: cycle {} moves {} of {} row chunks to follow the worker group", jobId, cycle, moved,
          next.size());
    }
    placed.put(jobId, next);
    return next;
  }

  /** Forgets a finished job. */
  void forget(String jobId) {
    placed.remove(jobId);
  }

  private Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      for (String k : client.stringPropertyNames()) {
        if (AdminClientConfig.configNames().contains(k)) {
          p.put(k, client.getProperty(k));
        }
      }
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(READ_TIMEOUT.toMillis()));
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(READ_TIMEOUT.toMillis()));
      admin = Admin.create(p);
    }
    return admin;
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
  }
}
