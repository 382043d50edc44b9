package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.sink.CubeSink;

/**
 * Jobs that cannot complete fail loudly and soon: with every worker process killed mid-job, the coordinator
 * stopped mid-job, or the job's JobSpec deleted from pclean.jobs, the waiting client reports the job FAILED with
 * the reason within the stall timeout (here 5 s) of the loss being visible — not at its 24 h timeout — and
 * pclean.jobs records why. Real worker processes; the coordinator and the sink run in this JVM so that the test
 * can stop them. The measured times are printed.
 */
class StalledJobTest {
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final Duration STALL = Duration.ofSeconds(5);
  static final Duration LONG = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static LocalCluster client;
  Coordinator coordinator;
  CubeSink sink;
  Thread sinkThread;
  WorkerProcess worker;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("stall.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("S", Math.toRadians(150), Math.toRadians(40), 8, 1.4e9, 20e6, "RR LL", -1.0,
            1.0, 60, 60000, 0.001, 7),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    client = LocalCluster.client(org.pclean.ops.config.KafkaClientConfig.forCluster(broker.bootstrapServers(), null), tmp.resolve("work"));  // submits and watches only
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void services() throws Exception {
    coordinator = new Coordinator(client.client(), Files.createTempDirectory(tmp, "streams-"), 1);
    coordinator.start();
    sink = new CubeSink(client.client());
    sinkThread = new Thread(sink, "test-sink");
    sinkThread.start();
    worker = WorkerProcess.start("W", broker.bootstrapServers());
    ElasticWorkersTest.awaitMembers(client.client(), m -> m == 1, LONG);
  }

  @AfterEach
  void stopServices() throws Exception {
    worker.close();  // SIGTERM: it leaves the group at once (a killed one stays a member to its session timeout)
    ElasticWorkersTest.awaitMembers(client.client(), m -> m == 0, LONG);  // the next test's worker is its own
    coordinator.close();
    sink.stop();
    sinkThread.join(30_000);
  }

  static TcleanParams cube(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(256, 256).cell(4 * ARCSEC, 4 * ARCSEC).datacolumn(DataColumn.DATA).niter(300).threshold(1e-3)
        .threads(1).build();
  }

  String submit(TcleanParams p) throws Exception {
    return ParallelRunner.submit(client.client(), client.producer(), p, new ParallelRunner.Settings(0, 1,
        broker.bootstrapServers(), tmp.resolve("work"), "auto", false, LONG, 0, false));
  }

  /** The client waiting for the job, as from its submission: the IllegalStateException it ends with. */
  static CompletableFuture<IllegalStateException> awaitFailure(String jobId, TcleanParams p) {
    return CompletableFuture.supplyAsync(() -> assertThrows(IllegalStateException.class,
        () -> ParallelRunner.await(client, jobId, p, LONG, STALL)));
  }

  /** The waiting client fails with reason containing what, within limit of lostAt; returns the seconds. */
  static double failsWith(CompletableFuture<IllegalStateException> waiting, String what, long lostAt, double limit)
      throws Exception {
    IllegalStateException e = waiting.get(LONG.toSeconds(), TimeUnit.SECONDS);
    double s = (System.nanoTime() - lostAt) / 1e9;
    assertTrue(e.getMessage().contains(what) && e.getMessage().contains("--stall-timeout"), e.getMessage());
    assertTrue(s < limit, String.format(Locale.ROOT, "failed after %.1f s, limit %.0f s", s, limit));
    return s;
  }

  /** The job's state on pclean.jobs: FAILED, with the reason. */
  static void recordedFailed(String jobId, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    JobSpec spec = null;
    while (System.nanoTime() < deadline) {
      spec = client.jobs().get(jobId).orElse(null);
      if (spec != null && spec.getState() == JobState.FAILED) {
        break;
      }
      Thread.sleep(100);
    }
    assertTrue(spec != null && spec.getState() == JobState.FAILED, "pclean.jobs: " + spec);
    assertTrue(spec.getError().contains(what), spec.getError());
  }

  @Test
  void everyWorkerKilledMidJob() throws Exception {
    TcleanParams p = cube("workers-gone");
    String job = submit(p);
    var waiting = awaitFailure(job, p);
    worker.await(s -> ElasticWorkersTest.tookTask(s, job), LONG);
    long killed = System.nanoTime();
    worker.kill();
    // kill -9: the group notices at its session timeout (10 s on the embedded broker), then the stall timeout.
    double s = failsWith(waiting, "`pclean worker`", killed, 10 + STALL.toSeconds() + 15);
    System.out.printf(Locale.ROOT, "every worker killed -> client reports FAILED: %.1f s (session timeout 10 s +"
        + " stall timeout %d s)%n", s, STALL.toSeconds());
    recordedFailed(job, "`pclean worker`");
  }

  @Test
  void coordinatorStoppedMidJob() throws Exception {
    TcleanParams p = cube("coordinator-gone");
    String job = submit(p);
    var waiting = awaitFailure(job, p);
    worker.await(s -> ElasticWorkersTest.tookTask(s, job), LONG);
    long stopped = System.nanoTime();
    coordinator.close();  // leaves its group at once
    double s = failsWith(waiting, "`pclean gather`", stopped, STALL.toSeconds() + 15);
    System.out.printf(Locale.ROOT, "coordinator stopped -> client reports FAILED: %.1f s (stall timeout %d s)%n", s,
        STALL.toSeconds());
    recordedFailed(job, "`pclean gather`");
  }

  @Test
  void jobSpecDeletedMidJob() throws Exception {
    TcleanParams p = cube("jobspec-gone");
    String job = submit(p);
    var waiting = awaitFailure(job, p);
    worker.await(s -> ElasticWorkersTest.tookTask(s, job), LONG);
    assertTrue(client.jobs().await(job, LONG).isPresent());
    Thread.sleep(500);  // the waiting client has seen it (it checks every 100 ms)
    long deleted = System.nanoTime();
    client.producer().send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job), null)).get();
    double s = failsWith(waiting, "JobSpec has been missing from pclean.jobs", deleted, STALL.toSeconds() + 15);
    System.out.printf(Locale.ROOT, "JobSpec deleted -> client reports FAILED: %.1f s (stall timeout %d s)%n", s,
        STALL.toSeconds());
    recordedFailed(job, "JobSpec has been missing");
    assertEquals(JobState.FAILED, client.jobs().get(job).orElseThrow().getState());
  }
}
