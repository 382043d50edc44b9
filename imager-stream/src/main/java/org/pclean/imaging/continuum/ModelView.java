package org.pclean.imaging.continuum;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;

/**
 * The newest model and density tiles of every running continuum job, read from the compacted pclean.models
 * topic (read_committed, so a cycle's model appears whole) by a background consumer. The coordinator keys the
 * topic per job, kind, term and tile without the cycle, so compaction keeps one model per job; each tile says
 * which cycle it is from. A worker asks for the model of cycle k-1 before gridding cycle k.
 */
public final class ModelView implements AutoCloseable {
  /** What {@link #await} found: the assembled image, or that a later cycle's image already replaced it. */
  public record Lookup(float[] image, boolean superseded) {}

  private final Map<String, ImageTile> tiles = new ConcurrentHashMap<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;

  public ModelView(Properties clientConfig) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(Topics.MODELS.name()).stream()
        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread = new Thread(this::loop, "pclean-models-view");
    thread.setDaemon(true);
    thread.start();
  }

  /** The record key of a model-topic tile: one per job, attempt, kind, term and tile (cycles overwrite). */
  public static String key(String jobId, int attempt, TileKind kind, int term, int tileIndex) {
    return jobId + "/" + attempt + "/" + kind + "/" + term + "/" + tileIndex;
  }

  private void loop() {
    try {
      while (!closed) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() == null) {
            tiles.remove(r.key());  // the job is over: its tiles were tombstoned
            continue;
          }
          try {
            tiles.put(r.key(), Messages.IMAGE_TILE.fromBytes(r.topic(), r.value()));
          } catch (BusFormatException e) {
            // not a model tile: nothing a worker can use
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /**
   * The nx*ny image of (job, attempt, kind, term) from cycle, waiting up to timeout for all its tiles.
   * superseded when a tile is already from a later cycle (the task being done was gathered already).
   */
  public Optional<Lookup> await(String jobId, int attempt, TileKind kind, int term, int cycle, int nx, int ny,
      Duration timeout) throws InterruptedException {
    int n = ImageTiles.count(nx, ny);
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      float[] image = new float[nx * ny];
      boolean complete = true;
      for (int k = 0; k < n && complete; k++) {
        ImageTile t = tiles.get(key(jobId, attempt, kind, term, k));
        if (t != null && t.getCycle() > cycle) {
          return Optional.of(new Lookup(null, true));
        }
        complete = t != null && t.getCycle() == cycle;
        if (complete) {
          ImageTiles.addInto(t, image);
        }
      }
      if (complete) {
        return Optional.of(new Lookup(image, false));
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(10000);
  }
}
