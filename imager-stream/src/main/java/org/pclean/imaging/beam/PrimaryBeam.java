package org.pclean.imaging.beam;

/**
 * The primary beam as an Airy pattern of a uniformly illuminated dish: PB(θ) = (2 J1(x)/x)², x = π D sin θ / λ,
 * with D the dish diameter from the ANTENNA table; 1 everywhere when the diameter is unknown (0).
 */
public final class PrimaryBeam {
  private static final double C = 299792458.0;

  private PrimaryBeam() {}

  /** PB over an nx*ny image centred on the phase centre (pixel nx/2, ny/2), at frequency freq (Hz). */
  public static float[] image(int nx, int ny, double cellx, double celly, double dishDiameter, double freq) {
    float[] pb = new float[nx * ny];
    if (!(dishDiameter > 0)) {
      java.util.Arrays.fill(pb, 1f);
      return pb;
    }
    // Radially symmetric: tabulate once over the largest radius and interpolate.
    double rmax = Math.hypot(nx / 2.0 * cellx, ny / 2.0 * celly) * 1.01;
    int n = 4096;
    double[] table = new double[n + 2];
    for (int i = 0; i <= n + 1; i++) {
      table[i] = airy(Math.PI * dishDiameter * Math.sin(Math.min(rmax * i / n, Math.PI / 2)) * freq / C);
    }
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        double r = Math.hypot((x - nx / 2) * cellx, (y - ny / 2) * celly) / rmax * n;
        int i = (int) r;
        double f = r - i;
        pb[y * nx + x] = (float) (table[i] * (1 - f) + table[i + 1] * f);
      }
    }
    return pb;
  }

  /** (2 J1(x)/x)². */
  static double airy(double x) {
    if (Math.abs(x) < 1e-8) {
      return 1.0;
    }
    double v = 2 * besselJ1(x) / x;
    return v * v;
  }

  /** J1(x) = (1/π) ∫₀^π cos(τ - x sin τ) dτ, by Simpson's rule (the integrand is smooth and periodic). */
  static double besselJ1(double x) {
    int n = 200;
    double h = Math.PI / n;
    double sum = Math.cos(0) + Math.cos(Math.PI - x * Math.sin(Math.PI));
    for (int k = 1; k < n; k++) {
      double t = k * h;
      sum += (k % 2 == 1 ? 4 : 2) * Math.cos(t - x * Math.sin(t));
    }
    return sum * h / 3 / Math.PI;
  }
}
