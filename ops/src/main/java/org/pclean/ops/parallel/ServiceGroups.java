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
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.pclean.bus.Topics;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.sink.BusCubeSink;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;

/** The groups of a site's pclean services on a cluster and who is in them now. */
public final class ServiceGroups {
  private static final long DESCRIBE_TIMEOUT_S = 15;

  /** Each service group and the command that joins it, workers first. */
  public static final Map<String, String> ALL = services();

  /** One group: its members' client ids (hosts), and how many own partitions. */
  public record Group(String id, String service, List<String> members, int owners) {}

  private ServiceGroups() {}

  private static Map<String, String> services() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Topics.WORKER_GROUP, "pclean worker");
    m.put(Coordinator.APPLICATION_ID, "pclean gather");
    m.put(CubeSink.GROUP, "pclean sink");
    m.put(BusCubeSink.GROUP, "pclean sink");
    m.put(ContinuumSink.GROUP, "pclean sink");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The named groups as they are now (a group that never formed has no members).
   *
   * @throws IllegalArgumentException the cluster cannot be read, naming bootstrap
   */
  public static List<Group> describe(Admin admin, String bootstrap, List<String> groupIds)
      throws InterruptedException {
    var described = admin.describeConsumerGroups(groupIds).describedGroups();
    List<Group> out = new ArrayList<>();
    for (String id : groupIds) {
      ConsumerGroupDescription g;
      try {
        g = described.get(id).get(DESCRIBE_TIMEOUT_S, TimeUnit.SECONDS);
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
      List<String> members = new ArrayList<>();
      int owners = 0;
      if (g != null) {
        for (MemberDescription m : g.members()) {
          members.add(m.clientId() + "@" + m.host().replaceFirst("^/", ""));
          if (!m.assignment().topicPartitions().isEmpty()) {
            owners++;
          }
        }
      }
      out.add(new Group(id, ALL.getOrDefault(id, id), List.copyOf(members), owners));
    }
    return out;
  }
}
