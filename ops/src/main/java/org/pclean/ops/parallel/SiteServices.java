package org.pclean.ops.parallel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.sink.BusCubeSink;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;

/**
 * The services a job needs — workers, the coordinator and the job kind's sink, each a group on the cluster — and
 * how many live members each has. A client that only submits and watches ({@code --nworkers 0}) checks, before it
 * publishes anything, that every one has a live member, so a job nobody would finish is refused at once with the
 * missing service named; while any client waits, {@link JobWatch} asks the same question to fail a job whose
 * services are gone.
 */
final class SiteServices {
  /** The worker group's entry in {@link #needed}. */
  static final String WORKERS = Topics.WORKER_GROUP;
  static final String COORDINATOR = Coordinator.APPLICATION_ID;

  private SiteServices() {}

  /** Group → the service that runs it, for a job of that kind: workers, coordinator, sink. */
  static Map<String, String> needed(boolean cube, boolean subcubesOnBus) {
    Map<String, String> needed = new LinkedHashMap<>();
    for (String group : List.of(WORKERS, COORDINATOR,
        cube ? (subcubesOnBus ? BusCubeSink.GROUP : CubeSink.GROUP) : ContinuumSink.GROUP)) {
      needed.put(group, ServiceGroups.ALL.get(group));
    }
    return needed;
  }

  /** Live members of each group (0 for a group that never formed); IllegalArgumentException when unreadable. */
  static Map<String, Integer> members(Admin admin, String bootstrap, Iterable<String> groups)
      throws InterruptedException {
    List<String> names = new ArrayList<>();
    groups.forEach(names::add);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (ServiceGroups.Group g : ServiceGroups.describe(admin, bootstrap, names)) {
      out.put(g.id(), g.members().size());
    }
    return out;
  }

  /** Throws IllegalArgumentException naming every service the job needs and the cluster lacks. */
  static void require(Admin admin, String bootstrap, boolean cube, boolean subcubesOnBus)
      throws InterruptedException {
    TopicInstaller.requireReachable(admin);  // first contact: an unreachable address is said at once
    Map<String, String> needed = needed(cube, subcubesOnBus);
    Map<String, Integer> live = members(admin, bootstrap, needed.keySet());
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> n : needed.entrySet()) {
      if (live.get(n.getKey()) == 0) {
        missing.add("`" + n.getValue() + "` (group " + n.getKey() + " has no members)");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("with --nworkers 0 the site's services do the work, and " + bootstrap
          + " has no " + String.join(", no ", missing) + ": start them there, or give --nworkers N to run them here");
    }
  }
}
