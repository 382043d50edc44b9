package org.pclean.ops.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.pclean.bus.Messages;
import org.pclean.bus.TopicReader;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.parallel.ParallelRunner;
import org.pclean.ops.parallel.ParallelSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench image}: one imaging run (tclean flags, {@code --gridder} among them), reported as one JSON
 * line: serial runs give the gridder, wall time, peak RSS and gridding throughput in M visibilities (samples) per second per core; --parallel runs give
 * wall time, peak RSS (broker, coordinator, sinks and workers in one process) and the bytes each topic carried,
 * one line per run of --repeat (run k, warm from the second on).
 */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Imaging benchmark, serial or --parallel (JSON line); tclean flags, --preset, --pconfig.")
final class ImageBenchCommand implements Callable<Integer> {
  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--results", defaultValue = "bench-results/results.jsonl", description = "file the JSON line is appended to")
  Path results;

  @Option(names = "--peer", description = "also run this WSClean peer script (shared/bench/wsclean-peer.sh) with MODE")
  Path peer;

  @Option(names = "--peer-mode", defaultValue = "cube", description = "cube | mfs (the peer's workload)")
  String peerMode;

  @Option(names = "--repeat", defaultValue = "1", description = "with --parallel: run the job this many times in one"
      + " session (broker, coordinator, sinks and workers started once), a JSON line each; the first is cold"
      + " (default ${DEFAULT-VALUE})")
  String repeatText;  // parsed here, so that a non-number is one line too

  private int repeat;

  @Override
  public Integer call() throws Exception {
    repeat = repeat(repeatText);
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    if (config.dumped(cfg, spec.commandLine())) {
      return 0;
    }
    if (repeat > 1 && !cfg.parallel()) {
      throw new IllegalArgumentException("--repeat " + repeat + " needs --parallel (it reruns the job on one"
          + " session's warm services)");
    }
    TcleanParams p = cfg.params();
    if (p.vis() == null) {
      throw new IllegalArgumentException("bench image reads an MS: give --vis");
    }
    long onDisk = ReadBenchCommand.directorySize(p.vis());
    if (cfg.parallel()) {
      parallel(p, onDisk, cfg);
      runPeer(p);
      return 0;
    }
    ImagingResult r = SerialImager.run(p);
    var t = r.timing();
    String line = String.format(Locale.ROOT,
        "{\"bench\":\"serial-image\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"specmode\":\"%s\","
            + "\"gridder\":\"%s\",\"epsilon\":%.1e,\"imsize\":%d,\"planes\":%d,\"niter\":%d,\"iterations\":%d,\"major_cycles\":%d,\"threads\":%d,"
            + "\"wall_s\":%.2f,\"gridding_s\":%.2f,\"samples_gridded\":%d,\"gridding_mvis_per_s\":%.2f,"
            + "\"gridding_mvis_per_s_per_core\":%.2f,\"peak_rss_mb\":%d}",
        Instant.now(), p.vis(), onDisk, p.specmode().name().toLowerCase(), p.gridder().name().toLowerCase(),
        p.epsilon(), p.nx(), r.planes().size(), p.niter(),
        r.totalIterations(), r.history().size(), p.threads(), t.totalSeconds(), t.griddingSeconds(),
        t.samplesGridded(), t.griddingMvisPerSecond(), t.griddingMvisPerSecond() / p.threads(),
        BenchCommand.peakRssMb());
    BenchCommand.emit(line, results);
    runPeer(p);
    return 0;
  }

