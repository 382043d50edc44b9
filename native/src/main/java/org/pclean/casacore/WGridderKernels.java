package org.pclean.casacore;

import org.pclean.casacore.jni.PcleanNative;

/**
 * The fast w-gridder (native, see {@code wgridder.h}): the transforms of {@link GriddingKernels} to a requested
 * accuracy ε with the exponential-of-semicircle kernel, 2× grids, w-stacking when the w-term exceeds ε, float
 * grids and tiled, threaded gridding. Same conventions: invert {@code I(x,y) = Σ w Re[V exp(-2πi (u l + v m +
 * w (n-1)))]} (unnormalised), predict its exact adjoint; pixel (x, y) at {@code l = -(x - nx/2) cellx,
 * m = (y - ny/2) celly}; samples {@code [row * nchan + chan]}, uvw in metres, frequencies in Hz, weights ≤ 0 skip
 * a sample. The w planes span {@code [wmin, wmax]} (wavelengths, either sign; NaN: the samples' range).
 * Thread-safe.
 */
public final class WGridderKernels {
  /** The accuracy asked for by default: what float grids give comfortably (WSClean's default too). */
  public static final double DEFAULT_EPSILON = 1e-4;

  /** What the gridder chose: kernel support (cells) and beta, padded grid size, w planes (1: w ignored). */
  public record Parameters(int support, double beta, int gridX, int gridY, int wPlanes) {}

  /**
   * Wall seconds per phase, summed over calls: bucketing the samples, gridding/degridding (the kernel), FFTs,
   * image-side work (w-screens, correction, clearing the grid).
   */
  public record PhaseSeconds(double sort, double grid, double fft, double image) {
    static PhaseSeconds of(double[] s) {
      return new PhaseSeconds(s[0], s[1], s[2], s[3]);
    }
  }

  private WGridderKernels() {}

  /** The parameters invert and predict use for this image, accuracy and w range. */
  public static Parameters parameters(double epsilon, int nx, int ny, double cellx, double celly, double wmin,
      double wmax) {
    int[] out = new int[4];
    double beta = NativeCall.call("w-gridder parameters",
        () -> PcleanNative.wgridParameters(epsilon, nx, ny, cellx, celly, wmin, wmax, out));
    return new Parameters(out[0], beta, out[1], out[2], out[3]);
  }

  /** Dirty image (or PSF when vis is null) into image (nx*ny); returns the sum of the gridded weights. */
  public static double invert(double[] uvw, double[] freq, float[] vis, float[] weight, int nx, int ny,
      double cellx, double celly, double epsilon, double wmin, double wmax, int nthreads, float[] image,
      double[] seconds) {
    long nrow = uvw.length / 3;
    long samples = nrow * freq.length;
    if (weight.length != samples || (vis != null && vis.length != 2 * samples) || image.length != (long) nx * ny) {
      throw new IllegalArgumentException("gridding arrays do not match " + nrow + " rows x " + freq.length
          + " channels and a " + nx + "x" + ny + " image");
    }
    double[] phases = timers(seconds);
    return NativeCall.call("w-gridding failed", () -> PcleanNative.wgridInvert(uvw, nrow, freq, freq.length, vis,
        weight, nx, ny, cellx, celly, epsilon, wmin, wmax, nthreads, image, phases));
  }

  /** Model visibilities (interleaved complex, nrow*nchan) of a model image. */
  public static float[] predict(float[] model, int nx, int ny, double cellx, double celly, double epsilon,
      double wmin, double wmax, double[] uvw, double[] freq, int nthreads, double[] seconds) {
    float[] vis = new float[Math.toIntExact(2 * (uvw.length / 3) * freq.length)];
    predictInto(model, nx, ny, cellx, celly, epsilon, wmin, wmax, uvw, freq, nthreads, seconds, vis);
    return vis;
  }

  /** As above into vis (2 * nrow * nchan, overwritten), so a major cycle reuses one buffer. */
  public static void predictInto(float[] model, int nx, int ny, double cellx, double celly, double epsilon,
      double wmin, double wmax, double[] uvw, double[] freq, int nthreads, double[] seconds, float[] vis) {
    long nrow = uvw.length / 3;
    if (model.length != (long) nx * ny) {
      throw new IllegalArgumentException("model has " + model.length + " pixels, expected " + nx + "x" + ny);
    }
    if (vis.length != 2 * nrow * freq.length) {
      throw new IllegalArgumentException("visibility buffer has " + vis.length + " values, expected "
          + 2 * nrow * freq.length);
    }
    double[] phases = timers(seconds);
    NativeCall.run("w-degridding failed", () -> PcleanNative.wgridPredict(model, nx, ny, cellx, celly, epsilon,
        wmin, wmax, uvw, nrow, freq, freq.length, nthreads, vis, phases));
  }

  /** seconds: null, or 4 phase totals added to (see {@link PhaseSeconds}). */
  private static double[] timers(double[] seconds) {
    if (seconds != null && seconds.length != 4) {
      throw new IllegalArgumentException("seconds needs 4 phase totals, got " + seconds.length);
    }
    return seconds;
  }
}
