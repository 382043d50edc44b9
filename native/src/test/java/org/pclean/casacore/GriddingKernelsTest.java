package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pclean.casacore.DirectFourier.Samples;

/** Numerical contracts of the gridder: accuracy against a direct Fourier sum, adjointness, PSF normalisation. */
class GriddingKernelsTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final int N = 64;

  private static Samples data(int nrow, double maxUv, double maxW, long seed) {
    return DirectFourier.random(nrow, maxUv, maxW, seed);
  }

  private static double[] dft(Samples d, double cell, boolean wTerm) {
    return DirectFourier.image(d, N, cell, wTerm);
  }

  private static double maxError(float[] got, double[] expect) {
    double err = 0;
    for (int i = 0; i < got.length; i++) {
      err = Math.max(err, Math.abs(got[i] - expect[i]));
    }
    return err;
  }

  private static double rms(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v * v;
    }
    return Math.sqrt(s / a.length);
  }

  @Test
  void standardGridderMatchesDirectFourierSum() {
    double cell = 5 * ARCSEC;
    Samples d = data(300, 3000, 500, 1);
    float[] img = new float[N * N];
    double sumwt = GriddingKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, cell, cell, 1.2, 1, 2, img);
    double expectSumwt = 0;
    for (float w : d.weight()) {
      expectSumwt += w;
    }
    assertEquals(expectSumwt, sumwt, 1e-6 * expectSumwt);
    double[] ref = dft(d, cell, false);
    double err = maxError(img, ref);
    double inner = 0;
    for (int y = N / 4; y < 3 * N / 4; y++) {
      for (int x = N / 4; x < 3 * N / 4; x++) {
        inner = Math.max(inner, Math.abs(img[y * N + x] - ref[y * N + x]));
      }
    }
    // Support-3 spheroidal on a 1.2x padded grid (tclean's defaults): aliasing grows toward the image edge.
    double peak = Arrays.stream(ref).map(Math::abs).max().orElseThrow();
    assertTrue(err < 0.01 * peak, "max error " + err + " vs peak " + peak);
    assertTrue(inner < 0.003 * peak, "inner-half error " + inner + " vs peak " + peak);
  }

  @Test
  void psfPeaksAtSumOfWeightsAtTheCentre() {
    double cell = 5 * ARCSEC;
    Samples d = data(200, 3000, 0, 2);
    float[] psf = new float[N * N];
    double sumwt = GriddingKernels.invert(d.uvw(), d.freq(), null, d.weight(), N, N, cell, cell, 1.2, 1, 1, psf);
    int peak = 0;
    for (int i = 0; i < psf.length; i++) {
      if (psf[i] > psf[peak]) {
        peak = i;
      }
    }
    assertEquals(N / 2 * N + N / 2, peak);
    assertEquals(1.0, psf[peak] / sumwt, 1e-3);
  }

  /** Σ M·invert(V) = Re Σ w V conj(predict(M)): gridding and degridding are exact adjoints. */
  @Test
  void invertAndPredictAreAdjoint() {
    double cell = 5 * ARCSEC;
    for (int wplanes : new int[] {1, 8}) {
      Samples d = data(150, 3000, 500, 3);
      Random r = new Random(4);
      float[] model = new float[N * N];
      for (int i = 0; i < model.length; i++) {
        model[i] = (float) r.nextGaussian();
      }
      float[] img = new float[N * N];
      GriddingKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, cell, cell, 1.2, wplanes, 2, img);
      float[] pred = GriddingKernels.predict(model, N, N, cell, cell, 1.2, wplanes, d.uvw(), d.freq(), 2);
      double lhs = 0;
      for (int i = 0; i < img.length; i++) {
        lhs += (double) model[i] * img[i];
      }
      double rhs = 0;
      for (int i = 0; i < d.weight().length; i++) {
        rhs += d.weight()[i] * ((double) d.vis()[2 * i] * pred[2 * i] + (double) d.vis()[2 * i + 1] * pred[2 * i + 1]);
      }
      assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs), "wplanes " + wplanes);
    }
  }

  /** predict of a few point pixels equals Σ M exp(+2πi (u l + v m)). */
  @Test
  void predictMatchesDirectFourierSum() {
    double cell = 5 * ARCSEC;
    Samples d = data(100, 3000, 0, 5);
    float[] model = new float[N * N];
    int[][] pts = {{32, 32}, {20, 41}, {45, 12}};
    float[] flux = {1.0f, 0.5f, -0.3f};
    for (int k = 0; k < pts.length; k++) {
      model[pts[k][1] * N + pts[k][0]] = flux[k];
    }
    float[] vis = GriddingKernels.predict(model, N, N, cell, cell, 1.2, 1, d.uvw(), d.freq(), 1);
    double[] ref = DirectFourier.visibilities(model, N, cell, d.uvw(), d.freq(), false);
    double maxErr = 0;
    for (int i = 0; i < ref.length / 2; i++) {
      maxErr = Math.max(maxErr, Math.hypot(vis[2 * i] - ref[2 * i], vis[2 * i + 1] - ref[2 * i + 1]));
    }
    assertTrue(maxErr < 0.005 * 1.8, "max |V - V_dft| = " + maxErr + " for a model of 1.8 Jy total |flux|");
  }

  /** Over a 2-degree field the w-term matters: w-stacking follows the exact sum, the 2-D gridder does not. */
  @Test
  void wStackingFollowsTheWTerm() {
    double cell = 120 * ARCSEC;
    Samples d = data(300, 150, 150, 6);
    double[] ref = dft(d, cell, true);
    float[] stacked = new float[N * N];
    GriddingKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, cell, cell, 1.2, 64, 2, stacked);
    float[] flat = new float[N * N];
    GriddingKernels.invert(d.uvw(), d.freq(), d.vis(), d.weight(), N, N, cell, cell, 1.2, 1, 2, flat);
    double errStacked = maxError(stacked, ref);
    double errFlat = maxError(flat, ref);
    assertTrue(errStacked < 0.03 * rms(ref) * 10, "w-stacking error " + errStacked + ", image rms " + rms(ref));
    assertTrue(errFlat > 5 * errStacked, "2-D gridder error " + errFlat + " should be far above " + errStacked);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> GriddingKernels.invert(new double[3], new double[] {1e9},
        null, new float[2], 4, 4, 1e-5, 1e-5, 1.2, 1, 1, new float[16]));
    var e = assertThrows(CasacoreException.class, () -> GriddingKernels.invert(new double[3], new double[] {1e9},
        null, new float[1], 4, 4, 1e-5, 1e-5, 0.5, 1, 1, new float[16]));
    assertTrue(e.getMessage().contains("padding must be >= 1"), e.getMessage());
    assertEquals(80, GriddingKernels.paddedSize(64, 1.2));
    assertEquals(2500, GriddingKernels.paddedSize(2048, 1.2));  // 2458 -> 2^2 5^4
  }
}
