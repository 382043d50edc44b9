package org.pclean.ops.parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.StartImages;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.TimeEstimate;
import org.pclean.ops.ExistingProducts;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.config.KafkaClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parallel jobs one after another on one set of in-process services kept warm: the embedded broker (unless the
 * settings name a cluster), the Streams coordinator, the sinks and the workers start with the session's first job
 * and serve every later one, so those jobs pay neither the start-up nor the JIT compilation of the broker, clients
 * and Streams again. Each job is planned, submitted, watched and awaited as a one-shot {@code pclean --parallel}
 * run is, and its products go where its params say.
 * <pre>{@code
 * try (ParallelSession s = PClean.session(settings)) {
 *   ParallelRunner.Outcome a = s.run(continuum);
 *   ParallelRunner.Outcome b = s.run(cube);
 * }
 * }</pre>
 * The workers' timeouts are sized from a job's time bound: a job that needs longer ones than the running workers
 * have restarts the coordinator, sinks and workers (the broker stays up) sized for it, and says so in the log; so
 * does a job that finds a service thread ended. A failed job throws as in a one-shot run and leaves the services
 * as they are for the next. The coordinator's local state, the workers' scratch and the sinks' staging live in a
 * directory of the session under the settings' local directory, removed on close. One job at a time; close it to
 * stop everything it started.
 */
