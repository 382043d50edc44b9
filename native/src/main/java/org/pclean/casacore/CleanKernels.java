package org.pclean.casacore;

import org.pclean.casacore.jni.PcleanNative;

/** Minor-cycle kernels (native, see {@code cleaner.h}). Images are {@code [y * nx + x]}. Thread-safe. */
public final class CleanKernels {
  private CleanKernels() {}

  /**
   * @param components how many CLEAN components were taken
   * @param peakResidual peak |residual| inside the mask afterwards
   * @param fluxAdded total flux added to the model
   */
  public record Result(int components, double peakResidual, double fluxAdded) {}

  /**
   * Hogbom CLEAN on residual/model in place with a PSF of the same shape peaking (1) at (nx/2, ny/2); stops at
   * maxIter components or when the peak |residual| in the mask (null = everywhere) reaches threshold.
   */
  public static Result hogbom(float[] residual, float[] model, float[] psf, byte[] mask, int nx, int ny, float gain,
      float threshold, int maxIter) {
    int n = nx * ny;
    if (residual.length != n || model.length != n || psf.length != n || (mask != null && mask.length != n)) {
      throw new IllegalArgumentException("residual, model, psf and mask must all be " + nx + "x" + ny);
    }
    double[] stats = new double[2];
    int iters = NativeCall.call("Hogbom clean failed",
        () -> PcleanNative.hogbomClean(residual, model, psf, mask, nx, ny, gain, threshold, maxIter, stats));
    return new Result(iters, stats[0], stats[1]);
  }

  /** Peak |value| inside mask (null = everywhere). */
  public static float peakAbs(float[] image, byte[] mask, int nx, int ny) {
    return NativeCall.call("peak search failed", () -> PcleanNative.peakAbs(image, mask, nx, ny, (long[]) null));
  }
}
