package org.pclean.imaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.Beam;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.ImageSetWriter;
import org.pclean.casacore.ObservationInfo;
import org.pclean.imaging.beam.BeamFitter;
import org.pclean.imaging.beam.PrimaryBeam;
import org.pclean.imaging.beam.Restorer;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.imaging.cycles.MinorCycle;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.imaging.gridding.Gridder;
import org.pclean.imaging.mask.PixelFrame;
import org.pclean.imaging.mask.PlaneMasks;
import org.pclean.imaging.weighting.ImagingWeights;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.plan.FrameShift;
import org.pclean.ingest.plan.ImagePlane;
import org.pclean.ingest.plan.RegriddedCube;
import org.pclean.ingest.source.ChannelRegridder;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;
import org.pclean.ingest.source.VisibilitySources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial engine (CASA's PySynthesisImager): select and load → weights → PSF and beam → major/minor cycles
 * → restore → write. specmode mfs images all selected channels into one plane; cube images each channel as its
 * own plane with its own weights, PSF, beam and cycles. mtmfs (nterms 2) grids Taylor-weighted residuals and
 * PSFs, (ν - ν0)/ν0 about the band centre ν0, and cleans them jointly. Each plane cleans inside its own mask
 * (usemask: its own auto-multithresh state, beam and noise), written as .mask. Every worker runs this; it is the
 * reference the parallel paths are tested against.
 */
public final class SerialImager {
  private static final Logger LOG = LoggerFactory.getLogger(SerialImager.class);

  private final TcleanParams p;
  private final int nterms;
  private final PlaneMasks masks;
  private final StartImages start;
  private Weights weights;
  private double griddingSeconds;
  private long samplesGridded;

  public SerialImager(TcleanParams p) {
    this.p = p;
    this.nterms = p.deconvolver() == DeconvolverKind.MTMFS ? p.nterms() : 1;
    this.masks = new PlaneMasks(p);  // reads the mask regions and images: bad ones fail before anything is read
    this.start = StartImages.of(p);  // restart products or startmodel, shapes checked, as early
  }

  /** Images an MS run (p.vis()). */
  public static ImagingResult run(TcleanParams p) {
    return run(p, (java.util.Properties) null);
  }

  /** Images p's source: its MS, or its dataset replayed from the cluster that client reaches. */
  public static ImagingResult run(TcleanParams p, java.util.Properties client) {
    SerialImager imager = new SerialImager(p);
    VisibilityData data;
    double dish;
    ObservationInfo obs;
    if (p.dataset() != null && client != null && fusedReplay(p)) {
      // A dataset is replayed straight into the selection's Stokes I: no table of every correlation is built.
      DatasetReader.Loaded replayed = DatasetReader.load(client, p.dataset(), p.timerange(), p.selection());
      return imager.run(replayed.data(), ImagePlane.dishDiameter(replayed.metadata()), null,
          ImagePlane.observation(p, replayed.firstDump()), null);
    }
    FrameShift shift;
    // The source is let go before imaging: a replayed dataset holds every dump in memory, the selection much less.
    try (VisibilitySource source = VisibilitySources.open(p.vis(), p.dataset(), p.timerange(), client)) {
      data = VisibilityLoader.load(source, p.selection());
      dish = ImagePlane.dishDiameter(source.metadata());
      obs = ImagePlane.observation(p, source);
      shift = FrameShift.of(p, source, data);
    }
    return imager.run(data, dish, null, obs, shift);
  }

  /**
   * The one density of a cube with perchanweightdensity false (tclean's VisImagingWeight over the whole
   * selection), from job's whole selection of source, regridded as the job regrids: what each of its sub-cubes
   * weighs its samples with. Null when the job has no such density (mfs, per-channel densities, natural).
   */
  public static double[] cubeDensity(TcleanParams job, VisibilitySource source) {
    if (job.specmode() != SpecMode.CUBE || job.perchanweightdensity() || !job.weighting().needsDensity()) {
      return null;
    }
    VisibilityData data = VisibilityLoader.load(source, job.selection());
    if (job.regridsChannels()) {
      FrameShift shift = FrameShift.of(job, source, data);
      data = ChannelRegridder.regrid(data, RegriddedCube.grid(job, data.freq(), shift), job.interpolation(),
          shift == null ? null : shift.rows());
    }
    return ImagingWeights.forRun(job).density(data);
  }

  /**
   * Whether a replay may form Stokes I dump by dump: one spw and no change of spectral frame (which needs every
   * row's time beside the samples).
   */
  private static boolean fusedReplay(TcleanParams p) {
    return !p.selection().several() && (p.specmode() != SpecMode.CUBE || p.outframe().equals("TOPO"));
  }

  /**
   * One imaged plane, in memory: its Taylor models, residuals and PSFs (one of each unless mtmfs), the sums of
   * weights, the restoring beam and how the cycles ended. The product images are made from these.
   */
  public record Plane(float[][] models, float[][] residuals, float[][] psfs, double[] sumwts, Beam beam,
      int iterations, StopReason stop, double peakResidual, float[] pb, byte[] mask) {
    public double sumwt() {
      return sumwts[0];
    }
  }

  /** An mfs selection imaged in memory: its geometry, restored image (the residual when niter is 0) and plane. */
  public record MfsImage(ImageGeometry geometry, float[] image, Plane plane, long samples) {}

  /**
   * Images the mfs selection of an open source (which the caller closes) in memory, writing nothing: the engine
   * of {@link #run(VisibilitySource)} without the files, for the snapshot imager's latency path.
   */
  public MfsImage imageMfs(VisibilitySource source) {
    if (p.specmode() != SpecMode.MFS || nterms > 1) {
      throw new IllegalArgumentException("in-memory imaging makes one mfs plane with one Taylor term"
          + " (specmode mfs, deconvolver other than mtmfs)");
    }
    VisibilityData data = VisibilityLoader.load(source, p.selection());
    if (data.unflaggedSamples() == 0) {
      throw new IllegalArgumentException("all selected visibilities are flagged: nothing to image");
    }
    ImageGeometry g = ImagePlane.geometry(p, data.freq(), data.width(), data.phaseCentre(), false, 1);
    ImagingWeights iw = ImagingWeights.forRun(p);
    weights = new Weights(iw, p.weighting().needsDensity() ? iw.density(data) : null, p.fracbw());
    Plane r = imagePlane(0, data, g.freq0(), PixelFrame.of(g), 0, start == null ? null : start.plane(0),
        new ArrayList<>());
    float[] image = r.iterations() == 0 ? r.residuals()[0]
        : Restorer.restore(r.models()[0], r.residuals()[0], p.nx(), p.ny(), p.cell()[0], p.cell()[1], r.beam());
    return new MfsImage(g, image, r, data.unflaggedSamples());
  }

  /** Images the selection of an open source (which the caller closes). */
  public ImagingResult run(VisibilitySource source) {
    VisibilityData data = VisibilityLoader.load(source, p.selection());
    return run(data, ImagePlane.dishDiameter(source.metadata()), null, ImagePlane.observation(p, source),
        FrameShift.of(p, source, data));
  }

  /**
   * A sub-cube of a larger cube, from an open source: as {@link #run(VisibilitySource)}, but a plane with
   * nothing unflagged is blank, as it is in the whole cube, even when every plane is (flagged channels, or rows a
   * selection leaves out here): the job as a whole was checked when it was planned. cubeDensity, when not null, is
   * the whole cube's one density ({@link #cubeDensity}, perchanweightdensity false).
   */
  public ImagingResult runSubcube(VisibilitySource source, double[] cubeDensity) {
    if (p.specmode() != SpecMode.CUBE) {
      throw new IllegalArgumentException("a sub-cube needs specmode cube");
    }
    VisibilityData data = VisibilityLoader.load(source, p.selection(), 0, -1);
    return run(data, ImagePlane.dishDiameter(source.metadata()), cubeDensity, ImagePlane.observation(p, source),
        FrameShift.of(p, source, data), true);
  }

  /** Images loaded Stokes I data (the selection of p), with the primary beam of dishes of that diameter (m). */
  public ImagingResult run(VisibilityData data, double dish) {
    if (!p.outframe().equals("TOPO")) {
      throw new IllegalArgumentException("outframe " + p.outframe() + " needs the rows' times: image from the source");
    }
    return run(data, dish, null, null, null);
  }

  /**
   * As {@link #run(VisibilityData, double)}; cubeDensity, when not null, is the shared density of a cube with
   * perchanweightdensity false (else the data's own samples make it).
   */
  private ImagingResult run(VisibilityData data, double dish, double[] cubeDensity, ObservationInfo obs,
      FrameShift shift) {
    return run(data, dish, cubeDensity, obs, shift, false);
  }

  /** subcube: planes with nothing unflagged are blank even when all are (else that is refused). */
  private ImagingResult run(VisibilityData data, double dish, double[] cubeDensity, ObservationInfo obs,
      FrameShift shift, boolean subcube) {
    long t0 = System.nanoTime();
    if (data.unflaggedSamples() == 0 && !subcube) {
      throw new IllegalArgumentException("all selected visibilities are flagged: nothing to image");
    }
    boolean cube = p.specmode() == SpecMode.CUBE;
    if (cube && nterms > 1) {
      throw new IllegalArgumentException("deconvolver mtmfs needs specmode mfs");
    }
    if (cube && p.regridsChannels()) {
      // tclean's start/width/nchan: the selected channels interpolated onto the output channels, row by row.
      // In another frame the grid is laid over the channels as seen at the reference time, and each row's
      // channels move by its own Doppler factor.
      org.pclean.ingest.plan.SpectralAxis.Grid grid = RegriddedCube.grid(p, data.freq(), shift);
      data = ChannelRegridder.regrid(data, grid, p.interpolation(),
          shift == null ? null : shift.rows());
      LOG.info(String.format(Locale.ROOT, "cube: %d channels from %.9g Hz by %.6g Hz (%s, interpolation %s)",
          grid.nchan(), grid.freq0(), grid.dfreq(), p.outframe(), p.interpolation().name().toLowerCase(Locale.ROOT)));
    }
    int nplanes = cube ? (p.nchan() == -1 ? data.numChannels() : p.nchan()) : 1;
    if (cube && nplanes > data.numChannels()) {
      throw new IllegalArgumentException("nchan " + nplanes + " exceeds the " + data.numChannels() + " selected channels");
    }
    if (start != null) {
      start.checkPlanes(nplanes);
    }
    ImageGeometry g = ImagePlane.geometry(p, data.freq(), data.width(), data.phaseCentre(), cube, nplanes);
    ImagingWeights iw = ImagingWeights.forRun(p);
    // perchanweightdensity false: one density over every selected channel serves every plane (tclean's
    // VisImagingWeight over the whole selection); true: each plane grids its own channel.
    double[] shared = null;
    if (iw.densityRule() == ImagingWeights.DensityGrid.SHARED && p.weighting().needsDensity()) {
      shared = cubeDensity != null ? cubeDensity : iw.density(data);
    }
    double fracbw = p.fracbw();
    if (p.weighting() == TcleanParams.WeightingMode.BRIGGSBWTAPER && fracbw == 0) {
      fracbw = org.pclean.ingest.JobPlanner.fractionalBandwidth(data.freq()[0], data.freq()[nplanes - 1]);
    }
    weights = new Weights(iw, shared, fracbw);
    List<ImagingResult.PlaneSummary> summaries = new ArrayList<>();
    List<ImagingResult.Cycle> history = new ArrayList<>();
    List<float[][]> models = new ArrayList<>();  // each plane's Taylor models, for savemodel
    List<Path> products;
    ImageSetWriter writer = new ImageSetWriter(g, cube, obs);
    try {
      for (int plane = 0; plane < nplanes; plane++) {
        VisibilityData d = cube ? data.channel(plane) : data;
        double freq = cube ? d.freq()[0] : g.freq0();
        Plane r = cube && d.unflaggedSamples() == 0 ? blankPlane(freq, dish)
            : imagePlane(plane, d, freq, PixelFrame.of(g), dish, start == null ? null : start.plane(plane), history);
        for (PlaneProducts.ProductImage o : PlaneProducts.of(p, r.models(), r.residuals(), r.psfs(), r.pb(),
            r.sumwts(), r.beam(), r.mask())) {
          // A blank plane writes no beam of its own: casacore's beam sets hold no null beam, so it keeps the one
          // the cube's other planes give it.
          writer.plane(o.path(), o.units(), plane, o.data(), o.withBeam() && r.beam().isPresent() ? r.beam() : null);
        }
        models.add(r.models());
        double flux = MinorCycle.flux(r.models()[0]);
        summaries.add(new ImagingResult.PlaneSummary(plane, freq, r.beam(), r.sumwt(), r.iterations(), r.stop(),
            r.peakResidual(), flux));
        LOG.info(String.format(Locale.ROOT, "plane %d (%d of %d): beam %s, %d iterations, stop: %s (peak residual"
            + " %.4g); ETA %s", plane, plane + 1, nplanes, r.beam(), r.iterations(), r.stop().message(),
            r.peakResidual(), Eta.text(Eta.seconds(plane + 1, nplanes, (System.nanoTime() - t0) / 1e9))));
      }
      products = writer.finish(p.fits());
    } catch (RuntimeException e) {
      writer.abort();
      throw e;
    }
    if (p.savemodel()) {
      ModelDataWriter.write(p, data, ModelDataWriter.visibilities(p, data, models, cube, g.freq0()));
    }
    double total = (System.nanoTime() - t0) / 1e9;
    return new ImagingResult(products, summaries, history,
        new ImagingResult.Timing(total, griddingSeconds, samplesGridded));
  }

  /**
   * One plane's weights, PSFs, beam and cycles; dish (m) makes its primary beam (0: none, pb 1); from, when not
   * null, is what the plane starts from (restart or startmodel): its model, and the residual and PSF to reuse.
   */
  private Plane imagePlane(int plane, VisibilityData d, double freq, PixelFrame frame, double dish,
      StartImages.Start from, List<ImagingResult.Cycle> history) {
    int nx = p.nx();
    int ny = p.ny();
    ImagingWeights iw = this.weights.iw();
    double[] density = this.weights.shared() != null ? this.weights.shared()
        : p.weighting().needsDensity() ? iw.density(d) : new double[nx * ny];
    float[] weights = iw.apply(d, density, p.weighting(), p.robust(), p.noise(), this.weights.fracbw(),
        p.uvtaper());
    TaylorTerms taylor = new TaylorTerms(nterms, d.freq(), freq);
    float[][] taylorWeights = taylor.weights(weights);
    Gridder gridder = Gridder.forRun(p, d);
    float[][] psfs;
    double[] sumwts;
    double norm;
    if (from != null && from.psfs() != null) {
      // calcpsf false: the PSF as written, and (as tclean) the residuals normalised by the written sum of weights.
      psfs = from.psfs();
      sumwts = from.sumwts();
      norm = sumwts[0];
    } else {
      psfs = new float[taylorWeights.length][];
      sumwts = new double[psfs.length];
      for (int t = 0; t < psfs.length; t++) {
        psfs[t] = new float[nx * ny];
        sumwts[t] = timedInvert(gridder, d, null, taylorWeights[t], psfs[t]);
      }
      // Normalise by the tt0 PSF peak (the sum of weights seen through the gridder): the PSF peaks at exactly 1.
      norm = psfs[0][(ny / 2) * nx + nx / 2];
      for (float[] psf : psfs) {
        scale(psf, 1 / norm);
      }
    }
    double sumwt = sumwts[0];
    if (!(sumwt > 0)) {
      throw new IllegalArgumentException("plane " + plane + ": no visibility falls on the uv grid (all flagged, or"
          + " the cell is too large for the baselines)");
    }
    Beam beam = restoringBeam(p, psfs[0]);
    float[][] models = from != null ? from.models() : new float[nterms][nx * ny];
    ResidualVisibilities buffers = new ResidualVisibilities();
    float[][] residuals;
    if (from != null && from.residuals() != null) {
      residuals = from.residuals();  // calcres false
    } else {
      residuals = new float[nterms][nx * ny];
      majorCycle(gridder, d, taylor, models, taylorWeights, norm, residuals, buffers);
    }

    float[] pb = PrimaryBeam.image(nx, ny, p.cell()[0], p.cell()[1], dish, freq);
    double sidelobe = BeamFitter.maxSidelobe(psfs[0], nx, ny);
    IterationControl control = new IterationControl(p, sidelobe);
    MinorCycle minor = new MinorCycle(p, psfs, control,
        masks.forPlane(frame, freq, pb, beam, sidelobe, "plane " + plane, from == null ? null : from.mask()));
    StopReason stop;
    for (int cycle = 0; ; cycle++) {
      Optional<StopReason> s = minor.step(plane, cycle, residuals, models, history);
      if (s.isPresent()) {
        stop = s.get();
        break;
      }
      logCycle(history.get(history.size() - 1), control.iterationsDone());
      long major = System.nanoTime();
      majorCycle(gridder, d, taylor, models, taylorWeights, norm, residuals, buffers);
      PcleanMeters.MAJOR_CYCLE.record(System.nanoTime() - major, TimeUnit.NANOSECONDS);
    }
    return new Plane(models, residuals, psfs, sumwts, beam, control.iterationsDone(), stop, minor.lastPeak(), pb,
        p.niter() > 0 ? minor.mask() : null);
  }

  /**
   * A cube channel without data, as tclean writes it: zero image, residual, model and PSF, sum of weights 0, the
   * primary beam of its frequency; its restoring beam is none (0 arcsec in the run's summary).
   */
  private Plane blankPlane(double freq, double dish) {
    int n = p.nx() * p.ny();
    float[] pb = PrimaryBeam.image(p.nx(), p.ny(), p.cell()[0], p.cell()[1], dish, freq);
    return new Plane(new float[][] {new float[n]}, new float[][] {new float[n]}, new float[][] {new float[n]},
        new double[] {0}, new Beam(0, 0, 0), 0, StopReason.NO_DATA, 0, pb, null);
  }

  /** Each major cycle: a line of an mfs run's story; for a cube (a line per plane already) only at debug. */
  private void logCycle(ImagingResult.Cycle c, int total) {
    boolean cube = p.specmode() == TcleanParams.SpecMode.CUBE;
    if (cube ? LOG.isDebugEnabled() : LOG.isInfoEnabled()) {
      String line = String.format(Locale.ROOT, "plane %d, major cycle %d: %d of %d iterations (%d this cycle, to"
          + " %.4g Jy/beam), peak residual was %.4g Jy/beam vs threshold %.4g Jy, model flux %.4g Jy", c.plane(),
          c.cycle(), total, p.niter(), c.iterations(), c.cycleThreshold(), c.peakResidualBefore(), p.threshold(),
          c.modelFlux());
      if (cube) {
        LOG.debug(line);
      } else {
        LOG.info(line);
      }
    }
  }

  /** The run's weighting: its rule, the shared density (null: each plane grids its own) and fracbw. */
  private record Weights(ImagingWeights iw, double[] shared, double fracbw) {}

  /** The restoringbeam parameter when given, else the Gaussian fitted to the PSF main lobe. */
  public static Beam restoringBeam(TcleanParams p, float[] psf) {
    return p.restoringbeam() != null
        ? new Beam(p.restoringbeam()[0], p.restoringbeam()[1], p.restoringbeam()[2])
        : BeamFitter.fit(psf, p.nx(), p.ny(), p.cell()[0], p.cell()[1], p.psfcutoff());
  }

  /**
   * A major cycle: residual = invert(V - predict(model)), the model's visibilities summed over Taylor terms; an
   * all-zero model (a fresh run's first residual) skips the predict.
   */
  private void majorCycle(Gridder gridder, VisibilityData d, TaylorTerms taylor, float[][] models,
      float[][] taylorWeights, double norm, float[][] residuals, ResidualVisibilities buffers) {
    float[] diff = d.vis();
    if (anyNonZero(models)) {
      long t = System.nanoTime();
      diff = buffers.of(gridder, taylor, d, models);
      griddingSeconds += (System.nanoTime() - t) / 1e9;
      samplesGridded += (long) nterms * d.numRows() * d.numChannels();
    }
    residuals(gridder, d, diff, taylorWeights, norm, residuals);
  }

  private static boolean anyNonZero(float[][] terms) {
    for (float[] a : terms) {
      if (anyNonZero(a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyNonZero(float[] a) {
    for (float v : a) {
      if (v != 0) {
        return true;
      }
    }
    return false;
  }

  /** Normalised Taylor residual images of vis: invert with each term's weights, divided by norm. */
  private void residuals(Gridder gridder, VisibilityData d, float[] vis, float[][] taylorWeights,
      double norm, float[][] out) {
    for (int t = 0; t < out.length; t++) {
      timedInvert(gridder, d, vis, taylorWeights[t], out[t]);
      scale(out[t], 1 / norm);
    }
  }

  private double timedInvert(Gridder g, VisibilityData d, float[] vis, float[] w, float[] out) {
    long t = System.nanoTime();
    double s = g.invert(d, vis, w, out);
    griddingSeconds += (System.nanoTime() - t) / 1e9;
    samplesGridded += (long) d.numRows() * d.numChannels();
    return s;
  }

  private static void scale(float[] a, double s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= (float) s;
    }
  }
}
