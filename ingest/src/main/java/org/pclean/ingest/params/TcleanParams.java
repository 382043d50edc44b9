package org.pclean.ingest.params;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.plan.SpectralAxis;
import org.pclean.ingest.source.ChannelRegridder.Interpolation;
import org.pclean.ingest.source.DataSelection;
import org.pclean.ingest.source.RowSelection;
import org.pclean.ingest.source.SpwChannels;

/**
 * One imaging run, by tclean's parameter names and defaults. Built with {@link #builder()}; {@link Builder#build()}
 * validates once and throws {@link IllegalArgumentException} with one sentence naming the parameter.
 *
 * @param imsize [nx, ny] pixels
 * @param cell [x, y] radians
 * @param phasecenter [ra, dec] J2000 radians, or null for the phase centre of the first selected field
 * @param field field ids (empty: all)
 * @param spw spectral window ids (empty: all)
 * @param dataset a dataset on the bus ({@code pclean.vis.<dataset>}) to image instead of an MS (replay); exactly
 *     one of vis and dataset is given
 * @param chanRange first and last channel of the selected spws (inclusive), or null for all
 * @param timerange [from, to) MJD seconds (UTC), tclean's timerange, or null for all times
 * @param datacolumn tclean's default is corrected; an MS without CORRECTED_DATA falls back to DATA with a warning
 * @param wprojplanes w planes for gridder wproject (-1: chosen from the data)
 * @param epsilon gridder wgridder: the accuracy asked of it, relative to the largest term of the Fourier sums
 *     (pclean-java's extension, default 1e-4; [1e-6, 0.1] with its single-precision grids)
 * @param uvtaper Gaussian taper FWHM in the image plane, radians (0: none)
 * @param noise briggsabs: the noise per visibility, Jy (tclean's noise, default 1.0Jy)
 * @param npixels uniform/briggs density (tclean's npixels, 0 = the image size): on the shared density grid (mfs,
 *     or a cube with perchanweightdensity false) an npixels × npixels grid of the image cell, i.e. uv cells
 *     1/(npixels·cell); on a cube's per-channel grids each sample covers (2·npixels + 1)² cells
 * @param perchanweightdensity cube: each channel's uniform/briggs density holds that channel's samples only (tclean's
 *     default true); false: one density over every selected channel serves all channels
 * @param fracbw briggsbwtaper: the cube's fractional bandwidth 2(ν_max − ν_min)/(ν_max + ν_min), or 0 to derive it
 *     from the image channels (a sub-cube gets the whole cube's value pinned by the planner)
 * @param threshold Jy
 * @param scales multiscale scales, pixels
 * @param smallscalebias multiscale bias toward small scales: strength weight 1 - bias·scale/maxscale (0.6, the
 *     default of CASA's multiscale cleaner; 0 gives no bias)
 * @param restoringbeam [major arcsec, minor arcsec, pa deg], or null to fit the PSF
 * @param masking the CLEAN mask: usemask, mask, pbmask and auto-multithresh's parameters
 * @param nchan cube channels (-1: all selected)
 * @param threads gridding threads
 * @param overwrite replace an existing product set of imagename; without it a run over one is refused before
 *     anything is computed (pclean's extra)
 * @param restart tclean's restart: continue from the products of imagename when they exist (the .model is the
 *     starting model, the .mask the starting mask; .residual/.psf reused when calcres/calcpsf are false), the
 *     new set replacing the old one at the end; no products: a fresh run
 * @param startmodel a CASA model image (Jy/pixel) of the run's shape to start from, or null
 * @param calcres false: take the initial residual from the existing .residual (restart) instead of a major cycle
 * @param calcpsf false: take the PSF and sum of weights from the existing .psf and .sumwt (restart)
 * @param spwChannels a selection of several spws or of several channel ranges (CASA's {@code 0:10~50;60~100,1}),
 *     spw then holding its ids and chanRange null; empty when spw and chanRange say it all (one spw, one range)
 * @param start cube: the first output channel (channels, frequency or velocity; NONE: the first selected channel)
 * @param width cube: the output channel increment (NONE: the selected channels')
 * @param restfreq Hz, for velocities and the header (0: the SOURCE table's, else the band centre)
 * @param veltype how start/width velocities convert to frequencies
 * @param outframe the frame of the output spectral axis: TOPO (the MS's own, no conversion), LSRK or BARY
 * @param interpolation how output channels between input ones are made
 * @param rows tclean's antenna, scan and uvrange selection
 * @param nmajor the most major cycles after the first (the first makes the residual); -1: no limit, as tclean's
 */
