package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CasaImageTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final double RA0 = Math.toRadians(152.04);
  private static final double DEC0 = Math.toRadians(7.5);
  private static final double CELL = 2.5 * ARCSEC;

  @TempDir Path tmp;

  private static ImageGeometry geometry(int nchan) {
    return new ImageGeometry(64, 48, "I", nchan, RA0, DEC0, CELL, CELL, 36.3e9, 1e6, 0.0);
  }

  private static float[] ramp(int n, float offset) {
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = offset + i * 0.5f;
    }
    return p;
  }

  @Test
  void planesRoundTripThroughDisk() {
    Path path = tmp.resolve("cube.image");
    try (CasaImage img = CasaImage.create(path, geometry(3))) {
      assertArrayEquals(new int[] {64, 48, 1, 3}, img.shape());
      img.writePlane(0, 1, ramp(64 * 48, 1f));
      img.writePlane(0, 2, ramp(64 * 48, -7f));
      img.setUnits("Jy/beam");
    }
    try (CasaImage img = CasaImage.open(path)) {
      assertArrayEquals(new float[64 * 48], img.readPlane(0, 0));
      assertArrayEquals(ramp(64 * 48, 1f), img.readPlane(0, 1));
      assertArrayEquals(ramp(64 * 48, -7f), img.readPlane(0, 2));
      assertEquals("Jy/beam", img.units());
      var e = assertThrows(CasacoreException.class, () -> img.readPlane(0, 3));
      assertTrue(e.getMessage().contains("outside the image shape"), e.getMessage());
    }
  }

  /** Pixel -> world follows the SIN projection about the reference pixel (nx/2, ny/2), RA increasing left. */
  @Test
  void pixelCoordinatesFollowSinProjection() {
    try (CasaImage img = CasaImage.create(tmp.resolve("c.image"), geometry(2))) {
      double[] ref = img.toWorld(32, 24, 0, 0);
      assertEquals(RA0, ref[0], 1e-12);
      assertEquals(DEC0, ref[1], 1e-12);
      assertEquals(1.0, ref[2], 0.0);  // Stokes I
      assertEquals(36.3e9, ref[3], 1e-3);
      for (int[] d : new int[][] {{10, 0}, {0, 10}, {-25, 17}, {31, -24}}) {
        double l = -d[0] * CELL;  // x increasing = RA decreasing
        double m = d[1] * CELL;
        double n = Math.sqrt(1 - l * l - m * m);
        double dec = Math.asin(m * Math.cos(DEC0) + n * Math.sin(DEC0));
        double ra = RA0 + Math.atan2(l, n * Math.cos(DEC0) - m * Math.sin(DEC0));
        double[] w = img.toWorld(32 + d[0], 24 + d[1], 0, 1);
        assertEquals(ra, w[0], 1e-9, "RA at offset " + d[0] + "," + d[1]);
        assertEquals(dec, w[1], 1e-9, "Dec at offset " + d[0] + "," + d[1]);
        assertEquals(36.3e9 + 1e6, w[3], 1e-3);
        double[] p = img.toPixel(w);
        assertEquals(32 + d[0], p[0], 1e-6);
        assertEquals(24 + d[1], p[1], 1e-6);
      }
      assertEquals(geometry(2), img.geometry());
      // RA increases to the left.
      assertTrue(img.toWorld(31, 24, 0, 0)[0] > img.toWorld(33, 24, 0, 0)[0]);
    }
  }

  @Test
  void beamsSingleAndPerPlane() {
    Path path = tmp.resolve("b.image");
    try (CasaImage img = CasaImage.create(path, geometry(3))) {
      assertFalse(img.beam(0, 0).isPresent());
      img.setRestoringBeam(new Beam(2.3, 1.8, 35.0));
      assertBeam(new Beam(2.3, 1.8, 35.0), img.beam(2, 0));
      assertFalse(img.hasPerPlaneBeams());
      for (int c = 0; c < 3; c++) {
        img.setPlaneBeam(c, 0, new Beam(3.0 + c, 2.0 + c, -10.0 * c));
      }
    }
    try (CasaImage img = CasaImage.open(path)) {
      assertTrue(img.hasPerPlaneBeams());
      for (int c = 0; c < 3; c++) {
        assertBeam(new Beam(3.0 + c, 2.0 + c, -10.0 * c), img.beam(c, 0));
      }
    }
  }

  private static void assertBeam(Beam expect, Beam got) {
    assertEquals(expect.majorArcsec(), got.majorArcsec(), 1e-9);
    assertEquals(expect.minorArcsec(), got.minorArcsec(), 1e-9);
    assertEquals(expect.paDeg(), got.paDeg(), 1e-9);
  }

  @Test
  void fitsExportCarriesCoordinatesBeamAndPixels() throws IOException {
    Path fits = tmp.resolve("img.fits");
    float[] plane = ramp(64 * 48, 3f);
    try (CasaImage img = CasaImage.create(tmp.resolve("f.image"), geometry(1))) {
      img.writePlane(0, 0, plane);
      img.setUnits("Jy/beam");
      img.setRestoringBeam(new Beam(2.3, 1.8, 35.0));
      img.exportFits(fits, false);
      assertThrows(CasacoreException.class, () -> img.exportFits(fits, false));
    }
    FitsFile h = FitsFile.read(fits);
    assertEquals("RA---SIN", h.get("CTYPE1"));
    assertEquals("DEC--SIN", h.get("CTYPE2"));
    assertEquals(Math.toDegrees(RA0), Double.parseDouble(h.get("CRVAL1")), 1e-9);
    assertEquals(Math.toDegrees(DEC0), Double.parseDouble(h.get("CRVAL2")), 1e-9);
    assertEquals(-2.5 / 3600, Double.parseDouble(h.get("CDELT1")), 1e-12);
    assertEquals(33.0, Double.parseDouble(h.get("CRPIX1")), 1e-9);  // FITS is 1-based
    assertEquals(25.0, Double.parseDouble(h.get("CRPIX2")), 1e-9);
    assertEquals("Jy/beam", h.get("BUNIT"));
    assertEquals(2.3 / 3600, Double.parseDouble(h.get("BMAJ")), 1e-9);
    assertEquals(35.0, Double.parseDouble(h.get("BPA")), 1e-9);
    assertEquals("FREQ", h.get("CTYPE4"));
    for (int i = 0; i < plane.length; i++) {
      assertEquals(plane[i], h.plane()[i], "pixel " + i);
    }
  }

  @Test
  void badInputIsRejectedWithReason() {
    var e = assertThrows(CasacoreException.class, () -> CasaImage.open(tmp.resolve("missing.image")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    var e2 = assertThrows(CasacoreException.class,
        () -> CasaImage.create(tmp.resolve("x.image"), new ImageGeometry(8, 8, "I Z", 1, 0, 0, 1e-5, 1e-5, 1e9, 1e6, 0)));
    assertTrue(e2.getMessage().contains("unknown Stokes parameter Z"), e2.getMessage());
    try (CasaImage img = CasaImage.create(tmp.resolve("y.image"), geometry(1))) {
      assertThrows(IllegalArgumentException.class, () -> img.writePlane(0, 0, new float[5]));
    }
  }
}
