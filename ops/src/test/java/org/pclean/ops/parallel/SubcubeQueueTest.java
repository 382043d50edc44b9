package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.SubcubeQueue;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * The sub-cube queue (share group) on a real broker, with in-process workers: a worker that joins after every task
 * was published takes all that still waits, and a sub-cube held past the acquisition lock stays with its worker
 * (the lock is renewed), so nothing is imaged twice. Worker processes joining, stopping and dying are
 * ElasticWorkersTest's.
 */
class SubcubeQueueTest {
  static final int N = 64;
  static final int NCHAN = 4;
  static final double ARCSEC = Math.PI / 180 / 3600;
  /** The group's acquisition lock for this test: Kafka's minimum (group.share.min.record.lock.duration.ms). */
  static final long LOCK_MS = 15_000;
  /** How long the slow worker holds its first sub-cube: well past the lock. */
  static final long HOLD_MS = 2 * LOCK_MS + 3_000;

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static LocalCluster cluster;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("queue.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("Q", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 20e6, "RR LL", -0.2,
            0.2, 60, 60000, 0.001, 3),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    try (Admin admin = Admin.create(broker.clientConfig())) {
      assertTrue(SubcubeQueue.ready(admin), "the embedded broker serves the queue, configured at install");
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, Topics.SUBCUBE_QUEUE_GROUP),
          List.of(new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", Long.toString(LOCK_MS)),
              AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
    }
    cluster = new LocalCluster(broker.bootstrapServers(), 0, tmp.resolve("work"));  // coordinator + sinks only
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams cube(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(N, N).cell(8 * ARCSEC, 8 * ARCSEC).datacolumn(DataColumn.DATA).niter(100).threshold(1e-3).threads(1)
        .build();
  }

  @Test
  void aLateWorkerTakesEveryWaitingSubcubeAndAHeldOneStaysWithItsWorker() throws Exception {
    TcleanParams truth = cube("serial");
    SerialImager.run(truth);
    TcleanParams p = cube("queued");
    Set<Integer> bySlow = new ConcurrentSkipListSet<>();
    Set<Integer> byLate = new ConcurrentSkipListSet<>();
    CountDownLatch slowTook = new CountDownLatch(1);
    try (ModelView models = new ModelView(cluster.client())) {
      ImagingWorker slow = new ImagingWorker(cluster.client(), "slow", cluster.jobs(), models,
          Files.createDirectories(tmp.resolve("scratch-slow")));
      ImagingWorker late = new ImagingWorker(cluster.client(), "late", cluster.jobs(), models,
          Files.createDirectories(tmp.resolve("scratch-late")));
      slow.onTaskTaken(t -> {
        bySlow.add(t.getPartitionIndex());
        if (bySlow.size() == 1) {
          slowTook.countDown();
          try {
            Thread.sleep(HOLD_MS);  // a sub-cube that outlasts the lock twice over
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      late.onTaskTaken(t -> byLate.add(t.getPartitionIndex()));
      Thread a = new Thread(slow, "slow");
      a.start();
      ElasticWorkersTest.awaitMembers(cluster.client(), m -> m == 1, Duration.ofSeconds(60));
      // Planned for the one worker there is: one sub-cube per channel, all published before the second worker.
      String job = ParallelRunner.submit(cluster.client(), cluster.producer(), p, new ParallelRunner.Settings(0, 1,
          broker.bootstrapServers(), tmp.resolve("work"), "auto", false, Duration.ofSeconds(60), 0, false));
      assertTrue(slowTook.await(60, TimeUnit.SECONDS), "the first worker took a sub-cube");
      long joined = System.nanoTime();
      Thread b = new Thread(late, "late");
      b.start();
      var outcome = ParallelRunner.await(cluster, job, p, Duration.ofSeconds(120));
      double took = (System.nanoTime() - joined) / 1e9;
      late.stop();
      slow.stop();
      a.join(30_000);
      b.join(30_000);
      assertEquals(JobState.DONE, outcome.job().getState());
      assertEquals(NCHAN, outcome.job().getNumPartitions(), "one sub-cube per channel");
      int held = bySlow.iterator().next();
      Set<Integer> rest = new TreeSet<>();
      for (int k = 0; k < NCHAN; k++) {
        if (k != held) {
          rest.add(k);
        }
      }
      // On pclean.tasks partitions these would have been pinned to the first worker's partitions, some handed to
      // the late one by the rebalance; on the queue the idle worker takes each as it comes.
      assertEquals(Set.of(held), bySlow, "the first worker made only the sub-cube it held");
      assertEquals(rest, byLate, "the late worker took every other sub-cube, and not the held one");
      assertTrue(took >= HOLD_MS / 1000.0 - 1, "the job waited for the held sub-cube: " + took + " s");
    }
    ParallelCubeTest.assertSameCube(Path.of(truth.imagename()), Path.of(p.imagename()));
  }
}
