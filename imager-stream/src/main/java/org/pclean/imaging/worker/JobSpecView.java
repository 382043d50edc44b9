package org.pclean.imaging.worker;

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
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;

/** The latest JobSpec of every job, read from the compacted pclean.jobs topic by a background consumer. */
public final class JobSpecView implements AutoCloseable {
  private final Map<String, JobSpec> jobs = new ConcurrentHashMap<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;

  public JobSpecView(Properties clientConfig) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(Topics.JOBS.name()).stream()
        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread = new Thread(this::loop, "pclean-jobs-view");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (!closed) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          try {
            JobSpec spec = Messages.JOB_SPEC.fromBytes(r.topic(), r.value());
            if (spec != null) {
              jobs.put(spec.getJobId(), spec);
            }
          } catch (BusFormatException e) {
            // A foreign record on the jobs topic says nothing about our jobs; skip it.
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  public Optional<JobSpec> get(String jobId) {
    return Optional.ofNullable(jobs.get(jobId));
  }

  /** The job's spec, waiting up to timeout for it to arrive. */
  public Optional<JobSpec> await(String jobId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JobSpec s = jobs.get(jobId);
      if (s != null) {
        return Optional.of(s);
      }
      Thread.sleep(50);
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
