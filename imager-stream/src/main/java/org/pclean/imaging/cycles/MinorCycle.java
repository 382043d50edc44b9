package org.pclean.imaging.cycles;

import java.util.List;
import java.util.Optional;
import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.CleanKernels;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.deconvolution.ClarkDeconvolver;
import org.pclean.imaging.deconvolution.Deconvolver;
import org.pclean.imaging.deconvolution.HogbomDeconvolver;
import org.pclean.imaging.deconvolution.MinorCycleResult;
import org.pclean.imaging.deconvolution.MultiTermHogbom;
import org.pclean.imaging.deconvolution.MultiscaleDeconvolver;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;

/**
 * One step between two major cycles, as tclean takes it: check the stop rules on the normalised residual, and if
 * none holds, clean down to the cycle threshold with the run's deconvolver (all Taylor terms jointly for mtmfs).
 * The serial engine and the continuum coordinator both step through this class.
 */
public final class MinorCycle {
  private final TcleanParams p;
  private final float[][] psfs;
  private final IterationControl control;
  private final int nterms;
  private final Deconvolver singleTerm;
  private final MultiTermHogbom multiTerm;
  private double lastPeak;

  /** psfs: the normalised PSF terms (2·nterms - 1 of them); control carries the iteration state so far. */
  public MinorCycle(TcleanParams p, float[][] psfs, IterationControl control) {
    this.p = p;
    this.psfs = psfs;
    this.control = control;
    this.nterms = (psfs.length + 1) / 2;
    int nx = p.nx();
    int ny = p.ny();
    singleTerm = switch (p.deconvolver()) {
      case CLARK -> new ClarkDeconvolver(nx, ny, p.gain());
      case MULTISCALE -> new MultiscaleDeconvolver(nx, ny, p.gain(), p.scales(), p.smallscalebias());
      default -> new HogbomDeconvolver(nx, ny, p.gain());
    };
    multiTerm = p.deconvolver() == DeconvolverKind.MTMFS ? new MultiTermHogbom(nx, ny, p.gain()) : null;
  }

  /**
   * The stop reason when the cycles are over; otherwise cleans residuals into models (in place), appends the
   * cycle to history and returns empty: the caller then runs a major cycle.
   */
  public Optional<StopReason> step(int plane, int cycle, float[][] residuals, float[][] models,
      List<ImagingResult.Cycle> history) {
    double peak = CleanKernels.peakAbs(residuals[0], null, p.nx(), p.ny());
    lastPeak = peak;
    double rms = p.nsigma() > 0 ? IterationControl.robustRms(residuals[0]) : 0;
    Optional<StopReason> stop = control.stopBefore(peak, rms);
    if (stop.isPresent()) {
      return stop;
    }
    double cycleThreshold = control.cycleThreshold(peak, rms);
    MinorCycleResult minor = PcleanMeters.MINOR_CYCLE.record(() -> nterms == 1
        ? singleTerm.deconvolve(residuals[0], models[0], psfs[0], cycleThreshold, control.cycleIterations())
        : multiTerm.deconvolve(residuals, models, psfs, cycleThreshold, control.cycleIterations()));
    control.recordIterations(minor.iterations());
    history.add(new ImagingResult.Cycle(plane, cycle, minor.iterations(), peak, cycleThreshold, flux(models[0])));
    return Optional.empty();
  }

  /** Peak |residual| seen by the last step. */
  public double lastPeak() {
    return lastPeak;
  }

  public static double flux(float[] model) {
    double flux = 0;
    for (float v : model) {
      flux += v;
    }
    return flux;
  }
}
