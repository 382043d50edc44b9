package org.pclean.imaging.gather;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
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
import org.pclean.imaging.continuum.ContinuumChunk;
import org.pclean.imaging.cycles.MinorCycle;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.imaging.mask.AutoMultiThresh;
import org.pclean.ingest.RowChunkTasks;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.MaskParams;
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
 *
 * <p>The minor cycle runs on the {@link MinorCycleExecutor}, not in {@code process()}: a cycle of minutes would
 * hold the task's exactly-once transaction open that long and stop every other record of the task (other jobs'
 * tiles, cube completion) behind it. The record that completes a cycle commits the tiles with
 * {@code minorCycleRunning}; the processor polls the executor every {@link #POLL} on the stream thread and writes the
 * outcome there (models, next tasks or products), in a transaction of its own. A task that stops meanwhile drops
 * the outcome; whoever takes the task over finds {@code minorCycleRunning} in the restored state and runs that minor
 * cycle again from the stored tiles (it is deterministic, so the products are the same).
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
  /** How often finished minor cycles are looked for. */
  static final Duration POLL = Duration.ofMillis(20);
  private final Executor executor;
  /** This task's minor cycles on the executor, by job. */
  private final Map<String, Running> running = new HashMap<>();
  /** Whether the minor cycles running when the task last stopped were started again. */
  private boolean resumed;

  /** A minor cycle handed to the executor: its job's attempt and cycle, when its cycle completed, its outcome. */
  private record Running(int attempt, int cycle, long startNanos, CompletableFuture<MinorCycleStep.Outcome> outcome) {}

  ContinuumCycleProcessor(TaskRebalancer rebalancer, Executor minorCycles) {
    this.rebalancer = rebalancer;
    this.executor = minorCycles;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.tiles = context.getStateStore(ContinuumCycleTopology.TILES_STORE);
    this.states = context.getStateStore(ContinuumCycleTopology.STATE_STORE);
    this.jobs = context.getStateStore(CubeCompletionTopology.JOBS_STORE);
    this.sweeper = new EndedJobSweeper(context, List.<KeyValueStore<String, ?>>of(states, tiles), this::ended);
    context.schedule(POLL, PunctuationType.WALL_CLOCK_TIME, now -> applyOutcomes());
  }

  /** The task is closing (revoked, or the app stops): its minor cycles' outcomes are dropped. */
  @Override
  public void close() {
    running.values().forEach(r -> r.outcome().cancel(false));
    running.clear();
  }

  /**
   * A job that ended without this processor finishing it (a worker or the client failed it): its density and
   * model tiles are tombstoned before the sweeper drops its state.
   */
  private void ended(JobSpec job) {
    Running r = running.remove(job.getJobId());
    if (r != null) {
      r.outcome().cancel(false);
    }
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
    if (!current(job, tile.getAttempt())) {
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
    if (state.getFinished() || state.getMinorCycleRunning() || tile.getCycle() != state.getCycle()) {
      return;  // a late duplicate of a cycle already gathered
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
        : state.getCycle() == 0  // + the start model and a restart's mask
            ? perImage * (3 * nterms - 1 + job.getStartModelTerms() + (job.getStartMask() ? 1 : 0))
        : perImage * nterms;
    if (state.getTilesIn() < expected) {
      states.put(job.getJobId(), state);
      return;
    }
    try {
      completeCycle(job, p, state);
    } catch (RuntimeException e) {
      failCycle(job, p, state, e);
    }
    states.put(job.getJobId(), state);
  }

  /** Whether job is known, running and at this attempt. */
  private static boolean current(JobSpec job, int attempt) {
    return job != null && job.getMode() == JobMode.CONTINUUM && job.getAttempt() == attempt
        && job.getState() != JobState.DONE && job.getState() != JobState.FAILED;
  }

  /**
   * A gathered cycle is complete: the density pass is answered at once; for a major cycle the PSF is normalised
   * and the beam fitted (cycle 0), and the minor cycle handed to the executor.
   */
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
    if (cycle == 0) {
      int nterms = nterms(p);
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
    state.setMinorCycleRunning(true);
    startMinorCycle(job, p, state, false);
  }

  /**
   * Reads the cycle's normalised images from the stores and hands its minor cycle to the executor; the outcome
   * is applied by {@link #applyOutcomes} on the stream thread.
   */
  private void startMinorCycle(JobSpec job, TcleanParams p, ContinuumState state, boolean resumed) {
    int cycle = state.getCycle();
    int nx = p.nx();
    int ny = p.ny();
    int nterms = nterms(p);
    float[][] psfs = new float[2 * nterms - 1][];
    for (int t = 0; t < psfs.length; t++) {
      psfs[t] = image(job, 0, TileKind.PSF, t, nx, ny);
      scale(psfs[t], 1 / state.getNorm());
    }
    float[][] residuals = new float[nterms][];
    float[][] models = new float[nterms][];
    for (int t = 0; t < nterms; t++) {
      residuals[t] = image(job, cycle, TileKind.RESIDUAL, t, nx, ny);
      if (cycle > 0 || p.calcres()) {  // calcres false: cycle 0's residual is the set's, normalised already
        scale(residuals[t], 1 / state.getNorm());
      }
      models[t] = cycle > 0 ? image(job, MODEL_CYCLE, TileKind.MODEL, t, nx, ny)
          : t < job.getStartModelTerms() ? image(job, 0, TileKind.MODEL, t, nx, ny) : new float[nx * ny];
    }
    boolean auto = p.masking().usemask() == MaskParams.UseMask.AUTO_MULTITHRESH;
    AutoMultiThresh.State priorMask = auto && cycle > 0 && p.niter() > 0  // stored after the previous cycle
        ? new AutoMultiThresh.State(bytes(image(job, MASK_CYCLE, TileKind.MASK, 0, nx, ny)),
            bytes(image(job, POSMASK_CYCLE, TileKind.MASK, 0, nx, ny)), state.getMaskStopped())
        : null;
    // A restart's mask, gathered in cycle 0 and kept with the PSFs: every cycle's mask starts from it.
    byte[] restartMask = job.getStartMask() ? bytes(image(job, 0, TileKind.MASK, 0, nx, ny)) : null;
    MinorCycleStep.Input in = new MinorCycleStep.Input(job, p, ContinuumState.newBuilder(state).build(), psfs,
        residuals, models, priorMask, restartMask);
    LOG.debug("job {}: cycle {} minor cycle starts{}", job.getJobId(), cycle,
        resumed ? " (again: the coordinator restarted while it ran)" : "");
    running.put(job.getJobId(), new Running(job.getAttempt(), cycle, System.nanoTime(),
        CompletableFuture.supplyAsync(() -> MinorCycleStep.run(in), executor)));
  }

  /**
   * Stream thread, every {@link #POLL}: applies the minor cycles that have finished. The first call also
   * restarts the minor cycles the stores say were running when this task last stopped.
   */
  private void applyOutcomes() {
    if (!resumed) {
      resumed = true;
      resumeMinorCycles();
    }
    for (Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Running> e = it.next();
      if (e.getValue().outcome().isDone()) {
        it.remove();
        apply(e.getKey(), e.getValue());
      }
    }
  }

  private void resumeMinorCycles() {
    List<ContinuumState> pending = new ArrayList<>();
    try (KeyValueIterator<String, ContinuumState> it = states.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value.getMinorCycleRunning() && !kv.value.getFinished()) {
          pending.add(kv.value);
        }
      });
    }
    for (ContinuumState state : pending) {
      JobSpec job = job(state.getJobId());
      if (!current(job, state.getAttempt()) || running.containsKey(job.getJobId())) {
        continue;
      }
      TcleanParams p = null;
      try {
        p = ImagingParamsCodec.of(job, 1);
        startMinorCycle(job, p, state, true);
      } catch (RuntimeException e) {
        failCycle(job, p, state, e);
        states.put(job.getJobId(), state);
      }
    }
  }

  /** Writes a finished minor cycle's outcome, unless its job ended or moved on meanwhile. */
  private void apply(String jobId, Running r) {
    JobSpec job = job(jobId);
    ContinuumState state = states.get(jobId);
    if (!current(job, r.attempt()) || state == null || state.getFinished() || !state.getMinorCycleRunning()
        || state.getCycle() != r.cycle()) {
      LOG.debug("job {}: the outcome of minor cycle {} is dropped (the job ended or was resubmitted)", jobId,
          r.cycle());
      return;
    }
    TcleanParams p = null;
    try {
      p = ImagingParamsCodec.of(job, 1);
      MinorCycleStep.Outcome o = r.outcome().join();
      state.setMinorCycleRunning(false);
      state.setIterationsDone(o.iterationsDone());
      state.setMinPeak(o.minPeak());
      state.setLastPeak(o.lastPeak());
      state.setLastCycleAtThreshold(o.lastCycleAtThreshold());
      if (o.mask() != null) {
        storeMask(job, p, state, o.mask());
      }
      if (o.stop().isPresent()) {
        finish(job, p, state, o);
      } else {
        nextMajorCycle(job, p, state, o);
      }
      LOG.debug(String.format(Locale.ROOT, "job %s: cycle %d gathered and processed in %.2f s", jobId, r.cycle(),
          (System.nanoTime() - r.startNanos()) / 1e9));
    } catch (RuntimeException e) {
      failCycle(job, p, state, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
    }
    states.put(jobId, state);
  }

  /** The cycle's models go to the workers with the next cycle's tasks. */
  private void nextMajorCycle(JobSpec job, TcleanParams p, ContinuumState state, MinorCycleStep.Outcome o) {
    int cycle = state.getCycle();
    ImagingResult.Cycle c = o.cycle();
    event(job, JobEventType.CONVERGENCE, cycle, state.getIterationsDone(), c.peakResidualBefore(), c.modelFlux(),
        String.format(Locale.ROOT, "cycle %d: %d iterations to cycle threshold %.4g", cycle, c.iterations(),
            c.cycleThreshold()));
    for (int t = 0; t < o.models().length; t++) {
      for (ImageTile mt : publishImage(job, TileKind.MODEL, t, cycle, o.models()[t], p.nx(), p.ny())) {
        tiles.put(tileKey(job, MODEL_CYCLE, TileKind.MODEL, t, mt.getTileIndex()), mt);
      }
    }
    dropCycle(job, cycle);
    nextCycle(job, state, cycle + 1);
  }

  /** Hands the restored product set to the sink and clears the job's model tiles and stored images. */
  private void finish(JobSpec job, TcleanParams p, ContinuumState state, MinorCycleStep.Outcome o) {
    PlaneGeometry g = job.getGeometry();
    Beam beam = MinorCycleStep.beam(state);
    StopReason stop = o.stop().orElseThrow();
    List<ProductEntry> entries = new ArrayList<>();
    List<ProductRecord> records = new ArrayList<>();
    for (int i = 0; i < o.products().size(); i++) {
      PlaneProducts.ProductImage img = o.products().get(i);
      int w = img.data().length == 1 ? 1 : p.nx();
      int h = img.data().length == 1 ? 1 : p.ny();
      entries.add(ProductEntry.newBuilder().setPath(img.path().toString()).setUnits(img.units())
          .setWithBeam(img.withBeam()).setNx(w).setNy(h).build());
      for (ImageTile t : ImageTiles.split(img.data(), w, h, template(job, -1, img.kind(), img.term()))) {
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
        .setStopMessage(stop.message()).setPeakResidual(o.peak()).build();
    send(ContinuumCycleTopology.PRODUCTS_SINK, Topics.jobKey(job.getJobId()), ProductRecord.newBuilder()
        .setJobId(job.getJobId()).setAttempt(job.getAttempt()).setManifest(manifest).build());
    for (ProductRecord r : records) {
      send(ContinuumCycleTopology.PRODUCTS_SINK, Topics.jobKey(job.getJobId()), r);
    }
    send(ContinuumCycleTopology.JOBS_SINK, Topics.jobKey(job.getJobId()), handedOver);
    event(job, JobEventType.CONVERGENCE, state.getCycle(), state.getIterationsDone(), o.peak(),
        MinorCycle.flux(o.models()[0]), "stopped after cycle " + state.getCycle() + ": " + stop.message());
    LOG.info(String.format(Locale.ROOT, "job %s: %d iterations, stop: %s (peak residual %.4g); %d product tiles"
        + " to the sink", job.getJobId(), state.getIterationsDone(), stop.message(), o.peak(), records.size()));
    state.setFinished(true);
    clear(job, p);
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

  /**
   * Tombstones the job's density, model and other start-image tiles on pclean.models and drops everything stored
   * for it.
   */
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
    JobRetention.tombstoneStartImages(job, p, key -> send(ContinuumCycleTopology.MODELS_SINK, key, null), false);
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

  /** The job's current cycle threw (on the stream thread or on the executor): the job fails with the reason. */
  private void failCycle(JobSpec job, TcleanParams p, ContinuumState state, Throwable e) {
    LOG.warn("job " + job.getJobId() + " cycle " + state.getCycle() + " failed: " + e);
    state.setFinished(true);
    fail(job, p, state, "cycle " + state.getCycle() + ": " + e.getMessage());
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
