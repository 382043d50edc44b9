package org.pclean.ops.dashboard;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG preview of one image plane, as an astronomer reads it: an arcsinh stretch between the plane's minimum and
 * maximum (faint emission and sidelobes visible beside a bright source), a colour bar labelled in the plane's
 * units, the restoring beam as an ellipse in the lower-left corner at its position angle (east of north: north
 * up, east left), and RA/Dec labels at ticks along the bottom and left edges. Pure Java2D, headless.
 *
 * <p>Geometry of the drawing (what the tests read back): image pixel (x, y), y up, covers the canvas square from
 * ({@link #LEFT} + x·s, {@link #TOP} + (ny−1−y)·s), s = {@link #scale}; the beam is centred on image pixel
 * {@link #beamCentre}.
 */
public final class PreviewRenderer {
  /** The plane and what its labels need. Beam axes FWHM in arcsec, position angle in degrees; units e.g. Jy/beam. */
  public record Plane(float[] pixels, int nx, int ny, double ra, double dec, double cellX, double cellY,
      double beamMajorArcsec, double beamMinorArcsec, double beamPaDeg, String units, String title) {
    public Plane {
      if (nx < 1 || ny < 1 || pixels.length != nx * ny) {
        throw new IllegalArgumentException("plane of " + pixels.length + " pixels is not " + nx + "x" + ny);
      }
    }
  }

  static final int LEFT = 96;
  static final int TOP = 28;
  static final int BOTTOM = 44;
  static final int BAR_GAP = 14;
  static final int BAR_WIDTH = 16;
  static final int RIGHT = BAR_GAP + BAR_WIDTH + 72;
  /** Longest side of the image on the canvas, px. */
  static final int DISPLAY = 448;
  /** Softening of the arcsinh stretch, as a fraction of the plane's range. */
  static final double SOFTENING = 0.05;
  static final Color BACKGROUND = new Color(16, 18, 24);
  static final Color BEAM = new Color(0, 230, 255);
  static final Color INK = new Color(220, 224, 232);

  private PreviewRenderer() {}

  /** Canvas px per image pixel. */
  static double scale(int nx, int ny) {
    return (double) DISPLAY / Math.max(nx, ny);
  }

  /**
   * Where the stretch puts a value, 0..1: asinh((v − lo)/(a·(hi − lo))) / asinh(1/a), a = {@link #SOFTENING};
   * 0 for a flat plane or a NaN pixel.
   */
  static double stretch(double v, double lo, double hi) {
    if (!(hi > lo) || Double.isNaN(v)) {
      return 0;
    }
    double x = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
    return asinh(x / SOFTENING) / asinh(1 / SOFTENING);
  }

  /** The value at stretch position t (the inverse of {@link #stretch}), for the colour bar's labels. */
  static double unstretch(double t, double lo, double hi) {
    return lo + (hi - lo) * SOFTENING * Math.sinh(t * asinh(1 / SOFTENING));
  }

  private static double asinh(double x) {
    return Math.log(x + Math.sqrt(x * x + 1));
  }

  /** The colour map (dark blue through magenta and orange to pale yellow, perceptually increasing), t in 0..1. */
  static Color colour(double t) {
    double[][] stops = {{0, 0, 4}, {40, 11, 84}, {101, 21, 110}, {159, 42, 99}, {212, 72, 66}, {245, 125, 21},
        {250, 193, 39}, {252, 255, 164}};
    double f = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    int i = Math.min(stops.length - 2, (int) Math.floor(f));
    double w = f - i;
    return new Color((int) Math.round(stops[i][0] + w * (stops[i + 1][0] - stops[i][0])),
        (int) Math.round(stops[i][1] + w * (stops[i + 1][1] - stops[i][1])),
        (int) Math.round(stops[i][2] + w * (stops[i + 1][2] - stops[i][2])));
  }

  /** Image pixel the beam ellipse is centred on: clear of the corner by the beam's own size. */
  static double[] beamCentre(Plane p) {
    double major = p.beamMajorArcsec() / 3600 * Math.PI / 180 / Math.min(p.cellX(), p.cellY());
    double off = Math.max(3, 0.6 * major + 2);
    return new double[] {off, off};
  }

  /** Canvas position of image pixel (x, y) (pixel centre at x + 0.5). */
  static double[] canvas(Plane p, double x, double y) {
    double s = scale(p.nx(), p.ny());
    return new double[] {LEFT + (x + 0.5) * s, TOP + (p.ny() - 1 - y + 0.5) * s};
  }

  public static BufferedImage render(Plane p) {
    double s = scale(p.nx(), p.ny());
    int w = (int) Math.round(p.nx() * s);
    int h = (int) Math.round(p.ny() * s);
    BufferedImage out = new BufferedImage(LEFT + w + RIGHT, TOP + h + BOTTOM, BufferedImage.TYPE_INT_RGB);
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : p.pixels()) {
      if (!Float.isNaN(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo > hi) {
      lo = hi = 0;
    }
    // One colour per canvas pixel from the image pixel under it (nearest neighbour: no smoothing of the data).
    int[] rgb = new int[256];
    for (int k = 0; k < rgb.length; k++) {
      rgb[k] = colour(k / 255.0).getRGB();
    }
    for (int j = 0; j < h; j++) {
      int y = p.ny() - 1 - Math.min(p.ny() - 1, (int) (j / s));
      for (int i = 0; i < w; i++) {
        int x = Math.min(p.nx() - 1, (int) (i / s));
        float v = p.pixels()[y * p.nx() + x];
        out.setRGB(LEFT + i, TOP + j, rgb[(int) Math.round(stretch(v, lo, hi) * 255)]);
      }
    }
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, out.getWidth(), TOP);
      g.fillRect(0, TOP, LEFT, h);
      g.fillRect(LEFT + w, TOP, RIGHT, h);
      g.fillRect(0, TOP + h, out.getWidth(), BOTTOM);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.setColor(INK);
      g.drawString(p.title(), LEFT, TOP - 10);
      g.drawRect(LEFT - 1, TOP - 1, w + 1, h + 1);
      axes(g, p, w, h);
      colourBar(g, p, lo, hi, w, h);
      beam(g, p);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** The PNG bytes of {@link #render}. */
  public static byte[] png(Plane p) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(render(p), "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Five ticks per axis at evenly spaced pixels, labelled with their RA (bottom, at the centre row) or Dec (left). */
  private static void axes(Graphics2D g, Plane p, int w, int h) {
    SkyAxes sky = new SkyAxes(p.nx(), p.ny(), p.ra(), p.dec(), p.cellX(), p.cellY());
    FontMetrics fm = g.getFontMetrics();
    for (int k = 0; k <= 4; k++) {
      double x = k * (p.nx() - 1) / 4.0;
      double[] c = canvas(p, x, 0);
      String ra = SkyAxes.hms(sky.world(x, p.ny() / 2)[0]);
      g.drawLine((int) c[0], TOP + h, (int) c[0], TOP + h + 4);
      int tx = (int) Math.max(0, Math.min(LEFT + w - fm.stringWidth(ra) / 2.0, c[0]) - fm.stringWidth(ra) / 2.0);
      g.drawString(ra, k == 0 ? Math.max(tx, LEFT - fm.stringWidth(ra) / 2) : tx, TOP + h + 16);
      double y = k * (p.ny() - 1) / 4.0;
      double[] r = canvas(p, 0, y);
      String dec = SkyAxes.dms(sky.world(p.nx() / 2, y)[1]);
      g.drawLine(LEFT - 5, (int) r[1], LEFT - 1, (int) r[1]);
      g.drawString(dec, LEFT - 8 - fm.stringWidth(dec), (int) r[1] + fm.getAscent() / 2);
    }
    String raTitle = "RA (J2000)";
    g.drawString(raTitle, LEFT + w / 2 - fm.stringWidth(raTitle) / 2, TOP + h + 34);
    Graphics2D v = (Graphics2D) g.create();
    v.rotate(-Math.PI / 2);
    v.drawString("Dec (J2000)", -(TOP + h / 2) - fm.stringWidth("Dec (J2000)") / 2, 12);
    v.dispose();
  }

  /** A vertical bar of the colour map, bottom lo and top hi, with values at five evenly spaced stretch positions. */
  private static void colourBar(Graphics2D g, Plane p, float lo, float hi, int w, int h) {
    int x0 = LEFT + w + BAR_GAP;
    for (int j = 0; j < h; j++) {
      g.setColor(colour(1 - (j + 0.5) / h));
      g.drawLine(x0, TOP + j, x0 + BAR_WIDTH - 1, TOP + j);
    }
    g.setColor(INK);
    g.drawRect(x0 - 1, TOP - 1, BAR_WIDTH + 1, h + 1);
    FontMetrics fm = g.getFontMetrics();
    for (int k = 0; k <= 4; k++) {
      double t = k / 4.0;
      int y = (int) Math.round(TOP + (1 - t) * (h - 1));
      g.drawLine(x0 + BAR_WIDTH, y, x0 + BAR_WIDTH + 3, y);
      g.drawString(String.format(Locale.ROOT, "%.3g", unstretch(t, lo, hi)), x0 + BAR_WIDTH + 6,
          y + fm.getAscent() / 2);
    }
    g.drawString(p.units(), x0, TOP + h + 16);
  }

  /**
   * The restoring beam (FWHM axes), filled: major axis at the position angle from north (up) through east (left),
   * so on the canvas (x right, y down) it points along (−sin pa, −cos pa).
   */
  private static void beam(Graphics2D g, Plane p) {
    if (!(p.beamMajorArcsec() > 0) || !(p.beamMinorArcsec() > 0)) {
      return;  // no beam (a PSF or a dirty snapshot without a fit)
    }
    double s = scale(p.nx(), p.ny());
    double a = p.beamMajorArcsec() / 2 / 3600 * Math.PI / 180 / p.cellY() * s;
    double b = p.beamMinorArcsec() / 2 / 3600 * Math.PI / 180 / p.cellY() * s;
    double pa = Math.toRadians(p.beamPaDeg());
    double ux = -Math.sin(pa);
    double uy = -Math.cos(pa);
    double[] c = beamCentre(p);
    double[] at = canvas(p, c[0], c[1]);
    Path2D.Double e = new Path2D.Double();
    for (int k = 0; k <= 72; k++) {
      double t = 2 * Math.PI * k / 72;
      double px = at[0] + a * Math.cos(t) * ux - b * Math.sin(t) * uy;
      double py = at[1] + a * Math.cos(t) * uy + b * Math.sin(t) * ux;
      if (k == 0) {
        e.moveTo(px, py);
      } else {
        e.lineTo(px, py);
      }
    }
    e.closePath();
    g.setColor(BEAM);
    g.fill(e);
    g.setStroke(new BasicStroke(1f));
    g.draw(e);
  }
}
