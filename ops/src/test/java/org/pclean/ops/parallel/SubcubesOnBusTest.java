package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * No shared filesystem: workers and sink get local directories that cannot see each other and the job's
 * local_directory does not exist, so the sub-cubes can only reach the sink as tiles on pclean.subcubes. The cube
 * equals the serial run plane by plane (beams too), from an MS with --subcubes-on-bus and from a dataset on the
 * bus (on the bus without being asked); the workers' scratch is empty afterwards.
 */
class SubcubesOnBusTest {
  @TempDir static Path tmp;
  static Path ms;
  static Path serial;
  static EmbeddedKafkaBroker broker;
  static Properties client;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("cube.ms");
    ParallelCubeTest.simulateMs(ms);
    serial = tmp.resolve("serial");
    SerialImager.run(params(serial.toString()).build());
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    client = PClean.client(broker.bootstrapServers());
    StreamPublisher.publish(ms, new StreamPublisher.Settings("nofs", 0), client, null);
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams.Builder params(String imagename) {
    return TcleanParams.builder().vis(ms).imagename(imagename).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(ParallelCubeTest.N, ParallelCubeTest.N).cell(4 * Math.PI / 180 / 3600, 4 * Math.PI / 180 / 3600)
        .datacolumn(org.pclean.casacore.DataColumn.DATA).niter(200).threshold(1e-3).threads(1);
  }

  @Test
  void msSourceWithTheFlagNeedsNoSharedDirectory() throws Exception {
    Path out = tmp.resolve("ms-bus");
    runApart("ms", params(out.toString()).build(), true);
    assertSameCube(out);
  }

  @Test
  void datasetSourceGoesOverTheBusWithoutAsking() throws Exception {
    Path out = tmp.resolve("dataset-bus");
    runApart("ds", params(out.toString()).vis(null).dataset("nofs").build(), false);
    assertSameCube(out);
  }

  /** Runs the job with worker scratch, sink staging and the job's local directory all apart. */
  private static void runApart(String name, TcleanParams p, boolean flag) throws Exception {
    Path workers = Files.createDirectories(tmp.resolve(name + "-worker-machine"));
    Path sink = Files.createDirectories(tmp.resolve(name + "-sink-machine"));
    Path nowhere = tmp.resolve(name + "-no-shared-fs");
    var s = new ParallelRunner.Settings(2, 2, broker.bootstrapServers(), nowhere, "auto", false,
        Duration.ofMinutes(5), 0, false, flag);
    ParallelRunner.Outcome outcome;
    try (LocalCluster cluster = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve(name + "-coordinator"),
        workers, sink)) {
      String jobId = ParallelRunner.submit(cluster.client(), cluster.producer(), p, s);
      outcome = ParallelRunner.await(cluster, jobId, p, s.timeout());
    }
    assertEquals(JobState.DONE, outcome.job().getState());
    assertTrue(outcome.job().getSubcubesOnBus());
    assertEquals(3, outcome.job().getNumPartitions(), "5 channels in sub-cubes of 2");
    assertFalse(Files.exists(nowhere), "nothing used the job's local directory");
    assertEquals(List.of(), contents(workers), "the workers' scratch keeps nothing");
    assertEquals(List.of(), contents(sink), "a paged cube leaves no staged sub-cubes");
  }

  /** Everything below dir (not dir itself). */
  private static List<Path> contents(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(f -> !f.equals(dir)).toList();
    }
  }

  private static void assertSameCube(Path out) {
    ParallelCubeTest.assertSameCube(serial, out);
  }
}
