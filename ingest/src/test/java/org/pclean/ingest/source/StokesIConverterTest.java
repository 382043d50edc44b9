package org.pclean.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsSimulator;
import org.pclean.casacore.SimulatedMs;

class StokesIConverterTest {
  private static final List<CorrelationType> LWA_ORDER =
      List.of(CorrelationType.XX, CorrelationType.YY, CorrelationType.XY, CorrelationType.YX);

  @Test
  void meanOfParallelHandsInAnyCorrelationOrder() {
    // One sample, XX = 2+1i, YY = 4-3i, cross hands large (must be ignored), also their weights.
    float[] vis = {2, 1, 4, -3, 100, 100, -100, 7};
    var i = new StokesIConverter(LWA_ORDER).convert(vis, new byte[4], new float[] {1, 1, 5, 5}, 1);
    assertEquals(3.0f, i.vis()[0]);
    assertEquals(-1.0f, i.vis()[1]);
    assertEquals(1.0f, i.weight()[0], "(w_XX + w_YY)/2");
    assertFalse(i.densityExcluded()[0]);
  }

  /** CASA: I = (XX+YY)/2 with both hands at one weight, (w_XX + w_YY)/2 — not the inverse-variance mean. */
  @Test
  void unequalWeightsGiveThePlainMeanAtTheMeanWeight() {
    float[] vis = {1, 0, 4, 2};
    var i = new StokesIConverter(List.of(CorrelationType.XX, CorrelationType.YY))
        .convert(vis, new byte[2], new float[] {1, 3}, 1);
    assertEquals(2.5f, i.vis()[0], 1e-6f);  // the inverse-variance mean would be 3.25
    assertEquals(1.0f, i.vis()[1], 1e-6f);
    assertEquals(2.0f, i.weight()[0], 1e-6f);  // the old rule gave w_XX + w_YY = 4
    assertFalse(i.densityExcluded()[0]);
  }

  /**
   * One parallel hand flagged: I is the other hand alone, at half the two-hand weight (CASA grids the one hand at
   * the sample's weight (w_RR + w_LL)/2 and counts it once, a two-hand sample twice), and the sample stays out of
   * the weight density; a flagged cross hand only excludes the sample from the density; both flagged drops it.
   */
  @Test
  void flaggedHandLeavesTheOtherAloneAndExcludesTheSampleFromTheDensity() {
    List<CorrelationType> rl = List.of(CorrelationType.RR, CorrelationType.RL, CorrelationType.LR, CorrelationType.LL);
    float[] vis = {2, 1, 9, 9, 9, 9, 4, -3, /* sample 2 */ 1, 1, 0, 0, 0, 0, 1, 1, /* sample 3 */ 2, 0, 7, 7, 7, 7,
        6, 2, /* sample 4 */ 5, 5, 0, 0, 0, 0, 8, 8};
    byte[] flags = {0, 0, 0, 1, /* 2 */ 1, 0, 0, 1, /* 3 */ 0, 1, 0, 0, /* 4 */ 1, 0, 0, 0};
    float[] w = {3, 1, 1, 1, /* 2 */ 1, 1, 1, 1, /* 3 */ 2, 1, 1, 4, /* 4 */ 2, 1, 1, 6};
    var i = new StokesIConverter(rl).convert(vis, flags, w, 4);
    assertEquals(2.0f, i.vis()[0]);  // RR alone
    assertEquals(1.0f, i.vis()[1]);
    assertEquals((3 + 1) / 4.0f, i.weight()[0]);
    assertTrue(i.densityExcluded()[0]);
    assertEquals(0.0f, i.weight()[1]);
    assertEquals(4.0f, i.vis()[4]);  // cross hand flagged: (RR+LL)/2 at (w_RR + w_LL)/2, out of the density
    assertEquals(1.0f, i.vis()[5]);
    assertEquals(3.0f, i.weight()[2]);
    assertTrue(i.densityExcluded()[2]);
    assertEquals(8.0f, i.vis()[6]);  // RR flagged: LL alone
    assertEquals(8.0f, i.vis()[7]);
    assertEquals((2 + 6) / 4.0f, i.weight()[3]);
    assertTrue(i.densityExcluded()[3]);
  }

