package org.pclean.ops.parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.pclean.bus.BusSerializer;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.config.ClusterAccess;
import org.pclean.ops.config.KafkaClientConfig;
import org.pclean.sink.BusCubeSink;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pclean component in one process, for {@code pclean --parallel}: an embedded KRaft broker unless a cluster
 * is given, the Streams coordinator, both sinks and nworkers workers (threads, each with its own consumer), plus
 * the views of pclean.jobs and pclean.models they share and a producer for submitting jobs. The same components
 * run as separate services ({@code pclean broker|gather|sink|worker}) against a real cluster.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

  private final EmbeddedKafkaBroker broker;
  private final Properties client;
  private final Path stateDir;
  private final List<Thread> threads = new ArrayList<>();
  private final List<ImagingWorker> workers = new ArrayList<>();
  private final CubeSink cubeSink;
  private final BusCubeSink busCubeSink;
  private final ContinuumSink continuumSink;
  private final JobSpecView jobs;
  private final ModelView models;
  private final Coordinator gather;
  private final KafkaProducer<String, Object> producer;

  /**
   * @param bootstrapServers the cluster, or null to start an embedded broker
   * @param work where the coordinator's local state goes (removed on close); the workers' scratch and the cube
   *     sink's staging for sub-cubes sent over the bus go under it too
   */
  public LocalCluster(String bootstrapServers, int nworkers, Path work) throws IOException, InterruptedException {
    this(bootstrapServers, nworkers, work, work.resolve("worker-scratch"), work.resolve("sink-staging"), true);
  }

  /**
   * The services on the cluster of a base client config, or (cluster null) on an embedded broker of their own, with
   * the workers' timeouts given (sized for the jobs they are to run).
   */
  public static LocalCluster start(Properties cluster, int nworkers, Path work, ServiceTimeouts timeouts)
      throws IOException, InterruptedException {
    return new LocalCluster(cluster == null ? EmbeddedKafkaBroker.start(null) : null, cluster, nworkers, work,
        work.resolve("worker-scratch"), work.resolve("sink-staging"), true, timeouts);
  }

  /**
   * As above on the cluster of a base client config (bootstrap servers, security; see KafkaClientConfig), which
   * every client of these components starts from.
   */
  public LocalCluster(Properties cluster, int nworkers, Path work) throws IOException, InterruptedException {
    this(null, cluster, nworkers, work, work.resolve("worker-scratch"), work.resolve("sink-staging"), true,
        ServiceTimeouts.DEFAULTS);
  }

  /**
   * The client of a site's services only (a cluster, {@code services} false): it submits and watches, and starts no
   * coordinator, sink or worker of its own, so a dead site service shows instead of being stood in for.
   */
  public static LocalCluster client(Properties cluster, Path work) throws IOException, InterruptedException {
    return new LocalCluster(null, cluster, 0, work, work.resolve("worker-scratch"), work.resolve("sink-staging"),
        false, ServiceTimeouts.DEFAULTS);
  }

  /**
   * As above with the workers' scratch directory and the cube sink's staging directory given apart, as on
   * machines that share no filesystem.
   */
  public LocalCluster(String bootstrapServers, int nworkers, Path work, Path workerScratch, Path sinkStaging)
      throws IOException, InterruptedException {
    this(bootstrapServers, nworkers, work, workerScratch, sinkStaging, true);
  }

  private LocalCluster(String bootstrapServers, int nworkers, Path work, Path workerScratch, Path sinkStaging,
      boolean services) throws IOException, InterruptedException {
    this(bootstrapServers == null ? EmbeddedKafkaBroker.start(null) : null,
        bootstrapServers == null ? null : KafkaClientConfig.forCluster(bootstrapServers, null), nworkers, work,
        workerScratch, sinkStaging, services, ServiceTimeouts.DEFAULTS);
  }

  /** Gridding threads of each of this process's workers (default all cores). */
  public LocalCluster workerThreads(int n) {
    workers.forEach(w -> w.threads(n));
    return this;
  }

  /** broker: an embedded broker this cluster owns (cluster null then), or null for the cluster's config. */
  private LocalCluster(EmbeddedKafkaBroker broker, Properties cluster, int nworkers, Path work, Path workerScratch,
      Path sinkStaging, boolean services, ServiceTimeouts timeouts) throws IOException, InterruptedException {
    this.broker = broker;
    if (broker != null) {
      LOG.info("embedded Kafka broker at " + broker.bootstrapServers() + " started in "
          + broker.startupTime().toMillis() + " ms");
    }
    client = broker != null ? broker.clientConfig() : cluster;
    if (broker == null) {
      ClusterAccess.ensureTopics(client, (short) 1);
    }
    jobs = new JobSpecView(client);
    models = new ModelView(client);
    if (services) {
      Files.createDirectories(work);
      stateDir = Files.createTempDirectory(work, "streams-");
      gather = new Coordinator(client, stateDir, 1);
      gather.start();
      cubeSink = new CubeSink(client);
      continuumSink = new ContinuumSink(client);
      busCubeSink = new BusCubeSink(client, sinkStaging);
      threads.add(start(cubeSink, "pclean-sink"));
      threads.add(start(busCubeSink, "pclean-subcube-sink"));
      threads.add(start(continuumSink, "pclean-continuum-sink"));
    } else {
      stateDir = null;
      gather = null;
      cubeSink = null;
      continuumSink = null;
      busCubeSink = null;
    }
    for (int i = 0; i < nworkers; i++) {
      ImagingWorker w = new ImagingWorker(client, "worker-" + i, jobs, models, workerScratch)
          .modelWait(timeouts.modelWait()).maxTaskTime(timeouts.maxTaskTime());
      workers.add(w);
      threads.add(start(w, "pclean-worker-" + i));
    }
    awaitWorkers(nworkers);
    Properties prod = new Properties();
    prod.putAll(client);
    prod.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producer = new KafkaProducer<>(prod, new StringSerializer(), new BusSerializer());
  }

  /** Waits (up to 30 s) until the workers own task partitions, so the first job's tasks spread over them. */
  private void awaitWorkers(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    try (Admin admin = Admin.create(client)) {
      while (n > 0 && TaskPlacement.assignedMembers(admin) < n && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
  }

  /**
   * Why these services can no longer run a job, or empty while they can: a worker or sink thread has ended, or the
   * coordinator's Streams client has stopped or failed.
   */
  public Optional<String> failedService() {
    for (Thread t : threads) {
      if (!t.isAlive()) {
        return Optional.of(t.getName() + " has ended");
      }
    }
    if (gather != null) {
      KafkaStreams.State state = gather.state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
          || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
        return Optional.of("the coordinator is " + state);
      }
    }
    return Optional.empty();
  }

  /** Stops worker i (its thread ends, as when a worker dies): what {@link #failedService} reports. */
  void stopWorker(int i) {
    workers.get(i).stop();
  }

  public Properties client() {
    return client;
  }

  public JobSpecView jobs() {
    return jobs;
  }

  public KafkaProducer<String, Object> producer() {
    return producer;
  }

  private static Thread start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() throws InterruptedException {
    long t1 = System.nanoTime();
    producer.close();
    workers.forEach(ImagingWorker::stop);
    if (gather != null) {
      cubeSink.stop();
      busCubeSink.stop();
      continuumSink.stop();
    }
    // The coordinator leaves its group while the workers and sinks finish theirs (each takes a second or so).
    Thread coordinatorClose = null;
    if (gather != null) {
      coordinatorClose = new Thread(gather::close, "pclean-coordinator-close");
      coordinatorClose.start();
    }
    for (Thread t : threads) {
      t.join(30000);
    }
    if (coordinatorClose != null) {
      coordinatorClose.join(60000);
    }
    models.close();
    jobs.close();
    if (gather != null) {
      LOG.info(String.format(Locale.ROOT, "workers, sinks and coordinator stopped in %.1f s",
          (System.nanoTime() - t1) / 1e9));
      // The coordinator's local store is rebuilt from its changelog when needed: a one-shot run leaves none.
      TableDirectories.delete(stateDir);
    }
    if (broker != null) {
      broker.close();
    }
  }
}
