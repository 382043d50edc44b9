package org.pclean.ops.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * tclean's parameters as CLI flags (tclean names; the defaults shown in --help are the configuration's). The
 * flags typed become the CLI layer of {@link org.pclean.ops.config.PcleanConfig} (see {@link ConfigOptions}), which
 * turns the merged configuration into the run's parameters; a flag left out takes the lower layers' value.
 */
public final class ImagingOptions {
  @Option(names = "--vis", description = "the MeasurementSet") Path vis;
  @Option(names = "--dataset", description = "image a dataset streamed onto the bus (pclean.vis.<dataset>) instead of an MS;"
      + " needs --scheduler-address") String dataset;
  @Option(names = "--timerange", description = "tclean timerange, e.g. 2023/02/25/06:00:00~2023/02/25/06:30:00 ([from, to), UTC)")
  String timerange;
  @Option(names = "--antenna", defaultValue = "", description = "tclean antenna selection (CASA baseline syntax): ea01,ea02"
      + " | 0&1 | 0~5 | ea0* | !ea05 ; clauses separated by ';'") String antenna;
  @Option(names = "--scan", defaultValue = "", description = "tclean scan selection: 1,3~5,<4,>10") String scan;
  @Option(names = "--uvrange", defaultValue = "", description = "tclean uvrange: 0~10klambda, >100m, <5km (no unit: metres)")
  String uvrange;
  @Option(names = "--imagename", description = "prefix of the output images") String imagename;
  @Option(names = "--specmode", defaultValue = "mfs", description = "mfs | cube") String specmode;
  @Option(names = "--imsize", arity = "1..2", defaultValue = "100", split = ",", description = "pixels: N or NX NY") List<Integer> imsize;
  @Option(names = "--cell", arity = "1..2", defaultValue = "1arcsec", split = ",", description = "e.g. 3arcsec, or X Y") List<String> cell;
  @Option(names = "--phasecenter", description = "J2000 direction (default: the field's phase centre)") String phasecenter;
  @Option(names = "--field", defaultValue = "", description = "field ids, comma-separated (default all)") String field;
  @Option(names = "--spw", defaultValue = "", description = "CASA spw selection: 0, 0:5~20, 0,1 or 0:10~50;60~100,1") String spw;
  @Option(names = "--datacolumn", defaultValue = "corrected", description = "data | corrected (falls back to data)") String datacolumn;
  @Option(names = "--gridder", defaultValue = "standard",
      description = "standard | wproject | wgridder (pclean-java's fast w-gridder, to --epsilon)") String gridder;
  @Option(names = "--wprojplanes", defaultValue = "1", description = "w planes for wproject (-1: from the data)") int wprojplanes;
  @Option(names = "--epsilon", defaultValue = "1e-4",
      description = "wgridder accuracy, relative to the largest term (1e-6 .. 0.1)") double epsilon;
  @Option(names = "--padding", defaultValue = "1.2") double padding;
  @Option(names = "--weighting", defaultValue = "natural",
      description = "natural | uniform | briggs | briggsabs | briggsbwtaper (cube)") String weighting;
  @Option(names = "--robust", defaultValue = "0.5") double robust;
  @Option(names = "--noise", defaultValue = "1.0Jy", description = "briggsabs: noise per visibility, e.g. 1.0Jy") String noise;
  @Option(names = "--npixels", defaultValue = "0",
      description = "uniform/briggs density: npixels x npixels uv grid (mfs), or a (2n+1)^2-cell box per sample (cube); 0: image size")
  int npixels;
  @Option(names = "--perchanweightdensity", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "cube: each channel's own uniform/briggs density (default true)") boolean perchanweightdensity;
  @Option(names = "--uvtaper", defaultValue = "", description = "circular taper: image-plane FWHM (10arcsec) or uv-plane"
      + " FWHM (5klambda; a bare number is lambda, as tclean)") String uvtaper;
  @Option(names = "--deconvolver", defaultValue = "hogbom", description = "hogbom | clark | multiscale | mtmfs") String deconvolver;
  @Option(names = "--scales", split = ",", description = "multiscale scales in pixels, e.g. 0,5,15") List<Integer> scales;
  @Option(names = "--smallscalebias", defaultValue = "0.6") double smallscalebias;
  @Option(names = "--nterms", defaultValue = "2", description = "Taylor terms for mtmfs") int nterms;
  @Option(names = "--niter", defaultValue = "0") int niter;
  @Option(names = "--cycleniter", defaultValue = "-1") int cycleniter;
  @Option(names = "--nmajor", defaultValue = "-1", description = "most major cycles after the first (-1: no limit)")
  int nmajor;
  @Option(names = "--gain", defaultValue = "0.1") double gain;
  @Option(names = "--threshold", defaultValue = "0", description = "e.g. 0.1mJy") String threshold;
  @Option(names = "--nsigma", defaultValue = "0") double nsigma;
  @Option(names = "--cyclefactor", defaultValue = "1.0") double cyclefactor;
  @Option(names = "--minpsffraction", defaultValue = "0.05") double minpsffraction;
  @Option(names = "--maxpsffraction", defaultValue = "0.8") double maxpsffraction;
  @Option(names = "--psfcutoff", defaultValue = "0.35") double psfcutoff;
  @Option(names = "--restoringbeam", arity = "0..3", split = ",", description = "major minor pa, e.g. 5arcsec 4arcsec 30deg") List<String> restoringbeam;
  @Option(names = "--pbcor", negatable = true, description = "also write <imagename>.image.pbcor") boolean pbcor;
  @Option(names = "--pblimit", defaultValue = "0.2") double pblimit;
  @Option(names = "--usemask", defaultValue = "user", description = "user | pb | auto-multithresh") String usemask;
  @Option(names = "--mask", description = "usemask user: a CASA region text (e.g. 'circle[[64pix, 64pix], 5pix]',"
      + " box, centerbox, poly; pixels or J2000), a region file or a CASA mask image; repeatable (union)")
  List<String> mask;
  @Option(names = "--pbmask", defaultValue = "0.0", description = "usemask pb: mask pb > pbmask") double pbmask;
  @Option(names = "--sidelobethreshold", defaultValue = "3.0") double sidelobethreshold;
  @Option(names = "--noisethreshold", defaultValue = "5.0") double noisethreshold;
  @Option(names = "--lownoisethreshold", defaultValue = "1.5") double lownoisethreshold;
  @Option(names = "--negativethreshold", defaultValue = "0.0") double negativethreshold;
  @Option(names = "--smoothfactor", defaultValue = "1.0") double smoothfactor;
  @Option(names = "--minbeamfrac", defaultValue = "0.3") double minbeamfrac;
  @Option(names = "--cutthreshold", defaultValue = "0.01") double cutthreshold;
  @Option(names = "--growiterations", defaultValue = "75") int growiterations;
  @Option(names = "--dogrowprune", negatable = true, defaultValue = "true", fallbackValue = "true") boolean dogrowprune;
  @Option(names = "--minpercentchange", defaultValue = "-1.0") double minpercentchange;
  @Option(names = "--fastnoise", negatable = true, defaultValue = "true", fallbackValue = "true") boolean fastnoise;
  @Option(names = "--savemodel", defaultValue = "none", description = "none | modelcolumn") String savemodel;
  @Option(names = "--nchan", defaultValue = "-1", description = "cube channels (-1: all selected)") int nchan;
  @Option(names = "--start", defaultValue = "", description = "cube: first channel, in channels (5), frequency (1.4GHz)"
      + " or velocity (-10km/s, with --restfreq); default the first selected channel") String start;
  @Option(names = "--width", defaultValue = "", description = "cube: channel increment in channels, frequency or"
      + " velocity; default the selected channels'") String width;
  @Option(names = "--restfreq", defaultValue = "", description = "rest frequency, e.g. 1.420405752GHz (velocities,"
      + " header)") String restfreq;
  @Option(names = "--veltype", defaultValue = "radio", description = "radio | optical") String veltype;
  @Option(names = "--outframe", defaultValue = "TOPO", description = "spectral frame of the cube: TOPO (the MS's,"
      + " default), LSRK or BARY") String outframe;
  @Option(names = "--interpolation", defaultValue = "linear", description = "linear | nearest: output channels"
      + " between input ones") String interpolation;
  @Option(names = "--fits", description = "also export every image to FITS") boolean fits;
  @Option(names = "--overwrite", negatable = true,
      description = "replace an existing product set of --imagename (without it such a run is refused, exit 2)")
  boolean overwrite;
  @Option(names = "--restart", negatable = true, description = "tclean's restart: continue cleaning from the existing"
      + " products of --imagename (.model, .mask; .residual/.psf with --no-calcres/--no-calcpsf); none: a fresh run")
  boolean restart;
  @Option(names = "--startmodel", description = "a CASA model image (Jy/pixel) of the run's shape to start from")
  Path startmodel;
  @Option(names = "--calcres", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "with --restart: false reuses the existing .residual instead of a major cycle") boolean calcres;
  @Option(names = "--calcpsf", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "with --restart: false reuses the existing .psf and .sumwt") boolean calcpsf;
  @Option(names = {"--threads", "--threads-per-worker"}, defaultValue = "0",
      description = "gridding threads per imaging run / worker (0: all cores)") int threads;
  @Option(names = "--parallel", negatable = true, description = "distribute over Kafka workers (cube: sub-cubes; mfs: row chunks per major cycle)") boolean parallel;
  @Option(names = "--nworkers", defaultValue = "2", description = "workers (threads in this process)") int nworkers;
  @Option(names = "--memory-limit", defaultValue = "0", description = "per-worker memory limit (20GB; 0: the"
      + " machine's available memory); a job estimated above it is refused") String memoryLimit;
  @Option(names = "--cube-chunksize", defaultValue = "-1", description = "-1: one sub-cube per worker; N: N channels") int cubeChunksize;
  @Option(names = {"--scheduler-address", "--bootstrap-servers"}, description = "Kafka cluster (default: an embedded broker)") String bootstrapServers;
  @Option(names = "--cluster-type", defaultValue = "local", description = "local | address (slurm: through pclean submit)") String clusterType;
  @Option(names = "--kafka-config", description = "Kafka client properties for the cluster (security.protocol, SASL, TLS"
      + " stores, client.id prefix); PCLEAN_KAFKA_<PROPERTY> variables override them") Path kafkaConfig;
  @Option(names = "--local-directory", description = "where sub-cubes and state go (default: a temporary directory)") Path localDirectory;
  @Option(names = "--keep-subcubes", negatable = true, description = "keep the sub-cube images") boolean keepSubcubes;
  @Option(names = "--subcubes-on-bus", negatable = true, description = "cube: send sub-cubes to the sink as image tiles on the bus"
      + " (no shared filesystem; always so with --dataset)") boolean subcubesOnBus;
  @Option(names = "--row-chunks", defaultValue = "0", description = "mfs: row chunks (0: one per worker)") int rowChunks;
  @Option(names = "--keep-partimages", negatable = true, description = "mfs: keep each row chunk's partial images under --local-directory") boolean keepPartimages;
  @Option(names = "--concat-mode", defaultValue = "auto", description = "auto | paged | virtual | movevirtual") String concatMode;
  @Option(names = "--timeout", defaultValue = "0", description = "seconds to wait for a parallel job before it is"
      + " failed; 0 (default): three times the job's time bound, at least 10 min, when it runs on its own embedded"
      + " broker; 24 h on a cluster, where it may queue behind other jobs") long timeoutSeconds;
  @Option(names = "--stall-timeout", defaultValue = "90", description = "seconds a parallel job may lack its JobSpec"
      + " or a live worker, coordinator or sink before it is failed with the reason") long stallTimeoutSeconds;

  /** Whether an MS, a dataset or an image name was typed (the imaging command has something to do). */
  public boolean given() {
    return vis != null || imagename != null || dataset != null;
  }
}
