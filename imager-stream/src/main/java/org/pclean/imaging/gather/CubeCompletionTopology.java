package org.pclean.imaging.gather;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SubcubeProgress;
import org.pclean.bus.avro.SubcubeReady;

/**
 * The cube side of the coordinator: counts each job's finished sub-cubes (each partition once, however often it
 * is redelivered) in the changelogged store {@value #PROGRESS_STORE}, and when the last one arrives moves the job to
 * CONCATENATING on pclean.jobs, which the sink acts on; an ended job's count is deleted ({@link EndedJobSweeper}).
 * Runs under exactly_once_v2.
 */
public final class CubeCompletionTopology {
  public static final String PROGRESS_STORE = "subcube-progress";
  public static final String JOBS_STORE = "jobs-global";

  private CubeCompletionTopology() {}

  public static void build(StreamsBuilder builder) {
    // A global store fed by a processor rather than a GlobalKTable: Kafka restores a GlobalKTable by copying the
    // topic's raw bytes into the store, so a poison record written while the app was down would sit there
    // undecoded; a processor-fed store is restored through the deserializer and the dead-letter handler instead.
    builder.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(
            JOBS_STORE), Serdes.String(), Messages.JOB_SPEC).withLoggingDisabled(), Topics.JOBS.name(),
        Consumed.with(Serdes.String(), Messages.JOB_SPEC).withName("jobs-source"), JobsStoreUpdater::new);
    // Repartitioned by job under the name the grouping gave it before (the same topic), so the counting and the
    // sweep of ended jobs' counts share its tasks.
    KStream<String, SubcubeReady> byJob = builder.stream(Topics.PLANES.name(),
            Consumed.with(Serdes.String(), Messages.SUBCUBE_READY).withName("planes-source"))
        .selectKey((key, ready) -> ready.getJobId(), Named.as("key-by-job"))
        .repartition(Repartitioned.with(Serdes.String(), Messages.SUBCUBE_READY).withName("planes-by-job"));
    byJob.groupByKey(Grouped.with("planes-by-job", Serdes.String(), Messages.SUBCUBE_READY))
        .aggregate(CubeCompletionTopology::empty, CubeCompletionTopology::add, Named.as("count-subcubes"),
            Materialized.<String, SubcubeProgress, KeyValueStore<Bytes, byte[]>>as(PROGRESS_STORE)
                .withKeySerde(Serdes.String()).withValueSerde(Messages.SUBCUBE_PROGRESS))
        .toStream(Named.as("progress-updates"))
        // (a swept count's deletion reaches here as a null progress)
        .filter((jobId, progress) -> progress != null && progress.getJustCompleted(), Named.as("just-completed"))
        .processValues(Concatenating::new, Named.as("with-job"))
        .to(Topics.JOBS.name(), Produced.with(Serdes.String(), Messages.JOB_SPEC).withName("jobs-sink"));
    byJob.process(() -> new EndedJobSweeper.ForStore<SubcubeReady>(PROGRESS_STORE),
        Named.as("sweep-ended-cube-counts"), PROGRESS_STORE);
  }

  /** Keeps the latest JobSpec of every job in {@value #JOBS_STORE}; a tombstone removes the job. */
  private static final class JobsStoreUpdater implements Processor<String, JobSpec, Void, Void> {
    private TimestampedKeyValueStore<String, JobSpec> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(JOBS_STORE);
    }

    @Override
    public void process(Record<String, JobSpec> record) {
      if (record.key() == null) {
        return;
      }
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
      }
    }
  }

  /**
   * The job of a just-completed progress, moved to CONCATENATING; nothing for an unknown job, or one that failed
   * meanwhile (a worker, or a coordinator step's handler): a failed job stays failed.
   */
  private static final class Concatenating implements FixedKeyProcessor<String, SubcubeProgress, JobSpec> {
    private FixedKeyProcessorContext<String, JobSpec> context;
    private TimestampedKeyValueStore<String, JobSpec> jobs;

    @Override
    public void init(FixedKeyProcessorContext<String, JobSpec> context) {
      this.context = context;
      this.jobs = context.getStateStore(JOBS_STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, SubcubeProgress> record) {
      ValueAndTimestamp<JobSpec> stored = jobs.get(record.key());
      JobSpec job = stored == null ? null : stored.value();
      if (job != null && job.getState() != JobState.FAILED && job.getState() != JobState.DONE) {
        context.forward(record.withValue(JobSpec.newBuilder(job).setState(JobState.CONCATENATING).build()));
      }
    }
  }

  private static SubcubeProgress empty() {
    return SubcubeProgress.newBuilder().setJobId("").setNumPartitions(0).setDone(List.of()).setJustCompleted(false)
        .build();
  }

  /** Adds a finished partition once; justCompleted marks the one update that completes the job. */
  static SubcubeProgress add(String jobId, SubcubeReady ready, SubcubeProgress progress) {
    TreeSet<Integer> done = new TreeSet<>(progress.getDone());
    int before = done.size();
    done.add(ready.getPartitionIndex());
    int n = ready.getNumPartitions();
    boolean completes = before < n && done.size() >= n;
    return SubcubeProgress.newBuilder().setJobId(jobId).setNumPartitions(n).setDone(new ArrayList<>(done))
        .setJustCompleted(completes).build();
  }
}
