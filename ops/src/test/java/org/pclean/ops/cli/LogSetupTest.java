package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The one log: pclean's story on the console, libraries' warnings and stack traces only in --log-file. */
class LogSetupTest {
  @TempDir Path tmp;
  private final PrintStream err = System.err;

  @AfterEach
  void restore() {
    System.setErr(err);
    LogSetup.apply(new LogSetup.Options());
  }

  @Test
  void theConsoleTellsPcleansStoryAndTheFileKeepsEverything() throws Exception {
    Path file = tmp.resolve("pclean.log");
    String console = capture(options("info", false, file));
    assertTrue(console.matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  Planner \\[job-7\\]: planned 4 tasks\n.*"),
        console);
    assertTrue(console.contains("ERROR NetworkClient: broker lost"), console);
    assertFalse(console.contains("rebalancing"), "a library's WARN stays off the console: " + console);
    assertFalse(console.contains("at org.pclean"), "no stack trace on the console: " + console);
    List<String> log = Files.readAllLines(file);
    assertTrue(log.stream().anyMatch(l -> l.contains("WARN  ConsumerCoordinator: rebalancing")), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("planned 4 tasks")), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("ERROR failures: failed: disk full")), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("java.io.IOException: disk full")), "trace in the file");
  }

  @Test
  void quietKeepsWarningsOnTheConsoleAndTheStoryInTheFile() throws Exception {
    Path file = tmp.resolve("quiet.log");
    String console = capture(options("info", true, file));
    assertFalse(console.contains("planned 4 tasks"), console);
    assertTrue(console.contains("WARN  Planner [job-7]: 3 rows flagged"), console);
    assertTrue(Files.readString(file).contains("planned 4 tasks"));
  }

  @Test
  void debugShowsLibrariesAndTraces() throws Exception {
    String console = capture(options("debug", false, null));
    assertTrue(console.contains("WARN  ConsumerCoordinator: rebalancing"), console);
    assertTrue(console.contains("java.io.IOException: disk full"), console);
  }

  @Test
  void aBadLevelIsOneLineAndExitTwo() {
    StringWriter w = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(w));
    assertEquals(2, cl.execute("listobs", "--vis", "x.ms", "--log-level", "loud"));
    assertEquals(1, w.toString().strip().lines().count(), w.toString());
    assertTrue(w.toString().contains("--log-level must be error, warn, info or debug"), w.toString());
  }

  /** The log flags are not configuration values: the imaging command takes them beside its tclean flags. */
  @Test
  void theImagingCommandTakesTheLogFlags() throws Exception {
    Path dump = tmp.resolve("merged.yaml");
    StringWriter w = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(w));
    assertEquals(0, cl.execute("--vis", "x.ms", "--imagename", "x", "--niter", "7", "--quiet", "--log-level", "warn",
        "--dump-config", dump.toString()), w.toString());
    assertTrue(Files.readString(dump).contains("niter: 7"), Files.readString(dump));
    String yaml = Files.readString(dump);
    assertFalse(yaml.contains("quiet") || yaml.contains("log_level") || yaml.contains("log-level"),
        "log flags stay out of the config: " + yaml);
  }

  private static LogSetup.Options options(String level, boolean quiet, Path file) {
    LogSetup.Options o = new LogSetup.Options();
    o.level = level;
    o.quiet = quiet;
    o.file = file;
    return o;
  }

  /** Applies the options and logs what a parallel run logs; returns the console. */
  private String capture(LogSetup.Options o) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    LogSetup.apply(o);
    MDC.put(LogSetup.JOB, "job-7");
    LoggerFactory.getLogger("org.pclean.ingest.Planner").info("planned 4 tasks");
    LoggerFactory.getLogger("org.pclean.ingest.Planner").warn("3 rows flagged");
    MDC.remove(LogSetup.JOB);
    LoggerFactory.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator").warn("rebalancing");
    LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").error("broker lost");
    LoggerFactory.getLogger(LogSetup.FAILURES).error("failed: disk full", new java.io.IOException("disk full"));
    System.setErr(err);
    return buf.toString(StandardCharsets.UTF_8);
  }
}
