package org.pclean.imaging.gather;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the continuum minor cycles run on, shared by all of a coordinator's tasks: one per core (a minor
 * cycle is single-threaded), daemon, idle ones retired after a minute. The stream threads hand cycles here so that
 * a minor cycle of minutes neither holds an exactly-once transaction open nor stops gathering, cube completion and
 * the other jobs' cycles.
 */
final class MinorCycleExecutor implements Executor, AutoCloseable {
  private final ExecutorService pool;

  MinorCycleExecutor() {
    this(Runtime.getRuntime().availableProcessors());
  }

  MinorCycleExecutor(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor tp = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "pclean-minor-cycle-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    tp.allowCoreThreadTimeOut(true);
    pool = tp;
  }

  @Override
  public void execute(Runnable command) {
    pool.execute(command);
  }

  /** Stops taking cycles; one running is abandoned (its task's successor runs it again from the stores). */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
