package org.pclean.imaging.gather;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ContinuumState;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.bus.avro.ProductEntry;
import org.pclean.bus.avro.ProductManifest;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.bus.avro.TileKind;
import org.pclean.casacore.Beam;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.PlaneProducts;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.beam.BeamFitter;
import org.pclean.imaging.beam.PrimaryBeam;
import org.pclean.imaging.continuum.ContinuumChunk;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.imaging.cycles.MinorCycle;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.imaging.mask.AutoMultiThresh;
import org.pclean.imaging.mask.CleanMask;
import org.pclean.imaging.mask.PixelFrame;
import org.pclean.imaging.mask.PlaneMasks;
import org.pclean.ingest.RowChunkTasks;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuum coordinator (CASA's PyParallelContSynthesisImager main process): collects a job's gathered tiles
 * (the sums over its row chunks) per major cycle, and when a cycle is complete normalises by the PSF peak, fits
 * the beam (cycle 0), runs tclean's stop rules and the minor cycle with the serial engine's deconvolvers, and
 * publishes the model (pclean.models) and the next cycle's tasks (pclean.tasks) — or, when a stop rule holds,
 * restores and hands the product set to the sink (pclean.products) and moves the job to CONCATENATING. A
 * uniform/briggs job starts with a density cycle (-1) whose gathered density goes to the workers the same way.
 * A job with a start model (a startmodel, or a restart's .model: {@code JobSpec.startModelTerms}) also gathers
 * it in cycle 0 (chunk 0's copy, the other chunks' zeros), whose prediction the workers subtracted, and the minor
 * cycle cleans on from it.
 * The gathered tt0 residual is masked each cycle as the serial engine masks its plane (auto-multithresh's
 * mask and positive mask kept as tiles between cycles).
 * Everything it keeps between cycles is in changelogged stores (gathered tiles, PSF, model, {@link ContinuumState}),
 * and it runs under exactly_once_v2, so a restarted app resumes at the cycle where it stopped.
 */
final class ContinuumCycleProcessor implements Processor<String, ImageTile, String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuumCycleProcessor.class);
  private static final String MODEL_CYCLE = "model";
  private static final String MASK_CYCLE = "mask";
  private static final String POSMASK_CYCLE = "posmask";

  private final TaskRebalancer rebalancer;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ImageTile> tiles;
  private KeyValueStore<String, ContinuumState> states;
  private KeyValueStore<String, Object> jobs;
  private EndedJobSweeper sweeper;

  ContinuumCycleProcessor(TaskRebalancer rebalancer) {
    this.rebalancer = rebalancer;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.tiles = context.getStateStore(ContinuumCycleTopology.TILES_STORE);
    this.states = context.getStateStore(ContinuumCycleTopology.STATE_STORE);
    this.jobs = context.getStateStore(CubeCompletionTopology.JOBS_STORE);
    this.sweeper = new EndedJobSweeper(context, List.<KeyValueStore<String, ?>>of(states, tiles), this::ended);
  }

  /**
   * A job that ended without this processor finishing it (a worker or the client failed it): its density and
   * model tiles are tombstoned before the sweeper drops its state.
   */
  private void ended(JobSpec job) {
    ContinuumState state = states.get(job.getJobId());
    if (state == null || state.getFinished()) {
      return;  // finished here: cleared then
    }
    try {
      clear(job, ImagingParamsCodec.of(job, 1));
    } catch (RuntimeException e) {
      LOG.debug("job {}: nothing to tombstone ({})", job.getJobId(), e.getMessage());
    }
  }

  @Override
  public void process(Record<String, ImageTile> record) {
    ImageTile tile = record.value();
    if (tile == null) {
      return;
    }
    sweeper.seen(tile.getJobId());
    JobSpec job = job(tile.getJobId());
    if (job == null || job.getMode() != JobMode.CONTINUUM || job.getAttempt() != tile.getAttempt()
        || job.getState() == JobState.DONE || job.getState() == JobState.FAILED) {
      return;  // an unknown, finished or superseded job: nothing to coordinate
    }
    TcleanParams p;
    try {
      p = ImagingParamsCodec.of(job, 1);  // the minor cycle grids nothing: threads unused
    } catch (RuntimeException e) {
      fail(job, null, null, "bad parameters: " + e.getMessage());
      return;
    }
    ContinuumState state = states.get(job.getJobId());
    if (state == null) {
      state = ContinuumState.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
          .setCycle(ContinuumChunk.needsDensity(p) ? -1 : 0).setMinPeak(Double.MAX_VALUE).setLastPeak(Double.NaN)
          .build();
    }
    if (state.getFinished() || tile.getCycle() != state.getCycle()) {
      return;  // a late duplicate of a cycle already done
    }
    String key = tileKey(job, tile.getCycle(), tile.getKind(), tile.getTerm(), tile.getTileIndex());
    if (tiles.get(key) != null) {
      return;
    }
    tiles.put(key, tile);
    state.setTilesIn(state.getTilesIn() + 1);
    int nterms = nterms(p);
    int perImage = ImageTiles.count(p.nx(), p.ny());
    int expected = state.getCycle() < 0 ? perImage
        : state.getCycle() == 0 ? perImage * (3 * nterms - 1 + job.getStartModelTerms())  // + the start model
        : perImage * nterms;
    if (state.getTilesIn() < expected) {
      states.put(job.getJobId(), state);
      return;
    }
    long t0 = System.nanoTime();
    try {
      completeCycle(job, p, state);
      LOG.debug(String.format(Locale.ROOT, "job %s: cycle %d gathered and processed in %.2f s", job.getJobId(),
          state.getFinished() ? state.getCycle() : state.getCycle() - 1, (System.nanoTime() - t0) / 1e9));
    } catch (RuntimeException e) {
      LOG.warn("job " + job.getJobId() + " cycle " + state.getCycle() + " failed: " + e);
      state.setFinished(true);
      fail(job, p, state, "cycle " + state.getCycle() + ": " + e.getMessage());
    }
    states.put(job.getJobId(), state);
  }

  private void completeCycle(JobSpec job, TcleanParams p, ContinuumState state) {
    int cycle = state.getCycle();
    int nx = p.nx();
    int ny = p.ny();
    if (cycle < 0) {
      // The gathered density goes to every worker through the models topic; cycle 0 can then weight.
      float[] density = image(job, cycle, TileKind.DENSITY, 0, nx, ny);
      publishImage(job, TileKind.DENSITY, 0, -1, density, nx, ny);
      dropCycle(job, cycle);
      nextCycle(job, state, 0);
      return;
    }
    int nterms = nterms(p);
    if (cycle == 0) {
      double[] sumwts = new double[2 * nterms - 1];
      for (int t = 0; t < sumwts.length; t++) {
        sumwts[t] = tiles.get(tileKey(job, 0, TileKind.PSF, t, 0)).getSumWeight();
      }
      float[] psf0 = image(job, 0, TileKind.PSF, 0, nx, ny);
      double norm = psf0[(ny / 2) * nx + nx / 2];
      if (!(sumwts[0] > 0) || !(norm > 0)) {
        throw new IllegalArgumentException("no visibility falls on the uv grid (all flagged, or the cell is too"
            + " large for the baselines)");
      }
      scale(psf0, 1 / norm);
      Beam beam = SerialImager.restoringBeam(p, psf0);
      state.setNorm(norm);
      state.setSumwts(toList(sumwts));
      state.setBeamMajorArcsec(beam.majorArcsec());
      state.setBeamMinorArcsec(beam.minorArcsec());
      state.setBeamPaDeg(beam.paDeg());
      state.setMaxSidelobe(BeamFitter.maxSidelobe(psf0, nx, ny));
      LOG.info("job " + job.getJobId() + ": sumwt " + sumwts[0] + ", beam " + beam);
    }
    float[][] psfs = new float[2 * nterms - 1][];
    for (int t = 0; t < psfs.length; t++) {
      psfs[t] = image(job, 0, TileKind.PSF, t, nx, ny);
      scale(psfs[t], 1 / state.getNorm());
    }
    float[][] residuals = new float[nterms][];
    float[][] models = new float[nterms][];
    for (int t = 0; t < nterms; t++) {
      residuals[t] = image(job, cycle, TileKind.RESIDUAL, t, nx, ny);
      scale(residuals[t], 1 / state.getNorm());
      models[t] = cycle > 0 ? image(job, MODEL_CYCLE, TileKind.MODEL, t, nx, ny)
          : t < job.getStartModelTerms() ? image(job, 0, TileKind.MODEL, t, nx, ny) : new float[nx * ny];
    }
    IterationControl control = IterationControl.resume(p, state.getMaxSidelobe(), state.getIterationsDone(),
        state.getMinPeak(), state.getLastPeak(), state.getLastCycleAtThreshold());
    CleanMask mask = mask(job, p, state, cycle);
    MinorCycle minor = new MinorCycle(p, psfs, control, mask);
    List<ImagingResult.Cycle> history = new ArrayList<>();
    LOG.debug("job {}: cycle {} minor cycle starts", job.getJobId(), cycle);
    Optional<StopReason> stop = minor.step(0, cycle, residuals, models, history);
    state.setIterationsDone(control.iterationsDone());
    state.setMinPeak(control.minPeak());
    state.setLastPeak(control.lastPeak());
    state.setLastCycleAtThreshold(control.lastCycleAtThreshold());
    if (mask instanceof AutoMultiThresh auto && p.niter() > 0) {
      storeMask(job, p, state, auto.state());
    }
    if (stop.isPresent()) {
      finish(job, p, state, psfs, residuals, models, stop.get(), minor.lastPeak(),
          p.niter() > 0 ? minor.mask() : null);
      return;
    }
    ImagingResult.Cycle c = history.get(0);
    event(job, JobEventType.CONVERGENCE, cycle, state.getIterationsDone(), c.peakResidualBefore(), c.modelFlux(),
        String.format(Locale.ROOT, "cycle %d: %d iterations to cycle threshold %.4g", cycle, c.iterations(),
            c.cycleThreshold()));
    for (int t = 0; t < nterms; t++) {
      for (ImageTile mt : publishImage(job, TileKind.MODEL, t, cycle, models[t], nx, ny)) {
        tiles.put(tileKey(job, MODEL_CYCLE, TileKind.MODEL, t, mt.getTileIndex()), mt);
      }
    }
    dropCycle(job, cycle);
    nextCycle(job, state, cycle + 1);
  }

  /** Restores, hands the product set to the sink and clears the job's model tiles and stored images. */
  private void finish(JobSpec job, TcleanParams p, ContinuumState state, float[][] psfs, float[][] residuals,
      float[][] models, StopReason stop, double peak, byte[] mask) {
    PlaneGeometry g = job.getGeometry();
    Beam beam = beam(state);
    float[] pb = pb(job, p);
    double[] sumwts = state.getSumwts().stream().mapToDouble(Double::doubleValue).toArray();
    List<PlaneProducts.ProductImage> products = PlaneProducts.of(p, models, residuals, psfs, pb, sumwts, beam, mask);
    List<ProductEntry> entries = new ArrayList<>();
    List<ProductRecord> records = new ArrayList<>();
    for (int i = 0; i < products.size(); i++) {
      PlaneProducts.ProductImage img = products.get(i);
      int w = img.data().length == 1 ? 1 : p.nx();
      int h = img.data().length == 1 ? 1 : p.ny();
      entries.add(ProductEntry.newBuilder().setPath(img.path().toString()).setUnits(img.units())
          .setWithBeam(img.withBeam()).setNx(w).setNy(h).build());
      for (ImageTile t : ImageTiles.split(img.data(), w, h, template(job, -1, TileKind.RESIDUAL, 0))) {
        records.add(ProductRecord.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
            .setProductIndex(i).setTile(t).build());
      }
    }
    JobSpec handedOver = JobSpec.newBuilder(job).setState(JobState.CONCATENATING).build();
    ProductManifest manifest = ProductManifest.newBuilder().setJob(handedOver).setImagename(job.getImagename())
        .setFits(p.fits())
        .setNx(p.nx()).setNy(p.ny()).setRa(g.getRa()).setDec(g.getDec()).setCellX(p.cell()[0])
        .setCellY(p.cell()[1]).setFreq0(g.getFreq0()).setDfreq(g.getDfreq()).setBeamMajorArcsec(beam.majorArcsec())
        .setBeamMinorArcsec(beam.minorArcsec()).setBeamPaDeg(beam.paDeg()).setProducts(entries)
        .setNumTiles(records.size()).setIterations(state.getIterationsDone()).setStopCode(stop.code())
        .setStopMessage(stop.message()).setPeakResidual(peak).build();
    send(ContinuumCycleTopology.PRODUCTS_SINK, Topics.jobKey(job.getJobId()), ProductRecord.newBuilder().setJobId(job.getJobId())
        .setAttempt(job.getAttempt()).setManifest(manifest).build());
    for (ProductRecord r : records) {
      send(ContinuumCycleTopology.PRODUCTS_SINK, Topics.jobKey(job.getJobId()), r);
    }
    send(ContinuumCycleTopology.JOBS_SINK, Topics.jobKey(job.getJobId()), handedOver);
    event(job, JobEventType.CONVERGENCE, state.getCycle(), state.getIterationsDone(), peak,
        MinorCycle.flux(models[0]), "stopped after cycle " + state.getCycle() + ": " + stop.message());
    LOG.info(String.format(Locale.ROOT, "job %s: %d iterations, stop: %s (peak residual %.4g); %d product tiles"
        + " to the sink", job.getJobId(), state.getIterationsDone(), stop.message(), peak, records.size()));
    state.setFinished(true);
    clear(job, p);
  }

  /**
   * The plane's mask for this cycle, as the serial engine makes it for its mfs plane; auto-multithresh resumes
   * from the mask images stored after the previous cycle.
   */
  private CleanMask mask(JobSpec job, TcleanParams p, ContinuumState state, int cycle) {
    PlaneGeometry g = job.getGeometry();
    PixelFrame frame = new PixelFrame(p.nx(), p.ny(), g.getRa(), g.getDec(), p.cell()[0], p.cell()[1]);
    CleanMask mask = new PlaneMasks(p).forPlane(frame, g.getFreq0(), pb(job, p), beam(state), state.getMaxSidelobe(),
        "job " + job.getJobId());
    if (mask instanceof AutoMultiThresh auto && cycle > 0 && p.niter() > 0) {
      auto.restore(new AutoMultiThresh.State(bytes(image(job, MASK_CYCLE, TileKind.MASK, 0, p.nx(), p.ny())),
          bytes(image(job, POSMASK_CYCLE, TileKind.MASK, 0, p.nx(), p.ny())), state.getMaskStopped()));
    }
    return mask;
  }

  private void storeMask(JobSpec job, TcleanParams p, ContinuumState state, AutoMultiThresh.State s) {
    String[] cycles = {MASK_CYCLE, POSMASK_CYCLE};
    byte[][] masks = {s.mask(), s.posmask()};
    for (int k = 0; k < 2; k++) {
      float[] f = new float[masks[k].length];
      for (int i = 0; i < f.length; i++) {
        f[i] = masks[k][i];
      }
      for (ImageTile t : ImageTiles.split(f, p.nx(), p.ny(), template(job, -1, TileKind.MASK, 0))) {
        tiles.put(tileKey(job, cycles[k], TileKind.MASK, 0, t.getTileIndex()), t);
      }
    }
    state.setMaskStopped(s.stopped());
  }

  private static byte[] bytes(float[] f) {
    byte[] b = new byte[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = (byte) (f[i] > 0.5f ? 1 : 0);
    }
    return b;
  }

  private static Beam beam(ContinuumState state) {
    return new Beam(state.getBeamMajorArcsec(), state.getBeamMinorArcsec(), state.getBeamPaDeg());
  }

  /** The primary beam of the job's plane, as the serial engine makes it. */
  private static float[] pb(JobSpec job, TcleanParams p) {
    PlaneGeometry g = job.getGeometry();
    return PrimaryBeam.image(p.nx(), p.ny(), p.cell()[0], p.cell()[1], g.getDishDiameter(), g.getFreq0());
  }

  private void nextCycle(JobSpec job, ContinuumState state, int cycle) {
    state.setCycle(cycle);
    state.setTilesIn(0);
    List<PartitionDescriptor> tasks = RowChunkTasks.forCycle(job, cycle);
    List<Integer> parts = rebalancer.place(job.getJobId(), cycle,
        tasks.stream().map(PartitionDescriptor::getTopicPartition).toList());
    for (int k = 0; k < tasks.size(); k++) {
      PartitionDescriptor t = tasks.get(k);
      t.setTopicPartition(parts.get(k));
      send(ContinuumCycleTopology.TASKS_SINK, RowChunkTasks.key(t), t);
    }
  }

  /** Publishes an image's tiles on pclean.models (keyed without the cycle, so compaction keeps the newest). */
  private List<ImageTile> publishImage(JobSpec job, TileKind kind, int term, int cycle, float[] image, int nx,
      int ny) {
    List<ImageTile> out = ImageTiles.split(image, nx, ny, template(job, cycle, kind, term));
    for (ImageTile t : out) {
      send(ContinuumCycleTopology.MODELS_SINK, Topics.modelKey(job.getJobId(), job.getAttempt(), kind, term,
          t.getTileIndex()), t);
    }
    return out;
  }

  /** Tombstones the job's density and model tiles on pclean.models and drops everything stored for it. */
  private void clear(JobSpec job, TcleanParams p) {
    rebalancer.forget(job.getJobId());
    int n = ImageTiles.count(p.nx(), p.ny());
    for (int k = 0; k < n; k++) {
      if (ContinuumChunk.needsDensity(p)) {
        send(ContinuumCycleTopology.MODELS_SINK, Topics.modelKey(job.getJobId(), job.getAttempt(), TileKind.DENSITY,
            0, k), null);
      }
      for (int t = 0; t < nterms(p); t++) {
        send(ContinuumCycleTopology.MODELS_SINK, Topics.modelKey(job.getJobId(), job.getAttempt(), TileKind.MODEL, t,
            k), null);
      }
    }
    deletePrefix(job.getJobId() + "/" + job.getAttempt() + "/");
  }

  private void dropCycle(JobSpec job, int cycle) {
    if (cycle != 0) {  // cycle 0 holds the PSFs, needed in every cycle
      deletePrefix(job.getJobId() + "/" + job.getAttempt() + "/" + cycle + "/");
    } else {
      deletePrefix(job.getJobId() + "/" + job.getAttempt() + "/0/" + TileKind.RESIDUAL + "/");
      deletePrefix(job.getJobId() + "/" + job.getAttempt() + "/0/" + TileKind.MODEL + "/");  // a startmodel
    }
  }

  private void deletePrefix(String prefix) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ImageTile> it = tiles.prefixScan(prefix, new StringSerializer())) {
      while (it.hasNext()) {
        keys.add(it.next().key);
      }
    }
    keys.forEach(tiles::delete);
  }

  private void fail(JobSpec job, TcleanParams p, ContinuumState state, String why) {
    send(ContinuumCycleTopology.JOBS_SINK, Topics.jobKey(job.getJobId()),
        JobSpec.newBuilder(job).setState(JobState.FAILED).setError(why).build());
    event(job, JobEventType.FAILED, state == null ? null : state.getCycle(), null, null, null, why);
    if (p != null) {
      clear(job, p);
    } else {
      deletePrefix(job.getJobId() + "/" + job.getAttempt() + "/");
    }
  }

  private void event(JobSpec job, JobEventType type, Integer cycle, Integer iterations, Double peak, Double flux,
      String message) {
    send(ContinuumCycleTopology.EVENTS_SINK, Topics.jobKey(job.getJobId()), JobEvent.newBuilder().setJobId(job.getJobId())
        .setType(type).setCycle(cycle).setIterations(iterations).setPeakResidual(peak).setModelFlux(flux)
        .setMessage(message).setTimestampMillis(System.currentTimeMillis()).build());
  }

  private void send(String sink, String key, Object value) {
    context.forward(new Record<>(key, value, context.currentSystemTimeMs()), sink);
  }

  /** The stored image of (cycle, kind, term), assembled from its tiles. */
  private float[] image(JobSpec job, Object cycle, TileKind kind, int term, int nx, int ny) {
    float[] out = new float[nx * ny];
    int n = ImageTiles.count(nx, ny);
    for (int k = 0; k < n; k++) {
      ImageTile t = tiles.get(tileKey(job, cycle, kind, term, k));
      if (t == null) {
        throw new IllegalStateException(kind + " term " + term + " tile " + k + " of cycle " + cycle
            + " is missing from the store");
      }
      ImageTiles.addInto(t, out);
    }
    return out;
  }

  private JobSpec job(String jobId) {
    Object v = jobs.get(jobId);
    if (v instanceof ValueAndTimestamp<?> vt) {
      v = vt.value();
    }
    return (JobSpec) v;
  }

  static String tileKey(JobSpec job, Object cycle, TileKind kind, int term, int tileIndex) {
    return job.getJobId() + "/" + job.getAttempt() + "/" + cycle + "/" + kind + "/" + term + "/" + tileIndex;
  }

  private static ImageTile template(JobSpec job, int cycle, TileKind kind, int term) {
    return ImageTiles.template(job.getJobId(), job.getAttempt(), cycle, kind, term);
  }

  private static int nterms(TcleanParams p) {
    return p.deconvolver() == TcleanParams.DeconvolverKind.MTMFS ? p.nterms() : 1;
  }

  private static List<Double> toList(double[] a) {
    List<Double> out = new ArrayList<>();
    for (double v : a) {
      out.add(v);
    }
    return out;
  }

  private static void scale(float[] a, double s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= (float) s;
    }
  }
}
