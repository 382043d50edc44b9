package org.pclean.imaging.beam;

import org.pclean.casacore.Beam;
import org.pclean.imaging.ImageConvolver;

/** restored = residual + model ⊗ beam, with the beam a peak-1 Gaussian (so the image is in Jy/beam). */
public final class Restorer {
  private Restorer() {}

  public static float[] restore(float[] model, float[] residual, int nx, int ny, double cellx, double celly, Beam beam) {
    if (!beam.isPresent()) {
      return residual.clone();  // a blank plane (no data, no PSF): nothing to restore
    }
    float[] smoothed = new ImageConvolver(gaussian(nx, ny, cellx, celly, beam), nx, ny).convolve(model);
    float[] out = residual.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += smoothed[i];
    }
    return out;
  }

  /** The beam as an nx*ny image peaking (1) at (nx/2, ny/2). */
  public static float[] gaussian(int nx, int ny, double cellx, double celly, Beam beam) {
    double[] q = beam.quadraticForm();
    float[] g = new float[nx * ny];
    for (int y = 0; y < ny; y++) {
      double north = (y - ny / 2) * celly;
      for (int x = 0; x < nx; x++) {
        double east = -(x - nx / 2) * cellx;
        double e = q[0] * east * east + 2 * q[1] * east * north + q[2] * north * north;
        g[y * nx + x] = e < 50 ? (float) Math.exp(-e) : 0f;
      }
    }
    return g;
  }
}
