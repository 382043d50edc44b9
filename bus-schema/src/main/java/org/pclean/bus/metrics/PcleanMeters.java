package org.pclean.bus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The meters pclean's code paths count into, one registry of names for every module. They live in Micrometer's
 * global registry: a library user who exports nothing pays a no-op, and a service that serves {@code /metrics}
 * adds its Prometheus registry to the global one, which forwards every meter (created before or after) to it.
 * Names are Micrometer's dotted form; Prometheus shows {@code pclean.tasks.done} as
 * {@code pclean_tasks_done_total}, timers in seconds.
 */
public final class PcleanMeters {
  /** A worker took a task (sub-cube or row chunk) and started on it. */
  public static final Counter TASKS_STARTED = counter("pclean.tasks.started", "tasks a worker took and started");
  /** A task's results were published (its sub-cube, or its row chunk's partial tiles). */
  public static final Counter TASKS_DONE = counter("pclean.tasks.done", "tasks whose results were published");
  /** A task failed its job (the error is on pclean.jobs). */
  public static final Counter TASKS_FAILED = counter("pclean.tasks.failed", "tasks that failed their job");
  /**
   * A worker left a task it had taken uncommitted (stopped, handed back at shutdown, or fenced by the group), so
   * the group delivers it again to a member.
   */
  public static final Counter TASKS_REDELIVERED = counter("pclean.tasks.redelivered",
      "tasks left uncommitted by their worker (stopped, handed back or fenced): the group delivers them again");
  /** Samples (row x channel) through the gridder, both directions (invert and predict). */
  public static final Counter VISIBILITIES_GRIDDED = counter("pclean.visibilities.gridded",
      "visibility samples (row x channel) gridded or degridded; rate() gives visibilities per second");
  /** Records written to pclean.dlq. */
  public static final Counter DEAD_LETTERS = counter("pclean.dead.letters", "records written to pclean.dlq");
  /** One major cycle: the model degridded and subtracted, the residual gridded again. */
  public static final Timer MAJOR_CYCLE = Timer.builder("pclean.major.cycle")
      .description("major cycles: predict the model, subtract, grid the residual (a continuum row chunk: its"
          + " worker's share)").register(Metrics.globalRegistry);
  /** One minor cycle (deconvolution down to the cycle threshold). */
  public static final Timer MINOR_CYCLE = Timer.builder("pclean.minor.cycle")
      .description("minor cycles: deconvolution down to the cycle threshold").register(Metrics.globalRegistry);
  /** A snapshot window closed to its SnapshotReady published (the latency a live-view user sees). */
  public static final Timer SNAPSHOT_LATENCY = Timer.builder("pclean.snapshot.latency")
      .description("snapshot windows: closed to SnapshotReady published")
      .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
      .maximumExpectedValue(Duration.ofMinutes(2)).register(Metrics.globalRegistry);

  private PcleanMeters() {}

  /**
   * Creates the meters now (calling this initialises the class): Micrometer's classes take a noticeable part of a
   * second to load in a cold JVM, which a latency-critical path should not pay on its first step.
   */
  public static void load() {
    // the static initialisers above do the work
  }

  private static Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(Metrics.globalRegistry);
  }
}
