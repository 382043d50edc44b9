package org.pclean.imaging.continuum;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.OutputNames;
import org.pclean.bus.Topics;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.bus.avro.TileKind;
import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.ImageSetWriter;
import org.pclean.casacore.TableDirectories;
import org.pclean.casacore.WStack;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;
import org.pclean.ingest.source.VisibilitySources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A continuum worker's major-cycle step for one row-chunk task: cycle -1 posts the chunk's weight density;
 * cycle 0 its partial PSFs and dirty residuals (with a start model: the residuals of the data minus its
 * prediction, and the model itself for the coordinator); cycle k > 0 degrids the model of cycle k-1 (from
 * {@link ModelView}) and posts the partial residuals. Returns the tiles to publish on pclean.partials. The chunk
 * of the last task is kept, so a worker that keeps its partition reads the MS once per job, not once per cycle.
 */
public final class PartialImager {
  private static final Logger LOG = LoggerFactory.getLogger(PartialImager.class);
  /**
   * Default of how long a task waits for the density or model it needs before it fails the job. The model of cycle
   * k appears once the slowest row chunk of cycle k-1 is gridded and the coordinator's minor cycle has run: 10
   * minutes; a one-shot run sizes it from its job's time bound.
   */
  public static final Duration DEFAULT_MODEL_WAIT = Duration.ofMinutes(10);

  private final ModelView models;
  private final java.util.Properties client;
  private volatile Duration modelWait = DEFAULT_MODEL_WAIT;
  private volatile int threads = Runtime.getRuntime().availableProcessors();
  private String cachedKey;
  private ContinuumChunk cached;

  /** @param client the cluster's client properties, for jobs whose visibilities are a dataset on the bus */
  public PartialImager(ModelView models, java.util.Properties client) {
    this.models = models;
    this.client = client;
  }

  /** How long a task waits for its density or model (a worker setting, {@code pclean worker --model-wait}). */
  public void modelWait(Duration wait) {
    if (wait.isNegative() || wait.isZero()) {
      throw new IllegalArgumentException("model wait must be positive, got " + wait);
    }
    this.modelWait = wait;
  }

  /** Gridding threads (this worker's own). */
  public void threads(int n) {
    this.threads = n;
  }

