package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.CasaImage;
import org.pclean.imaging.SerialImager;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The parallel cube against a real Kafka broker in a container (the external-cluster code path:
 * --scheduler-address). Skipped, with the reason, where no Docker engine runs.
 */
class ContainerKafkaCubeTest {
  @TempDir Path tmp;

  @Test
  void parallelCubeOnAnExternalClusterEqualsSerial() throws Exception {
    String reason = "no Docker engine here: the Testcontainers Kafka variant of the end-to-end test is skipped";
    boolean docker = DockerClientFactory.instance().isDockerAvailable();
    if (!docker) {
      System.out.println("SKIPPED ContainerKafkaCubeTest: " + reason);  // visible in the build log, not only the report
    }
    assumeTrue(docker, reason);
    try (KafkaContainer kafka = new KafkaContainer("apache/kafka:4.0.0")) {
      kafka.start();
      runAgainst(kafka.getBootstrapServers());
    }
  }

  private void runAgainst(String bootstrap) throws Exception {
    ParallelCubeTest.tmp = tmp;
    Path ms = tmp.resolve("cube.ms");
    ParallelCubeTest.ms = ms;
    ParallelCubeTest.simulateMs(ms);
    Path serial = tmp.resolve("serial");
    SerialImager.run(ParallelCubeTest.params(serial.toString()).build());
    Path out = tmp.resolve("par");
    var outcome = ParallelRunner.run(ParallelCubeTest.params(out.toString()).build(), new ParallelRunner.Settings(2, 2,
        bootstrap, tmp.resolve("work"), "auto", false, Duration.ofMinutes(5)));
    assertEquals(JobState.DONE, outcome.job().getState());
    try (CasaImage s = CasaImage.open(new OutputNames(serial.toString()).path(Product.IMAGE));
         CasaImage q = CasaImage.open(new OutputNames(out.toString()).path(Product.IMAGE))) {
      for (int c = 0; c < ParallelCubeTest.NCHAN; c++) {
        assertArrayEquals(s.readPlane(0, c), q.readPlane(0, c), 1e-5f);
      }
    }
  }
}
