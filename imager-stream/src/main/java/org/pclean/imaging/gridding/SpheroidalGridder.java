package org.pclean.imaging.gridding;

import org.pclean.casacore.GriddingKernels;
import org.pclean.imaging.TcleanParams;
import org.pclean.imaging.data.VisibilityData;

/**
 * tclean's 'standard' gridder (prolate spheroidal, w ignored) and 'wproject' (the same kernel with w-stacking
 * over wplanes planes), in native code.
 */
public final class SpheroidalGridder implements Gridder {
  private final int nx;
  private final int ny;
  private final double cellx;
  private final double celly;
  private final double padding;
  private final int wplanes;
  private final int threads;

  public SpheroidalGridder(int nx, int ny, double cellx, double celly, double padding, int wplanes, int threads) {
    this.nx = nx;
    this.ny = ny;
    this.cellx = cellx;
    this.celly = celly;
    this.padding = padding;
    this.wplanes = wplanes;
    this.threads = threads;
  }

  /** The gridder a run asks for; wprojplanes -1 picks the plane count from the data's w range. */
  public static SpheroidalGridder forRun(TcleanParams p, VisibilityData data) {
    int planes = p.wplanes() == -1 ? autoPlanes(p, data) : p.wplanes();
    return new SpheroidalGridder(p.nx(), p.ny(), p.cell()[0], p.cell()[1], p.padding(), planes, p.threads());
  }

  /**
   * Enough planes that the nearest-plane w error, (Δw/2)·max|n-1|, stays below 0.05 turns at the image corner
   * (at most 1.2 % amplitude loss there, less inside).
   */
  static int autoPlanes(TcleanParams p, VisibilityData data) {
    double l = p.nx() / 2.0 * p.cell()[0];
    double m = p.ny() / 2.0 * p.cell()[1];
    double maxN1 = 1 - Math.sqrt(Math.max(0, 1 - l * l - m * m));
    double fmax = 0;
    for (double f : data.freq()) {
      fmax = Math.max(fmax, f);
    }
    double wmin = Double.MAX_VALUE;
    double wmax = -Double.MAX_VALUE;
    for (int r = 0; r < data.numRows(); r++) {
      wmin = Math.min(wmin, data.uvw()[3 * r + 2]);
      wmax = Math.max(wmax, data.uvw()[3 * r + 2]);
    }
    double span = (wmax - wmin) * fmax / 299792458.0;
    return Math.max(2, (int) Math.ceil(span * maxN1 / 0.1) + 1);
  }

  public int wplanes() {
    return wplanes;
  }

  @Override
  public double invert(VisibilityData data, float[] vis, float[] weights, float[] image) {
    return GriddingKernels.invert(data.uvw(), data.freq(), vis, weights, nx, ny, cellx, celly, padding, wplanes,
        threads, image);
  }

  @Override
  public float[] predict(float[] model, VisibilityData data) {
    return GriddingKernels.predict(model, nx, ny, cellx, celly, padding, wplanes, data.uvw(), data.freq(), threads);
  }
}
