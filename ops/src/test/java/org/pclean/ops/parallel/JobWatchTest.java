package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;

/** The stall rules by hand: which services a job needs in which state, and when an absence becomes a failure. */
class JobWatchTest {
  static final long S = 1_000_000_000L;
  final Map<String, Integer> live = new HashMap<>(Map.of(Topics.WORKER_GROUP, 1, Coordinator.APPLICATION_ID, 1,
      CubeSink.GROUP, 1, ContinuumSink.GROUP, 1));

  static JobSpec job(JobMode mode, JobState state) {
    return JobSpec.newBuilder().setJobId("j").setState(state).setMode(mode).setVis("").setImagename("x")
        .build();
  }

  JobWatch watch() {
    return new JobWatch("j", Duration.ofSeconds(10), (Set<String> groups) -> {
      Map<String, Integer> out = new HashMap<>();
      groups.forEach(g -> out.put(g, live.getOrDefault(g, 0)));
      return out;
    });
  }

  @Test
  void anAbsenceLongerThanTheStallTimeoutFailsTheJobNamingTheService() {
    JobWatch w = watch();
    Optional<JobSpec> running = Optional.of(job(JobMode.CUBE, JobState.RUNNING));
    assertEquals(Optional.empty(), w.check(running, 0));
    live.put(Topics.WORKER_GROUP, 0);
    assertEquals(Optional.empty(), w.check(running, 2 * S));   // first seen missing at 2 s
    assertEquals(Optional.empty(), w.check(running, 12 * S));  // 10 s: not longer than the timeout
    String why = w.check(running, 12 * S + S / 2).orElseThrow();
    assertTrue(why.contains("`pclean worker`") && why.contains(Topics.WORKER_GROUP) && why.contains("10 s"), why);
  }

  @Test
  void aServiceBackWithinTheTimeoutIsNoStall() {
    JobWatch w = watch();
    Optional<JobSpec> running = Optional.of(job(JobMode.CONTINUUM, JobState.RUNNING));
    live.put(Coordinator.APPLICATION_ID, 0);
    w.check(running, 0);
    live.put(Coordinator.APPLICATION_ID, 1);
    w.check(running, 8 * S);
    live.put(Coordinator.APPLICATION_ID, 0);
    assertEquals(Optional.empty(), w.check(running, 9 * S));
    assertEquals(Optional.empty(), w.check(running, 18 * S));  // missing again only since 9 s
    assertTrue(w.check(running, 20 * S).orElseThrow().contains("`pclean gather`"));
  }

  @Test
  void aConcatenatingCubeNeedsOnlyItsSinkAndAMissingJobSpecFails() {
    live.put(Topics.WORKER_GROUP, 0);
    live.put(Coordinator.APPLICATION_ID, 0);
    JobWatch w = watch();
    Optional<JobSpec> concatenating = Optional.of(job(JobMode.CUBE, JobState.CONCATENATING));
    for (long t = 0; t <= 30; t += 2) {
      assertEquals(Optional.empty(), w.check(concatenating, t * S));
    }
    assertEquals(Map.of(CubeSink.GROUP, "pclean sink"), JobWatch.stillNeeded(concatenating.get()));
    assertEquals(Map.of(), JobWatch.stillNeeded(job(JobMode.CUBE, JobState.DONE)));
    assertEquals(Set.of(Topics.WORKER_GROUP, Coordinator.APPLICATION_ID, ContinuumSink.GROUP),
        JobWatch.stillNeeded(job(JobMode.CONTINUUM, JobState.RUNNING)).keySet());
    w.check(Optional.empty(), 31 * S);
    String why = w.check(Optional.empty(), 42 * S).orElseThrow();
    assertTrue(why.contains("JobSpec has been missing from pclean.jobs for 11 s"), why);
  }

  @Test
  void anUnreadableClusterCountsAsEveryServiceMissing() {
    JobWatch w = new JobWatch("j", Duration.ofSeconds(5), g -> {
      throw new IllegalArgumentException("cannot read the service groups");
    });
    Optional<JobSpec> running = Optional.of(job(JobMode.CUBE, JobState.RUNNING));
    w.check(running, 0);
    String why = w.check(running, 6 * S).orElseThrow();
    assertTrue(why.contains("`pclean worker`") && why.contains("`pclean gather`") && why.contains("`pclean sink`"),
        why);
    assertThrows(IllegalArgumentException.class, () -> new JobWatch("j", Duration.ZERO, g -> Map.of()));
  }
}
