package org.pclean.imaging.gather;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SubcubeProgress;
import org.pclean.bus.avro.SubcubeReady;

/**
 * The cube side of the coordinator: counts each job's finished sub-cubes (each partition once, however often it
 * is redelivered) in the changelogged store {@value #PROGRESS_STORE}, and when the last one arrives moves the job to
 * CONCATENATING on pclean.jobs, which the sink acts on. Runs under exactly_once_v2.
 */
public final class CubeCompletionTopology {
  public static final String PROGRESS_STORE = "subcube-progress";
  public static final String JOBS_STORE = "jobs-global";

  private CubeCompletionTopology() {}

  public static void build(StreamsBuilder builder) {
    GlobalKTable<String, JobSpec> jobs = builder.globalTable(Topics.JOBS.name(),
        Consumed.with(Serdes.String(), Messages.JOB_SPEC).withName("jobs-source"),
        Materialized.<String, JobSpec, KeyValueStore<Bytes, byte[]>>as(JOBS_STORE)
            .withKeySerde(Serdes.String()).withValueSerde(Messages.JOB_SPEC));
    builder.stream(Topics.PLANES.name(), Consumed.with(Serdes.String(), Messages.SUBCUBE_READY).withName("planes-source"))
        .selectKey((key, ready) -> ready.getJobId(), Named.as("key-by-job"))
        .groupByKey(Grouped.with("planes-by-job", Serdes.String(), Messages.SUBCUBE_READY))
        .aggregate(CubeCompletionTopology::empty, CubeCompletionTopology::add, Named.as("count-subcubes"),
            Materialized.<String, SubcubeProgress, KeyValueStore<Bytes, byte[]>>as(PROGRESS_STORE)
                .withKeySerde(Serdes.String()).withValueSerde(Messages.SUBCUBE_PROGRESS))
        .toStream(Named.as("progress-updates"))
        .filter((jobId, progress) -> progress.getJustCompleted(), Named.as("just-completed"))
        .join(jobs, (jobId, progress) -> jobId,
            (progress, job) -> JobSpec.newBuilder(job).setState(JobState.CONCATENATING).build(),
            Named.as("with-job"))
        .filter((jobId, job) -> job != null, Named.as("known-jobs"))
        .to(Topics.JOBS.name(), Produced.with(Serdes.String(), Messages.JOB_SPEC).withName("jobs-sink"));
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
