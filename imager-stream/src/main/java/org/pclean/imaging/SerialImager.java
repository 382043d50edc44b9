package org.pclean.imaging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.pclean.casacore.CleanKernels;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import org.pclean.imaging.TcleanParams.SpecMode;
import org.pclean.imaging.beam.Beam;
import org.pclean.imaging.beam.BeamFitter;
import org.pclean.imaging.beam.PrimaryBeam;
import org.pclean.imaging.beam.Restorer;
import org.pclean.imaging.data.VisibilityData;
import org.pclean.imaging.data.VisibilityLoader;
import org.pclean.imaging.deconvolution.Deconvolver;
import org.pclean.imaging.deconvolution.HogbomDeconvolver;
import org.pclean.imaging.deconvolution.MinorCycleResult;
import org.pclean.imaging.gridding.SpheroidalGridder;
import org.pclean.imaging.weighting.ImagingWeights;

/**
 * The serial engine (CASA's PySynthesisImager): select and load → weights → PSF and beam → major/minor cycles
 * → restore → write. specmode mfs images all selected channels into one plane; cube images each channel as its
 * own plane with its own weights, PSF, beam and cycles. Every worker runs this; it is the reference the
 * parallel paths are tested against.
 */
public final class SerialImager {
  private static final Logger LOG = Logger.getLogger(SerialImager.class.getName());

  private final TcleanParams p;
  private double griddingSeconds;
  private long samplesGridded;

  public SerialImager(TcleanParams p) {
    this.p = p;
  }

  public static ImagingResult run(TcleanParams p) {
    return new SerialImager(p).run();
  }

  /** One imaged plane: everything the writer and the result need. */
  private record Plane(float[] image, float[] residual, float[] model, float[] psf, float[] pb, double sumwt, Beam beam,
      int iterations, StopReason stop, double peakResidual) {}

  public ImagingResult run() {
    long t0 = System.nanoTime();
    if (!java.nio.file.Files.isDirectory(p.vis())) {
      throw new IllegalArgumentException("vis " + p.vis() + ": MeasurementSet does not exist");
    }
    List<ImagingResult.PlaneSummary> summaries = new ArrayList<>();
    List<ImagingResult.Cycle> history = new ArrayList<>();
    List<java.nio.file.Path> products;
    VisibilityData data;
    List<float[]> models = new ArrayList<>();
    double dish;
    try (MeasurementSet ms = MeasurementSet.open(p.vis())) {
      data = VisibilityLoader.load(ms, p);
      dish = dishDiameter(ms.metadata());
    }
    if (data.unflaggedSamples() == 0) {
      throw new IllegalArgumentException("all selected visibilities are flagged: nothing to image");
    }
    boolean cube = p.specmode() == SpecMode.CUBE;
    int nplanes = cube ? (p.nchan() == -1 ? data.numChannels() : p.nchan()) : 1;
    if (cube && nplanes > data.numChannels()) {
      throw new IllegalArgumentException("nchan " + nplanes + " exceeds the " + data.numChannels() + " selected channels");
    }
    ImageGeometry g = geometry(data, cube, nplanes);
    ProductWriter writer = new ProductWriter(p.imagename(), g, cube, p.pbcor());
    try {
      for (int plane = 0; plane < nplanes; plane++) {
        VisibilityData d = cube ? data.channel(plane) : data;
        double freq = cube ? d.freq()[0] : g.freq0();
        Plane r = imagePlane(plane, d, freq, dish, history);
        writer.write(plane, r.image(), r.residual(), r.model(), r.psf(), r.pb(), r.sumwt(), r.beam(), p.pblimit());
        models.add(r.model());
        double flux = 0;
        for (float v : r.model()) {
          flux += v;
        }
        summaries.add(new ImagingResult.PlaneSummary(plane, freq, r.beam(), r.sumwt(), r.iterations(), r.stop(),
            r.peakResidual(), flux));
        LOG.info(String.format(java.util.Locale.ROOT, "plane %d: beam %s, %d iterations, stop: %s (peak residual %.4g)",
            plane, r.beam(), r.iterations(), r.stop().message(), r.peakResidual()));
      }
      products = writer.finish(p.fits());
    } catch (RuntimeException e) {
      writer.abort();
      throw e;
    }
    if (p.savemodel()) {
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
    SpheroidalGridder gridder = SpheroidalGridder.forRun(p, d);
    float[] psf = new float[nx * ny];
    double sumwt = timedInvert(gridder, d, null, weights, psf);
    if (!(sumwt > 0)) {
      throw new IllegalArgumentException("plane " + plane + ": no visibility falls on the uv grid (all flagged, or"
          + " the cell is too large for the baselines)");
    }
    // Normalise by the PSF peak (sum of weights seen through the gridder), so the PSF peaks at exactly 1.
    double norm = psf[(ny / 2) * nx + nx / 2];
    scale(psf, 1 / norm);
    Beam beam = p.restoringbeam() != null
        ? new Beam(p.restoringbeam()[0], p.restoringbeam()[1], p.restoringbeam()[2])
        : BeamFitter.fit(psf, nx, ny, p.cell()[0], p.cell()[1], p.psfcutoff());
    float[] residual = new float[nx * ny];
    timedInvert(gridder, d, d.vis(), weights, residual);
    scale(residual, 1 / norm);
    float[] model = new float[nx * ny];

    IterationControl control = new IterationControl(p, BeamFitter.maxSidelobe(psf, nx, ny));
    Deconvolver deconvolver = new HogbomDeconvolver(nx, ny, p.gain());
    StopReason stop;
    double peak;
    int cycle = 0;
    while (true) {
      peak = CleanKernels.peakAbs(residual, null, nx, ny);
      double rms = p.nsigma() > 0 ? IterationControl.robustRms(residual) : 0;
      Optional<StopReason> s = control.stopBefore(peak, rms);
      if (s.isPresent()) {
        stop = s.get();
        break;
      }
      double cycleThreshold = control.cycleThreshold(peak, rms);
      MinorCycleResult minor = deconvolver.deconvolve(residual, model, psf, cycleThreshold, control.cycleIterations());
      control.recordIterations(minor.iterations());
      double flux = 0;
      for (float v : model) {
        flux += v;
      }
      history.add(new ImagingResult.Cycle(plane, cycle++, minor.iterations(), peak, cycleThreshold, flux));
      // Major cycle: residual = invert(V - predict(model)).
      float[] pred = timedPredict(gridder, model, d);
      float[] diff = d.vis().clone();
      for (int i = 0; i < diff.length; i++) {
        diff[i] -= pred[i];
      }
      timedInvert(gridder, d, diff, weights, residual);
      scale(residual, 1 / norm);
    }
    float[] image = Restorer.restore(model, residual, nx, ny, p.cell()[0], p.cell()[1], beam);
    float[] pb = PrimaryBeam.image(nx, ny, p.cell()[0], p.cell()[1], dish, freq);
    return new Plane(image, residual, model, psf, pb, sumwt, beam, control.iterationsDone(), stop, peak);
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
    double[] d = md.antennas().stream().mapToDouble(MsMetadata.Antenna::dishDiameter).filter(x -> x > 0).sorted().toArray();
    return d.length == 0 ? 0 : d[d.length / 2];
  }

  private static void scale(float[] a, double s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= (float) s;
    }
  }
}
