package org.pclean.imaging.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;

/**
 * CASA region texts against pixel sets worked out by hand from the shapes' geometry (pixel centres inside or on
 * the edge), in pixel and in J2000 coordinates; world-to-pixel also against casacore's coordinate system.
 */
class RegionParserTest {
  static final double ARCSEC = Math.PI / 180 / 3600;
  /** 64 x 64, 3 arcsec cells, centre pixel (32, 32) at RA 10h (150 deg), Dec +40. */
  static final PixelFrame FRAME = new PixelFrame(64, 64, Math.toRadians(150), Math.toRadians(40), 3 * ARCSEC,
      3 * ARCSEC);

  @TempDir Path tmp;

  static Set<String> pixels(String text) {
    byte[] m = UserMask.of(java.util.List.of(text), 64, 64).plane(FRAME, 1.4e9);
    Set<String> out = new TreeSet<>();
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        out.add((i % 64) + "," + (i / 64));
      }
    }
    return out;
  }

  /** Pixels x0..x1 of row y. */
  static void row(Set<String> s, int y, int x0, int x1) {
    for (int x = x0; x <= x1; x++) {
      s.add(x + "," + y);
    }
  }

  @Test
  void pixelCircleBoxAndPolygon() {
    // Radius 3 about (10, 12): |dx| <= 3 on the centre row, 2 at dy = ±1 and ±2 (4+4, 1+4 <= 9), 0 at dy = ±3.
    Set<String> circle = new TreeSet<>();
    row(circle, 9, 10, 10);
    row(circle, 10, 8, 12);
    row(circle, 11, 8, 12);
    row(circle, 12, 7, 13);
    row(circle, 13, 8, 12);
    row(circle, 14, 8, 12);
    row(circle, 15, 10, 10);
    assertEquals(29, circle.size());
    assertEquals(circle, pixels("circle[[10pix, 12pix], 3pix]"));

    Set<String> box = new TreeSet<>();
    row(box, 4, 3, 6);
    row(box, 5, 3, 6);
    assertEquals(box, pixels("box[[3pix,4pix],[6pix,5pix]]"));
    assertEquals(box, pixels("box[[6pix,5pix],[3pix,4pix]]"), "corners in either order");
    assertEquals(box, pixels("centerbox[[4.5pix, 4.5pix], [3pix, 1pix]]"));

    // Right triangle (2,2), (8,2), (2,8): x >= 2, y >= 2, x + y <= 10 (edges included): 7 + 6 + ... + 1 = 28.
    Set<String> tri = new TreeSet<>();
    for (int y = 2; y <= 8; y++) {
      row(tri, y, 2, 10 - y);
    }
    assertEquals(28, tri.size());
    assertEquals(tri, pixels("poly[[2pix,2pix],[8pix,2pix],[2pix,8pix]]"));
  }

  @Test
  void headerOptionsListsAndExclusion() {
    Set<String> expected = pixels("circle[[10pix, 12pix], 3pix]");
    expected.remove("10,12");
    expected.addAll(pixels("box[[3pix,4pix],[6pix,5pix]]"));
    String text = "#CRTFv0 CASA Region Text Format version 0\n"
        + "circle[[10pix, 12pix], 3pix] coord=J2000, color=red\n"
        + "-box[[10pix,12pix],[10pix,12pix]]\n"
        + "# a comment\n"
        + "+box[['3pix', '4pix'], ['6pix', '5pix']]";
    assertEquals(expected, pixels(text));
  }

  @Test
  void worldCircleAndBox() {
    // The phase centre is pixel (32, 32); 6 arcsec = 2 pixels: 13 pixels with dx² + dy² <= 4.
    Set<String> circle = new TreeSet<>();
    row(circle, 30, 32, 32);
    row(circle, 31, 31, 33);
    row(circle, 32, 30, 34);
    row(circle, 33, 31, 33);
    row(circle, 34, 32, 32);
    assertEquals(circle, pixels("circle[['10h00m00s', '+40d00m00s'], 6arcsec]"));
    assertEquals(circle, pixels("circle[[10:00:00.0, +40.00.00], 0.1arcmin]"));
    assertEquals(circle, pixels("circle[[150deg, 40deg], 2pix]"));
    // Dec ±4.5 arcsec: y from 30.5 to 33.5. RA 0.4 s of time earlier: 6 arcsec of RA, l = 6" cos 40° = 4.596",
    // i.e. 1.532 pixels to the right (RA grows to the left): x from 32 to 33.53.
    Set<String> box = new TreeSet<>();
    for (int y = 31; y <= 33; y++) {
      row(box, y, 32, 33);
    }
    assertEquals(box, pixels("box[['10h00m00s', '+39d59m55.5s'], ['09h59m59.6s', '+40d00m04.5s']]"));
  }

  @Test
  void worldToPixelAgreesWithCasacore() {
    Path img = tmp.resolve("frame.im");
    try (CasaImage c = CasaImage.create(img, new ImageGeometry(64, 64, "I", 1, FRAME.ra0(), FRAME.dec0(),
        FRAME.cellX(), FRAME.cellY(), 1.4e9, 1e6, 0))) {
      for (double[] w : new double[][] {{150.01, 40.02}, {149.97, 39.99}, {150.0, 40.0}, {150.005, 39.97}}) {
        double ra = Math.toRadians(w[0]);
        double dec = Math.toRadians(w[1]);
        double[] ours = FRAME.pixel(ra, dec);
        double[] casa = c.toPixel(ra, dec, 1, 1.4e9);
        assertEquals(casa[0], ours[0], 1e-6, "x of " + w[0] + "," + w[1]);
        assertEquals(casa[1], ours[1], 1e-6, "y of " + w[0] + "," + w[1]);
      }
    }
  }

  @Test
  void regionFileAndMaskImage() throws Exception {
    Path file = tmp.resolve("regions.crtf");
    Files.writeString(file, "#CRTFv0\nbox[[3pix,4pix],[6pix,5pix]]\n");
    assertEquals(pixels("box[[3pix,4pix],[6pix,5pix]]"), pixels(file.toString()));
    Path img = tmp.resolve("user.mask");
    try (CasaImage c = CasaImage.create(img, new ImageGeometry(64, 64, "I", 1, FRAME.ra0(), FRAME.dec0(),
        FRAME.cellX(), FRAME.cellY(), 1.4e9, 1e6, 0))) {
      float[] plane = new float[64 * 64];
      plane[5 * 64 + 7] = 1;
      plane[6 * 64 + 7] = 1;
      c.writePlane(0, 0, plane);
    }
    assertEquals(Set.of("7,5", "7,6"), pixels(img.toString()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UserMask.of(java.util.List.of(img.toString()), 128, 128));
    assertEquals("mask image " + img + " is 64x64, the image 128x128", e.getMessage());
  }

  @Test
  void badTextIsOneSentenceNamingTheShape() {
    String[][] cases = {
        {"circle[[10pix, 12pix]]", "mask region 'circle[[10pix, 12pix]]': expected circle[[x, y], r]"},
        {"circel[[1pix, 1pix], 2pix]", "unknown shape 'circel'"},
        {"box[[1, 2], [3pix, 4pix]]", "'1' needs a unit"},
        {"box[[1pix, 40deg], [3pix, 4pix]]", "mixes pixel and world values"},
        {"poly[[1pix, 1pix], [2pix, 2pix]]", "at least three vertices"},
        {"circle[[1pix, 1pix], 2parsec]", "unknown unit 'parsec'"},
        {"circle[[1pix, 1pix], 2pix] coord=GALACTIC", "coord=GALACTIC is not supported"},
        {"circle[[1pix, 1pix], 2pix", "unclosed '['"},
        {"no/such/mask.im", "neither a region text nor an existing region file or mask image"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pixels(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }
}
