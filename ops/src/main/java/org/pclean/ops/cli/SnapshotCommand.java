package org.pclean.ops.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.config.ClusterAccess;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.service.HttpOptions;
import org.pclean.ops.service.ServiceChecks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean snapshot}: the near-real-time snapshot imager of a live dataset, a service like {@code pclean
 * worker} (start more for standby members of the dataset's group); runs until stopped.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Image a live dataset window by window as it streams (SnapshotReady + tiles on pclean.snapshots,"
        + " <imagename>-<UTC>.fits) until stopped. Takes tclean's imaging flags, --preset and --pconfig (e.g."
        + " --preset snapshot-realtime); niter defaults to 0 (dirty).")
final class SnapshotCommand implements Callable<Integer> {

  @Option(names = "--interval", defaultValue = "dump",
      description = "window length aligned on the start of the observation (e.g. 10s, 2min), or dump: one window"
          + " per dump (default ${DEFAULT-VALUE})")
  String interval;

  @Option(names = "--grace", description = "how long a window waits for late or missing dumps (default: two"
      + " integrations on the stream's clock)")
  String grace;

  @Option(names = "--no-fits", description = "publish on the bus only; write no FITS files")
  boolean noFits;

  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin HttpOptions http;

  @Override
  public Integer call() throws Exception {
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    if (config.dumped(cfg, spec.commandLine())) {
      return 0;
    }
    if (cfg.schedulerAddress() == null) {
      throw new IllegalArgumentException("--scheduler-address (the Kafka cluster the dataset streams on) is required");
    }
    SnapshotImager.Settings settings = settings(cfg);
    Properties client = cfg.cluster();
    ClusterAccess.ensureTopics(client, (short) 1);
    SnapshotImager imager = new SnapshotImager(client, settings, null).start();
    System.out.printf(Locale.ROOT, "pclean snapshot: imaging %s (%s windows) in group %s at %s; FITS %s%n",
        settings.dataset(),
        settings.intervalSeconds() == 0 ? "one-dump" : settings.intervalSeconds() + " s", settings.group(),
        cfg.schedulerAddress(), noFits ? "off" : "as " + settings.imaging().imagename() + "-<UTC>.fits");
    HttpOptions.Served served = http.start("snapshot", client, admin -> ServiceChecks.all(List.of(
        ServiceChecks.cluster(admin), ServiceChecks.members(admin, List.of(settings.group()), m -> true))));
    ServiceCommands.runUntilStopped(() -> {
      imager.close();
      HttpOptions.stop(served);
    });
    return 0;
  }

  /** The snapshot imager's settings from the merged configuration (defaults < presets < files < flags). */
  SnapshotImager.Settings settings(PcleanConfig cfg) {
    if (!cfg.isSet("selection.dataset")) {
      throw new IllegalArgumentException("--dataset is required: the dataset streaming on pclean.vis.<dataset>");
    }
    if (cfg.isSet("selection.timerange")) {
      throw new IllegalArgumentException("pclean snapshot images the live stream as it arrives: --timerange does"
          + " not apply (replay a time range with pclean replay)");
    }
    if (cfg.isSet("selection.vis") || cfg.parallel()) {
      throw new IllegalArgumentException("pclean snapshot images a dataset on the bus: --vis and --parallel do not"
          + " apply (stream an MS with pclean stream)");
    }
    if (!cfg.isSet("image.imagename")) {
      throw new IllegalArgumentException("--imagename (the prefix of the snapshot FITS files) is required");
    }
    cfg.checkRunnable();
    TcleanParams.Builder b = cfg.paramsBuilder();
    if ((Integer) cfg.value("cluster.threads_per_worker") == 0) {
      b.threads(1);  // one window's gridding is too small to share: per-thread grids cost more than they save
    }
    return new SnapshotImager.Settings(b.build(), intervalSeconds(interval),
        grace == null ? null : Duration.ofMillis(Math.round(seconds(grace, "--grace") * 1000)), !noFits);
  }

  static double intervalSeconds(String s) {
    if (s.trim().equalsIgnoreCase("dump")) {
      return 0;
    }
    double v = seconds(s, "--interval");
    if (!(v > 0)) {
      throw new IllegalArgumentException("--interval must be a positive duration or dump, got '" + s + "'");
    }
    return v;
  }

  /** "10s", "500ms", "2min", "1h" or a bare number of seconds. */
  static double seconds(String s, String option) {
    var m = java.util.regex.Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*(ms|s|sec|min|m|h)?\\s*")
        .matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad " + option + " '" + s + "' (expected e.g. 10s, 500ms, 2min)");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> v / 1000;
      case "min", "m" -> v * 60;
      case "h" -> v * 3600;
      default -> v;
    };
  }
}
