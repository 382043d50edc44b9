package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pclean.imaging.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.imaging.weighting.ImagingWeights;

class WeightingAndControlTest {
  private static final double C = 299792458.0;

  /** Samples at chosen uv cells (wavelengths = cell index / (N cell)), one channel at c Hz (λ = 1 m). */
  private static VisibilityData samples(double[][] uvCells, float[] weights, int n, double cell) {
    double[] uvw = new double[3 * uvCells.length];
    for (int i = 0; i < uvCells.length; i++) {
      uvw[3 * i] = uvCells[i][0] / (n * cell);
      uvw[3 * i + 1] = uvCells[i][1] / (n * cell);
    }
    return new VisibilityData(uvw, new double[] {C}, new double[] {1e6}, new float[2 * uvCells.length], weights,
        new double[] {0, 0});
  }

  @Test
  void uniformAndBriggsFollowCasasFormulas() {
    int n = 64;
    double cell = 1e-4;
    // Three samples in cell (5, 3) (one as its Hermitian twin), one alone in (10, -7).
    double[][] uv = {{5, 3}, {5.2, 2.9}, {-5, -3}, {10, -7}};
    float[] w = {1, 2, 3, 4};
    VisibilityData d = samples(uv, w, n, cell);
    ImagingWeights iw = new ImagingWeights(n, n, cell, cell);
    double[] density = iw.density(d);
    float[] uni = iw.apply(d, density, WeightingMode.UNIFORM, 0, 0);
    assertEquals(1 / 6.0, uni[0], 1e-6);
    assertEquals(2 / 6.0, uni[1], 1e-6);
    assertEquals(3 / 6.0, uni[2], 1e-6);
    assertEquals(1.0, uni[3], 1e-6);
    float[] nat = iw.apply(d, density, WeightingMode.NATURAL, 0, 0);
    assertEquals(4.0f, nat[3]);
    double robust = 0.5;
    double f2 = Math.pow(5 * Math.pow(10, -robust), 2) / ((6.0 * 6 + 4 * 4) / 10.0);
    float[] briggs = iw.apply(d, density, WeightingMode.BRIGGS, robust, 0);
    assertEquals(1 / (1 + 6 * f2), briggs[0], 1e-6);
    assertEquals(4 / (1 + 4 * f2), briggs[3], 1e-6);
  }