public final class ParallelSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ParallelSession.class);

  private final ParallelRunner.Settings settings;
  /** The cluster's base client config, or null for an embedded broker of the session's own. */
  private final Properties cluster;
  private EmbeddedKafkaBroker broker;
  private Path dir;
  private LocalCluster services;
  private ServiceTimeouts timeouts;
  private int servicesStarted;
  private boolean closed;

  private ParallelSession(ParallelRunner.Settings settings, Properties cluster) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.cluster = cluster;
  }

  /**
   * A session on the cluster the settings name (their bootstrap servers, with the security of
   * {@code PCLEAN_KAFKA_*}), or on an embedded broker; nothing starts before the first job.
   */
  public static ParallelSession open(ParallelRunner.Settings settings) {
    return open(settings, settings.bootstrapServers() == null ? null
        : KafkaClientConfig.forCluster(settings.bootstrapServers(), null));
  }

  /** As {@link #open(ParallelRunner.Settings)} on the cluster of a base client config (null: embedded broker). */
  public static ParallelSession open(ParallelRunner.Settings settings, Properties cluster) {
    return new ParallelSession(settings, cluster);
  }

  /** Runs a job with the session's settings; a FAILED job throws with its reason. */
  public ParallelRunner.Outcome run(TcleanParams p) throws IOException, InterruptedException {
    return run(p, settings);
  }

  /**
   * Runs a job with its own settings (sub-cube size, row chunks, concat mode, local directory for its sub-cubes,
   * timeouts), which must keep the session's workers and cluster.
   */
  public ParallelRunner.Outcome run(TcleanParams p, ParallelRunner.Settings s)
      throws IOException, InterruptedException {
    return run(p, s, client -> () -> { });
  }

  /** As {@link #run(TcleanParams, ParallelRunner.Settings)}, the watcher attached for this job only. */
  synchronized ParallelRunner.Outcome run(TcleanParams p, ParallelRunner.Settings s, ParallelRunner.Watcher watcher)
      throws IOException, InterruptedException {
    if (closed) {
      throw new IllegalStateException("the parallel session is closed");
    }
    if (s.nworkers() != settings.nworkers() || !Objects.equals(s.bootstrapServers(), settings.bootstrapServers())) {
      throw new IllegalArgumentException("a job of this session runs on its " + settings.nworkers() + " worker(s)"
          + " at " + where(settings) + ", not " + s.nworkers() + " at " + where(s) + " (open another session)");
    }
    StartImages start = ParallelRunner.validate(p, s);
    ExistingProducts.prepare(p);
    if (s.nworkers() == 0 && cluster == null) {
      throw new IllegalArgumentException("--nworkers must be >= 1 (0 only with --scheduler-address, where the"
          + " cluster's `pclean worker` services do the work), got " + s.nworkers());
    }
    // With the site's own services (--nworkers 0 on a cluster) this client only plans, submits and watches.
    boolean clientOnly = s.nworkers() == 0;
    if (clientOnly) {
      try (Admin admin = Admin.create(cluster)) {
        SiteServices.require(admin, cluster.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG),
            p.specmode() == TcleanParams.SpecMode.CUBE, s.subcubesOnBus() || p.dataset() != null);
      }
    }
    // The job's time bound sizes the workers' timeouts, and its deadline when the session owns the broker.
    TimeEstimate bound = clientOnly ? null : ParallelRunner.timeBound(p, s, cluster);
    Duration deadline = ParallelRunner.deadline(s.timeout(), cluster == null ? bound : null);
    if (bound != null) {
      LOG.info("time bound " + bound.total().toSeconds() + " s (longest minor cycle " + bound.longestMinorCycle()
          .toSeconds() + " s); the job fails if not done in " + deadline.toSeconds() + " s (--timeout)");
    }
    LocalCluster local = servicesFor(clientOnly, bound == null ? ServiceTimeouts.DEFAULTS : ServiceTimeouts.of(bound));
    local.workerThreads(p.threads());  // this process's workers: --threads is theirs
    return ParallelRunner.runOn(local, p, s, start, deadline, watcher);
  }

  /** The client config of the cluster the session's jobs run on; only once its first job has started it. */
  public synchronized Properties client() {
    if (services == null) {
      throw new IllegalStateException("the parallel session has not started: no job has run on it yet");
    }
    return services.client();
  }

  /** How often the services were started: 1 when every job so far ran on the first set, more after restarts. */
  public synchronized int servicesStarted() {
    return servicesStarted;
  }

  /** The running services, or null before the first job. */
  synchronized LocalCluster services() {
    return services;
  }

  /** The session's own directory (coordinator state, worker scratch, sink staging), or null before its first job. */
  synchronized Path directory() {
    return dir;
  }

  /**
   * The running services when they can take a job that needs {@code needed}; else (not started, too short
   * timeouts, a service ended) new ones, on the session's broker.
   */
  private LocalCluster servicesFor(boolean clientOnly, ServiceTimeouts needed) throws IOException,
      InterruptedException {
    if (services != null) {
      Optional<String> failed = services.failedService();
      if (failed.isEmpty() && (clientOnly || timeouts.cover(needed))) {
        return services;
      }
      String kept = broker != null ? " (the broker stays up)" : "";
      if (failed.isPresent()) {
        LOG.warn("restarting the session's coordinator, sinks and workers" + kept + ": " + failed.get());
      } else {
        LOG.info("restarting the session's coordinator, sinks and workers" + kept + ": the job needs a"
            + " model wait of " + needed.modelWait().toSeconds() + " s and tasks of up to "
            + needed.maxTaskTime().toSeconds() + " s, they were started with " + timeouts.modelWait().toSeconds()
            + " s and " + timeouts.maxTaskTime().toSeconds() + " s");
      }
      needed = needed.max(timeouts);  // never smaller than for the jobs before: sized for the largest so far
      LocalCluster old = services;
      services = null;
      old.close();
    }
    Properties on = cluster;
    if (on == null) {
      if (broker == null) {
        broker = EmbeddedKafkaBroker.start(null);
        LOG.info("embedded Kafka broker at " + broker.bootstrapServers() + " started in "
            + broker.startupTime().toMillis() + " ms");
      }
      on = broker.clientConfig();
    }
    if (dir == null) {
      Path parent = Files.createDirectories(settings.localDirectory().toAbsolutePath());
      dir = Files.createTempDirectory(parent, "session-");
    }
    services = clientOnly ? LocalCluster.client(on, dir) : LocalCluster.start(on, settings.nworkers(), dir, needed);
    timeouts = needed;
    servicesStarted++;
    return services;
  }

  private static String where(ParallelRunner.Settings s) {
    return s.bootstrapServers() == null ? "an embedded broker" : s.bootstrapServers();
  }

  /** Stops the services and the broker the session started, and removes its directory. */
  @Override
  public synchronized void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (services != null) {
        services.close();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
      if (dir != null) {
        TableDirectories.delete(dir);
      }
    }
  }
}
