package org.pclean.imaging.weighting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pclean.imaging.weighting.ImagingWeights.DensityGrid;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

/**
 * tclean's two density rules, npixels, briggsabs and briggsbwtaper on a hand-built two-channel data set whose
 * expected weights are worked out below by hand from CASA's documented formulas (no production code computes
 * them). Grid 8 x 8, cell 1e-3 rad; channel 0 at ν = c (so u in wavelengths equals uvw in metres), channel 1 at
 * 2c. With a = u·N·cell and b = v·N·cell at channel 0 (doubled at channel 1):
 * <pre>
 *          ch0 (a, b)     ch1 (a, b)     w
 *   R1   ( 1.3,  0.2)   ( 2.6,  0.4)    1
 *   R2   ( 2.4, -0.3)   ( 4.8, -0.6)    2
 *   R3   ( 1.7,  0.1)   ( 3.4,  0.2)    4
 * </pre>
 * Per channel (BriggsCubeWeightor): cell (round(a + 4), round(4 − b)), the sample only. ch0: R1 (5,4), R2 (6,4),
 * R3 (6,4); ch1: R1 (7,4), R2 column 9 (off), R3 (7,4).
 * Shared (VisImagingWeight): sample (floor(4 − a), floor(4 + b)), twin (floor(4 + a), floor(4 − b)), index 0 off.
 * ch0: R1 (2,4)+(5,3), R2 (1,3)+(6,4), R3 (2,4)+(5,3); ch1: R1 (1,4)+(6,3), R2 both off, R3 sample column 0
 * (off), twin (7,3).
 */
class WeightingRulesTest {
  private static final double C = 299792458.0;
  private static final int N = 8;
  private static final double CELL = 1e-3;
  private static final double[][] AB = {{1.3, 0.2}, {2.4, -0.3}, {1.7, 0.1}};
  private static final float[] W = {1, 2, 4};

  /** Rows R1..R3 over two channels (ν = c, 2c), row-major [row][chan]. */
  private static VisibilityData data() {
    double[] uvw = new double[9];
    for (int r = 0; r < 3; r++) {
      uvw[3 * r] = AB[r][0] / (N * CELL);
      uvw[3 * r + 1] = AB[r][1] / (N * CELL);
    }
    float[] w = new float[6];
    for (int r = 0; r < 3; r++) {
      w[2 * r] = W[r];
      w[2 * r + 1] = W[r];
    }
    return new VisibilityData(uvw, new double[] {C, 2 * C}, new double[] {1e6, 1e6}, new float[12], w,
        new double[] {0, 0}, new boolean[6]);
  }

  private static int at(int u, int v) {
    return v * N + u;
  }

  private static ImagingWeights perChannel(int npixels) {
    return new ImagingWeights(DensityGrid.PER_CHANNEL, N, N, CELL, CELL, npixels);
  }

  @Test
  void perChannelDensityHoldsOnlyThatChannelsSamples() {
    ImagingWeights iw = perChannel(0);
    VisibilityData d = data();
    double[] ch0 = iw.density(d.channel(0));
    double[] ch1 = iw.density(d.channel(1));
    double[] e0 = new double[N * N];
    e0[at(5, 4)] = 1;
    e0[at(6, 4)] = 2 + 4;
    double[] e1 = new double[N * N];
    e1[at(7, 4)] = 1 + 4;
    assertArrayEquals(e0, ch0, 1e-12);
    assertArrayEquals(e1, ch1, 1e-12);
    // uniform w / W_k
    assertArrayEquals(new float[] {1, 2 / 6f, 4 / 6f}, iw.apply(d.channel(0), ch0, WeightingMode.UNIFORM, 0, 0), 1e-6f);
    assertArrayEquals(new float[] {1 / 5f, 0, 4 / 5f}, iw.apply(d.channel(1), ch1, WeightingMode.UNIFORM, 0, 0), 1e-6f);
    // briggs robust 0, s² = 25, f² = 25 / (ΣW² / (2 Σw)): ch0 ΣW² = 37, Σw = 7 → 350/37; ch1 ΣW² = 25, Σw = 5 → 10
    double f0 = 350.0 / 37;
    assertArrayEquals(new float[] {(float) (1 / (f0 + 1)), (float) (2 / (6 * f0 + 1)), (float) (4 / (6 * f0 + 1))},
        iw.apply(d.channel(0), ch0, WeightingMode.BRIGGS, 0, 0), 1e-6f);
    assertArrayEquals(new float[] {1 / 51f, 0, 4 / 51f}, iw.apply(d.channel(1), ch1, WeightingMode.BRIGGS, 0, 0),
        1e-6f);
  }

  @Test
  void sharedDensityServesEveryChannel() {
    ImagingWeights iw = new ImagingWeights(N, N, CELL, CELL);
    VisibilityData d = data();
    double[] all = iw.density(d);
    double[] e = new double[N * N];
    e[at(2, 4)] = 1 + 4;
    e[at(5, 3)] = 1 + 4;
    e[at(1, 3)] = 2;
    e[at(6, 4)] = 2;
    e[at(1, 4)] = 1;
    e[at(6, 3)] = 1;
    e[at(7, 3)] = 4;
    assertArrayEquals(e, all, 1e-12);
    // [R1c0, R1c1, R2c0, R2c1, R3c0, R3c1]: ch1 R1 alone in (1,4); R2 off; R3's own cell is off the grid
    assertArrayEquals(new float[] {1 / 5f, 1, 1, 0, 4 / 5f, 0}, iw.apply(d, all, WeightingMode.UNIFORM, 0, 0), 1e-6f);
    // briggs robust 0: sumwt = Σ W_k = 20, ΣW² = 76 → f² = 25·20/76 = 125/19
    double f = 125.0 / 19;
    assertArrayEquals(new float[] {(float) (1 / (5 * f + 1)), (float) (1 / (f + 1)), (float) (2 / (2 * f + 1)), 0,
        (float) (4 / (5 * f + 1)), 0}, iw.apply(d, all, WeightingMode.BRIGGS, 0, 0), 1e-6f);
    // the per-channel rule gives other weights to the same samples: the modes really differ here
    assertTrue(Math.abs(iw.apply(d, all, WeightingMode.UNIFORM, 0, 0)[0] - 1f) > 0.5);
  }

