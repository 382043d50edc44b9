package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.SpwChannels;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/** Parallel cube on the embedded broker equals the serial cube, plane by plane, for every chunking. */
public class ParallelCubeTest {
  static final int N = 96;
  static final int NCHAN = 5;
  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static Path serial;

  static TcleanParams.Builder params(String imagename) {
    return TcleanParams.builder().vis(ms).imagename(imagename).specmode(TcleanParams.SpecMode.CUBE).imsize(N, N)
        .cell(4 * Math.PI / 180 / 3600, 4 * Math.PI / 180 / 3600).datacolumn(DataColumn.DATA).niter(200)
        .threshold(1e-3).threads(1);
  }

  /** A small 5-channel VLA-C cube with two sources and a little noise. */
  static void simulateMs(Path path) {
    double arcsec = Math.PI / 180 / 3600;
    MsSimulator.simulate(path, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("C", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 40e6, "RR LL", -0.5,
            0.5, 180, 60000, 0.001, 5),
        List.of(new MsSimulator.PointSource(-40 * arcsec, 20 * arcsec, 1.0, -0.7),
            new MsSimulator.PointSource(60 * arcsec, -48 * arcsec, 0.4, 0.5)));
  }

  /**
   * Every product of a parallel cube equals the serial one: the same geometry and units, every plane within 1e-5
   * of the serial plane's peak, the same per-plane beams.
   */
  public static void assertSameCube(Path serial, Path parallel) {
    for (Product p : Product.values()) {
      if ((p == Product.MASK || p == Product.PBCOR)
          && !java.nio.file.Files.isDirectory(new OutputNames(serial.toString()).path(p))) {
        assertFalse(java.nio.file.Files.exists(new OutputNames(parallel.toString()).path(p)), p.suffix());
        continue;  // an unmasked run has no mask, a run without pbcor no .image.pbcor
      }
      try (CasaImage s = CasaImage.open(new OutputNames(serial.toString()).path(p));
           CasaImage q = CasaImage.open(new OutputNames(parallel.toString()).path(p))) {
        assertEquals(s.geometry(), q.geometry(), p.suffix());
        assertEquals(s.units(), q.units(), p.suffix());
        for (int c = 0; c < s.geometry().nchan(); c++) {
          float[] a = s.readPlane(0, c);
          float[] b = q.readPlane(0, c);
          float scale = 0;
          for (float v : a) {
            scale = Math.max(scale, Math.abs(v));
          }
          for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * scale, p.suffix() + " channel " + c + " pixel " + i);
          }
          assertEquals(s.beam(c, 0), q.beam(c, 0), p.suffix() + " beam of channel " + c);
        }
      }
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("cube.ms");
    simulateMs(ms);
    serial = tmp.resolve("serial");
    SerialImager.run(params(serial.toString()).build());
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  private static ParallelRunner.Settings settings(int nworkers, int chunk, Path work) {
    return settings(nworkers, chunk, work, "auto");
  }

  private static ParallelRunner.Settings settings(int nworkers, int chunk, Path work, String concatMode) {
    return new ParallelRunner.Settings(nworkers, chunk, broker.bootstrapServers(), work, concatMode, false,
        Duration.ofMinutes(5));
  }

