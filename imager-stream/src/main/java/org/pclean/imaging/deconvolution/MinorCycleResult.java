package org.pclean.imaging.deconvolution;

/**
 * What one minor cycle did.
 *
 * @param iterations components taken
 * @param peakResidual peak |residual| when it stopped, Jy/beam
 * @param fluxAdded flux added to the model, Jy
 */
public record MinorCycleResult(int iterations, double peakResidual, double fluxAdded) {}
