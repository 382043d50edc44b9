package org.pclean.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;

/** A cube whose concatenation fails part-way leaves no product; one that succeeds leaves only final names. */
class CubeProductsTest {
  private static final double CELL = Math.toRadians(2.0 / 3600);
  @TempDir Path tmp;

  private void subcube(Path prefix, Product product, int first) {
    ImageGeometry g = new ImageGeometry(8, 8, "I", 1, 1.0, 0.5, CELL, CELL, 1.4e9 + first * 1e6, 1e6, 0);
    try (CasaImage img = CasaImage.create(Path.of(prefix + "." + product.suffix()), g)) {
      img.writePlane(0, 0, new float[64]);
    }
  }

  private JobSpec job(String imagename) {
    return JobSpec.newBuilder().setJobId("j1").setState(JobState.CONCATENATING).setMode(JobMode.CUBE).setVis("")
        .setImagename(imagename).setImaging(org.pclean.ingest.params.ImagingParamsCodec.toRecord(
            org.pclean.ingest.params.TcleanParams.builder().vis(Path.of("/d/x.ms")).imagename(imagename)
                .specmode(org.pclean.ingest.params.TcleanParams.SpecMode.CUBE).fits(true).build())).setNumPartitions(2).setNumChannels(2)
        .setConcatMode("paged").build();
  }

  private List<String> outputs() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFailureOnTheLastProductLeavesNoneOfTheSet() throws IOException {
    Path parts = Files.createDirectories(tmp.resolve("parts"));
    Files.createDirectories(tmp.resolve("out"));
    for (int k = 0; k < 2; k++) {
      subcube(parts.resolve("part-" + k), Product.IMAGE, k);
      subcube(parts.resolve("part-" + k), Product.RESIDUAL, k);
    }
    subcube(parts.resolve("part-0"), Product.PSF, 0);  // sub-cube 1's psf is missing: found only at the end
    JobSpec outcome = CubeProducts.write(job(tmp.resolve("out/cube").toString()),
        List.of(Product.IMAGE, Product.RESIDUAL, Product.PSF), k -> parts.resolve("part-" + k).toString(), parts);
    assertEquals(JobState.FAILED, outcome.getState());
    assertTrue(outcome.getError().contains("part-1.psf"), outcome.getError());
    assertEquals(List.of(), outputs(), "neither products nor temporaries are left");

    subcube(parts.resolve("part-1"), Product.PSF, 1);
    outcome = CubeProducts.write(job(tmp.resolve("out/cube").toString()),
        List.of(Product.IMAGE, Product.RESIDUAL, Product.PSF), k -> parts.resolve("part-" + k).toString(), parts);
    assertEquals(JobState.DONE, outcome.getState(), outcome.getError());
    assertEquals(List.of("cube.image", "cube.image.fits", "cube.psf", "cube.psf.fits", "cube.residual",
        "cube.residual.fits"), outputs());
  }
}
