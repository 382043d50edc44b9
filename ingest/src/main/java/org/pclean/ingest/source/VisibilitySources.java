package org.pclean.ingest.source;

import java.nio.file.Path;
import java.util.Properties;

/** Opens the source a run names: an MS by path, or a dataset on the bus (which needs the cluster's client). */
public final class VisibilitySources {
  private VisibilitySources() {}

  /**
   * @param vis the MS, or null when a dataset is given
   * @param dataset the dataset on pclean.vis.&lt;dataset&gt;, or null
   * @param timerange [from, to) MJD seconds, read from the bus only for that range (null: all)
   * @param client Kafka client properties (bootstrap servers, security); needed for a dataset
   */
  public static VisibilitySource open(Path vis, String dataset, double[] timerange, Properties client) {
    if (dataset == null) {
      return MeasurementSetSource.open(vis);
    }
    if (client == null) {
      throw new IllegalArgumentException("imaging dataset " + dataset + " replays it from the bus: give the cluster"
          + " (--scheduler-address) or use `pclean replay`");
    }
    return DatasetReader.read(client, dataset, timerange);
  }
}
