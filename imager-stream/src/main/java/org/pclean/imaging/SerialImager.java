package org.pclean.imaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.casacore.CleanKernels;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import org.pclean.imaging.TcleanParams.DeconvolverKind;
import org.pclean.imaging.TcleanParams.SpecMode;
import org.pclean.imaging.beam.Beam;
import org.pclean.imaging.beam.BeamFitter;
import org.pclean.imaging.beam.PrimaryBeam;
import org.pclean.imaging.beam.Restorer;
import org.pclean.imaging.data.VisibilityData;
import org.pclean.imaging.data.VisibilityLoader;
import org.pclean.imaging.deconvolution.ClarkDeconvolver;
import org.pclean.imaging.deconvolution.Deconvolver;
import org.pclean.imaging.deconvolution.HogbomDeconvolver;
import org.pclean.imaging.deconvolution.MinorCycleResult;
import org.pclean.imaging.deconvolution.MultiTermHogbom;
import org.pclean.imaging.deconvolution.MultiscaleDeconvolver;
import org.pclean.imaging.gridding.SpheroidalGridder;
import org.pclean.imaging.weighting.ImagingWeights;

/**
 * The serial engine (CASA's PySynthesisImager): select and load → weights → PSF and beam → major/minor cycles
 * → restore → write. specmode mfs images all selected channels into one plane; cube images each channel as its
 * own plane with its own weights, PSF, beam and cycles. mtmfs (nterms 2) grids Taylor-weighted residuals and
 * PSFs, (ν - ν0)/ν0 about the band centre ν0, and cleans them jointly. Every worker runs this; it is the
 * reference the parallel paths are tested against.
 */
public final class SerialImager {
  private static final Logger LOG = Logger.getLogger(SerialImager.class.getName());

  private final TcleanParams p;
  private final int nterms;
  private double griddingSeconds;
  private long samplesGridded;

  public SerialImager(TcleanParams p) {
    this.p = p;
    this.nterms = p.deconvolver() == DeconvolverKind.MTMFS ? p.nterms() : 1;
  }

  public static ImagingResult run(TcleanParams p) {
    return new SerialImager(p).run();
  }

  /** One imaged plane: its Taylor models (one for non-mtmfs), images to write and what the result reports. */
  private record Plane(float[][] models, List<Output> outputs, double sumwt, Beam beam, int iterations,
      StopReason stop, double peakResidual) {}

  /** One image of a plane's product set; withBeam marks images that carry the restoring beam. */
  private record Output(Path path, String units, float[] data, boolean withBeam) {}

  public ImagingResult run() {
    long t0 = System.nanoTime();
    if (!Files.isDirectory(p.vis())) {
      throw new IllegalArgumentException("vis " + p.vis() + ": MeasurementSet does not exist");
    }
    VisibilityData data;
    double dish;
    try (MeasurementSet ms = MeasurementSet.open(p.vis())) {
      data = VisibilityLoader.load(ms, p);
      dish = dishDiameter(ms.metadata());
    }
    if (data.unflaggedSamples() == 0) {
      throw new IllegalArgumentException("all selected visibilities are flagged: nothing to image");
    }
    boolean cube = p.specmode() == SpecMode.CUBE;
    if (cube && nterms > 1) {
      throw new IllegalArgumentException("deconvolver mtmfs needs specmode mfs");
    }
    int nplanes = cube ? (p.nchan() == -1 ? data.numChannels() : p.nchan()) : 1;
    if (cube && nplanes > data.numChannels()) {
      throw new IllegalArgumentException("nchan " + nplanes + " exceeds the " + data.numChannels() + " selected channels");
    }
    ImageGeometry g = geometry(data, cube, nplanes);
    List<ImagingResult.PlaneSummary> summaries = new ArrayList<>();
    List<ImagingResult.Cycle> history = new ArrayList<>();
    List<float[]> models = new ArrayList<>();
    List<Path> products;
    ProductWriter writer = new ProductWriter(g, cube);
    try {
      for (int plane = 0; plane < nplanes; plane++) {
        VisibilityData d = cube ? data.channel(plane) : data;
        double freq = cube ? d.freq()[0] : g.freq0();
        Plane r = imagePlane(plane, d, freq, dish, history);
        for (Output o : r.outputs()) {
          writer.plane(o.path(), o.units(), plane, o.data(), o.withBeam() ? r.beam() : null);
        }
        models.add(r.models()[0]);
        double flux = 0;
        for (float v : r.models()[0]) {
          flux += v;
        }
        summaries.add(new ImagingResult.PlaneSummary(plane, freq, r.beam(), r.sumwt(), r.iterations(), r.stop(),
            r.peakResidual(), flux));
        LOG.info(String.format(Locale.ROOT, "plane %d: beam %s, %d iterations, stop: %s (peak residual %.4g)",
            plane, r.beam(), r.iterations(), r.stop().message(), r.peakResidual()));
      }
      products = writer.finish(p.fits());
    } catch (RuntimeException e) {
      writer.abort();
      throw e;
    }
    if (p.savemodel()) {
      if (nterms > 1) {
        throw new IllegalArgumentException("savemodel with mtmfs is not supported yet");
      }
      ModelDataWriter.write(p, data, models, cube, this::predict);
    }
    double total = (System.nanoTime() - t0) / 1e9;
    return new ImagingResult(products, summaries, history,
        new ImagingResult.Timing(total, griddingSeconds, samplesGridded));
  }

