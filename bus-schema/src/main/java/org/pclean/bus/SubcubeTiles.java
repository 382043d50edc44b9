package org.pclean.bus;

import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.TileKind;

/**
 * The rules of sub-cubes on the bus ({@link Topics#SUBCUBES}), shared by the workers that publish them and the
 * sink that stages them: which jobs send them, which tile kind carries which product, and the record key.
 */
public final class SubcubeTiles {
  private SubcubeTiles() {}

  /**
   * A cube job whose sub-cubes travel as tiles: asked for, or forced by a dataset source (a job fed from the bus
   * must not need a shared filesystem for anything else either).
   */
  public static boolean onBus(JobSpec job) {
    return job.getMode() == JobMode.CUBE && (job.getSubcubesOnBus() || job.getDataset() != null);
  }

  /** Key of every record of a job's sub-cubes: the job, so they share one partition (and one sink member). */
  public static String key(String jobId) {
    return Topics.jobKey(jobId);
  }

  public static TileKind kind(Product p) {
    return switch (p) {
      case IMAGE -> TileKind.IMAGE;
      case RESIDUAL -> TileKind.RESIDUAL;
      case MODEL -> TileKind.MODEL;
      case PSF -> TileKind.PSF;
      case PB -> TileKind.PB;
      case SUMWT -> TileKind.SUMWT;
      case MASK -> TileKind.MASK;
      case PBCOR -> TileKind.PBCOR;
    };
  }

  public static Product product(TileKind k) {
    return switch (k) {
      case IMAGE -> Product.IMAGE;
      case RESIDUAL -> Product.RESIDUAL;
      case MODEL -> Product.MODEL;
      case PSF -> Product.PSF;
      case PB -> Product.PB;
      case SUMWT -> Product.SUMWT;
      case MASK -> Product.MASK;
      case PBCOR -> Product.PBCOR;
      default -> throw new IllegalArgumentException("tile kind " + k + " is no sub-cube product");
    };
  }
}
