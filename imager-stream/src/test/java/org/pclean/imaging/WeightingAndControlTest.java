package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.imaging.weighting.ImagingWeights;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

class WeightingAndControlTest {
  private static final double C = 299792458.0;

  /** Samples at chosen uv positions in cell units (wavelengths = a / (N cell)), one channel at c Hz (λ = 1 m). */
  private static VisibilityData samples(double[][] uvCells, float[] weights, boolean[] excluded, int n, double cell) {
    double[] uvw = new double[3 * uvCells.length];
    for (int i = 0; i < uvCells.length; i++) {
      uvw[3 * i] = uvCells[i][0] / (n * cell);
      uvw[3 * i + 1] = uvCells[i][1] / (n * cell);
    }
    return new VisibilityData(uvw, new double[] {C}, new double[] {1e6}, new float[2 * uvCells.length], weights,
        new double[] {0, 0}, excluded);
  }

  private static VisibilityData samples(double[][] uvCells, float[] weights, int n, double cell) {
    return samples(uvCells, weights, new boolean[weights.length], n, cell);
  }

  /**
   * A hand-built case on an 8 x 8 density grid where CASA's cells (floor, uv origin on a cell corner, both (u, v)
   * and (-u, -v) gridded, x index from -u since the RA increment is negative, indices 1..N-1 used) differ from
   * rounding onto a half plane. With a = u N cell and b = v N cell, a sample falls in column floor(4 - a), row
   * floor(4 + b); its twin in column floor(4 + a), row floor(4 - b).
   */
  @Test
  void uniformAndBriggsFollowCasasCellsAndFormulas() {
    int n = 8;
    double cell = 1e-3;
    double[][] uv = {
        {1.3, 0.4},    // S1: (2, 4), twin (5, 3)
        {1.6, 0.2},    // S2: (2, 4), twin (5, 3) — rounding would have put S1 in u cell 1, S2 in 2
        {-1.7, -0.3},  // S3: (5, 3), twin (2, 4) — with S1 and S2 through the Hermitian twin
        {0.4, 0.6},    // S4: (3, 4), twin (4, 3)
        {0.8, 0.1},    // S5: (3, 4), twin (4, 3) — rounding: (0, 1) vs (1, 0), different cells
        {3.5, -0.2},   // S6: column floor(0.5) = 0 is off CASA's grid; its twin (7, 4) is on it
        {0.5, 0.5},    // S7: one hand flagged (out of the density), in S4's cell (3, 4)
        {-2.5, 2.5}};  // S8: one hand flagged, alone in cell (6, 6)
    float[] w = {1, 2, 4, 3, 5, 7, 6, 1};
    boolean[] excluded = {false, false, false, false, false, false, true, true};
    VisibilityData d = samples(uv, w, excluded, n, cell);
    ImagingWeights iw = new ImagingWeights(n, n, cell, cell);
    double[] density = iw.density(d);
    // By hand: (2,4) and (5,3) hold S1 + S2 + S3 = 7; (3,4) and (4,3) hold S4 + S5 = 8; (7,4) holds S6's twin.
    double[] expect = new double[n * n];
    expect[4 * n + 2] = 7;
    expect[3 * n + 5] = 7;
    expect[4 * n + 3] = 8;
    expect[3 * n + 4] = 8;
    expect[4 * n + 7] = 7;
    assertArrayEquals(expect, density, 1e-9);
    float[] uni = iw.apply(d, density, WeightingMode.UNIFORM, 0, 0);
    float[] expectUni = {1 / 7f, 2 / 7f, 4 / 7f, 3 / 8f, 5 / 8f, 0, 6 / 8f, 0};
    assertArrayEquals(expectUni, uni, 1e-6f);
    float[] nat = iw.apply(d, density, WeightingMode.NATURAL, 0, 0);
    assertArrayEquals(w, nat, "natural weights look at no uv grid (CASA's weightNatural)");
    double robust = 0.5;
    // CASA: f² = (5·10^-R)² / (Σ_k W_k² / Σ_k W_k), both sums over the grid (each sample counted twice).
    double sumW = 7 + 7 + 8 + 8 + 7;
    double sumW2 = 49 + 49 + 64 + 64 + 49;
    double f2 = 2.5 / (sumW2 / sumW);
    double[] cellW = {7, 7, 7, 8, 8, 0, 8, 0};
    float[] briggs = iw.apply(d, density, WeightingMode.BRIGGS, robust, 0);
    for (int i = 0; i < w.length; i++) {
      double e = cellW[i] > 0 ? w[i] / (1 + cellW[i] * f2) : 0;
      assertEquals(e, briggs[i], 1e-6, "briggs weight of sample " + (i + 1));
    }
  }

