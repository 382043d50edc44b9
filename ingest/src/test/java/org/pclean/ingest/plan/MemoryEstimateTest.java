package org.pclean.ingest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.pclean.ingest.params.TcleanParams;
import org.junit.jupiter.api.Test;

/**
 * The estimate's terms against the arrays counted by hand for the bench MS's shape (252 720 rows, 64 channels,
 * 4 correlations); the constants are the model's, the arithmetic is written out independently here.
 */
class MemoryEstimateTest {
  private static final long ROWS = 252_720;
  private static final int CHANNELS = 64;
  private static final MemoryEstimate.Selection BENCH = new MemoryEstimate.Selection(ROWS, CHANNELS, 4);

  private static TcleanParams.Builder mfs(int n) {
    return TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").imsize(n, n).cell(4.8e-6, 4.8e-6).threads(2);
  }

  @Test
  void dirtyMfsTermsAreTheArraysTheEngineHolds() {
    MemoryEstimate e = MemoryEstimate.serial(mfs(1024).niter(0).build(), BENCH);
    long samples = ROWS * CHANNELS;
    // 1024 * 1.2 = 1228.8 -> 1250 = 2 * 5^4, the smallest even 2-3-5-smooth size above it.
    long grid = 1250L * 1250L;
    assertEquals(24 * ROWS + 13 * samples, e.terms().get("visibilities"));
    assertEquals(4 * samples, e.terms().get("weights"));
    assertEquals(0, e.terms().get("major_cycle"));
    assertEquals(2 * 16 * grid + 3 * 4 * 1024L * 1024 + 12 * samples + 24 * ROWS, e.terms().get("gridding"));
    // psf, residual, model, pb, mask, restored (6 float images) and the density (a double image).
    assertEquals(4L * 1024 * 1024 * 6 + 8L * 1024 * 1024, e.terms().get("images"));
    long load = 150_000_000L + 24 * ROWS + 13 * samples + (long) (0.7 * 13 * 4 * samples);
    assertEquals(load, e.loadPhaseBytes());
    assertEquals(Math.max(load, e.terms().values().stream().mapToLong(Long::longValue).sum()), e.perWorkerBytes());
  }

  @Test
  void mtmfsHoldsTaylorWeightsAndImagesPerTerm() {
    MemoryEstimate one = MemoryEstimate.serial(mfs(1024).niter(100).build(), BENCH);
    MemoryEstimate two = MemoryEstimate.serial(
        mfs(1024).niter(100).deconvolver(TcleanParams.DeconvolverKind.MTMFS).nterms(2).build(), BENCH);
    long samples = ROWS * CHANNELS;
    // 2nt-1 = 3 Taylor weights instead of 1; psfs 3 + residuals 2 + models 2 instead of 1 + 1 + 1.
    assertEquals(2 * 4 * samples, two.terms().get("weights") - one.terms().get("weights"));
    assertEquals(4L * 1024 * 1024 * 4, two.terms().get("images") - one.terms().get("images"));
    assertEquals(2 * 8 * samples, two.terms().get("major_cycle"));
  }

  @Test
  void cubeWorkersHoldTheirSubcubeAndTheTotalCountsEveryWorker() {
    TcleanParams cube = mfs(512).specmode(TcleanParams.SpecMode.CUBE).niter(10).build();
    MemoryEstimate serial = MemoryEstimate.serial(cube, BENCH);
    MemoryEstimate parallel = MemoryEstimate.parallel(cube, BENCH, 4, 16);
    // A worker loads 16 of the 64 channels, plus the plane it images (one channel).
    assertEquals(24 * ROWS + 13 * ROWS * 16 + 13 * ROWS, parallel.terms().get("visibilities"));
    assertEquals(4 * parallel.perWorkerBytes(), parallel.totalBytes());
    assertTrue(parallel.perWorkerBytes() < serial.perWorkerBytes());
  }

  @Test
  void continuumAddsTheCoordinatorToTheWorkers() {
    TcleanParams p = mfs(2048).niter(100).build();
    MemoryEstimate e = MemoryEstimate.parallel(p, BENCH, 2, 0);
    long chunkSamples = (ROWS / 2) * CHANNELS;
    assertEquals(24 * (ROWS / 2) + 13 * chunkSamples, e.terms().get("visibilities"));
    // The coordinator: the JVM and the gathered images (nterms + 4) twice (the app and its stores).
    assertEquals(2 * e.perWorkerBytes() + 150_000_000L + 2 * 4L * 2048 * 2048 * 5, e.totalBytes());
  }
}
