package org.pclean.imaging.gather;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;

/**
 * pclean.jobs keeps ended jobs for the retention time, then the coordinator tombstones them; a job left SUBMITTED
 * by a client that died while publishing its start model is failed after the submit timeout, and its start-model
 * tiles are tombstoned. The clock is the driver's: jobs are written at chosen times, the wall clock moved past them.
 */
class JobRetentionTest {
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final JobRetention.Settings RETENTION = new JobRetention.Settings(Duration.ofHours(24), Duration.ofHours(1));

  @Test
  void endedJobsLeaveAfterTheRetentionAndAbandonedSubmissionsFail() {
    Properties props = ContinuumCycleTopologyTest.props();
    try (TopologyTestDriver driver = new TopologyTestDriver(Coordinator.topology(props, new TaskRebalancer(props),
        Runnable::run, RETENTION), props, T0)) {
      ContinuumCycleTopologyTest.Bus bus = ContinuumCycleTopologyTest.Bus.on(driver);
      var specs = bus.specs();
      var jobsOut = bus.jobs();
      var models = bus.models();
      // At T0: one job done, one failed, one running, one submitted with a two-term start model (64² image: one
      // tile per term), one submitted without. At T0 + 20 h: another done.
      specs.pipeInput("done-old", state("done-old", JobState.DONE, 0), T0);
      specs.pipeInput("failed-old", state("failed-old", JobState.FAILED, 0), T0);
      specs.pipeInput("running", state("running", JobState.RUNNING, 0), T0);
      specs.pipeInput("abandoned", state("abandoned", JobState.SUBMITTED, 2), T0);
      specs.pipeInput("abandoned-empty", state("abandoned-empty", JobState.SUBMITTED, 0), T0);
      Instant later = T0.plus(Duration.ofHours(20));
      specs.pipeInput("done-recent", state("done-recent", JobState.DONE, 0), later);

      // 30 min on: within every limit, nothing happens.
      driver.advanceWallClockTime(Duration.ofMinutes(30));
      assertTrue(jobsOut.isEmpty() && models.isEmpty(), "nothing is due at T0 + 30 min");

      // T0 + 1.5 h: the two SUBMITTED jobs are past the submit timeout.
      driver.advanceWallClockTime(Duration.ofHours(1));
      Map<String, JobSpec> failed = new HashMap<>();
      for (TestRecord<String, JobSpec> r : jobsOut.readRecordsToList()) {
        failed.put(r.key(), r.value());
      }
      assertEquals(Set.of("abandoned", "abandoned-empty"), failed.keySet());
      failed.values().forEach(j -> {
        assertEquals(JobState.FAILED, j.getState());
        assertTrue(j.getError().contains("client stopped while submitting"), j.getError());
      });
      Set<String> tombstoned = new HashSet<>();
      for (TestRecord<String, ImageTile> r : models.readRecordsToList()) {
        assertNull(r.value(), r.key());
        tombstoned.add(r.key());
      }
      assertEquals(Set.of(Topics.modelKey("abandoned", 0, org.pclean.bus.avro.TileKind.MODEL, 0, 0),
          Topics.modelKey("abandoned", 0, org.pclean.bus.avro.TileKind.MODEL, 1, 0)), tombstoned);

      // T0 + 25 h: done-old and failed-old ended more than 24 h ago (the two just failed have not, nor has
      // done-recent): their records are tombstoned, and only theirs.
      driver.advanceWallClockTime(Duration.ofHours(23).plusMinutes(30));
      List<TestRecord<String, JobSpec>> gone = jobsOut.readRecordsToList();
      Set<String> keys = new HashSet<>();
      gone.forEach(r -> {
        assertNull(r.value(), "a tombstone for " + r.key());
        keys.add(r.key());
      });
      assertEquals(Set.of("done-old", "failed-old"), keys);
    }
  }

  private static JobSpec state(String jobId, JobState state, int startModelTerms) {
    return JobSpec.newBuilder(ContinuumCycleTopologyTest.job(jobId)).setState(state)
        .setStartModelTerms(startModelTerms).setError(state == JobState.FAILED ? "x" : null).build();
  }
}
