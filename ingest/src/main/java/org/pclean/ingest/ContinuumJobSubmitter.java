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
   * What a continuum job needs beyond its tclean parameters. start: the images it starts from, or null (a fresh
   * run).
   */
  public record ContinuumJob(String jobId, String vis, String imagename, TcleanParams params,
      List<RowPartitioner.RowChunk> chunks, PlaneGeometry geometry, boolean densityPass, String localDirectory,
      boolean keepPartimages, List<Integer> taskPartitions, StartPlane start) {}

  /**
   * The images a startmodel or restart hands the job, read by the client (which may be the only machine that
   * sees them), each nx*ny, null where there is none: models, one per Taylor term (Jy/pixel); a restart's .mask
   * (1 inside); with calcpsf false the .psf terms (normalised) and their sums of weights; with calcres false the
   * .residual terms.
   */
  public record StartPlane(float[][] models, byte[] mask, float[][] psfs, double[] sumwts, float[][] residuals) {}

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
    StartPlane start = job.start();
    JobSpec spec = JobSpec.newBuilder().setJobId(job.jobId()).setState(JobState.RUNNING).setMode(JobMode.CONTINUUM)
        .setVis(job.vis()).setDataset(params.dataset()).setTimeRange(CubeJobSubmitter.timeRange(params))
        .setImagename(job.imagename()).setImaging(ImagingParamsCodec.toRecord(params)).setNumPartitions(job.chunks().size())
        .setNumChannels(1).setLocalDirectory(job.localDirectory()).setKeepPartimages(job.keepPartimages())
        .setRowBoundaries(boundaries).setTaskPartitions(job.taskPartitions()).setGeometry(job.geometry()).setSubmittedAtMillis(System.currentTimeMillis())
        .setStartModelTerms(start == null || start.models() == null ? 0 : start.models().length)
        .setStartMask(start != null && start.mask() != null)
        .build();
    try {
      if (start != null) {
        // SUBMITTED first: a client that stops while sending the start images leaves a job the coordinator fails.
        producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job.jobId()),
            JobSpec.newBuilder(spec).setState(JobState.SUBMITTED).build())).get();
        // Each as an image "of cycle -1", under keys the coordinator writes only for models: cycle 0's workers
        // subtract the model (ModelView, as every later cycle's), and chunk 0 hands the others to the coordinator.
        for (int t = 0; start.models() != null && t < start.models().length; t++) {
          publishStartImage(producer, spec, TileKind.MODEL, t, start.models()[t], 0, params);
        }
        if (start.mask() != null) {
          float[] mask = new float[start.mask().length];
          for (int i = 0; i < mask.length; i++) {
            mask[i] = start.mask()[i];
          }
          publishStartImage(producer, spec, TileKind.MASK, 0, mask, 0, params);
        }
        for (int t = 0; start.psfs() != null && t < start.psfs().length; t++) {
          publishStartImage(producer, spec, TileKind.PSF, t, start.psfs()[t], start.sumwts()[t], params);
        }
        for (int t = 0; start.residuals() != null && t < start.residuals().length; t++) {
          publishStartImage(producer, spec, TileKind.RESIDUAL, t, start.residuals()[t], 0, params);
        }
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

  /**
   * One start image of the job as tiles of cycle -1 on pclean.models (sumWeight: a PSF term's sum of weights),
   * each acknowledged before the next.
   */
  private static void publishStartImage(Producer<String, Object> producer, JobSpec spec, TileKind kind, int term,
      float[] image, double sumWeight, TcleanParams params) throws InterruptedException, ExecutionException {
    ImageTile template = ImageTile.newBuilder(ImageTiles.template(spec.getJobId(), spec.getAttempt(), -1, kind,
        term)).setSumWeight(sumWeight).build();
    for (ImageTile t : ImageTiles.split(image, params.nx(), params.ny(), template)) {
      producer.send(new ProducerRecord<>(Topics.MODELS.name(), Topics.modelKey(spec.getJobId(), spec.getAttempt(),
          kind, term, t.getTileIndex()), t)).get();
    }
  }
}
