package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pclean.ingest.plan.TimeEstimate;

/** Timeouts from a job's bound: twice the work they wait for, the services' defaults as floors. */
class ServiceTimeoutsTest {
  @Test
  void aSmallJobKeepsTheDefaults() {
    TimeEstimate small = new TimeEstimate(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10));
    ServiceTimeouts t = ServiceTimeouts.of(small);
    assertEquals(Duration.ofMinutes(10), t.modelWait());
    assertEquals(Duration.ofHours(1), t.maxTaskTime());
  }

  @Test
  void aLargeJobGetsTwiceItsWork() {
    // A 12 min minor cycle, 50 min tasks.
    TimeEstimate large = new TimeEstimate(Duration.ofHours(3), Duration.ofMinutes(12), Duration.ofMinutes(50));
    ServiceTimeouts own = ServiceTimeouts.of(large);
    assertEquals(Duration.ofMinutes(124), own.modelWait());
    assertEquals(Duration.ofMinutes(100), own.maxTaskTime());
  }

  /** A session's workers take a job their timeouts cover; restarted, they are sized for both jobs. */
  @Test
  void workersCoverAJobWhenNeitherTimeoutIsShorter() {
    ServiceTimeouts running = new ServiceTimeouts(Duration.ofMinutes(20), Duration.ofHours(1));
    assertTrue(running.cover(ServiceTimeouts.DEFAULTS));
    assertTrue(running.cover(running));
    ServiceTimeouts longerWait = new ServiceTimeouts(Duration.ofMinutes(30), Duration.ofMinutes(10));
    ServiceTimeouts longerTask = new ServiceTimeouts(Duration.ofMinutes(5), Duration.ofHours(2));
    assertFalse(running.cover(longerWait));
    assertFalse(running.cover(longerTask));
    assertEquals(new ServiceTimeouts(Duration.ofMinutes(30), Duration.ofHours(1)), running.max(longerWait));
    assertEquals(new ServiceTimeouts(Duration.ofMinutes(20), Duration.ofHours(2)), longerTask.max(running));
  }

  @Test
  void noTimeoutGivenMeansThreeTimesTheBoundOrADay() {
    TimeEstimate bound = new TimeEstimate(Duration.ofMinutes(20), Duration.ofMinutes(1), Duration.ofMinutes(5));
    assertEquals(Duration.ofMinutes(60), ParallelRunner.deadline(Duration.ZERO, bound));
    assertEquals(Duration.ofHours(24), ParallelRunner.deadline(Duration.ZERO, null));
    assertEquals(Duration.ofSeconds(42), ParallelRunner.deadline(Duration.ofSeconds(42), bound));
  }
}
