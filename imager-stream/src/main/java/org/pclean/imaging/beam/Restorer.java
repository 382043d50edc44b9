package org.pclean.imaging.beam;

import org.pclean.casacore.Fft;

/** restored = residual + model ⊗ beam, with the beam a peak-1 Gaussian (so the image is in Jy/beam). */
public final class Restorer {
  private Restorer() {}

  public static float[] restore(float[] model, float[] residual, int nx, int ny, double cellx, double celly, Beam beam) {
    // Linear (not circular) convolution: zero-pad to twice the size.
    int px = 2 * nx;
    int py = 2 * ny;
    float[] m = new float[px * py];
    boolean any = false;
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        float v = model[y * nx + x];
        m[y * px + x] = v;
        any |= v != 0;
      }
    }
    float[] out = residual.clone();
    if (!any) {
      return out;
    }
    // The beam centred on pixel (0, 0) of the padded grid, wrapping negative offsets.
    double[] q = beam.quadraticForm();
    float[] g = new float[px * py];
    for (int y = 0; y < py; y++) {
      int dy = y < py / 2 ? y : y - py;
      double north = dy * celly;
      for (int x = 0; x < px; x++) {
        int dx = x < px / 2 ? x : x - px;
        double east = -dx * cellx;
        double e = q[0] * east * east + 2 * q[1] * east * north + q[2] * north * north;
        g[y * px + x] = e < 50 ? (float) Math.exp(-e) : 0f;
      }
    }
    float[] fm = Fft.realForward(m, py, px);
    float[] fg = Fft.realForward(g, py, px);
    for (int i = 0; i < fm.length; i += 2) {
      float re = fm[i] * fg[i] - fm[i + 1] * fg[i + 1];
      float im = fm[i] * fg[i + 1] + fm[i + 1] * fg[i];
      fm[i] = re;
      fm[i + 1] = im;
    }
    float[] conv = Fft.realBackward(fm, py, px);
    float norm = 1f / (px * py);
    for (int y = 0; y < ny; y++) {
      for (int x = 0; x < nx; x++) {
        out[y * nx + x] += conv[y * px + x] * norm;
      }
    }
    return out;
  }
}
