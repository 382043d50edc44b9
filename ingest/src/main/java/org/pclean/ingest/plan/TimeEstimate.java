package org.pclean.ingest.plan;

import java.time.Duration;
import org.pclean.casacore.GriddingKernels;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.GridderKind;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.VisibilitySource;

/**
 * An upper bound on how long an imaging run takes, for the deadlines a job and its services need rather than as a
 * forecast: a deadline that fires on a loaded machine fails a good job, one of 24 h hides a stuck one. Work is
 * counted as {@link MemoryEstimate} counts bytes (samples gridded, grid cells transformed, pixels searched by the
 * minor cycle) and divided by rates a fifth to a tenth of those measured on the 2-core development machine
 * ({@code pclean bench grid}: 5-10 M samples/s per core, grid + degrid; a padded 4096² FFT plane ~0.25 s; a
 * Hogbom iteration ~2 ms on 1024²), on one core, so threads only make the run faster than estimated.
 *
 * <p>Passes over the samples per plane: the weight density (not for natural weighting), the PSFs (2 nterms - 1
 * with mtmfs), the dirty images (nterms), and for each major cycle a prediction and an invert per term. The
 * number of major cycles is not known in advance: up to {@value #MAJOR_CYCLES} are counted (tclean rarely runs
 * more), and never more than niter. The longest minor cycle is bounded by all niter iterations in one.
 */
public record TimeEstimate(Duration total, Duration longestMinorCycle, Duration longestTask) {
  /** Samples gridded or degridded per second on one loaded core (measured 5-10 M). */
  static final double SAMPLES_PER_S = 1e6;
  /** Complex grid cells transformed per second, per pass (measured ~60 M on a padded 4096² plane). */
  static final double FFT_CELLS_PER_S = 10e6;
  /** Image pixels a minor-cycle iteration searches per second (measured ~500 M for Hogbom). */
  static final double PIXELS_PER_S = 50e6;
  /** Visibility samples (one correlation each) read from the MS per second (measured ~40 M). */
  static final double READ_PER_S = 5e6;
  /** Major cycles counted when niter is larger. */
  static final int MAJOR_CYCLES = 20;

  /** The bound for p's selection of source over nworkers (0: serial), sub-cubes as the job planner makes them. */
  public static TimeEstimate of(TcleanParams p, VisibilitySource source, int nworkers, int cubeChunksize) {
    MemoryEstimate.Selection s = MemoryEstimate.Selection.of(p, source);
    return of(p, s, nworkers, s.widestSubcube(p, Math.max(1, nworkers), cubeChunksize));
  }

  /**
   * The bound for p over selection s: serial when nworkers is 0, else spread over nworkers processes (cube:
   * sub-cubes of at most subcubeChannels channels; continuum: row chunks of rows / nworkers).
   */
  public static TimeEstimate of(TcleanParams p, MemoryEstimate.Selection s, int nworkers, int subcubeChannels) {
    int nt = p.deconvolver() == DeconvolverKind.MTMFS ? p.nterms() : 1;
    int majors = p.niter() <= 0 ? 0 : Math.min(MAJOR_CYCLES, p.niter());
    int passes = (p.weighting().needsDensity() ? 1 : 0) + (2 * nt - 1) + nt + majors * 2 * nt;
    double fftPerPass = ffts(p) * gridCells(p) / FFT_CELLS_PER_S;
    double iteration = (double) p.nx() * p.ny() * minorFactor(p, nt) / PIXELS_PER_S;
    boolean cube = p.specmode() == SpecMode.CUBE;
    int planes = !cube ? 1 : p.nchan() == -1 ? s.channels() : p.nchan();
    double samplesPerPlane = cube ? s.rows() : (double) s.samples();
    double read = (double) s.samples() * s.correlations() / READ_PER_S;
    double minorPerPlane = p.niter() * iteration;
    if (cube) {
      // A sub-cube's task: its channels' reads, passes and minor cycles; the tasks run side by side.
      int perTask = nworkers < 1 ? planes : Math.max(1, Math.min(planes, subcubeChannels));
      double plane = passes * (samplesPerPlane / SAMPLES_PER_S + fftPerPass) + minorPerPlane;
      double task = read * perTask / planes + perTask * plane;
      int rounds = nworkers < 1 ? 1 : (int) Math.ceil((double) planes / perTask / nworkers);
      return new TimeEstimate(seconds(rounds * task), seconds(minorPerPlane), seconds(task));
    }
    // Continuum: the gridding of each cycle is split over the row chunks, the minor cycles are not.
    int share = Math.max(1, nworkers);
    double gridding = passes * (samplesPerPlane / share / SAMPLES_PER_S + fftPerPass);
    double task = read / share + (2 * nt) * (samplesPerPlane / share / SAMPLES_PER_S + fftPerPass);
    return new TimeEstimate(seconds(read / share + gridding + minorPerPlane), seconds(minorPerPlane),
        seconds(task));
  }

  /** A deadline of at least floor and factor times what is bounded here. */
  public Duration deadline(double factor, Duration floor) {
    Duration d = Duration.ofMillis((long) Math.ceil(total.toMillis() * factor));
    return d.compareTo(floor) < 0 ? floor : d;
  }

  /** Transforms per pass: the wgridder's w-planes (16: the bench MS at 2048² takes 7), else one. */
  private static int ffts(TcleanParams p) {
    if (p.gridder() == GridderKind.WPROJECT) {
      return Math.max(1, p.wprojplanes());
    }
    return p.gridder() == GridderKind.WGRIDDER ? 16 : 1;
  }

  private static double gridCells(TcleanParams p) {
    if (p.gridder() == GridderKind.WGRIDDER) {
      return 4.0 * p.nx() * p.ny();  // 2x upsampled
    }
    return (double) GriddingKernels.paddedSize(p.nx(), p.padding()) * GriddingKernels.paddedSize(p.ny(), p.padding());
  }

  /** Pixel passes of one iteration: one search for Hogbom and Clark, a search and update per scale pair. */
  private static double minorFactor(TcleanParams p, int nt) {
    int scales = p.deconvolver() == DeconvolverKind.MULTISCALE || p.deconvolver() == DeconvolverKind.MTMFS
        ? Math.max(1, p.scales() == null ? 1 : p.scales().length) : 1;
    return (double) scales * scales * nt * nt;
  }

  private static Duration seconds(double s) {
    return Duration.ofMillis((long) Math.ceil(Math.min(s, 1e12) * 1000));
  }
}
