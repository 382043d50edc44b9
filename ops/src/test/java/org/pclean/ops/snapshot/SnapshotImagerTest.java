package org.pclean.ops.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.FitsFile;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.cli.PcleanCli;
import org.slf4j.LoggerFactory;

/**
 * Snapshot imaging of a live stream on the embedded broker, against the serial engine on the MS itself (restricted
 * to each window's time range) and the simulator's known sky.
 */
class SnapshotImagerTest {
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final int N = 128;
  static final double CELL = 4;  // arcsec
  static final double INTEGRATION = 30;
  static final int DUMPS_PER_WINDOW = 3;
  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static Properties client;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("live.ms");
    // 6 minutes of 30 s dumps, 8 channels, two sources on pixel centres (l east, m north, arcsec).
    StringWriter err = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    assertEquals(0, cl.execute("simulate", "--out", ms.toString(), "--hours", "0.1", "--integration",
        Double.toString(INTEGRATION), "--nchan", "8", "--array-config", "C", "--noise", "0.002",
        "--source", "48,32,1.0,0", "--source", "-80,-40,0.4,0"), err.toString());
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    client = new Properties();
    client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      TopicInstaller.ensure(admin, Topics.all(), (short) 1);
    }
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams.Builder imaging() {
    return TcleanParams.builder().imsize(N, N).cell(CELL * ARCSEC, CELL * ARCSEC).datacolumn(DataColumn.DATA)
        .threads(1);
  }

  /** The snapshot listener's view: each SnapshotReady with its image, by window start. */
  record Snapshot(SnapshotReady ready, float[] image) {}

  @Test
  void everyWindowIsImagedOnceAndEqualsTheSerialImageOfItsTimeRange() throws Exception {
    String dataset = "live";
    List<Snapshot> seen = new CopyOnWriteArrayList<>();
    var settings = new SnapshotImager.Settings(imaging().dataset(dataset).imagename(tmp.resolve("snap/live")
        .toString()).build(), DUMPS_PER_WINDOW * INTEGRATION, Duration.ofSeconds(5), true);  // shared CI machine
    StreamPublisher.Summary summary;
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger imagerLog = (Logger) LoggerFactory.getLogger(SnapshotImager.class);
    imagerLog.addAppender(log);
    // The imager starts before the stream exists: it waits for the descriptor.
    try (SnapshotImager imager = new SnapshotImager(client, settings, (r, img) -> seen.add(new Snapshot(r, img)))
        .start();
         KafkaProducer<String, byte[]> raw = new KafkaProducer<>(client, new StringSerializer(),
             new ByteArraySerializer())) {
      Thread.sleep(300);
      String topic = Topics.visibilities(dataset).name();
      // 60x real time (a dump every 0.5 s); a poison record goes onto the topic after dump 4.
      summary = StreamPublisher.publish(ms, new StreamPublisher.Settings(dataset, 60), client, (seq, t, ack) -> {
        if (seq == 4) {
          try {
            raw.send(new ProducerRecord<>(topic, "poison", "not a visibility chunk".getBytes())).get();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      int windows = (int) ((summary.dumps() + DUMPS_PER_WINDOW - 1) / DUMPS_PER_WINDOW);
      long deadline = System.currentTimeMillis() + 20000;
      while (seen.size() < windows && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(300);  // anything more would be a duplicate
      assertEquals(1, imager.stats().deadLettered());
      assertEquals(seen.size(), imager.stats().windowsImaged());
    } finally {
      imagerLog.detachAppender(log);
    }
    long dumps = summary.dumps();
    assertTrue(dumps >= 9, "dumps " + dumps);
    double start = summary.descriptor().getStartTime();
    Map<Double, Snapshot> byStart = new TreeMap<>();
    for (Snapshot s : seen) {
      assertTrue(byStart.put(s.ready().getWindowStart(), s) == null, "window reported twice: " + s.ready());
    }
    int windows = (int) ((dumps + DUMPS_PER_WINDOW - 1) / DUMPS_PER_WINDOW);
    assertEquals(windows, byStart.size(), "windows reported: " + byStart.keySet());
    assertEquals(byStart.size(), publishedSnapshots(dataset).size(), "SnapshotReady records on pclean.snapshots");

    JsonNode brightest = brightestSource();
    int sx = (int) Math.round(N / 2 - brightest.get("l_arcsec").asDouble() / CELL);
    int sy = (int) Math.round(N / 2 + brightest.get("m_arcsec").asDouble() / CELL);
    long covered = 0;
    int k = 0;
    for (Snapshot s : byStart.values()) {
      SnapshotReady r = s.ready();
      double from = start - INTEGRATION / 2 + k * DUMPS_PER_WINDOW * INTEGRATION;
      assertEquals(from, r.getWindowStart(), 1e-6, "window " + k);
      assertEquals(from + DUMPS_PER_WINDOW * INTEGRATION, r.getWindowEnd(), 1e-6);
      assertEquals(1, r.getMergedWindows());
      assertEquals(0, r.getMissingDumps(), "window " + k);
      assertEquals(k * DUMPS_PER_WINDOW, r.getFirstSequence());
      covered += r.getDumps();

      // The truth: the serial engine on the MS itself, over the window's time range.
      Path serial = tmp.resolve("serial-" + k);
      SerialImager.run(imaging().vis(ms).imagename(serial.toString()).timerange(new double[] {r.getWindowStart(),
          r.getWindowEnd()}).build());
      float[] expected;
      try (CasaImage img = CasaImage.open(Path.of(serial + ".image"))) {
        expected = img.readPlane(0, 0);
      }
      float peak = 0;
      for (float v : expected) {
        peak = Math.max(peak, Math.abs(v));
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], s.image()[i], 1e-5 * peak, "window " + k + " pixel " + i);
      }
      assertEquals(sx, r.getPeakX(), "window " + k + " peak x");
      assertEquals(sy, r.getPeakY(), "window " + k + " peak y");
      assertEquals(s.image()[sy * N + sx], r.getPeak(), 0.0);
      assertTrue(r.getRms() > 0 && r.getRms() < 0.2 * r.getPeak(), "rms " + r.getRms());
      assertTrue(r.getBeamMajorArcsec() > 0, "beam");
      assertEquals(DUMPS_PER_WINDOW * 351L * 8, r.getVisibilities(), "window " + k);

      assertNotNull(r.getFitsPath());
      FitsFile fits = FitsFile.read(Path.of(r.getFitsPath()));
      assertEquals(N, fits.nx());
      assertTrue(fits.getDouble("BMAJ") > 0, "FITS carries the beam");
      assertEquals(s.image()[sy * N + sx], fits.plane()[sy * N + sx], 1e-6 * peak);
      k++;
    }
    assertEquals(dumps, covered, "windows x dumps cover every dump");
    assertProgressLines(dataset, log, start, windows);

    List<DeadLetter> dlq = deadLetters(Topics.visibilities(dataset).name());
    assertEquals(1, dlq.size());
    assertTrue(dlq.get(0).getError().contains("not an Avro single-object encoded"), dlq.get(0).getError());
    try (var files = Files.list(tmp.resolve("snap"))) {
      assertEquals(windows, files.filter(f -> f.toString().endsWith(".fits")).count(),
          "one FITS file per window and no leftovers");
    }
  }

  /**
   * One progress line per snapshot, counting windows 1, 2, ... with the window's range and its lag behind the
   * stream head: whole dumps (a multiple of the integration), and none for the last window, which ends the stream.
   */
  private static void assertProgressLines(String dataset, ListAppender<ILoggingEvent> log, double start,
      int windows) {
    Pattern line = Pattern.compile(Pattern.quote(dataset) + ": (\\d+) windows? imaged; \\[([0-9.]+) \\.\\. ([0-9.]+)\\)"
        + " ([0-9.]+) s behind the stream head, ready (\\d+) ms after it closed");
    List<Matcher> lines = log.list.stream().map(e -> line.matcher(e.getFormattedMessage())).filter(Matcher::matches)
        .toList();
    assertEquals(windows, lines.size(), "progress lines: " + log.list);
    for (int k = 0; k < windows; k++) {
      Matcher m = lines.get(k);
      double from = start - INTEGRATION / 2 + k * DUMPS_PER_WINDOW * INTEGRATION;
      assertEquals(k + 1, Integer.parseInt(m.group(1)), m.group());
      assertEquals(from, Double.parseDouble(m.group(2)), 1e-3, m.group());
      assertEquals(from + DUMPS_PER_WINDOW * INTEGRATION, Double.parseDouble(m.group(3)), 1e-3, m.group());
      double lag = Double.parseDouble(m.group(4));
      assertEquals(0, Math.IEEEremainder(lag, INTEGRATION), 0.05, "lag in whole dumps: " + m.group());
      assertTrue(lag >= 0 && lag <= dumpsAfter(k, windows) * INTEGRATION, m.group());
    }
    assertEquals(0.0, Double.parseDouble(lines.get(windows - 1).group(4)), lines.get(windows - 1).group());
  }

  /** Dumps of the windows after window k (the most the head can be ahead of it). */
  private static int dumpsAfter(int k, int windows) {
    return (windows - 1 - k) * DUMPS_PER_WINDOW;
  }

  /** An imager slower than the stream merges the windows waiting for it; no dump goes unimaged. */
  @Test
  void aSlowImagerMergesWaitingWindowsAndDropsNothing() throws Exception {
    String dataset = "burst";
    List<SnapshotReady> seen = new CopyOnWriteArrayList<>();
    var settings = new SnapshotImager.Settings(imaging().dataset(dataset).imagename(tmp.resolve("burst/b")
        .toString()).build(), 0, Duration.ofSeconds(1), false);
    StreamPublisher.Summary summary = StreamPublisher.publish(ms, new StreamPublisher.Settings(dataset, 0), client,
        null);
    // The whole stream is already on the topic: a listener that takes 0.5 s for the first snapshot lets the rest
    // pile up.
    try (SnapshotImager imager = new SnapshotImager(client, settings, (r, img) -> {
      seen.add(r);
      if (seen.size() == 1) {
        sleep(500);
      }
    }).start()) {
      long deadline = System.currentTimeMillis() + 20000;
      while (seen.stream().mapToLong(SnapshotReady::getDumps).sum() < summary.dumps()
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
    }
    assertEquals(summary.dumps(), seen.stream().mapToLong(SnapshotReady::getDumps).sum());
    assertEquals(summary.dumps(), seen.stream().mapToLong(SnapshotReady::getMergedWindows).sum(),
        "one-dump windows: merged windows count dumps");
    assertTrue(seen.stream().anyMatch(r -> r.getMergedWindows() > 1), "some windows were merged");
    long next = 0;
    for (SnapshotReady r : seen) {
      assertEquals(next, r.getFirstSequence(), "snapshots follow each other without a gap");
      next = r.getLastSequence() + 1;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static JsonNode brightestSource() throws Exception {
    JsonNode best = null;
    for (JsonNode s : new ObjectMapper().readTree(Path.of(ms + ".sky.json").toFile()).get("sources")) {
      if (best == null || s.get("flux_jy").asDouble() > best.get("flux_jy").asDouble()) {
        best = s;
      }
    }
    return best;
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      Map<TopicPartition, Boolean> done = new ConcurrentHashMap<>();
      long deadline = System.currentTimeMillis() + 10000;
      while (done.size() < parts.size() && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
        parts.stream().filter(tp -> c.position(tp) >= end.get(tp)).forEach(tp -> done.put(tp, true));
      }
    }
    return out;
  }

  private static List<SnapshotReady> publishedSnapshots(String dataset) {
    List<SnapshotReady> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readAll(Topics.SNAPSHOTS.name())) {
      try {
        SnapshotReady s = Messages.SNAPSHOT_READY.fromBytes(r.topic(), r.value());
        if (s.getDataset().equals(dataset)) {
          assertEquals(Topics.snapshotKey(dataset, s.getWindowStart()), r.key());
          out.add(s);
        }
      } catch (BusFormatException tile) {
        // an image tile
      }
    }
    return out;
  }

  private static List<DeadLetter> deadLetters(String topic) {
    List<DeadLetter> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readAll(Topics.DEAD_LETTER.name())) {
      DeadLetter d = Messages.DEAD_LETTER.fromBytes(r.topic(), r.value());
      if (d.getTopic().equals(topic)) {
        out.add(d);
      }
    }
    return out;
  }
}
