package org.pclean.imaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.CasacoreException;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run starts from other than an empty model, as tclean: with restart, the existing products of imagename
 * (the .model is the starting model, the .mask the starting mask, and with calcres/calcpsf false the .residual,
 * .psf and .sumwt are reused as they are); or a startmodel image. Every image is opened and its shape checked when
 * this is made, before any visibility is read; the planes are read when imaged.
 */
public final class StartImages {
  private static final Logger LOG = LoggerFactory.getLogger(StartImages.class);

  /** One plane's starting point; a null array means "compute it" (residuals, psfs) or "none" (mask). */
  public record Start(float[][] models, float[][] residuals, float[][] psfs, double[] sumwts, byte[] mask) {}

  private final TcleanParams p;
  private final int nterms;
  private final List<Path> models;
  private final List<Path> residuals;
  private final List<Path> psfs;
  private final List<Path> sumwts;
  private final Path mask;
  private int nchan = -1;

  private StartImages(TcleanParams p, int nterms, List<Path> models, List<Path> residuals, List<Path> psfs,
      List<Path> sumwts, Path mask) {
    this.p = p;
    this.nterms = nterms;
    this.models = models;
    this.residuals = residuals;
    this.psfs = psfs;
    this.sumwts = sumwts;
    this.mask = mask;
  }

  /**
   * The starting images of a run, or null when it starts from nothing (no restart products, no startmodel).
   * Throws IllegalArgumentException with one sentence for a missing or mismatched image.
   */
  public static StartImages of(TcleanParams p) {
    int nterms = p.deconvolver() == DeconvolverKind.MTMFS ? p.nterms() : 1;
    OutputNames names = new OutputNames(p.imagename());
    List<Path> models = new ArrayList<>();
    List<Path> residuals = null;
    List<Path> psfs = null;
    List<Path> sumwts = null;
    Path mask = null;
    if (p.restart()) {
      List<Path> m = terms(names, Product.MODEL, nterms, nterms);
      boolean haveModel = m.stream().allMatch(Files::isDirectory);
      if (haveModel) {
        models = m;
      }
      if (p.startmodel() != null && haveModel) {
        throw new IllegalArgumentException("startmodel " + p.startmodel() + " given, but restart continues from "
            + m.get(0) + ": give one of them");
      }
      if (!p.calcres()) {
        residuals = require(terms(names, Product.RESIDUAL, nterms, nterms), "calcres false");
      }
      if (!p.calcpsf()) {
        psfs = require(terms(names, Product.PSF, nterms, 2 * nterms - 1), "calcpsf false");
        sumwts = require(terms(names, Product.SUMWT, nterms, 2 * nterms - 1), "calcpsf false");
      }
      if (Files.isDirectory(names.mask())) {
        mask = names.mask();
      }
    }
    if (p.startmodel() != null) {
      if (!Files.isDirectory(p.startmodel())) {
        throw new IllegalArgumentException("startmodel " + p.startmodel() + ": CASA image does not exist");
      }
      models = List.of(p.startmodel());
    }
    if (models.isEmpty() && residuals == null && psfs == null && mask == null) {
      if (p.restart()) {
        LOG.info("restart: {} has no products yet, starting from an empty model", p.imagename());
      }
      return null;
    }
    StartImages s = new StartImages(p, nterms, models, residuals, psfs, sumwts, mask);
    s.checkShapes();
    LOG.info("starting from {}", s.describe());
    return s;
  }

  /** The model image(s) the run starts from (one per Taylor term), empty when none. */
  public List<Path> models() {
    return List.copyOf(models);
  }

  /** The mask image the run starts from (a restart's .mask), or null. */
  public Path mask() {
    return mask;
  }

  /**
   * The images a restart reuses instead of making them (calcres false: the .residual(s); calcpsf false: the
   * .psf and .sumwt images), with the product each is; empty when it makes them all.
   */
  public java.util.Map<Product, List<Path>> reused() {
    java.util.Map<Product, List<Path>> out = new java.util.EnumMap<>(Product.class);
    if (residuals != null) {
      out.put(Product.RESIDUAL, List.copyOf(residuals));
    }
    if (psfs != null) {
      out.put(Product.PSF, List.copyOf(psfs));
      out.put(Product.SUMWT, List.copyOf(sumwts));
    }
    return out;
  }

