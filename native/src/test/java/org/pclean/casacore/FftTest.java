package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {

  /** A shifted delta transforms to a pure phase ramp: F[ky,kx] = exp(-2πi (ky y0/ny + kx x0/nx)). */
  @Test
  void shiftedDeltaGivesAnalyticPhaseRamp() {
    int ny = 12;
    int nx = 20;
    int y0 = 3;
    int x0 = 7;
    float[] a = new float[2 * ny * nx];
    a[2 * (y0 * nx + x0)] = 2.5f;
    Fft.complex2d(a, ny, nx, true);
    for (int ky = 0; ky < ny; ky++) {
      for (int kx = 0; kx < nx; kx++) {
        double phase = -2 * Math.PI * ((double) ky * y0 / ny + (double) kx * x0 / nx);
        int i = 2 * (ky * nx + kx);
        assertEquals(2.5 * Math.cos(phase), a[i], 1e-5);
        assertEquals(2.5 * Math.sin(phase), a[i + 1], 1e-5);
      }
    }
  }

  /** A sampled Gaussian's transform is a Gaussian (periodic, so compare with the aliased analytic sum). */
  @Test
  void gaussianTransformsToGaussian() {
    int n = 64;
    double sigma = 3.0;
    float[] a = new float[2 * n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int dy = Math.min(y, n - y);
        int dx = Math.min(x, n - x);
        a[2 * (y * n + x)] = (float) Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
    }
    Fft.complex2d(a, n, n, true);
    // Continuous transform of exp(-r²/2σ²) sampled at unit spacing: 2πσ² exp(-2π²σ² f²), f = k/n.
    for (int ky = 0; ky < n; ky++) {
      for (int kx = 0; kx < n; kx++) {
        double fy = Math.min(ky, n - ky) / (double) n;
        double fx = Math.min(kx, n - kx) / (double) n;
        double expect = 2 * Math.PI * sigma * sigma * Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * (fx * fx + fy * fy));
        assertEquals(expect, a[2 * (ky * n + kx)], 1e-3 * 2 * Math.PI * sigma * sigma);
        assertEquals(0.0, a[2 * (ky * n + kx) + 1], 1e-3);
      }
    }
  }

  @Test
  void realTransformMatchesComplexAndRoundTrips() {
    int ny = 16;
    int nx = 10;
    Random rnd = new Random(7);
    float[] real = new float[ny * nx];
    float[] cplx = new float[2 * ny * nx];
    for (int i = 0; i < real.length; i++) {
      real[i] = (float) rnd.nextGaussian();
      cplx[2 * i] = real[i];
    }
    float[] half = Fft.realForward(real, ny, nx);
    Fft.complex2d(cplx, ny, nx, true);
    int nh = nx / 2 + 1;
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nh; x++) {
        assertEquals(cplx[2 * (y * nx + x)], half[2 * (y * nh + x)], 1e-4);
        assertEquals(cplx[2 * (y * nx + x) + 1], half[2 * (y * nh + x) + 1], 1e-4);
      }
    }
    float[] back = Fft.realBackward(half, ny, nx);
    for (int i = 0; i < real.length; i++) {
      assertEquals(real[i], back[i] / (nx * ny), 1e-5);
    }
    // Complex round trip, unnormalised by contract.
    Fft.complex2d(cplx, ny, nx, false);
    for (int i = 0; i < real.length; i++) {
      assertEquals(real[i], cplx[2 * i] / (nx * ny), 1e-5);
    }
  }

  @Test
  void wrongLengthIsRejectedWithReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> Fft.complex2d(new float[10], 4, 4, true));
    assertEquals("complex data has 10 floats, expected 32", e.getMessage());
  }
}
