package org.pclean.imaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;
import org.pclean.imaging.beam.Beam;

/**
 * Writes tclean's product set for a run, plane by plane: image, residual (Jy/beam), model (Jy/pixel), psf, pb,
 * sumwt (one pixel per plane), and image.pbcor when asked. Beams go per plane for cubes, one beam for mfs.
 */
final class ProductWriter implements AutoCloseable {
  private final OutputNames names;
  private final Map<Product, CasaImage> images = new EnumMap<>(Product.class);
  private final CasaImage pbcor;
  private final boolean cube;
  private final List<Path> written = new ArrayList<>();

  ProductWriter(String imagename, ImageGeometry g, boolean cube, boolean pbcor) {
    this.names = new OutputNames(imagename);
    this.cube = cube;
    for (Product p : Product.values()) {
      ImageGeometry pg = p == Product.SUMWT
          ? new ImageGeometry(1, 1, g.stokes(), g.nchan(), g.ra(), g.dec(), g.cellX(), g.cellY(), g.freq0(), g.dfreq(),
              g.restFreq())
          : g;
      CasaImage img = CasaImage.create(names.path(p), pg);
      img.setUnits(switch (p) {
        case IMAGE, RESIDUAL -> "Jy/beam";
        case MODEL -> "Jy/pixel";
        default -> "";
      });
      images.put(p, img);
      written.add(names.path(p));
    }
    Path pbcorPath = Path.of(names.path(Product.IMAGE) + ".pbcor");
    this.pbcor = pbcor ? CasaImage.create(pbcorPath, g) : null;
    if (pbcor) {
      this.pbcor.setUnits("Jy/beam");
      written.add(pbcorPath);
    }
  }

  void write(int chan, float[] image, float[] residual, float[] model, float[] psf, float[] pb, double sumwt,
      Beam beam, double pblimit) {
    images.get(Product.IMAGE).writePlane(0, chan, image);
    images.get(Product.RESIDUAL).writePlane(0, chan, residual);
    images.get(Product.MODEL).writePlane(0, chan, model);
    images.get(Product.PSF).writePlane(0, chan, psf);
    images.get(Product.PB).writePlane(0, chan, pb);
    images.get(Product.SUMWT).writePlane(0, chan, new float[] {(float) sumwt});
    for (Product p : new Product[] {Product.IMAGE, Product.RESIDUAL, Product.PSF}) {
      if (cube) {
        images.get(p).setPlaneBeam(chan, 0, beam.toImageBeam());
      } else {
        images.get(p).setRestoringBeam(beam.toImageBeam());
      }
    }
    if (pbcor != null) {
      float[] corrected = new float[image.length];
      for (int i = 0; i < image.length; i++) {
        corrected[i] = pb[i] >= pblimit ? image[i] / pb[i] : Float.NaN;
      }
      pbcor.writePlane(0, chan, corrected);
      if (cube) {
        pbcor.setPlaneBeam(chan, 0, beam.toImageBeam());
      } else {
        pbcor.setRestoringBeam(beam.toImageBeam());
      }
    }
  }

  /** Closes the images; exports each to FITS (<name>.fits) when asked. Returns the paths written. */
  List<Path> finish(boolean fits) {
    List<CasaImage> all = new ArrayList<>(images.values());
    if (pbcor != null) {
      all.add(pbcor);
    }
    List<Path> out = new ArrayList<>(written);
    for (CasaImage img : all) {
      if (fits) {
        Path f = names.fits(img.path());
        img.exportFits(f, true);
        out.add(f);
      }
    }
    close();
    return out;
  }

  /** A run that failed leaves no product set behind that could pass for a finished one. */
  void abort() {
    close();
    for (Path p : written) {
      deleteTree(p);
    }
  }

  private static void deleteTree(Path dir) {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var s = java.nio.file.Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException ignored) {
      // best effort; the run's own exception says what went wrong
    }
  }

  @Override
  public void close() {
    images.values().forEach(CasaImage::close);
    images.clear();
    if (pbcor != null) {
      pbcor.close();
    }
  }
}