  /** Checks the plane count against the run's (known once the selection is read). */
  public void checkPlanes(int nplanes) {
    if (nchan != nplanes) {
      throw new IllegalArgumentException((models.isEmpty() ? "the restart images" : models.get(0).toString())
          + " hold " + nchan + " channel(s), the run makes " + nplanes + " plane(s)");
    }
  }

  /** The starting point of one plane (channel). */
  public Start plane(int plane) {
    float[][] m = new float[nterms][];
    for (int t = 0; t < nterms; t++) {
      m[t] = models.isEmpty() ? new float[p.nx() * p.ny()] : read(models.get(t), plane);
    }
    float[][] r = residuals == null ? null : readAll(residuals, plane);
    float[][] ps = psfs == null ? null : readAll(psfs, plane);
    double[] w = null;
    if (sumwts != null) {
      w = new double[sumwts.size()];
      for (int t = 0; t < w.length; t++) {
        try (CasaImage img = CasaImage.open(sumwts.get(t))) {
          w[t] = img.readPlane(0, img.shape()[3] == 1 ? 0 : plane)[0];
        }
      }
    }
    byte[] mk = null;
    if (mask != null) {
      float[] f = read(mask, plane);
      mk = new byte[f.length];
      for (int i = 0; i < f.length; i++) {
        mk[i] = (byte) (f[i] > 0.5f ? 1 : 0);
      }
    }
    return new Start(m, r, ps, w, mk);
  }

  private String describe() {
    List<String> what = new ArrayList<>();
    if (!models.isEmpty()) {
      what.add("model " + models.get(0));
    }
    if (residuals != null) {
      what.add("residual " + residuals.get(0));
    }
    if (psfs != null) {
      what.add("psf " + psfs.get(0));
    }
    if (mask != null) {
      what.add("mask " + mask);
    }
    return String.join(", ", what);
  }

  /** Every image nx × ny with one Stokes plane and the same channel count (the sums of weights one pixel). */
  private void checkShapes() {
    List<Path> planes = new ArrayList<>(models);
    if (residuals != null) {
      planes.addAll(residuals);
    }
    if (psfs != null) {
      planes.addAll(psfs);
    }
    if (mask != null) {
      planes.add(mask);
    }
    for (Path path : planes) {
      int[] shape;
      try (CasaImage img = CasaImage.open(path)) {
        shape = img.shape();
      } catch (CasacoreException e) {
        throw new IllegalArgumentException(e.getMessage(), e);  // the user's image, not a failure of the run
      }
      if (shape[0] != p.nx() || shape[1] != p.ny() || shape[2] != 1) {
        throw new IllegalArgumentException(path + ": shape " + shape[0] + "x" + shape[1] + "x" + shape[2] + "x"
            + shape[3] + " does not match imsize " + p.nx() + "x" + p.ny() + " (Stokes I)");
      }
      if (nchan == -1) {
        nchan = shape[3];
      } else if (shape[3] != nchan) {
        throw new IllegalArgumentException(path + ": " + shape[3] + " channel(s) where " + planes.get(0) + " has "
            + nchan);
      }
    }
  }

  private static float[][] readAll(List<Path> paths, int plane) {
    float[][] out = new float[paths.size()][];
    for (int t = 0; t < out.length; t++) {
      out[t] = read(paths.get(t), plane);
    }
    return out;
  }

  private static float[] read(Path path, int plane) {
    try (CasaImage img = CasaImage.open(path)) {
      return img.readPlane(0, plane);
    }
  }

  /** The product's images: plain for one term, tt0..tt(count-1) for mtmfs. */
  private static List<Path> terms(OutputNames names, Product product, int nterms, int count) {
    if (nterms == 1) {
      return List.of(names.path(product));
    }
    List<Path> out = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      out.add(names.path(product, t));
    }
    return out;
  }

  private static List<Path> require(List<Path> paths, String why) {
    for (Path path : paths) {
      if (!Files.isDirectory(path)) {
        throw new IllegalArgumentException(why + " reuses " + path + ", which does not exist");
      }
    }
    return paths;
  }
}
