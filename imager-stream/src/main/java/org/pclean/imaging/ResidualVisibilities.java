package org.pclean.imaging;

import org.pclean.imaging.gridding.Gridder;
import org.pclean.ingest.source.VisibilityData;

/**
 * The major cycle's residual visibilities V - Σ_t x_c^t predict(model_t), in buffers kept between cycles (each as
 * large as the visibilities: allocated once, not once a cycle). One per plane (serial engine) or row chunk
 * (continuum worker), used by one thread at a time.
 */
public final class ResidualVisibilities {
  private float[] residual;
  private float[] predicted;  // one Taylor term's, with several terms

  /** The residual visibilities of data for these models (the returned buffer is overwritten by the next call). */
  public float[] of(Gridder gridder, TaylorTerms taylor, VisibilityData data, float[][] models) {
    float[] vis = data.vis();
    if (residual == null) {
      residual = new float[vis.length];
    }
    if (models.length == 1) {
      gridder.predictInto(models[0], data, residual);
      for (int i = 0; i < residual.length; i++) {
        residual[i] = vis[i] - residual[i];
      }
      return residual;
    }
    if (predicted == null) {
      predicted = new float[vis.length];
    }
    System.arraycopy(vis, 0, residual, 0, vis.length);
    for (int t = 0; t < models.length; t++) {
      gridder.predictInto(models[t], data, predicted);
      taylor.subtract(residual, predicted, t);
    }
    return residual;
  }
}
