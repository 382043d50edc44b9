package org.pclean.imaging.mask;

import java.util.List;

/**
 * A mask region in pixel coordinates (0-based, pixel centres at integers). A pixel belongs to a region when its
 * centre lies inside it or on its edge. An excluded region (CRTF's leading '-') removes its pixels from the
 * union of the included ones.
 */
public sealed interface Region {
  boolean include();

  boolean contains(double x, double y);

  /** [xmin, xmax, ymin, ymax] bounding the region. */
  double[] bounds();

  /** An axis-aligned ellipse (a circle whose radius in pixels differs along x and y when the cells do). */
  record Ellipse(boolean include, double cx, double cy, double rx, double ry) implements Region {
    @Override
    public boolean contains(double x, double y) {
      double u = (x - cx) / rx;
      double v = (y - cy) / ry;
      return u * u + v * v <= 1 + 1e-9;
    }

    @Override
    public double[] bounds() {
      return new double[] {cx - rx, cx + rx, cy - ry, cy + ry};
    }
  }

  record Box(boolean include, double x0, double y0, double x1, double y1) implements Region {
    @Override
    public boolean contains(double x, double y) {
      return x >= x0 - 1e-9 && x <= x1 + 1e-9 && y >= y0 - 1e-9 && y <= y1 + 1e-9;
    }

    @Override
    public double[] bounds() {
      return new double[] {x0, x1, y0, y1};
    }
  }

  /** A polygon by its vertices; inside by the even-odd rule, edges included. */
  record Polygon(boolean include, double[] xs, double[] ys) implements Region {
    @Override
    public boolean contains(double x, double y) {
      boolean in = false;
      int n = xs.length;
      for (int i = 0, j = n - 1; i < n; j = i++) {
        if (onSegment(x, y, xs[j], ys[j], xs[i], ys[i])) {
          return true;
        }
        if ((ys[i] > y) != (ys[j] > y) && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
          in = !in;
        }
      }
      return in;
    }

    private static boolean onSegment(double x, double y, double ax, double ay, double bx, double by) {
      double cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      double len = Math.hypot(bx - ax, by - ay);
      return Math.abs(cross) <= 1e-9 * Math.max(1, len) && x >= Math.min(ax, bx) - 1e-9
          && x <= Math.max(ax, bx) + 1e-9 && y >= Math.min(ay, by) - 1e-9 && y <= Math.max(ay, by) + 1e-9;
    }

    @Override
    public double[] bounds() {
      double[] b = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
      for (int i = 0; i < xs.length; i++) {
        b[0] = Math.min(b[0], xs[i]);
        b[1] = Math.max(b[1], xs[i]);
        b[2] = Math.min(b[2], ys[i]);
        b[3] = Math.max(b[3], ys[i]);
      }
      return b;
    }
  }

  /** The nx*ny mask ([y * nx + x], 1 inside) of the included regions less the excluded ones; parts off the image drop. */
  static byte[] rasterize(List<Region> regions, int nx, int ny) {
    byte[] mask = new byte[nx * ny];
    for (boolean include : new boolean[] {true, false}) {
      for (Region r : regions) {
        if (r.include() != include) {
          continue;
        }
        double[] b = r.bounds();
        int x0 = Math.max(0, (int) Math.ceil(b[0] - 1e-9));
        int x1 = Math.min(nx - 1, (int) Math.floor(b[1] + 1e-9));
        int y0 = Math.max(0, (int) Math.ceil(b[2] - 1e-9));
        int y1 = Math.min(ny - 1, (int) Math.floor(b[3] + 1e-9));
        for (int y = y0; y <= y1; y++) {
          for (int x = x0; x <= x1; x++) {
            if (r.contains(x, y)) {
              mask[y * nx + x] = (byte) (include ? 1 : 0);
            }
          }
        }
      }
    }
    return mask;
  }
}
