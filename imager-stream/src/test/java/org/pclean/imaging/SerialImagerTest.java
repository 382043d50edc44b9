package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.WeightingMode;

/** The serial engine against a simulated sky (truth), on MSs made by the simulator. */
class SerialImagerTest {
  static final int N = 256;
  static final int NCHAN = 4;
  static final double DFREQ = 8e6;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void simulate() {
    ms = SkySimulation.simulate(tmp, "mfs.ms", NCHAN, DFREQ, 2.0, 0.0);
  }

  private static TcleanParams.Builder base(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA);
  }

  /** MFS flux of a source: natural weights are equal across channels, so the band mean of S (ν/ν0)^α. */
  static double bandMean(SkySimulation.Source s) {
    double mean = 0;
    for (int c = 0; c < NCHAN; c++) {
      mean += s.flux() * Math.pow((SkySimulation.FREQ0 + c * DFREQ) / SkySimulation.FREQ0, s.alpha()) / NCHAN;
    }
    return mean;
  }

  /** Sub-pixel peak position by a parabola through the peak and its neighbours along one axis. */
  static double parabola(float left, float centre, float right) {
    double denom = left - 2 * centre + right;
    return denom == 0 ? 0 : 0.5 * (left - right) / denom;
  }

  @Test
  void mfsHogbomRecoversKnownSkyFluxesAndPositions() {
    var r = SerialImager.run(base("mfs").niter(5000).threshold(1e-4).build());
    var plane = r.planes().get(0);
    assertEquals(StopReason.THRESHOLD, plane.stop());
    assertTrue(plane.peakResidual() <= 1e-4, "peak residual " + plane.peakResidual());
    try (CasaImage img = CasaImage.open(tmp.resolve("mfs.image"))) {
      assertEquals("Jy/beam", img.units());
      assertTrue(img.beam(0, 0).isPresent());
      float[] d = img.readPlane(0, 0);
      for (SkySimulation.Source s : SkySimulation.SKY) {
        int x = N / 2 + s.dx();
        int y = N / 2 + s.dy();
        float peak = d[y * N + x];
        assertEquals(bandMean(s), peak, 0.01 * bandMean(s), "flux of " + s);
        assertEquals(0.0, parabola(d[y * N + x - 1], peak, d[y * N + x + 1]), 0.1, "x of " + s);
        assertEquals(0.0, parabola(d[(y - 1) * N + x], peak, d[(y + 1) * N + x]), 0.1, "y of " + s);
        // The pixel's sky position is the source's: l = -dx cell east of the phase centre.
        double[] w = img.toWorld(x, y, 0, 0);
        double l = s.point().l();
        double m = s.point().m();
        double n = Math.sqrt(1 - l * l - m * m);
        double dec = Math.asin(m * Math.cos(SkySimulation.DEC) + n * Math.sin(SkySimulation.DEC));
        double ra = SkySimulation.RA + Math.atan2(l, n * Math.cos(SkySimulation.DEC) - m * Math.sin(SkySimulation.DEC));
        assertEquals(ra, w[0], 1e-9);
        assertEquals(dec, w[1], 1e-9);
      }
    }
    double truth = SkySimulation.SKY.stream().mapToDouble(SerialImagerTest::bandMean).sum();
    assertEquals(truth, plane.modelFlux(), 0.01 * truth);
    for (Path p : r.products()) {
      assertTrue(Files.isDirectory(p), p + " written");
    }
    try (CasaImage psf = CasaImage.open(tmp.resolve("mfs.psf"));
         CasaImage sumwt = CasaImage.open(tmp.resolve("mfs.sumwt"))) {
      assertEquals(1.0f, psf.readPlane(0, 0)[N / 2 * N + N / 2], 1e-6f);
      assertEquals(plane.sumwt(), sumwt.readPlane(0, 0)[0], 1e-3 * plane.sumwt());
    }
  }

  @Test
  void niterIsRespectedExactly() {
    var r = SerialImager.run(base("niter").niter(37).cycleniter(10).build());
    assertEquals(37, r.totalIterations());
    assertEquals(StopReason.NITER, r.planes().get(0).stop());
    assertTrue(r.history().stream().allMatch(c -> c.iterations() <= 10));
    assertEquals(4, r.history().size());
  }

  /**
   * tclean's nmajor counts major cycles after the first: nmajor 2 runs two minor cycles, each followed by a major
   * cycle, then stops (code 9) — the same images as the run that niter stops at that point (2 × cycleniter).
   */
  @Test
  void nmajorLimitsTheMajorCyclesAfterTheFirst() {
    var limited = SerialImager.run(base("nmajor2").niter(1000).cycleniter(10).nmajor(2).build());
    assertEquals(StopReason.NMAJOR, limited.planes().get(0).stop());
    assertEquals(9, limited.planes().get(0).stop().code());
    assertEquals(2, limited.history().size());
    assertEquals(20, limited.totalIterations());
    var byNiter = SerialImager.run(base("niter20").niter(20).cycleniter(10).build());
    assertEquals(StopReason.NITER, byNiter.planes().get(0).stop());
    try (CasaImage a = CasaImage.open(tmp.resolve("nmajor2.residual"));
         CasaImage b = CasaImage.open(tmp.resolve("niter20.residual"))) {
      assertArrayEquals(b.readPlane(0, 0), a.readPlane(0, 0));
    }
    var none = SerialImager.run(base("nmajor0").niter(1000).nmajor(0).build());
    assertEquals(StopReason.NMAJOR, none.planes().get(0).stop());
    assertEquals(0, none.totalIterations(), "nmajor 0: only the major cycle that makes the residual");
  }

  @Test
  void zeroIterationsMakesTheDirtyImage() {
    var r = SerialImager.run(base("dirty").niter(0).build());
    assertEquals(StopReason.ZERO_ITERATIONS, r.planes().get(0).stop());
    assertEquals(0, r.totalIterations());
    try (CasaImage model = CasaImage.open(tmp.resolve("dirty.model"))) {
      for (float v : model.readPlane(0, 0)) {
        assertEquals(0f, v);
      }
    }
  }

  @Test
  void thresholdStopsWithinOneGainStep() {
    double threshold = 0.05;
    var r = SerialImager.run(base("thr").niter(100000).threshold(threshold).gain(0.1).build());
    var plane = r.planes().get(0);
    assertEquals(StopReason.THRESHOLD, plane.stop());
    assertTrue(plane.peakResidual() <= threshold, "final peak " + plane.peakResidual());
    assertTrue(plane.peakResidual() > threshold * (1 - 0.1) - 1e-3, "stopped well past the threshold: "
        + plane.peakResidual());
  }

  /** Uniform gives the narrowest beam, natural the widest; robust +2 ≈ natural, -2 ≈ uniform. */
  @Test
  void weightingOrdersBeamSizes() {
    double nat = beamArea(base("w_nat").weighting(WeightingMode.NATURAL));
    double uni = beamArea(base("w_uni").weighting(WeightingMode.UNIFORM));
    double b0 = beamArea(base("w_b0").weighting(WeightingMode.BRIGGS).robust(0));
    double bp2 = beamArea(base("w_bp2").weighting(WeightingMode.BRIGGS).robust(2));
    double bm2 = beamArea(base("w_bm2").weighting(WeightingMode.BRIGGS).robust(-2));
    assertTrue(uni < b0 && b0 < nat, "uniform " + uni + " < briggs 0 " + b0 + " < natural " + nat);
    assertEquals(nat, bp2, 0.03 * nat, "robust +2 ~ natural");
    assertEquals(uni, bm2, 0.03 * uni, "robust -2 ~ uniform");
    double tapered = beamArea(base("w_tap").uvtaper(30 * SkySimulation.ARCSEC));
    assertTrue(tapered > 1.5 * nat, "a 30\" taper widens the " + Math.sqrt(nat) + "\" beam: " + tapered);
  }

  private static double beamArea(TcleanParams.Builder b) {
    var beam = SerialImager.run(b.niter(0).build()).planes().get(0).beam();
    return beam.majorArcsec() * beam.minorArcsec();
  }

  @Test
  void savemodelWritesModelData() throws Exception {
    Path copy = tmp.resolve("save.ms");
    SkySimulation.simulate(tmp, "save.ms", NCHAN, DFREQ, 2.0, 0.0);
    SerialImager.run(TcleanParams.builder().vis(copy).imagename(tmp.resolve("save").toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).niter(5000).threshold(1e-4).savemodel(true).build());
    try (MeasurementSet m = MeasurementSet.open(copy)) {
      assertTrue(m.metadata().dataColumns().contains(DataColumn.MODEL));
    }
    // The model of a fully cleaned noise-free sky predicts the data (to the gridder's accuracy).
    double misfit = SkySimulation.modelMisfit(copy, NCHAN);
    assertTrue(misfit < 0.02, "relative rms of DATA - MODEL_DATA " + misfit);
  }

  @Test
  void badInputIsRejectedWithReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> SerialImager.run(TcleanParams.builder()
        .vis(tmp.resolve("missing.ms")).imagename(tmp.resolve("x").toString()).build()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> SerialImager.run(base("x").spw(3).build()));
    assertTrue(e2.getMessage().contains("spw 3"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class,
        () -> base("x").deconvolver(TcleanParams.DeconvolverKind.MULTISCALE).build());
    assertTrue(e3.getMessage().contains("multiscale needs scales"), e3.getMessage());
    assertFalse(Files.exists(tmp.resolve("x.image")), "no half-written output on bad input");
  }
}
