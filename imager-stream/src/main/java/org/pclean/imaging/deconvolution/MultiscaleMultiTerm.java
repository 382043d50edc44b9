package org.pclean.imaging.deconvolution;

/**
 * Multi-scale multi-term multi-frequency CLEAN (MS-MFS, Rau &amp; Cornwell 2011; tclean's mtmfs with scales) for
 * nterms = 2. Components are the multiscale scale functions S_k ({@link MultiscaleDeconvolver#scaleFunction})
 * carrying a Taylor pair (a0, a1). The Taylor residuals are kept smoothed by every scale, R_{k,t} = S_k ⊗ R_t;
 * scale k has its own Hessian H_k from the cross PSFs S_k ⊗ S_k ⊗ P_m (m = t + q) at their centre. Each iteration
 * solves a = H_k⁻¹ (R_{k,0}, R_{k,1}) at every pixel of every scale and takes the scale and pixel whose solution
 * most reduces χ² (a·r), weighted by the scale bias 1 - smallscalebias·scale/maxscale as the multiscale clean is;
 * it adds gain·a_t·S_k to model t there and subtracts gain·Σ_t a_t S_j ⊗ S_k ⊗ P_{t+q} from every R_{j,q}. The
 * threshold applies to the unsmoothed tt0 residual.
 */
public final class MultiscaleMultiTerm implements MultiTermDeconvolver {
  private final int nx;
  private final int ny;
  private final double gain;
  private final CleanScales byScale;

  public MultiscaleMultiTerm(int nx, int ny, double gain, int[] scales, double smallScaleBias) {
    this.nx = nx;
    this.ny = ny;
    this.gain = gain;
    this.byScale = new CleanScales(nx, ny, scales, smallScaleBias);
  }

  @Override
  public MinorCycleResult deconvolve(float[][] residuals, float[][] models, float[][] psfs, byte[] mask,
      double cycleThreshold, int maxIterations) {
    if (residuals.length != 2 || models.length != 2 || psfs.length != 3) {
      throw new IllegalArgumentException("multi-scale mtmfs handles nterms 2 (2 residuals, 2 models, 3 PSFs)");
    }
    int ns = byScale.count;
    int n = nx * ny;
    float[][] shapes = byScale.shapes;
    double[] bias = byScale.bias;
    // psfByScale[k][m] = S_k ⊗ P_m; cross[j][k][m] = S_j ⊗ S_k ⊗ P_m (symmetric in j, k).
    float[][][] psfByScale = new float[ns][3][];
    for (int k = 0; k < ns; k++) {
      for (int m = 0; m < 3; m++) {
        psfByScale[k][m] = byScale.smooth(k, psfs[m]);
      }
    }
    float[][][][] cross = new float[ns][ns][][];
    for (int j = 0; j < ns; j++) {
      for (int k = j; k < ns; k++) {
        float[][] c = new float[3][];
        for (int m = 0; m < 3; m++) {
          c[m] = byScale.smooth(k, psfByScale[j][m]);
        }
        cross[j][k] = c;
        cross[k][j] = c;
      }
    }
    float[][][] smoothed = new float[ns][2][];
    for (int k = 0; k < ns; k++) {
      for (int t = 0; t < 2; t++) {
        smoothed[k][t] = byScale.smooth(k, residuals[t]);
      }
    }
    // Each scale's Taylor Hessian at the centre of its cross PSFs, inverted.
    double[][] hinv = new double[ns][];
    for (int k = 0; k < ns; k++) {
      hinv[k] = MultiTermHogbom.inverseHessian(cross[k][k], nx, ny);
    }
    int iter = 0;
    double flux = 0;
    double peak = CleanScales.peak(residuals[0], mask);
    while (iter < maxIterations && peak > cycleThreshold) {
      int bestScale = -1;
      int bestPixel = -1;
      double bestCrit = 0;
      for (int k = 0; k < ns; k++) {
        double[] h = hinv[k];
        float[] r0 = smoothed[k][0];
        float[] r1 = smoothed[k][1];
        for (int i = 0; i < n; i++) {
          if (mask != null && mask[i] == 0) {
            continue;
          }
          double a = r0[i];
          double b = r1[i];
          double crit = bias[k] * (a * (h[0] * a + h[1] * b) + b * (h[1] * a + h[2] * b));
          if (crit > bestCrit) {
            bestCrit = crit;
            bestScale = k;
            bestPixel = i;
          }
        }
      }
      if (bestScale < 0) {
        break;
      }
      double[] h = hinv[bestScale];
      double r0 = smoothed[bestScale][0][bestPixel];
      double r1 = smoothed[bestScale][1][bestPixel];
      double a0 = gain * (h[0] * r0 + h[1] * r1);
      double a1 = gain * (h[1] * r0 + h[2] * r1);
      int px = bestPixel % nx;
      int py = bestPixel / nx;
      addShifted(models[0], shapes[bestScale], px, py, a0);
      addShifted(models[1], shapes[bestScale], px, py, a1);
      flux += a0;
      for (int j = 0; j < ns; j++) {
        float[][] c = cross[j][bestScale];
        // R_{j,q} -= a0 S_j⊗S_k⊗P_q + a1 S_j⊗S_k⊗P_{q+1}
        addShifted(smoothed[j][0], c[0], px, py, -a0);
        addShifted(smoothed[j][0], c[1], px, py, -a1);
        addShifted(smoothed[j][1], c[1], px, py, -a0);
        addShifted(smoothed[j][1], c[2], px, py, -a1);
      }
      float[][] p = psfByScale[bestScale];
      addShifted(residuals[0], p[0], px, py, -a0);
      addShifted(residuals[0], p[1], px, py, -a1);
      addShifted(residuals[1], p[1], px, py, -a0);
      addShifted(residuals[1], p[2], px, py, -a1);
      iter++;
      peak = CleanScales.peak(residuals[0], mask);
    }
    return new MinorCycleResult(iter, peak, flux);
  }

  private void addShifted(float[] a, float[] b, int px, int py, double amp) {
    CleanScales.addShifted(a, b, nx, ny, px, py, amp);
  }
}
