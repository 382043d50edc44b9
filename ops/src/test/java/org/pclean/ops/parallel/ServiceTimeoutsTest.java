package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pclean.ingest.plan.TimeEstimate;

/** Timeouts from a job's bound: twice the work they wait for, the services' defaults as floors, Kafka's cap. */
class ServiceTimeoutsTest {
  @Test
  void aSmallJobKeepsTheDefaults() {
    TimeEstimate small = new TimeEstimate(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10));
    ServiceTimeouts t = ServiceTimeouts.of(small, ServiceTimeouts.KAFKA_MAX_TRANSACTION);
    assertEquals(Duration.ofMinutes(5), t.transaction());
    assertEquals(Duration.ofMinutes(10), t.modelWait());
    assertEquals(Duration.ofHours(1), t.maxTaskTime());
  }

  @Test
  void aLargeJobGetsTwiceItsWorkUpToTheBrokersLimit() {
    // A 12 min minor cycle, 50 min tasks.
    TimeEstimate large = new TimeEstimate(Duration.ofHours(3), Duration.ofMinutes(12), Duration.ofMinutes(50));
    ServiceTimeouts own = ServiceTimeouts.of(large, Duration.ofHours(12));
    assertEquals(Duration.ofMinutes(24), own.transaction());
    assertEquals(Duration.ofMinutes(124), own.modelWait());
    assertEquals(Duration.ofMinutes(100), own.maxTaskTime());
    // On a cluster that keeps Kafka's 15 min transaction limit the coordinator asks for no more.
    assertEquals(Duration.ofMinutes(15), ServiceTimeouts.of(large, ServiceTimeouts.KAFKA_MAX_TRANSACTION).transaction());
  }

  @Test
  void noTimeoutGivenMeansThreeTimesTheBoundOrADay() {
    TimeEstimate bound = new TimeEstimate(Duration.ofMinutes(20), Duration.ofMinutes(1), Duration.ofMinutes(5));
    assertEquals(Duration.ofMinutes(60), ParallelRunner.deadline(Duration.ZERO, bound));
    assertEquals(Duration.ofHours(24), ParallelRunner.deadline(Duration.ZERO, null));
    assertEquals(Duration.ofSeconds(42), ParallelRunner.deadline(Duration.ofSeconds(42), bound));
  }
}
