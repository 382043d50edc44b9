package org.pclean.ops.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.pclean.imaging.ImagingResult;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.TimeRanges;
import org.pclean.ops.PClean;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.parallel.ParallelRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean replay}: image a dataset from the bus alone (the MS may be gone), with any tclean parameters,
 * serially or in parallel, over the whole dataset or a time range.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Image a dataset streamed onto the bus (no MeasurementSet needed) with new imaging parameters"
        + " (tclean flags; --preset and --pconfig YAML below them); --from/--to select a time range (ISO-8601 UTC).")
final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--from", description = "start of the range, ISO-8601 UTC (e.g. 2023-02-25T06:00:00Z)") String from;
  @Option(names = "--to", description = "end of the range (exclusive), ISO-8601 UTC") String to;
  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    if (config.dumped(cfg, spec.commandLine())) {
      return 0;
    }
    TcleanParams p = params(cfg);
    System.out.printf(Locale.ROOT, "replaying dataset %s%s from the bus into %s%n", p.dataset(),
        p.timerange() == null ? "" : " " + describe(p.timerange()), p.imagename());
    if (cfg.parallel()) {
      var outcome = ParallelRunner.run(p, cfg.settings(), cfg.cluster());
      System.out.printf(Locale.ROOT, "%s: %s; wrote %s%n", outcome.jobId(), outcome.job().getState(),
          outcome.products());
      return 0;
    }
    ImagingResult r = PClean.replay(p, cfg.cluster());
    PcleanCli.report(r);
    return 0;
  }

  /** The replay's parameters: defaults < presets < --pconfig files < flags, then --from/--to as its time range. */
  TcleanParams params(PcleanConfig cfg) {
    if (!cfg.isSet("selection.dataset")) {
      throw new IllegalArgumentException("--dataset is required: the dataset on the bus to replay");
    }
    if (cfg.isSet("selection.vis")) {
      throw new IllegalArgumentException("replay reads the dataset from the bus: give --dataset, not --vis");
    }
    if ((from != null || to != null) && cfg.isSet("selection.timerange")) {
      throw new IllegalArgumentException("give --from/--to or --timerange, not both");
    }
    TcleanParams p = cfg.params();
    if (from != null || to != null) {
      double[] range = {from == null ? Double.NEGATIVE_INFINITY : TimeRanges.instant(from, "--from"),
          to == null ? Double.POSITIVE_INFINITY : TimeRanges.instant(to, "--to")};
      if (!(range[1] > range[0])) {
        throw new IllegalArgumentException("--to " + to + " is not after --from " + from + ": the range is empty");
      }
      p = p.toBuilder().timerange(range).build();
    }
    return p;
  }

  private static String describe(double[] r) {
    return "[" + (Double.isInfinite(r[0]) ? "start" : TimeRanges.iso(r[0])) + ", "
        + (Double.isInfinite(r[1]) ? "end" : TimeRanges.iso(r[1])) + ")";
  }
}