  @Test
  void taperIsTheFourierTransformOfTheImagePlaneGaussian() {
    int n = 64;
    double cell = 1e-4;
    VisibilityData d = samples(new double[][] {{0, 0}, {12, 0}}, new float[] {1, 1}, n, cell);
    double fwhm = 5e-3;
    ImagingWeights iw = new ImagingWeights(n, n, cell, cell);
    float[] t = iw.apply(d, iw.density(d), WeightingMode.NATURAL, 0, fwhm);
    double sigma = fwhm / (2 * Math.sqrt(2 * Math.log(2)));
    double u = 12 / (n * cell);
    assertEquals(1.0, t[0], 1e-6);
    assertEquals(Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * u * u), t[1], 1e-6);
  }

  @Test
  void cycleThresholdFollowsPsfFractionRule() {
    TcleanParams p = TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").niter(100).cycleniter(30)
        .threshold(0.01).cyclefactor(1.5).build();
    IterationControl c = new IterationControl(p, 0.2);
    assertEquals(0.3, c.psfFraction(), 1e-12);
    assertEquals(0.3, c.cycleThreshold(1.0, 0), 1e-12);
    assertEquals(0.01, c.cycleThreshold(0.02, 0), 1e-12);
    assertEquals(30, c.cycleIterations());
    c.recordIterations(80);
    assertEquals(20, c.cycleIterations());
    assertEquals(0.8, new IterationControl(p, 0.9).psfFraction(), 1e-12);  // clamped by maxpsffraction
    assertEquals(0.05, new IterationControl(p, 0.001).psfFraction(), 1e-12);  // and minpsffraction
    assertEquals(StopReason.THRESHOLD, c.stopBefore(0.005, 0).orElseThrow());
    assertTrue(c.stopBefore(0.5, 0).isEmpty());
    assertEquals(StopReason.DIVERGENCE, c.stopBefore(1.6, 0).orElseThrow());
  }

  @Test
  void robustRmsOfGaussianNoiseIsItsSigma() {
    Random r = new Random(5);
    float[] img = new float[200_000];
    for (int i = 0; i < img.length; i++) {
      img[i] = (float) (0.3 * r.nextGaussian());
    }
    img[17] = 1e6f;  // a source does not move it
    assertEquals(0.3, IterationControl.robustRms(img), 0.005);
  }

  /** The defaults of tclean (CASA 6) for the parameters the engine takes. */
  @Test
  void defaultsAreTcleans() {
    TcleanParams p = TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").build();
    assertEquals(TcleanParams.SpecMode.MFS, p.specmode());
    assertEquals(100, p.nx());
    assertEquals(Math.toRadians(1.0 / 3600), p.cell()[0], 1e-15);
    assertEquals(org.pclean.casacore.DataColumn.CORRECTED, p.datacolumn());
    assertEquals(TcleanParams.GridderKind.STANDARD, p.gridder());
    assertEquals(1.2, p.padding());
    assertEquals(WeightingMode.NATURAL, p.weighting());
    assertEquals(0.5, p.robust());
    assertEquals(TcleanParams.DeconvolverKind.HOGBOM, p.deconvolver());
    assertEquals(0, p.niter());
    assertEquals(-1, p.cycleniter());
    assertEquals(0.1, p.gain());
    assertEquals(1.0, p.cyclefactor());
    assertEquals(0.05, p.minpsffraction());
    assertEquals(0.8, p.maxpsffraction());
    assertEquals(0.35, p.psfcutoff());
    assertEquals(0.2, p.pblimit());
    assertEquals(-1, p.nchan());
  }

  /** The job's parameters travel as a string map and come back equal, field for field. */
  @Test
  void paramsRoundTripThroughTheJobMap() {
    TcleanParams p = TcleanParams.builder().vis(Path.of("/d/x.ms")).imagename("out/c").imsize(256, 128)
        .cell(1.234e-5, 2.5e-5).phasecenter(2.5, -0.3).field(0, 2).spw(1).chanRange(3, 17)
        .specmode(TcleanParams.SpecMode.CUBE).weighting(WeightingMode.BRIGGS).robust(-0.5).uvtaper(1e-4)
        .deconvolver(TcleanParams.DeconvolverKind.MULTISCALE).scales(0, 5, 15).niter(77).cycleniter(20)
        .gain(0.05).threshold(1.5e-4).nsigma(3).restoringbeam(5, 4, 30).pbcor(true).savemodel(true).nchan(8)
        .fits(true).threads(3).build();
    TcleanParams back = TcleanParamsCodec.fromMap(TcleanParamsCodec.toMap(p));
    assertEquals(TcleanParamsCodec.toMap(p), TcleanParamsCodec.toMap(back));
    assertEquals(1.234e-5, back.cell()[0]);
    assertEquals(java.util.Arrays.toString(p.scales()), java.util.Arrays.toString(back.scales()));
    assertEquals(p.chanRange()[1], back.chanRange()[1]);
    var m = TcleanParamsCodec.toMap(p);
    m.remove("niter");
    assertEquals("job parameters lack 'niter'",
        assertThrows(IllegalArgumentException.class, () -> TcleanParamsCodec.fromMap(m)).getMessage());
  }

  @Test
  void paramsAreValidatedWithOneSentence() {
    TcleanParams.Builder b = TcleanParams.builder().vis(Path.of("x.ms")).imagename("x");
    assertEquals("robust must lie in [-2, 2], got 3.0",
        assertThrows(IllegalArgumentException.class, () -> b.robust(3).build()).getMessage());
    b.robust(0);
    assertEquals("imsize must be even (the phase centre is pixel n/2)",
        assertThrows(IllegalArgumentException.class, () -> b.imsize(101, 100).build()).getMessage());
    b.imsize(100, 100);
    assertEquals("unknown weighting 'superuniform' (expected natural, uniform, briggs)",
        assertThrows(IllegalArgumentException.class, () -> WeightingMode.parse("superuniform")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.gain(0).build());
    b.gain(0.1);
    assertThrows(IllegalArgumentException.class, () -> b.gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(1).build());
  }
}
