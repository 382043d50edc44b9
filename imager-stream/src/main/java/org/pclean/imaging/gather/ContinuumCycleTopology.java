package org.pclean.imaging.gather;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.ingest.TaskPlacement;

/**
 * Wires the continuum coordinator ({@link ContinuumCycleProcessor}) onto the topology: gathered tiles in (keyed
 * by job, so one task sees all of a job's tiles in order), its two changelogged stores, and one sink per topic it
 * writes. It reads job specs from the global store the cube topology materialises from pclean.jobs.
 */
public final class ContinuumCycleTopology {
  public static final String TILES_STORE = "continuum-tiles";
  public static final String STATE_STORE = "continuum-state";
  static final String MODELS_SINK = "continuum-models-sink";
  static final String TASKS_SINK = "continuum-tasks-sink";
  static final String PRODUCTS_SINK = "continuum-products-sink";
  static final String JOBS_SINK = "continuum-jobs-sink";
  static final String EVENTS_SINK = "continuum-events-sink";
  private static final String SOURCE = "gathered-source";
  private static final String PROCESSOR = "continuum-cycle";
  private static final String RETENTION = "job-retention";

  private ContinuumCycleTopology() {}

  /** A row chunk's task goes to its pinned partition (so it stays with its worker), else by key hash. */
  private static Optional<Set<Integer>> taskPartition(String topic, String key, Object value, int partitions) {
    Integer p = value instanceof PartitionDescriptor d ? TaskPlacement.partitionOf(d) : null;
    return p != null && p < partitions ? Optional.of(Set.of(p)) : Optional.empty();
  }

  /**
   * Adds the coordinator to a topology that already holds {@link CubeCompletionTopology}'s jobs store; each
   * cycle's tasks are placed on the worker group by {@code rebalancer}, its minor cycles run on {@code minorCycles}.
   * The {@link JobRetention} sweep of pclean.jobs rides in the same sub-topology (it needs the same sinks).
   */
  static Topology addTo(Topology topology, TaskRebalancer rebalancer, Executor minorCycles,
      JobRetention.Settings retention) {
    Map<String, String> bigRecords = Map.of("max.message.bytes", Integer.toString(Topics.MAX_RECORD_BYTES));
    topology.addSource(SOURCE, new StringDeserializer(), Messages.IMAGE_TILE.deserializer(), Topics.GATHERED.name())
        .addProcessor(PROCESSOR, () -> new ContinuumCycleProcessor(rebalancer, minorCycles), SOURCE)
        .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TILES_STORE), Serdes.String(),
            Messages.IMAGE_TILE).withLoggingEnabled(bigRecords), PROCESSOR)
        .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
            Messages.CONTINUUM_STATE).withLoggingEnabled(Map.of()), PROCESSOR)
        .addProcessor(RETENTION, () -> new JobRetention(retention, JOBS_SINK, MODELS_SINK), SOURCE);
    StringSerializer keys = new StringSerializer();
    BusSerializer values = new BusSerializer();
    topology.addSink(MODELS_SINK, Topics.MODELS.name(), keys, values, PROCESSOR, RETENTION)
        .addSink(TASKS_SINK, Topics.TASKS.name(), keys, values, ContinuumCycleTopology::taskPartition, PROCESSOR)
        .addSink(PRODUCTS_SINK, Topics.PRODUCTS.name(), keys, values, PROCESSOR)
        .addSink(JOBS_SINK, Topics.JOBS.name(), keys, values, PROCESSOR, RETENTION)
        .addSink(EVENTS_SINK, Topics.EVENTS.name(), keys, values, PROCESSOR);
    return topology;
  }
}
