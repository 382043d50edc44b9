package org.pclean.imaging.continuum;

import org.pclean.imaging.TcleanParams;
import org.pclean.imaging.data.VisibilityData;
import org.pclean.imaging.gridding.SpheroidalGridder;
import org.pclean.imaging.weighting.ImagingWeights;

/**
 * What a continuum worker computes for its row chunk (pclean's major cycle on one partition), independent of
 * the bus. Uniform/briggs weights need the density of all rows, so a job first gathers the chunks'
 * {@link #density} sums; with that gathered density every chunk weights its samples exactly as the serial run
 * would, and the partial images sum to the serial ones.
 */
public final class ContinuumPartial {
  /** Unnormalised partial images (Σ w Re[V e^…]) and the chunk's sum of imaging weights. */
  public record Partial(float[] psf, float[] residual, double sumwt) {}

  private ContinuumPartial() {}

  /** The chunk's contribution to the weight density (summed over chunks before weighting). */
  public static double[] density(VisibilityData chunk, TcleanParams p) {
    return new ImagingWeights(p.nx(), p.ny(), p.cell()[0], p.cell()[1]).density(chunk);
  }

  /**
   * Grids the chunk with weights from the gathered density: the PSF partial, and the residual partial of
   * V - predict(model) (model null in cycle 0: the dirty partial).
   */
  public static Partial grid(VisibilityData chunk, TcleanParams p, double[] gatheredDensity, float[] model) {
    ImagingWeights iw = new ImagingWeights(p.nx(), p.ny(), p.cell()[0], p.cell()[1]);
    float[] weights = iw.apply(chunk, gatheredDensity, p.weighting(), p.robust(), p.uvtaper());
    SpheroidalGridder gridder = SpheroidalGridder.forRun(p, chunk);
    float[] psf = new float[p.nx() * p.ny()];
    double sumwt = gridder.invert(chunk, null, weights, psf);
    float[] vis = chunk.vis();
    if (model != null) {
      float[] pred = gridder.predict(model, chunk);
      vis = vis.clone();
      for (int i = 0; i < vis.length; i++) {
        vis[i] -= pred[i];
      }
    }
    float[] residual = new float[p.nx() * p.ny()];
    gridder.invert(chunk, vis, weights, residual);
    return new Partial(psf, residual, sumwt);
  }
}
