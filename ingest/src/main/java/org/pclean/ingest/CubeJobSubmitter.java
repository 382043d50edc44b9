package org.pclean.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pclean.bus.OutputNames;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PartitionKind;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;

/**
 * Plans a cube job into sub-cubes and publishes it: the JobSpec (state PLANNED) on pclean.jobs, then one
 * PartitionDescriptor per sub-cube (key jobId/partition), on the sub-cube queue when the cluster has it
 * ({@link #submitToQueue}, any idle worker takes the next one) or on pclean.tasks partitions
 * ({@link #submit}). Channels in the descriptors are image channels of the job (0 .. nchan-1); workers add the
 * selection's first channel.
 */
public final class CubeJobSubmitter {
  /**
   * What a cube job needs beyond its tclean parameters. subcubesOnBus: the sub-cubes travel to the sink as tiles
   * on pclean.subcubes instead of by path under localDirectory (always so for a dataset source).
   */
  public record CubeJob(String jobId, String vis, String imagename, TcleanParams params, int nchan,
      int cubeChunksize, int nworkers, String localDirectory, String concatMode, boolean keepSubcubes,
      boolean subcubesOnBus) {
    /** Sub-cubes by path on a shared filesystem (unless the source is a dataset). */
    public CubeJob(String jobId, String vis, String imagename, TcleanParams params, int nchan,
        int cubeChunksize, int nworkers, String localDirectory, String concatMode, boolean keepSubcubes) {
      this(jobId, vis, imagename, params, nchan, cubeChunksize, nworkers, localDirectory, concatMode, keepSubcubes,
          false);
    }
  }

  private CubeJobSubmitter() {}

  /** As {@link #submit(Producer, CubeJob, List)} with every task placed by its key's hash. */
  public static List<PartitionDescriptor> submit(Producer<String, Object> producer, CubeJob job)
      throws InterruptedException {
    return submit(producer, job, List.of());
  }

  /**
   * Publishes the job, then its sub-cube tasks, task k on pclean.tasks partition taskPartitions[k] when given
   * (see {@link org.pclean.ingest.TaskPlacement}).
   */
  public static List<PartitionDescriptor> submit(Producer<String, Object> producer, CubeJob job,
      List<Integer> taskPartitions) throws InterruptedException {
    return publish(producer, job, Topics.TASKS.name(), taskPartitions);
  }

  /**
   * Publishes the job, then its sub-cube tasks on pclean.subcube-tasks, the queue of the share group of the
   * workers ({@link org.pclean.bus.SubcubeQueue}: use it when {@code SubcubeQueue.ready} says so).
   */
  public static List<PartitionDescriptor> submitToQueue(Producer<String, Object> producer, CubeJob job)
      throws InterruptedException {
    return publish(producer, job, Topics.SUBCUBE_TASKS.name(), List.of());
  }

  private static List<PartitionDescriptor> publish(Producer<String, Object> producer, CubeJob job, String topic,
      List<Integer> taskPartitions) throws InterruptedException {
    if (!List.of("auto", "paged", "virtual", "movevirtual").contains(job.concatMode())) {
      throw new IllegalArgumentException("unknown concat_mode '" + job.concatMode()
          + "' (expected auto, paged, virtual or movevirtual)");
    }
    List<PartitionPlanner.ChannelRange> plan = PartitionPlanner.planCube(job.nchan(), job.cubeChunksize(), job.nworkers());
    TcleanParams params = job.params();
    String dataset = params.dataset();
    boolean onBus = job.subcubesOnBus() || dataset != null;
    JobSpec spec = JobSpec.newBuilder().setJobId(job.jobId()).setState(JobState.PLANNED).setMode(JobMode.CUBE)
        .setVis(job.vis()).setDataset(dataset).setSubcubesOnBus(onBus).setTimeRange(timeRange(params))
        .setImagename(job.imagename()).setImaging(ImagingParamsCodec.toRecord(params)).setNumPartitions(plan.size())
        .setNumChannels(job.nchan()).setConcatMode(job.concatMode()).setKeepSubcubes(job.keepSubcubes())
        .setLocalDirectory(job.localDirectory()).setSubmittedAtMillis(System.currentTimeMillis()).build();
    List<PartitionDescriptor> tasks = new ArrayList<>();
    for (int k = 0; k < plan.size(); k++) {
      tasks.add(PartitionDescriptor.newBuilder().setJobId(job.jobId()).setPartitionIndex(k)
          .setNumPartitions(plan.size()).setKind(PartitionKind.SUBCUBE).setChanStart(plan.get(k).first())
          .setChanEnd(plan.get(k).last())
          // On the bus each worker images into its own scratch directory: the task names no shared path.
          .setOutput(onBus ? "" : OutputNames.subcube(job.localDirectory(), job.jobId(), k))
          .setTopicPartition(k < taskPartitions.size() ? taskPartitions.get(k) : -1).build());
    }
    try {
      // The job first, so a worker that takes a task finds its parameters.
      producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job.jobId()), spec)).get();
      for (PartitionDescriptor t : tasks) {
        producer.send(new ProducerRecord<>(topic, TaskPlacement.partitionOf(t),
            Topics.taskKey(job.jobId(), t.getPartitionIndex()), t));
      }
      producer.flush();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish job " + job.jobId() + ": " + e.getCause().getMessage(), e);
    }
    return tasks;
  }

  /** A job's timerange for its JobSpec: [from, to) MJD seconds, empty for all times. */
  static List<Double> timeRange(TcleanParams p) {
    return p.timerange() == null ? List.of() : List.of(p.timerange()[0], p.timerange()[1]);
  }
}
