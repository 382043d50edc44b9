package org.pclean.imaging.deconvolution;

/**
 * The minor cycle behind one method (as Radler's): clean the normalised residual into the model, in place,
 * until the peak |residual| inside the mask reaches cycleThreshold or maxIterations. Images are nx*ny,
 * {@code [y * nx + x]}; the PSF peaks (1) at (nx/2, ny/2); components go only where mask is non-zero (null: no
 * mask).
 */
public interface Deconvolver {
  MinorCycleResult deconvolve(float[] residual, float[] model, float[] psf, byte[] mask, double cycleThreshold,
      int maxIterations);
}
