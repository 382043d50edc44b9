package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CleanKernelsTest {
  private static final int N = 64;

  private static float[] gaussianPsf(double sigma) {
    float[] psf = new float[N * N];
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        double r2 = Math.pow(x - N / 2, 2) + Math.pow(y - N / 2, 2);
        psf[y * N + x] = (float) Math.exp(-r2 / (2 * sigma * sigma));
      }
    }
    return psf;
  }

  /** A dirty image made of shifted PSFs cleans back to the point sources that made it. */
  @Test
  void hogbomRecoversPointSourcesOfKnownFlux() {
    float[] psf = gaussianPsf(1.5);
    int[][] src = {{20, 30}, {40, 25}, {33, 50}};
    float[] flux = {2.0f, -0.7f, 1.1f};
    float[] residual = new float[N * N];
    for (int k = 0; k < src.length; k++) {
      for (int y = 0; y < N; y++) {
        for (int x = 0; x < N; x++) {
          int px = x - src[k][0] + N / 2;
          int py = y - src[k][1] + N / 2;
          if (px >= 0 && px < N && py >= 0 && py < N) {
            residual[y * N + x] += flux[k] * psf[py * N + px];
          }
        }
      }
    }
    float[] model = new float[N * N];
    var r = CleanKernels.hogbom(residual, model, psf, null, N, N, 0.1f, 1e-4f, 10000);
    assertTrue(r.peakResidual() <= 1e-4, "peak residual " + r.peakResidual());
    assertTrue(r.components() < 10000);
    for (int k = 0; k < src.length; k++) {
      assertEquals(flux[k], model[src[k][1] * N + src[k][0]], 1e-3);
    }
    assertEquals(2.0 - 0.7 + 1.1, r.fluxAdded(), 1e-3);
    assertEquals(r.peakResidual(), CleanKernels.peakAbs(residual, null, N, N), 0.0);
  }

  @Test
  void niterAndMaskAreRespected() {
    float[] psf = gaussianPsf(1.0);
    float[] residual = new float[N * N];
    residual[10 * N + 10] = 5f;
    residual[40 * N + 40] = 1f;
    byte[] mask = new byte[N * N];
    mask[40 * N + 40] = 1;
    float[] model = new float[N * N];
    var r = CleanKernels.hogbom(residual, model, psf, mask, N, N, 0.5f, 0f, 3);
    assertEquals(3, r.components());
    assertEquals(0f, model[10 * N + 10], "outside the mask nothing is cleaned");
    assertEquals(1.0 - 0.125, model[40 * N + 40], 1e-6);
    assertEquals(0.125, r.peakResidual(), 1e-6);
  }
}
