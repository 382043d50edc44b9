package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.SerialImager;
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
    SerialImager.run(ParallelCubeTest.params(serial.toString()).build());
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
        String want = outcome.jobId() + ": " + k + " of " + n + " sub-cubes done";
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(want)), want + " in " + lines);
      }
    } finally {
      log.detachAppender(progress);
    }
    ParallelCubeTest.assertSameCube(serial, out);
  }
}
