package org.pclean.ops.parallel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pclean.bus.SubcubeTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;

/**
 * Tells a job that cannot complete from one that is slow, while the client waits: the job's JobSpec must be on
 * pclean.jobs, and every service the job still needs must have a live member — workers while tasks remain (not
 * once a cube is CONCATENATING), the coordinator (a cube's only until CONCATENATING), the job kind's sink until
 * the end. An absence that lasts longer than the stall timeout (measured from when it was first seen) is the
 * job's failure, with the reason; a service that comes back within it (a restarted worker) is no failure. The
 * membership is read at most once per check interval, so a waiting client costs the cluster little.
 */
final class JobWatch {
  /** Default stall timeout: longer than Kafka's default 45 s consumer session, so one restarted worker is no stall. */
  static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(90);

  private static final String JOBSPEC = "jobspec";

  private final String jobId;
  private final long stallNanos;
  private final long intervalNanos;
  private final Function<Set<String>, Map<String, Integer>> members;
  /** What is missing (a group, or the JobSpec) → when it was first seen missing. */
  private final Map<String, Long> missingSince = new HashMap<>();
  private long lastCheck;
  private boolean checked;
  private JobSpec lastSeen;

  /**
   * @param members live members of each group asked for (0 when it has none; IllegalArgumentException when the
   *     cluster cannot be read, which counts as every service missing)
   */
  JobWatch(String jobId, Duration stallTimeout, Function<Set<String>, Map<String, Integer>> members) {
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("--stall-timeout must be > 0, got " + stallTimeout.toSeconds() + " s");
    }
    this.jobId = jobId;
    this.stallNanos = stallTimeout.toNanos();
    this.intervalNanos = Math.min(stallNanos / 4, 1_000_000_000L);
    this.members = members;
  }

  /** The job's last JobSpec seen, or null. */
  JobSpec lastSeen() {
    return lastSeen;
  }

  /** Why the job cannot complete, or empty while it can; spec is the job's JobSpec now (empty: none). */
  Optional<String> check(Optional<JobSpec> spec, long nowNanos) {
    spec.ifPresent(s -> lastSeen = s);
    absent(JOBSPEC, spec.isEmpty(), nowNanos);
    if ((!checked || nowNanos - lastCheck >= intervalNanos) && lastSeen != null) {
      checked = true;
      lastCheck = nowNanos;
      Map<String, String> needed = stillNeeded(lastSeen);
      Map<String, Integer> live;
      try {
        live = members.apply(needed.keySet());
      } catch (IllegalArgumentException unreadable) {
        live = Map.of();
      }
      missingSince.keySet().removeIf(k -> !needed.containsKey(k) && !k.equals(JOBSPEC));
      for (Map.Entry<String, String> n : needed.entrySet()) {
        absent(n.getKey(), live.getOrDefault(n.getKey(), 0) == 0, nowNanos);
      }
    }
    List<String> why = new ArrayList<>();
    for (Map.Entry<String, Long> m : missingSince.entrySet()) {
      if (nowNanos - m.getValue() > stallNanos) {
        double s = (nowNanos - m.getValue()) / 1e9;
        why.add(m.getKey().equals(JOBSPEC)
            ? String.format(Locale.ROOT, "its JobSpec has been missing from %s for %.0f s", Topics.JOBS.name(), s)
            : String.format(Locale.ROOT, "no `%s` has been running (group %s empty) for %.0f s",
                serviceOf(m.getKey()), m.getKey(), s));
      }
    }
    if (why.isEmpty()) {
      return Optional.empty();
    }
    why.sort(null);
    return Optional.of("cannot complete: " + String.join("; ", why) + " (stall timeout "
        + Duration.ofNanos(stallNanos).toSeconds() + " s, --stall-timeout)");
  }

  private void absent(String what, boolean missing, long now) {
    if (missing) {
      missingSince.putIfAbsent(what, now);
    } else {
      missingSince.remove(what);
    }
  }

  /** The groups the job still needs in its state, with their services; none once it has ended. */
  static Map<String, String> stillNeeded(JobSpec job) {
    boolean cube = job.getMode() == JobMode.CUBE;
    Map<String, String> needed = SiteServices.needed(cube, cube && SubcubeTiles.onBus(job));
    JobState state = job.getState();
    if (state == JobState.DONE || state == JobState.FAILED) {
      needed.clear();
    } else if (state == JobState.CONCATENATING) {
      needed.remove(SiteServices.WORKERS);
      if (cube) {
        needed.remove(SiteServices.COORDINATOR);
      }
    }
    return needed;
  }

  private static String serviceOf(String group) {
    return switch (group) {
      case SiteServices.WORKERS -> "pclean worker";
      case SiteServices.COORDINATOR -> "pclean gather";
      default -> "pclean sink";
    };
  }

  /** Records the failure on pclean.jobs (the last JobSpec seen, FAILED with the reason) and as a FAILED event. */
  void fail(Producer<String, Object> producer, String reason) {
    if (lastSeen != null) {
      producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(jobId),
          JobSpec.newBuilder(lastSeen).setState(JobState.FAILED).setError(reason).build()));
    }
    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(jobId), JobEvent.newBuilder()
        .setJobId(jobId).setType(JobEventType.FAILED).setMessage(reason)
        .setTimestampMillis(System.currentTimeMillis()).build()));
    producer.flush();
  }
}