  @Test
  void singleHandMsIsRefusedWithReason() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new StokesIConverter(List.of(CorrelationType.XX, CorrelationType.XY)));
    assertTrue(e.getMessage().contains("both parallel hands"), e.getMessage());
  }

  /** On a simulated MS, Stokes I of a row equals the simulated sky's direct Fourier sum. */
  @Test
  void simulatedMsGivesTheSkyVisibility(@TempDir Path tmp) {
    Path path = SimulatedMs.create(tmp, 3, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      int n = (int) ms.numRows();
      int nchan = SimulatedMs.NCHAN;
      var conv = new StokesIConverter(ms.metadata().polarizations().get(0).correlations());
      var i = conv.convert(ms.readVisibilities(DataColumn.DATA, 0, n, 0, nchan), ms.readFlags(0, n, 0, nchan),
          ms.readWeights(0, n, 0, nchan), n * nchan);
      double[] uvw = ms.readUvw(0, n);
      for (int r = 0; r < n; r += 7) {
        double nu = SimulatedMs.FREQ0;
        double re = 0;
        for (MsSimulator.PointSource s : SimulatedMs.SKY) {
          double nm1 = Math.sqrt(1 - s.l() * s.l() - s.m() * s.m()) - 1;
          re += s.fluxJy() * Math.cos(-2 * Math.PI * nu / 299792458.0
              * (uvw[3 * r] * s.l() + uvw[3 * r + 1] * s.m() + uvw[3 * r + 2] * nm1));
        }
        assertEquals(re, i.vis()[2 * r * nchan], 1e-5);
        assertEquals(1.0f, i.weight()[r * nchan], "(w_XX + w_YY)/2 of unit weights");
        assertFalse(i.densityExcluded()[r * nchan]);
      }
    }
  }

  /** Converting a chunk in pieces into one output at sample offsets writes what converting it whole gives. */
  @Test
  void convertingIntoAnOutputAtAnOffsetEqualsConvertingWhole() {
    List<CorrelationType> xy = List.of(CorrelationType.XX, CorrelationType.XY, CorrelationType.YX, CorrelationType.YY);
    java.util.Random rnd = new java.util.Random(5);
    int samples = 9;
    float[] vis = new float[8 * samples];
    byte[] flags = new byte[4 * samples];
    float[] w = new float[4 * samples];
    for (int k = 0; k < vis.length; k++) {
      vis[k] = (float) rnd.nextGaussian();
    }
    for (int k = 0; k < flags.length; k++) {
      flags[k] = (byte) (rnd.nextInt(3) == 0 ? 1 : 0);
      w[k] = rnd.nextFloat() * 2 - 0.2f;
    }
    flags[0] = flags[3] = 1;  // sample 0: both parallel hands flagged
    var conv = new StokesIConverter(xy);
    var whole = conv.convert(vis, flags, w, samples);
    var out = new StokesIConverter.StokesI(new float[2 * (samples + 2)], new float[samples + 2],
        new boolean[samples + 2]);
    java.util.Arrays.fill(out.vis(), 99f);  // stale values: a fully flagged sample is written as 0 all the same
    java.util.Arrays.fill(out.weight(), 99f);
    conv.convert(java.util.Arrays.copyOfRange(vis, 0, 8 * 4), java.util.Arrays.copyOfRange(flags, 0, 16),
        java.util.Arrays.copyOfRange(w, 0, 16), 4, out, 1);
    conv.convert(java.util.Arrays.copyOfRange(vis, 8 * 4, vis.length),
        java.util.Arrays.copyOfRange(flags, 16, flags.length), java.util.Arrays.copyOfRange(w, 16, w.length), 5,
        out, 5);
    for (int s = 0; s < samples; s++) {
      assertEquals(whole.vis()[2 * s], out.vis()[2 * (s + 1)]);
      assertEquals(whole.vis()[2 * s + 1], out.vis()[2 * (s + 1) + 1]);
      assertEquals(whole.weight()[s], out.weight()[s + 1]);
      assertEquals(whole.densityExcluded()[s], out.densityExcluded()[s + 1]);
    }
    assertEquals(0f, out.weight()[1]);
    assertEquals(0f, out.vis()[2]);
    assertEquals(99f, out.weight()[0], "samples outside the chunk are left alone");
    assertThrows(IllegalArgumentException.class, () -> conv.convert(vis, flags, w, samples, out, 3));
  }
}
