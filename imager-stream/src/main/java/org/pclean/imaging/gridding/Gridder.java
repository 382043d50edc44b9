package org.pclean.imaging.gridding;

import org.pclean.casacore.WStack;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.WPlanes;
import org.pclean.ingest.source.VisibilityData;

/**
 * The major cycle's two transforms. invert: weighted visibilities to an (unnormalised) image; predict: a model
 * image to visibilities. predict is the adjoint of invert, so residual = invert(V - predict(model)).
 */
public interface Gridder {
  /** The gridder a run asks for ({@code gridder}), handling w over the range of the data it grids. */
  static Gridder forRun(TcleanParams p, VisibilityData data) {
    return forSelection(p, WPlanes.forSelection(p, data.uvw(), data.freq()));
  }

  /**
   * The gridder a run asks for, with the w planes (or, for the wgridder, the w range) of the whole selection
   * ({@link WPlanes}): a row chunk grids with it on the selection's planes.
   */
  static Gridder forSelection(TcleanParams p, WStack w) {
    return switch (p.gridder()) {
      case STANDARD, WPROJECT -> new SpheroidalGridder(ImagePixels.of(p), p.padding(), w, p.threads());
      case WGRIDDER -> new WGridder(ImagePixels.of(p), p.epsilon(), w, p.threads());
    };
  }

  /**
   * @param vis samples to grid (interleaved complex, as data.vis()), or null for the PSF (V = 1)
   * @param weights imaging weights per sample
   * @param image out: nx*ny, unnormalised (Σ w Re[V e^{-2πi…}])
   * @return the sum of the weights gridded
   */
  double invert(VisibilityData data, float[] vis, float[] weights, float[] image);

  /** Model visibilities of the data's samples (interleaved complex). */
  default float[] predict(float[] model, VisibilityData data) {
    float[] out = new float[data.vis().length];
    predictInto(model, data, out);
    return out;
  }

  /** As {@link #predict} into out (data.vis().length values, overwritten). */
  void predictInto(float[] model, VisibilityData data, float[] out);
}
