package org.pclean.imaging.snapshot;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.VisibilityChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot service's progress, one INFO line per snapshot: the windows imaged so far and how far the snapshot
 * is behind the stream head, i.e. the end of the latest dump read (both on the stream's own clock, so a replay at
 * any speed reads the same), and how long imaging took after the window closed (wall clock).
 */
final class SnapshotProgress {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotImager.class);

  private final String dataset;
  private final AtomicLong windows = new AtomicLong();
  /** End of the latest dump read, MJD seconds; written by the poll thread only. */
  private volatile double head = Double.NEGATIVE_INFINITY;

  SnapshotProgress(String dataset) {
    this.dataset = dataset;
  }

  /** A dump's record was read (integration: the dataset's, for a record without its own INTERVAL). */
  void read(VisibilityChunk c, double integration) {
    double end = c.getTime() + (c.getInterval() > 0 ? c.getInterval() : integration) / 2;
    if (end > head) {
      head = end;
    }
  }

  /** Windows imaged so far. */
  long windows() {
    return windows.get();
  }

  /** A snapshot was published: counts its windows and logs the line. */
  void imaged(SnapshotReady r) {
    long n = windows.addAndGet(r.getMergedWindows());
    LOG.info(line(dataset, n, r.getWindowStart(), r.getWindowEnd(), head,
        r.getReadyAtMillis() - r.getClosedAtMillis()));
  }

  /**
   * "live: 4 windows imaged; [5184021585.000 .. 5184021675.000) 0.0 s behind the stream head, ready 85 ms after
   * it closed".
   */
  static String line(String dataset, long windows, double start, double end, double head, long readyMillis) {
    return String.format(Locale.ROOT, "%s: %d window%s imaged; [%.3f .. %.3f) %.1f s behind the stream head, ready"
        + " %d ms after it closed", dataset, windows, windows == 1 ? "" : "s", start, end, lag(head, end), readyMillis);
  }

  /** The stream head so far (end of the latest dump read, MJD seconds; -infinity before the first). */
  double head() {
    return head;
  }

  /** Seconds of stream the imager is behind: the head's end minus the window's end (0 when it is the head). */
  static double lag(double head, double windowEnd) {
    return Double.isInfinite(head) ? 0 : Math.max(0, head - windowEnd);
  }
}
