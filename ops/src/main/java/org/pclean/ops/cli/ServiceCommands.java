package org.pclean.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.pclean.bus.Topics;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.gather.JobRetention;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.imaging.worker.WorkerGroupProtocol;
import org.pclean.imaging.worker.WorkerShutdown;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.config.ClusterAccess;
import org.pclean.ops.config.KafkaClientConfig;
import org.pclean.ops.service.HttpOptions;
import org.pclean.ops.service.ServiceChecks;
import org.pclean.ops.service.TaskLag;
import org.pclean.sink.BusCubeSink;
import org.pclean.sink.ContinuumSink;
import org.pclean.sink.CubeSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The long-running site services, each its own process (scale workers by starting more): they run until the
 * process is stopped (SIGTERM/SIGINT), then leave their consumer groups cleanly.
 */
final class ServiceCommands {
  private ServiceCommands() {}

  /**
   * Blocks until the process is asked to stop (SIGTERM, SIGINT), then runs stop on this thread and returns, so
   * the command exits 0 after a clean stop. The signals are taken over rather than left to a shutdown hook: the
   * JVM's own handling would exit 143 and could not let a worker finish its task first. Where the signals cannot
   * be handled, a shutdown hook runs stop instead.
   */
  static void runUntilStopped(Runnable stop) throws InterruptedException {
    CountDownLatch asked = new CountDownLatch(1);
    if (!StopSignals.install(asked::countDown)) {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.run();
        stopped.countDown();
      }, "pclean-shutdown"));
      stopped.await();
      return;
    }
    asked.await();
    stop.run();
  }

  /** Waits for a service thread to finish its shutdown (bounded, so a stuck client cannot hang the JVM). */
  static void join(Thread t) {
    try {
      t.join(30000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Where the cluster is, shared by every service: connecting creates pclean's topics if the cluster lacks them. */
  static final class ClusterOptions {
    @Option(names = {"--bootstrap-servers", "--scheduler-address"}, required = true) String bootstrap;
    @Option(names = "--replication-factor", defaultValue = "1") short replication;
    @Option(names = "--kafka-config", description = "Kafka client properties (security.protocol, SASL, TLS stores,"
        + " client.id prefix) for every client of this service; PCLEAN_KAFKA_<PROPERTY> variables override them")
    Path kafkaConfig;

    Properties connect() throws InterruptedException {
      Properties p = KafkaClientConfig.forCluster(bootstrap, kafkaConfig);
      ClusterAccess.ensureTopics(p, replication);
      return p;
    }
  }

  @Command(name = "broker", mixinStandardHelpOptions = true,
      description = "Run a standalone single-node KRaft broker with pclean's topics (for a site without Kafka).")
  static final class Broker implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--local-directory", description = "broker data (kept across restarts); default a temp dir") Path dir;
    @Option(names = "--host", description = "listen on every interface and advertise this host name (for clients on"
        + " other machines); default: localhost only") String host;
    @Option(names = "--port", defaultValue = "0", description = "client listener port (default 0: any free port)."
        + " Give one with --local-directory so a restarted broker keeps its address and data, and running services"
        + " and clients reconnect to it by themselves") int port;
    @Option(names = "--address-file", description = "write the bootstrap address to this file once the broker is up"
        + " (written whole under a temporary name, then renamed)") Path addressFile;
    @Option(names = "--secure", description = "SASL_SSL client listener: SCRAM-SHA-512 users, a CA and key/trust"
        + " stores generated for this broker, ACLs enforced (user " + SecureBroker.USER + " gets pclean's ACLs);"
        + " writes the client properties to pass with --kafka-config") boolean secure;
    @Option(names = "--security-directory", description = "with --secure: CA, stores and credentials (kept, so a"
        + " restarted broker accepts the same clients); default <local-directory>.security, or a temp dir")
    Path securityDir;
    @Option(names = "--client-config", description = "with --secure: where to write the client properties of user "
        + SecureBroker.USER + " (default <security-directory>/client.properties)") Path clientConfig;
    @Mixin HttpOptions http;

    @Override
    public Integer call() throws Exception {
      if (!secure && (securityDir != null || clientConfig != null)) {
        throw new IllegalArgumentException((securityDir != null ? "--security-directory" : "--client-config")
            + " needs --secure");
      }
      SecureBroker.checkDataDirectory(dir, secure);
      SecureBroker site = secure ? SecureBroker.prepare(dir, securityDir, host) : null;
      EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, host, port, site == null ? null : site.security());
      System.out.println("pclean broker at " + broker.bootstrapServers() + " (started in "
          + broker.startupTime().toMillis() + " ms); data in " + broker.dataDirectory());
      if (site != null) {
        Path written = site.grantAndWrite(broker, clientConfig);
        System.out.println("SASL_SSL (" + org.pclean.ops.broker.BrokerSecurity.MECHANISM + "), ACLs enforced: user "
            + SecureBroker.USER + " holds pclean's ACLs; its client properties are in " + written
            + " (pass them with --kafka-config)");
      }
      if (addressFile != null) {
        Path tmp = addressFile.resolveSibling(addressFile.getFileName() + ".tmp");
        Files.writeString(tmp, broker.bootstrapServers() + "\n");
        Files.move(tmp, addressFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      HttpOptions.Served served = http.start("broker", broker.clientConfig(), ServiceChecks::cluster);
      runUntilStopped(() -> {
        HttpOptions.stop(served);
        broker.close();
        if (site != null) {
          site.close();
        }
      });
      return 0;
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      description = "Join the pclean-workers consumer group and image tasks until stopped. SIGTERM: take no new"
          + " task, finish (and commit) the task in hand within --shutdown-grace or hand it back uncommitted,"
          + " leave the group, exit 0.")
  static final class Worker implements java.util.concurrent.Callable<Integer> {
    @Mixin ClusterOptions cluster;
    @Option(names = "--nworkers", defaultValue = "1", description = "workers in this process") int nworkers;
    @Option(names = {"--threads", "--threads-per-worker"}, defaultValue = "0", description = "gridding threads of"
        + " each worker (0: all cores); this machine's setting, never the submitting client's") int threads;
    @Option(names = "--local-directory", description = "scratch for sub-cubes sent over the bus (default: the temp dir)")
    Path scratch;
    @Option(names = "--shutdown-grace", defaultValue = "30s",
        description = "on SIGTERM, how long a task in hand may run on before it is handed back (e.g. 30s, 500ms)")
    String shutdownGrace;
    @Option(names = "--group-protocol", defaultValue = "auto",
        description = "auto (consumer where the cluster serves KIP-848, else classic), consumer or classic")
    String groupProtocol;
    @Option(names = "--max-task-time", defaultValue = "60m", description = "the longest a task may still run while"
        + " its partition is being revoked (a rebalance waits for it); past that the worker is expelled from the"
        + " group and the task redone elsewhere (e.g. 60m, 2h)") String maxTaskTime;
    @Option(names = "--model-wait", defaultValue = "10m",
        description = "how long a continuum task waits for the density or model of the previous cycle before it fails"
            + " its job with a reason naming the missing tiles (e.g. 10m, 90s)")
    String modelWait;
    @Mixin HttpOptions http;

    @Override
    public Integer call() throws Exception {
      Duration grace = seconds(shutdownGrace, "--shutdown-grace");
      Duration wait = seconds(modelWait, "--model-wait");
      if (wait.isZero()) {
        throw new IllegalArgumentException("--model-wait must be positive, got " + modelWait);
      }
      WorkerGroupProtocol forced = WorkerGroupProtocol.parse(groupProtocol);
      Duration taskLimit = seconds(maxTaskTime, "--max-task-time");
      if (taskLimit.toMillis() < 1000 || taskLimit.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("--max-task-time must lie in 1s..596h (Kafka's max.poll.interval.ms is"
            + " an int of milliseconds), got " + maxTaskTime);
      }
      if (threads < 0) {
        throw new IllegalArgumentException("--threads must be >= 0 (0: all cores), got " + threads);
      }
      int perWorker = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
      Properties client = cluster.connect();
      JobSpecView view = new JobSpecView(client);
      ModelView models = new ModelView(client);
      List<ImagingWorker> workers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      String host = java.net.InetAddress.getLocalHost().getHostName();
      for (int i = 0; i < nworkers; i++) {
        String id = KafkaClientConfig.clientId(client, host + "-" + ProcessHandle.current().pid() + "-" + i);
        ImagingWorker w = (scratch == null ? new ImagingWorker(client, id, view, models)
            : new ImagingWorker(client, id, view, models, scratch)).groupProtocol(forced).modelWait(wait)
            .threads(perWorker).maxTaskTime(taskLimit);
        workers.add(w);
      }
      // Ready when the cluster answers and a worker of this process is a member of the group (a worker's client id
      // is its worker id). Served before the workers start, so a probe sees them join.
      List<String> ids = workers.stream().map(ImagingWorker::workerId).toList();
      HttpOptions.Served served = http.start("worker", client, admin -> ServiceChecks.all(List.of(
          ServiceChecks.cluster(admin), ServiceChecks.members(admin, List.of(Topics.WORKER_GROUP),
              m -> ids.contains(m.clientId())))));
      if (served != null) {
        TaskLag.register(served.http().registry(), served.admin());
      }
      for (ImagingWorker w : workers) {
        // Daemon: a thread still imaging a handed-back task must not keep the process alive.
        Thread t = new Thread(w, "pclean-worker-" + threads.size());
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      System.out.println("pclean: " + nworkers + " worker(s) in group " + Topics.WORKER_GROUP + " at " + cluster.bootstrap);
      runUntilStopped(() -> {
        try {
          boolean handedBack = !WorkerShutdown.stop(workers, threads, grace).isEmpty();
          HttpOptions.stop(served);
          if (handedBack) {
            // A handed-back task's imaging thread may still be writing the sub-cube that its new owner is about
            // to write: end the process now (the new owner learns of the task at its next heartbeat, later).
            System.err.flush();
            Runtime.getRuntime().halt(0);
          }
          view.close();
          models.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      return 0;
    }
  }

  /** "30s", "500ms", "2m", "1h" or a bare number of seconds. */
  static Duration seconds(String s, String option) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([0-9]*\\.?[0-9]+)\\s*(ms|s|m|h|d|)\\s*")
        .matcher(s == null ? "" : s);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": bad duration '" + s + "' (e.g. 30s, 500ms, 2m, 1h, 7d)");
    }
    double v = Double.parseDouble(m.group(1));
    double ms = switch (m.group(2)) {
      case "ms" -> v;
      case "m" -> v * 60_000;
      case "h" -> v * 3_600_000;
      case "d" -> v * 86_400_000;
      default -> v * 1000;
    };
    return Duration.ofMillis(Math.round(ms));
  }

  @Command(name = "gather", mixinStandardHelpOptions = true,
      description = "Run the Kafka Streams coordinator (exactly-once; resumes from its changelogs after a restart).")
  static final class Gather implements java.util.concurrent.Callable<Integer> {
    @Mixin ClusterOptions cluster;
    @Option(names = "--state-dir", description = "local state stores (default a temp dir). Restarted on the same"
        + " directory, the coordinator fences its killed predecessor's open transaction at once; on another one"
        + " that transaction holds read_committed readers until --transaction-timeout") Path stateDir;
    @Option(names = "--transaction-timeout", defaultValue = "1m", description = "the coordinator's exactly-once"
        + " transaction timeout (e.g. 1m, 30s; at most the broker's transaction.max.timeout.ms, 15m by default)."
        + " Minor cycles run outside transactions; the longest transaction hands a finished job's product set to"
        + " the sink (seconds, even for 8192² images). A coordinator killed -9 and not restarted on its --state-dir"
        + " leaves its open transaction blocking every read_committed reader of the topics it wrote (workers,"
        + " sinks, its successor) until this timeout expires: lower it to recover sooner") String transactionTimeout;
    @Option(names = "--job-retention", defaultValue = "7d", description = "how long an ended (DONE or FAILED) job's"
        + " record stays on the compacted pclean.jobs, which every worker, sink and client holds in memory; then it"
        + " is tombstoned (e.g. 7d, 12h)") String jobRetention;
    @Option(names = "--submit-timeout", defaultValue = "1h", description = "a job still SUBMITTED after this was"
        + " abandoned by its client half-way through publishing it: it is FAILED and the start-model tiles it"
        + " published are tombstoned") String submitTimeout;
    @Mixin HttpOptions http;

    @Override
    public Integer call() throws Exception {
      Duration txTimeout = seconds(transactionTimeout, "--transaction-timeout");
      if (txTimeout.toMillis() < 1000 || txTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("--transaction-timeout must be 1s..15m (the broker's default"
            + " transaction.max.timeout.ms), got " + transactionTimeout);
      }
      Duration retention = seconds(jobRetention, "--job-retention");
      Duration submitted = seconds(submitTimeout, "--submit-timeout");
      if (retention.toMillis() < 1000 || submitted.toMillis() < 1000) {
        throw new IllegalArgumentException("--job-retention and --submit-timeout must be at least 1s, got "
            + jobRetention + " and " + submitTimeout);
      }
      Properties client = cluster.connect();
      Path dir = stateDir != null ? stateDir : Files.createTempDirectory("pclean-gather-");
      Coordinator app = new Coordinator(client, dir, cluster.replication, txTimeout,
          new JobRetention.Settings(retention, submitted));
      app.start();
      System.out.println("pclean gather running at " + cluster.bootstrap + ", state in " + dir
          + ", transaction timeout " + txTimeout.toMillis() + " ms");
      HttpOptions.Served served = http.start("gather", client, admin -> ServiceChecks.all(List.of(
          ServiceChecks.cluster(admin), ServiceChecks.streams(app))));
      runUntilStopped(() -> {
        app.close();
        HttpOptions.stop(served);
      });
      return 0;
    }
  }

  @Command(name = "sink", mixinStandardHelpOptions = true,
      description = "Write finished cubes (concat modes) and continuum products, and mark jobs done, until stopped.")
  static final class Sink implements java.util.concurrent.Callable<Integer> {
    @Mixin ClusterOptions cluster;
    @Option(names = "--local-directory", description = "staging for sub-cubes arriving over the bus (default: the temp dir)")
    Path staging;
    @Mixin HttpOptions http;

    @Override
    public Integer call() throws Exception {
      Properties client = cluster.connect();
      CubeSink sink = new CubeSink(client);
      BusCubeSink bus = staging == null ? new BusCubeSink(client) : new BusCubeSink(client, staging);
      ContinuumSink continuum = new ContinuumSink(client);
      Thread t = new Thread(sink, "pclean-sink");
      Thread tb = new Thread(bus, "pclean-subcube-sink");
      Thread tc = new Thread(continuum, "pclean-continuum-sink");
      t.start();
      tb.start();
      tc.start();
      System.out.println("pclean sink running at " + cluster.bootstrap);
      // The sinks' consumers carry no id of ours: ready when each of their groups has a live member.
      HttpOptions.Served served = http.start("sink", client, admin -> ServiceChecks.all(List.of(
          ServiceChecks.cluster(admin), ServiceChecks.members(admin, List.of(CubeSink.GROUP, BusCubeSink.GROUP,
              ContinuumSink.GROUP), m -> true))));
      runUntilStopped(() -> {
        sink.stop();
        bus.stop();
        continuum.stop();
        join(t);
        join(tb);
        join(tc);
        HttpOptions.stop(served);
      });
      return 0;
    }
  }
}
