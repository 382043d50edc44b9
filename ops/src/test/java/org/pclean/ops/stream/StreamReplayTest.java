package org.pclean.ops.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsSimulator;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ingest.source.TimeRanges;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.cli.PcleanCli;
import org.pclean.ops.parallel.LocalCluster;
import org.pclean.ops.parallel.ParallelRunner;

/**
 * A streamed MS replayed from the bus alone (the streamed copy deleted) images exactly as the MS itself: serial
 * mfs and cube, other parameters than a first run, a time range (against the MS with the same timerange), and
 * parallel cube and continuum; bad replays (unknown dataset, empty range, a gap, a foreign record) are refused
 * with one line before anything is written.
 */
class StreamReplayTest {
  static final int N = 96;
  static final int NCHAN = 4;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final double CELL = 4 * ARCSEC;

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static Properties client;
  static StreamPublisher.Summary streamed;

  @BeforeAll
  static void streamAnMsAndDeleteIt() throws Exception {
    ms = tmp.resolve("obs.ms");
    List<MsSimulator.PointSource> sky = List.of(new MsSimulator.PointSource(12 * CELL, 8 * CELL, 1.0, -0.7),
        new MsSimulator.PointSource(-20 * CELL, -6 * CELL, 0.4, 0.3));
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 32e6, "RR LL",
            -0.4, 0.4, 120, 60000, 0.02, 5), sky);
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    client = PClean.client(broker.bootstrapServers());
    // The copy that is streamed is deleted before any replay: the bus is all a replay has.
    Path copy = tmp.resolve("streamed.ms");
    copyTree(ms, copy);
    streamed = PClean.stream(copy, new StreamPublisher.Settings("obs", 0), client);
    TableDirectories.delete(copy);
    assertFalse(Files.exists(copy));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams.Builder params(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).niter(300).threshold(2e-3).threads(1);
  }

  /** The same run with the dataset instead of the MS. */
  static TcleanParams replayOf(TcleanParams p, String name) {
    return p.toBuilder().vis(null).dataset("obs").imagename(tmp.resolve(name).toString()).build();
  }

  @Test
  void streamCarriesEveryRowAndDumpOfTheMs() throws Exception {
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      assertEquals(m.numRows(), streamed.rows());
      double[] t = m.readTime(0, (int) m.numRows());
      long dumps = java.util.Arrays.stream(t).distinct().count();
      assertEquals(dumps, streamed.dumps());
    }
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    assertTrue(d.getComplete());
    assertEquals(streamed.dumps(), d.getNumDumps());
    assertEquals(120.0, d.getIntegration(), 1e-6);
  }

  @Test
  void serialReplayEqualsImagingTheMsForSeveralParameterSets() {
    List<TcleanParams> runs = List.of(
        params("nat").build(),
        params("briggs-mtmfs").weighting(WeightingMode.BRIGGS).robust(0.5).deconvolver(DeconvolverKind.MTMFS)
            .build(),
        params("uniform-big").imsize(128, 128).weighting(WeightingMode.UNIFORM).deconvolver(DeconvolverKind.CLARK)
            .build(),
        params("cube").specmode(SpecMode.CUBE).niter(100).build());
    for (TcleanParams p : runs) {
      SerialImager.run(p);
      TcleanParams r = replayOf(p, "replay-" + Path.of(p.imagename()).getFileName());
      PClean.replay(r, client);
      assertSameProducts(p, r);
    }
  }

  @Test
  void replayOfATimeRangeEqualsTheMsWithThatTimerange() {
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    double[] range = {d.getStartTime() + 5 * 120 - 1, d.getStartTime() + 15 * 120 - 1};  // dumps 5..14
    TcleanParams p = params("tr").timerange(range).build();
    SerialImager.run(p);
    TcleanParams r = replayOf(p, "replay-tr");
    PClean.replay(r, client);
    assertSameProducts(p, r);
    // and it is not the whole observation: fewer weights than a run over all times
    SerialImager.run(params("all").build());
    assertNotEquals(sumwt(params("all").build()), sumwt(p), 1e-3 * sumwt(p));
  }

  @Test
  void parallelReplayEqualsSerialImagingOfTheMs() throws Exception {
    TcleanParams cont = params("pcont").weighting(WeightingMode.BRIGGS).robust(0).build();
    TcleanParams cube = params("pcube").specmode(SpecMode.CUBE).niter(100).build();
    SerialImager.run(cont);
    SerialImager.run(cube);
    TcleanParams rc = replayOf(cont, "replay-pcont");
    TcleanParams rq = replayOf(cube, "replay-pcube");
    Path work = tmp.resolve("work");
    try (LocalCluster cluster = new LocalCluster(broker.bootstrapServers(), 2, work)) {
      var s = new ParallelRunner.Settings(2, 2, broker.bootstrapServers(), work, "paged", false,
          Duration.ofMinutes(3), 2, false);
      String j1 = ParallelRunner.submit(cluster.client(), cluster.producer(), rc, s);
      String j2 = ParallelRunner.submit(cluster.client(), cluster.producer(), rq, s);
      ParallelRunner.await(cluster, j1, rc, Duration.ofMinutes(3));
      ParallelRunner.await(cluster, j2, rq, Duration.ofMinutes(3));
    }
    assertSameProducts(cont, rc);
    assertSameProducts(cube, rq);
  }

  /** The commands a site runs: `pclean stream` then `pclean replay --from/--to` equal imaging the MS's timerange. */
  @Test
  void streamAndReplayCommandsEqualImagingTheMs() throws Exception {
    Path copy = tmp.resolve("cli-streamed.ms");
    copyTree(ms, copy);
    String bootstrap = broker.bootstrapServers();
    StringWriter err = new StringWriter();
    assertEquals(2, cli(err, "stream", "--vis", copy.toString(), "--dataset", "cli", "--rate", "fast",
        "--scheduler-address", bootstrap), err.toString());
    assertTrue(err.toString().contains("--rate must be realtime, max or a positive factor"), err.toString());
    assertEquals(0, cli(err, "stream", "--vis", copy.toString(), "--dataset", "cli", "--rate", "max",
        "--scheduler-address", bootstrap), err.toString());
    TableDirectories.delete(copy);
    DatasetDescriptor d = DatasetReader.descriptor(client, "cli").orElseThrow();
    double[] range = {d.getStartTime() + 3 * 120 - 1, d.getStartTime() + 12 * 120 - 1};
    TcleanParams fromMs = params("cli-ms").timerange(range).build();
    SerialImager.run(fromMs);
    String name = tmp.resolve("cli-replay").toString();
    assertEquals(0, cli(err, "replay", "--dataset", "cli", "--from", TimeRanges.iso(range[0]), "--to",
        TimeRanges.iso(range[1]), "--imagename", name, "--imsize", Integer.toString(N), "--cell", "4arcsec",
        "--datacolumn", "data", "--niter", "300", "--threshold", "2mJy", "--threads", "1", "--scheduler-address",
        bootstrap), err.toString());
    assertSameProducts(fromMs, fromMs.toBuilder().vis(null).dataset("cli").imagename(name).build());
  }

  private static int cli(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  /**
   * A replay formed into Stokes I while it reads (what a serial run of a dataset does) holds exactly the samples of
   * loading the replayed table of every correlation, in the same order: for the whole dataset, a channel range and
   * a time range, and for a copy whose dumps arrive as two channel blocks, the later block first, with a block
   * delivered twice.
   */
  @Test
  void replayIntoStokesIEqualsLoadingTheReplayedTable() throws Exception {
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    double[] range = {d.getStartTime() + 3 * 120 - 1, d.getStartTime() + 9 * 120 - 1};
    List<org.pclean.ingest.source.DataSelection> selections = List.of(params("s").build().selection(),
        params("s").chanRange(1, 2).build().selection(), params("s").timerange(range).build().selection());
    splitStream("split");
    for (var sel : selections) {
      VisibilityData expected = VisibilityLoader.load(DatasetReader.read(client, "obs", null), sel);
      for (String dataset : List.of("obs", "split")) {
        DatasetReader.Loaded got = DatasetReader.load(client, dataset, null, sel);
        String what = dataset + " " + java.util.Arrays.toString(sel.chanRange());
        assertArrayEquals(expected.uvw(), got.data().uvw(), what);
        assertArrayEquals(expected.freq(), got.data().freq(), what);
        assertArrayEquals(expected.vis(), got.data().vis(), what);
        assertArrayEquals(expected.weight(), got.data().weight(), what);
        assertArrayEquals(expected.densityExcluded(), got.data().densityExcluded(), what);
        assertEquals(streamed.rows(), got.metadata().rows(), what);
      }
    }
  }

  /**
   * Republishes dataset obs as another whose dumps are split into two channel blocks, sent later block first, the
   * earlier block twice (a redelivery).
   */
  private static void splitStream(String name) throws Exception {
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    try (var admin = org.apache.kafka.clients.admin.Admin.create(client)) {
      TopicInstaller.ensure(admin, List.of(Topics.visibilities(name)), (short) 1);
    }
    String from = Topics.visibilities("obs").name();
    String to = Topics.visibilities(name).name();
    List<ConsumerRecord<String, byte[]>> all = records(producerProps(), from);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProps(), new StringSerializer(),
        new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(Topics.DATASETS.name(), name,
          Messages.DATASET.toBytes(Topics.DATASETS.name(), DatasetDescriptor.newBuilder(d).setDataset(name).build())));
      for (ConsumerRecord<String, byte[]> r : all) {
        VisibilityChunk whole = Messages.VISIBILITY_CHUNK.fromBytes(from, r.value());
        assertEquals(1, whole.getNumBlocks());
        int half = whole.getNchan() / 2;
        VisibilityChunk lo = channelBlock(whole, 0, half, 0);
        VisibilityChunk hi = channelBlock(whole, half, whole.getNchan(), 1);
        for (VisibilityChunk b : List.of(hi, lo, lo)) {
          p.send(new ProducerRecord<>(to, null, r.timestamp(), r.key(), Messages.VISIBILITY_CHUNK.toBytes(to, b)));
        }
      }
      p.flush();
    }
  }

  /** Channels [c0, c1) of a one-block chunk as block {@code index} of two. */
  private static VisibilityChunk channelBlock(VisibilityChunk w, int c0, int c1, int index) {
    int nrow = w.getNrow();
    int nchan = w.getNchan();
    int ncorr = w.getCorrTypes().size();
    return VisibilityChunk.newBuilder(w).setChanStart(c0).setNchan(c1 - c0).setBlockIndex(index).setNumBlocks(2)
        .setLastOfDump(w.getLastOfDump() && index == 1).setFreq(w.getFreq().subList(c0, c1))
        .setVis(channels(w.getVis(), nrow, nchan, ncorr * 8, c0, c1))
        .setFlags(channels(w.getFlags(), nrow, nchan, ncorr, c0, c1))
        .setWeights(channels(w.getWeights(), nrow, nchan, ncorr * 4, c0, c1))
        .setCorrected(null).build();
  }

  /** Channels [c0, c1) of each row of a row x channel array with bytesPerChannel bytes per cell. */
  private static java.nio.ByteBuffer channels(java.nio.ByteBuffer all, int nrow, int nchan, int bytesPerChannel,
      int c0, int c1) {
    byte[] src = new byte[all.remaining()];
    all.duplicate().get(src);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(nrow * (c1 - c0) * bytesPerChannel);
    for (int r = 0; r < nrow; r++) {
      out.put(src, (r * nchan + c0) * bytesPerChannel, (c1 - c0) * bytesPerChannel);
    }
    return out.flip();
  }

  @Test
  void badReplaysAreOneLineAndWriteNothing() throws Exception {
    // Unknown dataset, from the command line: exit 2, one line, no product.
    String out = tmp.resolve("nothing").toString();
    StringWriter err = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("replay", "--dataset", "nope", "--imagename", out, "--imsize", "64", "--cell", "4arcsec",
        "--scheduler-address", broker.bootstrapServers());
    assertEquals(2, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("dataset nope is not on the bus"), err.toString());
    assertFalse(Files.exists(Path.of(out + ".image")));
    // An empty time range.
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    var e1 = assertThrows(IllegalArgumentException.class, () -> PClean.replay(params("x").vis(null).dataset("obs")
        .timerange(new double[] {d.getEndTime() + 1000, d.getEndTime() + 2000}).build(), client));
    assertTrue(e1.getMessage().contains("has no dumps in the time range"), e1.getMessage());
    // A gap: a copy of the stream without dump 3.
    copyStream("gappy", c -> c.getSequence() != 3, false);
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> PClean.replay(params("x").vis(null).dataset("gappy").build(), client));
    assertTrue(e2.getMessage().contains("dumps 3 are missing"), e2.getMessage());
    // A foreign record amid the dumps.
    copyStream("foreign", c -> true, true);
    var e3 = assertThrows(IllegalArgumentException.class,
        () -> PClean.replay(params("x").vis(null).dataset("foreign").build(), client));
    assertTrue(e3.getMessage().contains("is not a visibility chunk"), e3.getMessage());
    assertFalse(Files.exists(Path.of(tmp.resolve("x").toString() + ".image")));
  }

  /** Every record of partition 0 of a topic, from the beginning to its end now. */
  private static List<ConsumerRecord<String, byte[]>> records(Properties props, String topic) {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new org.apache.kafka.common.serialization
        .StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(200)).forEach(all::add);
      }
      return all;
    }
  }

  /** Republishes dataset obs as another dataset, keeping the chunks keep accepts, optionally with junk after dump 2. */
  private static void copyStream(String name, java.util.function.Predicate<VisibilityChunk> keep, boolean junk)
      throws Exception {
    DatasetDescriptor d = DatasetReader.descriptor(client, "obs").orElseThrow();
    try (var admin = org.apache.kafka.clients.admin.Admin.create(client)) {
      TopicInstaller.ensure(admin, List.of(Topics.visibilities(name)), (short) 1);
    }
    String from = Topics.visibilities("obs").name();
    String to = Topics.visibilities(name).name();
    Properties cp = new Properties();
    cp.putAll(client);
    List<ConsumerRecord<String, byte[]>> all = records(cp, from);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProps(), new StringSerializer(),
        new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(Topics.DATASETS.name(), name,
          Messages.DATASET.toBytes(Topics.DATASETS.name(), DatasetDescriptor.newBuilder(d).setDataset(name).build())));
      for (ConsumerRecord<String, byte[]> r : all) {
        VisibilityChunk chunk = Messages.VISIBILITY_CHUNK.fromBytes(from, r.value());
        if (keep.test(chunk)) {
          p.send(new ProducerRecord<>(to, null, r.timestamp(), r.key(), r.value()));
        }
        if (junk && chunk.getSequence() == 2) {
          p.send(new ProducerRecord<>(to, null, r.timestamp(), r.key(), "{\"not\": \"avro\"}".getBytes()));
        }
      }
      p.flush();
    }
  }

  private static Properties producerProps() {
    Properties p = new Properties();
    p.putAll(client);
    p.put("max.request.size", Integer.toString(Topics.MAX_RECORD_BYTES));
    return p;
  }

  private static double sumwt(TcleanParams p) {
    try (CasaImage img = CasaImage.open(new OutputNames(p.imagename()).path(OutputNames.Product.SUMWT))) {
      return img.readPlane(0, 0)[0];
    }
  }

  /** Every product, every plane: equal within 1e-5 of the image peak; the same beams. */
  static void assertSameProducts(TcleanParams ms, TcleanParams replay) {
    int nterms = ms.deconvolver() == DeconvolverKind.MTMFS ? ms.nterms() : 1;
    List<Path> a = new OutputNames(ms.imagename()).all(nterms);
    List<Path> b = new OutputNames(replay.imagename()).all(nterms);
    float imagePeak;
    try (CasaImage img = CasaImage.open(a.get(0))) {
      imagePeak = 0;
      for (int c = 0; c < img.geometry().nchan(); c++) {
        for (float v : img.readPlane(0, c)) {
          imagePeak = Math.max(imagePeak, Math.abs(v));
        }
      }
    }
    assertTrue(imagePeak > 0.1, "image peak " + imagePeak);
    for (int k = 0; k < a.size(); k++) {
      String name = replay.imagename() + " " + a.get(k).getFileName();
      try (CasaImage s = CasaImage.open(a.get(k)); CasaImage q = CasaImage.open(b.get(k))) {
        assertSameGeometry(s.geometry(), q.geometry(), name);
        for (int c = 0; c < s.geometry().nchan(); c++) {
          float[] x = s.readPlane(0, c);
          float[] y = q.readPlane(0, c);
          float scale = imagePeak;
          for (float v : x) {
            scale = Math.max(scale, Math.abs(v));
          }
          boolean alpha = a.get(k).toString().endsWith(".alpha") || a.get(k).toString().endsWith(".alpha.error");
          for (int i = 0; i < x.length; i++) {
            if (alpha ? Float.isNaN(x[i]) != Float.isNaN(y[i]) : false) {
              throw new AssertionError(name + " pixel " + i + ": NaN in one only");
            }
            if (!alpha && !(Float.isNaN(x[i]) && Float.isNaN(y[i]))) {
              assertEquals(x[i], y[i], 1e-5 * scale, name + " plane " + c + " pixel " + i);
            }
          }
          Beam bs = s.beam(c, 0);
          Beam bq = q.beam(c, 0);
          assertEquals(bs.majorArcsec(), bq.majorArcsec(), 1e-4 * bs.majorArcsec(), name + " beam");
          assertEquals(bs.minorArcsec(), bq.minorArcsec(), 1e-4 * bs.minorArcsec(), name + " beam");
        }
      }
    }
  }

  /**
   * Equal geometries; the phase centre to 1e-12 rad (0.2 µas), since an MS's PHASE_DIR read back has been through
   * casacore's direction cosines and may differ in the last bits from the direction an emulator was given.
   */
  static void assertSameGeometry(ImageGeometry a, ImageGeometry b, String name) {
    assertEquals(a.ra(), b.ra(), 1e-12, name + " ra");
    assertEquals(a.dec(), b.dec(), 1e-12, name + " dec");
    assertEquals(a, new ImageGeometry(b.nx(), b.ny(), b.stokes(), b.nchan(), a.ra(), a.dec(), b.cellX(), b.cellY(),
        b.freq0(), b.dfreq(), b.restFreq()), name);
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
  }
}
