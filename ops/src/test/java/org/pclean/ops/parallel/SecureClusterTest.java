package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.SerialImager;
import org.pclean.ops.broker.BrokerSecurity;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.broker.PcleanAcls;
import org.pclean.ops.cli.PcleanCli;
import picocli.CommandLine;

/**
 * pclean on a secured cluster: the embedded broker with SASL_SSL (SCRAM-SHA-512, its own CA) and
 * StandardAuthorizer. A cube job runs end to end — coordinator, sinks, workers and the submitting client all as
 * the user {@code pclean} holding exactly {@link PcleanAcls} — and equals the serial cube. Then, with nothing
 * changing on any pclean topic: a service without credentials, one with a wrong password, and a client whose
 * user lacks one ACL (Write on the pclean. topics) are each refused with one line naming the reason.
 */
class SecureClusterTest {
  @TempDir static Path tmp;
  static BrokerSecurity security;
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void setUp() throws Exception {
    ParallelCubeTest.ms = tmp.resolve("cube.ms");
    ParallelCubeTest.simulateMs(ParallelCubeTest.ms);
    long t0 = System.nanoTime();
    security = BrokerSecurity.generate(tmp.resolve("tls"), Map.of("pclean", "pclean-secret", "nowrite",
        "nowrite-secret"));
    long t1 = System.nanoTime();
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"), security);
    try (Admin admin = Admin.create(broker.clientConfig())) {
      List<AclBinding> lacking = PcleanAcls.forPrincipal("User:nowrite").stream()
          .filter(b -> !(b.pattern().resourceType() == ResourceType.TOPIC && b.pattern().name().equals("pclean.")
              && b.entry().operation() == AclOperation.WRITE)).toList();
      PcleanAcls.grant(admin, PcleanAcls.forPrincipal("User:pclean"), broker.clientConfig("pclean"));
      PcleanAcls.grant(admin, lacking, broker.clientConfig("nowrite"));
    }
    System.out.printf(Locale.ROOT, "CA and stores in %.1f s; SASL_SSL broker up in %d ms%n", (t1 - t0) / 1e9,
        broker.startupTime().toMillis());
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aJobRunsWithTheDocumentedAclsAndOthersAreRefusedChangingNothing() throws Exception {
    Path serial = tmp.resolve("serial");
    SerialImager.run(ParallelCubeTest.params(serial.toString()).build());
    Path out = tmp.resolve("secure-cube");
    try (LocalCluster site = new LocalCluster(broker.clientConfig("pclean"), 2, tmp.resolve("site"))) {
      var settings = new ParallelRunner.Settings(2, -1, broker.bootstrapServers(), tmp.resolve("job"), "auto", false,
          Duration.ofMinutes(5));
      long t0 = System.nanoTime();
      String jobId = ParallelRunner.submit(site.client(), site.producer(),
          ParallelCubeTest.params(out.toString()).build(), settings);
      var outcome = ParallelRunner.await(site, jobId, ParallelCubeTest.params(out.toString()).build(),
          Duration.ofMinutes(5));
      System.out.printf(Locale.ROOT, "job as User:pclean over SASL_SSL: %s in %.1f s%n", outcome.job().getState(),
          (System.nanoTime() - t0) / 1e9);
      assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
      ParallelCubeTest.assertSameCube(serial, out);

      Map<TopicPartition, Long> before = endOffsets();
      // No credentials: SASL_SSL and the trust store, but no user.
      Properties none = security.clientConfig(broker.bootstrapServers(), "x", "y");
      none.remove(SaslConfigs.SASL_JAAS_CONFIG);
      String noCreds = refusedService(none);
      assertTrue(noCreds.contains("no SASL credentials for " + broker.bootstrapServers()), noCreds);
      // A wrong password: the broker refuses the authentication.
      String wrong = refusedService(security.clientConfig(broker.bootstrapServers(), "pclean", "not-the-password"));
      assertTrue(wrong.contains("refused the credentials") && wrong.contains("SCRAM-SHA-512"), wrong);
      // Write on pclean. missing: the job is refused at its first record.
      Path denied = tmp.resolve("denied-cube");
      var clientOnly = new ParallelRunner.Settings(0, -1, broker.bootstrapServers(), tmp.resolve("denied"), "auto",
          false, Duration.ofMinutes(1));
      var e = assertThrows(IllegalStateException.class, () -> ParallelRunner.run(
          ParallelCubeTest.params(denied.toString()).build(), clientOnly, broker.clientConfig("nowrite")));
      System.out.println("refused (lacking Write on pclean.): " + e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
      assertTrue(e.getMessage().contains("Not authorized to access topics") && e.getMessage().contains("pclean.jobs"),
          e.getMessage());
      assertFalse(Files.exists(Path.of(denied + ".image")));
      assertEquals(before, endOffsets(), "no record was written on any pclean topic");
    }
  }

  /** Runs `pclean sink` with the given client properties as --kafka-config: exit 2 and the one line it printed. */
  private static String refusedService(Properties client) throws Exception {
    Path file = Files.createTempFile(tmp, "client", ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      client.store(w, null);
    }
    StringWriter err = new StringWriter();
    CommandLine cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    long t0 = System.nanoTime();
    int code = cl.execute("sink", "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
        file.toString());
    String line = err.toString().strip();
    System.out.printf(Locale.ROOT, "refused in %.2f s (exit %d): %s%n", (System.nanoTime() - t0) / 1e9, code, line);
    assertEquals(PcleanCli.EXIT_BAD_INPUT, code, line);
    assertFalse(line.contains("\n"), "one line: " + line);
    return line;
  }

  /** Every pclean topic partition's end offset, read as the super user. */
  private static Map<TopicPartition, Long> endOffsets() throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      var topics = admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get();
      Map<TopicPartition, OffsetSpec> ask = topics.values().stream()
          .filter(t -> t.name().startsWith("pclean"))
          .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.name(), p.partition())))
          .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      return admin.listOffsets(ask).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, x -> x.getValue().offset()));
    }
  }
}
