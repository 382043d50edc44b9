package org.pclean.imaging.gather;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.bus.avro.TileKind;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;

/**
 * The continuum coordinator in TopologyTestDriver, against an analytic case: a Gaussian PSF and a residual that
 * is a 0.5 Jy point source seen through it. Cycle 0 must clean the source at its pixel down to the cycle
 * threshold (psffraction 0.05 × peak: a Gaussian has no sidelobes) and publish that model and cycle 1's tasks;
 * a cycle-1 residual below the threshold must end the job with the product set and the hand-over to the sink.
 * The minor cycles run on an executor, off the stream thread: a job's long minor cycle lets the other jobs' cycles
 * through, and the outcome of a job that ended meanwhile is dropped.
 */
class ContinuumCycleTopologyTest {
  static final int N = 64;
  static final double NORM = 250.0;  // the unnormalised PSF peak (sum of weights seen by the gridder)
  static final int SX = 40;
  static final int SY = 22;

  static float[] gaussian(int cx, int cy, double amp) {
    float[] g = new float[N * N];
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        g[y * N + x] = (float) (amp * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * 2.0 * 2.0)));
      }
    }
    return g;
  }

  static ImageTile template(int cycle, TileKind kind, int attempt) {
    return template("J", cycle, kind, attempt);
  }

  static ImageTile template(String jobId, int cycle, TileKind kind, int attempt) {
    return ImageTile.newBuilder().setJobId(jobId).setAttempt(attempt).setCycle(cycle).setPartitionIndex(-1)
        .setKind(kind).setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(0).setImageNy(0)
        .setSumWeight(kind == TileKind.PSF ? NORM : 0).setNumPartitions(2).setPixels(ByteBuffer.allocate(0)).build();
  }

  static void pipe(TestInputTopic<String, ImageTile> in, float[] image, int cycle, TileKind kind) {
    pipe(in, "J", image, cycle, kind);
  }

  static void pipe(TestInputTopic<String, ImageTile> in, String jobId, float[] image, int cycle, TileKind kind) {
    for (ImageTile t : ImageTiles.split(image, N, N, template(jobId, cycle, kind, 0))) {
      in.pipeInput(jobId, t);
    }
  }

  static JobSpec job(String jobId) {
    double cell = Math.PI / 180 / 3600;
    TcleanParams p = TcleanParams.builder().vis(Path.of("/data/x.ms")).imagename("/out/" + jobId).imsize(N, N)
        .cell(cell, cell).niter(500).gain(0.1).threshold(0.01).restoringbeam(5, 5, 0).build();
    return JobSpec.newBuilder().setJobId(jobId).setState(JobState.RUNNING).setMode(JobMode.CONTINUUM)
        .setVis("/data/x.ms").setImagename("/out/" + jobId).setImaging(ImagingParamsCodec.toRecord(p))
        .setNumPartitions(2).setRowBoundaries(List.of(0L, 100L, 250L)).setGeometry(PlaneGeometry.newBuilder()
            .setRa(1.0).setDec(0.5).setFreq0(1.4e9).setDfreq(1e8).setDishDiameter(25).build()).build();
  }

  /** The coordinator's topics in a driver, as the tests pipe into and read them. */
  record Bus(TestInputTopic<String, JobSpec> specs, TestInputTopic<String, ImageTile> gathered,
      TestOutputTopic<String, ImageTile> models, TestOutputTopic<String, PartitionDescriptor> tasks,
      TestOutputTopic<String, ProductRecord> products, TestOutputTopic<String, JobSpec> jobs) {
    static Bus on(TopologyTestDriver driver) {
      return new Bus(
          driver.createInputTopic(Topics.JOBS.name(), Serdes.String().serializer(), Messages.JOB_SPEC.serializer()),
          driver.createInputTopic(Topics.GATHERED.name(), Serdes.String().serializer(),
              Messages.IMAGE_TILE.serializer()),
          driver.createOutputTopic(Topics.MODELS.name(), Serdes.String().deserializer(),
              Messages.IMAGE_TILE.deserializer()),
          driver.createOutputTopic(Topics.TASKS.name(), Serdes.String().deserializer(),
              Messages.PARTITION.deserializer()),
          driver.createOutputTopic(Topics.PRODUCTS.name(), Serdes.String().deserializer(),
              Messages.PRODUCT.deserializer()),
          driver.createOutputTopic(Topics.JOBS.name(), Serdes.String().deserializer(),
              Messages.JOB_SPEC.deserializer()));
    }
  }

  static Properties props() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    return props;
  }

  /**
   * Moves the driver's wall clock on, a poll at a time, until the minor cycle on the executor has finished and
   * the stream thread has written its outcome to out.
   */
  static void awaitOutcome(TopologyTestDriver driver, TestOutputTopic<?, ?> out) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (out.isEmpty()) {
      assertTrue(System.currentTimeMillis() < deadline, "no minor-cycle outcome within 30 s");
      Thread.sleep(5);
      driver.advanceWallClockTime(ContinuumCycleProcessor.POLL);
    }
  }

  /** Polls a few times more: what has not appeared by then is not coming. */
  static void settle(TopologyTestDriver driver) throws InterruptedException {
    for (int i = 0; i < 20; i++) {
      Thread.sleep(5);
      driver.advanceWallClockTime(ContinuumCycleProcessor.POLL);
    }
  }

  @Test
  void cleansGatheredCyclesAndHandsTheProductsToTheSink() throws InterruptedException {
    JobSpec job = job("J");
    Properties props = props();
    try (TopologyTestDriver driver = new TopologyTestDriver(org.pclean.imaging.gather.Coordinator.topology(props),
        props)) {
      Bus bus = Bus.on(driver);
      bus.specs().pipeInput("J", job);
      var in = bus.gathered();
      var models = bus.models();
      var tasks = bus.tasks();
      var products = bus.products();
      var jobs = bus.jobs();

      // Cycle 0: PSF, and the residual of a 0.5 Jy source at (SX, SY), both unnormalised (× NORM).
      pipe(in, gaussian(N / 2, N / 2, NORM), 0, TileKind.PSF);
      for (ImageTile t : ImageTiles.split(gaussian(SX, SY, 0.5 * NORM), N, N, template(0, TileKind.RESIDUAL, 1))) {
        in.pipeInput("J", t);  // a superseded attempt's tile: ignored
      }
      assertTrue(models.isEmpty() && tasks.isEmpty(), "nothing happens before cycle 0 is complete");
      pipe(in, gaussian(SX, SY, 0.5 * NORM), 0, TileKind.RESIDUAL);
      awaitOutcome(driver, models);
      float[] model = new float[N * N];
      List<TestRecord<String, ImageTile>> modelRecords = models.readRecordsToList();
      assertEquals(ImageTiles.count(N, N), modelRecords.size());
      for (TestRecord<String, ImageTile> r : modelRecords) {
        assertEquals(0, r.value().getCycle());
        ImageTiles.addInto(r.value(), model);
      }
      double flux = 0;
      for (int i = 0; i < model.length; i++) {
        flux += model[i];
        if (i != SY * N + SX) {
          assertEquals(0f, model[i], "model only at the source pixel, pixel " + i);
        }
      }
      // Hogbom with gain 0.1 stops once the peak is below 0.05 × 0.5: 0.5 (1 - 0.9^k) with 0.5 · 0.9^k < 0.025.
      int k = (int) Math.ceil(Math.log(0.05) / Math.log(0.9));
      assertEquals(0.5 * (1 - Math.pow(0.9, k)), flux, 1e-5);
      List<PartitionDescriptor> next = tasks.readValuesToList();
      assertEquals(2, next.size());
      for (PartitionDescriptor t : next) {
        assertEquals(1, t.getCycle());
      }
      assertEquals(100L, next.get(0).getRowEnd());
      assertEquals(250L, next.get(1).getRowEnd());

      // A redelivered cycle-0 tile changes nothing.
      pipe(in, gaussian(SX, SY, 0.5 * NORM), 0, TileKind.RESIDUAL);
      settle(driver);
      assertTrue(models.isEmpty() && tasks.isEmpty());

      // Cycle 1: what the workers would grid after subtracting the model: below the threshold everywhere.
      pipe(in, gaussian(SX, SY, 0.5 * NORM * 0.01), 1, TileKind.RESIDUAL);
      awaitOutcome(driver, products);
      assertTrue(tasks.isEmpty(), "no cycle 2");
      List<ProductRecord> out = products.readValuesToList();
      ProductRecord manifest = out.get(0);
      assertEquals(out.size() - 1, manifest.getManifest().getNumTiles());
      assertEquals(6, manifest.getManifest().getProducts().size(), "image residual model psf pb sumwt");
      assertEquals("/out/J.image", manifest.getManifest().getProducts().get(0).getPath());
      assertEquals(k, manifest.getManifest().getIterations());
      assertEquals(5.0, manifest.getManifest().getBeamMajorArcsec(), 1e-12);
      float[] sumwt = new float[1];
      for (ProductRecord r : out.subList(1, out.size())) {
        if (r.getProductIndex() == 5) {
          ImageTiles.addInto(r.getTile(), sumwt);
        }
      }
      assertEquals(NORM, sumwt[0], 1e-4);
      // Each product's tiles are tagged with that product.
      Map<String, TileKind> bySuffix = Map.of(".image", TileKind.IMAGE, ".residual", TileKind.RESIDUAL,
          ".model", TileKind.MODEL, ".psf", TileKind.PSF, ".pb", TileKind.PB, ".sumwt", TileKind.SUMWT);
      for (ProductRecord r : out.subList(1, out.size())) {
        String path = manifest.getManifest().getProducts().get(r.getProductIndex()).getPath();
        assertEquals(bySuffix.get(path.substring(path.lastIndexOf('.'))), r.getTile().getKind(), path);
      }
      assertEquals(JobState.CONCATENATING, jobs.readValuesToList().get(0).getState());
      // The job's model tiles are tombstoned on pclean.models.
      List<TestRecord<String, ImageTile>> tombstones = models.readRecordsToList();
      assertEquals(ImageTiles.count(N, N), tombstones.size());
      tombstones.forEach(r -> assertNull(r.value()));
    }
  }

  /**
   * Job J's minor cycle is held on its executor thread (a minor cycle of minutes); meanwhile job K's cycle 0 is
   * gathered, cleaned and answered with its model and cycle-1 tasks. J is then failed by its client, and when its
   * minor cycle finishes, nothing of it is written.
   */
  @Test
  void aLongMinorCycleHoldsNoOtherJobAndALateOutcomeOfAnEndedJobIsDropped() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch jHeld = new CountDownLatch(1);
    Executor gated = task -> new Thread(() -> {
      if (jHeld.getCount() > 0) {  // the first minor cycle handed over is J's
        jHeld.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      task.run();
    }).start();
    Properties props = props();
    try (TopologyTestDriver driver = new TopologyTestDriver(Coordinator.topology(props, new TaskRebalancer(props),
        gated, JobRetention.Settings.DEFAULT), props)) {
      Bus bus = Bus.on(driver);
      var specs = bus.specs();
      specs.pipeInput("J", job("J"));
      specs.pipeInput("K", job("K"));
      var in = bus.gathered();
      var models = bus.models();
      var tasks = bus.tasks();

      pipe(in, "J", gaussian(N / 2, N / 2, NORM), 0, TileKind.PSF);
      pipe(in, "J", gaussian(SX, SY, 0.5 * NORM), 0, TileKind.RESIDUAL);
      assertTrue(jHeld.await(30, TimeUnit.SECONDS), "J's minor cycle started");
      pipe(in, "K", gaussian(N / 2, N / 2, NORM), 0, TileKind.PSF);
      pipe(in, "K", gaussian(SX, SY, 0.5 * NORM), 0, TileKind.RESIDUAL);
      awaitOutcome(driver, tasks);
      List<PartitionDescriptor> next = tasks.readValuesToList();
      assertEquals(2, next.size());
      next.forEach(t -> assertEquals("K", t.getJobId(), "only K's cycle 1 while J's minor cycle runs"));
      List<TestRecord<String, ImageTile>> kModels = models.readRecordsToList();
      assertEquals(ImageTiles.count(N, N), kModels.size());
      kModels.forEach(r -> assertEquals("K", r.value().getJobId()));

      specs.pipeInput("J", JobSpec.newBuilder(job("J")).setState(JobState.FAILED).setError("cancelled").build());
      release.countDown();
      settle(driver);
      assertTrue(tasks.isEmpty(), "no cycle-1 tasks of the failed job");
      for (TestRecord<String, ImageTile> r : models.readRecordsToList()) {
        assertNull(r.value(), "only tombstones of the failed job's tiles, no model: " + r.key());
      }
    }
  }
}
