package org.pclean.imaging.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop of a process's workers (what SIGTERM does to {@code pclean worker}): no new tasks; a task in hand
 * that finishes within the grace time is committed; one that does not is handed back uncommitted (the group gives
 * it to another member at once, which images it again: sub-cubes and row chunks are idempotent). Every worker
 * leaves the group, so its partitions move without waiting for the session timeout. Bounded: grace plus a few
 * seconds for the consumers to close.
 */
public final class WorkerShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerShutdown.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private WorkerShutdown() {}

  /** workers.get(i) runs on threads.get(i). Returns the ids of the workers that handed their task back. */
  public static List<String> stop(List<ImagingWorker> workers, List<Thread> threads, Duration grace)
      throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + grace.toNanos();
    workers.forEach(ImagingWorker::drain);
    LOG.info(String.format(Locale.ROOT, "stopping %d worker(s): finishing tasks in hand (grace %.0f s)",
        workers.size(), grace.toMillis() / 1e3));
    List<String> handedBack = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      Thread t = threads.get(i);
      long left = deadline - System.nanoTime();
      if (left > 0) {
        t.join(Math.max(1, left / 1_000_000));
      }
      if (t.isAlive()) {
        workers.get(i).handBack(CLOSE_TIMEOUT);
        handedBack.add(workers.get(i).workerId());
        LOG.warn(workers.get(i).workerId() + ": task not finished within the grace time; handed back"
            + " uncommitted (another worker images it again)");
      }
    }
    LOG.info(String.format(Locale.ROOT, "workers stopped in %.1f s (%d finished their task or were idle,"
        + " %d handed back)", (System.nanoTime() - t0) / 1e9, workers.size() - handedBack.size(), handedBack.size()));
    return handedBack;
  }
}
