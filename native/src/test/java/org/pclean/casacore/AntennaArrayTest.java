package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AntennaArrayTest {
  private static double distance(double[] a, double[] b) {
    return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
  }

  /** The outermost stations of arms 120 degrees apart are sqrt(3) arm lengths apart (ENU -> ITRF is rigid). */
  @Test
  void vlaArmsHaveTheirGeometry() {
    AntennaArray d = AntennaArray.vlaLike(600);
    assertEquals(27, d.size());
    assertEquals("N09", d.names().get(8));
    assertEquals("E09", d.names().get(17));
    assertEquals(600 * Math.sqrt(3), distance(d.positions().get(8), d.positions().get(17)), 0.01);
    // Station n of an arm at r1 n^1.716: N01 to N09 spans r9 - r1.
    double r1 = 600 / Math.pow(9, 1.716);
    assertEquals(600 - r1, distance(d.positions().get(0), d.positions().get(8)), 0.01);
  }

  /** The site itself sits on the WGS84 ellipsoid; a pure "up" offset moves straight away from it. */
  @Test
  void enuToItrfAtTheVlaSite() {
    double[] site = AntennaArray.enuToItrf(0, 0, 0, -107.6177275, 34.0787491, 2115.0);
    // The VLA's published ITRF position is close to (-1601185, -5041977, 3554876) m.
    assertEquals(-1601185.0, site[0], 300);
    assertEquals(-5041977.0, site[1], 300);
    assertEquals(3554876.0, site[2], 300);
    double[] up = AntennaArray.enuToItrf(0, 0, 100, -107.6177275, 34.0787491, 2115.0);
    assertEquals(100.0, distance(site, up), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> AntennaArray.vlaArmLength("E"));
  }
}
