package org.pclean.ingest.plan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.pclean.casacore.GriddingKernels;
import org.pclean.ingest.PartitionPlanner;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.GridderKind;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;

/**
 * Peak resident memory of an imaging run, from what the engine allocates (pclean's formula has no visibility term
 * and a fixed 76 bytes per pixel; here every term is an array the engine holds at its peak, the major cycle's
 * residual invert):
 *
 * <ul>
 *   <li>the JVM with casacore and FFTW loaded (150 MB, measured on a 128² run);
 *   <li>the Stokes I selection: uvw (24 B a row), visibility, weight and density flag (13 B a sample);
 *   <li>the loader's young generation: reading the MS passes 13 B per sample and correlation through the heap;
 *       while it loads G1 holds about 0.7 of that, afterwards about 0.3 stays committed (both measured on the
 *       252 720-row bench MS), so the peak is the larger of the load phase and the imaging phase;
 *   <li>per plane: imaging weights (4 B a sample, per Taylor weight), images (psfs, residuals, models, pb, mask,
 *       restored: 4 B a pixel each; the density 8 B), for multiscale its scale images, for a cube the plane's
 *       channel copied out of the selection, and from the first major cycle on the residual visibilities (8 B a
 *       sample; with several Taylor terms also a buffer for each term's predicted ones), kept between cycles;
 *   <li>native gridding: one padded complex double grid per gridding thread (the wgridder: one 2x upsampled
 *       complex float grid, and its bucket-ordered copy of the weighted samples with their run index, 12 B a
 *       sample), the double accumulator, and JNI's copies of uvw, visibilities and weights.
 * </ul>
 *
 * A parallel cube worker is a run over its sub-cube's channels; a continuum worker holds its row chunk across the
 * cycles and grids partial images; the coordinator holds the gathered images twice (the app and its stores).
 * Checked against peak RSS in ops/MEMORY.md.
 */
