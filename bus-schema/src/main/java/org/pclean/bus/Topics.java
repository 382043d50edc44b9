package org.pclean.bus;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;

/**
 * The one registry of pclean's topics: names, partition counts and topic-level configs (DESIGN.md §3).
 *
 * <p>Data topics carry records of up to ~4 MiB (a 512x512 float tile is 1 MiB), above Kafka's ~1 MiB default,
 * so they are created with a topic-level {@code max.message.bytes} of 8 MiB: that works on any cluster
 * without touching broker defaults. Producers and consumers must match it ({@link #MAX_RECORD_BYTES}).
 */
public final class Topics {
  /** Largest record a data topic accepts (topic max.message.bytes, producer max.request.size). */
  public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;
  /** Largest payload pclean itself sends in one record; bigger payloads are tiled or refused. */
  public static final int MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

  /** A topic: its name, default partition count and configs. */
  public record Topic(String name, int partitions, Map<String, String> configs) {
    public boolean compacted() {
      return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }
  }

  private static final Map<String, String> DATA = Map.of(
      TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES));

  /**
   * Job specs keyed by jobId; compacted, so the latest state of every job survives, until the coordinator
   * tombstones an ended job after its retention (JobRetention).
   */
  public static final Topic JOBS = new Topic("pclean.jobs", 1,
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  /** Partition descriptors, one task per record, consumed by the pclean-workers group. */
  public static final Topic TASKS = new Topic("pclean.tasks", 16, Map.of());
  /**
   * Sub-cube tasks of cube jobs on a cluster with share groups: a queue ({@link SubcubeQueue}), taken one record at
   * a time by any member of {@link #SUBCUBE_QUEUE_GROUP}. One partition: a share group still assigns partitions to
   * its members, dividing them while there are no more members than partitions (with 4 partitions and 2 workers
   * each took only the tasks of its own 2), and shares a partition among all members only beyond that. A few
   * records per job need no more.
   */
  public static final Topic SUBCUBE_TASKS = new Topic("pclean.subcube-tasks", 1, Map.of());
  /** Partial images from workers (residual/psf/weight/pb/sumwt tiles). */
  public static final Topic PARTIALS = new Topic("pclean.partials", 16, DATA);
  /**
   * Partial tiles summed over all partitions of a cycle (one record per job, cycle, plane and tile): the
   * Streams app's hand-over from gathering to its minor-cycle stage.
   */
  public static final Topic GATHERED = new Topic("pclean.gathered", 16, DATA);
  /** Model tiles per job and cycle; compacted so the newest model per tile is kept. */
  public static final Topic MODELS = new Topic("pclean.models", 16, Map.of(
      TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES),
      TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  /**
   * Final continuum products (key jobId): a manifest, then the tiles of each product image, written by the
   * coordinator in one transaction and turned into CASA images by the sink.
   */
  public static final Topic PRODUCTS = new Topic("pclean.products", 4, DATA);
  /**
   * Sub-cubes of jobs without a shared filesystem (key jobId): per sub-cube a manifest, then the tiles of its
   * planes, written by the worker that imaged it before its SubcubeReady and staged by the cube sink. A topic of
   * its own rather than pclean.products: many workers write it (the coordinator alone writes products, in one
   * transaction per job), a cube sink need not read continuum products nor the continuum sink cube tiles, and
   * keying by job puts all of a job's sub-cubes in one partition, so one sink member sees the whole job.
   */
  public static final Topic SUBCUBES = new Topic("pclean.subcubes", 4, DATA);
  /** Finished planes / sub-cubes with their beams, counted by the Streams app. */
  public static final Topic PLANES = new Topic("pclean.planes", 4, Map.of());
  /** Progress, convergence and timing events per job. */
  public static final Topic EVENTS = new Topic("pclean.events", 4, Map.of());
  /**
   * Dataset descriptors keyed by dataset (antennas, fields, spws, correlations, time range); compacted, so the
   * latest descriptor of every dataset survives as long as its visibilities do.
   */
  public static final Topic DATASETS = new Topic("pclean.datasets", 1,
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  /** Snapshot images of live datasets: a SnapshotReady per window, then its image tiles (key dataset/window). */
  public static final Topic SNAPSHOTS = new Topic("pclean.snapshots", 4, DATA);
  /** Poison and oversize records with the reason. */
  public static final Topic DEAD_LETTER = new Topic("pclean.dlq", 1, DATA);

  /** Consumer group of the imaging workers. */
  public static final String WORKER_GROUP = "pclean-workers";
  /** Share group (KIP-932) of the imaging workers on {@link #SUBCUBE_TASKS}. */
  public static final String SUBCUBE_QUEUE_GROUP = "pclean-subcube-workers";

  private static final String VIS_PREFIX = "pclean.vis.";

  private Topics() {}

  /** All fixed topics, in the order they are created. */
  public static List<Topic> all() {
    return List.of(JOBS, TASKS, SUBCUBE_TASKS, PARTIALS, GATHERED, MODELS, PRODUCTS, SUBCUBES, PLANES, EVENTS,
        DATASETS, SNAPSHOTS, DEAD_LETTER);
  }

  /**
   * Compression of visibility records, on the topic and in its producers. lz4, not zstd: on the 548 MB bench MS zstd
   * keeps 496 MB on the topic against lz4's 526 MB (6 % less), but decompressing it costs a replay about one
   * CPU-second more, a large share of what a dirty replay pays over reading the MS (1.52 vs 1.29 of the MS's time).
   */
  public static final String VIS_COMPRESSION = "lz4";

  /**
   * The visibility topic of a dataset (streaming and replay). One partition, so a dataset's dumps stay in the order
   * they were observed; compressed with {@link #VIS_COMPRESSION} (producers use it too, so the broker keeps their
   * batches as they come); kept until the site deletes it (retention.ms -1: records
   * carry the observation time as their timestamp, which time-based retention would treat as long expired, and
   * which may lie far in the past or future of the broker's clock). The dataset name may hold letters, digits,
   * '.', '_' and '-' (Kafka's topic alphabet).
   */
  public static Topic visibilities(String dataset) {
    String name = VIS_PREFIX + requireDatasetName(dataset);
    if (name.length() > 249) {
      throw new IllegalArgumentException("topic name " + name + " exceeds Kafka's 249 characters");
    }
    return new Topic(name, 1, Map.of(
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES),
        TopicConfig.COMPRESSION_TYPE_CONFIG, VIS_COMPRESSION,
        TopicConfig.RETENTION_MS_CONFIG, "-1",
        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
        TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE),
        TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE)));
  }

  /** The dataset name, checked to be usable in a topic name. */
  public static String requireDatasetName(String dataset) {
    if (dataset == null || !dataset.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("dataset name '" + dataset
          + "' cannot name a topic: use letters, digits, '.', '_' or '-'");
    }
    return dataset;
  }

  /** Key of a job's records on pclean.jobs, pclean.events, pclean.products and pclean.subcubes: the job id. */
  public static String jobKey(String jobId) {
    return jobId;
  }

  /**
   * Key of a task on pclean.tasks: jobId/partition, the same in every cycle, so a redelivered or next-cycle task of
   * a row chunk is recognisable by key.
   */
  public static String taskKey(String jobId, int partitionIndex) {
    return jobId + "/" + partitionIndex;
  }

  /** Key of a finished sub-cube on pclean.planes: jobId/partition, like its task. */
  public static String planeKey(String jobId, int partitionIndex) {
    return taskKey(jobId, partitionIndex);
  }

  /**
   * Key of a model or density tile on the compacted pclean.models: jobId/attempt/kind/term/tile, without the cycle,
   * so compaction keeps the newest model of each tile.
   */
  public static String modelKey(String jobId, int attempt, TileKind kind, int term, int tileIndex) {
    return jobId + "/" + attempt + "/" + kind + "/" + term + "/" + tileIndex;
  }

  /** Key of a partial tile on pclean.partials: see {@link ImageTiles#gatherKey}. */
  public static String partialKey(ImageTile tile) {
    return ImageTiles.gatherKey(tile);
  }

  /** Key of a visibility record: dataset/spw/channel block. */
  public static String visibilityKey(String dataset, int spw, int block) {
    return dataset + "/" + spw + "/" + block;
  }

  /** Key of a snapshot's records: dataset/window start (MJD seconds, as written). */
  public static String snapshotKey(String dataset, double windowStart) {
    return dataset + "/" + String.format(java.util.Locale.ROOT, "%.3f", windowStart);
  }

  public static Optional<Topic> byName(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
