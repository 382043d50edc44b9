package org.pclean.ops.cli;

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
import org.pclean.ops.parallel.LocalCluster;
import org.pclean.ops.parallel.ParallelRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench image}: one imaging run (tclean flags, {@code --gridder} among them), reported as one JSON
 * line: serial runs give the gridder, wall time, peak RSS and gridding throughput in M visibilities (samples) per second per core; --parallel runs give
 * wall time, peak RSS (broker, coordinator, sinks and workers in one process) and the bytes each topic carried.
 */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Imaging benchmark, serial or --parallel (JSON line).")
final class ImageBenchCommand implements Callable<Integer> {
  @Mixin ImagingOptions imaging;

  @Option(names = "--results", defaultValue = "bench-results/results.jsonl", description = "file the JSON line is appended to")
  Path results;

  @Option(names = "--peer", description = "also run this WSClean peer script (shared/bench/wsclean-peer.sh) with MODE")
  Path peer;

  @Option(names = "--peer-mode", defaultValue = "cube", description = "cube | mfs (the peer's workload)")
  String peerMode;

  @Override
  public Integer call() throws Exception {
    TcleanParams p = imaging.toParams();
    long onDisk = ReadBenchCommand.directorySize(p.vis());
    if (imaging.parallel()) {
      parallel(p, onDisk);
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
   * One parallel job on its own in-process cluster, so that what the job moved over Kafka can be read from the
   * broker's log directories before it stops: bytes per topic, and per major cycle for continuum.
   */
  private void parallel(TcleanParams p, long onDisk) throws Exception {
    long t0 = System.nanoTime();
    var settings = imaging.parallelSettings();
    boolean mfs = p.specmode() == TcleanParams.SpecMode.MFS;
    String bytes;
    JobSpec job;
    long cycles;
    try (LocalCluster cluster = new LocalCluster(settings.bootstrapServers(), settings.nworkers(),
        settings.localDirectory().toAbsolutePath())) {
      String jobId = ParallelRunner.submit(cluster.client(), cluster.producer(), p, settings);
      job = ParallelRunner.await(cluster, jobId, p, settings.timeout(), settings.stallTimeout()).job();
      try (Admin admin = Admin.create(cluster.client())) {
        Map<String, Long> perTopic = topicBytes(admin);
        cycles = convergenceEvents(cluster.client(), jobId);
        bytes = perTopic.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
            .collect(Collectors.joining(",", "{", "}"));
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    BenchCommand.emit(String.format(Locale.ROOT,
        "{\"bench\":\"parallel-%s\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"imsize\":%d,"
            + "\"weighting\":\"%s\",\"deconvolver\":\"%s\",\"channels\":%d,\"partitions\":%d,\"nworkers\":%d,"
            + "\"niter\":%d,\"gathered_cycles\":%d,\"wall_s\":%.2f,\"peak_rss_mb\":%d,\"kafka_bytes_by_topic\":%s}",
        mfs ? "mfs" : "cube", Instant.now(), p.vis(), onDisk, p.nx(), p.weighting().name().toLowerCase(),
        p.deconvolver().name().toLowerCase(), job.getNumChannels(), job.getNumPartitions(), settings.nworkers(),
        p.niter(), cycles, wall, BenchCommand.peakRssMb(), bytes), results);
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
