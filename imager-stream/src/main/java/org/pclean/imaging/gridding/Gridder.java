package org.pclean.imaging.gridding;

import org.pclean.ingest.source.VisibilityData;

/**
 * The major cycle's two transforms. invert: weighted visibilities to an (unnormalised) image; predict: a model
 * image to visibilities. predict is the adjoint of invert, so residual = invert(V - predict(model)).
 */
public interface Gridder {
  /**
   * @param vis samples to grid (interleaved complex, as data.vis()), or null for the PSF (V = 1)
   * @param weights imaging weights per sample
   * @param image out: nx*ny, unnormalised (Σ w Re[V e^{-2πi…}])
   * @return the sum of the weights gridded
   */
  double invert(VisibilityData data, float[] vis, float[] weights, float[] image);

  /** Model visibilities of the data's samples (interleaved complex). */
  float[] predict(float[] model, VisibilityData data);
}