  /**
   * The parallel job --repeat times in one session, so that the runs after the first find the broker, coordinator,
   * sinks and workers started and compiled. Each run's line gives its wall time (the first's includes starting the
   * session), the JVM's JIT compile time during it, and what it moved over Kafka, read from the broker's log
   * directories: bytes per topic (the growth since the previous run), and its major cycles for continuum. Every run
   * replaces the products of the one before, as a rerun of the bench always has.
   */
  private void parallel(TcleanParams p, long onDisk, PcleanConfig cfg) throws Exception {
    var settings = cfg.settings();
    TcleanParams job = p.toBuilder().overwrite(true).build();
    boolean mfs = p.specmode() == TcleanParams.SpecMode.MFS;
    Map<String, Long> before = Map.of();
    try (ParallelSession session = ParallelSession.open(settings, cfg.cluster())) {
      for (int run = 1; run <= repeat; run++) {
        long t0 = System.nanoTime();
        long jit0 = jitMillis();
        ParallelRunner.Outcome outcome = session.run(job, settings);
        Map<String, Long> after;
        long cycles;
        try (Admin admin = Admin.create(session.client())) {
          after = topicBytes(admin);
          cycles = convergenceEvents(session.client(), outcome.jobId());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double jit = (jitMillis() - jit0) / 1e3;
        final Map<String, Long> previous = before;
        String bytes = after.entrySet().stream()
            .map(e -> "\"" + e.getKey() + "\":" + (e.getValue() - previous.getOrDefault(e.getKey(), 0L)))
            .collect(Collectors.joining(",", "{", "}"));
        before = after;
        JobSpec spec = outcome.job();
        BenchCommand.emit(String.format(Locale.ROOT,
            "{\"bench\":\"parallel-%s\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"imsize\":%d,"
                + "\"weighting\":\"%s\",\"deconvolver\":\"%s\",\"channels\":%d,\"partitions\":%d,\"nworkers\":%d,"
                + "\"niter\":%d,\"gathered_cycles\":%d,\"run\":%d,\"warm\":%b,\"wall_s\":%.2f,\"jit_compile_s\":%.2f,"
                + "\"peak_rss_mb\":%d,\"kafka_bytes_by_topic\":%s}",
            mfs ? "mfs" : "cube", Instant.now(), p.vis(), onDisk, p.nx(), p.weighting().name().toLowerCase(),
            p.deconvolver().name().toLowerCase(), spec.getNumChannels(), spec.getNumPartitions(),
            settings.nworkers(), p.niter(), cycles, run, run > 1, wall, jit, BenchCommand.peakRssMb(), bytes),
            results);
      }
    }
  }

  /**
   * The JIT compilers' time so far in this JVM, ms (-1 where not monitored): what a warm run no longer spends
   * compiling the broker, clients and Streams.
   */
  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /** --repeat's value: an integer of at least 1. */
  static int repeat(String text) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw new IllegalArgumentException("--repeat must be an integer >= 1, got '" + text + "'");
    }
    return n;
  }

  /**
   * Bytes in the log of each topic, summed over its partitions: pclean's topics and the coordinator's internal
   * repartition and changelog topics (pclean-gather-*), i.e. everything the run moved through Kafka.
   */
  static Map<String, Long> topicBytes(Admin admin) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
    for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
      for (var dir : dirs.values()) {
        dir.replicaInfos().forEach((tp, info) -> {
          if (tp.topic().startsWith("pclean")) {
            out.merge(tp.topic(), info.size(), Long::sum);
          }
        });
      }
    }
    return out;
  }

  /** The coordinator's convergence events of the job: one per gathered major cycle (continuum), else 0. */
  private static long convergenceEvents(Properties client, String jobId) {
    long[] n = {0};
    TopicReader.readToEnd(client, Topics.EVENTS.name(), null, r -> {
      JobEvent e = Messages.JOB_EVENT.fromBytes(r.topic(), r.value());
      n[0] += e.getJobId().equals(jobId) && e.getType() == JobEventType.CONVERGENCE ? 1 : 0;
    });
    return n[0];
  }

  /** The peer (WSClean) on the same MS in the same run; its JSON line goes to the same results file. */
  private void runPeer(TcleanParams p) throws Exception {
    if (peer == null) {
      return;
    }
    Process proc = new ProcessBuilder("bash", peer.toString(), peerMode, p.vis().toString(),
        Integer.toString(Runtime.getRuntime().availableProcessors())).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes()).strip();
    proc.waitFor();
    String last = out.lines().reduce((a, b) -> b).orElse("{\"peer\":\"wsclean\",\"error\":\"no output\"}");
    BenchCommand.emit(last, results);
  }
}
