package org.pclean.imaging.deconvolution;

/**
 * Multi-term multi-frequency CLEAN with point components (Rau &amp; Cornwell 2011, scales = [0]) for nterms = 2.
 * Each iteration solves the 2x2 Hessian system H a = r at every pixel (H from the Taylor PSFs at their peak),
 * takes the pixel that most reduces χ² (largest a·r), adds gain·a to the Taylor models there and subtracts
 * gain·Σ_j a_j psf_{i+j} from residual i.
 */
public final class MultiTermHogbom implements MultiTermDeconvolver {
  private final int nx;
  private final int ny;
  private final double gain;

  public MultiTermHogbom(int nx, int ny, double gain) {
    this.nx = nx;
    this.ny = ny;
    this.gain = gain;
  }

  /** Inverse of the Hessian at the PSF peaks: [[h00, h01], [h01, h11]]^-1 as {i00, i01, i11}. */
  public static double[] inverseHessian(float[][] psfs, int nx, int ny) {
    int c = (ny / 2) * nx + nx / 2;
    double h00 = psfs[0][c];
    double h01 = psfs[1][c];
    double h11 = psfs[2][c];
    double det = h00 * h11 - h01 * h01;
    if (!(det > 0)) {
      throw new IllegalStateException("the Taylor-term Hessian is singular: the selected band is too narrow for"
          + " nterms 2 (use more channels or deconvolver hogbom)");
    }
    return new double[] {h11 / det, -h01 / det, h00 / det};
  }

  @Override
  public MinorCycleResult deconvolve(float[][] residuals, float[][] models, float[][] psfs, byte[] mask,
      double cycleThreshold,
      int maxIterations) {
    if (residuals.length != 2 || models.length != 2 || psfs.length != 3) {
      throw new IllegalArgumentException("MultiTermHogbom handles nterms 2 (2 residuals, 2 models, 3 PSFs)");
    }
    double[] hi = inverseHessian(psfs, nx, ny);
    float[] r0 = residuals[0];
    float[] r1 = residuals[1];
    int n = nx * ny;
    int cx = nx / 2;
    int cy = ny / 2;
    int iter = 0;
    double flux = 0;
    double peak;
    while (true) {
      int best = -1;
      double bestCrit = -1;
      peak = 0;
      for (int i = 0; i < n; i++) {
        if (mask != null && mask[i] == 0) {
          continue;
        }
        double a = r0[i];
        double b = r1[i];
        peak = Math.max(peak, Math.abs(a));
        double crit = a * (hi[0] * a + hi[1] * b) + b * (hi[1] * a + hi[2] * b);
        if (crit > bestCrit) {
          bestCrit = crit;
          best = i;
        }
      }
      if (iter >= maxIterations || peak <= cycleThreshold || best < 0) {
        break;
      }
      double a0 = gain * (hi[0] * r0[best] + hi[1] * r1[best]);
      double a1 = gain * (hi[1] * r0[best] + hi[2] * r1[best]);
      models[0][best] += (float) a0;
      models[1][best] += (float) a1;
      flux += a0;
      int px = best % nx;
      int py = best / nx;
      int x0 = Math.max(0, px - cx);
      int x1 = Math.min(nx, px - cx + nx);
      int y0 = Math.max(0, py - cy);
      int y1 = Math.min(ny, py - cy + ny);
      for (int y = y0; y < y1; y++) {
        int row = y * nx;
        int prow = (y - py + cy) * nx + (cx - px);
        for (int x = x0; x < x1; x++) {
          double p0 = psfs[0][prow + x];
          double p1 = psfs[1][prow + x];
          double p2 = psfs[2][prow + x];
          r0[row + x] -= (float) (a0 * p0 + a1 * p1);
          r1[row + x] -= (float) (a0 * p1 + a1 * p2);
        }
      }
      iter++;
    }
    return new MinorCycleResult(iter, peak, flux);
  }
}
