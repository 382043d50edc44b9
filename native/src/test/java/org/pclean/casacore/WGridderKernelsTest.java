package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pclean.casacore.DirectFourier.Samples;

/**
 * The w-gridder's numerical contracts: error against the direct Fourier sum (w-term included, wide field) at the
 * accuracy asked for, and exact adjointness of gridding and degridding.
 */
class WGridderKernelsTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final int N = 64;
  // 64 × 120" = 2.1 degrees: |n - 1| reaches 3.5e-4, so 600 m of w (2800 wavelengths) is ~6 turns of w-phase.
  private static final double WIDE_CELL = 120 * ARCSEC;

  private static double peak(double[] a) {
    return Arrays.stream(a).map(Math::abs).max().orElseThrow();
  }

  private static float[] randomModel(long seed) {
    Random r = new Random(seed);
    float[] model = new float[N * N];
    for (int i = 0; i < model.length; i++) {
      model[i] = (float) r.nextGaussian();
    }
    return model;
  }

  private static double[] range(Samples d) {
    return WStack.range(d.uvw(), d.freq());
  }

  @ParameterizedTest
  @ValueSource(doubles = {1e-4, 1e-5})
  void dirtyImageMatchesDirectFourierSumWithTheWTerm(double epsilon) {
    Samples d = DirectFourier.random(12, 150, 600, 11);
    double[] w = range(d);
    assertTrue(WGridderKernels.parameters(epsilon, N, N, WIDE_CELL, WIDE_CELL, w[0], w[1]).wPlanes() > 1);
    float[] img = new float[N * N];
    double sumwt = WGridderKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, WIDE_CELL, WIDE_CELL,
        epsilon, Double.NaN, Double.NaN, 2, img, null);
    double expectSumwt = 0;
    for (float x : d.weight()) {
      expectSumwt += x;
    }
    assertEquals(expectSumwt, sumwt, 1e-6 * expectSumwt);
    double[] ref = DirectFourier.image(d, N, WIDE_CELL, true);
    double err = 0;
    for (int i = 0; i < img.length; i++) {
      err = Math.max(err, Math.abs(img[i] - ref[i]));
    }
    // Measured ~3 epsilon (max over the image, relative to the peak).
    assertTrue(err <= 5 * epsilon * peak(ref), "max error " + err / peak(ref) + " of the peak at epsilon " + epsilon);
  }

  @ParameterizedTest
  @ValueSource(doubles = {1e-4, 1e-5})
  void degriddedVisibilitiesMatchDirectFourierSum(double epsilon) {
    Samples d = DirectFourier.random(40, 150, 600, 12);
    float[] model = randomModel(13);
    float[] vis = WGridderKernels.predict(model, N, N, WIDE_CELL, WIDE_CELL, epsilon, Double.NaN, Double.NaN,
        d.uvw(), d.freq(), 2, null);
    double[] ref = DirectFourier.visibilities(model, N, WIDE_CELL, d.uvw(), d.freq(), true);
    double err = 0;
    double largest = 0;
    for (int i = 0; i < ref.length / 2; i++) {
      err = Math.max(err, Math.hypot(vis[2 * i] - ref[2 * i], vis[2 * i + 1] - ref[2 * i + 1]));
      largest = Math.max(largest, Math.hypot(ref[2 * i], ref[2 * i + 1]));
    }
    assertTrue(err <= 5 * epsilon * largest, "max error " + err / largest + " of the largest |V| at " + epsilon);
  }

  /** Σ M·invert(V) = Re Σ w V conj(predict(M)) to float rounding, with and without w planes. */
  @ParameterizedTest
  @ValueSource(doubles = {0, 600})
  void invertAndPredictAreAdjoint(double maxW) {
    Samples d = DirectFourier.random(200, 150, maxW, 14);
    float[] model = randomModel(15);
    float[] img = new float[N * N];
    WGridderKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN,
        Double.NaN, 2, img, null);
    float[] pred = WGridderKernels.predict(model, N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN, Double.NaN, d.uvw(),
        d.freq(), 2, null);
    double lhs = 0;
    for (int i = 0; i < img.length; i++) {
      lhs += (double) model[i] * img[i];
    }
    double rhs = 0;
    double scale = 0;
    for (int i = 0; i < d.weight().length; i++) {
      double term = d.weight()[i] * ((double) d.vis()[2 * i] * pred[2 * i] + (double) d.vis()[2 * i + 1] * pred[2 * i + 1]);
      rhs += term;
      scale += Math.abs(term);
    }
    assertEquals(lhs, rhs, 1e-6 * scale, "max w " + maxW);
  }

  /**
   * Bucketing splits the rows among threads in blocks of 4096; with 10 000 rows (three blocks, some samples
   * flagged) every thread count must bucket the same samples in the same order: the same sum of weights to the
   * last bit, and images and predictions equal to float rounding of the (threaded) FFTs.
   */
  @Test
  void threadsChangeNothingButTheTime() {
    Samples d = DirectFourier.random(10_000, 150, 600, 18);
    for (int i = 0; i < d.weight().length; i += 7) {
      d.weight()[i] = 0;
    }
    float[] model = randomModel(19);
    float[] oneImage = new float[N * N];
    double oneSumwt = WGridderKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, WIDE_CELL, WIDE_CELL,
        1e-4, Double.NaN, Double.NaN, 1, oneImage, null);
    float[] onePred = WGridderKernels.predict(model, N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN, Double.NaN,
        d.uvw(), d.freq(), 1, null);
    for (int threads : new int[] {2, 3}) {
      float[] img = new float[N * N];
      double sumwt = WGridderKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, WIDE_CELL, WIDE_CELL,
          1e-4, Double.NaN, Double.NaN, threads, img, null);
      assertEquals(oneSumwt, sumwt, 0.0, threads + " threads");
      double peak = 0;
      double diff = 0;
      for (int i = 0; i < img.length; i++) {
        peak = Math.max(peak, Math.abs(oneImage[i]));
        diff = Math.max(diff, Math.abs(img[i] - oneImage[i]));
      }
      assertTrue(diff <= 1e-6 * peak, threads + " threads: image differs by " + diff / peak + " of the peak");
      float[] pred = WGridderKernels.predict(model, N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN, Double.NaN,
          d.uvw(), d.freq(), threads, null);
      double largest = 0;
      diff = 0;
      for (int i = 0; i < pred.length; i++) {
        largest = Math.max(largest, Math.abs(onePred[i]));
        diff = Math.max(diff, Math.abs(pred[i] - onePred[i]));
      }
      assertTrue(diff <= 1e-6 * largest, threads + " threads: prediction differs by " + diff / largest);
    }
  }

  @Test
  void wIsIgnoredWhenItsPhaseIsBelowEpsilonAndStackedOtherwise() {
    double small = 2 * ARCSEC;
    assertEquals(1, WGridderKernels.parameters(1e-4, N, N, small, small, -10, 10).wPlanes());
    WGridderKernels.Parameters wide = WGridderKernels.parameters(1e-4, N, N, WIDE_CELL, WIDE_CELL, -2800, 2800);
    assertEquals(5, wide.support());
    assertEquals(128, wide.gridX());
    assertTrue(wide.wPlanes() > wide.support(), "planes " + wide.wPlanes());
  }

  @Test
  void phaseTimesAddUp() {
    Samples d = DirectFourier.random(50, 150, 600, 16);
    double[] seconds = new double[4];
    WGridderKernels.invert(d.uvw(), d.freq(), null, d.weight(), N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN,
        Double.NaN, 1, new float[N * N], seconds);
    assertTrue(seconds[1] > 0 && seconds[2] > 0, Arrays.toString(seconds));
  }

  @Test
  void badArgumentsArriveAsExceptionsNamingTheParameter() {
    Samples d = DirectFourier.random(5, 150, 600, 17);
    var e = assertThrows(CasacoreException.class, () -> WGridderKernels.invert(d.uvw(), d.freq(), null, d.weight(),
        N, N, WIDE_CELL, WIDE_CELL, 1e-9, Double.NaN, Double.NaN, 1, new float[N * N], null));
    assertTrue(e.getMessage().contains("epsilon must lie in"), e.getMessage());
    // planes made for a narrower w range than the samples'
    e = assertThrows(CasacoreException.class, () -> WGridderKernels.invert(d.uvw(), d.freq(), null, d.weight(),
        N, N, WIDE_CELL, WIDE_CELL, 1e-4, 0, 100, 1, new float[N * N], null));
    assertTrue(e.getMessage().contains("outside the w range"), e.getMessage());
    // The same found by a bucketing thread of its own (three blocks of rows on two threads): an exception here
    // too, not the end of the process.
    Samples many = DirectFourier.random(10_000, 150, 600, 20);
    e = assertThrows(CasacoreException.class, () -> WGridderKernels.invert(many.uvw(), many.freq(), null,
        many.weight(), N, N, WIDE_CELL, WIDE_CELL, 1e-4, 0, 100, 2, new float[N * N], null));
    assertTrue(e.getMessage().contains("outside the w range"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WGridderKernels.invert(d.uvw(), d.freq(), null,
        new float[3], N, N, WIDE_CELL, WIDE_CELL, 1e-4, Double.NaN, Double.NaN, 1, new float[N * N], null));
  }
}