  private Plane imagePlane(int plane, VisibilityData d, double freq, double dish, List<ImagingResult.Cycle> history) {
    int nx = p.nx();
    int ny = p.ny();
    ImagingWeights iw = new ImagingWeights(nx, ny, p.cell()[0], p.cell()[1]);
    float[] weights = iw.apply(d, iw.density(d), p.weighting(), p.robust(), p.uvtaper());
    // Taylor factors x = (ν - ν0)/ν0 per channel, ν0 the image frequency; term t weights samples by x^t.
    double[] x = new double[d.numChannels()];
    for (int c = 0; c < x.length; c++) {
      x[c] = (d.freq()[c] - freq) / freq;
    }
    // xPow[t][c] = x_c^t, once: used for every Taylor weight and in every major cycle.
    double[][] xPow = new double[2 * nterms - 1][x.length];
    for (int t = 0; t < xPow.length; t++) {
      for (int c = 0; c < x.length; c++) {
        xPow[t][c] = Math.pow(x[c], t);
      }
    }
    float[][] taylorWeights = new float[2 * nterms - 1][];
    for (int t = 0; t < taylorWeights.length; t++) {
      taylorWeights[t] = t == 0 ? weights : taylor(weights, xPow[t]);
    }
    SpheroidalGridder gridder = SpheroidalGridder.forRun(p, d);
    float[][] psfs = new float[taylorWeights.length][];
    double sumwt = 0;
    double[] sumwts = new double[psfs.length];
    for (int t = 0; t < psfs.length; t++) {
      psfs[t] = new float[nx * ny];
      sumwts[t] = timedInvert(gridder, d, null, taylorWeights[t], psfs[t]);
    }
    sumwt = sumwts[0];
    if (!(sumwt > 0)) {
      throw new IllegalArgumentException("plane " + plane + ": no visibility falls on the uv grid (all flagged, or"
          + " the cell is too large for the baselines)");
    }
    // Normalise by the tt0 PSF peak (the sum of weights seen through the gridder): the PSF peaks at exactly 1.
    double norm = psfs[0][(ny / 2) * nx + nx / 2];
    for (float[] psf : psfs) {
      scale(psf, 1 / norm);
    }
    Beam beam = p.restoringbeam() != null
        ? new Beam(p.restoringbeam()[0], p.restoringbeam()[1], p.restoringbeam()[2])
        : BeamFitter.fit(psfs[0], nx, ny, p.cell()[0], p.cell()[1], p.psfcutoff());
    float[][] residuals = new float[nterms][nx * ny];
    float[][] models = new float[nterms][nx * ny];
    residuals(gridder, d, d.vis(), taylorWeights, norm, residuals);

    IterationControl control = new IterationControl(p, BeamFitter.maxSidelobe(psfs[0], nx, ny));
    Deconvolver singleTerm = switch (p.deconvolver()) {
      case CLARK -> new ClarkDeconvolver(nx, ny, p.gain());
      case MULTISCALE -> new MultiscaleDeconvolver(nx, ny, p.gain(), p.scales(), p.smallscalebias());
      default -> new HogbomDeconvolver(nx, ny, p.gain());
    };
    MultiTermHogbom multiTerm = new MultiTermHogbom(nx, ny, p.gain());
    StopReason stop;
    double peak;
    int cycle = 0;
    while (true) {
      peak = CleanKernels.peakAbs(residuals[0], null, nx, ny);
      double rms = p.nsigma() > 0 ? IterationControl.robustRms(residuals[0]) : 0;
      Optional<StopReason> s = control.stopBefore(peak, rms);
      if (s.isPresent()) {
        stop = s.get();
        break;
      }
      double cycleThreshold = control.cycleThreshold(peak, rms);
      MinorCycleResult minor = nterms == 1
          ? singleTerm.deconvolve(residuals[0], models[0], psfs[0], cycleThreshold, control.cycleIterations())
          : multiTerm.deconvolve(residuals, models, psfs, cycleThreshold, control.cycleIterations());
      control.recordIterations(minor.iterations());
      double flux = 0;
      for (float v : models[0]) {
        flux += v;
      }
      history.add(new ImagingResult.Cycle(plane, cycle++, minor.iterations(), peak, cycleThreshold, flux));
      // Major cycle: residual = invert(V - predict(model)), the model's visibilities summed over Taylor terms.
      float[] diff = d.vis().clone();
      for (int t = 0; t < nterms; t++) {
        float[] pred = timedPredict(gridder, models[t], d);
        for (int i = 0; i < diff.length; i++) {
          diff[i] -= t == 0 ? pred[i] : (float) (pred[i] * xPow[t][(i / 2) % x.length]);
        }
      }
      residuals(gridder, d, diff, taylorWeights, norm, residuals);
    }
    float[] pb = PrimaryBeam.image(nx, ny, p.cell()[0], p.cell()[1], dish, freq);
    List<Output> outputs = nterms == 1
        ? singleTermOutputs(models[0], residuals[0], psfs[0], pb, sumwt, beam)
        : multiTermOutputs(models, residuals, psfs, pb, sumwts, beam);
    return new Plane(models, outputs, sumwt, beam, control.iterationsDone(), stop, peak);
  }

