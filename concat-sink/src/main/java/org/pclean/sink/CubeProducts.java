package org.pclean.sink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.StagedOutputs;
import org.pclean.casacore.TableDirectories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cube job's final product set from its sub-cubes, wherever they lie (the shared local directory, or the cube
 * sink's staging of sub-cubes that came over the bus): each product concatenated by concat_mode, FITS when asked,
 * the sub-cubes removed when copied or moved away; the job DONE, or FAILED with the reason and no partial
 * products left.
 */
final class CubeProducts {
  private static final Logger LOG = LoggerFactory.getLogger(CubeProducts.class);

  private CubeProducts() {}

  /**
   * @param subcube image-name prefix of sub-cube k ({@code <prefix>.image} ...)
   * @param subcubeDirectory the directory holding the job's sub-cubes, removed when they are no longer referred to
   */
  static JobSpec write(JobSpec job, List<Product> products, IntFunction<String> subcube, Path subcubeDirectory) {
    OutputNames names = new OutputNames(job.getImagename());
    LOG.info("job " + job.getJobId() + ": writing the cube to " + job.getImagename());
    // Each product goes under a temporary name; the set is renamed into place once every one is written.
    StagedOutputs staged = new StagedOutputs();
    try {
      boolean fits = job.getImaging() != null && job.getImaging().getFits();
      CubeConcatenator.ConcatMode mode =
          CubeConcatenator.ConcatMode.parse(job.getConcatMode()).resolve(job.getKeepSubcubes());
      if (products.contains(Product.SUMWT)) {  // which planes are blank
        BlankPlaneBeams.apply(job.getNumPartitions(), subcube, products);
      }
      for (Product product : products) {
        List<Path> parts = new ArrayList<>();
        for (int k = 0; k < job.getNumPartitions(); k++) {
          parts.add(Path.of(subcube.apply(k) + "." + product.suffix()));
        }
        Path out = staged.stage(names.path(product));
        CubeConcatenator.concatenate(parts, out, mode);
        if (fits) {
          try (CasaImage img = CasaImage.open(out)) {
            img.exportFits(staged.stage(names.fits(names.path(product))), true);
          }
        }
      }
      staged.commit();
      // A virtual cube refers to its sub-cubes where they are; otherwise they were copied or moved away.
      if (mode == CubeConcatenator.ConcatMode.MOVEVIRTUAL
          || (mode == CubeConcatenator.ConcatMode.PAGED && !job.getKeepSubcubes())) {
        TableDirectories.delete(subcubeDirectory);
      }
      LOG.info("job " + job.getJobId() + ": cube written to " + job.getImagename());
      return JobSpec.newBuilder(job).setState(JobState.DONE).build();
    } catch (RuntimeException e) {
      staged.abort();
      return JobSpec.newBuilder(job).setState(JobState.FAILED).setError("concatenation failed: " + e.getMessage())
          .build();
    }
  }
}
