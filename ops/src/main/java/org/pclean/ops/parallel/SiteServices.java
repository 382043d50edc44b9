package org.pclean.ops.parallel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.pclean.bus.Topics;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.sink.BusCubeSink;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;

/**
 * The services a site must run for a job submitted with {@code --nworkers 0}: workers, the coordinator and the
 * job kind's sink, each a group on the cluster. A client that only submits and watches checks, before it
 * publishes anything, that every one has a live member — a job nobody would finish is refused at once with the
 * missing service named, not left waiting for its timeout.
 */
final class SiteServices {
  private static final long DESCRIBE_TIMEOUT_S = 15;

  private SiteServices() {}

  /** Throws IllegalArgumentException naming every service the job needs and the cluster lacks. */
  static void require(Admin admin, String bootstrap, boolean cube, boolean subcubesOnBus)
      throws InterruptedException {
    Map<String, String> needed = new LinkedHashMap<>();
    needed.put(Topics.WORKER_GROUP, "pclean worker");
    needed.put(Coordinator.APPLICATION_ID, "pclean gather");
    needed.put(cube ? (subcubesOnBus ? BusCubeSink.GROUP : CubeSink.GROUP) : ContinuumSink.GROUP, "pclean sink");
    var described = admin.describeConsumerGroups(needed.keySet()).describedGroups();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> n : needed.entrySet()) {
      ConsumerGroupDescription g;
      try {
        g = described.get(n.getKey()).get(DESCRIBE_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw new IllegalArgumentException("cannot read the service groups at " + bootstrap + ": "
              + e.getCause().getMessage());
        }
        g = null;  // never joined: no such service
      } catch (TimeoutException e) {
        throw new IllegalArgumentException("cannot read the service groups at " + bootstrap + " within "
            + DESCRIBE_TIMEOUT_S + " s");
      }
      if (g == null || g.members().isEmpty()) {
        missing.add("`" + n.getValue() + "` (group " + n.getKey() + " has no members)");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("with --nworkers 0 the site's services do the work, and " + bootstrap
          + " has no " + String.join(", no ", missing) + ": start them there, or give --nworkers N to run them here");
    }
  }
}
