package org.pclean.imaging.deconvolution;

/**
 * Multiscale CLEAN (Cornwell 2008, CASA's 'multiscale'). Components are scale functions: a delta for scale 0,
 * else (1 - r²) ψ(r) out to radius = scale pixels (ψ the prolate spheroidal), unit sum — CASA's definition.
 * The residual is kept smoothed by every scale (R_k = R ⊗ S_k); each iteration takes the scale and pixel with the
 * largest biased strength |R_k|/β_k (β_k = (PSF ⊗ S_k ⊗ S_k) at its centre; bias 1 - smallscalebias·scale/maxscale,
 * CASA's LatticeCleaner rule), adds gain·R_k/β_k of that scale function to the model and subtracts the matching
 * PSF ⊗ S_j ⊗ S_k from every R_j. The threshold applies to the scale-0 residual.
 */
public final class MultiscaleDeconvolver implements Deconvolver {
  private final int nx;
  private final int ny;
  private final double gain;
  private final int[] scales;
  private final CleanScales byScale;

  public MultiscaleDeconvolver(int nx, int ny, double gain, int[] scales, double smallScaleBias) {
    this.nx = nx;
    this.ny = ny;
    this.gain = gain;
    this.scales = scales.clone();
    this.byScale = new CleanScales(nx, ny, scales, smallScaleBias);
  }

  /** CASA's scale function: (1 - r²) ψ(r) for r = distance/scale < 1, normalised to unit sum; a delta for 0. */
  static float[] scaleFunction(int nx, int ny, int scale) {
    float[] s = new float[nx * ny];
    int cx = nx / 2;
    int cy = ny / 2;
    if (scale == 0) {
      s[cy * nx + cx] = 1;
      return s;
    }
    double sum = 0;
    for (int y = Math.max(0, cy - scale); y <= Math.min(ny - 1, cy + scale); y++) {
      for (int x = Math.max(0, cx - scale); x <= Math.min(nx - 1, cx + scale); x++) {
        double r2 = (Math.pow(x - cx, 2) + Math.pow(y - cy, 2)) / ((double) scale * scale);
        if (r2 < 1) {
          double v = (1 - r2) * spheroidal(Math.sqrt(r2));
          s[y * nx + x] = (float) v;
          sum += v;
        }
      }
    }
    for (int i = 0; i < s.length; i++) {
      s[i] /= (float) sum;
    }
    return s;
  }

  /** Schwab's rational approximation of the prolate spheroidal function (α = 1, m = 6), 0 ≤ nu < 1. */
  static double spheroidal(double nu) {
    double[][] p = {{8.203343e-2, -3.644705e-1, 6.278660e-1, -5.335581e-1, 2.312756e-1},
        {4.028559e-3, -3.697768e-2, 1.021332e-1, -1.201436e-1, 6.412774e-2}};
    double[][] q = {{1.0, 8.212018e-1, 2.078043e-1}, {1.0, 9.599102e-1, 2.918724e-1}};
    if (nu >= 1) {
      return 0;
    }
    int part = nu < 0.75 ? 0 : 1;
    double end = part == 0 ? 0.75 : 1.0;
    double d = nu * nu - end * end;
    double top = 0;
    double bot = 0;
    double dk = 1;
    for (int k = 0; k < 5; k++, dk *= d) {
      top += p[part][k] * dk;
    }
    dk = 1;
    for (int k = 0; k < 3; k++, dk *= d) {
      bot += q[part][k] * dk;
    }
    return top / bot;
  }

  @Override
  public MinorCycleResult deconvolve(float[] residual, float[] model, float[] psf, byte[] mask,
      double cycleThreshold, int maxIterations) {
    int ns = scales.length;
    int n = nx * ny;
    float[][] shapes = byScale.shapes;
    double[] bias = byScale.bias;
    // PSF ⊗ S_k, the cross PSFs PSF ⊗ S_j ⊗ S_k (symmetric in j, k) and the smoothed residuals R_k.
    float[][] psfByScale = new float[ns][];
    for (int k = 0; k < ns; k++) {
      psfByScale[k] = byScale.smooth(k, psf);
    }
    float[][][] cross = new float[ns][ns][];
    for (int j = 0; j < ns; j++) {
      for (int k = j; k < ns; k++) {
        cross[j][k] = byScale.smooth(k, psfByScale[j]);
        cross[k][j] = cross[j][k];
      }
    }
    float[][] smoothed = new float[ns][];
    for (int k = 0; k < ns; k++) {
      smoothed[k] = byScale.smooth(k, residual);
    }
    double[] beta = new double[ns];
    int centre = (ny / 2) * nx + nx / 2;
    for (int k = 0; k < ns; k++) {
      beta[k] = cross[k][k][centre];
    }
    int zero = indexOfScale0();
    int iter = 0;
    double flux = 0;
    double peak = peakOfTrueResidual(residual, smoothed, zero, mask);
    while (iter < maxIterations && peak > cycleThreshold) {
      int bestScale = -1;
      int bestPixel = -1;
      double bestValue = 0;
      for (int k = 0; k < ns; k++) {
        float[] r = smoothed[k];
        // Compare component strengths, R_k / β_k: smoothing lowers R_k, and β_k by as much for a matching scale.
        double weight = bias[k] / beta[k];
        for (int i = 0; i < n; i++) {
          if (mask != null && mask[i] == 0) {
            continue;
          }
          double v = Math.abs(r[i]) * weight;
          if (v > bestValue) {
            bestValue = v;
            bestScale = k;
            bestPixel = i;
          }
        }
      }
      if (bestScale < 0) {
        break;
      }
      double amp = gain * smoothed[bestScale][bestPixel] / beta[bestScale];
      int px = bestPixel % nx;
      int py = bestPixel / nx;
      addShifted(model, shapes[bestScale], px, py, amp);
      flux += amp;
      for (int j = 0; j < ns; j++) {
        addShifted(smoothed[j], cross[j][bestScale], px, py, -amp);
      }
      if (zero < 0) {
        addShifted(residual, psfByScale[bestScale], px, py, -amp);
      }
      iter++;
      peak = peakOfTrueResidual(residual, smoothed, zero, mask);
    }
    if (zero >= 0) {
      System.arraycopy(smoothed[zero], 0, residual, 0, n);
    }
    return new MinorCycleResult(iter, peak, flux);
  }

  private int indexOfScale0() {
    for (int k = 0; k < scales.length; k++) {
      if (scales[k] == 0) {
        return k;
      }
    }
    return -1;
  }

  /** Peak in the mask; the unsmoothed residual is R_0 when scale 0 is among the scales, else tracked separately. */
  private double peakOfTrueResidual(float[] residual, float[][] smoothed, int zero, byte[] mask) {
    return CleanScales.peak(zero >= 0 ? smoothed[zero] : residual, mask);
  }

  private void addShifted(float[] a, float[] b, int px, int py, double amp) {
    CleanScales.addShifted(a, b, nx, ny, px, py, amp);
  }
}
