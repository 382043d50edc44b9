package org.pclean.bus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * tclean's output product names, shared by the workers (sub-cubes, serial runs) and the sink (final products): {@code <imagename>.image .residual .model .psf .pb .sumwt},
 * and for mtmfs the Taylor-term variants {@code .image.tt0 .image.tt1 ... .alpha}; {@code .mask} (one, also for
 * mtmfs) when the run cleans inside a mask.
 */
public final class OutputNames {
  /** Products of every run, in the order tclean lists them. */
  public enum Product {
    IMAGE("image"), RESIDUAL("residual"), MODEL("model"), PSF("psf"), PB("pb"), SUMWT("sumwt"),
    /** Written only by masked runs. */
    MASK("mask"),
    /** Written only by pbcor runs: the restored image over the primary beam (mtmfs: of tt0 only). */
    PBCOR("image.pbcor");

    private final String suffix;

    Product(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }

    /** The last Taylor term tclean's mtmfs writes: psf and sumwt hold the 2n-1 Hessian terms, pb only tt0. */
    int lastTerm(int nterms) {
      return switch (this) {
        case PSF, SUMWT -> 2 * nterms - 2;
        case PB, PBCOR -> 0;
        default -> nterms - 1;
      };
    }
  }

  private final String imagename;

  public OutputNames(String imagename) {
    if (imagename == null || imagename.isBlank()) {
      throw new IllegalArgumentException("imagename must not be empty");
    }
    if (imagename.endsWith("/")) {
      throw new IllegalArgumentException("imagename '" + imagename + "' must name a file prefix, not a directory");
    }
    this.imagename = imagename;
  }

  public Path path(Product p) {
    return Path.of(imagename + "." + p.suffix());
  }

  /** mtmfs: {@code <imagename>.<product>.tt<term>}. */
  public Path path(Product p, int taylorTerm) {
    if (taylorTerm < 0) {
      throw new IllegalArgumentException("Taylor term must be >= 0, got " + taylorTerm);
    }
    if (p == Product.PBCOR) {
      return Path.of(path(Product.IMAGE, taylorTerm) + ".pbcor");  // tclean's .image.tt0.pbcor
    }
    return Path.of(imagename + "." + p.suffix() + ".tt" + taylorTerm);
  }

  /** mtmfs spectral index image. */
  public Path alpha() {
    return Path.of(imagename + ".alpha");
  }

  /** mtmfs spectral index error image (tclean's {@code .alpha.error}). */
  public Path alphaError() {
    return Path.of(imagename + ".alpha.error");
  }

  /** Image-name prefix of sub-cube k of a job, under the job's local directory: {@code <dir>/<jobId>/part-<k>}. */
  public static String subcube(String localDirectory, String jobId, int partition) {
    return Path.of(localDirectory, jobId, String.format("part-%04d", partition)).toString();
  }

  public Path fits(Path casaImage) {
    return Path.of(casaImage.toString() + ".fits");
  }

  /** The CLEAN mask, {@code <imagename>.mask} (without a Taylor suffix for mtmfs, as tclean). */
  public Path mask() {
    return path(Product.MASK);
  }

  /**
   * The products of any run under this imagename that exist on disk: the plain set, the mtmfs set (nterms 2),
   * {@code .pbcor} images and FITS exports of each. Temporaries of a run in progress or killed
   * ({@code .partial-*}) are not products.
   */
  public List<Path> existing() {
    java.util.LinkedHashSet<Path> candidates = new java.util.LinkedHashSet<>(all(1));
    candidates.addAll(all(2));
    candidates.add(path(Product.PBCOR));
    candidates.add(path(Product.PBCOR, 0));
    candidates.add(mask());
    List<Path> out = new ArrayList<>();
    for (Path p : candidates) {
      for (Path q : List.of(p, fits(p))) {
        if (java.nio.file.Files.exists(q)) {
          out.add(q);
        }
      }
    }
    return out;
  }

  /**
   * Every product an unmasked run writes: nterms 1 gives the plain set; nterms >= 2 (mtmfs) the tt variants and
   * alpha.
   */
  public List<Path> all(int nterms) {
    return all(nterms, false);
  }

  /** Every product a run writes, with the mask when masked. */
  public List<Path> all(int nterms, boolean masked) {
    return all(nterms, masked, false);
  }

  /** Every product a run writes, with the mask when masked and the .pbcor image when pbcor. */
  public List<Path> all(int nterms, boolean masked, boolean pbcor) {
    List<Path> out = new ArrayList<>();
    for (Product p : Product.values()) {
      if (p == Product.MASK || p == Product.PBCOR) {
        if (p == Product.MASK ? masked : pbcor) {
          out.add(path(p, nterms > 1 && p == Product.PBCOR));
        }
      } else if (nterms <= 1) {
        out.add(path(p));
      } else {
        for (int t = 0; t <= p.lastTerm(nterms); t++) {
          out.add(path(p, t));
        }
      }
    }
    if (nterms > 1) {
      out.add(alpha());
      out.add(alphaError());
    }
    return out;
  }

  /** p's one image: of tt0 for a multi-term run's pbcor, else without a Taylor suffix (the mask is so in mtmfs). */
  private Path path(Product p, boolean tt0) {
    return tt0 ? path(p, 0) : path(p);
  }
}
