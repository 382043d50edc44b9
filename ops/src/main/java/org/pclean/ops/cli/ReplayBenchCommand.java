package org.pclean.ops.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.ImagePlane;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.config.PcleanConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench replay}: streams an MS onto the bus once (as fast as the broker takes it), then in the same
 * run images the MS itself and replays the dataset from the bus with the same parameters. One JSON line: MS and
 * topic bytes, stream time, image-the-MS and replay wall times and their ratio, the time each side took to load its
 * Stokes I selection (for the replay: reading the topic, then forming the selection from the dumps), time to its
 * first record and its speed in multiples of real time.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay benchmark: stream an MS once, then image the MS and replay the topic (JSON line);"
        + " tclean flags, --preset, --pconfig.")
final class ReplayBenchCommand implements Callable<Integer> {
  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--results", defaultValue = "bench-results/replay.jsonl", description = "file the JSON line is appended to")
  Path results;

  /**
   * CPU seconds of this process (the embedded broker's too, which serves the replay's fetches): on a shared
   * machine the wall times of the two sides vary with the other load, their CPU times much less.
   */
  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  /**
   * Whether the JVM touched its whole initial heap at start (-XX:+AlwaysPreTouch). Without it the side that first
   * needs more heap than the JVM has touched pays the page faults of filling fresh memory (up to ~1.5 s of the VLA
   * bench's 500 MB read, or of the MS load when that side grows the heap first), so the ratio measures which side
   * grew the heap; run the bench with PCLEAN_JAVA_OPTS="-Xms4g -XX:+AlwaysPreTouch" to compare the two paths.
   */
  private static boolean pretouched() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch");
  }

  @Override
  public Integer call() throws Exception {
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    if (config.dumped(cfg, spec.commandLine())) {
      return 0;
    }
    TcleanParams p = cfg.params();
    if (p.vis() == null) {
      throw new IllegalArgumentException("bench replay streams an MS first: give --vis");
    }
    long msBytes = ReadBenchCommand.directorySize(p.vis());
    String dataset = "bench-" + Long.toHexString(System.nanoTime());
    EmbeddedKafkaBroker broker = cfg.schedulerAddress() == null ? EmbeddedKafkaBroker.start(null) : null;
    try {
      Properties client = broker != null ? broker.clientConfig() : cfg.cluster();
      try (Admin admin = Admin.create(client)) {
        TopicInstaller.ensure(admin, Topics.all(), (short) 1);
      }
      StreamPublisher.Summary s = PClean.stream(p.vis(), new StreamPublisher.Settings(dataset, 0), client);
      long topicBytes;
      try (Admin admin = Admin.create(client)) {
        topicBytes = ImageBenchCommand.topicBytes(admin).getOrDefault(Topics.visibilities(dataset).name(), 0L);
      }

      // SerialImager.run(p) step by step (open, load the selection, let the source go, image) so the line splits
      // each side's wall time into loading the Stokes I selection and imaging it.
      TcleanParams m = p.toBuilder().imagename(p.imagename() + "-ms").build();
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      VisibilityData msData;
      double msDish;
      try (MeasurementSetSource source = MeasurementSetSource.open(m.vis())) {
        msData = VisibilityLoader.load(source, m.selection());
        msDish = ImagePlane.dishDiameter(source.metadata());
      }
      double msLoad = (System.nanoTime() - t0) / 1e9;
      ImagingResult fromMs = new SerialImager(m).run(msData, msDish);
      msData = null;
      double msWall = (System.nanoTime() - t0) / 1e9;
      double msCpu = (cpuNanos() - c0) / 1e9;

      TcleanParams r = p.toBuilder().vis(null).dataset(dataset).imagename(p.imagename() + "-replay").build();
      long c1 = cpuNanos();
      long t1 = System.nanoTime();
      // As SerialImager.run does for a dataset: the selection's Stokes I formed while the dumps are read.
      DatasetReader.Loaded replayed = DatasetReader.load(client, dataset, r.timerange(), r.selection());
      double readSeconds = replayed.replay().readSeconds();
      double firstRecord = replayed.replay().firstRecordSeconds();
      VisibilityData data = replayed.data();
      double dish = ImagePlane.dishDiameter(replayed.metadata());
      replayed = null;
      double replayLoad = (System.nanoTime() - t1) / 1e9 - readSeconds;
      ImagingResult fromBus = new SerialImager(r).run(data, dish);
      double replayWall = (System.nanoTime() - t1) / 1e9;
      double replayCpu = (cpuNanos() - c1) / 1e9;
      BenchCommand.emit(String.format(Locale.ROOT,
          "{\"bench\":\"replay\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"topic_bytes\":%d,"
              + "\"topic_over_ms\":%.3f,\"dumps\":%d,\"rows\":%d,\"records\":%d,\"stream_s\":%.2f,"
              + "\"stream_x_realtime\":%.1f,\"specmode\":\"%s\",\"imsize\":%d,\"niter\":%d,\"iterations_ms\":%d,"
              + "\"iterations_replay\":%d,\"image_ms_wall_s\":%.2f,\"replay_wall_s\":%.2f,\"replay_over_ms\":%.3f,"
              + "\"ms_cpu_s\":%.2f,\"replay_cpu_s\":%.2f,\"ms_load_s\":%.2f,\"replay_read_s\":%.2f,"
              + "\"replay_load_s\":%.2f,\"first_record_s\":%.3f,\"replay_x_realtime\":%.1f,\"peak_rss_mb\":%d,"
              + "\"heap_initial_mb\":%d,\"heap_pretouched\":%b}",
          Instant.now(), p.vis(), msBytes, topicBytes, topicBytes / (double) msBytes, s.dumps(), s.rows(),
          s.records(), s.seconds(), s.observationSeconds() / s.seconds(), p.specmode().name().toLowerCase(), p.nx(),
          p.niter(), fromMs.totalIterations(), fromBus.totalIterations(), msWall, replayWall, replayWall / msWall,
          msCpu, replayCpu, msLoad, readSeconds, replayLoad, firstRecord, s.observationSeconds() / replayWall,
          BenchCommand.peakRssMb(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit() >> 20,
          pretouched()), results);
      return 0;
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }
}
