package org.pclean.imaging.mask;

import org.pclean.casacore.ImageGeometry;

/**
 * The image's celestial coordinates as the product images carry them: SIN projection about the phase centre at
 * pixel (nx/2, ny/2), 0-based, RA increasing to the left (increment −cellX), Dec upward (+cellY). Turns J2000
 * directions and angular lengths of mask regions into pixels.
 */
public record PixelFrame(int nx, int ny, double ra0, double dec0, double cellX, double cellY) {
  public static PixelFrame of(ImageGeometry g) {
    return new PixelFrame(g.nx(), g.ny(), g.ra(), g.dec(), g.cellX(), g.cellY());
  }

  /** (x, y) pixel of a J2000 direction (radians). */
  public double[] pixel(double ra, double dec) {
    double dra = ra - ra0;
    double cosc = Math.sin(dec0) * Math.sin(dec) + Math.cos(dec0) * Math.cos(dec) * Math.cos(dra);
    if (!(cosc > 0)) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "the direction %.6f deg, %.6f deg lies more than 90 degrees from the image centre", Math.toDegrees(ra),
          Math.toDegrees(dec)));
    }
    double l = Math.cos(dec) * Math.sin(dra);
    double m = Math.sin(dec) * Math.cos(dec0) - Math.cos(dec) * Math.sin(dec0) * Math.cos(dra);
    return new double[] {nx / 2 - l / cellX, ny / 2 + m / cellY};
  }
}
