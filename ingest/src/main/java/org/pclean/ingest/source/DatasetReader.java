package org.pclean.ingest.source;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.MsMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a dataset from the bus: its descriptor from {@code pclean.datasets} and the dumps of a time range from
 * {@code pclean.vis.<dataset>} into a {@link DumpTable}, with no MeasurementSet anywhere. The range is found with
 * {@code offsetsForTimes} (records carry the observation time as their timestamp) and ends at the topic's end
 * offsets when the replay starts. A foreign record, a torn dump or a gap in the dump sequence is an error naming
 * the offset or the dumps: a replay never images partial data.
 */
public final class DatasetReader {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetReader.class);
  /** MJD seconds of the Unix epoch (1970-01-01 is MJD 40587). */
  public static final double MJD_UNIX_EPOCH_S = 40587.0 * 86400.0;
  private static final Duration POLL = Duration.ofMillis(200);

  private DatasetReader() {}

  /** The record timestamp (Unix ms) of an observation time (MJD seconds). */
  public static long timestampMillis(double mjdSeconds) {
    return Math.round((mjdSeconds - MJD_UNIX_EPOCH_S) * 1000.0);
  }

  /** The observation time (MJD seconds) of a Unix ms timestamp. */
  public static double mjdSeconds(long unixMillis) {
    return unixMillis / 1000.0 + MJD_UNIX_EPOCH_S;
  }

  /** The latest descriptor of a dataset on pclean.datasets, if there is one. */
  public static Optional<DatasetDescriptor> descriptor(Properties client, String dataset) {
    Topics.requireDatasetName(dataset);
    KafkaConsumer<String, byte[]> c = consumer(client);
    try {
      TopicPartition tp = new TopicPartition(Topics.DATASETS.name(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      DatasetDescriptor found = null;
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (!dataset.equals(r.key())) {
            continue;
          }
          if (r.value() == null) {
            found = null;  // deleted
            continue;
          }
          try {
            found = Messages.DATASET.fromBytes(r.topic(), r.value());
          } catch (BusFormatException e) {
            LOG.warn("skipping an undecodable descriptor of " + dataset + " at " + r.topic() + " offset "
                + r.offset() + ": " + e.getMessage());
          }
        }
      }
      return Optional.ofNullable(found);
    } finally {
      closeAtOnce(c);
    }
  }

  /**
   * A replay's table and what it took: seconds to the first record, seconds for the whole read, bytes and
   * records read (record values as stored, compressed batches decompressed by the client).
   */
  public record Replay(DumpTable table, double firstRecordSeconds, double readSeconds, long bytes, long records) {}

  /**
   * The dumps of a dataset whose TIME lies in [from, to) (MJD seconds; null: all), as a source.
   *
   * @throws IllegalArgumentException unknown dataset, empty range, foreign records, torn dumps or gaps
   */
  public static DumpTable read(Properties client, String dataset, double[] timeRange) {
    return replay(client, dataset, timeRange).table();
  }

  /** As {@link #read}, with the replay's timings. */
  public static Replay replay(Properties client, String dataset, double[] timeRange) {
    DatasetDescriptor d = requireDescriptor(client, dataset);
    String what = describe(dataset);
    DumpTable.Builder table = new DumpTable.Builder(d, what);
    Range range = readRange(client, dataset, timeRange, table::add);
    if (table.isEmpty()) {
      throw noDumps(what, timeRange, d);
    }
    DumpTable out = table.build(true);
    checkWhole(what, d, timeRange, out.sequences());
    double seconds = range.seconds();
    LOG.info(String.format(Locale.ROOT, "replayed %s: %d dumps, %d records, %.1f MB in %.2f s", what,
        out.sequences().length, table.chunks(), range.bytes() / 1e6, seconds));
    return new Replay(out, range.firstRecordSeconds(), seconds, range.bytes(), range.records());
  }

  /**
   * The Stokes I samples of one selection of a dataset, formed while its dumps are read (a replay of the
   * dataset's time range, as {@link #replay}, then {@link VisibilityLoader#load} on the table): each dump is
   * converted as soon as it is whole, on as many threads as the machine has cores up to two, so no table of every
   * correlation is built. Equal to loading the selection from {@link #read}'s table, sample for sample, in the
   * same row order; the same errors for foreign records, torn dumps and gaps.
   *
   * @param timeRange [from, to) MJD seconds of the dumps read (the selection's own timerange still applies)
   */
  public static Loaded load(Properties client, String dataset, double[] timeRange, DataSelection selection) {
    DatasetDescriptor d = requireDescriptor(client, dataset);
    String what = describe(dataset);
    try (StokesIAssembler dumps = new StokesIAssembler(d, what, selection)) {
      Range range = readRange(client, dataset, timeRange, dumps::add);
      if (dumps.isEmpty()) {
        throw noDumps(what, timeRange, d);
      }
      StokesIAssembler.Result r = dumps.finish();
      checkWhole(what, d, timeRange, r.sequences());
      double seconds = range.seconds();
      LOG.info(String.format(Locale.ROOT, "replayed %s into Stokes I: %d dumps, %d rows selected, %.1f MB in %.2f s",
          what, r.sequences().length, r.data().numRows(), range.bytes() / 1e6, seconds));
      Replay timings = new Replay(null, range.firstRecordSeconds(), seconds, range.bytes(), range.records());
      return new Loaded(r.data(), r.metadata(), r.firstDump(), timings);
    }
  }

  /**
   * A selection replayed into Stokes I: its samples, the dataset's metadata (rows: all the dumps read), the first
   * dump holding selected rows (a source to ask what a run asks of its source besides the samples: the
   * selection's spw and channels, the observation; not the whole dataset) and the replay's timings (no table).
   */
  public record Loaded(VisibilityData data, MsMetadata metadata, DumpTable firstDump, Replay replay) {}

  private static DatasetDescriptor requireDescriptor(Properties client, String dataset) {
    return descriptor(client, dataset).orElseThrow(() -> new IllegalArgumentException(
        "dataset " + dataset + " is not on the bus (no descriptor on " + Topics.DATASETS.name()
            + "; stream it first with `pclean stream`)"));
  }

  private static String describe(String dataset) {
    return "dataset " + dataset + " (" + Topics.visibilities(dataset).name() + ")";
  }

  private static IllegalArgumentException noDumps(String what, double[] timeRange, DatasetDescriptor d) {
    return new IllegalArgumentException(what + " has no dumps" + (timeRange == null ? ""
        : String.format(Locale.ROOT, " in the time range [%.3f, %.3f) MJD s (the dataset spans %.3f .. %.3f)",
            timeRange[0], timeRange[1], d.getStartTime(), d.getEndTime())));
  }

  /** A whole dataset replayed must hold every dump its complete descriptor lists; a live one is read so far. */
  private static void checkWhole(String what, DatasetDescriptor d, double[] timeRange, long[] seq) {
    if (timeRange == null && d.getComplete() && (seq[0] != 0 || seq.length != d.getNumDumps())) {
      throw new IllegalArgumentException(what + ": the topic holds " + seq.length + " of the " + d.getNumDumps()
          + " dumps its descriptor lists (first " + seq[0] + "); it was truncated or its retention removed dumps");
    }
    if (!d.getComplete()) {
      LOG.warn(what + " is still streaming: replaying the " + seq.length + " dumps on the topic so far");
    }
  }

  /** What reading a range took: seconds to the first record and in all, record bytes and records. */
  private record Range(double firstRecordSeconds, double seconds, long bytes, long records) {}

  /**
   * Reads the records of a dataset whose TIME lies in [from, to) and hands each decoded chunk to {@code sink} on
   * the caller's thread, in partition order within each fetcher's segments.
   */
  private static Range readRange(Properties client, String dataset, double[] timeRange,
      java.util.function.Consumer<VisibilityChunk> sink) {
    String topic = Topics.visibilities(dataset).name();
    String what = describe(dataset);
    long t0 = System.nanoTime();
    long bytes = 0;
    long records = 0;
    double first = -1;
    List<Segment> segments = new ArrayList<>();
    KafkaConsumer<String, byte[]> c = consumer(client);
    try {
      List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException(what + " has no visibility topic on the bus");
      }
      List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      Map<TopicPartition, Long> start;
      if (timeRange == null || Double.isInfinite(timeRange[0])) {
        start = c.beginningOffsets(parts);
      } else {
        Map<TopicPartition, Long> query = new HashMap<>();
        // One ms before the range: timestamps are the observation time rounded to ms.
        parts.forEach(p -> query.put(p, timestampMillis(timeRange[0]) - 1));
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query);
        start = new HashMap<>();
        for (TopicPartition p : parts) {
          OffsetAndTimestamp o = found.get(p);
          start.put(p, o == null ? end.get(p) : o.offset());
        }
      }
      // Where the range ends, by timestamp: only where the fetchers split it (the decoder still ends each
      // partition at its first dump past the range, and the last segment runs on to the end offset), so a short
      // range is not split at a point beyond it.
      Map<TopicPartition, Long> split = end;
      if (timeRange != null && !Double.isInfinite(timeRange[1])) {
        Map<TopicPartition, Long> query = new HashMap<>();
        parts.forEach(p -> query.put(p, timestampMillis(timeRange[1]) + 1));
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query);
        split = new HashMap<>();
        for (TopicPartition p : parts) {
          OffsetAndTimestamp o = found.get(p);
          split.put(p, o == null ? end.get(p) : Math.min(end.get(p), o.offset()));
        }
      }
      segments = segments(parts, start, split, fetchers(parts.size(), start, split));
      if (split != end) {
        for (int k = 0; k < segments.size(); k++) {
          Segment g = segments.get(k);
          boolean lastOfPartition = k + 1 == segments.size() || !segments.get(k + 1).partition().equals(g.partition());
          if (lastOfPartition) {
            segments.set(k, new Segment(g.partition(), g.from(), Math.max(g.to(), end.get(g.partition())),
                g.fetcher()));
          }
        }
      }
    } finally {
      closeAtOnce(c);
    }
    // A partition holds its dumps in time order: the first one at or past the range's end closes its segment and
    // the later segments of its partition (the earlier ones hold earlier dumps and are read on).
    Set<Segment> done = ConcurrentHashMap.newKeySet();
    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(FETCH_QUEUE);
    List<Fetcher> fetchers = new ArrayList<>();
    try {
      for (List<Segment> mine : byFetcher(segments)) {
        fetchers.add(new Fetcher(consumer(client, new ByteBufferDeserializer()), mine, done, queue));
      }
      for (int running = fetchers.size(); running > 0; ) {
        Batch batch = Fetcher.next(queue);
        if (batch == null) {
          running--;
          continue;
        }
        for (ConsumerRecord<String, ByteBuffer> r : batch.records()) {
          if (done.contains(batch.segment())) {
            break;
          }
          VisibilityChunk chunk = decode(r, what);
          bytes += r.serializedValueSize();
          records++;
          if (first < 0) {
            first = (System.nanoTime() - t0) / 1e9;
          }
          if (timeRange != null && chunk.getTime() >= timeRange[1]) {
            for (Segment g : segments) {
              if (g.partition().equals(batch.segment().partition()) && g.from() >= batch.segment().from()) {
                done.add(g);
              }
            }
            break;
          }
          if (timeRange == null || chunk.getTime() >= timeRange[0]) {
            sink.accept(chunk);  // copies what it keeps out of the record, which is let go here
          }
        }
      }
    } finally {
      fetchers.forEach(Fetcher::close);
    }
    return new Range(first, (System.nanoTime() - t0) / 1e9, bytes, records);
  }

  private static VisibilityChunk decode(ConsumerRecord<String, ByteBuffer> r, String what) {
    if (r.value() == null) {
      throw new IllegalArgumentException(what + ": empty record at offset " + r.offset());
    }
    try {
      return ChunkDecoder.decode(r.topic(), r.value());
    } catch (BusFormatException e) {
      throw new IllegalArgumentException(what + ": the record at partition " + r.partition() + " offset "
          + r.offset() + " is not a visibility chunk (" + e.getMessage() + ")");
    }
  }

  /** An assign-mode consumer (no group) for reading whole topic ranges. */
  static KafkaConsumer<String, byte[]> consumer(Properties client) {
    return consumer(client, new ByteArrayDeserializer());
  }

  /**
   * As {@link #consumer(Properties)} with another value deserializer. Fetches are large (a replay reads the whole
   * topic: at one record's 8 MiB per partition a fetch of the VLA bench's topic took 60 round trips) and the socket
   * buffer is left to the OS's autotuning (Kafka's fixed 64 KiB default throttles a local broker).
   */
  static <V> KafkaConsumer<String, V> consumer(Properties client, Deserializer<V> values) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * Topics.MAX_RECORD_BYTES));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(8 * Topics.MAX_RECORD_BYTES));
    p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "-1");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(FETCH_BATCH_RECORDS));
    return new KafkaConsumer<>(p, new StringDeserializer(), values);
  }

  /** Records one poll hands the decoder at most (~19 MB of the VLA bench's dumps). */
  private static final int FETCH_BATCH_RECORDS = 16;
  /**
   * Polled batches waiting for the decoder: with the batch size, what bounds a replay's memory beyond its table
   * (records waiting here live through young collections, which copy them).
   */
  private static final int FETCH_QUEUE = 4;
  /** Records a fetcher reads at least: a shorter range is read by one. */
  private static final long RECORDS_PER_FETCHER = 64;

  /** Offsets [from, to) of one partition, read by one fetcher. */
  record Segment(TopicPartition partition, long from, long to, int fetcher) {}

  /** A poll's records of one segment. */
  private record Batch(Segment segment, List<ConsumerRecord<String, ByteBuffer>> records) {}

  /**
   * How many fetchers read the range: one per core up to two (a fetcher's thread spends its time decompressing
   * lz4 batches, which one consumer does on one thread; the decoder takes a third share), fewer for a short
   * range.
   */
  private static int fetchers(int partitions, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
    long records = 0;
    for (TopicPartition p : start.keySet()) {
      records += Math.max(0, end.get(p) - start.get(p));
    }
    int cores = Runtime.getRuntime().availableProcessors();
    return (int) Math.max(1, Math.min(Math.min(2, cores), records / RECORDS_PER_FETCHER));
  }

  /**
   * The range as segments for n fetchers: partitions dealt round-robin, and when there are fewer partitions than
   * fetchers a partition's offsets split into consecutive parts (one topic partition is the usual dataset); every
   * partition has at least one segment.
   */
  static List<Segment> segments(List<TopicPartition> parts, Map<TopicPartition, Long> start,
      Map<TopicPartition, Long> end, int n) {
    List<Segment> out = new ArrayList<>();
    int split = parts.size() >= n ? 1 : (n + parts.size() - 1) / parts.size();
    int next = 0;
    for (TopicPartition p : parts) {
      long from = start.get(p);
      long to = Math.max(from, end.get(p));
      for (int k = 0; k < split; k++) {
        long a = from + (to - from) * k / split;
        long b = from + (to - from) * (k + 1) / split;
        if (b > a || k == 0) {  // an empty range is one empty segment (a time range's may be extended)
          out.add(new Segment(p, a, b, next++ % n));
        }
      }
    }
    return out;
  }

  private static List<List<Segment>> byFetcher(List<Segment> segments) {
    Map<Integer, List<Segment>> by = new TreeMap<>();
    segments.forEach(g -> by.computeIfAbsent(g.fetcher(), f -> new ArrayList<>()).add(g));
    return new ArrayList<>(by.values());
  }

  /**
   * Polls its segments on its own thread with its own consumer, so fetching and decompressing the next records
   * overlaps decoding the last ones into the table on the caller's thread, and two fetchers decompress two parts
   * of the range at once (fetching took 2.4 s of the VLA bench's replay, decoding 1 s after it). A segment is
   * finished at its end or when the caller puts it in {@code done}; a null batch on the queue says this fetcher
   * is through, an exception on it what failed.
   */
  private static final class Fetcher implements AutoCloseable {
    private static final Object END = new Object();
    private final KafkaConsumer<String, ByteBuffer> consumer;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean stop;

    Fetcher(KafkaConsumer<String, ByteBuffer> c, List<Segment> segments, Set<Segment> done,
        BlockingQueue<Object> queue) {
      this.consumer = c;
      this.queue = queue;
      Map<TopicPartition, Segment> of = new HashMap<>();
      segments.forEach(g -> of.put(g.partition(), g));
      c.assign(of.keySet());
      segments.forEach(g -> c.seek(g.partition(), g.from()));
      thread = new Thread(() -> {
        Object last = END;
        try {
          Set<Segment> paused = new HashSet<>();
          while (!stop) {
            for (Segment g : segments) {
              if (!paused.contains(g) && (done.contains(g) || c.position(g.partition()) >= g.to())) {
                paused.add(g);
                c.pause(List.of(g.partition()));
              }
            }
            if (paused.size() == segments.size()) {
              break;
            }
            Map<Segment, List<ConsumerRecord<String, ByteBuffer>>> batches = new HashMap<>();
            for (ConsumerRecord<String, ByteBuffer> r : c.poll(POLL)) {
              Segment g = of.get(new TopicPartition(r.topic(), r.partition()));
              if (r.offset() < g.to()) {
                batches.computeIfAbsent(g, x -> new ArrayList<>()).add(r);
              }
            }
            for (var e : batches.entrySet()) {
              put(new Batch(e.getKey(), e.getValue()));
            }
          }
        } catch (InterruptedException e) {
          return;  // closed by the caller, who no longer reads
        } catch (RuntimeException e) {
          last = e;
        }
        try {
          put(last);
        } catch (InterruptedException e) {
          // closed by the caller
        }
      }, "pclean-replay-fetch");
      thread.setDaemon(true);
      thread.start();
    }

    private void put(Object o) throws InterruptedException {
      while (!stop && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        // the decoder is behind: wait for it (or for close)
      }
    }

    /** The next batch of any fetcher, or null when one of them is through; rethrows what a fetcher failed on. */
    static Batch next(BlockingQueue<Object> queue) {
      Object o;
      try {
        o = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while replaying", e);
      }
      if (o == END) {
        return null;
      }
      if (o instanceof RuntimeException e) {
        throw e;
      }
      return (Batch) o;
    }

    /** Stops the thread (at once when the caller gave up early) and closes the consumer. */
    @Override
    public void close() {
      stop = true;
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeAtOnce(consumer);
    }
  }

  /**
   * Closes an assign-mode consumer without waiting: it has no group to leave and no offsets to commit, and the
   * default close waits for the fetch still parked at the broker (up to fetch.max.wait.ms, 0.5 s), which cost each
   * replay about a second of its wall time for the descriptor's consumer and the fetchers'.
   */
  static void closeAtOnce(KafkaConsumer<?, ?> consumer) {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }
}
