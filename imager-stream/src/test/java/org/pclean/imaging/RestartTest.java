package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;

/**
 * tclean's restart and startmodel against the single-run path: a run of niter N1 continued by a restart of N2
 * equals one run of N1 + N2 with the same major-cycle boundaries (cycleniter with min/maxpsffraction 0, so every
 * minor cycle runs exactly cycleniter iterations); a startmodel equal to a run's model gives that run's residual.
 */
class RestartTest {
  static final int N = 128;
  static final int CYCLE = 20;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void simulate() {
    ms = SkySimulation.simulate(tmp, "restart.ms", 2, 8e6, 1.0, 0.0);
  }

  private static TcleanParams.Builder base(String name, int niter) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA).niter(niter).cycleniter(CYCLE)
        .minpsffraction(0).maxpsffraction(0);
  }

  @Test
  void restartContinuesAsOneRun() {
    var single = SerialImager.run(base("single", 100).build());
    var first = SerialImager.run(base("split", 60).build());
    var rest = SerialImager.run(base("split", 40).restart(true).build());
    assertEquals(100, single.totalIterations());
    assertEquals(60, first.totalIterations());
    assertEquals(40, rest.totalIterations());
    assertEquals(5, single.history().size());
    assertEquals(2, rest.history().size());
    for (String product : new String[] {"model", "residual", "image"}) {
      assertSame(tmp.resolve("single." + product), tmp.resolve("split." + product), 0, 1e-5);
    }
  }

  @Test
  void restartReusesResidualAndPsfWhenAsked() {
    SerialImager.run(base("reuse_single", 80).build());
    SerialImager.run(base("reuse", 40).build());
    SerialImager.run(base("reuse", 40).restart(true).calcres(false).calcpsf(false).build());
    // The reused residual is the one written (normalised by the PSF peak); the next major cycles normalise by
    // the written sum of weights, which the gridded PSF peak equals to float precision (measured 2e-7).
    for (String product : new String[] {"model", "residual", "image"}) {
      assertSame(tmp.resolve("reuse_single." + product), tmp.resolve("reuse." + product), 0, 1e-5);
    }
  }

  @Test
  void startmodelGivesThatModelsResidual() {
    SerialImager.run(base("ref", 60).build());
    SerialImager.run(base("fromref", 0).startmodel(tmp.resolve("ref.model")).build());
    assertSame(tmp.resolve("ref.residual"), tmp.resolve("fromref.residual"), 0, 1e-5);
    assertSame(tmp.resolve("ref.model"), tmp.resolve("fromref.model"), 0, 0);
  }

  @Test
  void cubeRestartContinuesEveryChannel() {
    SerialImager.run(base("cube_single", 60).specmode(SpecMode.CUBE).build());
    SerialImager.run(base("cube_split", 20).specmode(SpecMode.CUBE).build());
    SerialImager.run(base("cube_split", 40).specmode(SpecMode.CUBE).restart(true).build());
    for (int chan = 0; chan < 2; chan++) {
      for (String product : new String[] {"model", "residual", "image"}) {
        assertSame(tmp.resolve("cube_single." + product), tmp.resolve("cube_split." + product), chan, 1e-5);
      }
    }
  }

  /** mtmfs restarts from both Taylor models (.model.tt0/.tt1). */
  @Test
  void mtmfsRestartContinuesBothTerms() {
    var mtmfs = TcleanParams.DeconvolverKind.MTMFS;
    SerialImager.run(base("tt_single", 80).deconvolver(mtmfs).build());
    SerialImager.run(base("tt_split", 40).deconvolver(mtmfs).build());
    SerialImager.run(base("tt_split", 40).deconvolver(mtmfs).restart(true).build());
    for (String product : new String[] {"model.tt0", "model.tt1", "residual.tt0", "residual.tt1", "image.tt0"}) {
      assertSame(tmp.resolve("tt_single." + product), tmp.resolve("tt_split." + product), 0, 1e-5);
    }
  }

  /** The .mask is read back: a restart without mask entries cleans only where the first run's mask was. */
  @Test
  void restartCleansInTheWrittenMask() {
    String circle = "circle[[" + (N / 2 - 20) + "pix, " + (N / 2 + 10) + "pix], 6pix]";
    SerialImager.run(base("mask_single", 60).mask(circle).build());
    SerialImager.run(base("mask_split", 20).mask(circle).build());
    SerialImager.run(base("mask_split", 40).restart(true).build());
    assertSame(tmp.resolve("mask_single.model"), tmp.resolve("mask_split.model"), 0, 1e-5);
    assertSame(tmp.resolve("mask_single.mask"), tmp.resolve("mask_split.mask"), 0, 0);
    try (CasaImage model = CasaImage.open(tmp.resolve("mask_split.model"))) {
      float[] m = model.readPlane(0, 0);
      for (int y = 0; y < N; y++) {
        for (int x = 0; x < N; x++) {
          double r = Math.hypot(x - (N / 2 - 20), y - (N / 2 + 10));
          assertTrue(m[y * N + x] == 0 || r <= 6.5, "component outside the mask at " + x + "," + y);
        }
      }
    }
  }

  @Test
  void mismatchedOrMissingStartImagesAreRefusedBeforeReading() {
    SerialImager.run(base("small", 10).build());
    var e = assertThrows(IllegalArgumentException.class,
        () -> new SerialImager(base("small", 10).imsize(2 * N, 2 * N).restart(true).build()));
    assertTrue(e.getMessage().contains("does not match imsize"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SerialImager(base("small", 10).restart(true).startmodel(tmp.resolve("small.model")).build()));
    assertTrue(e.getMessage().contains("give one of them"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SerialImager(base("none", 10).restart(true).calcres(false).build()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SerialImager(base("none", 10).startmodel(tmp.resolve("nothing.model")).build()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("small", 10).calcpsf(false).build());
    assertTrue(e.getMessage().contains("need restart"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("small", 10).restart(true).overwrite(true).build());
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
    // A cube restart from a one-channel mfs set: the plane count is checked once the selection is read.
    e = assertThrows(IllegalArgumentException.class,
        () -> SerialImager.run(base("small", 10).specmode(SpecMode.CUBE).restart(true).build()));
    assertTrue(e.getMessage().contains("1 channel(s), the run makes 2 plane(s)"), e.getMessage());
  }

  /** Every pixel of one channel within tol of the first image's peak |value|. */
  private static void assertSame(Path expected, Path actual, int chan, double tol) {
    try (CasaImage a = CasaImage.open(expected); CasaImage b = CasaImage.open(actual)) {
      float[] x = a.readPlane(0, chan);
      float[] y = b.readPlane(0, chan);
      double peak = 0;
      double worst = 0;
      for (int i = 0; i < x.length; i++) {
        peak = Math.max(peak, Math.abs(x[i]));
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
      System.out.printf("%s vs %s chan %d: max |diff| %.3g of peak %.4g%n", expected.getFileName(),
          actual.getFileName(), chan, worst, peak);
      assertTrue(worst <= tol * peak, actual + " differs from " + expected + " by " + worst + " (peak " + peak + ")");
    }
  }
}
