package org.pclean.ops.parallel;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
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
  private SiteServices() {}

  /** Throws IllegalArgumentException naming every service the job needs and the cluster lacks. */
  static void require(Admin admin, String bootstrap, boolean cube, boolean subcubesOnBus)
      throws InterruptedException {
    List<String> needed = List.of(Topics.WORKER_GROUP, Coordinator.APPLICATION_ID,
        cube ? (subcubesOnBus ? BusCubeSink.GROUP : CubeSink.GROUP) : ContinuumSink.GROUP);
    List<String> missing = new ArrayList<>();
    for (ServiceGroups.Group g : ServiceGroups.describe(admin, bootstrap, needed)) {
      if (g.members().isEmpty()) {
        missing.add("`" + g.service() + "` (group " + g.id() + " has no members)");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("with --nworkers 0 the site's services do the work, and " + bootstrap
          + " has no " + String.join(", no ", missing) + ": start them there, or give --nworkers N to run them here");
    }
  }
}
