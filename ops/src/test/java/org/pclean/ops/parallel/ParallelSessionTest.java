package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.DataColumn;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ops.PClean;

/**
 * Several jobs on one {@link ParallelSession}, each on the session's own embedded broker (no cluster named), as an
 * observatory embedding the library runs them: continuum and cube jobs one after another on the same broker,
 * coordinator, sinks and workers each equal their serial run; a job that fails (in a worker, or by its deadline
 * with tasks in flight) leaves the services to the next job; a job that needs longer worker timeouts, or finds a
 * worker ended, restarts the services on the same broker; the session's directory is gone after close.
 */
class ParallelSessionTest {
  static final int N = 96;
  static final double CELL = 4 * Math.PI / 180 / 3600;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void setUp() {
    ms = tmp.resolve("session.ms");
    ParallelCubeTest.simulateMs(ms);  // 5 channels, two sources, a little noise
  }

  static TcleanParams.Builder mfs(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).niter(500).threshold(5e-4).threads(1);
  }

  static TcleanParams.Builder cube(String name) {
    return mfs(name).specmode(TcleanParams.SpecMode.CUBE).niter(200).threshold(1e-3);
  }

  /** 2 workers on an embedded broker of the session; rowChunks 0: one row chunk per worker. */
  static ParallelRunner.Settings settings(String work) {
    return new ParallelRunner.Settings(2, -1, null, tmp.resolve(work), "auto", false, Duration.ofMinutes(5), 0,
        false);
  }

  static String bootstrap(ParallelSession s) {
    return s.client().getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
  }

  @Test
  void continuumAndCubeJobsOnOneWarmSessionEachEqualSerial() throws Exception {
    TcleanParams briggs = mfs("par-briggs").weighting(WeightingMode.BRIGGS).robust(0).build();
    TcleanParams cube = cube("par-cube").build();
    TcleanParams mtmfs = mfs("par-mtmfs").deconvolver(DeconvolverKind.MTMFS).build();
    ParallelRunner.Settings s = settings("work-kinds");
    Path sessionDir;
    try (ParallelSession session = PClean.session(s)) {
      var first = session.run(briggs);
      String broker = bootstrap(session);
      sessionDir = session.directory();
      // Jobs with settings of their own on the same workers: sub-cubes of 2 channels, then 3 row chunks.
      var second = session.run(cube, s.withWorkers(2, 2));
      var third = session.run(mtmfs, new ParallelRunner.Settings(2, -1, null, tmp.resolve("work-kinds"), "auto",
          false, Duration.ofMinutes(5), 3, false));
      for (var o : new ParallelRunner.Outcome[] {first, second, third}) {
        assertEquals(JobState.DONE, o.job().getState(), o.jobId());
        o.products().forEach(p -> assertTrue(Files.isDirectory(p), p + " written where the params say"));
      }
      assertEquals(2, first.job().getNumPartitions(), "one row chunk per worker");
      assertEquals(3, second.job().getNumPartitions(), "5 channels in sub-cubes of 2");
      assertEquals(3, third.job().getNumPartitions(), "the job's own 3 row chunks");
      assertEquals(1, session.servicesStarted(), "every job on the services the first one started");
      assertEquals(broker, bootstrap(session), "on the same broker");
      assertTrue(sessionDir.startsWith(tmp.resolve("work-kinds")) && Files.isDirectory(sessionDir), sessionDir
          .toString());
    }
    assertFalse(Files.exists(sessionDir), "the session's directory is removed on close");
    TcleanParams serialBriggs = briggs.toBuilder().imagename(tmp.resolve("ser-briggs").toString()).build();
    TcleanParams serialMtmfs = mtmfs.toBuilder().imagename(tmp.resolve("ser-mtmfs").toString()).build();
    SerialImager.run(serialBriggs);
    SerialImager.run(serialMtmfs);
    SerialImager.run(cube("ser-cube").build());
    ParallelContinuumTest.assertSameProducts(serialBriggs, briggs, "briggs mfs, first job");
    ParallelCubeTest.assertSameCube(tmp.resolve("ser-cube"), tmp.resolve("par-cube"));
    ParallelContinuumTest.assertSameProducts(serialMtmfs, mtmfs, "mtmfs, third job");
  }

  @Test
  void aFailedJobLeavesTheSessionToTheNextJob() throws Exception {
    // A start model of 1 channel for a 5-channel cube: passes the client's checks, fails in the workers.
    TcleanParams continuum = mfs("one-plane").niter(10).build();
    SerialImager.run(continuum);
    Path onePlane = new OutputNames(continuum.imagename()).path(OutputNames.Product.MODEL);
    TcleanParams badModel = cube("bad-model").startmodel(onePlane).build();
    // Far more major cycles than fit in its 2 s deadline: failed by the client with its tasks still in flight.
    TcleanParams endless = mfs("endless").niter(100000).cycleniter(5).threshold(0).build();
    ParallelRunner.Settings s = settings("work-fail");
    ParallelRunner.Settings twoSeconds = new ParallelRunner.Settings(2, -1, null, tmp.resolve("work-fail"), "auto",
        false, Duration.ofSeconds(2), 0, false);
    TcleanParams good = cube("after-failures").build();
    try (ParallelSession session = PClean.session(s)) {
      var inWorker = assertThrows(IllegalStateException.class, () -> session.run(badModel));
      assertTrue(inWorker.getMessage().contains("failed: sub-cube")
          && inWorker.getMessage().contains("holds 1 channel(s), the cube 5"), inWorker.getMessage());
      String broker = bootstrap(session);
      var late = assertThrows(IllegalStateException.class, () -> session.run(endless, twoSeconds));
      assertTrue(late.getMessage().contains("did not finish within 2 s"), late.getMessage());
      var outcome = session.run(good);
      assertEquals(JobState.DONE, outcome.job().getState());
      assertEquals(1, session.servicesStarted(), "the failures did not need new services");
      assertEquals(broker, bootstrap(session));
    }
    SerialImager.run(cube("ser-after-failures").build());
    ParallelCubeTest.assertSameCube(tmp.resolve("ser-after-failures"), tmp.resolve("after-failures"));
  }

  /** A worker found ended before a job: the services are restarted on the same broker; the job equals serial. */
  @Test
  void aServiceFoundEndedIsRestartedBeforeTheNextJob() throws Exception {
    TcleanParams next = cube("after-dead-worker").build();
    try (ParallelSession session = PClean.session(settings("work-dead"))) {
      assertEquals(JobState.DONE, session.run(mfs("before-dead-worker").build()).job().getState());
      String broker = bootstrap(session);
      LocalCluster services = session.services();
      services.stopWorker(1);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (services.failedService().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals("pclean-worker-1 has ended", services.failedService().orElse("no service ended"));
      var outcome = session.run(next);
      assertEquals(JobState.DONE, outcome.job().getState());
      assertEquals(2, session.servicesStarted(), "restarted for the dead worker");
      assertTrue(session.services() != services && session.services().failedService().isEmpty());
      assertEquals(broker, bootstrap(session), "on the same broker");
    }
    SerialImager.run(cube("ser-after-dead-worker").build());
    ParallelCubeTest.assertSameCube(tmp.resolve("ser-after-dead-worker"), tmp.resolve("after-dead-worker"));
  }

  /**
   * niter 5e6 (stopped by its threshold after a few hundred iterations) bounds the longest minor cycle at 15 min,
   * so its workers need a longer model wait (31 min) than a small job's (the 10 min default): the session restarts
   * the coordinator, sinks and workers for it, on the same broker, and keeps them for a small job after it.
   */
  @Test
  void aJobNeedingLongerTimeoutsRestartsTheServicesOnTheSameBroker() throws Exception {
    TcleanParams small = mfs("small").build();
    // Stopped at 2 mJy, well above the noise (at 0.5 mJy the last cycles' near-ties split serial and parallel).
    TcleanParams large = mfs("large-niter").niter(5_000_000).threshold(2e-3).build();
    TcleanParams smallAgain = mfs("small-again").build();
    try (ParallelSession session = PClean.session(settings("work-restart"))) {
      assertEquals(JobState.DONE, session.run(small).job().getState());
      String broker = bootstrap(session);
      assertEquals(1, session.servicesStarted());
      assertEquals(JobState.DONE, session.run(large).job().getState());
      assertEquals(2, session.servicesStarted(), "restarted for the longer timeouts");
      assertEquals(JobState.DONE, session.run(smallAgain).job().getState());
      assertEquals(2, session.servicesStarted(), "the restarted services cover the small job");
      assertEquals(broker, bootstrap(session), "the broker stayed up");
    }
    TcleanParams serialLarge = large.toBuilder().imagename(tmp.resolve("ser-large-niter").toString()).build();
    SerialImager.run(serialLarge);
    ParallelContinuumTest.assertSameProducts(serialLarge, large, "large niter after the restart");
    TcleanParams serialSmall = small.toBuilder().imagename(tmp.resolve("ser-small").toString()).build();
    SerialImager.run(serialSmall);
    ParallelContinuumTest.assertSameProducts(serialSmall, smallAgain, "small job on the restarted services");
  }

  /** A job for other workers or another cluster is refused before anything starts; a closed session runs none. */
  @Test
  void aJobForOtherWorkersIsRefusedAndAClosedSessionRunsNothing() throws Exception {
    ParallelRunner.Settings s = settings("work-refused");
    ParallelSession session = PClean.session(s);
    try (session) {
      var e = assertThrows(IllegalArgumentException.class, () -> session.run(mfs("three").build(),
          s.withWorkers(3, -1)));
      assertTrue(e.getMessage().contains("runs on its 2 worker(s) at an embedded broker, not 3"), e.getMessage());
      assertEquals(0, session.servicesStarted(), "nothing started for a refused job");
      assertFalse(Files.exists(tmp.resolve("work-refused")), "nor any directory made");
    }
    var closed = assertThrows(IllegalStateException.class, () -> session.run(mfs("closed").build()));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
  }
}
