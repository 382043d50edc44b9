package org.pclean.ops.dashboard;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.pclean.bus.Topics;
import org.pclean.ops.service.TaskLag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job board of a service's HTTP side, with what it reads from the cluster besides the bus (the worker
 * group's members and task lag, every {@link #POLL}), and the per-job progress gauge
 * {@code pclean.job.progress{job}} (0..1) it feeds. With {@code page}, also the web page, its event stream and
 * the image previews ({@link DashboardController}).
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  static final Duration POLL = Duration.ofSeconds(2);
  /** How far back a starting dashboard reads events, snapshots and products. */
  static final Duration HISTORY = Duration.ofHours(6);

  private final JobBoard board;
  private final boolean page;
  private final ScheduledExecutorService poller;
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  private Dashboard(JobBoard board, boolean page, ScheduledExecutorService poller) {
    this.board = board;
    this.page = page;
    this.poller = poller;
  }

  /** Starts reading the cluster of client; admin (the caller's) reads the worker group. */
  public static Dashboard start(Properties client, Admin admin, boolean page) {
    JobBoard board = new JobBoard(client, page, HISTORY);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pclean-dashboard-poll");
      t.setDaemon(true);
      return t;
    });
    Dashboard d = new Dashboard(board, page, poller);
    if (page) {
      poller.scheduleWithFixedDelay(() -> d.poll(admin), 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }
    return d;
  }

  public JobBoard board() {
    return board;
  }

  /** The web page is served (--dashboard), not only the gauge. */
  public boolean page() {
    return page;
  }

  /** Registers pclean.job.progress for every job the board sees, now and later. */
  public void register(MeterRegistry registry) {
    board.addListener((type, content) -> {
      if (type.equals("job") && content.get("job") instanceof Map<?, ?> j) {
        gauge(registry, (String) j.get("jobId"));
      }
    });
    board.jobIds().forEach(id -> gauge(registry, id));
  }

  private void gauge(MeterRegistry registry, String jobId) {
    if (gauged.add(jobId)) {
      Gauge.builder("pclean.job.progress", board, b -> b.progress(jobId)).tag("job", jobId)
          .description("fraction of the job done, 0..1 (cube: sub-cubes; continuum: iterations of niter; 1 when DONE)")
          .register(registry);
    }
  }

  private void poll(Admin admin) {
    try {
      List<String> members = List.of();
      try {
        ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(Topics.WORKER_GROUP)).all()
            .get(3, TimeUnit.SECONDS).get(Topics.WORKER_GROUP);
        members = g == null ? List.of() : g.members().stream().map(MemberDescription::clientId).toList();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.debug("dashboard: cannot describe {}: {}", Topics.WORKER_GROUP, e.getMessage());
      }
      board.workersSeen(members, TaskLag.lag(admin));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("dashboard poll failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    board.close();
  }
}
