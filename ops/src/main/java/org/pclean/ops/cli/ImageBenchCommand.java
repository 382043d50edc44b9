package org.pclean.ops.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.TcleanParams;
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

  @Override
  public Integer call() throws Exception {
    TcleanParams p = imaging.toParams();
    long onDisk = ReadBenchCommand.directorySize(p.vis());
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
    return 0;
  }
}
