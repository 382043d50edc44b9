package org.pclean.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.pclean.bus.OutputNames.Product;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;

/**
 * The beam of a cube's blank planes (channels with nothing unflagged, sum of weights 0), made the same however the
 * cube was split. casacore's beam sets hold no null beam, so the serial engine gives every blank plane the beam of
 * the cube's first imaged plane; a sub-cube can only give its own first one, or none when all its planes are
 * blank. Before the sub-cubes are joined, their blank planes get the whole cube's rule.
 */
final class BlankPlaneBeams {
  /** The products that carry per-plane beams (the restored, residual, PSF and pbcor images). */
  private static final List<Product> WITH_BEAMS = List.of(Product.IMAGE, Product.RESIDUAL, Product.PSF,
      Product.PBCOR);

  private BlankPlaneBeams() {}

  /**
   * subcube: the image-name prefix of sub-cube k, of numPartitions; products: those joined (with the .sumwt). A
   * cube without a blank plane is left as it is.
   */
  static void apply(int numPartitions, IntFunction<String> subcube, List<Product> products) {
    boolean[][] blank = new boolean[numPartitions][];
    Beam first = null;
    for (int k = 0; k < numPartitions; k++) {
      try (CasaImage sumwt = CasaImage.open(Path.of(subcube.apply(k) + "." + Product.SUMWT.suffix()))) {
        int nchan = sumwt.shape()[3];
        blank[k] = new boolean[nchan];
        for (int c = 0; c < nchan; c++) {
          blank[k][c] = sumwt.readPlane(0, c)[0] == 0;
          if (!blank[k][c] && first == null) {
            try (CasaImage image = CasaImage.open(Path.of(subcube.apply(k) + "." + Product.IMAGE.suffix()))) {
              first = image.beam(c, 0);
            }
          }
        }
      }
    }
    if (first == null) {
      return;  // nothing imaged at all: the job was refused before it started
    }
    for (int k = 0; k < numPartitions; k++) {
      for (Product product : WITH_BEAMS) {
        Path path = Path.of(subcube.apply(k) + "." + product.suffix());
        if (!products.contains(product) || !Files.isDirectory(path) || !anyBlank(blank[k])) {
          continue;
        }
        try (CasaImage img = CasaImage.open(path, true)) {
          for (int c = 0; c < blank[k].length; c++) {
            if (blank[k][c]) {
              img.setPlaneBeam(c, 0, first);
            }
          }
        }
      }
    }
  }

  private static boolean anyBlank(boolean[] planes) {
    for (boolean b : planes) {
      if (b) {
        return true;
      }
    }
    return false;
  }
}
