package org.pclean.ops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.CorrelatorEmulator;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.stream.DumpFeed;
import org.pclean.ingest.stream.EmulatedDumps;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.config.KafkaClientConfig;
import org.pclean.ops.parallel.ParallelRunner;
import org.pclean.ops.parallel.ParallelSession;

/**
 * The Java API, embeddable in any JVM program, with tclean's names and defaults:
 * <pre>{@code
 * TcleanParams p = PClean.builder().vis(ms).imagename("out/cont").imsize(512, 512).niter(1000).build();
 * PClean.run(p);                                        // serial engine
 * PClean.run(p, ParallelRunner.Settings...);            // parallel cube / continuum on Kafka (as pclean --parallel)
 * try (ParallelSession s = PClean.session(settings)) { s.run(p1); s.run(p2); }   // many jobs, services kept warm
 * Properties bus = PClean.client("kafka:9092");
 * PClean.stream(ms, new StreamPublisher.Settings("obs1", 20), bus);     // publish an MS as a live stream
 * PClean.replay(PClean.builder().dataset("obs1").imagename("re").weighting(BRIGGS).build(), bus);
 * try (SnapshotImager s = PClean.snapshots(bus, settings, (ready, image) -> ...)) { ... }  // live snapshots
 * }</pre>
 */
public final class PClean {
  private PClean() {}

  public static TcleanParams.Builder builder() {
    return TcleanParams.builder();
  }

  /**
   * A pclean-style configuration: defaults &lt; presets &lt; YAML files &lt; values set here, e.g.
   * {@code PClean.config().preset("cube-default").file(Path.of("run.yaml")).set("iteration.niter", 1000)
   * .resolve()}, then {@code params()} and {@code settings()}.
   */
  public static org.pclean.ops.config.PcleanConfig.Builder config() {
    return org.pclean.ops.config.PcleanConfig.builder();
  }

  /**
   * Kafka client properties for a cluster: its bootstrap servers plus the security and client properties of
   * {@code PCLEAN_KAFKA_CONFIG} and {@code PCLEAN_KAFKA_*} (see {@link KafkaClientConfig}); add more as needed.
   */
  public static Properties client(String bootstrapServers) {
    return KafkaClientConfig.forCluster(bootstrapServers, null);
  }

  /** Images serially (the MS of p; a dataset needs {@link #replay}). */
  public static ImagingResult run(TcleanParams params) {
    ExistingProducts.prepare(params);
    return SerialImager.run(params);
  }

  /**
   * Images in parallel on Kafka, as pclean's {@code pclean(parallel=True)}: specmode cube spreads sub-cubes over
   * the workers, mfs spreads row chunks per major cycle; an embedded broker unless the settings name a cluster.
   */
  public static ParallelRunner.Outcome run(TcleanParams params, ParallelRunner.Settings settings)
      throws IOException, InterruptedException {
    return ParallelRunner.run(params, settings);
  }

  /**
   * A session for many parallel jobs in this process, one after another on the same broker (embedded unless the
   * settings name a cluster), coordinator, sinks and workers, started with its first job and stopped on close:
   * {@code try (ParallelSession s = PClean.session(settings)) { s.run(p1); s.run(p2); }}. Each run is as
   * {@link #run(TcleanParams, ParallelRunner.Settings)} without the start-up (see {@link ParallelSession}).
   */
  public static ParallelSession session(ParallelRunner.Settings settings) {
    return ParallelSession.open(settings);
  }

  /** Publishes an MS onto the bus as a live correlator would (see {@link StreamPublisher}). */
  public static StreamPublisher.Summary stream(Path vis, StreamPublisher.Settings settings, Properties client)
      throws InterruptedException {
    return StreamPublisher.publish(vis, settings, client, null);
  }

  /**
   * Publishes a simulated observation live, one predicted dump at a time, with no MS (as
   * {@code pclean simulate --stream}): the same rows and visibilities {@link MsSimulator} would write.
   */
  public static StreamPublisher.Summary simulateStream(AntennaArray array, MsSimulator.Observation obs,
      List<MsSimulator.PointSource> sky, StreamPublisher.Settings settings, Properties client)
      throws InterruptedException {
    try (DumpFeed feed = new EmulatedDumps(CorrelatorEmulator.open(array, obs, sky))) {
      return StreamPublisher.publish(feed, settings, client, null);
    }
  }

  /** Images a dataset from the bus alone (params.dataset(), optionally params.timerange()), serially. */
  public static ImagingResult replay(TcleanParams params, Properties client) {
    if (params.dataset() == null) {
      throw new IllegalArgumentException("replay needs the dataset to read from the bus");
    }
    ExistingProducts.prepare(params);
    return SerialImager.run(params, client);
  }

  /**
   * Starts snapshot imaging of a live dataset on the cluster client reaches (as {@code pclean snapshot}):
   * {@code listener.onSnapshot(SnapshotReady, image)} is called for every published snapshot. Close the returned
   * imager to stop it.
   */
  public static SnapshotImager snapshots(Properties client, SnapshotImager.Settings settings,
      SnapshotImager.Listener listener) {
    return new SnapshotImager(client, settings, listener).start();
  }
}
