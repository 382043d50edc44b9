package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.imaging.SerialImager;
import org.pclean.ops.cli.PcleanCli;
import picocli.CommandLine;

/**
 * {@code pclean broker --secure} as an operator runs it, in a process of its own: it writes the client
 * properties of user pclean (owner-only), and a parallel cube submitted with them as --kafka-config equals the
 * serial cube. A client without them is refused in one line. Restarted on its kept directories the broker takes
 * the same client file; started without --secure on them it refuses (exit 2, before Kafka starts).
 */
class SecureBrokerCommandTest {
  @TempDir Path tmp;

  @Test
  void aSecuredBrokerProcessServesAJobWithTheClientFileItWrote() throws Exception {
    ParallelCubeTest.ms = tmp.resolve("cube.ms");
    ParallelCubeTest.simulateMs(ParallelCubeTest.ms);
    Path serial = tmp.resolve("serial");
    SerialImager.run(ParallelCubeTest.params(serial.toString()).build());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String bootstrap = "localhost:" + port;
    Path data = tmp.resolve("kafka");
    String[] brokerArgs = {"broker", "--secure", "--port", Integer.toString(port), "--local-directory",
        data.toString()};
    Path clientFile = tmp.resolve("kafka.security").resolve("client.properties");

    WorkerProcess broker = WorkerProcess.pclean("B1", brokerArgs);
    try {
      WorkerProcess.Line up = broker.await(s -> s.startsWith("SASL_SSL"), SiteProcesses.UP);
      assertTrue(up.text().contains(clientFile.toString()), up.text());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(clientFile)));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
          clientFile.resolveSibling("credentials.properties"))));
      Properties client = new Properties();
      try (var in = Files.newInputStream(clientFile)) {
        client.load(in);
      }
      assertEquals(bootstrap, client.getProperty("bootstrap.servers"));
      assertEquals("SASL_SSL", client.getProperty("security.protocol"));
      assertTrue(client.getProperty("sasl.jaas.config").contains("username=\"pclean\""), "the pclean user, not admin");

      // The job as user pclean: its own coordinator, sink and worker, every client from the file.
      Path out = tmp.resolve("secure-cube");
      long t0 = System.nanoTime();
      Result job = pclean("--vis", ParallelCubeTest.ms.toString(), "--imagename", out.toString(), "--specmode",
          "cube", "--imsize", Integer.toString(ParallelCubeTest.N), "--cell", "4arcsec", "--datacolumn", "data",
          "--niter", "200", "--threshold", "1mJy", "--threads", "1", "--parallel", "--nworkers", "1",
          "--scheduler-address", bootstrap, "--kafka-config", clientFile.toString(), "--local-directory",
          tmp.resolve("job").toString());
      System.out.printf(Locale.ROOT, "cube as pclean over SASL_SSL: exit %d in %.1f s%n", job.code,
          (System.nanoTime() - t0) / 1e9);
      assertEquals(0, job.code, job.err);
      ParallelCubeTest.assertSameCube(serial, out);

      // No client file: a PLAINTEXT client cannot talk to the SASL_SSL listener.
      Result plain = pclean("status", "--bootstrap-servers", bootstrap);
      System.out.println("without --kafka-config: exit " + plain.code + ": " + plain.err);
      assertEquals(PcleanCli.EXIT_BAD_INPUT, plain.code, plain.err);
      assertFalse(plain.err.contains("\n"), "one line: " + plain.err);
      assertTrue(plain.err.contains(bootstrap) && plain.err.contains("SASL_SSL"), plain.err);
    } finally {
      broker.close();
    }

    // Restarted on the kept directories: the same users, so the same client file works.
    WorkerProcess again = WorkerProcess.pclean("B2", brokerArgs);
    try {
      again.await(s -> s.startsWith("SASL_SSL"), SiteProcesses.UP);
      Result status = pclean("status", "--bootstrap-servers", bootstrap, "--kafka-config", clientFile.toString());
      assertEquals(0, status.code, status.err);
    } finally {
      again.close();
    }

    // The secured data directory is not started as PLAINTEXT.
    List<String> insecure = new ArrayList<>(List.of(brokerArgs));
    insecure.remove("--secure");
    WorkerProcess plainBroker = WorkerProcess.pclean("B3", insecure.toArray(String[]::new));
    try {
      String said = plainBroker.await(s -> s.contains("--secure"), SiteProcesses.UP).text();
      int code = plainBroker.awaitExit(SiteProcesses.UP);
      System.out.println("without --secure: exit " + code + ": " + said);
      assertEquals(PcleanCli.EXIT_BAD_INPUT, code, said);
      assertTrue(said.contains("start it with --secure"), said);
      assertTrue(plainBroker.matching(s -> s.startsWith("pclean broker at")).isEmpty(), "refused before Kafka"
          + " started: " + plainBroker.output());
    } finally {
      plainBroker.close();
    }
  }

  private record Result(int code, String err) {}

  private static Result pclean(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, err.toString().strip());
  }

}