  /** The partial tiles of the task; empty when the task's cycle was gathered already (a late redelivery). */
  public List<ImageTile> run(JobSpec job, PartitionDescriptor task) throws InterruptedException {
    TcleanParams p = ImagingParamsCodec.of(job, threads);
    PlaneGeometry geom = job.getGeometry();
    if (geom == null) {
      throw new IllegalArgumentException("continuum job " + job.getJobId() + " carries no plane geometry");
    }
    int nterms = p.deconvolver() == TcleanParams.DeconvolverKind.MTMFS ? p.nterms() : 1;
    WStack wstack = geom.getWplanes() != 1 ? new WStack(geom.getWplanes(), geom.getWminLambda(), geom.getWmaxLambda())
        : WStack.none();
    ContinuumChunk chunk = chunk(job, task, p, geom.getFreq0(), nterms, wstack);
    int cycle = task.getCycle();
    List<ImageTile> out = new ArrayList<>();
    if (cycle < 0) {
      out.addAll(tiles(job, task, p.nx(), TileKind.DENSITY, 0, toFloat(chunk.density()), 0));
      return out;
    }
    if (!chunk.weighted()) {
      double[] density = null;
      if (ContinuumChunk.needsDensity(p)) {
        density = toDouble(image(job, p, TileKind.DENSITY, 0, -1).image());
      }
      chunk.weigh(density);
    }
    float[][] residuals;
    if (cycle == 0) {
      float[][] start = null;
      if (job.getStartModelTerms() > 0) {
        // The client published the start model (startmodel, or restart's .model) as the model of cycle -1: cycle
        // 0's residual is the data's minus its prediction, as the serial engine's first residual. Chunk 0 hands
        // it to the coordinator, which cleans on from it; the other chunks add zeros to that gathered sum.
        start = new float[nterms][];
        for (int t = 0; t < nterms; t++) {
          if (t >= job.getStartModelTerms()) {
            start[t] = new float[p.nx() * p.ny()];
            continue;
          }
          ModelView.Lookup l = image(job, p, TileKind.MODEL, t, -1);
          if (l.superseded()) {
            LOG.info("job " + job.getJobId() + " partition " + task.getPartitionIndex() + " cycle 0 was gathered"
                + " already; skipping the redelivered task");
            return List.of();
          }
          start[t] = l.image();
          out.addAll(tiles(job, task, p.nx(), TileKind.MODEL, t, task.getPartitionIndex() == 0 ? l.image()
              : new float[l.image().length], 0));
        }
      }
      if (job.getStartMask()) {
        // A restart's .mask, published by the client like the start model: chunk 0 hands it to the coordinator.
        float[] mask = image(job, p, TileKind.MASK, 0, -1).image();
        out.addAll(tiles(job, task, p.nx(), TileKind.MASK, 0, task.getPartitionIndex() == 0 ? mask
            : new float[mask.length], 0));
      }
      ContinuumChunk.Psfs psfs = p.calcpsf() ? chunk.psfs()
          : reused(job, p, task, TileKind.PSF, 2 * nterms - 1, image(job, p, TileKind.PSF, 0, -1).sumWeight());
      for (int t = 0; t < psfs.psf().length; t++) {
        out.addAll(tiles(job, task, p.nx(), TileKind.PSF, t, psfs.psf()[t], psfs.sumwt()[t]));
      }
      float[][] model = start;
      if (!p.calcres()) {
        residuals = reused(job, p, task, TileKind.RESIDUAL, nterms, 1).psf();
      } else {
        residuals = model == null ? chunk.residuals(null)
            : PcleanMeters.MAJOR_CYCLE.record(() -> chunk.residuals(model));
      }
      keepPartImages(job, task, p, psfs.psf(), psfs.sumwt(), residuals);
    } else {
      float[][] model = new float[nterms][];
      for (int t = 0; t < nterms; t++) {
        ModelView.Lookup l = image(job, p, TileKind.MODEL, t, cycle - 1);
        if (l.superseded()) {
          LOG.info("job " + job.getJobId() + " partition " + task.getPartitionIndex() + " cycle " + cycle
              + " was gathered already; skipping the redelivered task");
          return List.of();
        }
        model[t] = l.image();
      }
      residuals = PcleanMeters.MAJOR_CYCLE.record(() -> chunk.residuals(model));
      keepPartImages(job, task, p, null, null, residuals);
    }
    for (int t = 0; t < residuals.length; t++) {
      out.addAll(tiles(job, task, p.nx(), TileKind.RESIDUAL, t, residuals[t], 0));
    }
    return out;
  }

  private ContinuumChunk chunk(JobSpec job, PartitionDescriptor task, TcleanParams p, double freq0, int nterms,
      WStack wstack) {
    String key = job.getJobId() + "/" + job.getAttempt() + "/" + task.getPartitionIndex();
    if (!key.equals(cachedKey)) {
      cached = null;  // let the previous chunk go before reading the next
      cachedKey = null;
      long t0 = System.nanoTime();
      try (VisibilitySource source = VisibilitySources.open(p.vis(), p.dataset(), p.timerange(), client)) {
        cached = new ContinuumChunk(VisibilityLoader.load(source, p.selection(), task.getRowStart(),
            task.getRowEnd()), p, freq0, nterms, wstack);
      }
      LOG.debug(String.format(java.util.Locale.ROOT, "job %s: read rows [%d, %d) of %s in %.2f s", job.getJobId(),
          task.getRowStart(), task.getRowEnd(), p.source(), (System.nanoTime() - t0) / 1e9));
      cachedKey = key;
    }
    return cached;
  }

  private ModelView.Lookup image(JobSpec job, TcleanParams p, TileKind kind, int term, int cycle)
      throws InterruptedException {
    Duration wait = modelWait;
    return models.await(job.getJobId(), job.getAttempt(), kind, term, cycle, p.nx(), p.ny(), wait)
        .orElseThrow(() -> new IllegalStateException(kind.toString().toLowerCase(java.util.Locale.ROOT) + " of cycle "
            + cycle + " (term " + term + ") did not arrive on " + Topics.MODELS.name() + " within " + wait.toSeconds()
            + " s (pclean worker --model-wait): " + models.missing(job.getJobId(), job.getAttempt(), kind, term, cycle,
            p.nx(), p.ny()) + "; is the coordinator (pclean gather) running?"));
  }

