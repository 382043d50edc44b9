package org.pclean.imaging.deconvolution;

/**
 * The multi-term (mtmfs) minor cycle behind one method: residuals[t] and models[t] for the nterms Taylor terms,
 * psfs[t] for the 2·nterms-1 Hessian terms, all nx*ny, updated in place. The threshold applies to the tt0 residual
 * inside the mask, and components go only where mask is non-zero (null: no mask).
 */
public interface MultiTermDeconvolver {
  MinorCycleResult deconvolve(float[][] residuals, float[][] models, float[][] psfs, byte[] mask, double cycleThreshold,
      int maxIterations);
}
