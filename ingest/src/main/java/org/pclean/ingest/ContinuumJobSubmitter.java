package org.pclean.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.bus.avro.TileKind;
import org.pclean.ingest.RowChunkTasks;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;

/**
 * Publishes a continuum job: its start model's tiles on pclean.models (a startmodel, or a restart's .model) between
 * a SUBMITTED JobSpec and the RUNNING one (so that the coordinator can tell a client that died half-way and
 * tombstone what it left: {@code JobRetention}), the JobSpec with its row plan and plane geometry on pclean.jobs,
 * then the first cycle's row-chunk tasks: the weight-density pass (cycle -1) when the weighting needs the
 * density of all rows, else cycle 0. Every later cycle's tasks come from the Streams coordinator, on the same
 * pclean.tasks partition per chunk (taskPartitions, from {@link org.pclean.ingest.TaskPlacement}).
 */
public final class ContinuumJobSubmitter {
  /**
   * What a continuum job needs beyond its tclean parameters. startModel: the model it starts from, one nx*ny
   * image (Jy/pixel) per Taylor term (a startmodel, or a restart's .model), else null; read by the client, which
   * may be the only machine that sees it. startMask: a restart's .mask (nx*ny, 1 inside), else null; sent the
   * same way.
   */
  public record ContinuumJob(String jobId, String vis, String imagename, TcleanParams params,
      List<RowPartitioner.RowChunk> chunks, PlaneGeometry geometry, boolean densityPass, String localDirectory,
      boolean keepPartimages, List<Integer> taskPartitions, float[][] startModel, byte[] startMask) {}

  private ContinuumJobSubmitter() {}

  public static JobSpec submit(Producer<String, Object> producer, ContinuumJob job) throws InterruptedException {
    if (job.chunks().isEmpty()) {
      throw new IllegalArgumentException("continuum job " + job.jobId() + " has no row chunks");
    }
    List<Long> boundaries = new ArrayList<>();
    boundaries.add(job.chunks().get(0).start());
    for (RowPartitioner.RowChunk c : job.chunks()) {
      boundaries.add(c.end());
    }
    TcleanParams params = job.params();
    JobSpec spec = JobSpec.newBuilder().setJobId(job.jobId()).setState(JobState.RUNNING).setMode(JobMode.CONTINUUM)
        .setVis(job.vis()).setDataset(params.dataset()).setTimeRange(CubeJobSubmitter.timeRange(params))
        .setImagename(job.imagename()).setImaging(ImagingParamsCodec.toRecord(params)).setNumPartitions(job.chunks().size())
        .setNumChannels(1).setLocalDirectory(job.localDirectory()).setKeepPartimages(job.keepPartimages())
        .setRowBoundaries(boundaries).setTaskPartitions(job.taskPartitions()).setGeometry(job.geometry()).setSubmittedAtMillis(System.currentTimeMillis())
        .setStartModelTerms(job.startModel() == null ? 0 : job.startModel().length)
        .setStartMask(job.startMask() != null)
        .build();
    try {
      if (job.startModel() != null || job.startMask() != null) {
        // SUBMITTED first: a client that stops while sending the start images leaves a job the coordinator fails.
        producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job.jobId()),
            JobSpec.newBuilder(spec).setState(JobState.SUBMITTED).build())).get();
      }
      if (job.startModel() != null) {
        // The start model as the model "of cycle -1": cycle 0's workers subtract it (ModelView, as every later
        // cycle's model), and the coordinator's first model replaces it under the same keys.
        for (int term = 0; term < job.startModel().length; term++) {
          publishStartImage(producer, spec, TileKind.MODEL, term, job.startModel()[term], params);
        }
      }
      if (job.startMask() != null) {
        // The restart's mask, under keys the coordinator never writes: chunk 0 forwards it in cycle 0.
        float[] mask = new float[job.startMask().length];
        for (int i = 0; i < mask.length; i++) {
          mask[i] = job.startMask()[i];
        }
        publishStartImage(producer, spec, TileKind.MASK, 0, mask, params);
      }
      // The job first, so a worker that takes a task finds its parameters.
      producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job.jobId()), spec)).get();
      for (PartitionDescriptor t : RowChunkTasks.forCycle(spec, job.densityPass() ? -1 : 0)) {
        producer.send(new ProducerRecord<>(Topics.TASKS.name(), TaskPlacement.partitionOf(t), RowChunkTasks.key(t), t));
      }
      producer.flush();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish job " + job.jobId() + ": " + e.getCause().getMessage(), e);
    }
    return spec;
  }

  /** One start image of the job as tiles of cycle -1 on pclean.models, each acknowledged before the next. */
  private static void publishStartImage(Producer<String, Object> producer, JobSpec spec, TileKind kind, int term,
      float[] image, TcleanParams params) throws InterruptedException, ExecutionException {
    ImageTile template = ImageTiles.template(spec.getJobId(), spec.getAttempt(), -1, kind, term);
    for (ImageTile t : ImageTiles.split(image, params.nx(), params.ny(), template)) {
      producer.send(new ProducerRecord<>(Topics.MODELS.name(), Topics.modelKey(spec.getJobId(), spec.getAttempt(),
          kind, term, t.getTileIndex()), t)).get();
    }
  }
}
