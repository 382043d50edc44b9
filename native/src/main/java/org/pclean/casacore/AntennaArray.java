package org.pclean.casacore;

import java.util.ArrayList;
import java.util.List;

/**
 * An interferometer layout in ITRF coordinates, with a generator for VLA-like Y-shaped arrays.
 *
 * @param positions ITRF metres, one (x, y, z) per antenna
 * @param diameters dish diameters, metres
 */
public record AntennaArray(String telescope, List<String> names, List<double[]> positions, double[] diameters) {

  // WGS84 ellipsoid.
  private static final double WGS84_A = 6378137.0;
  private static final double WGS84_F = 1.0 / 298.257223563;

  // VLA array centre (geodetic) and arm azimuths (degrees east of north).
  private static final double VLA_LON_DEG = -107.6177275;
  private static final double VLA_LAT_DEG = 34.0787491;
  private static final double VLA_HEIGHT_M = 2115.0;
  private static final double[] VLA_ARM_AZIMUTH_DEG = {355.0, 115.0, 235.0};
  private static final String[] VLA_ARM_NAMES = {"N", "E", "W"};
  // Station n on an arm sits at r_1 * n^1.716 (the VLA's power-law spacing).
  private static final double VLA_SPACING_EXPONENT = 1.716;

  public AntennaArray {
    if (names.size() != positions.size() || names.size() != diameters.length) {
      throw new IllegalArgumentException("names, positions and diameters differ in length");
    }
    if (names.size() < 2) {
      throw new IllegalArgumentException("an interferometer needs at least 2 antennas");
    }
  }

  public int size() {
    return names.size();
  }

  /**
   * A VLA-like array: 27 antennas of 25 m, 9 per arm, the outermost at {@code armLengthMetres} from the
   * centre. Arm lengths of the real configurations: A 21 km, B 6.4 km, C 1.95 km, D 0.6 km.
   */
  public static AntennaArray vlaLike(double armLengthMetres) {
    if (!(armLengthMetres > 100)) {
      throw new IllegalArgumentException("VLA arm length must exceed 100 m, got " + armLengthMetres);
    }
    double r1 = armLengthMetres / Math.pow(9, VLA_SPACING_EXPONENT);
    List<String> names = new ArrayList<>();
    List<double[]> positions = new ArrayList<>();
    double[] diam = new double[27];
    for (int arm = 0; arm < 3; arm++) {
      double az = Math.toRadians(VLA_ARM_AZIMUTH_DEG[arm]);
      for (int n = 1; n <= 9; n++) {
        double r = r1 * Math.pow(n, VLA_SPACING_EXPONENT);
        names.add(String.format("%s%02d", VLA_ARM_NAMES[arm], n));
        positions.add(enuToItrf(r * Math.sin(az), r * Math.cos(az), 0.0,
            VLA_LON_DEG, VLA_LAT_DEG, VLA_HEIGHT_M));
        diam[names.size() - 1] = 25.0;
      }
    }
    return new AntennaArray("VLA", List.copyOf(names), List.copyOf(positions), diam);
  }

  /** VLA configuration letter (A, B, C, D) to arm length in metres. */
  public static double vlaArmLength(String configuration) {
    return switch (configuration.trim().toUpperCase()) {
      case "A" -> 21000.0;
      case "B" -> 6400.0;
      case "C" -> 1950.0;
      case "D" -> 600.0;
      default -> throw new IllegalArgumentException(
          "unknown VLA configuration '" + configuration + "' (expected A, B, C or D)");
    };
  }

  /** Local east/north/up offsets (metres) at a geodetic site to ITRF (x, y, z) metres. */
  static double[] enuToItrf(double e, double n, double u, double lonDeg, double latDeg, double heightM) {
    double lon = Math.toRadians(lonDeg);
    double lat = Math.toRadians(latDeg);
    double e2 = WGS84_F * (2 - WGS84_F);
    double sinLat = Math.sin(lat);
    double cosLat = Math.cos(lat);
    double primeVertical = WGS84_A / Math.sqrt(1 - e2 * sinLat * sinLat);
    double x0 = (primeVertical + heightM) * cosLat * Math.cos(lon);
    double y0 = (primeVertical + heightM) * cosLat * Math.sin(lon);
    double z0 = (primeVertical * (1 - e2) + heightM) * sinLat;
    double sinLon = Math.sin(lon);
    double cosLon = Math.cos(lon);
    return new double[] {
        x0 - sinLon * e - sinLat * cosLon * n + cosLat * cosLon * u,
        y0 + cosLon * e - sinLat * sinLon * n + cosLat * sinLon * u,
        z0 + cosLat * n + sinLat * u
    };
  }
}