  @Test
  void briggsabsIsRobustSquaredAndTwiceNoiseSquared() {
    ImagingWeights iw = new ImagingWeights(N, N, CELL, CELL);
    VisibilityData d = data();
    double[] all = iw.density(d);
    // w / (W_k R² + 2 σ²), R = 0.5, σ = 0.1 Jy
    double r2 = 0.25;
    double d2 = 2 * 0.01;
    float[] expect = {(float) (1 / (5 * r2 + d2)), (float) (1 / (1 * r2 + d2)), (float) (2 / (2 * r2 + d2)), 0,
        (float) (4 / (5 * r2 + d2)), 0};
    assertArrayEquals(expect, iw.apply(d, all, WeightingMode.BRIGGSABS, 0.5, 0.1, 0, 0), 1e-5f);
  }

  @Test
  void npixelsShrinksTheSharedGridAndBoxesPerChannelSamples() {
    VisibilityData ch0 = data().channel(0);
    // Shared, npixels 4: a 4 x 4 grid of the image cell, a' = a/2, b' = b/2: R1 (floor(2 − .65), floor(2 + .1)) =
    // (1,2), twin (2,1); R2 sample column floor(0.8) = 0 (off), twin (3,2); R3 (1,2), twin (2,1). Index v·4 + u.
    ImagingWeights small = new ImagingWeights(DensityGrid.SHARED, N, N, CELL, CELL, 4);
    double[] s = small.density(ch0);
    double[] e = new double[N * N];
    e[2 * 4 + 1] = 1 + 4;
    e[1 * 4 + 2] = 1 + 4;
    e[2 * 4 + 3] = 2;
    assertArrayEquals(e, s, 1e-12);
    assertArrayEquals(new float[] {1 / 5f, 0, 4 / 5f}, small.apply(ch0, s, WeightingMode.UNIFORM, 0, 0), 1e-6f);
    // Per channel, npixels 1: each sample fills the 3 x 3 cells around (5,4), (6,4), (6,4): (5,4) and (6,4) both
    // get all three samples, 7.
    ImagingWeights boxed = perChannel(1);
    double[] b = boxed.density(ch0);
    assertEquals(7, b[at(5, 4)], 1e-12);
    assertEquals(7, b[at(6, 4)], 1e-12);
    assertEquals(1 + 2 + 4, b[at(6, 5)], 1e-12);
    assertEquals(1, b[at(4, 3)], 1e-12);
    assertEquals(2 + 4, b[at(7, 4)], 1e-12);
    double sum = 0;
    for (double x : b) {
      sum += x;
    }
    assertEquals(7 * 9, sum, 1e-9, "every sample's box lies on the grid");
    assertArrayEquals(new float[] {1 / 7f, 2 / 7f, 4 / 7f}, boxed.apply(ch0, b, WeightingMode.UNIFORM, 0, 0), 1e-6f);
  }

  @Test
  void briggsbwtaperDividesTheDensityTermByTheUvDistanceFactor() {
    ImagingWeights iw = perChannel(0);
    VisibilityData ch0 = data().channel(0);
    double[] dens = iw.density(ch0);
    double fracbw = 0.5;
    double f2 = 350.0 / 37;
    double[] wk = {1, 6, 6};
    float[] expect = new float[3];
    for (int r = 0; r < 3; r++) {
      double n = fracbw * Math.hypot(AB[r][0], AB[r][1]);  // distance from the uv origin in cells × fracbw
      double t = n + 0.5 < 1.5 ? (4 - n) / (4 - 2 * n) : n + 0.5;
      expect[r] = (float) (W[r] / (wk[r] * f2 / t + 1));
    }
    assertArrayEquals(expect, iw.apply(ch0, dens, WeightingMode.BRIGGSBWTAPER, 0, 1, fracbw, 0), 1e-6f);
  }

  @Test
  void tcleanPicksTheRuleAndRefusesWhatItRefuses() {
    TcleanParams.Builder b = TcleanParams.builder().vis(Path.of("x.ms")).imagename("x");
    assertEquals(DensityGrid.SHARED, ImagingWeights.rule(b.build()));
    assertEquals(DensityGrid.PER_CHANNEL, ImagingWeights.rule(b.specmode(SpecMode.CUBE).build()));
    assertEquals(DensityGrid.SHARED, ImagingWeights.rule(b.perchanweightdensity(false).build()));
    assertEquals("weighting briggsbwtaper needs perchanweightdensity true (tclean refuses false)",
        assertThrows(IllegalArgumentException.class, () -> b.weighting(WeightingMode.BRIGGSBWTAPER).build())
            .getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").weighting(WeightingMode.BRIGGSBWTAPER)
            .build(), "mfs");
    assertThrows(IllegalArgumentException.class,
        () -> TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").specmode(SpecMode.CUBE).npixels(2)
            .weighting(WeightingMode.BRIGGSBWTAPER).build(), "npixels");
    assertThrows(IllegalArgumentException.class,
        () -> TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").weighting(WeightingMode.BRIGGSABS)
            .robust(0).noise(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> TcleanParams.builder().vis(Path.of("x.ms")).imagename("x").npixels(101).build());
  }
}
