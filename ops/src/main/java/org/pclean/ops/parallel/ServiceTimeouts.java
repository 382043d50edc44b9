package org.pclean.ops.parallel;

import java.time.Duration;
import org.pclean.imaging.continuum.PartialImager;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.ingest.plan.TimeEstimate;

/**
 * The timeouts of the services a one-shot parallel run starts for its own job, sized from the job's time bound
 * so that a large job does not trip them and a small one keeps the defaults (a site's long-running services set
 * theirs by flag):
 *
 * <ul>
 *   <li>the coordinator's transaction timeout: a continuum minor cycle runs inside one transaction, which the
 *       broker aborts after this long (the cycle is then redone, forever if it always takes longer): twice the
 *       longest minor cycle, at least {@link Coordinator#DEFAULT_TRANSACTION_TIMEOUT}, at most the broker's
 *       transaction.max.timeout.ms;
 *   <li>a worker's wait for the model of the previous cycle: twice a chunk's cycle plus the minor cycle, at least
 *       {@link PartialImager#DEFAULT_MODEL_WAIT};
 *   <li>a worker's longest task (max.poll.interval.ms): twice the longest task, at least
 *       {@link ImagingWorker#DEFAULT_MAX_TASK_TIME}.
 * </ul>
 */
public record ServiceTimeouts(Duration transaction, Duration modelWait, Duration maxTaskTime) {
  /** Kafka's default transaction.max.timeout.ms, which a cluster not our own is assumed to keep. */
  public static final Duration KAFKA_MAX_TRANSACTION = Duration.ofMinutes(15);

  public static final ServiceTimeouts DEFAULTS = new ServiceTimeouts(Coordinator.DEFAULT_TRANSACTION_TIMEOUT,
      PartialImager.DEFAULT_MODEL_WAIT, ImagingWorker.DEFAULT_MAX_TASK_TIME);

  /** For the job bounded by e, on a broker that allows transactions of up to maxTransaction. */
  public static ServiceTimeouts of(TimeEstimate e, Duration maxTransaction) {
    Duration tx = atLeast(e.longestMinorCycle().multipliedBy(2), DEFAULTS.transaction);
    return new ServiceTimeouts(tx.compareTo(maxTransaction) > 0 ? maxTransaction : tx,
        atLeast(e.longestTask().plus(e.longestMinorCycle()).multipliedBy(2), DEFAULTS.modelWait),
        atMost(atLeast(e.longestTask().multipliedBy(2), DEFAULTS.maxTaskTime), Duration.ofMillis(Integer.MAX_VALUE)));
  }

  private static Duration atLeast(Duration d, Duration floor) {
    return d.compareTo(floor) < 0 ? floor : d;
  }

  private static Duration atMost(Duration d, Duration cap) {
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
