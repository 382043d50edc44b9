package org.pclean.bus;

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

/**
 * The latest value of every key of a compacted topic, kept current by a background consumer that reads all its
 * partitions from the beginning (read_committed, so a transaction's records appear together). A tombstone removes
 * its key; records that do not decode are skipped (they say nothing about pclean's state). Workers see jobs and
 * models through these views.
 */
public class CompactedTopicView<V> implements AutoCloseable {
  private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

  private final Map<String, V> values = new ConcurrentHashMap<>();
  private final AvroSerde<? extends V> serde;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;

  public CompactedTopicView(Properties clientConfig, Topics.Topic topic, AvroSerde<? extends V> serde) {
    this.serde = serde;
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = partitions(consumer, topic.name());
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread = new Thread(this::loop, "pclean-view-" + topic.name());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The topic's partitions. A topic created a moment ago (a fresh embedded broker) may not be in the metadata yet
   * and comes back with none: assigning none would leave the view empty for good (its poll thread dies), so wait.
   */
  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
    long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
    while (true) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      if (!parts.isEmpty()) {
        return parts;
      }
      if (System.nanoTime() > deadline) {
        consumer.close();
        throw new IllegalStateException("topic " + topic + " has no partitions in the cluster's metadata after "
            + METADATA_WAIT.toSeconds() + " s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        consumer.close();
        throw new IllegalStateException("interrupted while waiting for the partitions of " + topic, e);
      }
    }
  }

  private void loop() {
    try {
      while (!closed) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          if (r.key() == null) {
            continue;
          }
          if (r.value() == null) {
            values.remove(r.key());
            continue;
          }
          try {
            V v = serde.fromBytes(r.topic(), r.value());
            if (v != null) {
              values.put(r.key(), v);
            }
          } catch (BusFormatException e) {
            // a foreign record: skip it
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** The latest value of key, if any. */
  public Optional<V> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** The latest value of key, waiting up to timeout for it to arrive. */
  public Optional<V> await(String key, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      V v = values.get(key);
      if (v != null) {
        return Optional.of(v);
      }
      Thread.sleep(20);
    }
    return Optional.empty();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(10000);
  }
}