  /**
   * A cube cleaned on from a start model (the model of a shorter serial clean), in parallel over 3 sub-cubes of
   * 2, 2 and 1 channels (each worker gets its channels of the model), equals the serial run from the same model.
   */
  @Test
  void aCubeFromAStartModelEqualsSerial() throws Exception {
    Path first = tmp.resolve("start-first");
    SerialImager.run(params(first.toString()).niter(30).build());
    Path model = new OutputNames(first.toString()).path(Product.MODEL);
    Path serialOn = tmp.resolve("start-serial");
    SerialImager.run(params(serialOn.toString()).startmodel(model).build());
    Path parallelOn = tmp.resolve("start-parallel");
    var outcome = ParallelRunner.run(params(parallelOn.toString()).startmodel(model).build(),
        settings(2, 2, tmp.resolve("work-start")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    assertEquals(3, outcome.job().getNumPartitions());
    assertSameCube(serialOn, parallelOn);
    // The start model mattered: cleaning on from it is not the run from nothing.
    try (CasaImage a = CasaImage.open(new OutputNames(serialOn.toString()).path(Product.MODEL));
         CasaImage b = CasaImage.open(new OutputNames(serial.toString()).path(Product.MODEL))) {
      assertTrue(!java.util.Arrays.equals(a.readPlane(0, 0), b.readPlane(0, 0)), "a start model changes the model");
    }
  }

  /** Chunkings -1, 1 and 3, written with concat modes auto (paged), virtual and movevirtual. */
  @Test
  void parallelEqualsSerialForEveryChunkingAndConcatMode() throws Exception {
    String[] modes = {"auto", "virtual", "movevirtual"};
    int[] chunks = {-1, 1, 3};
    for (int run = 0; run < 3; run++) {
      int chunk = chunks[run];
      Path out = tmp.resolve("par" + (chunk < 0 ? "m1" : chunk));
      Path work = tmp.resolve("work" + chunk);
      var outcome = ParallelRunner.run(params(out.toString()).build(), settings(2, chunk, work, modes[run]));
      assertEquals(JobState.DONE, outcome.job().getState());
      assertEquals(chunk == -1 ? 2 : chunk == 1 ? 5 : 2, outcome.job().getNumPartitions());
      for (Product p : Product.values()) {
        if (p == Product.MASK || p == Product.PBCOR) {
          continue;  // unmasked runs without pbcor
        }
        try (CasaImage s = CasaImage.open(new OutputNames(serial.toString()).path(p));
             CasaImage q = CasaImage.open(new OutputNames(out.toString()).path(p))) {
          assertArrayEquals(s.shape(), q.shape(), p.suffix());
          assertEquals(s.geometry(), q.geometry(), p.suffix());
          for (int c = 0; c < NCHAN; c++) {
            float[] a = s.readPlane(0, c);
            float[] b = q.readPlane(0, c);
            float scale = 0;
            for (float v : a) {
              scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < a.length; i++) {
              assertEquals(a[i], b[i], 1e-5 * scale, p.suffix() + " chunk " + chunk + " channel " + c + " pixel " + i);
            }
            if (p == Product.IMAGE) {
              assertEquals(s.beam(c, 0), q.beam(c, 0), "beam of channel " + c);
            }
          }
        }
      }
      // A paged copy or a move leaves no sub-cubes behind; a virtual cube refers to them where they are.
      assertEquals(modes[run].equals("virtual"), Files.exists(work.resolve(outcome.jobId())), modes[run]);
    }
  }

  /**
   * A worker that dies with a task taken (its offset never committed) has the task redelivered to the other
   * member: the job completes with the same cube as the serial run.
   */
  /** auto-multithresh cubes: each sub-cube's channels masked as the serial cube's, .mask concatenated like the rest. */
  @Test
  void maskedCubeEqualsSerial() throws Exception {
    Path ser = tmp.resolve("serial-auto");
    SerialImager.run(params(ser.toString()).usemask(org.pclean.ingest.params.MaskParams.UseMask.AUTO_MULTITHRESH)
        .build());
    Path out = tmp.resolve("par-auto");
    var outcome = ParallelRunner.run(params(out.toString())
        .usemask(org.pclean.ingest.params.MaskParams.UseMask.AUTO_MULTITHRESH).build(),
        settings(2, 2, tmp.resolve("work-auto")));
    assertEquals(JobState.DONE, outcome.job().getState());
    assertTrue(java.nio.file.Files.isDirectory(new OutputNames(out.toString()).mask()), "mask written");
    assertSameCube(ser, out);
  }

  /**
   * pbcor with --parallel: every sub-cube writes its .image.pbcor and the sink joins them like the other products,
   * from sub-cubes on the shared filesystem and from sub-cubes sent on the bus; both equal the serial cube, and
   * inside the primary beam each pbcor pixel is the image pixel over the pb pixel.
   */
  @Test
  void aPbcorCubeEqualsSerialFromFilesAndFromTheBus() throws Exception {
    Path ser = tmp.resolve("serial-pbcor");
    SerialImager.run(params(ser.toString()).pbcor(true).build());
    for (boolean onBus : new boolean[] {false, true}) {
      Path out = tmp.resolve(onBus ? "par-pbcor-bus" : "par-pbcor-files");
      var outcome = ParallelRunner.run(params(out.toString()).pbcor(true).build(),
          new ParallelRunner.Settings(2, 2, broker.bootstrapServers(), tmp.resolve("work-pbcor-" + onBus), "auto",
              false, Duration.ofMinutes(5), 0, false, onBus));
      assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
      assertTrue(outcome.products().contains(new OutputNames(out.toString()).path(Product.PBCOR)),
          outcome.products().toString());
      assertSameCube(ser, out);
      OutputNames names = new OutputNames(out.toString());
      try (CasaImage image = CasaImage.open(names.path(Product.IMAGE));
           CasaImage pb = CasaImage.open(names.path(Product.PB));
           CasaImage pbcor = CasaImage.open(names.path(Product.PBCOR))) {
        for (int c : new int[] {0, NCHAN - 1}) {
          float[] i = image.readPlane(0, c);
          float[] b = pb.readPlane(0, c);
          float[] q = pbcor.readPlane(0, c);
          int corner = 0;  // farthest from the pointing: the smallest pb of the plane
          assertTrue(b[corner] < 1, "pb " + b[corner]);
          assertEquals(i[corner] / b[corner], q[corner], 1e-6 * Math.abs(i[corner] / b[corner]), "channel " + c);
        }
      }
    }
  }

  @Test
  void jobCompletesWhenAWorkerDiesMidJob() throws Exception {
    java.util.Properties client = new java.util.Properties();
    client.put("bootstrap.servers", broker.bootstrapServers());
    Path out = tmp.resolve("survivor");
    Path work = tmp.resolve("work-kill");
    try (var view = new org.pclean.imaging.worker.JobSpecView(client);
         var models = new org.pclean.imaging.continuum.ModelView(client);
         var gather = new org.pclean.imaging.gather.Coordinator(client, Files.createTempDirectory(tmp, "st"), 1)) {
      gather.start();
      var sink = new org.pclean.sink.CubeSink(client);
      var doomed = new org.pclean.imaging.worker.ImagingWorker(client, "doomed", view, models);
      var survivor = new org.pclean.imaging.worker.ImagingWorker(client, "survivor", view, models);
      java.util.concurrent.atomic.AtomicInteger killedOn = new java.util.concurrent.atomic.AtomicInteger(-1);
      doomed.onTaskTaken(t -> {
        killedOn.set(t.getPartitionIndex());
        doomed.stop();
      });
      List<Thread> threads = List.of(new Thread(sink), new Thread(doomed));
      threads.forEach(Thread::start);
      Thread.sleep(3000);  // the doomed worker joins the group first and takes the first task
      Thread s2 = new Thread(survivor);
      s2.start();
      try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, Object>(client,
          new org.apache.kafka.common.serialization.StringSerializer(), new org.pclean.bus.BusSerializer())) {
        org.pclean.ingest.CubeJobSubmitter.submit(producer, new org.pclean.ingest.CubeJobSubmitter.CubeJob("kill-1",
            ms.toString(), out.toString(), params(out.toString()).build(),
            NCHAN, 1, 2, work.toString(), "auto", false));
      }
      long deadline = System.currentTimeMillis() + 120000;
      while (System.currentTimeMillis() < deadline && view.get("kill-1").map(j -> j.getState() != JobState.DONE
          && j.getState() != JobState.FAILED).orElse(true)) {
        Thread.sleep(100);
      }
      assertEquals(JobState.DONE, view.get("kill-1").orElseThrow().getState(), "job completes");
      assertTrue(killedOn.get() >= 0, "the doomed worker took a task before dying");
      survivor.stop();
      sink.stop();
      s2.join(30000);
      for (Thread t : threads) {
        t.join(30000);
      }
    }
    try (CasaImage s = CasaImage.open(new OutputNames(serial.toString()).path(Product.IMAGE));
         CasaImage q = CasaImage.open(new OutputNames(out.toString()).path(Product.IMAGE))) {
      for (int c = 0; c < NCHAN; c++) {
        assertArrayEquals(s.readPlane(0, c), q.readPlane(0, c), 1e-5f, "channel " + c);
      }
    }
  }

  /**
   * A parallel cube --restart continues from the set's .model and .mask, each worker slicing its channels of them,
   * and equals the serial restart of a copy of the same set: a niter-30 run masked to the first source, continued
   * to the threshold with no mask given, so the set's .mask alone keeps the second source out of the model; then
   * continued again from its .residual and .psf (calcres, calcpsf false).
   */
  @Test
  void aCubeRestartEqualsTheSerialRestart() throws Exception {
    Path serialSet = tmp.resolve("restart-serial");
    SerialImager.run(params(serialSet.toString()).mask("circle[[" + (N / 2 + 10) + "pix, " + (N / 2 + 5)
        + "pix], 4pix]").niter(30).build());
    assertTrue(Files.isDirectory(new OutputNames(serialSet.toString()).mask()), "the set has a .mask");
    Path parallelSet = tmp.resolve("restart-parallel");
    for (Product p : Product.values()) {
      Path from = new OutputNames(serialSet.toString()).path(p);
      if (Files.isDirectory(from)) {
        ParallelContinuumTest.copyTree(from, new OutputNames(parallelSet.toString()).path(p));
      }
    }
    SerialImager.run(params(serialSet.toString()).restart(true).build());
    var outcome = ParallelRunner.run(params(parallelSet.toString()).restart(true).build(),
        settings(2, 2, tmp.resolve("work-restart")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    assertSameCube(serialSet, parallelSet);
    try (CasaImage m = CasaImage.open(new OutputNames(parallelSet.toString()).path(Product.MODEL))) {
      float[] plane = m.readPlane(0, 0);
      double second = 0;
      for (int dy = -2; dy <= 2; dy++) {
        for (int dx = -2; dx <= 2; dx++) {
          second += plane[(N / 2 - 12 + dy) * N + N / 2 - 15 + dx];
        }
      }
      assertEquals(0.0, second, 0.0, "the set's .mask kept the second source out of the restarted model");
    }
    // It continued: the model is not the one of a run from nothing.
    try (CasaImage a = CasaImage.open(new OutputNames(parallelSet.toString()).path(Product.MODEL));
         CasaImage b = CasaImage.open(new OutputNames(serial.toString()).path(Product.MODEL))) {
      assertFalse(java.util.Arrays.equals(a.readPlane(0, 0), b.readPlane(0, 0)), "restart changes the model");
    }
    // Once more, deeper, reusing the sets' .residual, .psf and .sumwt (calcres, calcpsf false) instead of making
    // them: each worker slices its channels of them too, and the two sets stay equal.
    float[] before;
    try (CasaImage m = CasaImage.open(new OutputNames(parallelSet.toString()).path(Product.MODEL))) {
      before = m.readPlane(0, 0);
    }
    SerialImager.run(params(serialSet.toString()).restart(true).calcres(false).calcpsf(false).threshold(3e-4)
        .build());
    var again = ParallelRunner.run(params(parallelSet.toString()).restart(true).calcres(false).calcpsf(false)
        .threshold(3e-4).build(), settings(2, 2, tmp.resolve("work-restart-reuse")));
    assertEquals(JobState.DONE, again.job().getState(), again.job().getError());
    assertSameCube(serialSet, parallelSet);
    try (CasaImage m = CasaImage.open(new OutputNames(parallelSet.toString()).path(Product.MODEL))) {
      assertFalse(java.util.Arrays.equals(before, m.readPlane(0, 0)), "the second restart cleaned deeper");
    }
  }

  /**
   * A cube over two spws that continue each other's channels, with channel ranges ("0:1~4,1:0~2": 7 planes):
   * sub-cubes of 3 channels, the second holding channels of both spws, equal the serial cube.
   */
  @Test
  void aCubeOverTwoSpwsEqualsSerial() throws Exception {
    double arcsec = Math.PI / 180 / 3600;
    Path a = tmp.resolve("spw-a.ms");
    Path b = tmp.resolve("spw-b.ms");
    for (Path out : List.of(a, b)) {
      MsSimulator.simulate(out, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
          new MsSimulator.Observation("C", Math.toRadians(150), Math.toRadians(40), NCHAN,
              out == a ? 1.4e9 : 1.4e9 + NCHAN * 40e6, 40e6, "RR LL", -0.5, 0.5, 180, 60000, 0.001, 5),
          List.of(new MsSimulator.PointSource(-40 * arcsec, 20 * arcsec, 1.0, -0.7)));
    }
    Path two = TwoSpwMs.join(tmp.resolve("two-spw.ms"), a, b);
    TcleanParams.Builder cube = params("x").vis(two).spwSelection(SpwChannels.parse("0:1~4,1:0~2"))
        .weighting(TcleanParams.WeightingMode.BRIGGS).robust(0);
    Path serialTwo = tmp.resolve("spws-serial");
    SerialImager.run(cube.imagename(serialTwo.toString()).build());
    Path parallelTwo = tmp.resolve("spws-parallel");
    var outcome = ParallelRunner.run(cube.imagename(parallelTwo.toString()).build(),
        settings(2, 3, tmp.resolve("work-spws")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    assertEquals(3, outcome.job().getNumPartitions());
    assertSameCube(serialTwo, parallelTwo);
    try (CasaImage img = CasaImage.open(new OutputNames(parallelTwo.toString()).path(Product.IMAGE))) {
      assertEquals(7, img.geometry().nchan());
      assertEquals(1.4e9 + 40e6, img.toWorld(0, 0, 0, 0)[3], 1e-3, "plane 0 is spw 0's channel 1");
      assertEquals(1.4e9 + 7 * 40e6, img.toWorld(0, 0, 0, 6)[3], 1e-3, "plane 6 is spw 1's channel 2");
    }
    // One density over every selected channel (perchanweightdensity false), over both spws and over spw 0 alone:
    // each sub-cube weighs its samples by the whole selection's density, as the serial cube does.
    for (String spw : List.of("0:1~4,1:0~2", "0")) {
      TcleanParams.Builder shared = cube.spwSelection(SpwChannels.parse(spw)).perchanweightdensity(false);
      String name = spw.length() == 1 ? "one" : "two";
      Path serialShared = tmp.resolve("shared-serial-" + name);
      SerialImager.run(shared.imagename(serialShared.toString()).build());
      Path parallelShared = tmp.resolve("shared-parallel-" + name);
      var done = ParallelRunner.run(shared.imagename(parallelShared.toString()).build(),
          settings(2, 2, tmp.resolve("work-shared-" + name)));
      assertEquals(JobState.DONE, done.job().getState(), done.job().getError());
      assertSameCube(serialShared, parallelShared);
    }
    // The shared density is not each channel's own: the residuals differ.
    try (CasaImage own = CasaImage.open(new OutputNames(serialTwo.toString()).path(Product.RESIDUAL));
         CasaImage one = CasaImage.open(new OutputNames(tmp.resolve("shared-serial-two").toString())
             .path(Product.RESIDUAL))) {
      assertFalse(java.util.Arrays.equals(own.readPlane(0, 0), one.readPlane(0, 0)),
          "perchanweightdensity false changes the weights");
    }
  }

  /**
   * tclean's spectral regridding in parallel: each sub-cube regrids its share of the output channels from only the
   * input channels that feed them, and the cube equals the serial one that regrids every channel at once. Two
   * axes: LSRK, 1.41 GHz by 30 MHz (no output channel on an input one; linear) in sub-cubes of 2; and TOPO,
   * 1.55 GHz by -25 MHz (descending; nearest; one density over the regridded cube) in sub-cubes of 4.
   */
  @Test
  void aRegriddedCubeEqualsSerial() throws Exception {
    record Axis(String name, String frame, double start, double width, int nchan,
        org.pclean.ingest.source.ChannelRegridder.Interpolation mode, int chunk) {}
    for (Axis a : List.of(
        new Axis("lsrk", "LSRK", 1.41e9, 30e6, 5, org.pclean.ingest.source.ChannelRegridder.Interpolation.LINEAR, 2),
        new Axis("topo", "TOPO", 1.55e9, -25e6, 6, org.pclean.ingest.source.ChannelRegridder.Interpolation.NEAREST,
            4))) {
      // The TOPO cube weighs with one density over all its regridded channels (perchanweightdensity false).
      TcleanParams.Builder cube = params("x").start(a.start() + "Hz").width(a.width() + "Hz").nchan(a.nchan())
          .outframe(a.frame()).interpolation(a.mode()).weighting(TcleanParams.WeightingMode.BRIGGS).robust(0.5)
          .perchanweightdensity(a.frame().equals("LSRK"));
      Path serialRegrid = tmp.resolve("regrid-serial-" + a.name());
      SerialImager.run(cube.imagename(serialRegrid.toString()).build());
      Path parallelRegrid = tmp.resolve("regrid-parallel-" + a.name());
      var outcome = ParallelRunner.run(cube.imagename(parallelRegrid.toString()).build(),
          settings(2, a.chunk(), tmp.resolve("work-regrid-" + a.name())));
      assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
      assertEquals((a.nchan() + a.chunk() - 1) / a.chunk(), outcome.job().getNumPartitions(), a.name());
      assertSameCube(serialRegrid, parallelRegrid);
      try (CasaImage img = CasaImage.open(new OutputNames(parallelRegrid.toString()).path(Product.IMAGE))) {
        assertEquals(a.nchan(), img.geometry().nchan(), a.name());
        assertEquals(a.frame(), img.observation().frame(), a.name());
        for (int k = 0; k < a.nchan(); k++) {
          assertEquals(a.start() + k * a.width(), img.toWorld(0, 0, 0, k)[3], 1e-3, a.name() + " plane " + k);
        }
      }
    }
    // The first LSRK sub-cube (1.41 and 1.44 GHz) is fed by input channels 0..1 or 0..2 of 5 (1.40..1.48 GHz;
    // which, depends on the side of 1.44 GHz TOPO that 1.44 GHz LSRK falls on), not by all of them.
    TcleanParams lsrk = params("x").start("1.41GHz").width("30MHz").nchan(5).outframe("LSRK").build();
    try (var source = org.pclean.ingest.source.VisibilitySources.open(ms, null, null, null)) {
      var slice = org.pclean.ingest.plan.RegriddedCube.of(lsrk, source).slice(0, 1);
      assertEquals(0, slice.firstInput());
      assertTrue(slice.lastInput() <= 2, "last input channel " + slice.lastInput());
    }
  }

  /**
   * Channels flagged throughout (band edges, RFI) are blank planes of the serial cube, and so of the parallel one:
   * with channels 3 and 4 of 5 flagged (python3-casacore) and sub-cubes of 2, the last sub-cube holds nothing
   * unflagged and the middle one a blank plane; the job completes and equals the serial cube.
   */
  @Test
  void flaggedChannelsAreBlankPlanesInEverySubcube() throws Exception {
    Path flagged = tmp.resolve("flagged.ms");
    simulateMs(flagged);
    Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import casacore.tables").start();
    org.junit.jupiter.api.Assumptions.assumeTrue(check.waitFor() == 0,
        "python3-casacore is not installed for /usr/bin/python3 (it flags the MS's channels)");
    Process flag = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, casacore.tables as t\n"
        + "ms = t.table(sys.argv[1], readonly=False, ack=False)\n"
        + "f = ms.getcol('FLAG'); f[:, 3:5, :] = True; ms.putcol('FLAG', f); ms.close()", flagged.toString())
        .redirectErrorStream(true).start();
    String said = new String(flag.getInputStream().readAllBytes());
    assertEquals(0, flag.waitFor(), said);
    TcleanParams.Builder cube = params("x").vis(flagged);
    Path ser = tmp.resolve("flagged-serial");
    SerialImager.run(cube.imagename(ser.toString()).build());
    Path par = tmp.resolve("flagged-parallel");
    var outcome = ParallelRunner.run(cube.imagename(par.toString()).build(), settings(2, 2, tmp.resolve("work-flag")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    assertEquals(3, outcome.job().getNumPartitions());
    assertSameCube(ser, par);
    try (CasaImage img = CasaImage.open(new OutputNames(par.toString()).path(Product.IMAGE));
         CasaImage sumwt = CasaImage.open(new OutputNames(par.toString()).path(Product.SUMWT))) {
      for (int c = 0; c < NCHAN; c++) {
        float[] plane = img.readPlane(0, c);
        boolean blank = true;
        for (float v : plane) {
          blank &= v == 0;
        }
        assertEquals(c >= 3, blank, "plane " + c + " blank");
        assertEquals(c >= 3, sumwt.readPlane(0, c)[0] == 0, "plane " + c + " sumwt");
      }
    }
  }

  /** savemodel with a parallel cube: the client predicts every plane's model into its channel of MODEL_DATA. */
  @Test
  void savemodelCubeParallelEqualsSerial() throws Exception {
    Path serialMs = tmp.resolve("save-serial.ms");
    Path parallelMs = tmp.resolve("save-parallel.ms");
    ParallelContinuumTest.copyTree(ms, serialMs);
    ParallelContinuumTest.copyTree(ms, parallelMs);
    SerialImager.run(params(tmp.resolve("save-ser").toString()).vis(serialMs).savemodel(true).build());
    var outcome = ParallelRunner.run(params(tmp.resolve("save-par").toString()).vis(parallelMs).savemodel(true)
        .build(), settings(2, 2, tmp.resolve("work-save")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    ParallelContinuumTest.assertSameModelData(serialMs, parallelMs, NCHAN);
  }

  @Test
  void badParallelInputIsRefusedBeforeAnythingRuns() {
    var e1 = assertThrows(IllegalArgumentException.class, () -> ParallelRunner.run(params(tmp.resolve("x").toString())
        .specmode(TcleanParams.SpecMode.MFS).build(), new ParallelRunner.Settings(2, -1, broker.bootstrapServers(),
        tmp.resolve("w"), "auto", false, Duration.ofMinutes(1), -2, false)));
    assertTrue(e1.getMessage().contains("--row-chunks must be >= 1"), e1.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> ParallelRunner.run(params(tmp.resolve("x").toString())
        .build(), new ParallelRunner.Settings(2, -1, broker.bootstrapServers(), tmp.resolve("w"), "fastest", false,
        Duration.ofMinutes(1))));
    assertTrue(e2.getMessage().contains("unknown concat_mode 'fastest'"), e2.getMessage());
    assertFalse(Files.exists(tmp.resolve("x.image")));
  }
}
