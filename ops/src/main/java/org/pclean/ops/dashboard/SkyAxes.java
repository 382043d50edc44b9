package org.pclean.ops.dashboard;

import java.util.Locale;

/**
 * Sky coordinates of an image's pixels for axis labels: the SIN (orthographic) projection casacore writes for
 * tclean's images, reference pixel (nx/2, ny/2) at the phase centre, RA increasing to the left (pixel x grows
 * west), Dec up.
 *
 * @param ra phase centre, J2000 radians
 * @param dec phase centre, J2000 radians
 * @param cellX cell along RA, radians (positive)
 * @param cellY cell along Dec, radians (positive)
 */
record SkyAxes(int nx, int ny, double ra, double dec, double cellX, double cellY) {
  /** RA and Dec (radians) of pixel (x, y), 0-based, y up. */
  double[] world(double x, double y) {
    double l = -(x - nx / 2) * cellX;
    double m = (y - ny / 2) * cellY;
    double n = Math.sqrt(Math.max(0, 1 - l * l - m * m));
    double a = ra + Math.atan2(l, n * Math.cos(dec) - m * Math.sin(dec));
    double d = Math.asin(m * Math.cos(dec) + n * Math.sin(dec));
    double twoPi = 2 * Math.PI;
    return new double[] {((a % twoPi) + twoPi) % twoPi, d};
  }

  /** "HH:MM:SS.SS" of an RA in radians. */
  static String hms(double ra) {
    double h = Math.toDegrees(ra) / 15;
    long centis = Math.round(h * 360000);
    return String.format(Locale.ROOT, "%02d:%02d:%05.2f", centis / 360000 % 24, centis / 6000 % 60,
        (centis % 6000) / 100.0);
  }

  /** "+DD:MM:SS.S" of a Dec in radians. */
  static String dms(double dec) {
    double deg = Math.toDegrees(dec);
    long tenths = Math.round(Math.abs(deg) * 36000);
    return String.format(Locale.ROOT, "%s%02d:%02d:%04.1f", deg < 0 ? "-" : "+", tenths / 36000, tenths / 600 % 60,
        (tenths % 600) / 10.0);
  }
}
