package org.pclean.imaging.gridding;

import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.GriddingKernels;
import org.pclean.casacore.WStack;
import org.pclean.ingest.source.VisibilityData;

/**
 * tclean's 'standard' gridder (prolate spheroidal, w ignored) and 'wproject', which this engine does by w-stacking
 * (the same kernel on each of wplanes w planes, the w-term applied per plane in the image), in native code.
 */
public final class SpheroidalGridder implements Gridder {
  private final ImagePixels px;
  private final double padding;
  private final WStack wstack;
  private final int threads;

  public SpheroidalGridder(ImagePixels px, double padding, WStack wstack, int threads) {
    this.px = px;
    this.padding = padding;
    this.wstack = wstack;
    this.threads = threads;
  }

  @Override
  public double invert(VisibilityData data, float[] vis, float[] weights, float[] image) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    return GriddingKernels.invert(data.uvw(), data.freq(), vis, weights, px.nx(), px.ny(), px.cellx(),
        px.celly(), padding, wstack, threads, image);
  }

  @Override
  public void predictInto(float[] model, VisibilityData data, float[] out) {
    PcleanMeters.VISIBILITIES_GRIDDED.increment((double) data.numRows() * data.numChannels());
    GriddingKernels.predictInto(model, px.nx(), px.ny(), px.cellx(), px.celly(), padding, wstack, data.uvw(),
        data.freq(), threads, out);
  }
}