public record MemoryEstimate(long perWorkerBytes, long totalBytes, int nworkers, long loadPhaseBytes,
    Map<String, Long> terms) {
  /** Resident JVM with the native libraries loaded, before any data. */
  public static final long JVM_BYTES = 150_000_000L;
  /** Share of the loader's pass-through bytes resident as G1's young generation while it loads. */
  static final double LOAD_YOUNG = 0.7;
  /** Share of them still committed beside the imaging arrays afterwards. */
  static final double LOAD_RESIDENT = 0.3;

  /**
   * @param rows selected rows
   * @param channels selected channels (loaded)
   * @param correlations correlations per sample in the MS
   */
  public record Selection(long rows, int channels, int correlations) {
    /**
     * p's selection of source, from its metadata and row count only; several spws count as the engine loads them:
     * every spw's rows × every selected channel.
     */
    public static Selection of(TcleanParams p, VisibilitySource source) {
      long rows = VisibilityLoader.rows(source, p.selection());
      VisibilityLoader.Selection sel = VisibilityLoader.select(source, p.selection());
      int ncorr = source.metadata().polarizations().get(sel.polarization()).correlations().size();
      return new Selection(rows, VisibilityLoader.channels(source.metadata(), p.selection())[0].length, ncorr);
    }

    long samples() {
      return rows * channels;
    }

    /** Channels of the job planner's widest sub-cube over nworkers (cubeChunksize -1: one per worker); 0 for mfs. */
    int widestSubcube(TcleanParams p, int nworkers, int cubeChunksize) {
      int nchan = p.nchan() == -1 ? channels : p.nchan();
      return p.specmode() != SpecMode.CUBE ? 0 : PartitionPlanner.planCube(nchan, cubeChunksize, nworkers).stream()
          .mapToInt(PartitionPlanner.ChannelRange::count).max().orElse(nchan);
    }
  }

  /**
   * The estimate for p's selection of source: serial, or (parallel) over nworkers with the job planner's sub-cubes
   * (cubeChunksize -1: one per worker). Reads only the source's metadata and row selection.
   */
  public static MemoryEstimate of(TcleanParams p, VisibilitySource source, boolean parallel, int nworkers,
      int cubeChunksize) {
    Selection s = Selection.of(p, source);
    return parallel ? parallel(p, s, nworkers, s.widestSubcube(p, nworkers, cubeChunksize)) : serial(p, s);
  }

  /** A serial run (one process). */
  public static MemoryEstimate serial(TcleanParams p, Selection s) {
    Map<String, Long> t = run(p, s, p.specmode() == SpecMode.CUBE, true);
    long load = loadPhase(s);
    long peak = Math.max(sum(t), load);
    return new MemoryEstimate(peak, peak, 1, load, t);
  }

  /**
   * A parallel job: nworkers worker processes and, for continuum, the coordinator.
   *
   * @param subcubeChannels channels of the largest sub-cube (cube), ignored for mfs
   */
  public static MemoryEstimate parallel(TcleanParams p, Selection s, int nworkers, int subcubeChannels) {
    if (nworkers < 1) {
      throw new IllegalArgumentException("a parallel estimate needs at least one worker, got " + nworkers);
    }
    Map<String, Long> t;
    Selection share;
    long coordinator = 0;
    if (p.specmode() == SpecMode.CUBE) {
      share = new Selection(s.rows(), subcubeChannels, s.correlations());
      t = run(p, share, true, true);
    } else {
      share = new Selection((s.rows() + nworkers - 1) / nworkers, s.channels(), s.correlations());
      t = run(p, share, false, false);
      coordinator = JVM_BYTES + 2 * imageBytes(p, terms(p) + 4);
    }
    long load = loadPhase(share);
    long worker = Math.max(sum(t), load);
    return new MemoryEstimate(worker, nworkers * worker + coordinator, nworkers, load, t);
  }

  /**
   * One run's imaging-phase terms over s. cube: planes of one channel each, copied out of the selection;
   * deconvolves: the run also holds the pb, mask, restored image and any scale images (a continuum worker grids
   * partial images only).
   */
  private static Map<String, Long> run(TcleanParams p, Selection s, boolean cube, boolean deconvolves) {
    int nt = terms(p);
    long planeSamples = cube ? s.rows() : s.samples();
    Map<String, Long> t = new LinkedHashMap<>();
    t.put("jvm", JVM_BYTES);
    t.put("visibilities", 24 * s.rows() + 13 * s.samples() + (cube ? 13 * planeSamples : 0));
    t.put("loader", (long) (LOAD_RESIDENT * 13 * s.correlations() * s.samples()));
    t.put("weights", 4 * planeSamples * (2L * nt - 1));
    // psfs (2nt-1), residuals and models (nt each) [, pb, mask, restored]; the density is a double image.
    long images = imageBytes(p, (2 * nt - 1) + 2 * nt + (deconvolves ? 3 : 0)) + 2 * imageBytes(p, 1);
    if (deconvolves && p.deconvolver() == DeconvolverKind.MULTISCALE) {
      int ns = p.scales() == null ? 1 : p.scales().length;
      images += imageBytes(p, 3 * ns + (long) ns * ns);
    }
    t.put("images", images);
    t.put("major_cycle", p.niter() > 0 ? 8 * planeSamples * (nt > 1 ? 2 : 1) : 0);
    t.put("gridding", grids(p) + 3 * imageBytes(p, 1) + 12 * planeSamples + 24 * s.rows()
        + (p.gridder() == GridderKind.WGRIDDER ? 12 * planeSamples : 0));
    return t;
  }

  /** Taylor terms imaged: nterms for mtmfs, else one (tclean's nterms default 2 applies to mtmfs only). */
  private static int terms(TcleanParams p) {
    return p.deconvolver() == DeconvolverKind.MTMFS ? p.nterms() : 1;
  }

  /** While the MS is read: the JVM, the selection filling up and the young generation of the pass-through. */
  private static long loadPhase(Selection s) {
    return JVM_BYTES + 24 * s.rows() + 13 * s.samples() + (long) (LOAD_YOUNG * 13 * s.correlations() * s.samples());
  }

  /** The gridder's grids at once: one padded complex double grid per thread, or the wgridder's one float grid. */
  static long grids(TcleanParams p) {
    if (p.gridder() == GridderKind.WGRIDDER) {
      return 8L * (2L * p.nx()) * (2L * p.ny());
    }
    long cells = (long) GriddingKernels.paddedSize(p.nx(), p.padding()) * GriddingKernels.paddedSize(p.ny(), p.padding());
    return 16 * cells * Math.max(1, p.threads());
  }

  private static long imageBytes(TcleanParams p, long images) {
    return 4L * p.nx() * p.ny() * images;
  }

  private static long sum(Map<String, Long> t) {
    return t.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One JSON object: per-worker and total bytes, workers, the load phase and the imaging phase's terms. */
  public String toJson() {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "{\"per_worker_bytes\":%d,\"total_bytes\":%d,\"nworkers\":%d,\"load_phase_bytes\":%d,\"terms\":{",
        perWorkerBytes, totalBytes, nworkers, loadPhaseBytes));
    String sep = "";
    for (var e : terms.entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    return b.append("}}").toString();
  }

  /** Bytes as a person reads them: 1.37 GB. */
  public static String human(long bytes) {
    return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
        : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }
}