public record TcleanParams(
    Path vis,
    String dataset,
    String imagename,
    SpecMode specmode,
    int[] imsize,
    double[] cell,
    double[] phasecenter,
    int[] field,
    int[] spw,
    int[] chanRange,
    double[] timerange,
    DataColumn datacolumn,
    GridderKind gridder,
    int wprojplanes,
    double epsilon,
    double padding,
    WeightingMode weighting,
    double robust,
    double uvtaper,
    double noise,
    int npixels,
    boolean perchanweightdensity,
    double fracbw,
    DeconvolverKind deconvolver,
    int[] scales,
    double smallscalebias,
    int nterms,
    int niter,
    int cycleniter,
    double gain,
    double threshold,
    double nsigma,
    double cyclefactor,
    double minpsffraction,
    double maxpsffraction,
    double psfcutoff,
    double[] restoringbeam,
    MaskParams masking,
    boolean pbcor,
    double pblimit,
    boolean savemodel,
    int nchan,
    boolean fits,
    int threads,
    boolean overwrite,
    boolean restart,
    Path startmodel,
    boolean calcres,
    boolean calcpsf,
    List<SpwChannels> spwChannels,
    SpectralAxis.Value start,
    SpectralAxis.Value width,
    double restfreq,
    SpectralAxis.VelocityType veltype,
    String outframe,
    Interpolation interpolation,
    RowSelection rows,
    int nmajor) {

  public enum SpecMode { MFS, CUBE }

  public enum GridderKind {
    /** Prolate-spheroidal convolutional gridding, w ignored. */
    STANDARD,
    /** w-term corrected (w-stacking over wprojplanes planes). */
    WPROJECT,
    /**
     * pclean-java's extension, after WSClean's wgridder: exponential-of-semicircle kernel to the accuracy epsilon,
     * w-term corrected by w-stacking on planes it chooses (w ignored only when its phase is below epsilon).
     */
    WGRIDDER
  }

  public enum WeightingMode {
    /** The natural weights. */
    NATURAL,
    /** w / W_k: each occupied uv cell weighs the same. */
    UNIFORM,
    /** Briggs robust, CASA's rmode norm: w / (W_k f² + 1), f² = (5·10^-robust)² / (Σ W_k² / Σ W_k). */
    BRIGGS,
    /** Briggs robust, CASA's rmode abs: w / (W_k robust² + 2 noise²). */
    BRIGGSABS,
    /** Briggs norm whose density term shrinks with the cube's fractional bandwidth (CASA 6.4+, cubes only). */
    BRIGGSBWTAPER;

    /** Whether the weights depend on the uv density (a gathered density pass in parallel continuum). */
    public boolean needsDensity() {
      return this != NATURAL;
    }

    public static WeightingMode parse(String s) {
      return TcleanParams.parse(WeightingMode.class, "weighting", s);
    }
  }

  public enum DeconvolverKind {
    HOGBOM, CLARK, MULTISCALE, MTMFS;

    public static DeconvolverKind parse(String s) {
      return TcleanParams.parse(DeconvolverKind.class, "deconvolver", s);
    }
  }

  /** Parses a tclean enum value case-insensitively; an unknown value names the parameter and the choices. */
  public static <E extends Enum<E>> E parse(Class<E> type, String name, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder ok = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        ok.append(ok.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException("unknown " + name + " '" + value + "' (expected " + ok + ")");
    }
  }

  /**
   * Whether start or width define the cube's channels, or its frame is not the MS's: the data are then regridded
   * onto the output channels.
   */
  public boolean regridsChannels() {
    return start.kind() != SpectralAxis.Kind.NONE || width.kind() != SpectralAxis.Kind.NONE
        || !outframe.equals("TOPO");
  }

  public int nx() {
    return imsize[0];
  }

  public int ny() {
    return imsize[1];
  }

  /** The number of w planes wproject uses (1 for standard; the wgridder chooses its own). */
  public int wplanes() {
    return gridder == GridderKind.WPROJECT ? wprojplanes : 1;
  }

  /** The data selection (field, spw, channels, time, column, phase centre) a source applies. */
  public DataSelection selection() {
    return new DataSelection(field, spw, chanRange, datacolumn, phasecenter, timerange, spwChannels, rows);
  }

  /** What the visibilities are read from, for messages: the MS path or the dataset. */
  public String source() {
    return vis != null ? vis.toString() : "dataset " + dataset;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a builder from these values (for derived runs, e.g. one sub-cube). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.vis = vis;
    b.dataset = dataset;
    b.imagename = imagename;
    b.specmode = specmode;
    b.imsize = imsize.clone();
    b.cell = cell.clone();
    b.phasecenter = phasecenter == null ? null : phasecenter.clone();
    b.field = field.clone();
    b.spw = spw.clone();
    b.chanRange = chanRange == null ? null : chanRange.clone();
    b.timerange = timerange == null ? null : timerange.clone();
    b.datacolumn = datacolumn;
    b.gridder = gridder;
    b.wprojplanes = wprojplanes;
    b.epsilon = epsilon;
    b.padding = padding;
    b.weighting = weighting;
    b.robust = robust;
    b.uvtaper = uvtaper;
    b.noise = noise;
    b.npixels = npixels;
    b.perchanweightdensity = perchanweightdensity;
    b.fracbw = fracbw;
    b.deconvolver = deconvolver;
    b.scales = scales.clone();
    b.smallscalebias = smallscalebias;
    b.nterms = nterms;
    b.niter = niter;
    b.cycleniter = cycleniter;
    b.gain = gain;
    b.threshold = threshold;
    b.nsigma = nsigma;
    b.cyclefactor = cyclefactor;
    b.minpsffraction = minpsffraction;
    b.maxpsffraction = maxpsffraction;
    b.psfcutoff = psfcutoff;
    b.restoringbeam = restoringbeam == null ? null : restoringbeam.clone();
    b.masking(masking);
    b.pbcor = pbcor;
    b.pblimit = pblimit;
    b.savemodel = savemodel;
    b.nchan = nchan;
    b.fits = fits;
    b.threads = threads;
    b.overwrite = overwrite;
    b.restart = restart;
    b.startmodel = startmodel;
    b.calcres = calcres;
    b.calcpsf = calcpsf;
    b.spwChannels = spwChannels;
    b.start = start;
    b.width = width;
    b.restfreq = restfreq;
    b.veltype = veltype;
    b.outframe = outframe;
    b.interpolation = interpolation;
    b.rows = rows;
    b.nmajor = nmajor;
    return b;
  }

  /** Mutable builder with tclean's defaults. */
  public static final class Builder {
    private Path vis;
    private String dataset;
    private String imagename;
    private SpecMode specmode = SpecMode.MFS;
    private int[] imsize = {100, 100};
    private double[] cell = {Math.toRadians(1.0 / 3600), Math.toRadians(1.0 / 3600)};
    private double[] phasecenter;
    private int[] field = {};
    private int[] spw = {};
    private int[] chanRange;
    private double[] timerange;
    private DataColumn datacolumn = DataColumn.CORRECTED;
    private GridderKind gridder = GridderKind.STANDARD;
    private int wprojplanes = 1;
    private double epsilon = 1e-4;
    private double padding = 1.2;
    private WeightingMode weighting = WeightingMode.NATURAL;
    private double robust = 0.5;
    private double uvtaper;
    private double noise = 1.0;
    private int npixels;
    private boolean perchanweightdensity = true;
    private double fracbw;
    private DeconvolverKind deconvolver = DeconvolverKind.HOGBOM;
    private int[] scales = {};
    private double smallscalebias = 0.6;
    private int nterms = 2;
    private int niter;
    private int cycleniter = -1;
    private double gain = 0.1;
    private double threshold;
    private double nsigma;
    private double cyclefactor = 1.0;
    private double minpsffraction = 0.05;
    private double maxpsffraction = 0.8;
    private double psfcutoff = 0.35;
    private double[] restoringbeam;
    private MaskParams.UseMask usemask = MaskParams.DEFAULT.usemask();
    private List<String> mask = MaskParams.DEFAULT.mask();
    private double pbmask = MaskParams.DEFAULT.pbmask();
    private double sidelobethreshold = MaskParams.DEFAULT.sidelobethreshold();
    private double noisethreshold = MaskParams.DEFAULT.noisethreshold();
    private double lownoisethreshold = MaskParams.DEFAULT.lownoisethreshold();
    private double negativethreshold = MaskParams.DEFAULT.negativethreshold();
    private double smoothfactor = MaskParams.DEFAULT.smoothfactor();
    private double minbeamfrac = MaskParams.DEFAULT.minbeamfrac();
    private double cutthreshold = MaskParams.DEFAULT.cutthreshold();
    private int growiterations = MaskParams.DEFAULT.growiterations();
    private boolean dogrowprune = MaskParams.DEFAULT.dogrowprune();
    private double minpercentchange = MaskParams.DEFAULT.minpercentchange();
    private boolean fastnoise = MaskParams.DEFAULT.fastnoise();
    private boolean pbcor;
    private double pblimit = 0.2;
    private boolean savemodel;
    private int nchan = -1;
    private boolean fits;
    private boolean overwrite;
    private boolean restart;
    private Path startmodel;
    private boolean calcres = true;
    private boolean calcpsf = true;
    private List<SpwChannels> spwChannels = List.of();
    private SpectralAxis.Value start = SpectralAxis.Value.NONE;
    private SpectralAxis.Value width = SpectralAxis.Value.NONE;
    private double restfreq;
    private SpectralAxis.VelocityType veltype = SpectralAxis.VelocityType.RADIO;
    private String outframe = "TOPO";
    private Interpolation interpolation = Interpolation.LINEAR;
    private RowSelection rows = RowSelection.ALL;
    private int nmajor = -1;
    private int threads = Runtime.getRuntime().availableProcessors();

    public Builder vis(Path v) { vis = v; return this; }
    public Builder dataset(String v) { dataset = v; return this; }
    public Builder imagename(String v) { imagename = v; return this; }
    public Builder specmode(SpecMode v) { specmode = v; return this; }
    public Builder imsize(int nx, int ny) { imsize = new int[] {nx, ny}; return this; }
    public Builder cell(double x, double y) { cell = new double[] {x, y}; return this; }
    public Builder phasecenter(double ra, double dec) { phasecenter = new double[] {ra, dec}; return this; }
    public Builder field(int... v) { field = v.clone(); return this; }
    public Builder spw(int... v) { spw = v.clone(); spwChannels = List.of(); return this; }
    /**
     * A CASA spw selection ({@link SpwChannels#parse}): one spw with at most one channel range becomes spw and
     * chanRange; several spws or ranges are kept as spwChannels.
     */
    public Builder spwSelection(List<SpwChannels> sel) {
      if (sel.size() == 1 && sel.get(0).ranges().size() <= 1) {
        spw = new int[] {sel.get(0).spw()};
        chanRange = sel.get(0).ranges().isEmpty() ? null : sel.get(0).ranges().get(0).clone();
        spwChannels = List.of();
      } else {
        spw = sel.stream().mapToInt(SpwChannels::spw).toArray();
        chanRange = null;
        spwChannels = List.copyOf(sel);
      }
      return this;
    }
    public Builder chanRange(int first, int last) { chanRange = new int[] {first, last}; return this; }
    /** [from, to) in MJD seconds (UTC); null for all times. */
    public Builder timerange(double[] fromTo) { timerange = fromTo == null ? null : fromTo.clone(); return this; }
    public Builder datacolumn(DataColumn v) { datacolumn = v; return this; }
    public Builder gridder(GridderKind v) { gridder = v; return this; }
    public Builder wprojplanes(int v) { wprojplanes = v; return this; }
    /** The wgridder's accuracy. */
    public Builder epsilon(double v) { epsilon = v; return this; }
    public Builder padding(double v) { padding = v; return this; }
    public Builder weighting(WeightingMode v) { weighting = v; return this; }
    public Builder robust(double v) { robust = v; return this; }
    public Builder uvtaper(double fwhmRad) { uvtaper = fwhmRad; return this; }
    /** briggsabs noise per visibility, Jy. */
    public Builder noise(double jy) { noise = jy; return this; }
    public Builder npixels(int v) { npixels = v; return this; }
    public Builder perchanweightdensity(boolean v) { perchanweightdensity = v; return this; }
    public Builder fracbw(double v) { fracbw = v; return this; }
    public Builder deconvolver(DeconvolverKind v) { deconvolver = v; return this; }
    public Builder scales(int... v) { scales = v.clone(); return this; }
    public Builder smallscalebias(double v) { smallscalebias = v; return this; }
    public Builder nterms(int v) { nterms = v; return this; }
    public Builder niter(int v) { niter = v; return this; }
    public Builder cycleniter(int v) { cycleniter = v; return this; }
    public Builder gain(double v) { gain = v; return this; }
    public Builder threshold(double jy) { threshold = jy; return this; }
    public Builder nsigma(double v) { nsigma = v; return this; }
    public Builder cyclefactor(double v) { cyclefactor = v; return this; }
    public Builder minpsffraction(double v) { minpsffraction = v; return this; }
    public Builder maxpsffraction(double v) { maxpsffraction = v; return this; }
    public Builder psfcutoff(double v) { psfcutoff = v; return this; }
    public Builder restoringbeam(double majArcsec, double minArcsec, double paDeg) {
      restoringbeam = new double[] {majArcsec, minArcsec, paDeg};
      return this;
    }
    public Builder usemask(MaskParams.UseMask v) { usemask = v; return this; }
    /** CASA region texts, region files or mask images (their union); none: no mask. */
    public Builder mask(List<String> v) { mask = List.copyOf(v); return this; }
    public Builder mask(String... v) { mask = List.of(v); return this; }
    public Builder pbmask(double v) { pbmask = v; return this; }
    public Builder sidelobethreshold(double v) { sidelobethreshold = v; return this; }
    public Builder noisethreshold(double v) { noisethreshold = v; return this; }
    public Builder lownoisethreshold(double v) { lownoisethreshold = v; return this; }
    public Builder negativethreshold(double v) { negativethreshold = v; return this; }
    public Builder smoothfactor(double v) { smoothfactor = v; return this; }
    public Builder minbeamfrac(double v) { minbeamfrac = v; return this; }
    public Builder cutthreshold(double v) { cutthreshold = v; return this; }
    public Builder growiterations(int v) { growiterations = v; return this; }
    public Builder dogrowprune(boolean v) { dogrowprune = v; return this; }
    public Builder minpercentchange(double v) { minpercentchange = v; return this; }
    public Builder fastnoise(boolean v) { fastnoise = v; return this; }
    /** All mask parameters at once. */
    public Builder masking(MaskParams m) {
      usemask = m.usemask();
      mask = m.mask();
      pbmask = m.pbmask();
      sidelobethreshold = m.sidelobethreshold();
      noisethreshold = m.noisethreshold();
      lownoisethreshold = m.lownoisethreshold();
      negativethreshold = m.negativethreshold();
      smoothfactor = m.smoothfactor();
      minbeamfrac = m.minbeamfrac();
      cutthreshold = m.cutthreshold();
      growiterations = m.growiterations();
      dogrowprune = m.dogrowprune();
      minpercentchange = m.minpercentchange();
      fastnoise = m.fastnoise();
      return this;
    }
    public Builder pbcor(boolean v) { pbcor = v; return this; }
    public Builder pblimit(double v) { pblimit = v; return this; }
    public Builder savemodel(boolean v) { savemodel = v; return this; }
    public Builder nchan(int v) { nchan = v; return this; }
    public Builder fits(boolean v) { fits = v; return this; }
    public Builder threads(int v) { threads = v; return this; }
    /** Replace an existing product set of imagename (pclean's extra; without it such a run is refused). */
    public Builder overwrite(boolean v) { overwrite = v; return this; }
    /** tclean's restart: continue from imagename's existing products (see {@link TcleanParams#restart}). */
    public Builder restart(boolean v) { restart = v; return this; }
    /** A CASA model image of the run's shape to start from (null: none). */
    public Builder startmodel(Path v) { startmodel = v; return this; }
    public Builder calcres(boolean v) { calcres = v; return this; }
    public Builder calcpsf(boolean v) { calcpsf = v; return this; }
    /** Cube start: channels (5), a frequency (1.4GHz) or a velocity (-10km/s); "" the first selected channel. */
    public Builder start(String v) { start = SpectralAxis.Value.parse("start", v); return this; }
    /** Cube channel increment, in the same kinds as start; "" the selected channels'. */
    public Builder width(String v) { width = SpectralAxis.Value.parse("width", v); return this; }
    /** Cube start, parsed already. */
    public Builder start(SpectralAxis.Value v) { start = v; return this; }
    /** Cube channel increment, parsed already. */
    public Builder width(SpectralAxis.Value v) { width = v; return this; }
    public Builder restfreq(double hz) { restfreq = hz; return this; }
    public Builder veltype(SpectralAxis.VelocityType v) { veltype = v; return this; }
    /** The output spectral frame: TOPO, LSRK or BARY. */
    public Builder outframe(String v) { outframe = v == null || v.isBlank() ? "TOPO" : v.trim().toUpperCase(java.util.Locale.ROOT); return this; }
    public Builder interpolation(Interpolation v) { interpolation = v; return this; }
    /** tclean's antenna, scan and uvrange strings, parsed (a bad one throws naming it). */
    public Builder rows(String antenna, String scan, String uvrange) {
      rows = RowSelection.parse(antenna, scan, uvrange);
      return this;
    }
    public Builder rows(RowSelection v) { rows = v; return this; }
    /** tclean's nmajor: the most major cycles after the first; -1 no limit, 0 the first only. */
    public Builder nmajor(int v) { nmajor = v; return this; }

    public TcleanParams build() {
      require(vis != null || dataset != null, "vis must be given (or a dataset to replay)");
      require(vis == null || dataset == null, "give either vis or a dataset to replay, not both");
      require(timerange == null || (timerange.length == 2 && timerange[1] > timerange[0]),
          "timerange must be a [from, to) interval with to after from");
      require(!savemodel || (vis != null && timerange == null && (rows == null || rows.all())),
          "savemodel writes MODEL_DATA into the whole MS: not with a replayed dataset, a timerange or an"
              + " antenna/scan/uvrange selection");
      require(imagename != null && !imagename.isBlank(), "imagename must be given");
      require(imsize.length == 2 && imsize[0] >= 8 && imsize[1] >= 8,
          "imsize must be two sizes of at least 8 pixels");
      require(imsize[0] % 2 == 0 && imsize[1] % 2 == 0, "imsize must be even (the phase centre is pixel n/2)");
      require(cell[0] > 0 && cell[1] > 0, "cell must be positive");
      require(padding >= 1.0, "padding must be >= 1");
      require(epsilon >= 1e-6 && epsilon <= 0.1, "epsilon must lie in [1e-6, 0.1] (the wgridder's float grids), got "
          + epsilon);
      require(robust >= -2 && robust <= 2, "robust must lie in [-2, 2], got " + robust);
      require(uvtaper >= 0, "uvtaper must be >= 0");
      require(noise >= 0, "noise must be >= 0");
      require(npixels >= 0 && npixels <= Math.min(imsize[0], imsize[1]),
          "npixels must lie in [0, imsize] (0: the image size), got " + npixels);
      require(fracbw >= 0 && fracbw < 2, "fracbw must lie in [0, 2), got " + fracbw);
      // tclean's own refusals (task_tclean.py and SynthesisImagerVi2::weight).
      require(weighting != WeightingMode.BRIGGSBWTAPER || specmode == SpecMode.CUBE,
          "weighting briggsbwtaper needs specmode cube (tclean refuses it for mfs)");
      require(weighting != WeightingMode.BRIGGSBWTAPER || perchanweightdensity,
          "weighting briggsbwtaper needs perchanweightdensity true (tclean refuses false)");
      require(weighting != WeightingMode.BRIGGSBWTAPER || npixels == 0,
          "weighting briggsbwtaper needs npixels 0 (tclean refuses other values)");
      require(weighting != WeightingMode.BRIGGSABS || robust != 0 || noise != 0,
          "weighting briggsabs with robust 0 and noise 0 would divide by zero (tclean refuses it)");
      require(niter >= 0, "niter must be >= 0");
      require(gain > 0 && gain <= 1, "gain must lie in (0, 1], got " + gain);
      require(threshold >= 0, "threshold must be >= 0");
      require(nsigma >= 0, "nsigma must be >= 0");
      require(cyclefactor > 0, "cyclefactor must be > 0");
      require(minpsffraction >= 0 && minpsffraction <= maxpsffraction && maxpsffraction <= 1,
          "need 0 <= minpsffraction <= maxpsffraction <= 1");
      require(psfcutoff > 0 && psfcutoff < 1, "psfcutoff must lie in (0, 1)");
      require(pblimit > 0 && pblimit < 1, "pblimit must lie in (0, 1)");
      require(threads >= 1, "threads must be >= 1");
      require(nchan == -1 || nchan >= 1, "nchan must be -1 (all) or >= 1");
      require(gridder != GridderKind.WPROJECT || wprojplanes == -1 || wprojplanes >= 2,
          "gridder wproject needs wprojplanes >= 2 (or -1 to choose from the data)");
      require(chanRange == null || (chanRange[0] >= 0 && chanRange[1] >= chanRange[0]), "bad channel range");
      require(restoringbeam == null || (restoringbeam[0] >= restoringbeam[1] && restoringbeam[1] > 0),
          "restoringbeam needs major >= minor > 0");
      // Accepted by tclean, not yet by this engine: refuse rather than ignore.
      require(deconvolver != DeconvolverKind.MTMFS || nterms == 2, "mtmfs supports nterms 2, got " + nterms);
      require(deconvolver != DeconvolverKind.MULTISCALE || scales.length > 0,
          "deconvolver multiscale needs scales (e.g. 0,5,15 pixels)");
      for (int s : scales) {
        require(s >= 0 && s < Math.min(imsize[0], imsize[1]) / 2, "scale " + s + " must lie in [0, imsize/2)");
      }
      require(smallscalebias >= 0 && smallscalebias <= 1, "smallscalebias must lie in [0, 1]");
      require(!(restart && overwrite), "give restart (continue from the existing products) or overwrite (replace"
          + " them), not both");
      require(restart || (calcres && calcpsf),
          "calcres/calcpsf false reuse the existing .residual/.psf of imagename: they need restart");
      require(startmodel == null || deconvolver != DeconvolverKind.MTMFS,
          "startmodel with mtmfs (one model per Taylor term) is not supported yet");
      if (!spwChannels.isEmpty()) {
        require(spwChannels.stream().mapToInt(SpwChannels::spw).distinct().count() == spwChannels.size(),
            "spw names a spectral window twice: " + SpwChannels.format(spwChannels));
        for (SpwChannels sc : spwChannels) {
          List<int[]> sorted = sc.ranges().stream().sorted(java.util.Comparator.comparingInt(r -> r[0])).toList();
          for (int i = 1; i < sorted.size(); i++) {
            require(sorted.get(i)[0] > sorted.get(i - 1)[1], "spw " + sc.spw() + ": channel ranges overlap");
          }
        }
        require(!savemodel, "savemodel with several spws or channel ranges is not supported yet");
      }
      boolean spectral = start.kind() != SpectralAxis.Kind.NONE || width.kind() != SpectralAxis.Kind.NONE;
      require(!spectral || specmode == SpecMode.CUBE, "start and width define a cube's channels: they need specmode cube");
      // MODEL_DATA holds the MS's own channels; a regridded cube's planes are others.
      require(!savemodel || (!spectral && outframe.equals("TOPO")), "savemodel with spectral regridding (start,"
          + " width, outframe other than TOPO) is not supported yet");
      require(restfreq >= 0, "restfreq must be >= 0");
      require(!(start.kind() == SpectralAxis.Kind.VELOCITY || width.kind() == SpectralAxis.Kind.VELOCITY)
          || restfreq > 0, "a velocity start or width needs restfreq (e.g. 1.420405752GHz)");
      require(List.of("TOPO", "LSRK", "BARY").contains(outframe), "outframe " + outframe + " is not supported"
          + " (TOPO, LSRK or BARY)");
      require(outframe.equals("TOPO") || specmode == SpecMode.CUBE, "outframe " + outframe + " converts a cube's"
          + " channels: it needs specmode cube (mfs images are labelled in the MS's frame, TOPO)");
      MaskParams masking = new MaskParams(usemask, mask, pbmask, sidelobethreshold, noisethreshold,
          lownoisethreshold, negativethreshold, smoothfactor, minbeamfrac, cutthreshold, growiterations, dogrowprune,
          minpercentchange, fastnoise);
      masking.validate();
      require(rows != null, "rows: null (use RowSelection.ALL)");
      require(nmajor >= -1, "nmajor must be -1 (no limit) or >= 0, got " + nmajor);
      return new TcleanParams(vis, dataset, imagename, specmode, imsize.clone(), cell.clone(),
          phasecenter == null ? null : phasecenter.clone(), field.clone(), spw.clone(),
          chanRange == null ? null : chanRange.clone(), timerange == null ? null : timerange.clone(), datacolumn, gridder, wprojplanes, epsilon, padding, weighting, robust,
          uvtaper, noise, npixels, perchanweightdensity, fracbw,
          deconvolver, scales.clone(), smallscalebias, nterms, niter, cycleniter, gain, threshold, nsigma, cyclefactor,
          minpsffraction, maxpsffraction, psfcutoff, restoringbeam == null ? null : restoringbeam.clone(), masking,
          pbcor, pblimit, savemodel, nchan, fits, threads, overwrite, restart, startmodel, calcres, calcpsf,
          spwChannels, start, width, restfreq, veltype, outframe, interpolation, rows, nmajor);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