  /** Densities of disjoint chunks sum to the density of the whole (what the parallel gather relies on). */
  @Test
  void densityIsASumOverChunks() {
    int n = 16;
    double cell = 2e-3;
    Random r = new Random(3);
    double[][] uv = new double[40][2];
    float[] w = new float[40];
    for (int i = 0; i < uv.length; i++) {
      uv[i][0] = (r.nextDouble() - 0.5) * n;
      uv[i][1] = (r.nextDouble() - 0.5) * n;
      w[i] = 0.5f + r.nextFloat();
    }
    ImagingWeights iw = new ImagingWeights(n, n, cell, cell);
    double[] whole = iw.density(samples(uv, w, n, cell));
    double[] parts = new double[n * n];
    iw.accumulateDensity(samples(java.util.Arrays.copyOfRange(uv, 0, 17), java.util.Arrays.copyOfRange(w, 0, 17), n,
        cell), parts);
    iw.accumulateDensity(samples(java.util.Arrays.copyOfRange(uv, 17, 40), java.util.Arrays.copyOfRange(w, 17, 40),
        n, cell), parts);
    assertArrayEquals(whole, parts, 1e-9);
    // Hermitian with the uv origin on a cell corner: a sample in cell (x, y) has its twin in (N-1-x, N-1-y). Column
    // and row 0 are never used, so the twins of samples there leave column/row N-1 unpaired: compare 1..N-2.
    int filled = 0;
    for (int y = 1; y < n - 1; y++) {
      for (int x = 1; x < n - 1; x++) {
        assertEquals(whole[y * n + x], whole[(n - 1 - y) * n + (n - 1 - x)], 1e-9, "cell " + x + "," + y);
        filled += whole[y * n + x] > 0 ? 1 : 0;
      }
    }
    assertTrue(filled > 40, filled + " cells filled");
    for (int k = 0; k < n; k++) {
      assertEquals(0.0, whole[k], "row 0");
      assertEquals(0.0, whole[k * n], "column 0");
    }
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
    assertEquals(StopReason.THRESHOLD, c.stopBefore(0.005, 0.005, 0, 0).orElseThrow());
    assertTrue(c.stopBefore(0.5, 0.5, 0, 0).isEmpty());
    assertEquals(StopReason.DIVERGENCE, c.stopBefore(1.6, 1.6, 0, 0).orElseThrow());
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

  @Test
  void paramsAreValidatedWithOneSentence() {
    TcleanParams.Builder b = TcleanParams.builder().vis(Path.of("x.ms")).imagename("x");
    assertEquals("mask is given with usemask pb: regions and mask images need usemask user",
        assertThrows(IllegalArgumentException.class, () -> TcleanParams.builder().vis(Path.of("x.ms"))
            .imagename("x").mask("box[[1pix, 2pix], [3pix, 4pix]]")
            .usemask(org.pclean.ingest.params.MaskParams.UseMask.PB).build()).getMessage());
    assertEquals("robust must lie in [-2, 2], got 3.0",
        assertThrows(IllegalArgumentException.class, () -> b.robust(3).build()).getMessage());
    b.robust(0);
    assertEquals("imsize must be even (the phase centre is pixel n/2)",
        assertThrows(IllegalArgumentException.class, () -> b.imsize(101, 100).build()).getMessage());
    b.imsize(100, 100);
    assertEquals("unknown weighting 'superuniform' (expected natural, uniform, briggs, briggsabs, briggsbwtaper)",
        assertThrows(IllegalArgumentException.class, () -> WeightingMode.parse("superuniform")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.gain(0).build());
    b.gain(0.1);
    assertThrows(IllegalArgumentException.class, () -> b.gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(1).build());
  }
}
