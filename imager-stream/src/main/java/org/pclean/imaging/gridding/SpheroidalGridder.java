package org.pclean.imaging.gridding;

import org.pclean.casacore.GriddingKernels;
import org.pclean.casacore.WStack;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.VisibilityData;

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
  private final WStack wstack;
  private final int threads;

  public SpheroidalGridder(int nx, int ny, double cellx, double celly, double padding, WStack wstack, int threads) {
    this.nx = nx;
    this.ny = ny;
    this.cellx = cellx;
    this.celly = celly;
    this.padding = padding;
    this.wstack = wstack;
    this.threads = threads;
  }

  /** The gridder a run asks for, stacking over the w range of the data it grids. */
  public static SpheroidalGridder forRun(TcleanParams p, VisibilityData data) {
    return forRange(p, data.uvw(), data.freq());
  }

  /**
   * The gridder of a run whose whole selection has these uvw and frequencies: a row chunk grids with it on the
   * selection's w planes. wprojplanes -1 picks the plane count from the w range.
   */
  public static SpheroidalGridder forRange(TcleanParams p, double[] uvw, double[] freq) {
    WStack w = WStack.none();
    if (p.wplanes() > 1 || p.wplanes() == -1) {
      double[] range = WStack.range(uvw, freq);
      int planes = p.wplanes() == -1 ? autoPlanes(p, range) : p.wplanes();
      w = new WStack(planes, range[0], range[1]);
    }
    return new SpheroidalGridder(p.nx(), p.ny(), p.cell()[0], p.cell()[1], p.padding(), w, p.threads());
  }

  /**
   * Enough planes that the nearest-plane w error, (Δw/2)·max|n-1|, stays below 0.05 turns at the image corner
   * (at most 1.2 % amplitude loss there, less inside). range: w in wavelengths.
   */
  static int autoPlanes(TcleanParams p, double[] range) {
    double l = p.nx() / 2.0 * p.cell()[0];
    double m = p.ny() / 2.0 * p.cell()[1];
    double maxN1 = 1 - Math.sqrt(Math.max(0, 1 - l * l - m * m));
    double span = range[1] - range[0];
    return Math.max(2, (int) Math.ceil(span * maxN1 / 0.1) + 1);
  }

  public WStack wstack() {
    return wstack;
  }

  public int wplanes() {
    return wstack.planes();
  }

  @Override
  public double invert(VisibilityData data, float[] vis, float[] weights, float[] image) {
    return GriddingKernels.invert(data.uvw(), data.freq(), vis, weights, nx, ny, cellx, celly, padding, wstack,
        threads, image);
  }

  @Override
  public float[] predict(float[] model, VisibilityData data) {
    return GriddingKernels.predict(model, nx, ny, cellx, celly, padding, wstack, data.uvw(), data.freq(), threads);
  }
}
