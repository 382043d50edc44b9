package org.pclean.imaging.gridding;

import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.GriddingKernels;
import org.pclean.casacore.WStack;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.WPlanes;
import org.pclean.ingest.source.VisibilityData;

/**
 * tclean's 'standard' gridder (prolate spheroidal, w ignored) and 'wproject', which this engine does by w-stacking
 * (the same kernel on each of wplanes w planes, the w-term applied per plane in the image), in native code.
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
   * The gridder of a run whose whole selection has these uvw and frequencies (its w planes by {@link WPlanes}):
   * a row chunk grids with it on the selection's planes.
   */
  public static SpheroidalGridder forRange(TcleanParams p, double[] uvw, double[] freq) {
    return new SpheroidalGridder(p.nx(), p.ny(), p.cell()[0], p.cell()[1], p.padding(),
        WPlanes.forSelection(p, uvw, freq), p.threads());
  }

  public WStack wstack() {
    return wstack;
  }

  public int wplanes() {
    return wstack.planes();
  }

  @Override
  public double invert(VisibilityData data, float[] vis, float[] weights, float[] image) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    return GriddingKernels.invert(data.uvw(), data.freq(), vis, weights, nx, ny, cellx, celly, padding, wstack,
        threads, image);
  }

  @Override
  public float[] predict(float[] model, VisibilityData data) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    return GriddingKernels.predict(model, nx, ny, cellx, celly, padding, wstack, data.uvw(), data.freq(), threads);
  }
}
