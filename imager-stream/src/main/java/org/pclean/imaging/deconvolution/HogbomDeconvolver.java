package org.pclean.imaging.deconvolution;

import org.pclean.casacore.CleanKernels;

/** Hogbom CLEAN (native kernel): the peak |residual| pixel each iteration, full-PSF subtraction. */
public final class HogbomDeconvolver implements Deconvolver {
  private final int nx;
  private final int ny;
  private final double gain;

  public HogbomDeconvolver(int nx, int ny, double gain) {
    this.nx = nx;
    this.ny = ny;
    this.gain = gain;
  }

  @Override
  public MinorCycleResult deconvolve(float[] residual, float[] model, float[] psf, byte[] mask,
      double cycleThreshold, int maxIterations) {
    var r = CleanKernels.hogbom(residual, model, psf, mask, nx, ny, (float) gain, (float) cycleThreshold, maxIterations);
    return new MinorCycleResult(r.components(), r.peakResidual(), r.fluxAdded());
  }
}
