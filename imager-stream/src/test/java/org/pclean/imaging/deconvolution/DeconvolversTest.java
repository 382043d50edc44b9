package org.pclean.imaging.deconvolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pclean.imaging.ImageConvolver;

/** Deconvolvers on images made from a known PSF and known components (no gridding involved). */
class DeconvolversTest {
  static final int N = 128;

  /** A PSF with a Gaussian main lobe and a ring sidelobe of 10 % at 20 pixels. */
  static float[] psf() {
    float[] p = new float[N * N];
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        double r = Math.hypot(x - N / 2, y - N / 2);
        p[y * N + x] = (float) (Math.exp(-r * r / (2 * 2.0 * 2.0)) + 0.1 * Math.exp(-Math.pow(r - 20, 2) / 8));
      }
    }
    return p;
  }

  static float[] dirty(float[] model, float[] psf) {
    return new ImageConvolver(psf, N, N).convolve(model);
  }

  @Test
  void clarkConvergesToTheComponents() {
    float[] truth = new float[N * N];
    truth[40 * N + 50] = 2f;
    truth[80 * N + 70] = -0.5f;
    truth[60 * N + 90] = 1f;
    float[] p = psf();
    float[] residual = dirty(truth, p);
    float[] model = new float[N * N];
    MinorCycleResult r = new ClarkDeconvolver(N, N, 0.1).deconvolve(residual, model, p, null, 1e-4, 10000);
    assertTrue(r.peakResidual() <= 1e-4, "peak " + r.peakResidual() + " after " + r.iterations());
    for (int i : new int[] {40 * N + 50, 80 * N + 70, 60 * N + 90}) {
      assertEquals(truth[i], model[i], 2e-3);
    }
    // The same components as Hogbom takes, within the stopping threshold.
    float[] residual2 = dirty(truth, p);
    float[] model2 = new float[N * N];
    MinorCycleResult h = new HogbomDeconvolver(N, N, 0.1).deconvolve(residual2, model2, p, null, 1e-4, 10000);
    assertEquals(h.fluxAdded(), r.fluxAdded(), 1e-3);
  }

  /** A Gaussian blob (σ = 6 px, flux 3): multiscale needs few components and finds the flux. */
  @Test
  void multiscaleTakesExtendedEmissionInFewComponents() {
    float[] truth = new float[N * N];
    double sum = 0;
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        double v = Math.exp(-(Math.pow(x - 64, 2) + Math.pow(y - 60, 2)) / (2 * 36.0));
        truth[y * N + x] = (float) v;
        sum += v;
      }
    }
    for (int i = 0; i < truth.length; i++) {
      truth[i] *= (float) (3 / sum);
    }
    float[] p = psf();
    float[] res1 = dirty(truth, p);
    float[] model1 = new float[N * N];
    MinorCycleResult ms = new MultiscaleDeconvolver(N, N, 0.1, new int[] {0, 6, 12}, 0.6)
        .deconvolve(res1, model1, p, null, 1e-3, 20000);
    float[] res2 = dirty(truth, p);
    float[] model2 = new float[N * N];
    MinorCycleResult hog = new HogbomDeconvolver(N, N, 0.1).deconvolve(res2, model2, p, null, 1e-3, 20000);
    assertTrue(ms.peakResidual() <= 1e-3);
    assertEquals(3.0, ms.fluxAdded(), 0.03);
    assertTrue(2 * ms.iterations() < hog.iterations(), ms.iterations() + " vs " + hog.iterations());
  }

  @Test
  void scaleFunctionsHaveUnitSumAndCasasShape() {
    float[] s = MultiscaleDeconvolver.scaleFunction(64, 64, 8);
    double sum = 0;
    for (float v : s) {
      sum += v;
    }
    assertEquals(1.0, sum, 1e-5);
    assertEquals(0f, s[32 * 64 + 32 + 8], 0f);  // zero at radius = scale
    assertTrue(s[32 * 64 + 32] > s[32 * 64 + 36]);
    assertEquals(1.0, MultiscaleDeconvolver.spheroidal(0), 1e-6);
  }
}
