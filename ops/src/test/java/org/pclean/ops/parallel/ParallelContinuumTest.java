package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.sink.ContinuumSink;

/**
 * Parallel continuum (row chunks gridded by workers, gathered and deconvolved by the Streams coordinator, written
 * by the sink) on the embedded broker equals the serial mfs run: every product, for natural and briggs weighting,
 * hogbom and mtmfs, with 1, 2 and 3 row chunks, and for wproject; it recovers the known sky; and it survives a
 * worker dying with a task taken and the coordinator being stopped and restarted between cycles.
 */
class ParallelContinuumTest {
  static final int N = 128;
  static final int NCHAN = 4;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final double CELL = 3 * ARCSEC;
  static final double FREQ0 = 1.4e9;
  static final double DFREQ = 32e6;
  /** Sources on pixel centres: pixel offset (dx, dy), flux at FREQ0, spectral index. */
  static final double[][] SKY = {{-20, 10, 1.0, -0.7}, {30, 15, 0.5, 0.0}, {10, -40, 0.25, 0.5}};

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("cont.ms");
    List<MsSimulator.PointSource> sky = new ArrayList<>();
    for (double[] s : SKY) {
      sky.add(new MsSimulator.PointSource(-s[0] * CELL, s[1] * CELL, s[2], s[3]));
    }
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), NCHAN, FREQ0, DFREQ, "RR LL",
            -0.5, 0.5, 120, 60000, 0.0, 11), sky);
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams params(String name, WeightingMode weighting, DeconvolverKind deconvolver) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).weighting(weighting).robust(0).deconvolver(deconvolver).niter(3000)
        .threshold(5e-4).threads(1).build();
  }

  static ParallelRunner.Settings settings(int rowChunks, Path work) {
    return new ParallelRunner.Settings(2, -1, broker.bootstrapServers(), work, "auto", false, Duration.ofMinutes(5),
        rowChunks, false);
  }

  @Test
  void parallelEqualsSerialForWeightingsDeconvolversAndChunkings() throws Exception {
    Map<String, TcleanParams> serial = new LinkedHashMap<>();
    Map<String, TcleanParams> parallel = new LinkedHashMap<>();
    Map<String, String> jobIds = new LinkedHashMap<>();
    try (LocalCluster cluster = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve("work"))) {
      for (WeightingMode w : new WeightingMode[] {WeightingMode.NATURAL, WeightingMode.BRIGGS}) {
        for (DeconvolverKind d : new DeconvolverKind[] {DeconvolverKind.HOGBOM, DeconvolverKind.MTMFS}) {
          String tag = w + "-" + d;
          serial.put(tag, params("serial-" + tag, w, d));
          for (int chunks = 1; chunks <= 3; chunks++) {
            TcleanParams p = params("par-" + tag + "-" + chunks, w, d);
            parallel.put(tag + "/" + chunks, p);
            // All twelve jobs run at once: the coordinator and the workers interleave them.
            jobIds.put(tag + "/" + chunks, ParallelRunner.submit(cluster.client(), cluster.producer(), p,
                settings(chunks, tmp.resolve("work"))));
          }
        }
      }
      // wproject: every chunk w-stacks on the planes of the whole selection.
      serial.put("WPROJECT", params("serial-wproject", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
          .gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(6).build());
      TcleanParams wp = params("par-wproject", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
          .gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(6).build();
      parallel.put("WPROJECT/2", wp);
      jobIds.put("WPROJECT/2", ParallelRunner.submit(cluster.client(), cluster.producer(), wp,
          settings(2, tmp.resolve("work"))));
      // wgridder: every chunk stacks on the planes the wgridder chooses for the whole selection's w range.
      serial.put("WGRIDDER", params("serial-wgridder", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
          .gridder(TcleanParams.GridderKind.WGRIDDER).build());
      TcleanParams wg = params("par-wgridder", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
          .gridder(TcleanParams.GridderKind.WGRIDDER).build();
      parallel.put("WGRIDDER/2", wg);
      jobIds.put("WGRIDDER/2", ParallelRunner.submit(cluster.client(), cluster.producer(), wg,
          settings(2, tmp.resolve("work"))));
      serial.values().forEach(SerialImager::run);
      for (var e : parallel.entrySet()) {
        var outcome = ParallelRunner.await(cluster, jobIds.get(e.getKey()), e.getValue(), Duration.ofMinutes(5));
        assertEquals(JobState.DONE, outcome.job().getState(), e.getKey());
        assertEquals(Integer.parseInt(e.getKey().split("/")[1]), outcome.job().getNumPartitions());
      }
    }
    for (var e : parallel.entrySet()) {
      TcleanParams s = serial.get(e.getKey().split("/")[0]);
      assertSameProducts(s, e.getValue(), e.getKey());
    }
    // Known sky: the natural-weighted hogbom image recovers each source's band-mean flux at its position.
    try (CasaImage img = CasaImage.open(new OutputNames(parallel.get("NATURAL-HOGBOM/2").imagename())
        .path(OutputNames.Product.IMAGE))) {
      float[] d = img.readPlane(0, 0);
      for (double[] s : SKY) {
        int x = N / 2 + (int) s[0];
        int y = N / 2 + (int) s[1];
        double mean = 0;
        for (int c = 0; c < NCHAN; c++) {
          mean += s[2] * Math.pow((FREQ0 + c * DFREQ) / FREQ0, s[3]) / NCHAN;
        }
        float peak = d[y * N + x];
        assertEquals(mean, peak, 0.01 * mean, "flux of source at " + s[0] + "," + s[1]);
        assertEquals(0.0, parabola(d[y * N + x - 1], peak, d[y * N + x + 1]), 0.1, "x of " + s[0] + "," + s[1]);
        assertEquals(0.0, parabola(d[(y - 1) * N + x], peak, d[(y + 1) * N + x]), 0.1, "y of " + s[0] + "," + s[1]);
      }
    }
  }

  /**
   * Masks on the coordinator's gathered residual equal the serial engine's: auto-multithresh (its mask carried
   * between cycles in the coordinator's stores) with hogbom and mtmfs, and a user region mask; every product and
   * the .mask image equal serial.
   */
  @Test
  void maskedParallelEqualsSerial() throws Exception {
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("auto-hogbom", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
        .usemask(org.pclean.ingest.params.MaskParams.UseMask.AUTO_MULTITHRESH));
    runs.put("auto-mtmfs", params("x", WeightingMode.NATURAL, DeconvolverKind.MTMFS).toBuilder()
        .usemask(org.pclean.ingest.params.MaskParams.UseMask.AUTO_MULTITHRESH));
    runs.put("user-hogbom", params("x", WeightingMode.NATURAL, DeconvolverKind.HOGBOM).toBuilder()
        .mask("circle[[44pix, 74pix], 6pix]", "box[[90pix, 75pix], [98pix, 83pix]]"));
    var ran = runBoth(runs, "mask-", name -> 2, tmp.resolve("work-mask"));
    for (var e : runs.entrySet()) {
      TcleanParams ser = e.getValue().imagename(tmp.resolve("ser-mask-" + e.getKey()).toString()).build();
      TcleanParams par = e.getValue().imagename(tmp.resolve("par-mask-" + e.getKey()).toString()).build();
      assertTrue(ran.get(e.getKey()).parallel().products().contains(new OutputNames(par.imagename()).mask()),
          e.getKey());
      try (CasaImage a = CasaImage.open(new OutputNames(ser.imagename()).mask());
           CasaImage b = CasaImage.open(new OutputNames(par.imagename()).mask())) {
        float[] x = a.readPlane(0, 0);
        float[] y = b.readPlane(0, 0);
        int inside = 0;
        for (int i = 0; i < x.length; i++) {
          assertEquals(x[i], y[i], e.getKey() + " mask pixel " + i);
          inside += (int) x[i];
        }
        assertTrue(inside > 0 && inside < x.length, e.getKey() + ": " + inside + " pixels masked");
      }
    }
  }

  /**
   * Multi-scale mtmfs (MS-MFS, scales 0, 4, 8) in the coordinator's minor cycle, in a user mask: the same clean as
   * serial on inputs that differ from serial in float rounding (the gathered PSFs and residuals). Where smooth
   * scale components compete almost equally, that rounding decides which is taken, so the products agree to 1e-2
   * of each peak (CI saw a tt1 pixel of 0.135 differ by 8.6e-4), not to the 1e-5 of point components, and the tt0
   * model flux to 1e-3.
   */
  @Test
  void multiscaleMtmfsParallelAgreesWithSerial() throws Exception {
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("user", params("x", WeightingMode.NATURAL, DeconvolverKind.MTMFS).toBuilder().scales(0, 4, 8)
        .mask("circle[[44pix, 74pix], 6pix]", "box[[90pix, 75pix], [98pix, 83pix]]"));
    runBoth(runs, "msmfs-", name -> 2, tmp.resolve("work-msmfs"), 1e-2);
    double[] flux = new double[2];
    for (int k = 0; k < 2; k++) {
      try (CasaImage m = CasaImage.open(new OutputNames(tmp.resolve((k == 0 ? "ser" : "par") + "-msmfs-user")
          .toString()).path(OutputNames.Product.MODEL, 0))) {
        for (float v : m.readPlane(0, 0)) {
          flux[k] += v;
        }
      }
    }
    assertEquals(flux[0], flux[1], 1e-3 * Math.abs(flux[0]), "tt0 model flux");
  }

  /**
   * tclean's antenna, scan and uvrange selections and nmajor reach the workers and the coordinator through the
   * JobSpec: the parallel products equal the serial ones (the selection leaves out two antennas' baselines and the
   * short spacings, which changes the sum of weights; nmajor 1 stops the coordinator after one minor cycle, which the images show).
   */
  @Test
  void rowSelectionAndNmajorParallelEqualSerial() throws Exception {
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("select", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
        .rows("!0;!3", "<100000", ">150m"));
    runs.put("nmajor", params("x", WeightingMode.NATURAL, DeconvolverKind.HOGBOM).toBuilder().cycleniter(30)
        .nmajor(1));
    var nmajor = runBoth(runs, "rows-", name -> 2, tmp.resolve("work-rows")).get("nmajor").serial();
    assertEquals(org.pclean.imaging.cycles.StopReason.NMAJOR, nmajor.planes().get(0).stop());
    assertEquals(30, nmajor.totalIterations());
    SerialImager.run(params("ser-rows-all", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder().niter(0)
        .build());
    try (CasaImage selected = CasaImage.open(new OutputNames(tmp.resolve("ser-rows-select").toString()).path(OutputNames.Product.SUMWT));
         CasaImage whole = CasaImage.open(new OutputNames(tmp.resolve("ser-rows-all").toString()).path(OutputNames.Product.SUMWT))) {
      double ratio = selected.readPlane(0, 0)[0] / whole.readPlane(0, 0)[0];
      assertTrue(ratio > 0.3 && ratio < 0.95, "the selection keeps part of the weight: " + ratio);
    }
  }

  /**
   * Continuum over two spws (and channel ranges of them): each spw's rows in turn are the selection's rows, a row
   * chunk straddling the two holds both spws' channels, and the plane is the whole band's. Parallel equals serial
   * for briggs (its density gathered over both spws) in three chunks and for mtmfs over channel ranges, with
   * wproject's w planes taken from every row and channel. The two-spw MS is two simulated MSs joined
   * ({@link TwoSpwMs}).
   */
  @Test
  void severalSpwsParallelEqualSerial() throws Exception {
    Path a = tmp.resolve("spw-a.ms");
    Path b = tmp.resolve("spw-b.ms");
    List<MsSimulator.PointSource> sky = new ArrayList<>();
    for (double[] src : SKY) {
      sky.add(new MsSimulator.PointSource(-src[0] * CELL, src[1] * CELL, src[2], src[3]));
    }
    for (Path out : List.of(a, b)) {
      MsSimulator.simulate(out, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
          new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), NCHAN,
              out == a ? FREQ0 : FREQ0 + NCHAN * DFREQ, DFREQ, "RR LL", -0.5, 0.5, 120, 60000, 0.0, 11), sky);
    }
    Path two = TwoSpwMs.join(tmp.resolve("two-spw.ms"), a, b);
    // The estimates count what the engine loads over both spws: every spw's rows by every selected channel.
    try (var source = org.pclean.ingest.source.MeasurementSetSource.open(two);
         var one = org.pclean.ingest.source.MeasurementSetSource.open(a)) {
      var counted = org.pclean.ingest.plan.MemoryEstimate.Selection.of(params("x", WeightingMode.NATURAL,
          DeconvolverKind.HOGBOM).toBuilder().vis(two).spwSelection(org.pclean.ingest.source.SpwChannels
          .parse("0,1")).build(), source);
      assertEquals(2 * one.metadata().rows(), counted.rows());
      assertEquals(2 * NCHAN, counted.channels());
    }
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("spws-briggs", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder().vis(two)
        .spwSelection(org.pclean.ingest.source.SpwChannels.parse("0,1")));
    runs.put("spws-mtmfs", params("x", WeightingMode.NATURAL, DeconvolverKind.MTMFS).toBuilder().vis(two)
        .spwSelection(org.pclean.ingest.source.SpwChannels.parse("0:0~1;3,1"))
        .gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(-1));
    runBoth(runs, "", name -> name.endsWith("briggs") ? 3 : 2, tmp.resolve("work-spws"));
    try (CasaImage img = CasaImage.open(new OutputNames(tmp.resolve("par-spws-briggs").toString())
        .path(OutputNames.Product.IMAGE))) {
      double[] world = img.toWorld(0, 0, 0, 0);
      assertEquals(FREQ0 + (NCHAN - 0.5) * DFREQ, world[3], 1e-3, "the plane sits at the centre of both spws");
    }
  }

  /**
   * A startmodel (the model of a short serial run) travels from the client to the workers, who subtract its
   * prediction in cycle 0, and to the coordinator, which cleans on from it: briggs (after the density cycle) and
   * natural equal the serial runs from the same model, and the natural image recovers the known sky.
   */
  @Test
  void startmodelParallelEqualsSerial() throws Exception {
    TcleanParams seed = params("seed", WeightingMode.NATURAL, DeconvolverKind.HOGBOM).toBuilder().niter(40).build();
    SerialImager.run(seed);
    Path start = new OutputNames(seed.imagename()).path(OutputNames.Product.MODEL);
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("briggs/2", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder().startmodel(start));
    runs.put("natural/3", params("x", WeightingMode.NATURAL, DeconvolverKind.HOGBOM).toBuilder().startmodel(start));
    runBoth(runs, "start-", name -> Integer.parseInt(name.split("/")[1]), tmp.resolve("work-start"));
    try (CasaImage img = CasaImage.open(new OutputNames(tmp.resolve("par-start-natural-3").toString())
        .path(OutputNames.Product.IMAGE))) {
      float[] d = img.readPlane(0, 0);
      for (double[] s : SKY) {
        double mean = 0;
        for (int c = 0; c < NCHAN; c++) {
          mean += s[2] * Math.pow((FREQ0 + c * DFREQ) / FREQ0, s[3]) / NCHAN;
        }
        assertEquals(mean, d[(N / 2 + (int) s[1]) * N + N / 2 + (int) s[0]], 0.01 * mean, "flux at " + s[0] + ","
            + s[1]);
      }
    }
  }

  /**
   * tclean's restart on a parallel mfs job: the model of an existing product set (one per Taylor term) is the
   * start, as for the serial engine. Two copies of a serial run's products (niter 40) are restarted with niter
   * 60 (not converged, so the start shows), one serially and one in parallel, and give the same products (hogbom,
   * and mtmfs with its two models).
   */
  @Test
  void restartParallelEqualsSerial() throws Exception {
    Map<String, TcleanParams.Builder> runs = restartSets("restart-");
    Path work = tmp.resolve("work-restart");
    runs.values().forEach(b -> b.niter(60).restart(true));
    for (var e : runBoth(runs, "restart-", name -> 2, work).entrySet()) {
      assertEquals(e.getKey().equals("mtmfs") ? 2 : 1, e.getValue().parallel().job().getStartModelTerms(),
          e.getKey() + ": started from the models");
    }
  }

  /**
   * A restart reusing the set's .psf, .sumwt and .residual (calcpsf and calcres false), and one reusing only the
   * .residual (calcres false): the client publishes them, chunk 0 hands them to the coordinator, and no chunk grids
   * what is reused. The copies' tt0 .residual is scaled by 1.5 and their tt0 .sumwt (the normalisation) doubled, so
   * a run that made its own would differ. hogbom (briggs, after the density cycle) and mtmfs (its three PSF terms)
   * equal the serial restarts of copies of their sets, both ways.
   */
  @Test
  void restartReusingThePsfAndResidualParallelEqualsSerial() throws Exception {
    Path work = tmp.resolve("work-reuse");
    for (String prefix : new String[] {"reuse-", "resonly-"}) {
      Map<String, TcleanParams.Builder> runs = restartSets(prefix);
      for (var e : runs.entrySet()) {
        // As if another run had written them: a restart that remade its PSF and residual would not see this.
        for (String copy : new String[] {"ser-", "par-"}) {
          OutputNames set = new OutputNames(tmp.resolve(copy + prefix + e.getKey()).toString());
          boolean mtmfs = e.getKey().equals("mtmfs");
          scaleImage(mtmfs ? set.path(OutputNames.Product.RESIDUAL, 0) : set.path(OutputNames.Product.RESIDUAL),
              1.5f);
          scaleImage(mtmfs ? set.path(OutputNames.Product.SUMWT, 0) : set.path(OutputNames.Product.SUMWT), 2f);
        }
      }
      boolean psfToo = prefix.equals("reuse-");
      runs.values().forEach(b -> b.niter(60).restart(true).calcres(false).calcpsf(!psfToo));
      runBoth(runs, prefix, name -> 2, work);
    }
  }

  /** Every pixel of a CASA image times f, in place. */
  private static void scaleImage(Path path, float f) {
    try (CasaImage img = CasaImage.open(path, true)) {
      for (int c = 0; c < img.shape()[3]; c++) {
        float[] plane = img.readPlane(0, c);
        for (int i = 0; i < plane.length; i++) {
          plane[i] *= f;
        }
        img.writePlane(0, c, plane);
      }
    }
  }

  /**
   * Two sets to restart, hogbom (briggs) and mtmfs (natural), each a serial niter-40 run copied under
   * ser-&lt;prefix&gt;&lt;name&gt; and par-&lt;prefix&gt;&lt;name&gt;; returns their runs by name.
   */
  private static Map<String, TcleanParams.Builder> restartSets(String prefix) throws java.io.IOException {
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("hogbom", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder());
    runs.put("mtmfs", params("x", WeightingMode.NATURAL, DeconvolverKind.MTMFS).toBuilder());
    for (var e : runs.entrySet()) {
      Path first = tmp.resolve("first-" + prefix + e.getKey());
      SerialImager.run(e.getValue().imagename(first.toString()).niter(40).build());
      copySet(first, prefix + e.getKey());
    }
    return runs;
  }

  /** Copies of the product set at first under ser-&lt;name&gt; and par-&lt;name&gt; (what a restart continues). */
  private static void copySet(Path first, String name) throws java.io.IOException {
    for (String copy : new String[] {"ser-", "par-"}) {
      for (Path product : new OutputNames(first.toString()).existing()) {
        copyTree(product, tmp.resolve(copy + name + product.getFileName().toString().substring(
            first.getFileName().toString().length())));
      }
    }
  }

  /**
   * A restart from a set holding a .mask: the client sends the mask with the model, chunk 0 hands it to the
   * coordinator in cycle 0, and every cycle's mask starts from it as the serial restart's does. Two sets (niter
   * 20): one cleaned in a circle (usemask user), restarted with no mask given, so only the .mask keeps the clean
   * inside it; one masked by auto-multithresh, which grows on from it. Each parallel restart equals the serial
   * restart of a copy, and the user set's restarted model lies inside the circle.
   */
  @Test
  void restartFromAMaskParallelEqualsSerial() throws Exception {
    Map<String, TcleanParams.Builder> runs = new LinkedHashMap<>();
    runs.put("user", params("x", WeightingMode.NATURAL, DeconvolverKind.HOGBOM).toBuilder());
    runs.put("auto", params("x", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM).toBuilder()
        .usemask(org.pclean.ingest.params.MaskParams.UseMask.AUTO_MULTITHRESH));
    Path work = tmp.resolve("work-restart-mask");
    for (var e : runs.entrySet()) {
      Path first = tmp.resolve("first-mask-" + e.getKey());
      TcleanParams.Builder b = e.getValue().build().toBuilder().imagename(first.toString()).niter(20);
      SerialImager.run((e.getKey().equals("user") ? b.mask("circle[[44pix, 74pix], 6pix]") : b).build());
      assertTrue(Files.isDirectory(new OutputNames(first.toString()).mask()), e.getKey() + ": the set has a .mask");
      copySet(first, "rmask-" + e.getKey());
    }
    runs.values().forEach(b -> b.niter(60).restart(true));
    for (var e : runBoth(runs, "rmask-", name -> 2, work).entrySet()) {
      assertTrue(e.getValue().parallel().job().getStartMask(), e.getKey() + ": started from the .mask");
      TcleanParams ser = runs.get(e.getKey()).imagename(tmp.resolve("ser-rmask-" + e.getKey()).toString()).build();
      TcleanParams par = runs.get(e.getKey()).imagename(tmp.resolve("par-rmask-" + e.getKey()).toString()).build();
      try (CasaImage a = CasaImage.open(new OutputNames(ser.imagename()).mask());
           CasaImage b = CasaImage.open(new OutputNames(par.imagename()).mask())) {
        assertArrayEquals(a.readPlane(0, 0), b.readPlane(0, 0), e.getKey() + ": the .mask");
      }
    }
    // The circle's pixels, from its definition: every component of the restarted user set lies in it.
    try (CasaImage m = CasaImage.open(new OutputNames(tmp.resolve("par-rmask-user").toString())
        .path(OutputNames.Product.MODEL))) {
      float[] model = m.readPlane(0, 0);
      int nx = m.shape()[0];
      int components = 0;
      for (int i = 0; i < model.length; i++) {
        if (model[i] != 0) {
          double dx = i % nx - 44;
          double dy = i / nx - 74;
          assertTrue(dx * dx + dy * dy <= 36 + 1e-9, "component at pixel (" + i % nx + ", " + i / nx + ")");
          components++;
        }
      }
      assertTrue(components > 0, "the restart cleaned");
    }
  }

  /**
   * savemodel with --parallel: when the job is DONE the client predicts the product set's model into MODEL_DATA,
   * as the serial run does. On two copies of the MS, an mtmfs job (the Taylor model's sum) in 2 row chunks and its
   * serial twin write the same MODEL_DATA.
   */
  @Test
  void savemodelParallelEqualsSerial() throws Exception {
    Path serialMs = tmp.resolve("save-serial.ms");
    Path parallelMs = tmp.resolve("save-parallel.ms");
    copyTree(ms, serialMs);
    copyTree(ms, parallelMs);
    TcleanParams.Builder b = params("x", WeightingMode.NATURAL, DeconvolverKind.MTMFS).toBuilder().savemodel(true);
    SerialImager.run(b.vis(serialMs).imagename(tmp.resolve("ser-save").toString()).build());
    var outcome = ParallelRunner.run(b.vis(parallelMs).imagename(tmp.resolve("par-save").toString()).build(),
        settings(2, tmp.resolve("work-save")));
    assertEquals(JobState.DONE, outcome.job().getState(), outcome.job().getError());
    assertSameModelData(serialMs, parallelMs, NCHAN);
  }

  /** MODEL_DATA of two copies of an MS agree to 1e-4 of its largest amplitude, and it is not empty. */
  static void assertSameModelData(Path a, Path b, int nchan) {
    try (MeasurementSet x = MeasurementSet.open(a);
         MeasurementSet y = MeasurementSet.open(b)) {
      int rows = (int) x.numRows();
      float[] p = x.readVisibilities(DataColumn.MODEL, 0, rows, 0, nchan);
      float[] q = y.readVisibilities(DataColumn.MODEL, 0, rows, 0, nchan);
      float scale = peak(p);
      assertTrue(scale > 0, "MODEL_DATA written");
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], q[i], 1e-4 * scale, "MODEL_DATA value " + i);
      }
    }
  }

  /**
   * A worker stops with a cycle-1 task taken (never committed, so it is redelivered to the other worker), and
   * the coordinator is closed after cycle 1 and a new one started on an empty state directory (its stores come
   * back from their changelogs): the job completes with the serial run's images.
   */
  @Test
  void survivesAWorkerDyingAndTheCoordinatorRestarting() throws Exception {
    TcleanParams serialP = params("serial-restart", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM);
    SerialImager.run(serialP);
    TcleanParams p = params("par-restart", WeightingMode.BRIGGS, DeconvolverKind.HOGBOM);
    Properties client = new Properties();
    client.put("bootstrap.servers", broker.bootstrapServers());
    AtomicInteger killedAtCycle = new AtomicInteger(-99);
    String jobId;
    try (JobSpecView view = new JobSpecView(client);
         ModelView models = new ModelView(client);
         KafkaProducer<String, Object> producer = new KafkaProducer<>(client, new StringSerializer(),
             new BusSerializer())) {
      ImagingWorker doomed = new ImagingWorker(client, "doomed", view, models);
      ImagingWorker survivor = new ImagingWorker(client, "survivor", view, models);
      doomed.onTaskTaken(t -> {
        if (t.getCycle() == 1) {
          killedAtCycle.set(t.getCycle());
          doomed.stop();
        }
      });
      ContinuumSink sink = new ContinuumSink(client);
      // The doomed worker is alone in the group until it dies, so it holds every task of cycles -1 and 0 and
      // dies with a cycle-1 task taken; the survivor joins after that and is handed the uncommitted tasks.
      List<Thread> threads = new ArrayList<>(List.of(new Thread(doomed), new Thread(sink)));
      threads.forEach(Thread::start);
      Coordinator first = new Coordinator(client, Files.createTempDirectory(tmp, "gather-a"), 1);
      first.start();
      ParallelRunner.Settings keepParts = new ParallelRunner.Settings(2, -1, broker.bootstrapServers(),
          tmp.resolve("w-restart"), "auto", false, Duration.ofMinutes(5), 2, true);
      jobId = ParallelRunner.submit(client, producer, p, keepParts);
      long until = System.currentTimeMillis() + 120000;
      while (killedAtCycle.get() < 0 && System.currentTimeMillis() < until) {
        Thread.sleep(50);
      }
      Thread s2 = new Thread(survivor);
      s2.start();
      threads.add(s2);
      awaitConvergenceEvent(client, jobId, 1);
      first.close();
      Coordinator second = new Coordinator(client, Files.createTempDirectory(tmp, "gather-b"), 1);
      second.start();
      long deadline = System.currentTimeMillis() + 180000;
      while (System.currentTimeMillis() < deadline && view.get(jobId).map(j -> j.getState() != JobState.DONE
          && j.getState() != JobState.FAILED).orElse(true)) {
        Thread.sleep(100);
      }
      second.close();
      survivor.stop();
      doomed.stop();
      sink.stop();
      for (Thread t : threads) {
        t.join(30000);
      }
      assertEquals(JobState.DONE, view.get(jobId).orElseThrow().getState(), "job completes");
    }
    assertEquals(1, killedAtCycle.get(), "the doomed worker died holding a cycle-1 task");
    assertSameProducts(serialP, p, "restart");
    // keep_partimages: each chunk's unnormalised partial PSF, sumwt and latest residual, as CASA images.
    for (int k = 0; k < 2; k++) {
      for (String suffix : new String[] {"psf", "sumwt", "residual"}) {
        Path part = tmp.resolve("w-restart").resolve(jobId).resolve("par-restart.n" + k + "." + suffix);
        assertTrue(Files.isDirectory(part), part + " kept");
      }
    }
  }

  /** Waits for the coordinator's CONVERGENCE event of the job's cycle. */
  private static void awaitConvergenceEvent(Properties client, String jobId, int cycle) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-events-" + jobId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> cons = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      cons.subscribe(List.of(Topics.EVENTS.name()));
      long deadline = System.currentTimeMillis() + 120000;
      while (System.currentTimeMillis() < deadline) {
        for (var r : cons.poll(Duration.ofMillis(200))) {
          JobEvent e = Messages.JOB_EVENT.fromBytes(r.topic(), r.value());
          if (e.getJobId().equals(jobId) && e.getType() == JobEventType.CONVERGENCE && e.getCycle() != null
              && e.getCycle() == cycle) {
            return;
          }
        }
      }
    }
    throw new AssertionError("no convergence event for cycle " + cycle + " of " + jobId);
  }

  /** What {@link #runBoth} ran for one name: the serial result and the parallel job's outcome. */
  record Both(org.pclean.imaging.ImagingResult serial, ParallelRunner.Outcome parallel) {}

  /**
   * Each run twice, under imagenames {@code ser-<prefix><name>} and {@code par-<prefix><name>}: every parallel job
   * submitted to one local cluster at once (in chunks(name) row chunks), the serial runs made meanwhile, then each
   * job awaited (DONE) and its products compared with the serial ones.
   */
  static Map<String, Both> runBoth(Map<String, TcleanParams.Builder> runs, String prefix,
      java.util.function.ToIntFunction<String> chunks, Path work) throws Exception {
    return runBoth(runs, prefix, chunks, work, 1e-5);
  }

  /** As {@link #runBoth(Map, String, java.util.function.ToIntFunction, Path)}, pixels compared to tolerance × peak. */
  static Map<String, Both> runBoth(Map<String, TcleanParams.Builder> runs, String prefix,
      java.util.function.ToIntFunction<String> chunks, Path work, double tolerance) throws Exception {
    Map<String, TcleanParams> serial = new LinkedHashMap<>();
    Map<String, TcleanParams> parallel = new LinkedHashMap<>();
    for (var e : runs.entrySet()) {
      String tag = prefix + e.getKey().replace('/', '-');
      serial.put(e.getKey(), e.getValue().imagename(tmp.resolve("ser-" + tag).toString()).build());
      parallel.put(e.getKey(), e.getValue().imagename(tmp.resolve("par-" + tag).toString()).build());
    }
    Map<String, String> jobIds = new LinkedHashMap<>();
    Map<String, Both> out = new LinkedHashMap<>();
    try (LocalCluster cluster = new LocalCluster(broker.bootstrapServers(), 2, work)) {
      for (var e : parallel.entrySet()) {
        jobIds.put(e.getKey(), ParallelRunner.submit(cluster.client(), cluster.producer(), e.getValue(),
            settings(chunks.applyAsInt(e.getKey()), work)));
      }
      Map<String, org.pclean.imaging.ImagingResult> serialRuns = new LinkedHashMap<>();
      for (var e : serial.entrySet()) {
        serialRuns.put(e.getKey(), SerialImager.run(e.getValue()));
      }
      for (var e : parallel.entrySet()) {
        var outcome = ParallelRunner.await(cluster, jobIds.get(e.getKey()), e.getValue(), Duration.ofMinutes(5));
        assertEquals(JobState.DONE, outcome.job().getState(), e.getKey() + ": " + outcome.job().getError());
        out.put(e.getKey(), new Both(serialRuns.get(e.getKey()), outcome));
      }
    }
    for (String name : runs.keySet()) {
      assertSameProducts(serial.get(name), parallel.get(name), prefix + name, tolerance);
    }
    return out;
  }

  /**
   * Every product within 1e-5 of its serial peak (alpha where tt0 is above 10 % of its peak); residuals, being
   * differences near zero after cleaning, within 1e-5 of the restored image's peak. Same beam.
   */
  static void assertSameProducts(TcleanParams serial, TcleanParams parallel, String what) {
    assertSameProducts(serial, parallel, what, 1e-5);
  }

  /** Pixels compared to tolerance × each product's peak (beams and headers as above). */
  static void assertSameProducts(TcleanParams serial, TcleanParams parallel, String what, double tolerance) {
    int nterms = serial.deconvolver() == DeconvolverKind.MTMFS ? serial.nterms() : 1;
    List<Path> a = new OutputNames(serial.imagename()).all(nterms);
    List<Path> b = new OutputNames(parallel.imagename()).all(nterms);
    float imagePeak;
    float[] image;
    try (CasaImage img = CasaImage.open(a.get(0))) {
      image = img.readPlane(0, 0);
      imagePeak = peak(image);
    }
    for (int k = 0; k < a.size(); k++) {
      try (CasaImage s = CasaImage.open(a.get(k));
           CasaImage q = CasaImage.open(b.get(k))) {
        String name = what + " " + a.get(k).getFileName();
        assertEquals(s.geometry(), q.geometry(), name);
        assertEquals(s.units(), q.units(), name);
        // Telescope, observer, date, frame and rest frequency as the serial engine writes them from the MS.
        assertEquals(s.observation(), q.observation(), name + " observation");
        // Beams fitted to PSFs that differ in float rounding only: the same Gaussian (compared by its values, as
        // the position angle of a nearly round beam is ill-conditioned).
        for (double[] at : new double[][] {{10, 0}, {0, 10}, {7, 7}, {-7, 7}}) {
          assertEquals(beamAt(s.beam(0, 0), at[0], at[1]), beamAt(q.beam(0, 0), at[0], at[1]), 1e-5,
              name + " beam at " + at[0] + "," + at[1] + " arcsec");
        }
        float[] x = s.readPlane(0, 0);
        float[] y = q.readPlane(0, 0);
        float scale = peak(x);
        if (a.get(k).toString().contains(".residual")) {
          scale = Math.max(scale, imagePeak);
        }
        boolean alpha = a.get(k).toString().endsWith(".alpha") || a.get(k).toString().endsWith(".alpha.error");
        int compared = 0;
        for (int i = 0; i < x.length; i++) {
          // alpha = tt1/tt0 is compared where tt0 is bright, not where the ratio of two small numbers is noise.
          if (Float.isFinite(x[i]) && Float.isFinite(y[i]) && (!alpha || image[i] > 0.1 * imagePeak)) {
            assertEquals(x[i], y[i], tolerance * scale, name + " pixel " + i);
            compared++;
          }
        }
        assertTrue(compared > 0, name + ": no pixels compared");
        assertFalse(scale == 0, name + " is empty");
      }
    }
  }

  /** The restoring beam's Gaussian (peak 1) at an offset (east, north) in arcsec; 0 for images without one. */
  private static double beamAt(Beam b, double east, double north) {
    if (!b.isPresent()) {
      return 0;
    }
    double pa = Math.toRadians(b.paDeg());  // from north through east
    double along = east * Math.sin(pa) + north * Math.cos(pa);
    double across = east * Math.cos(pa) - north * Math.sin(pa);
    return Math.exp(-4 * Math.log(2) * (along * along / (b.majorArcsec() * b.majorArcsec())
        + across * across / (b.minorArcsec() * b.minorArcsec())));
  }

  static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(from)) {
      for (Path f : (Iterable<Path>) paths::iterator) {
        java.nio.file.Files.copy(f, to.resolve(from.relativize(f).toString()));
      }
    }
  }

  private static float peak(float[] x) {
    float scale = 0;
    for (float v : x) {
      scale = Float.isFinite(v) ? Math.max(scale, Math.abs(v)) : scale;
    }
    return scale;
  }

  static double parabola(float left, float centre, float right) {
    double denom = left - 2 * centre + right;
    return denom == 0 ? 0 : 0.5 * (left - right) / denom;
  }
}
