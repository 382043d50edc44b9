package org.pclean.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.CompactedTopicView;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SubcubeRecord;
import org.pclean.casacore.TableDirectories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a cube is written when its sub-cubes came over the bus (no shared filesystem): stages every sub-cube from
 * pclean.subcubes into this sink's own directory ({@link StagedJob}), and once the coordinator has moved the job to
 * CONCATENATING (its exactly-once count of SubcubeReady, read from pclean.jobs) and every tile of every sub-cube of
 * the plan is staged, concatenates them into the job's imagename with {@link CubeConcatenator} (concat_mode and
 * FITS as the job asks) and marks it DONE, or FAILED with the reason. Waiting for CONCATENATING, not only for the
 * last tile, keeps the job's state moving one way: the coordinator's CONCATENATING can never land after DONE.
 *
 * <p>Offsets are committed only up to the first record of a job still staged, so a sink that stops or loses the
 * partition mid-job stages it again from there; a job's records all share one partition (key jobId), so one
 * member of the sink group sees a whole job. Each staging goes into a fresh directory, so a late copy of a finished
 * job's sub-cube can never overwrite the sub-cubes a virtual cube refers to.
 */
public final class BusCubeSink implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(BusCubeSink.class);
  public static final String GROUP = "pclean-subcube-sink";

  private final Properties clientConfig;
  private final Path directory;
  private final Map<String, StagedJob> open = new HashMap<>();
  private final Set<String> finished = new HashSet<>();
  /** Next offset to read per owned partition: committed up to the first record of a job still staged. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  /** Stages under java.io.tmpdir. */
  public BusCubeSink(Properties clientConfig) {
    this(clientConfig, Path.of(System.getProperty("java.io.tmpdir"), "pclean-sink"));
  }

  /** directory: this machine's staging area for sub-cubes arriving over the bus. */
  public BusCubeSink(Properties clientConfig, Path directory) {
    this.clientConfig = clientConfig;
    this.directory = directory.toAbsolutePath();
  }

  @Override
  public void run() {
    try (CompactedTopicView<JobSpec> jobs = new CompactedTopicView<>(clientConfig, Topics.JOBS, Messages.JOB_SPEC);
         KafkaConsumer<String, byte[]> cons = SinkClients.consumer(clientConfig, GROUP);
         KafkaProducer<String, Object> producer = SinkClients.producer(clientConfig)) {
      consumer = cons;
      cons.subscribe(List.of(Topics.SUBCUBES.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          drop(parts);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) {}

        @Override
        public void onPartitionsLost(Collection<TopicPartition> parts) {
          drop(parts);
        }
      });
      while (!closed) {
        boolean moved = false;
        for (ConsumerRecord<String, byte[]> r : cons.poll(Duration.ofMillis(200))) {
          handle(r, jobs);
          positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
          moved = true;
        }
        if (writeDue(jobs, producer) || moved) {
          SinkClients.commitBelowOpenJobs(cons, positions,
              open.values().stream().map(j -> new long[] {j.partition, j.firstOffset}).toList());
        }
      }
    } catch (WakeupException e) {
      // stopped
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public void stop() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r, CompactedTopicView<JobSpec> jobs) {
    SubcubeRecord rec;
    try {
      rec = Messages.SUBCUBE.fromBytes(r.topic(), r.value());
    } catch (BusFormatException e) {
      LOG.warn(e.getMessage());
      return;
    }
    if (rec == null) {
      return;
    }
    String id = rec.getJobId() + "/" + rec.getAttempt();
    StagedJob job = open.get(id);
    if (job == null && rec.getManifest() != null && !finished.contains(id) && !ended(jobs, rec)) {
      job = new StagedJob(rec.getJobId(), rec.getAttempt(), r.partition(), r.offset(), freshDirectory(rec.getJobId()));
      open.put(id, job);
    }
    if (job == null) {
      return;  // a late copy of a job already written (or ended elsewhere)
    }
    if (rec.getManifest() != null) {
      job.manifest(rec.getPartitionIndex(), rec.getManifest());
    } else if (rec.getTile() != null) {
      job.tile(rec.getPartitionIndex(), rec.getTile());
    }
  }

  /** The job (this attempt) is DONE or FAILED already. */
  private static boolean ended(CompactedTopicView<JobSpec> jobs, SubcubeRecord rec) {
    return jobs.get(rec.getJobId()).filter(j -> j.getAttempt() == rec.getAttempt()
        && (j.getState() == JobState.DONE || j.getState() == JobState.FAILED)).isPresent();
  }

  /**
   * Writes every staged job the coordinator has handed over; drops those that ended without this sink. True when
   * a job left the staging (so the committed position may move on).
   */
  private boolean writeDue(CompactedTopicView<JobSpec> jobs, KafkaProducer<String, Object> producer) {
    boolean left = false;
    for (Iterator<StagedJob> it = open.values().iterator(); it.hasNext(); ) {
      StagedJob s = it.next();
      JobSpec job = jobs.get(s.jobId).filter(j -> j.getAttempt() == s.attempt).orElse(null);
      if (job == null) {
        continue;
      }
      if (job.getState() == JobState.DONE || job.getState() == JobState.FAILED) {
        LOG.info("job " + s.jobId + " ended " + job.getState() + " elsewhere: dropping its staged sub-cubes");
        TableDirectories.delete(s.directory);
        it.remove();
        left = true;
        continue;
      }
      if (job.getState() != JobState.CONCATENATING || (s.error() == null && !s.complete())) {
        continue;  // not handed over yet, or tiles still on their way
      }
      JobSpec outcome;
      if (s.error() != null) {
        outcome = JobSpec.newBuilder(job).setState(JobState.FAILED).setError(s.error()).build();
      } else if (s.numPartitions() != job.getNumPartitions()) {
        outcome = JobSpec.newBuilder(job).setState(JobState.FAILED).setError("staged " + s.numPartitions()
            + " sub-cubes; the job's plan has " + job.getNumPartitions()).build();
      } else {
        outcome = CubeProducts.write(job, s.products(), s::prefix, s.directory);
      }
      if (outcome.getState() == JobState.FAILED) {
        TableDirectories.delete(s.directory);
      }
      SinkClients.publishOutcome(producer, outcome, "cube written to " + job.getImagename(), null, null);
      finished.add(s.jobId + "/" + s.attempt);
      it.remove();
      left = true;
    }
    return left;
  }

  /** Forgets the jobs of partitions this member no longer owns: their new owner stages them from the last commit. */
  private void drop(Collection<TopicPartition> parts) {
    Set<Integer> gone = new HashSet<>();
    parts.forEach(p -> gone.add(p.partition()));
    parts.forEach(positions::remove);
    for (Iterator<StagedJob> it = open.values().iterator(); it.hasNext(); ) {
      StagedJob s = it.next();
      if (gone.contains(s.partition)) {
        TableDirectories.delete(s.directory);
        it.remove();
      }
    }
  }

  /** {@code <directory>/<jobId>}, or with a suffix when an earlier staging of the job is still there. */
  private Path freshDirectory(String jobId) {
    try {
      Files.createDirectories(directory);
      Path d = directory.resolve(jobId);
      for (int n = 1; Files.exists(d); n++) {
        d = directory.resolve(jobId + "." + n);
      }
      return Files.createDirectories(d);
    } catch (IOException e) {
      throw new IllegalStateException("cannot stage sub-cubes under " + directory + ": " + e.getMessage(), e);
    }
  }
}
