package org.pclean.imaging.deconvolution;

import org.pclean.casacore.CleanKernels;
import org.pclean.imaging.ImageConvolver;

/**
 * Clark CLEAN (Clark 1980, CASA's 'clark'). Each round takes the pixels brighter than a flux limit set by the
 * PSF's largest value outside a central patch (times the peak), cleans them among themselves with that patch of
 * the PSF (cheap: only active pixels, only the patch), then subtracts all the round's components from the whole
 * residual exactly with an FFT convolution by the full PSF. Errors from ignoring the PSF outside the patch stay
 * below the limit, so the next round sees them.
 */
public final class ClarkDeconvolver implements Deconvolver {
  private static final int MAX_ACTIVE = 20000;

  private final int nx;
  private final int ny;
  private final double gain;
  private final int patch;  // half-width of the PSF patch used among active pixels

  public ClarkDeconvolver(int nx, int ny, double gain) {
    this.nx = nx;
    this.ny = ny;
    this.gain = gain;
    this.patch = Math.max(2, Math.min(Math.min(nx, ny) / 4, 50));
  }

  @Override
  public MinorCycleResult deconvolve(float[] residual, float[] model, float[] psf, byte[] mask,
      double cycleThreshold, int maxIterations) {
    ImageConvolver byPsf = new ImageConvolver(psf, nx, ny);
    double outside = maxOutsidePatch(psf);
    int iter = 0;
    double flux = 0;
    double peak = CleanKernels.peakAbs(residual, mask, nx, ny);
    while (iter < maxIterations && peak > cycleThreshold) {
      double limit = Math.max(cycleThreshold, outside * peak);
      int[] active = activePixels(residual, mask, limit);
      float[] values = new float[active.length];
      for (int k = 0; k < active.length; k++) {
        values[k] = residual[active[k]];
      }
      float[] delta = new float[nx * ny];
      int roundIterations = 0;
      double roundFlux = 0;
      // Ignoring the PSF beyond the patch errs by at most outside·Σ|components|: end the round before that
      // error could reach the limit, and subtract exactly.
      while (iter < maxIterations && (roundIterations == 0 || outside * roundFlux < limit)) {
        int best = -1;
        float bestAbs = (float) limit;
        for (int k = 0; k < values.length; k++) {
          if (Math.abs(values[k]) > bestAbs) {
            bestAbs = Math.abs(values[k]);
            best = k;
          }
        }
        if (best < 0) {
          break;
        }
        float comp = (float) (gain * values[best]);
        int bx = active[best] % nx;
        int by = active[best] / nx;
        delta[active[best]] += comp;
        flux += comp;
        roundFlux += Math.abs(comp);
        for (int k = 0; k < active.length; k++) {
          int dx = active[k] % nx - bx;
          int dy = active[k] / nx - by;
          if (Math.abs(dx) <= patch && Math.abs(dy) <= patch) {
            values[k] -= comp * psf[(ny / 2 + dy) * nx + nx / 2 + dx];
          }
        }
        iter++;
        roundIterations++;
      }
      if (roundIterations == 0) {
        break;
      }
      float[] sub = byPsf.convolve(delta);
      for (int i = 0; i < residual.length; i++) {
        residual[i] -= sub[i];
        model[i] += delta[i];
      }
      peak = CleanKernels.peakAbs(residual, mask, nx, ny);
    }
    return new MinorCycleResult(iter, peak, flux);
  }

  /**
   * Pixels in the mask with |residual| above limit, at most MAX_ACTIVE of the brightest (the limit rises to keep
   * it so).
   */
  private int[] activePixels(float[] residual, byte[] mask, double limit) {
    int count = 0;
    for (int i = 0; i < residual.length; i++) {
      if (Math.abs(residual[i]) > limit && (mask == null || mask[i] != 0)) {
        count++;
      }
    }
    double lim = limit;
    if (count > MAX_ACTIVE) {
      float[] abs = new float[residual.length];
      for (int i = 0; i < abs.length; i++) {
        abs[i] = mask == null || mask[i] != 0 ? Math.abs(residual[i]) : 0;
      }
      java.util.Arrays.sort(abs);
      lim = abs[abs.length - MAX_ACTIVE];
    }
    int[] out = new int[Math.min(count, MAX_ACTIVE)];
    int k = 0;
    for (int i = 0; i < residual.length && k < out.length; i++) {
      boolean in = mask == null || mask[i] != 0;
      if (in && (Math.abs(residual[i]) > lim || (Math.abs(residual[i]) == lim && lim > limit))) {
        out[k++] = i;
      }
    }
    return java.util.Arrays.copyOf(out, k);
  }

  private double maxOutsidePatch(float[] psf) {
    double max = 0;
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        if (Math.abs(x - nx / 2) > patch || Math.abs(y - ny / 2) > patch) {
          max = Math.max(max, Math.abs(psf[y * nx + x]));
        }
      }
    }
    return max;
  }
}