  /**
   * A restart's .psf terms (calcpsf false; with their sums of weights) or .residual terms (calcres false), which
   * the client published instead of this cycle 0 making them: chunk 0 hands them on times scale, the other chunks
   * add zeros. The PSFs go times the set's tt0 sum of weights, so the coordinator's normalisation by the gathered
   * PSF peak gives back the set's PSFs and normalisation; the residual goes as it is, normalised already (the
   * coordinator does not normalise a calcres-false cycle 0), as the serial restart uses them.
   */
  private ContinuumChunk.Psfs reused(JobSpec job, TcleanParams p, PartitionDescriptor task, TileKind kind,
      int terms, double scale) throws InterruptedException {
    boolean first = task.getPartitionIndex() == 0;
    float[][] images = new float[terms][];
    double[] sumwts = new double[terms];
    for (int t = 0; t < terms; t++) {
      ModelView.Lookup l = image(job, p, kind, t, -1);
      images[t] = l.image();
      for (int i = 0; i < images[t].length; i++) {
        images[t][i] = first ? (float) (images[t][i] * scale) : 0;
      }
      sumwts[t] = first ? l.sumWeight() : 0;
    }
    return new ContinuumChunk.Psfs(images, sumwts);
  }

  private static List<ImageTile> tiles(JobSpec job, PartitionDescriptor task, int nx, TileKind kind, int term,
      float[] image, double sumwt) {
    int ny = image.length / nx;
    ImageTile template = ImageTile.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
        .setCycle(task.getCycle()).setPartitionIndex(task.getPartitionIndex()).setKind(kind).setTerm(term)
        .setChannel(0).setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(nx).setImageNy(ny)
        .setSumWeight(sumwt).setNumPartitions(task.getNumPartitions()).setPixels(java.nio.ByteBuffer.allocate(0))
        .build();
    return ImageTiles.split(image, nx, ny, template);
  }

  /**
   * keep_partimages: the chunk's unnormalised partial images as CASA images, as pclean keeps them:
   * {@code <localDirectory>/<jobId>/<name>.n<k>.psf|.sumwt} (cycle 0) and {@code .residual} (latest cycle).
   */
  private static void keepPartImages(JobSpec job, PartitionDescriptor task, TcleanParams p, float[][] psfs,
      double[] sumwts, float[][] residuals) {
    if (!job.getKeepPartimages()) {
      return;
    }
    PlaneGeometry pg = job.getGeometry();
    ImageGeometry g = new ImageGeometry(p.nx(), p.ny(), "I", 1, pg.getRa(), pg.getDec(), p.cell()[0], p.cell()[1],
        pg.getFreq0(), pg.getDfreq(), 0.0);
    String base = Path.of(job.getImagename()).getFileName() + ".n" + task.getPartitionIndex();
    Path dir = Path.of(job.getLocalDirectory(), job.getJobId());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("keep_partimages: cannot create " + dir, e);
    }
    OutputNames names = new OutputNames(dir.resolve(base).toString());
    int nterms = residuals.length;
    ImageSetWriter writer = new ImageSetWriter(g, false);
    try {
      for (int t = 0; t < nterms; t++) {
        Path res = nterms == 1 ? names.path(Product.RESIDUAL) : names.path(Product.RESIDUAL, t);
        TableDirectories.delete(res);
        writer.plane(res, "Jy/beam", 0, residuals[t], null);
      }
      for (int t = 0; psfs != null && t < psfs.length; t++) {
        writer.plane(nterms == 1 ? names.path(Product.PSF) : names.path(Product.PSF, t), "", 0, psfs[t], null);
        writer.plane(nterms == 1 ? names.path(Product.SUMWT) : names.path(Product.SUMWT, t), "", 0,
            new float[] {(float) sumwts[t]}, null);
      }
      writer.finish(false);
    } catch (RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  private static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
