package org.pclean.imaging.deconvolution;

import org.pclean.imaging.ImageConvolver;

/**
 * The scales of a multiscale clean (single- or multi-term): each one's scale function
 * ({@link MultiscaleDeconvolver#scaleFunction}), the convolver that smooths an image by it, and its bias
 * 1 - smallscalebias·scale/maxscale (CASA's LatticeCleaner rule).
 */
final class CleanScales {
  final int count;
  final float[][] shapes;
  final double[] bias;
  private final ImageConvolver[] convolvers;

  CleanScales(int nx, int ny, int[] scales, double smallScaleBias) {
    if (scales.length == 0) {
      throw new IllegalArgumentException("a multiscale clean needs at least one scale");
    }
    count = scales.length;
    shapes = new float[count][];
    convolvers = new ImageConvolver[count];
    bias = new double[count];
    double maxScale = 0;
    for (int s : scales) {
      maxScale = Math.max(maxScale, s);
    }
    for (int k = 0; k < count; k++) {
      shapes[k] = MultiscaleDeconvolver.scaleFunction(nx, ny, scales[k]);
      convolvers[k] = new ImageConvolver(shapes[k], nx, ny);
      bias[k] = 1 - smallScaleBias * (maxScale > 0 ? scales[k] / maxScale : 0);
    }
  }

  /** image smoothed by scale k's function. */
  float[] smooth(int k, float[] image) {
    return convolvers[k].convolve(image);
  }

  /** The largest |r| inside the mask (null: everywhere). */
  static double peak(float[] r, byte[] mask) {
    double m = 0;
    for (int i = 0; i < r.length; i++) {
      if (mask == null || mask[i] != 0) {
        m = Math.max(m, Math.abs(r[i]));
      }
    }
    return m;
  }

  /** a += amp × b (both nx × ny) shifted so b's centre (nx/2, ny/2) lands on (px, py), over the overlap. */
  static void addShifted(float[] a, float[] b, int nx, int ny, int px, int py, double amp) {
    int cx = nx / 2;
    int cy = ny / 2;
    int x0 = Math.max(0, px - cx);
    int x1 = Math.min(nx, px - cx + nx);
    int y0 = Math.max(0, py - cy);
    int y1 = Math.min(ny, py - cy + ny);
    float f = (float) amp;
    for (int y = y0; y < y1; y++) {
      int row = y * nx;
      int brow = (y - py + cy) * nx + (cx - px);
      for (int x = x0; x < x1; x++) {
        a[row + x] += f * b[brow + x];
      }
    }
  }
}
