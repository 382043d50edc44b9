package org.pclean.ops.parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Logger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.OutputNames;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.TcleanParams;
import org.pclean.imaging.TcleanParamsCodec;
import org.pclean.imaging.data.VisibilityLoader;
import org.pclean.imaging.gather.GatherApp;
import org.pclean.imaging.worker.CubeWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.CubeJobSubmitter;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.sink.CubeSink;

/**
 * {@code pclean --parallel} for cube jobs in one process: an embedded KRaft broker unless a cluster is given, the
 * Streams coordinator, the sink and nworkers workers (threads, each with its own consumer), then the job is
 * submitted and awaited on pclean.jobs. The same components run as separate services against a real cluster.
 */
public final class ParallelRunner {
  private static final Logger LOG = Logger.getLogger(ParallelRunner.class.getName());

  /**
   * @param bootstrapServers the cluster (pclean's --scheduler-address), or null for an embedded broker
   * @param localDirectory where sub-cubes, broker data and stream state go
   */
  public record Settings(int nworkers, int cubeChunksize, String bootstrapServers, Path localDirectory,
      String concatMode, boolean keepSubcubes, Duration timeout) {}

  /** The finished job: its final state and products. */
  public record Outcome(String jobId, JobSpec job, List<Path> products) {}

  private ParallelRunner() {}

  public static Outcome run(TcleanParams p, Settings s) throws IOException, InterruptedException {
    if (p.specmode() != TcleanParams.SpecMode.CUBE) {
      throw new IllegalArgumentException("--parallel with specmode mfs (row-chunk continuum) is not available yet;"
          + " use specmode cube or run serially");
    }
    if (p.pbcor() || p.savemodel()) {
      throw new IllegalArgumentException("--pbcor and --savemodel are not available with --parallel yet");
    }
    if (s.nworkers() < 0 || (s.nworkers() == 0 && s.bootstrapServers() == null)) {
      throw new IllegalArgumentException("--nworkers must be >= 1 (0 only with --scheduler-address, where the"
          + " cluster's `pclean worker` services do the work), got " + s.nworkers());
    }
    int nchan;
    try (MeasurementSet ms = MeasurementSet.open(p.vis())) {
      nchan = VisibilityLoader.select(ms, p).nchan();
    }
    if (p.nchan() != -1) {
      if (p.nchan() > nchan) {
        throw new IllegalArgumentException("nchan " + p.nchan() + " exceeds the " + nchan + " selected channels");
      }
      nchan = p.nchan();
    }
    Path work = s.localDirectory().toAbsolutePath();
    Files.createDirectories(work);
    String jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
    EmbeddedKafkaBroker broker = s.bootstrapServers() == null ? EmbeddedKafkaBroker.start(null) : null;
    if (broker != null) {
      LOG.info("embedded Kafka broker at " + broker.bootstrapServers() + " started in "
          + broker.startupTime().toMillis() + " ms");
    }
    String bootstrap = broker != null ? broker.bootstrapServers() : s.bootstrapServers();
    Properties client = new Properties();
    client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (broker == null) {
      try (Admin admin = Admin.create(client)) {
        TopicInstaller.ensure(admin, Topics.all(), (short) 1);
      }
    }
    List<Thread> threads = new ArrayList<>();
    List<CubeWorker> workers = new ArrayList<>();
    CubeSink sink = new CubeSink(client);
    Path stateDir = Files.createTempDirectory(work, "streams-");
    try (JobSpecView view = new JobSpecView(client);
         GatherApp gather = new GatherApp(client, stateDir, 1)) {
      gather.start();
      threads.add(start(sink, "pclean-sink"));
      for (int i = 0; i < s.nworkers(); i++) {
        CubeWorker w = new CubeWorker(client, "worker-" + i, view);
        workers.add(w);
        threads.add(start(w, "pclean-worker-" + i));
      }
      Properties prod = new Properties();
      prod.putAll(client);
      prod.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      try (KafkaProducer<String, Object> producer = new KafkaProducer<>(prod, new StringSerializer(), new BusSerializer())) {
        var tasks = CubeJobSubmitter.submit(producer, new CubeJobSubmitter.CubeJob(jobId, p.vis().toAbsolutePath()
            .toString(), p.imagename(), TcleanParamsCodec.toMap(p), nchan, s.cubeChunksize(), s.nworkers(),
            work.toString(), s.concatMode(), s.keepSubcubes()).withPlanWorkers(planWorkers(client, s.nworkers())));
        LOG.info("submitted " + jobId + ": " + nchan + " channels in " + tasks.size() + " sub-cubes to "
            + s.nworkers() + " workers");
      }
      long t0 = System.nanoTime();
      JobSpec result = awaitEnd(view, jobId, s.timeout());
      LOG.info(String.format(java.util.Locale.ROOT, "%s %s after %.1f s", jobId, result.getState(),
          (System.nanoTime() - t0) / 1e9));
      if (result.getState() == JobState.FAILED) {
        throw new IllegalStateException("job " + jobId + " failed: " + result.getError());
      }
      return new Outcome(jobId, result, new OutputNames(p.imagename()).all(1));
    } finally {
      long t1 = System.nanoTime();
      workers.forEach(CubeWorker::stop);
      sink.stop();
      for (Thread t : threads) {
        t.join(30000);
      }
      LOG.info(String.format(java.util.Locale.ROOT, "workers and sink stopped in %.1f s", (System.nanoTime() - t1) / 1e9));
      // The coordinator's local store is rebuilt from its changelog when needed: a one-shot run leaves none.
      TableDirectories.delete(stateDir);
      if (broker != null) {
        broker.close();
      }
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

  private static Thread start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static JobSpec awaitEnd(JobSpecView view, String jobId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var spec = view.get(jobId);
      if (spec.isPresent() && (spec.get().getState() == JobState.DONE || spec.get().getState() == JobState.FAILED)) {
        return spec.get();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("job " + jobId + " did not finish within " + timeout.toSeconds() + " s");
  }
}
