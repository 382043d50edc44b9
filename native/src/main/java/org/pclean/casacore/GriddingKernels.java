package org.pclean.casacore;

import org.pclean.casacore.jni.PcleanNative;

/**
 * Visibility ↔ image transforms (native, see {@code gridder.h}): prolate-spheroidal convolutional gridding on a
 * padded grid, FFT and grid correction; w-stacking when {@code wplanes > 1}.
 *
 * <p>invert: {@code I(x,y) = Σ w Re[V exp(-2πi (u l + v m + w (n-1)))]} (unnormalised), predict:
 * {@code V = Σ M(x,y) exp(+2πi (u l + v m + w (n-1)))}, its exact adjoint. Pixel (x, y) is at
 * {@code l = -(x - nx/2) cellx, m = (y - ny/2) celly}. Samples are {@code [row * nchan + chan]}, uvw in metres,
 * frequencies in Hz, weights ≤ 0 skip a sample. Thread-safe.
 */
public final class GriddingKernels {
  private GriddingKernels() {}

  /** Dirty image (or PSF when vis is null) into image (nx*ny); returns the sum of the gridded weights. */
  public static double invert(double[] uvw, double[] freq, float[] vis, float[] weight, int nx, int ny,
      double cellx, double celly, double padding, int wplanes, int nthreads, float[] image) {
    return invert(uvw, freq, vis, weight, nx, ny, cellx, celly, padding, WStack.fromData(wplanes), nthreads, image);
  }

  /** As above, with the w-stack given (planes and their w range). */
  public static double invert(double[] uvw, double[] freq, float[] vis, float[] weight, int nx, int ny,
      double cellx, double celly, double padding, WStack w, int nthreads, float[] image) {
    long nrow = uvw.length / 3;
    check(nrow, freq.length, vis, weight, image.length == (long) nx * ny);
    return NativeCall.call("gridding failed", () -> PcleanNative.invert(uvw, nrow, freq, freq.length, vis, weight,
        nx, ny, cellx, celly, padding, w.planes(), w.wmin(), w.wmax(), nthreads, image));
  }

  /** Model visibilities (interleaved complex, nrow*nchan) of a model image. */
  public static float[] predict(float[] model, int nx, int ny, double cellx, double celly, double padding,
      int wplanes, double[] uvw, double[] freq, int nthreads) {
    return predict(model, nx, ny, cellx, celly, padding, WStack.fromData(wplanes), uvw, freq, nthreads);
  }

  /** As above, with the w-stack given (planes and their w range). */
  public static float[] predict(float[] model, int nx, int ny, double cellx, double celly, double padding,
      WStack w, double[] uvw, double[] freq, int nthreads) {
    float[] vis = new float[Math.toIntExact(2 * (uvw.length / 3) * freq.length)];
    predictInto(model, nx, ny, cellx, celly, padding, w, uvw, freq, nthreads, vis);
    return vis;
  }

  /** As above into vis (2 * nrow * nchan, overwritten), so a major cycle reuses one buffer. */
  public static void predictInto(float[] model, int nx, int ny, double cellx, double celly, double padding,
      WStack w, double[] uvw, double[] freq, int nthreads, float[] vis) {
    long nrow = uvw.length / 3;
    if (model.length != (long) nx * ny) {
      throw new IllegalArgumentException("model has " + model.length + " pixels, expected " + nx + "x" + ny);
    }
    if (vis.length != 2 * nrow * freq.length) {
      throw new IllegalArgumentException("visibility buffer has " + vis.length + " values, expected "
          + 2 * nrow * freq.length);
    }
    NativeCall.run("degridding failed", () -> PcleanNative.predict(model, nx, ny, cellx, celly, padding,
        w.planes(), w.wmin(), w.wmax(), uvw, nrow, freq, freq.length, nthreads, vis));
  }

  /** tclean's padded grid size: the smallest even 2-3-5-smooth size ≥ padding·n. */
  public static int paddedSize(int n, double padding) {
    return NativeCall.call("padded size", () -> PcleanNative.paddedSize(n, padding));
  }

  private static void check(long nrow, int nchan, float[] vis, float[] weight, boolean imageOk) {
    long samples = nrow * nchan;
    if (weight.length != samples || (vis != null && vis.length != 2 * samples) || !imageOk) {
      throw new IllegalArgumentException("gridding arrays do not match " + nrow + " rows x " + nchan + " channels");
    }
  }
}
