package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * Load: 20 jobs of mixed kinds (cubes of 1 and 2 channels per sub-cube, continuum jobs of 2 and 3 row chunks)
 * submitted at once to one set of services (embedded broker, coordinator, sinks, two workers). Every job ends DONE
 * with one DONE event, and its products equal the serial run of its kind (chunking does not change an image).
 */
class ConcurrentJobsTest {
  static final int JOBS = 20;
  static final double ARCSEC = Math.PI / 180 / 3600;

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static LocalCluster cluster;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("load.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("E", Math.toRadians(150), Math.toRadians(40), 4, 1.4e9, 20e6, "RR LL", -0.5,
            0.5, 60, 60000, 0.001, 11),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7),
            new MsSimulator.PointSource(60 * ARCSEC, -48 * ARCSEC, 0.4, 0.5)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    cluster = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve("work"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams cube(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(96, 96).cell(5 * ARCSEC, 5 * ARCSEC).datacolumn(DataColumn.DATA).niter(100).threshold(1e-3).threads(1)
        .build();
  }

  static TcleanParams continuum(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(96, 96)
        .cell(5 * ARCSEC, 5 * ARCSEC).datacolumn(DataColumn.DATA).niter(100).cycleniter(50).threshold(0).threads(1)
        .build();
  }

  /** One job of the mix: its parameters and chunking. */
  record Mixed(TcleanParams params, int cubeChunk, int rowChunks) {
    boolean cube() {
      return params.specmode() == TcleanParams.SpecMode.CUBE;
    }
  }

  @Test
  void twentyMixedJobsSubmittedAtOnceAllEqualSerial() throws Exception {
    TcleanParams serialCube = cube("serial-cube");
    TcleanParams serialMfs = continuum("serial-mfs");
    SerialImager.run(serialCube);
    SerialImager.run(serialMfs);
    List<Mixed> mix = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      mix.add(switch (i % 4) {
        case 0 -> new Mixed(cube("cube1-" + i), 1, 0);
        case 1 -> new Mixed(continuum("mfs2-" + i), 1, 2);
        case 2 -> new Mixed(cube("cube2-" + i), 2, 0);
        default -> new Mixed(continuum("mfs3-" + i), 1, 3);
      });
    }
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(JOBS);
    List<Future<String>> ids = new ArrayList<>();
    try {
      for (Mixed m : mix) {
        ids.add(pool.submit(() -> ParallelRunner.submit(cluster.client(), cluster.producer(), m.params(),
            new ParallelRunner.Settings(2, m.cubeChunk(), broker.bootstrapServers(), tmp.resolve("work"), "auto",
                false, Duration.ofMinutes(5), m.rowChunks(), false))));
      }
      List<String> jobs = new ArrayList<>();
      for (Future<String> f : ids) {
        jobs.add(f.get());
      }
      long submitted = System.nanoTime();
      for (int i = 0; i < JOBS; i++) {
        var outcome = ParallelRunner.await(cluster, jobs.get(i), mix.get(i).params(), Duration.ofMinutes(5));
        assertEquals(JobState.DONE, outcome.job().getState(), jobs.get(i));
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      for (int i = 0; i < JOBS; i++) {
        Mixed m = mix.get(i);
        if (m.cube()) {
          ParallelCubeTest.assertSameCube(Path.of(serialCube.imagename()), Path.of(m.params().imagename()));
        } else {
          ParallelContinuumTest.assertSameProducts(serialMfs, m.params(), m.params().imagename());
        }
        long done = ServiceFaultsTest.events(cluster.client(), jobs.get(i)).stream()
            .filter(e -> e.getType() == JobEventType.DONE).count();
        assertEquals(1, done, jobs.get(i) + ": one DONE event");
      }
      System.out.printf(Locale.ROOT, "LOAD: %d mixed jobs submitted at once (in %.1f s) all DONE and equal to serial"
          + " after %.1f s on 2 workers%n", JOBS, (submitted - t0) / 1e9, wall);
    } finally {
      pool.shutdownNow();
    }
  }
}
