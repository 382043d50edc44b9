package org.pclean.ops.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.pclean.imaging.gather.Coordinator;

/**
 * The readiness checks of the services, each asked on a /health request with an admin client of the service's
 * own cluster config: connected to the cluster, and member of its group(s) (or, for the coordinator, Streams
 * RUNNING: joined and every state store restored).
 */
public final class ServiceChecks {
  private static final long TIMEOUT_MS = 3000;

  private ServiceChecks() {}

  /** All of the checks, in order: ready when every one is; details of each. */
  public static Readiness.Check all(List<Readiness.Check> checks) {
    return () -> {
      Map<String, Object> details = new LinkedHashMap<>();
      boolean ready = true;
      for (Readiness.Check c : checks) {
        Readiness r = c.check();
        ready &= r.ready();
        details.putAll(r.details());
        if (!r.ready()) {
          break;  // what failed is shown; what depends on it is not asked
        }
      }
      return new Readiness(ready, details);
    };
  }

  /** The cluster answers (its id in the details). */
  public static Readiness.Check cluster(Admin admin) {
    return () -> {
      try {
        String id = admin.describeCluster().clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return new Readiness(true, Map.of("cluster", id));
      } catch (ExecutionException | TimeoutException e) {
        return new Readiness(false, Map.of("cluster", "unreachable: " + message(e)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Readiness(false, Map.of("cluster", "interrupted"));
      }
    };
  }

  /**
   * Each group has a member that is ours (ours: e.g. its client id is one of this process's workers'); the
   * details give each group's state and how many of its members are ours.
   */
  public static Readiness.Check members(Admin admin, Collection<String> groups, Predicate<MemberDescription> ours) {
    return () -> {
      Map<String, Object> details = new LinkedHashMap<>();
      boolean ready = true;
      try {
        Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups).all()
            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        for (String g : groups) {
          ConsumerGroupDescription d = described.get(g);
          List<MemberDescription> mine = new ArrayList<>();
          if (d != null) {
            d.members().stream().filter(ours).forEach(mine::add);
          }
          ready &= !mine.isEmpty();
          details.put("group " + g, (d == null ? "absent" : d.groupState().toString()) + ", " + mine.size()
              + " of our members" + (d == null ? "" : " of " + d.members().size()));
        }
      } catch (ExecutionException | TimeoutException e) {
        return new Readiness(false, Map.of("groups", "cannot describe " + groups + ": " + message(e)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Readiness(false, Map.of("groups", "interrupted"));
      }
      return new Readiness(ready, details);
    };
  }

  /** The coordinator's Streams app is RUNNING (joined its group, state stores restored). */
  public static Readiness.Check streams(Coordinator coordinator) {
    return () -> {
      KafkaStreams.State s = coordinator.state();
      return new Readiness(s == KafkaStreams.State.RUNNING, Map.of("streams " + Coordinator.APPLICATION_ID,
          s.toString()));
    };
  }

  private static String message(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
