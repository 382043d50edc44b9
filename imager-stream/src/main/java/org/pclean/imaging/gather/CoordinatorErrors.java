package org.pclean.imaging.gather;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.pclean.bus.DeadLetters;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator's Streams error handlers ({@link DeadLetterDeserializationHandler},
 * {@link FailJobProcessingHandler}) share with the running app: the jobs they may fail (the app's global job
 * store), the records they write, and counts of what they did. Kafka Streams builds the handlers itself; they find
 * this object under {@value #CONFIG} in the app's config.
 *
 * <p>A stream task's handler returns its records to Streams, which writes them in the task's exactly-once
 * transaction. The global thread (pclean.jobs) has no such producer, so for it this object sends them with its own
 * idempotent producer, made on first use and closed with the coordinator.
 */
public final class CoordinatorErrors implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorErrors.class);
  /** The config key under which the handlers find this object. */
  public static final String CONFIG = "pclean.coordinator.errors";
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final Properties producerConfig = new Properties();
  private volatile Function<String, JobSpec> jobs = id -> null;
  private KafkaProducer<byte[], byte[]> producer;  // under this
  private boolean closed;  // under this
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong failedJobs = new AtomicLong();
  private final AtomicLong replacedThreads = new AtomicLong();

  /** What the handlers did so far. */
  public record Counts(long deadLettered, long failedJobs, long replacedThreads) {}

  /** clientConfig: the cluster's client properties (bootstrap servers, security). */
  CoordinatorErrors(Properties clientConfig) {
    for (String name : ProducerConfig.configNames()) {
      if (clientConfig.containsKey(name)) {
        producerConfig.put(name, clientConfig.get(name));
      }
    }
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, Coordinator.APPLICATION_ID + "-errors");
  }

  /** Where the handlers look up a job's latest spec (null when unknown). */
  void jobs(Function<String, JobSpec> lookup) {
    this.jobs = lookup;
  }

  public Counts counts() {
    return new Counts(deadLettered.get(), failedJobs.get(), replacedThreads.get());
  }

  void threadReplaced() {
    replacedThreads.incrementAndGet();
  }

  /** The handlers' shared object from the app's config, or null when the app was not built by {@link Coordinator}. */
  static CoordinatorErrors from(Map<String, ?> configs) {
    Object o = configs.get(CONFIG);
    return o instanceof CoordinatorErrors e ? e : null;
  }

  /** The dead letter of a record read from ctx's source (raw bytes), on pclean.dlq keyed by its original key. */
  ProducerRecord<byte[], byte[]> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
      String why) {
    deadLettered.incrementAndGet();
    LOG.warn("dead-lettering {}-{}@{}: {}", topic, partition, offset, why);
    return new ProducerRecord<>(Topics.DEAD_LETTER.name(), key,
        DeadLetters.toBytes(DeadLetters.of(topic, partition, offset, key, value, why)));
  }

  /**
   * The records that move the job of a failed record to FAILED with why: its spec on pclean.jobs (what clients and
   * workers watch) and a FAILED event on pclean.events. None when the job is unknown or has ended already.
   */
  List<ProducerRecord<byte[], byte[]>> failJob(String jobId, String why) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    JobSpec job = jobId == null ? null : lookup(jobId);
    if (job == null || job.getState() == JobState.DONE || job.getState() == JobState.FAILED) {
      LOG.warn("a coordinator step failed for {} job {}: {}", job == null ? "unknown" : "ended", jobId, why);
      return out;
    }
    failedJobs.incrementAndGet();
    LOG.error("job {} FAILED: {}", jobId, why);
    byte[] key = Topics.jobKey(jobId).getBytes(StandardCharsets.UTF_8);
    JobSpec failed = JobSpec.newBuilder(job).setState(JobState.FAILED).setError(why).build();
    out.add(new ProducerRecord<>(Topics.JOBS.name(), key, Messages.JOB_SPEC.toBytes(Topics.JOBS.name(), failed)));
    JobEvent event = JobEvent.newBuilder().setJobId(jobId).setType(JobEventType.FAILED).setMessage(why)
        .setTimestampMillis(System.currentTimeMillis()).build();
    out.add(new ProducerRecord<>(Topics.EVENTS.name(), key, Messages.JOB_EVENT.toBytes(Topics.EVENTS.name(), event)));
    return out;
  }

  private JobSpec lookup(String jobId) {
    try {
      return jobs.apply(jobId);
    } catch (RuntimeException e) {  // the store is not queryable now (rebalancing, closing)
      LOG.warn("cannot read job {} from the coordinator's job store: {}", jobId, e.toString());
      return null;
    }
  }

  /** The job a record at a processor belongs to: its value's jobId field, else the key up to the first '/'. */
  static String jobIdOf(Object key, Object value) {
    if (value instanceof SpecificRecord r) {
      Schema.Field f = r.getSchema().getField("jobId");
      if (f != null && r.get(f.pos()) != null) {
        return r.get(f.pos()).toString();
      }
    }
    if (key instanceof String k && !k.isEmpty()) {
      int slash = k.indexOf('/');
      return slash < 0 ? k : k.substring(0, slash);
    }
    return null;
  }

  /** Whether the handler runs on the global thread (whose task id Streams sets to -1_-1). */
  static boolean onGlobalThread(ErrorHandlerContext context) {
    TaskId task = context.taskId();
    return task == null || task.subtopology() < 0;
  }

  /** Sends records with this object's producer, waiting for the broker: for the global thread, which has none. */
  synchronized void sendNow(List<ProducerRecord<byte[], byte[]>> records) {
    if (records.isEmpty() || closed) {
      return;
    }
    if (producer == null) {
      producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    records.forEach(r -> acks.add(producer.send(r)));
    for (Future<RecordMetadata> a : acks) {
      try {
        a.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.error("cannot write an error record from the global thread: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }
}
