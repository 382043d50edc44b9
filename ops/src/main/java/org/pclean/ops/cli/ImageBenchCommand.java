package org.pclean.ops.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.TcleanParams;
import org.pclean.ops.parallel.ParallelRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean bench image}: one serial imaging run (tclean flags), reported as one JSON line: wall time, peak
 * RSS, and gridding throughput in M visibilities (samples) per second per core.
 */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Serial imaging benchmark (JSON line).")
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
      long t0 = System.nanoTime();
      var settings = imaging.parallelSettings();
      var outcome = ParallelRunner.run(p, settings);
      BenchCommand.emit(String.format(Locale.ROOT,
          "{\"bench\":\"parallel-cube\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"imsize\":%d,"
              + "\"channels\":%d,\"subcubes\":%d,\"nworkers\":%d,\"niter_per_channel\":%d,\"wall_s\":%.2f,"
              + "\"peak_rss_mb\":%d}", Instant.now(), p.vis(), onDisk, p.nx(), outcome.job().getNumChannels(),
          outcome.job().getNumPartitions(), settings.nworkers(), p.niter(), (System.nanoTime() - t0) / 1e9,
          BenchCommand.peakRssMb()), results);
      runPeer(p);
      return 0;
    }
    ImagingResult r = SerialImager.run(p);
    var t = r.timing();
    String line = String.format(Locale.ROOT,
        "{\"bench\":\"serial-image\",\"time\":\"%s\",\"ms\":\"%s\",\"ms_bytes_on_disk\":%d,\"specmode\":\"%s\","
            + "\"imsize\":%d,\"planes\":%d,\"niter\":%d,\"iterations\":%d,\"major_cycles\":%d,\"threads\":%d,"
            + "\"wall_s\":%.2f,\"gridding_s\":%.2f,\"samples_gridded\":%d,\"gridding_mvis_per_s\":%.2f,"
            + "\"gridding_mvis_per_s_per_core\":%.2f,\"peak_rss_mb\":%d}",
        Instant.now(), p.vis(), onDisk, p.specmode().name().toLowerCase(), p.nx(), r.planes().size(), p.niter(),
        r.totalIterations(), r.history().size(), p.threads(), t.totalSeconds(), t.griddingSeconds(),
        t.samplesGridded(), t.griddingMvisPerSecond(), t.griddingMvisPerSecond() / p.threads(),
        BenchCommand.peakRssMb());
    BenchCommand.emit(line, results);
    runPeer(p);
    return 0;
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
