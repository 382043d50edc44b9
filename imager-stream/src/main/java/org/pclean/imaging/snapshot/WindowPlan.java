package org.pclean.imaging.snapshot;

import org.pclean.bus.avro.DatasetDescriptor;

/**
 * Which snapshot window a dump belongs to, how many dumps a window should hold, and which dump completes it.
 *
 * <p>With an interval, windows are [origin + k·interval, origin + (k+1)·interval) where the origin is the start
 * of the dataset's first integration (its first dump's TIME minus half the integration): a dump belongs to the
 * window holding its centroid TIME, and the window is complete once the dump whose TIME + INTERVAL/2 reaches the
 * window end (or the dataset's last dump, by the descriptor) is complete. In dump mode every dump is its own
 * window [TIME − INTERVAL/2, TIME + INTERVAL/2), indexed by its sequence number.
 */
final class WindowPlan {
  /** A window: its index (sequence number in dump mode) and [start, end) in MJD seconds. */
  record Window(long index, double start, double end) {}

  /** Times within this of each other are the same instant (TIME is stored to well below a millisecond). */
  private static final double TOLERANCE_S = 1e-3;

  private final double interval;
  private final double firstDump;
  private final double lastDump;
  private final double integration;
  private final double origin;

  /** intervalSeconds 0: one window per dump. */
  WindowPlan(DatasetDescriptor d, double intervalSeconds) {
    if (!(intervalSeconds >= 0)) {
      throw new IllegalArgumentException("snapshot interval must be positive seconds or 0 (one window per dump)");
    }
    this.interval = intervalSeconds;
    this.firstDump = d.getStartTime();
    this.lastDump = d.getEndTime() >= d.getStartTime() ? d.getEndTime() : Double.POSITIVE_INFINITY;
    this.integration = d.getIntegration();
    this.origin = d.getStartTime() - d.getIntegration() / 2;
    if (interval > 0 && integration > 0 && interval < integration - TOLERANCE_S) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "snapshot interval %.3f s is shorter than the %.3f s integration of dataset %s", interval, integration,
          d.getDataset()));
    }
  }

  boolean perDump() {
    return interval == 0;
  }

  /** The dataset's integration (s), 0 when it has a single dump. */
  double integration() {
    return integration;
  }

  /** The window of a dump (sequence, centroid time, its INTERVAL; 0 takes the dataset's integration). */
  Window windowOf(long sequence, double time, double dumpInterval) {
    if (perDump()) {
      double half = (dumpInterval > 0 ? dumpInterval : integration) / 2;
      return new Window(sequence, time - half, time + half);
    }
    long k = (long) Math.floor((time - origin) / interval + 1e-9);
    return new Window(k, origin + k * interval, origin + (k + 1) * interval);
  }

  /** Whether the dump (time, interval) is the last the window expects: its completion closes the window. */
  boolean completes(Window w, double time, double dumpInterval) {
    if (perDump()) {
      return true;
    }
    double half = (dumpInterval > 0 ? dumpInterval : integration) / 2;
    return time + half >= w.end() - TOLERANCE_S || time >= lastDump - TOLERANCE_S;
  }

  /**
   * Dumps the window should hold on the dataset's regular dump grid (first dump + j·integration, up to the
   * last dump the descriptor expects).
   */
  int expectedDumps(Window w) {
    if (perDump() || integration <= 0) {
      return 1;
    }
    long j0 = Math.max(0, (long) Math.ceil((w.start() - firstDump) / integration - 1e-6));
    int n = 0;
    for (long j = j0; ; j++) {
      double t = firstDump + j * integration;
      if (t >= w.end() - 1e-6 * integration || t > lastDump + TOLERANCE_S) {
        return n;
      }
      n++;
    }
  }
}