  private List<Output> singleTermOutputs(float[] model, float[] residual, float[] psf, float[] pb, double sumwt,
      Beam beam) {
    OutputNames names = new OutputNames(p.imagename());
    float[] image = Restorer.restore(model, residual, p.nx(), p.ny(), p.cell()[0], p.cell()[1], beam);
    List<Output> out = new ArrayList<>(List.of(
        new Output(names.path(Product.IMAGE), "Jy/beam", image, true),
        new Output(names.path(Product.RESIDUAL), "Jy/beam", residual, true),
        new Output(names.path(Product.MODEL), "Jy/pixel", model, false),
        new Output(names.path(Product.PSF), "", psf, true),
        new Output(names.path(Product.PB), "", pb, false),
        new Output(names.path(Product.SUMWT), "", new float[] {(float) sumwt}, false)));
    if (p.pbcor()) {
      out.add(new Output(Path.of(names.path(Product.IMAGE) + ".pbcor"), "Jy/beam", pbcor(image, pb), true));
    }
    return out;
  }

  /**
   * mtmfs products: restored Taylor images from models and the Hessian-corrected residuals (H⁻¹ r, so residual
   * and model terms are in the same units), and alpha = tt1/tt0 where tt0 is significant.
   */
  private List<Output> multiTermOutputs(float[][] models, float[][] residuals, float[][] psfs, float[] pb,
      double[] sumwts, Beam beam) {
    OutputNames names = new OutputNames(p.imagename());
    int nx = p.nx();
    int ny = p.ny();
    double[] hi = MultiTermHogbom.inverseHessian(psfs, nx, ny);
    float[][] corrected = new float[2][nx * ny];
    for (int i = 0; i < nx * ny; i++) {
      corrected[0][i] = (float) (hi[0] * residuals[0][i] + hi[1] * residuals[1][i]);
      corrected[1][i] = (float) (hi[1] * residuals[0][i] + hi[2] * residuals[1][i]);
    }
    float[][] restored = new float[2][];
    List<Output> out = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      restored[t] = Restorer.restore(models[t], corrected[t], nx, ny, p.cell()[0], p.cell()[1], beam);
      out.add(new Output(names.path(Product.IMAGE, t), "Jy/beam", restored[t], true));
    }
    for (int t = 0; t < 2; t++) {
      out.add(new Output(names.path(Product.RESIDUAL, t), "Jy/beam", residuals[t], true));
    }
    for (int t = 0; t < 2; t++) {
      out.add(new Output(names.path(Product.MODEL, t), "Jy/pixel", models[t], false));
    }
    for (int t = 0; t < 3; t++) {
      out.add(new Output(names.path(Product.PSF, t), "", psfs[t], true));
    }
    out.add(new Output(names.path(Product.PB, 0), "", pb, false));
    for (int t = 0; t < 3; t++) {
      out.add(new Output(names.path(Product.SUMWT, t), "", new float[] {(float) sumwts[t]}, false));
    }
    // alpha where tt0 exceeds the larger of the threshold and 5x the robust rms of the tt0 residual.
    double cut = Math.max(p.threshold(), 5 * IterationControl.robustRms(residuals[0]));
    float[] alpha = new float[nx * ny];
    for (int i = 0; i < alpha.length; i++) {
      alpha[i] = restored[0][i] > cut ? restored[1][i] / restored[0][i] : Float.NaN;
    }
    out.add(new Output(names.alpha(), "", alpha, false));
    if (p.pbcor()) {
      out.add(new Output(Path.of(names.path(Product.IMAGE, 0) + ".pbcor"), "Jy/beam", pbcor(restored[0], pb), true));
    }
    return out;
  }

  private float[] pbcor(float[] image, float[] pb) {
    float[] corrected = new float[image.length];
    for (int i = 0; i < image.length; i++) {
      corrected[i] = pb[i] >= p.pblimit() ? image[i] / pb[i] : Float.NaN;
    }
    return corrected;
  }

  /** Normalised Taylor residual images of vis: invert with each term's weights, divided by norm. */
  private void residuals(SpheroidalGridder gridder, VisibilityData d, float[] vis, float[][] taylorWeights,
      double norm, float[][] out) {
    for (int t = 0; t < out.length; t++) {
      timedInvert(gridder, d, vis, taylorWeights[t], out[t]);
      scale(out[t], 1 / norm);
    }
  }

  /** weights[i] x_c^t for sample i in channel c (factor[c] = x_c^t). */
  private static float[] taylor(float[] weights, double[] factor) {
    float[] out = new float[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = (float) (weights[i] * factor[i % factor.length]);
    }
    return out;
  }

  private double timedInvert(SpheroidalGridder g, VisibilityData d, float[] vis, float[] w, float[] out) {
    long t = System.nanoTime();
    double s = g.invert(d, vis, w, out);
    griddingSeconds += (System.nanoTime() - t) / 1e9;
    samplesGridded += (long) d.numRows() * d.numChannels();
    return s;
  }

  private float[] timedPredict(SpheroidalGridder g, float[] model, VisibilityData d) {
    long t = System.nanoTime();
    float[] v = g.predict(model, d);
    griddingSeconds += (System.nanoTime() - t) / 1e9;
    samplesGridded += (long) d.numRows() * d.numChannels();
    return v;
  }

  /** Model visibilities of one plane's model over the given samples (used by savemodel). */
  private float[] predict(float[] model, VisibilityData d) {
    return SpheroidalGridder.forRun(p, d).predict(model, d);
  }

  private ImageGeometry geometry(VisibilityData d, boolean cube, int nplanes) {
    double[] f = d.freq();
    double fmin = Arrays.stream(f).min().orElseThrow();
    double fmax = Arrays.stream(f).max().orElseThrow();
    double freq0;
    double dfreq;
    if (cube) {
      freq0 = f[0];
      dfreq = f.length > 1 ? f[1] - f[0] : d.width()[0];
    } else {
      // tclean mfs: one plane at the centre of the selected band, as wide as the band.
      double half = Math.abs(d.width()[0]) / 2;
      freq0 = (fmin + fmax) / 2;
      dfreq = fmax - fmin + 2 * half;
    }
    return new ImageGeometry(p.nx(), p.ny(), "I", nplanes, d.phaseCentre()[0], d.phaseCentre()[1], p.cell()[0],
        p.cell()[1], freq0, dfreq, 0.0);
  }

  /** The dish diameter for the primary beam: the median of the positive diameters (0 when none). */
  private static double dishDiameter(MsMetadata md) {
    double[] d = md.antennas().stream().mapToDouble(MsMetadata.Antenna::dishDiameter).filter(v -> v > 0).sorted()
        .toArray();
    return d.length == 0 ? 0 : d[d.length / 2];
  }

  private static void scale(float[] a, double s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= (float) s;
    }
  }
}
