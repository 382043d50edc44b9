package org.pclean.imaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.TileKind;
import org.pclean.casacore.Beam;
import org.pclean.imaging.beam.Restorer;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.imaging.deconvolution.MultiTermHogbom;
import org.pclean.ingest.params.TcleanParams;

/**
 * The tclean product set of one imaged plane, computed from its models, residuals and PSFs: the restored image
 * (model ⊛ beam + residual), residual, model, psf, pb, sumwt, and for mtmfs the tt variants and alpha; .pbcor
 * when asked; .mask (1 inside) when the run cleaned inside a mask. The serial engine writes these itself; the continuum coordinator hands them to the sink.
 */
public final class PlaneProducts {
  /**
   * One image of the set; withBeam marks images that carry the restoring beam; kind and term say which product
   * it is (Taylor term for mtmfs, else 0), as its tiles are tagged on the bus.
   */
  public record ProductImage(Path path, String units, float[] data, boolean withBeam, TileKind kind, int term) {}

  private PlaneProducts() {}

  /** mask: the plane's CLEAN mask, or null when the run has none. */
  public static List<ProductImage> of(TcleanParams p, float[][] models, float[][] residuals, float[][] psfs,
      float[] pb, double[] sumwts, Beam beam, byte[] mask) {
    List<ProductImage> out = models.length == 1
        ? singleTerm(p, models[0], residuals[0], psfs[0], pb, sumwts[0], beam)
        : multiTerm(p, models, residuals, psfs, pb, sumwts, beam);
    if (mask != null) {
      float[] m = new float[mask.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = mask[i] != 0 ? 1f : 0f;
      }
      out.add(new ProductImage(new OutputNames(p.imagename()).mask(), "", m, false, TileKind.MASK, 0));
    }
    return out;
  }

  private static List<ProductImage> singleTerm(TcleanParams p, float[] model, float[] residual, float[] psf,
      float[] pb, double sumwt, Beam beam) {
    OutputNames names = new OutputNames(p.imagename());
    float[] image = Restorer.restore(model, residual, p.nx(), p.ny(), p.cell()[0], p.cell()[1], beam);
    List<ProductImage> out = new ArrayList<>(List.of(
        new ProductImage(names.path(Product.IMAGE), "Jy/beam", image, true, TileKind.IMAGE, 0),
        new ProductImage(names.path(Product.RESIDUAL), "Jy/beam", residual, true, TileKind.RESIDUAL, 0),
        new ProductImage(names.path(Product.MODEL), "Jy/pixel", model, false, TileKind.MODEL, 0),
        new ProductImage(names.path(Product.PSF), "", psf, true, TileKind.PSF, 0),
        new ProductImage(names.path(Product.PB), "", pb, false, TileKind.PB, 0),
        new ProductImage(names.path(Product.SUMWT), "", new float[] {(float) sumwt}, false, TileKind.SUMWT, 0)));
    if (p.pbcor()) {
      out.add(new ProductImage(names.path(Product.PBCOR), "Jy/beam", pbcor(p, image, pb), true, TileKind.PBCOR,
          0));
    }
    return out;
  }

  /**
   * mtmfs products: restored Taylor images from models and the Hessian-corrected residuals (H⁻¹ r, so residual
   * and model terms are in the same units), alpha = tt1/tt0 where tt0 is significant, and its error as tclean
   * computes it, |alpha| sqrt((r0/I0)² + (r1/I1)²) with r the residual and I the restored Taylor images, over the
   * same pixels (NaN elsewhere). tclean's own cut is a tenth of the tt0 residual's peak; ours (below) is the
   * noise-based one alpha already used.
   */
  private static List<ProductImage> multiTerm(TcleanParams p, float[][] models, float[][] residuals,
      float[][] psfs, float[] pb, double[] sumwts, Beam beam) {
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
    List<ProductImage> out = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      restored[t] = Restorer.restore(models[t], corrected[t], nx, ny, p.cell()[0], p.cell()[1], beam);
      out.add(new ProductImage(names.path(Product.IMAGE, t), "Jy/beam", restored[t], true, TileKind.IMAGE, t));
    }
    for (int t = 0; t < 2; t++) {
      out.add(new ProductImage(names.path(Product.RESIDUAL, t), "Jy/beam", residuals[t], true, TileKind.RESIDUAL,
          t));
    }
    for (int t = 0; t < 2; t++) {
      out.add(new ProductImage(names.path(Product.MODEL, t), "Jy/pixel", models[t], false, TileKind.MODEL, t));
    }
    for (int t = 0; t < 3; t++) {
      out.add(new ProductImage(names.path(Product.PSF, t), "", psfs[t], true, TileKind.PSF, t));
    }
    out.add(new ProductImage(names.path(Product.PB, 0), "", pb, false, TileKind.PB, 0));
    for (int t = 0; t < 3; t++) {
      out.add(new ProductImage(names.path(Product.SUMWT, t), "", new float[] {(float) sumwts[t]}, false,
          TileKind.SUMWT, t));
    }
    // alpha where tt0 exceeds the larger of the threshold and 5x the robust rms of the tt0 residual.
    double cut = Math.max(p.threshold(), 5 * IterationControl.robustRms(residuals[0]));
    float[] alpha = new float[nx * ny];
    float[] alphaError = new float[nx * ny];
    for (int i = 0; i < alpha.length; i++) {
      if (restored[0][i] > cut) {
        double a = restored[1][i] / restored[0][i];
        double e0 = residuals[0][i] / restored[0][i];
        double e1 = residuals[1][i] / restored[1][i];
        alpha[i] = (float) a;
        alphaError[i] = (float) (Math.abs(a) * Math.sqrt(e0 * e0 + e1 * e1));
      } else {
        alpha[i] = Float.NaN;
        alphaError[i] = Float.NaN;
      }
    }
    out.add(new ProductImage(names.alpha(), "", alpha, false, TileKind.ALPHA, 0));
    out.add(new ProductImage(names.alphaError(), "", alphaError, false, TileKind.ALPHA_ERROR, 0));
    if (p.pbcor()) {
      out.add(new ProductImage(names.path(Product.PBCOR, 0), "Jy/beam", pbcor(p, restored[0], pb), true,
          TileKind.PBCOR, 0));
    }
    return out;
  }

  private static float[] pbcor(TcleanParams p, float[] image, float[] pb) {
    float[] corrected = new float[image.length];
    for (int i = 0; i < image.length; i++) {
      corrected[i] = pb[i] >= p.pblimit() ? image[i] / pb[i] : Float.NaN;
    }
    return corrected;
  }
}
