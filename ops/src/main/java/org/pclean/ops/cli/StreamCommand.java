package org.pclean.ops.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pclean stream}: publish an MS onto the bus as a live correlator would, dump by dump. */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = "Publish a MeasurementSet onto pclean.vis.<dataset> one dump at a time, in time order, as a live"
        + " correlator would (first its descriptor on pclean.datasets).")
final class StreamCommand implements Callable<Integer> {
  @Option(names = "--vis", required = true, description = "the MeasurementSet") Path vis;
  @Option(names = "--dataset", required = true, description = "dataset name (topic pclean.vis.<dataset>)") String dataset;
  @Option(names = "--rate", defaultValue = "realtime",
      description = "realtime (the observation's cadence), max (as fast as the broker takes it) or a factor, e.g. 20")
  String rate;
  @Mixin ServiceCommands.ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    double speed = speed(rate);
    var settings = new StreamPublisher.Settings(dataset, speed);
    Properties client = cluster.connect();
    System.out.printf(Locale.ROOT, "streaming %s as dataset %s at %s%n", vis, dataset, pace(speed));
    System.out.println(summary(PClean.stream(vis, settings, client)));
    return 0;
  }

  /** The pace a stream is published at, for the console. */
  static String pace(double speed) {
    return speed == 0 ? "full speed" : speed == 1 ? "the observation's cadence" : speed + "x real time";
  }

  /** What a finished stream published, for the console. */
  static String summary(StreamPublisher.Summary s) {
    return String.format(Locale.ROOT, "streamed %d dumps (%d rows, %d records, %.1f MB of visibilities) onto"
            + " pclean.vis.%s in %.1f s: %.1fx the %.0f s observation", s.dumps(), s.rows(), s.records(),
        s.payloadBytes() / 1e6, s.dataset(), s.seconds(), s.observationSeconds() / Math.max(s.seconds(), 1e-9),
        s.observationSeconds());
  }

  /** realtime = 1, max = 0 (no pacing), or a positive factor. */
  static double speed(String rate) {
    String r = rate.trim().toLowerCase(Locale.ROOT);
    if (r.equals("realtime")) {
      return 1;
    }
    if (r.equals("max")) {
      return 0;
    }
    try {
      double f = Double.parseDouble(r.endsWith("x") ? r.substring(0, r.length() - 1) : r);
      if (f > 0 && !Double.isInfinite(f)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("--rate must be realtime, max or a positive factor such as 20, got '" + rate
        + "'");
  }
}
