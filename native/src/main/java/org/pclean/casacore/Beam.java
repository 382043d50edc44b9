package org.pclean.casacore;

/**
 * A Gaussian restoring beam: FWHM axes in arcsec, position angle in degrees east of north — the one beam type of
 * pclean, fitted by the engine, stored in CASA images (per image or per plane), carried on the bus.
 */
public record Beam(double majorArcsec, double minorArcsec, double paDeg) {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final double FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2));

  /**
   * The quadratic form q with beam(east, north) = exp(-(q[0] e² + 2 q[1] e n + q[2] n²)), offsets in radians:
   * the major axis points along (sin pa, cos pa).
   */
  public double[] quadraticForm() {
    double smaj = majorArcsec * ARCSEC / FWHM_PER_SIGMA;
    double smin = minorArcsec * ARCSEC / FWHM_PER_SIGMA;
    double pa = Math.toRadians(paDeg);
    double ue = Math.sin(pa);
    double un = Math.cos(pa);  // major axis
    double ve = Math.cos(pa);
    double vn = -Math.sin(pa);  // minor axis
    double a = 1 / (2 * smaj * smaj);
    double b = 1 / (2 * smin * smin);
    return new double[] {a * ue * ue + b * ve * ve, a * ue * un + b * ve * vn, a * un * un + b * vn * vn};
  }

  /** Beam area in pixels: the sum of the peak-normalised Gaussian (Jy/beam → Jy/pixel). */
  public double areaPixels(double cellx, double celly) {
    double smaj = majorArcsec * ARCSEC / FWHM_PER_SIGMA;
    double smin = minorArcsec * ARCSEC / FWHM_PER_SIGMA;
    return 2 * Math.PI * smaj * smin / (cellx * celly);
  }

  /** False for the all-zero beam an image without a restoring beam reports. */
  public boolean isPresent() {
    return majorArcsec > 0;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%.3f\" x %.3f\" pa %.1f deg", majorArcsec, minorArcsec, paDeg);
  }
}
