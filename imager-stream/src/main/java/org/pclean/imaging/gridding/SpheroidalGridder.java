package org.pclean.imaging.gridding;

import org.pclean.casacore.GriddingKernels;
import org.pclean.casacore.WStack;
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
