package org.pclean.casacore;

/**
 * How the gridder handles w: {@code planes == 1} ignores it (tclean 'standard'); more planes w-stack over
 * [wmin, wmax] wavelengths, or over the range of the samples being gridded when the range is NaN. Row chunks of
 * one continuum image pass the range of the whole selection ({@link #range}), so each chunk stacks on exactly the
 * planes the serial run uses. {@code planes == 0} ({@link #span}) gives the w-gridder only the range: it chooses
 * its planes over it from its accuracy.
 */
public record WStack(int planes, double wmin, double wmax) {
  private static final double SPEED_OF_LIGHT = 299792458.0;

  /** w ignored. */
  public static WStack none() {
    return new WStack(1, Double.NaN, Double.NaN);
  }

  /** The w-gridder's planes, its choice, over range [wmin, wmax] (wavelengths). */
  public static WStack span(double[] range) {
    return new WStack(0, range[0], range[1]);
  }

  /** Whether w is handled over a given range (w-stacked, or spanned for the w-gridder), not ignored. */
  public boolean stacked() {
    return planes != 1;
  }

  /** planes over the range of whatever samples are gridded. */
  public static WStack fromData(int planes) {
    return new WStack(planes, Double.NaN, Double.NaN);
  }

  /** [min, max] of w in wavelengths over rows and the band edges, computed as the native gridder does. */
  public static double[] range(double[] uvw, double[] freq) {
    double fmin = Double.MAX_VALUE;
    double fmax = -Double.MAX_VALUE;
    for (double f : freq) {
      fmin = Math.min(fmin, f);
      fmax = Math.max(fmax, f);
    }
    double lo = 1e300;
    double hi = -1e300;
    for (int r = 0; r < uvw.length / 3; r++) {
      double w = uvw[3 * r + 2];
      for (double f : new double[] {fmin, fmax}) {
        lo = Math.min(lo, w * f / SPEED_OF_LIGHT);
        hi = Math.max(hi, w * f / SPEED_OF_LIGHT);
      }
    }
    return new double[] {lo, hi};
  }
}
