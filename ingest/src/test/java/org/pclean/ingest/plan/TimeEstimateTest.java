package org.pclean.ingest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pclean.ingest.params.TcleanParams;

/**
 * The bound's work counted by hand for the bench MS's shape (252 720 rows, 64 channels, 4 correlations) with the
 * model's rates (1 M samples/s gridded, 10 M grid cells/s transformed, 50 M pixels/s searched, 5 M samples/s
 * read); the arithmetic is written out here independently of the class.
 */
class TimeEstimateTest {
  private static final MemoryEstimate.Selection BENCH = new MemoryEstimate.Selection(252_720, 64, 4);

  private static TcleanParams.Builder params(int n) {
    return TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").imsize(n, n).cell(4.8e-6, 4.8e-6);
  }

  private static void assertSeconds(double expected, Duration actual) {
    assertEquals(expected, actual.toMillis() / 1000.0, 0.0015, actual.toString());
  }

  @Test
  void serialBriggsMfsCountsItsPassesAndItsMinorCycle() {
    TimeEstimate e = TimeEstimate.of(params(2048).weighting(TcleanParams.WeightingMode.BRIGGS).niter(5000).build(),
        BENCH, 0, 0);
    double samples = 252_720.0 * 64;
    // density 1 + psf 1 + dirty 1 + 20 major cycles x (predict + invert) = 43 passes; 2048 x 1.2 pads to 2500.
    double pass = samples / 1e6 + 2500.0 * 2500 / 10e6;
    double minor = 5000 * 2048.0 * 2048 / 50e6;
    double read = samples * 4 / 5e6;
    assertSeconds(read + 43 * pass + minor, e.total());
    assertSeconds(minor, e.longestMinorCycle());
    // A deadline three times that is about an hour; ten minutes at least.
    assertEquals(Duration.ofMillis((long) Math.ceil(e.total().toMillis() * 3.0)), e.deadline(3, Duration.ofMinutes(10)));
    TimeEstimate dirty = TimeEstimate.of(params(256).niter(0).build(), new MemoryEstimate.Selection(100, 1, 1), 0, 0);
    assertEquals(Duration.ofMinutes(10), dirty.deadline(3, Duration.ofMinutes(10)));
  }

  @Test
  void aParallelCubeRunsItsSubcubesSideBySide() {
    TcleanParams cube = params(512).specmode(TcleanParams.SpecMode.CUBE).niter(1000).build();
    TimeEstimate e = TimeEstimate.of(cube, BENCH, 2, 32);
    // Natural: psf 1 + dirty 1 + 40 = 42 passes over one channel's 252 720 samples; 512 x 1.2 pads to 640.
    double plane = 42 * (252_720 / 1e6 + 640.0 * 640 / 10e6) + 1000 * 512.0 * 512 / 50e6;
    double task = 252_720.0 * 64 * 4 / 5e6 * 32 / 64 + 32 * plane;
    assertSeconds(task, e.longestTask());
    assertSeconds(task, e.total());  // two workers, two sub-cubes: one round
    assertSeconds(2 * task, TimeEstimate.of(cube, BENCH, 1, 32).total());
  }

  @Test
  void continuumSplitsTheGriddingButNotTheMinorCycle() {
    TcleanParams p = params(1024).deconvolver(TcleanParams.DeconvolverKind.MTMFS).nterms(2).niter(100).build();
    TimeEstimate two = TimeEstimate.of(p, BENCH, 2, 0);
    double chunk = 252_720.0 * 64 / 2;
    // mtmfs nterms 2, natural: psfs 3 + dirty 2 + 20 x 2 x 2 = 85 passes; 1024 pads to 1250; scales [0]: one.
    double pass = chunk / 1e6 + 1250.0 * 1250 / 10e6;
    double minor = 100 * 1024.0 * 1024 * 4 / 50e6;
    double read = chunk * 4 / 5e6;
    assertSeconds(read + 85 * pass + minor, two.total());
    assertSeconds(read + 4 * pass, two.longestTask());
    assertSeconds(minor, two.longestMinorCycle());
  }
}
