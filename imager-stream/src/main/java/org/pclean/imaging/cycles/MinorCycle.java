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
import org.pclean.imaging.deconvolution.MultiTermDeconvolver;
import org.pclean.imaging.deconvolution.MultiTermHogbom;
import org.pclean.imaging.deconvolution.MultiscaleMultiTerm;
import org.pclean.imaging.deconvolution.MultiscaleDeconvolver;
import org.pclean.imaging.mask.CleanMask;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;

/**
 * One step between two major cycles, as tclean takes it: check the stop rules on the normalised residual, and if
 * none holds, clean down to the cycle threshold with the run's deconvolver (all Taylor terms jointly for mtmfs).
 * The plane's CLEAN mask is updated from the tt0 residual first (auto-multithresh), and the peak, the stop rules
 * and the components all keep inside it; an empty mask stops the plane (tclean's stop code 7).
 * The serial engine and the continuum coordinator both step through this class.
 */
public final class MinorCycle {
  private final TcleanParams p;
  private final float[][] psfs;
  private final IterationControl control;
  private final int nterms;
  private final Deconvolver singleTerm;
  private final MultiTermDeconvolver multiTerm;
  private final CleanMask mask;
  private double lastPeak;

  /**
   * psfs: the normalised PSF terms (2·nterms - 1 of them); control carries the iteration state so far; mask is the
   * plane's CLEAN mask ({@link CleanMask#NONE}: everywhere).
   */
  public MinorCycle(TcleanParams p, float[][] psfs, IterationControl control, CleanMask mask) {
    this.p = p;
    this.psfs = psfs;
    this.control = control;
    this.mask = mask;
    this.nterms = (psfs.length + 1) / 2;
    int nx = p.nx();
    int ny = p.ny();
    singleTerm = switch (p.deconvolver()) {
      case CLARK -> new ClarkDeconvolver(nx, ny, p.gain());
      case MULTISCALE -> new MultiscaleDeconvolver(nx, ny, p.gain(), p.scales(), p.smallscalebias());
      default -> new HogbomDeconvolver(nx, ny, p.gain());
    };
    // mtmfs: point components with scales [] or [0], else multi-scale components (MS-MFS).
    boolean multiscale = java.util.Arrays.stream(p.scales()).anyMatch(s -> s != 0);
    multiTerm = p.deconvolver() != DeconvolverKind.MTMFS ? null
        : multiscale ? new MultiscaleMultiTerm(nx, ny, p.gain(), p.scales(), p.smallscalebias())
        : new MultiTermHogbom(nx, ny, p.gain());
  }

  /**
   * The stop reason when the cycles are over; otherwise cleans residuals into models (in place), appends the
   * cycle to history and returns empty: the caller then runs a major cycle.
   */
  public Optional<StopReason> step(int plane, int cycle, float[][] residuals, float[][] models,
      List<ImagingResult.Cycle> history) {
    byte[] m = p.niter() > 0
        ? mask.forCycle(residuals[0], control.iterationsDone(), control.lastCycleAtThreshold()) : null;
    double peak = CleanKernels.peakAbs(residuals[0], m, p.nx(), p.ny());
    double peakNoMask = m == null ? peak : CleanKernels.peakAbs(residuals[0], null, p.nx(), p.ny());
    lastPeak = peak;
    if (m != null && CleanMask.isEmpty(m)) {
      return Optional.of(StopReason.ZERO_MASK);
    }
    double rms = p.nsigma() > 0 ? IterationControl.robustRms(residuals[0]) : 0;
    Optional<StopReason> stop = control.stopBefore(peak, peakNoMask, rms, cycle);
    if (stop.isPresent()) {
      return stop;
    }
    double cycleThreshold = control.cycleThreshold(peak, rms);
    MinorCycleResult minor = PcleanMeters.MINOR_CYCLE.record(() -> nterms == 1
        ? singleTerm.deconvolve(residuals[0], models[0], psfs[0], m, cycleThreshold, control.cycleIterations())
        : multiTerm.deconvolve(residuals, models, psfs, m, cycleThreshold, control.cycleIterations()));
    control.recordIterations(minor.iterations());
    history.add(new ImagingResult.Cycle(plane, cycle, minor.iterations(), peak, cycleThreshold, flux(models[0])));
    return Optional.empty();
  }

  /** The plane's mask as last used (the .mask product), or null without one. */
  public byte[] mask() {
    return mask.current();
  }

  /** Peak |residual| (inside the mask) seen by the last step. */
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
