package org.pclean.bus;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A topic read once from its beginning to its end as of now, read_committed (what transactions committed, each
 * once), with an assigned, group-less consumer: how benchmarks and checks count events and live keys.
 */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Hands every committed record of the topic up to its current end to each, in partition order.
   *
   * @param limit how long to read at most (null: until the end)
   */
  public static void readToEnd(Properties client, String topic, Duration limit,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> cons = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    try {
      List<TopicPartition> parts = cons.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      cons.assign(parts);
      cons.seekToBeginning(parts);
      Map<TopicPartition, Long> end = cons.endOffsets(parts);
      long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
      while (parts.stream().anyMatch(tp -> cons.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        cons.poll(Duration.ofMillis(200)).forEach(each);
      }
    } finally {
      cons.close(CloseOptions.timeout(Duration.ZERO));  // no group to leave, nothing to commit
    }
  }
}
