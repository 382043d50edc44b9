package org.pclean.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench stream}: snapshot latency on a live stream. A 27-antenna VLA-like observation (64 channels,
 * 10 s dumps) is simulated, streamed with {@link StreamPublisher} at an accelerated cadence while a
 * {@link SnapshotImager} images every dump, and a separate consumer of pclean.snapshots notes when each
 * SnapshotReady becomes visible. Latency of a window = that moment − the moment its last record was acknowledged
 * by the broker (the publisher's DumpListener). One JSON line per image size.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = "Snapshot latency on a live stream, from the last record's ack to SnapshotReady (JSON lines).")
final class StreamBenchCommand implements Callable<Integer> {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final double DUMP_S = 10;
  private static final int NCHAN = 64;

  @Option(names = {"--scheduler-address", "--bootstrap-servers"}, description = "Kafka cluster (default: an embedded broker)")
  String bootstrap;

  @Option(names = "--imsize", split = ",", defaultValue = "512,2048", description = "image sizes, one line each (default ${DEFAULT-VALUE})")
  List<Integer> imsizes;

  @Option(names = "--cell", defaultValue = "3arcsec", description = "default ${DEFAULT-VALUE}") String cell;

  @Option(names = "--windows", defaultValue = "60", description = "windows measured per size (default ${DEFAULT-VALUE})")
  int windows;

  @Option(names = "--warmup", defaultValue = "3", description = "first windows left out of the percentiles (JIT, first FFT plans) (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--rate", defaultValue = "10", description = "stream speed in x real time (default ${DEFAULT-VALUE}: a dump every second)")
  double rate;

  @Option(names = "--niter", defaultValue = "0") int niter;

  @Option(names = "--threads", defaultValue = "1", description = "gridding threads of the imager (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--no-fits", description = "write no FITS files (they are written after publishing, off the measured path)")
  boolean noFits;

  @Option(names = "--local-directory", description = "MS, FITS files, broker data (default: a temporary directory)")
  Path dir;

  @Option(names = "--results", defaultValue = "bench-results/stream.jsonl", description = "file the JSON lines are appended to")
  Path results;

  @Override
  public Integer call() throws Exception {
    if (windows < 1 || warmup < 0 || !(rate > 0)) {
      throw new IllegalArgumentException("--windows must be >= 1, --warmup >= 0 and --rate > 0");
    }
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pclean-bench-stream-");
    Path ms = work.resolve("vla-stream-" + System.nanoTime() + ".ms");
    double hours = (windows + warmup) * DUMP_S / 3600;
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 2e6, "RR LL",
            -hours / 2, hours / 2, DUMP_S, 60000, 0.01, 1),
        List.of(new MsSimulator.PointSource(60 * ARCSEC, 30 * ARCSEC, 1.0, -0.7),
            new MsSimulator.PointSource(-90 * ARCSEC, 45 * ARCSEC, 0.5, 0),
            new MsSimulator.PointSource(30 * ARCSEC, -120 * ARCSEC, 0.25, 0.5)));
    EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.start(work.resolve("kafka")) : null;
    try {
      Properties client = broker != null ? broker.clientConfig() : PClean.client(bootstrap);
      try (Admin admin = Admin.create(client)) {
        TopicInstaller.ensure(admin, Topics.all(), (short) 1);
      }
      for (int n : imsizes) {
        BenchCommand.emit(run(client, ms, work, n), results);
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    return 0;
  }

  private String run(Properties client, Path ms, Path work, int n) throws Exception {
    String dataset = "bench-" + n + "-" + System.currentTimeMillis();
    TcleanParams p = TcleanParams.builder().dataset(dataset).imagename(work.resolve("snap-" + n + "/" + dataset).toString())
        .imsize(n, n).cell(Quantities.angleRad(cell), Quantities.angleRad(cell)).datacolumn(DataColumn.DATA)
        .niter(niter).threads(threads).build();
    Map<Long, Long> ackMillis = new ConcurrentHashMap<>();
    Map<Long, Long> seenMillis = new ConcurrentHashMap<>();
    Map<Long, SnapshotReady> byFirst = new ConcurrentHashMap<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> watch(client, dataset, watching, seenMillis, byFirst), "bench-watcher");
    StreamPublisher.Summary summary;
    try (SnapshotImager imager = new SnapshotImager(client, new SnapshotImager.Settings(p, 0, null, !noFits), null)
        .start()) {
      watcher.start();
      Thread.sleep(1000);  // the watcher is at the end of pclean.snapshots before anything is published
      summary = StreamPublisher.publish(ms, new StreamPublisher.Settings(dataset, rate), client,
          (seq, t, ack) -> ackMillis.put(seq, ack));
      long deadline = System.currentTimeMillis() + 30000;
      while (covered(byFirst) < summary.dumps() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
    } finally {
      watching.set(false);
      watcher.join(10000);
    }
    return line(n, summary, ackMillis, seenMillis, byFirst);
  }

  private static long covered(Map<Long, SnapshotReady> byFirst) {
    return byFirst.values().stream().mapToLong(SnapshotReady::getDumps).sum();
  }

  /** A consumer of its own on pclean.snapshots, from its end, noting when each SnapshotReady of the dataset shows. */
  private static void watch(Properties client, String dataset, AtomicBoolean watching, Map<Long, Long> seen,
      Map<Long, SnapshotReady> byFirst) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(Topics.SNAPSHOTS.name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      while (watching.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          if (r.key() == null || !r.key().startsWith(dataset + "/")) {
            continue;
          }
          try {
            SnapshotReady s = Messages.SNAPSHOT_READY.fromBytes(r.topic(), r.value());
            seen.put(s.getFirstSequence(), now);
            byFirst.put(s.getFirstSequence(), s);
          } catch (BusFormatException tile) {
            // an image tile of the snapshot
          }
        }
      }
    }
  }

  private String line(int n, StreamPublisher.Summary summary, Map<Long, Long> ack, Map<Long, Long> seen,
      Map<Long, SnapshotReady> byFirst) {
    List<Double> latency = new ArrayList<>();
    List<Double> imageS = new ArrayList<>();
    List<Double> readS = new ArrayList<>();
    List<Long> vis = new ArrayList<>();
    long reported = 0;
    long mergedWindows = 0;
    long mergedSnapshots = 0;
    double firstLatency = Double.NaN;
    for (SnapshotReady s : byFirst.values()) {
      reported += s.getMergedWindows();
      if (s.getMergedWindows() > 1) {
        mergedSnapshots++;
        mergedWindows += s.getMergedWindows();
      }
      for (long seq = s.getFirstSequence(); seq <= s.getLastSequence(); seq++) {
        Long a = ack.get(seq);
        if (a == null) {
          continue;
        }
        double l = (seen.get(s.getFirstSequence()) - a) / 1000.0;
        if (seq == 0) {
          firstLatency = l;
        }
        if (seq >= warmup) {
          latency.add(l);
        }
      }
      if (s.getFirstSequence() >= warmup) {
        imageS.add((s.getReadyAtMillis() - s.getClosedAtMillis()) / 1000.0);
        Long a = ack.get(s.getLastSequence());
        if (a != null) {
          readS.add((s.getClosedAtMillis() - a) / 1000.0);
        }
        vis.add(s.getVisibilities());
      }
    }
    long dropped = summary.dumps() - reported;
    double[] l = latency.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT,
        "{\"bench\":\"stream-snapshot\",\"time\":\"%s\",\"imsize\":%d,\"cell_arcsec\":%.2f,\"niter\":%d,"
            + "\"windows\":%d,\"warmup\":%d,\"interval\":\"dump\",\"dump_s\":%.0f,\"rate_x_realtime\":%.1f,"
            + "\"antennas\":27,\"nchan\":%d,\"vis_per_window\":%d,\"p50_s\":%.3f,\"p95_s\":%.3f,\"p99_s\":%.3f,"
            + "\"max_s\":%.3f,\"first_window_s\":%.3f,\"dropped\":%d,\"merged\":%d,\"merged_snapshots\":%d,"
            + "\"ack_to_close_p50_s\":%.3f,\"image_p50_s\":%.3f,\"image_p99_s\":%.3f,\"threads\":%d,\"fits\":%b,"
            + "\"broker\":\"%s\",\"cores\":%d,\"load_avg_1m\":%s,\"peak_rss_mb\":%d}",
        Instant.now(), n, Quantities.angleRad(cell) / ARCSEC, niter, l.length, warmup, DUMP_S, rate, NCHAN,
        median(vis), pct(l, 50), pct(l, 95), pct(l, 99), l.length == 0 ? Double.NaN : l[l.length - 1], firstLatency,
        dropped, mergedWindows, mergedSnapshots, pct(sorted(readS), 50), pct(sorted(imageS), 50),
        pct(sorted(imageS), 99), threads, !noFits, bootstrap == null ? "embedded" : bootstrap,
        Runtime.getRuntime().availableProcessors(), loadAverage(), BenchCommand.peakRssMb());
  }

  /** The machine's 1-minute load average at the end of the run (other work on a shared machine shows here). */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "null";
    }
  }

  private static double[] sorted(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static long median(List<Long> v) {
    long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
    return a.length == 0 ? 0 : a[a.length / 2];
  }

  /** The p-th percentile, nearest rank. */
  private static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
