package org.pclean.ops.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.casacore.TableDirectories;

/**
 * A single-node KRaft Kafka (combined broker + controller) inside this JVM, for one-shot jobs and tests when no
 * cluster is given. Ephemeral ports; data under the given directory (kept, and reused on the next start) or a
 * temporary one (removed on close). pclean's topics are created at start. A fatal broker error does not end the
 * host JVM: Kafka's exit/halt procedures are replaced by exceptions, so the application decides. With a
 * {@link BrokerSecurity} the client listener is SASL_SSL (SCRAM-SHA-512) and every request needs an ACL.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private final KafkaRaftServer server;
  private final Path dataDir;
  private final boolean temporary;
  private final String bootstrapServers;
  private final Duration startupTime;
  private final BrokerSecurity security;

  static {
    Exit.setExitProcedure((code, message) -> {
      throw new IllegalStateException("the embedded Kafka broker asked to exit (" + code + "): " + message);
    });
    Exit.setHaltProcedure((code, message) -> {
      throw new IllegalStateException("the embedded Kafka broker asked to halt (" + code + "): " + message);
    });
  }

  private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean temporary, String bootstrapServers,
      Duration startupTime, BrokerSecurity security) {
    this.security = security;
    this.server = server;
    this.dataDir = dataDir;
    this.temporary = temporary;
    this.bootstrapServers = bootstrapServers;
    this.startupTime = startupTime;
  }

  /** Starts a broker with data under dataDir (null: a temporary directory) and creates pclean's topics. */
  public static EmbeddedKafkaBroker start(Path dataDir) throws IOException, InterruptedException {
    return start(dataDir, null, 0, null);
  }

  /**
   * As {@link #start(Path)}, reachable from other machines when host is given: the broker listens on every
   * interface and advertises host (what a SLURM job's workers on other nodes connect to); null: localhost only.
   */
  public static EmbeddedKafkaBroker start(Path dataDir, String host) throws IOException, InterruptedException {
    return start(dataDir, host, 0, null);
  }

  /**
   * As {@link #start(Path, String)} with the client listener on a fixed port (0: any free port). A broker restarted
   * on the same kept directory and port keeps its address, so the clients of the previous run reconnect by
   * themselves (an ephemeral port would strand them).
   */
  public static EmbeddedKafkaBroker start(Path dataDir, String host, int port) throws IOException,
      InterruptedException {
    return start(dataDir, host, port, null);
  }

  /**
   * As {@link #start(Path)}; with security (null: PLAINTEXT) clients connect with SASL_SSL as one of its users,
   * and the users' SCRAM credentials are written when the storage is formatted (a kept directory keeps those it
   * was first formatted with).
   */
  public static EmbeddedKafkaBroker start(Path dataDir, BrokerSecurity security)
      throws IOException, InterruptedException {
    return start(dataDir, null, 0, security);
  }

  /** On host and port (as {@link #start(Path, String, int)}), SASL_SSL when security is not null. */
  public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, BrokerSecurity security)
      throws IOException, InterruptedException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    long t0 = System.nanoTime();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("pclean-kafka-") : dataDir.toAbsolutePath();
    Files.createDirectories(dir);
    int brokerPort = port == 0 ? freePort() : port;
    int controllerPort = freePort();  // only this process talks to its controller: any port, new at each start
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    String listener = security == null ? "PLAINTEXT" : "SASL_SSL";
    String advertised = host == null ? "localhost" : host;
    props.put("listeners", listener + "://" + (host == null ? "localhost" : "") + ":" + brokerPort
        + ",CONTROLLER://localhost:" + controllerPort);
    props.put("advertised.listeners", listener + "://" + advertised + ":" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", listener);
    if (security != null) {
      props.putAll(security.brokerProperties());
    }
    props.put("log.dirs", dir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    // The share groups' state topic (the sub-cube queue, SubcubeQueue) on this one node.
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("share.coordinator.state.topic.num.partitions", "4");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));  // default takes 128 MiB
    props.put("auto.create.topics.enable", "false");
    // Workers speak the KIP-848 consumer protocol here: Kafka 4.4 serves it by default (the group.version
    // feature is finalized at format time; group.coordinator.rebalance.protocols lists consumer by default and
    // is deprecated). That protocol's session timeout is the broker's (default 45 s, which is also its default
    // minimum): a worker killed with -9 has its task redelivered after 10 s instead. Heartbeats every second
    // let a joining or leaving worker reconcile within about a second (their minimum is lowered to allow it).
    props.put("group.consumer.min.session.timeout.ms", "6000");
    props.put("group.consumer.session.timeout.ms", "10000");
    props.put("group.consumer.min.heartbeat.interval.ms", "500");
    props.put("group.consumer.heartbeat.interval.ms", "1000");
    // The same for the sub-cube queue's share group (defaults 45 s and 5 s): a worker that joins takes a waiting
    // sub-cube within a heartbeat or two, and a killed one's task is released when its session ends, after 10 s
    // (a stopped one releases it at once; a hung one also loses it when its 30 s lock is not renewed).
    props.put("group.share.min.session.timeout.ms", "6000");
    props.put("group.share.session.timeout.ms", "10000");
    props.put("group.share.min.heartbeat.interval.ms", "500");
    props.put("group.share.heartbeat.interval.ms", "1000");
    // Restarted after a kill -9, the controller holds the dead incarnation's registration until its broker
    // session times out (Kafka's default 9 s) before the new one may register: 4 s here (heartbeats every 1 s)
    // is a restart in ~8 s instead of ~14 s, and still outlasts a GC pause of this single node.
    props.put("broker.session.timeout.ms", "4000");
    props.put("broker.heartbeat.interval.ms", "1000");
    // A killed coordinator's open transaction is aborted once its timeout has passed, at this sweep (default 10 s).
    props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "2000");
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    // Format once: a kept directory restarts with its records (re-formatting would clash on the cluster id).
    if (!Files.exists(dir.resolve("meta.properties"))) {
      try {
        new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(1).setClusterId(Uuid.randomUuid().toString()).setDirectories(List.of(dir.toString()))
            .setMetadataLogDirectory(dir.toString()).setControllerListenerName("CONTROLLER")
            .setReleaseVersion(MetadataVersion.latestProduction()).setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setScramArguments(security == null ? List.of() : security.scramArguments())
            .run();
      } catch (Exception e) {
        throw new IOException("cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
      }
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    String bootstrap = advertised + ":" + brokerPort;
    Properties adminConfig = security == null ? plaintext(bootstrap) : security.clientConfig(bootstrap, BrokerSecurity.ADMIN);
    try (Admin admin = Admin.create(adminConfig)) {
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
      TopicInstaller.ensure(admin, Topics.all(), (short) 1);
    } catch (Exception e) {
      server.shutdown();
      throw new IOException("the embedded Kafka broker did not come up: " + e.getMessage(), e);
    }
    return new EmbeddedKafkaBroker(server, dir, temporary, bootstrap, Duration.ofNanos(System.nanoTime() - t0),
        security);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The base client config for this broker: its bootstrap servers, and with security the super user's SASL_SSL
   * credentials (what pclean's own one-shot components run as; a site's users get {@link #clientConfig(String)}).
   */
  public Properties clientConfig() {
    return security == null ? plaintext(bootstrapServers) : security.clientConfig(bootstrapServers, BrokerSecurity.ADMIN);
  }

  /** The base client config of one of the broker's SCRAM users (security only). */
  public Properties clientConfig(String user) {
    if (security == null) {
      throw new IllegalStateException("this embedded broker runs PLAINTEXT: it has no users");
    }
    return security.clientConfig(bootstrapServers, user);
  }

  private static Properties plaintext(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  /** From start() to topics created. */
  public Duration startupTime() {
    return startupTime;
  }

  public Path dataDirectory() {
    return dataDir;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (temporary) {
      TableDirectories.delete(dataDir);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
