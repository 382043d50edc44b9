package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.slf4j.LoggerFactory;

/**
 * {@code --nworkers 0} on a cluster: the client plans, submits and watches, and starts no coordinator or sink of
 * its own. Without the site's services the job is refused at once, naming them, before anything is published;
 * with them it completes on them and equals the serial cube.
 */
class ClientOnlyTest {
  @TempDir static Path tmp;
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void setUp() throws Exception {
    ParallelCubeTest.ms = tmp.resolve("cube.ms");
    ParallelCubeTest.simulateMs(ParallelCubeTest.ms);
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static ParallelRunner.Settings clientOnly() {
    return new ParallelRunner.Settings(0, -1, broker.bootstrapServers(), tmp.resolve("client"), "auto", false,
        Duration.ofMinutes(5));
  }

  @Test
  void aJobNobodyWouldFinishIsRefusedAndOneTheSiteRunsCompletes() throws Exception {
    Path out = tmp.resolve("client-cube");
    var e = assertThrows(IllegalArgumentException.class,
        () -> ParallelRunner.run(ParallelCubeTest.params(out.toString()).build(), clientOnly()));
    assertTrue(e.getMessage().contains("no `pclean worker`") && e.getMessage().contains("`pclean gather`")
        && e.getMessage().contains("`pclean sink`"), e.getMessage());
    assertFalse(Files.exists(Path.of(out + ".image")));
    assertFalse(Files.exists(tmp.resolve("client")), "nothing written before the refusal");

    Path serial = tmp.resolve("serial");
    List<String> serialLines = logged(SerialImager.class,
        () -> SerialImager.run(ParallelCubeTest.params(serial.toString()).build()));
    // The serial engine's line per plane: its place in the cube and the time left.
    int nchan = ParallelCubeTest.NCHAN;
    for (int k = 0; k < nchan; k++) {
      String want = "plane " + k + " (" + (k + 1) + " of " + nchan + "): ";
      assertTrue(serialLines.stream().anyMatch(l -> l.startsWith(want) && l.contains("; ETA ")),
          want + " in " + serialLines);
    }
    assertTrue(serialLines.stream().anyMatch(l -> l.startsWith("plane " + (nchan - 1) + " (") && l.endsWith("ETA 0 s")),
        "no time left after the last plane: " + serialLines);
    // The client's progress, from pclean.events: a line per finished sub-cube, counting up to all of them.
    ListAppender<ILoggingEvent> progress = new ListAppender<>();
    progress.start();
    Logger log = (Logger) LoggerFactory.getLogger(JobProgress.class);
    log.addAppender(progress);
    try (LocalCluster site = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve("site"))) {
      var outcome = ParallelRunner.run(ParallelCubeTest.params(out.toString()).build(), clientOnly());
      assertEquals(JobState.DONE, outcome.job().getState());
      int n = outcome.job().getNumPartitions();
      List<String> lines = progress.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      for (int k = 1; k <= n; k++) {
        Pattern want = Pattern.compile(Pattern.quote(outcome.jobId() + ": " + k + " of " + n + " sub-cubes done, ")
            + "[0-9.e+-]+ sub-cubes/s, ETA ([0-9]+ s|[0-9]+ min [0-9]{2} s) \\(.*finished sub-cube.*\\)");
        assertTrue(lines.stream().anyMatch(l -> want.matcher(l).matches()), want + " in " + lines);
      }
    } finally {
      log.detachAppender(progress);
    }
    ParallelCubeTest.assertSameCube(serial, out);
  }

  /**
   * A continuum job's client line per major cycle: the cycle, the iterations so far of niter and the peak residual
   * against the threshold, as the serial engine's cycles of the same run give them (parallel mfs equals serial);
   * the serial engine logs the same cycle's "i of niter iterations" and "threshold".
   */
  @Test
  void aContinuumJobShowsEachMajorCycle() throws Exception {
    TcleanParams.Builder p = ParallelCubeTest.params("x").specmode(TcleanParams.SpecMode.MFS).niter(60)
        .cycleniter(20).threshold(1e-3);
    Path serial = tmp.resolve("serial-mfs");
    ImagingResult[] ran = new ImagingResult[1];
    List<String> serialLines = logged(SerialImager.class,
        () -> ran[0] = SerialImager.run(p.imagename(serial.toString()).build()));
    List<ImagingResult.Cycle> history = ran[0].history();
    assertTrue(history.size() >= 2, "cycles: " + history);
    ParallelRunner.Outcome[] outcome = new ParallelRunner.Outcome[1];
    List<String> lines;
    try (LocalCluster site = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve("site-mfs"))) {
      lines = logged(JobProgress.class, () -> outcome[0] = ParallelRunner.run(
          p.imagename(tmp.resolve("client-mfs").toString()).build(), new ParallelRunner.Settings(0, -1,
              broker.bootstrapServers(), tmp.resolve("client-mfs-work"), "auto", false, Duration.ofMinutes(5), 2,
              false)));
    }
    assertEquals(JobState.DONE, outcome[0].job().getState());
    Pattern line = Pattern.compile(Pattern.quote(outcome[0].jobId()) + ": major cycle (\\d+), (\\d+) of 60 iterations,"
        + " peak residual ([0-9.e+-]+) Jy/beam vs threshold 0.001000 Jy");
    List<Matcher> cycles = lines.stream().map(line::matcher).filter(Matcher::matches).toList();
    // A line per gathered cycle, and one for the cycle that found the stop (niter reached), whose peak is the
    // serial run's final peak residual.
    assertEquals(history.size() + 1, cycles.size(), "cycle lines in " + lines);
    int iterations = 0;
    for (int k = 0; k < cycles.size(); k++) {
      Matcher m = cycles.get(k);
      boolean last = k == history.size();
      iterations += last ? 0 : history.get(k).iterations();
      double peak = last ? ran[0].planes().get(0).peakResidual() : history.get(k).peakResidualBefore();
      assertEquals(k, Integer.parseInt(m.group(1)), m.group());
      assertEquals(iterations, Integer.parseInt(m.group(2)), m.group());
      assertEquals(peak, Double.parseDouble(m.group(3)), 1e-3 * peak, m.group());
      if (!last) {
        String want = String.format(java.util.Locale.ROOT, "plane 0, major cycle %d: %d of 60 iterations (%d this"
            + " cycle, ", k, iterations, history.get(k).iterations());
        assertTrue(serialLines.stream().anyMatch(l -> l.startsWith(want) && l.contains(" vs threshold 0.001000 Jy")),
            want + " in " + serialLines);
      }
    }
    assertEquals(60, iterations, "niter reached");
  }

  /** What the logger logged while the run ran. */
  private static List<String> logged(Class<?> component, ThrowingRunnable run) throws Exception {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger log = (Logger) LoggerFactory.getLogger(component);
    log.addAppender(appender);
    try {
      run.run();
    } finally {
      log.detachAppender(appender);
    }
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
