package org.pclean.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The preview read back pixel by pixel against values computed here from the formulas, not from the renderer:
 * the arcsinh stretch at a known pixel, the beam ellipse's extent along and across its position angle (and not
 * mirrored), RA/Dec labels from a rotation of the tangent-plane direction cosines, and the PNG's size.
 */
class PreviewRendererTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  private static PreviewRenderer.Plane plane(float[] px, int nx, int ny, double bmaj, double bmin, double pa) {
    return new PreviewRenderer.Plane(px, nx, ny, Math.toRadians(187.5), Math.toRadians(30), ARCSEC, ARCSEC, bmaj,
        bmin, pa, "Jy/beam", "test");
  }

  private static Color at(BufferedImage img, double x, double y) {
    return new Color(img.getRGB((int) Math.floor(x), (int) Math.floor(y)));
  }

  private static void assertClose(Color want, Color got, String what) {
    assertTrue(Math.abs(want.getRed() - got.getRed()) <= 2 && Math.abs(want.getGreen() - got.getGreen()) <= 2
        && Math.abs(want.getBlue() - got.getBlue()) <= 2, what + ": want " + want + ", got " + got);
  }

  @Test
  void pixelColourFollowsTheArcsinhStretch() throws Exception {
    int nx = 64;
    int ny = 32;
    float[] px = new float[nx * ny];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (-0.2 + 1.2 * i / (px.length - 1.0));  // a ramp from -0.2 to 1.0 Jy/beam
    }
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(PreviewRenderer.png(plane(px, nx, ny, 0, 0, 0))));
    double s = 448.0 / 64;  // the longest side is drawn 448 px wide
    assertEquals(96 + 64 * 7 + PreviewRenderer.RIGHT, img.getWidth());
    assertEquals(28 + 32 * 7 + PreviewRenderer.BOTTOM, img.getHeight());
    for (int[] xy : new int[][] {{40, 10}, {3, 1}, {63, 31}, {0, 0}, {20, 5}}) {
      float v = px[xy[1] * nx + xy[0]];
      double frac = (v + 0.2) / 1.2;
      double t = Math.log(frac / 0.05 + Math.sqrt(frac * frac / 0.0025 + 1)) / Math.log(20 + Math.sqrt(401));
      // y up: image row y is drawn at canvas row TOP + (ny - 1 - y) * s.
      Color got = at(img, 96 + (xy[0] + 0.5) * s, 28 + (ny - 1 - xy[1] + 0.5) * s);
      assertClose(PreviewRenderer.colour(t), got, "pixel " + xy[0] + "," + xy[1] + " value " + v + " t " + t);
    }
    // Not linear: 10 % of the range is already 39 % of the way up the colour map.
    assertEquals(Math.log(2 + Math.sqrt(5)) / Math.log(20 + Math.sqrt(401)), PreviewRenderer.stretch(0.1, 0, 1), 1e-12);
    assertEquals(0.39, PreviewRenderer.stretch(0.1, 0, 1), 0.01);
    assertEquals(0.37, PreviewRenderer.unstretch(PreviewRenderer.stretch(0.37, -1, 2), -1, 2), 1e-12);
    // The colour bar: hottest at its top, coldest at its bottom.
    int barX = 96 + 448 + PreviewRenderer.BAR_GAP + PreviewRenderer.BAR_WIDTH / 2;
    assertClose(PreviewRenderer.colour(1), at(img, barX, 28), "top of the colour bar");
    assertClose(PreviewRenderer.colour(0), at(img, barX, 28 + 32 * 7 - 1), "bottom of the colour bar");
  }

  @Test
  void beamEllipseLiesAlongItsPositionAngle() {
    int n = 64;
    double pa = 30;
    // 20" x 8" FWHM on 1" cells: semi-axes 10 and 4 image pixels, 70 and 28 canvas px at 7 px per pixel.
    PreviewRenderer.Plane p = plane(new float[n * n], n, n, 20, 8, pa);
    BufferedImage img = PreviewRenderer.render(p);
    double[] c = PreviewRenderer.beamCentre(p);
    assertTrue(c[0] - 10 > 0 && c[1] - 10 > 0, "the whole beam is inside the image");
    double cx = 96 + (c[0] + 0.5) * 7;
    double cy = 28 + (n - 1 - c[1] + 0.5) * 7;
    double r = 0.8 * 70;
    double sin = Math.sin(Math.toRadians(pa));
    double cos = Math.cos(Math.toRadians(pa));
    Color sky = PreviewRenderer.colour(0);  // a flat plane is drawn at the bottom of the colour map
    // North is up and east is left: PA 30 points up and to the left, on both ends of the major axis.
    assertClose(PreviewRenderer.BEAM, at(img, cx - r * sin, cy - r * cos), "major axis, north-east end");
    assertClose(PreviewRenderer.BEAM, at(img, cx + r * sin, cy + r * cos), "major axis, south-west end");
    // Across it, 0.8 of the major semi-axis is beyond the minor one (28 px): sky.
    assertClose(sky, at(img, cx + r * cos, cy - r * sin), "across the major axis");
    assertClose(sky, at(img, cx - r * cos, cy + r * sin), "across, other side");
    // Mirrored (PA -30, east to the right) would be here: outside the ellipse.
    assertClose(sky, at(img, cx + r * sin, cy - r * cos), "mirrored position angle");
    assertClose(PreviewRenderer.BEAM, at(img, cx, cy), "centre");
  }

  @Test
  void axisLabelsAreTheSkyCoordinatesOfTheirPixels() {
    double ra0 = Math.toRadians(187.5);
    double dec0 = Math.toRadians(30);
    double cell = 2 * ARCSEC;
    SkyAxes sky = new SkyAxes(128, 128, ra0, dec0, cell, cell);
    double[] centre = sky.world(64, 64);
    assertEquals(ra0, centre[0], 1e-15);
    assertEquals(dec0, centre[1], 1e-15);
    assertEquals("12:30:00.00", SkyAxes.hms(ra0));
    assertEquals("+30:00:00.0", SkyAxes.dms(dec0));
    assertEquals("-45:30:12.5", SkyAxes.dms(-Math.toRadians(45 + 30 / 60.0 + 12.5 / 3600)));
    assertEquals("05:07:08.25", SkyAxes.hms(Math.toRadians((5 + 7 / 60.0 + 8.25 / 3600) * 15)));
    // Pixels off the centre: the SIN direction cosines (l east, m north) rotated onto the sky by hand.
    for (int[] xy : new int[][] {{10, 64}, {120, 64}, {64, 3}, {64, 127}, {0, 0}, {100, 20}}) {
      double l = -(xy[0] - 64) * cell;  // RA increases to the left
      double m = (xy[1] - 64) * cell;
      double nn = Math.sqrt(1 - l * l - m * m);
      double[] east = {-Math.sin(ra0), Math.cos(ra0), 0};
      double[] north = {-Math.sin(dec0) * Math.cos(ra0), -Math.sin(dec0) * Math.sin(ra0), Math.cos(dec0)};
      double[] in = {Math.cos(dec0) * Math.cos(ra0), Math.cos(dec0) * Math.sin(ra0), Math.sin(dec0)};
      double[] v = new double[3];
      for (int k = 0; k < 3; k++) {
        v[k] = l * east[k] + m * north[k] + nn * in[k];
      }
      double ra = Math.atan2(v[1], v[0]);
      ra = ra < 0 ? ra + 2 * Math.PI : ra;
      double[] got = sky.world(xy[0], xy[1]);
      assertEquals(ra, got[0], 1e-12, "RA of pixel " + xy[0] + "," + xy[1]);
      assertEquals(Math.asin(v[2]), got[1], 1e-12, "Dec of pixel " + xy[0] + "," + xy[1]);
    }
    assertTrue(sky.world(10, 64)[0] > ra0, "left of the centre is east: larger RA");
    assertNotEquals(SkyAxes.hms(sky.world(0, 64)[0]), SkyAxes.hms(sky.world(127, 64)[0]));
  }
}
