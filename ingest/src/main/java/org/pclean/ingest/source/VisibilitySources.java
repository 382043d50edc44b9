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

  /**
   * One worker's last replayed dataset, kept while its tasks (the sub-cubes of one job) need it:
   * a cube job of 64 sub-cubes replays its topic once per worker, not once per sub-cube. A cached table is handed
   * out as is (closing a DumpTable frees nothing); an MS is opened afresh each time (casacore opens are cheap).
   * Not thread-safe: one cache per worker thread.
   */
  public static final class Cache {
    private String key;
    private DumpTable table;

    public VisibilitySource open(Path vis, String dataset, double[] timerange, Properties client) {
      if (dataset == null) {
        table = null;  // a worker that moved on to MS jobs holds no replayed dataset
        key = null;
        return MeasurementSetSource.open(vis);
      }
      String k = dataset + "|" + java.util.Arrays.toString(timerange) + "|" + client.get("bootstrap.servers");
      if (!k.equals(key)) {
        table = null;  // let the previous dataset go before reading the next
        key = null;
        table = (DumpTable) VisibilitySources.open(vis, dataset, timerange, client);
        key = k;
      }
      return table;
    }
  }
}
