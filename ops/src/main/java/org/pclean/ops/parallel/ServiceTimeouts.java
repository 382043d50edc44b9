package org.pclean.ops.parallel;

import java.time.Duration;
import org.pclean.imaging.continuum.PartialImager;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.ingest.plan.TimeEstimate;

/**
 * The timeouts of the workers a parallel run (or session) starts for its jobs, sized from a job's time bound so
 * that a large job does not trip them and a small one keeps the defaults (a site's long-running services set
 * theirs by flag):
 *
 * <ul>
 *   <li>a worker's wait for the model of the previous cycle: twice a chunk's cycle plus the minor cycle, at least
 *       {@link PartialImager#DEFAULT_MODEL_WAIT};
 *   <li>a worker's longest task (max.poll.interval.ms): twice the longest task, at least
 *       {@link ImagingWorker#DEFAULT_MAX_TASK_TIME}.
 * </ul>
 * The coordinator's transaction timeout is not among them: no minor cycle runs inside a transaction. A
 * {@link ParallelSession} keeps its workers while their timeouts {@link #cover} the next job's.
 */
public record ServiceTimeouts(Duration modelWait, Duration maxTaskTime) {
  public static final ServiceTimeouts DEFAULTS = new ServiceTimeouts(PartialImager.DEFAULT_MODEL_WAIT,
      ImagingWorker.DEFAULT_MAX_TASK_TIME);

  /** For the job bounded by e. */
  public static ServiceTimeouts of(TimeEstimate e) {
    return new ServiceTimeouts(atLeast(e.longestTask().plus(e.longestMinorCycle()).multipliedBy(2), DEFAULTS.modelWait),
        atMost(atLeast(e.longestTask().multipliedBy(2), DEFAULTS.maxTaskTime), Duration.ofMillis(Integer.MAX_VALUE)));
  }

  /** Whether workers started with these timeouts can run a job that needs {@code job}. */
  public boolean cover(ServiceTimeouts job) {
    return modelWait.compareTo(job.modelWait) >= 0 && maxTaskTime.compareTo(job.maxTaskTime) >= 0;
  }

  /** The larger of each timeout: workers sized for both jobs. */
  public ServiceTimeouts max(ServiceTimeouts other) {
    return new ServiceTimeouts(atLeast(modelWait, other.modelWait), atLeast(maxTaskTime, other.maxTaskTime));
  }

  private static Duration atLeast(Duration d, Duration floor) {
    return d.compareTo(floor) < 0 ? floor : d;
  }

  private static Duration atMost(Duration d, Duration cap) {
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
