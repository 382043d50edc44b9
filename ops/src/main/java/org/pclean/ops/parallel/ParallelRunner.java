package org.pclean.ops.parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.pclean.bus.OutputNames;
import org.pclean.bus.SubcubeQueue;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.ModelDataWriter;
import org.pclean.imaging.StartImages;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.ContinuumJobSubmitter;
import org.pclean.ingest.CubeJobSubmitter;
import org.pclean.ingest.JobPlanner;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.TimeEstimate;
import org.pclean.ingest.source.VisibilitySource;
import org.pclean.ingest.source.VisibilitySources;
import org.pclean.ops.config.KafkaClientConfig;
import org.pclean.sink.CubeConcatenator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pclean --parallel} in one process: an embedded KRaft broker unless a cluster is given, the Streams
 * coordinator, the sinks and nworkers workers (threads, each with its own consumer), then the job is submitted
 * and awaited on pclean.jobs. specmode cube splits channels into sub-cubes; specmode mfs splits rows into chunks
 * gridded per major cycle (row_chunks, nworkers by default). The same components run as separate services
 * against a real cluster. {@link #run} starts them for its one job; a {@link ParallelSession} keeps them for many.
 */
public final class ParallelRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ParallelRunner.class);

  /**
   * @param bootstrapServers the cluster (pclean's --scheduler-address), or null for an embedded broker
   * @param localDirectory where sub-cubes (and kept partial images) go, and the run's session directory (the
   *     coordinator's state, the workers' scratch, the sinks' staging; removed at the end)
   * @param subcubesOnBus cube: sub-cubes travel to the sink as tiles on the bus rather than by path under
   *     localDirectory (no shared filesystem needed); a dataset source always does so
   * @param timeout the longest a job may run at all; zero: three times its time bound (at least 10 min) when this
   *     run starts the services on an embedded broker, else 24 h
   * @param stallTimeout the longest a job may lack its JobSpec or a live member of a service it needs (workers,
   *     coordinator, sink) before the client fails it with the reason ({@link JobWatch})
   */
  public record Settings(int nworkers, int cubeChunksize, String bootstrapServers, Path localDirectory,
      String concatMode, boolean keepSubcubes, Duration timeout, int rowChunks, boolean keepPartimages,
      boolean subcubesOnBus, Duration stallTimeout) {
    /** The default stall timeout ({@link JobWatch#DEFAULT_STALL_TIMEOUT}). */
    public Settings(int nworkers, int cubeChunksize, String bootstrapServers, Path localDirectory,
        String concatMode, boolean keepSubcubes, Duration timeout, int rowChunks, boolean keepPartimages,
        boolean subcubesOnBus) {
      this(nworkers, cubeChunksize, bootstrapServers, localDirectory, concatMode, keepSubcubes, timeout, rowChunks,
          keepPartimages, subcubesOnBus, JobWatch.DEFAULT_STALL_TIMEOUT);
    }

    /** The same settings with other workers and sub-cube size (e.g. fewer, to fit a memory limit). */
    public Settings withWorkers(int workers, int chunksize) {
      return new Settings(workers, chunksize, bootstrapServers, localDirectory, concatMode, keepSubcubes, timeout,
          rowChunks, keepPartimages, subcubesOnBus, stallTimeout);
    }

    /** The same settings with another stall timeout. */
    public Settings withStallTimeout(Duration stall) {
      return new Settings(nworkers, cubeChunksize, bootstrapServers, localDirectory, concatMode, keepSubcubes,
          timeout, rowChunks, keepPartimages, subcubesOnBus, stall);
    }

    /** Sub-cubes by path (unless the source is a dataset). */
    public Settings(int nworkers, int cubeChunksize, String bootstrapServers, Path localDirectory,
        String concatMode, boolean keepSubcubes, Duration timeout, int rowChunks, boolean keepPartimages) {
      this(nworkers, cubeChunksize, bootstrapServers, localDirectory, concatMode, keepSubcubes, timeout, rowChunks,
          keepPartimages, false);
    }

    /** Cube settings (continuum options at their defaults: nworkers row chunks, no partial images kept). */
    public Settings(int nworkers, int cubeChunksize, String bootstrapServers, Path localDirectory, String concatMode,
        boolean keepSubcubes, Duration timeout) {
      this(nworkers, cubeChunksize, bootstrapServers, localDirectory, concatMode, keepSubcubes, timeout, 0, false);
    }
  }

  /** The finished job: its final state and products. */
  public record Outcome(String jobId, JobSpec job, List<Path> products) {}

  /** How long a job without a bound (or on a site, where it may queue behind others) is waited for. */
  static final Duration UNBOUNDED_TIMEOUT = Duration.ofHours(24);

  private ParallelRunner() {}

  public static Outcome run(TcleanParams p, Settings s) throws IOException, InterruptedException {
    return run(p, s, s.bootstrapServers() == null ? null : KafkaClientConfig.forCluster(s.bootstrapServers(), null));
  }

  /**
   * As {@link #run(TcleanParams, Settings)} on the cluster of a base client config (bootstrap servers and
   * security, see KafkaClientConfig); null: an embedded broker.
   */
  public static Outcome run(TcleanParams p, Settings s, Properties cluster) throws IOException, InterruptedException {
    return run(p, s, cluster, client -> () -> { });
  }

  /** What watches a job beside the client (the dashboard): started on the job's cluster, closed at the end. */
  public interface Watcher {
    AutoCloseable attach(Properties client);
  }

  /**
   * As {@link #run(TcleanParams, Settings, Properties)}, with a watcher attached once the cluster is up: a session
   * of one job ({@link ParallelSession}), its services stopped at the end.
   */
  public static Outcome run(TcleanParams p, Settings s, Properties cluster, Watcher watcher)
      throws IOException, InterruptedException {
    try (ParallelSession session = ParallelSession.open(s, cluster)) {
      return session.run(p, s, watcher);
    }
  }

  /**
   * Submits a validated job (start: what {@link #validate} returned) to running services, watches its progress
   * and waits for its end (deadline), the watcher attached meanwhile.
   */
  static Outcome runOn(LocalCluster local, TcleanParams p, Settings s, StartImages start, Duration deadline,
      Watcher watcher) throws IOException, InterruptedException {
    long since = System.currentTimeMillis() - 1000;
    try (AutoCloseable watching = watcher.attach(local.client())) {
      Submitted job = submitJob(local.client(), local.producer(), p, s, start);
      Outcome outcome;
      try (JobProgress progress = JobProgress.watch(new JobProgress.Shape(job.jobId(), job.cube(), job.tasks(),
          p.niter(), p.threshold()), local.client(), since)) {
        outcome = await(local, job.jobId(), p, deadline, s.stallTimeout());
      }
      if (p.savemodel()) {
        // The client, which read the MS to plan the job, predicts the final model into it, as the serial run does.
        long t0 = System.nanoTime();
        ModelDataWriter.fromProducts(p);
        LOG.info(String.format(java.util.Locale.ROOT, "%s: the model written to %s MODEL_DATA in %.1f s",
            job.jobId(), p.vis(), (System.nanoTime() - t0) / 1e9));
      }
      return outcome;
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing the job's watcher: " + e.getMessage(), e);
    }
  }

  /** Without a timeout given (zero): three times the job's bound, at least 10 min; 24 h when nothing bounds it. */
  static Duration deadline(Duration asked, TimeEstimate bound) {
    if (!asked.isZero()) {
      return asked;
    }
    return bound == null ? UNBOUNDED_TIMEOUT : bound.deadline(3, Duration.ofMinutes(10));
  }

  /**
   * The bound of p's run on this run's own workers, from the source's metadata; null when the source cannot be
   * read before the services start (a dataset on an embedded broker that does not hold it yet).
   */
  static TimeEstimate timeBound(TcleanParams p, Settings s, Properties cluster) {
    if (p.vis() == null && cluster == null) {
      return null;
    }
    try (VisibilitySource source = VisibilitySources.open(p.vis(), p.dataset(), p.timerange(), cluster)) {
      return TimeEstimate.of(p, source, s.nworkers(), s.cubeChunksize());
    }
  }

  /**
   * The images a job starts from — its startmodel, or a restart's .model(s) — checked but not read; null: none
   * (or a restart with no products yet), refused here before anything is published when they do not fit.
   */
  private static StartImages continuumStart(TcleanParams p) {
    if (p.startmodel() == null && !p.restart()) {
      return null;
    }
    StartImages start = StartImages.of(p);
    if (start == null) {
      return null;
    }
    if (p.specmode() == TcleanParams.SpecMode.MFS) {
      start.checkPlanes(1);
    }
    return start;
  }

  /** A published job: its id, its kind and how many tasks (sub-cubes, or row chunks per cycle) it has. */
  private record Submitted(String jobId, boolean cube, int tasks) {}

  /** Plans the job from the MS and publishes it on the cluster; returns its id. */
  public static String submit(Properties client, Producer<String, Object> producer, TcleanParams p, Settings s)
      throws IOException, InterruptedException {
    return submitJob(client, producer, p, s, validate(p, s)).jobId();
  }

  /** start: what validate returned for p. */
  private static Submitted submitJob(Properties client, Producer<String, Object> producer, TcleanParams p,
      Settings s, StartImages start) throws IOException, InterruptedException {
    int planWorkers = planWorkers(client, s.nworkers());
    JobPlanner.Plan plan;
    try (VisibilitySource source = VisibilitySources.open(p.vis(), p.dataset(), p.timerange(), client)) {
      plan = JobPlanner.plan(p, source, planWorkers, s.rowChunks(), s.cubeChunksize());
    }
    TcleanParams planned = plan.params();
    Path work = s.localDirectory().toAbsolutePath();
    // No shared filesystem when the visibilities come from the bus: the sub-cubes travel on it too.
    boolean onBus = plan instanceof JobPlanner.CubePlan && (s.subcubesOnBus() || p.dataset() != null);
    if (!onBus) {
      Files.createDirectories(work);  // sub-cubes (or kept partial images) go there; on the bus nothing does
    }
    String jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
    if (plan instanceof JobPlanner.ContinuumPlan c) {
      // The model(s), a restart's .mask, and the .psf/.sumwt and .residual it reuses (calcpsf, calcres false).
      StartImages.Start from = start == null ? null : start.plane(0);
      ContinuumJobSubmitter.StartPlane plane = from == null ? null : new ContinuumJobSubmitter.StartPlane(
          start.models().isEmpty() ? null : from.models(), from.mask(), from.psfs(), from.sumwts(), from.residuals());
      ContinuumJobSubmitter.submit(producer, new ContinuumJobSubmitter.ContinuumJob(jobId, vis(planned),
          planned.imagename(), planned, c.chunks(), c.geometry(), c.densityPass(),
          work.toString(), s.keepPartimages(), placement(client, c.chunks().size()), plane));
      LOG.info("submitted " + jobId + ": " + c.rows() + " rows in " + c.chunks().size() + " row chunks");
      return new Submitted(jobId, false, c.chunks().size());
    } else if (plan instanceof JobPlanner.CubePlan c) {
      var job = new CubeJobSubmitter.CubeJob(jobId, vis(planned), planned.imagename(), planned, c.nchan(),
          s.cubeChunksize(), planWorkers, work.toString(), s.concatMode(), s.keepSubcubes(), onBus);
      boolean queue = subcubeQueueReady(client);
      var tasks = queue ? CubeJobSubmitter.submitToQueue(producer, job)
          : CubeJobSubmitter.submit(producer, job, placement(client, c.subcubes().size()));
      LOG.info("submitted " + jobId + ": " + c.nchan() + " channels in " + tasks.size() + " sub-cubes"
          + (queue ? " on the sub-cube queue" : " on " + Topics.TASKS.name() + " partitions")
          + (onBus ? ", sent to the sink on the bus" : ""));
      return new Submitted(jobId, true, tasks.size());
    }
    throw new IllegalStateException("a plan of neither kind: " + plan);
  }

  /** Waits for the job to end (default stall timeout); a FAILED job throws with its reason. */
  public static Outcome await(LocalCluster cluster, String jobId, TcleanParams p, Duration timeout)
      throws InterruptedException {
    return await(cluster, jobId, p, timeout, JobWatch.DEFAULT_STALL_TIMEOUT);
  }

  /**
   * Waits for the job to end; a FAILED job throws with its reason. A job that cannot complete (its JobSpec or a
   * needed service gone for longer than stallTimeout) is failed on pclean.jobs by this client, with the reason.
   */
  public static Outcome await(LocalCluster cluster, String jobId, TcleanParams p, Duration timeout,
      Duration stallTimeout) throws InterruptedException {
    timeout = deadline(timeout, null);
    long t0 = System.nanoTime();
    JobSpec result;
    try (Admin admin = Admin.create(cluster.client())) {
      String bootstrap = String.valueOf(cluster.client().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
      JobWatch watch = new JobWatch(jobId, stallTimeout, groups -> {
        try {
          return SiteServices.members(admin, bootstrap, groups);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalArgumentException("interrupted");
        }
      });
      result = awaitEnd(cluster, jobId, timeout, watch);
    }
    LOG.info(String.format(java.util.Locale.ROOT, "%s %s after %.1f s", jobId, result.getState(),
        (System.nanoTime() - t0) / 1e9));
    if (result.getState() == JobState.FAILED) {
      throw new IllegalStateException("job " + jobId + " failed: " + result.getError());
    }
    boolean mtmfs = p.specmode() == TcleanParams.SpecMode.MFS && p.deconvolver() == TcleanParams.DeconvolverKind.MTMFS;
    return new Outcome(jobId, result, new OutputNames(p.imagename()).all(mtmfs ? p.nterms() : 1,
        p.masking().masked() && p.niter() > 0, p.pbcor()));
  }

  /**
   * Refuses, before anything is written, what a parallel run cannot do; returns the images a continuum job starts
   * from ({@link #continuumStart}), or null.
   */
  static StartImages validate(TcleanParams p, Settings s) {
    boolean continuum = p.specmode() == TcleanParams.SpecMode.MFS;
    if (p.startmodel() != null && !Files.isDirectory(p.startmodel())) {
      throw new IllegalArgumentException("startmodel " + p.startmodel() + ": CASA image does not exist");
    }
    StartImages checked = continuumStart(p);  // a cube's start images are checked too; its workers slice them
    StartImages start = continuum ? checked : null;
    if (p.vis() != null && !Files.isDirectory(p.vis())) {
      throw new IllegalArgumentException("vis " + p.vis() + ": MeasurementSet does not exist");
    }
    CubeConcatenator.ConcatMode.parse(s.concatMode());
    org.pclean.imaging.mask.PlaneMasks.check(p);  // bad mask text fails here, before a job is published
    if (s.rowChunks() < 0) {
      throw new IllegalArgumentException("--row-chunks must be >= 1 (or 0: one per worker), got " + s.rowChunks());
    }
    if (s.nworkers() < 0) {
      throw new IllegalArgumentException("--nworkers must be >= 0, got " + s.nworkers());
    }
    if (s.timeout() == null || s.timeout().isNegative()) {
      throw new IllegalArgumentException("--timeout must be >= 0 s (0: from the job's time bound), got "
          + (s.timeout() == null ? "none" : s.timeout().toSeconds() + " s"));
    }
    if (s.stallTimeout() == null || s.stallTimeout().isNegative() || s.stallTimeout().isZero()) {
      throw new IllegalArgumentException("--stall-timeout must be > 0 s, got "
          + (s.stallTimeout() == null ? "none" : s.stallTimeout().toSeconds() + " s"));
    }
    return start;
  }

  /** The MS path workers read, or "" for a dataset on the bus. */
  private static String vis(TcleanParams p) {
    return p.vis() == null ? "" : p.vis().toAbsolutePath().toString();
  }

  /** Whether the cluster takes sub-cube tasks on the share group's queue (else on pclean.tasks partitions). */
  private static boolean subcubeQueueReady(Properties client) throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      return SubcubeQueue.ready(admin);
    }
  }

  /** pclean.tasks partitions for n tasks, spread over the worker group's members. */
  private static List<Integer> placement(Properties client, int n) throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      return TaskPlacement.spread(admin, n);
    }
  }

  /** Workers to plan for: the local ones, or with none the members of the cluster's worker group. */
  private static int planWorkers(Properties client, int local) throws InterruptedException {
    if (local > 0) {
      return local;
    }
    try (Admin admin = Admin.create(client)) {
      var group = admin.describeConsumerGroups(List.of(Topics.WORKER_GROUP)).all().get()
          .get(Topics.WORKER_GROUP);
      int members = group == null ? 0 : group.members().size();
      if (members == 0) {
        throw new IllegalStateException("no `pclean worker` is running at the scheduler address (group "
            + Topics.WORKER_GROUP + " is empty); start workers or give --nworkers");
      }
      return members;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot read the worker group: " + e.getCause().getMessage(), e);
    }
  }

  private static JobSpec awaitEnd(LocalCluster cluster, String jobId, Duration timeout, JobWatch watch)
      throws InterruptedException {
    JobSpecView view = cluster.jobs();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var spec = view.get(jobId);
      if (spec.isPresent() && (spec.get().getState() == JobState.DONE || spec.get().getState() == JobState.FAILED)) {
        return spec.get();
      }
      var stalled = watch.check(spec, System.nanoTime());
      if (stalled.isPresent()) {
        LOG.error(stalled.get());
        watch.fail(cluster.producer(), stalled.get());
        if (watch.lastSeen() == null) {
          throw new IllegalStateException("job " + jobId + " failed: " + stalled.get());
        }
        return JobSpec.newBuilder(watch.lastSeen()).setState(JobState.FAILED).setError(stalled.get()).build();
      }
      Thread.sleep(100);
    }
    String why = "job " + jobId + " did not finish within " + timeout.toSeconds() + " s (--timeout)";
    watch.check(view.get(jobId), System.nanoTime());
    watch.fail(cluster.producer(), why);
    throw new IllegalStateException(why);
  }
}
