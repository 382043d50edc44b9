package org.pclean.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;

/**
 * The Kafka clients of a sink: a read_committed consumer in its own group that commits by hand (writing a product
 * set can take long between polls), an idempotent producer for job state and events, and the job's end report.
 */
final class SinkClients {
  private SinkClients() {}

  static KafkaConsumer<String, byte[]> consumer(Properties clientConfig, String groupId) {
    Properties c = new Properties();
    c.putAll(clientConfig);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.toString(60 * 60 * 1000));
    // A sink killed -9 holds its partitions until its session times out (Kafka's default 45 s): its restarted
    // successor starts on the job 10 s after the kill instead. Heartbeats every 3 s (a third).
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Publishes a job's end: its JobSpec (DONE or FAILED) on pclean.jobs and the matching JobEvent, whose message is
   * doneMessage or the job's error; flushed before the caller commits its input.
   */
  static void publishOutcome(KafkaProducer<String, Object> producer, JobSpec outcome, String doneMessage,
      Integer iterations, Double peakResidual) {
    boolean done = outcome.getState() == JobState.DONE;
    producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(outcome.getJobId()), outcome));
    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(outcome.getJobId()), JobEvent.newBuilder()
        .setJobId(outcome.getJobId()).setType(done ? JobEventType.DONE : JobEventType.FAILED)
        .setIterations(iterations).setPeakResidual(peakResidual).setMessage(done ? doneMessage : outcome.getError())
        .setTimestampMillis(System.currentTimeMillis()).build()));
    producer.flush();
  }

  static KafkaProducer<String, Object> producer(Properties clientConfig) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new StringSerializer(), new BusSerializer());
  }

  /**
   * Commits each partition's next position, but never past the first record of a job still being assembled from
   * it (open: partition and first offset of each such job), so a restarted sink reads that job again whole.
   */
  static void commitBelowOpenJobs(KafkaConsumer<String, byte[]> cons, Map<TopicPartition, Long> next,
      Collection<long[]> open) {
    if (next.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (var e : next.entrySet()) {
      long limit = e.getValue();
      for (long[] job : open) {
        if (job[0] == e.getKey().partition()) {
          limit = Math.min(limit, job[1]);
        }
      }
      offsets.put(e.getKey(), new OffsetAndMetadata(limit));
    }
    cons.commitSync(offsets);
  }
}
