package org.pclean.ops.cli;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.MemoryEstimate;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ops.config.PcleanConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pclean estimate-memory <imaging parameters>}: the peak memory a run would take, per worker and in all,
 * with the terms it is made of (ingest/plan/MemoryEstimate); the same estimate refuses a job over memory_limit.
 */
@Command(name = "estimate-memory", mixinStandardHelpOptions = true,
    description = "Estimate a run's peak memory per worker and in all (same parameters as pclean).")
final class EstimateMemoryCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;

  @Option(names = "--json", description = "one JSON object: per_worker_bytes, total_bytes, nworkers, terms")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    MemoryEstimate e = estimate(cfg, cfg.params());
    if (json) {
      System.out.println(e.toJson());
      return 0;
    }
    System.out.printf(Locale.ROOT, "peak memory: %s per worker, %s in all (%d worker%s)%n",
        MemoryEstimate.human(e.perWorkerBytes()), MemoryEstimate.human(e.totalBytes()), e.nworkers(),
        e.nworkers() == 1 ? "" : "s");
    System.out.printf(Locale.ROOT, "  loading the selection: %s; imaging it (per worker):%n",
        MemoryEstimate.human(e.loadPhaseBytes()));
    e.terms().forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-13s %s%n", k, MemoryEstimate.human(v)));
    OptionalLong limit = cfg.memoryLimitBytes();
    limit.ifPresent(l -> System.out.printf(Locale.ROOT, "memory_limit: %s%n", MemoryEstimate.human(l)));
    return 0;
  }

  /** The estimate of an MS run as cfg would make it (serial, or parallel with its workers and sub-cubes). */
  static MemoryEstimate estimate(PcleanConfig cfg, TcleanParams p) {
    if (p.vis() == null) {
      throw new IllegalArgumentException("estimate-memory reads the selection's size from the MS: give --vis");
    }
    ListobsCommand.requireMs(p.vis());
    try (MeasurementSetSource source = MeasurementSetSource.open(p.vis())) {
      if (!cfg.parallel()) {
        return MemoryEstimate.of(p, source, false, 1, -1);
      }
      // nworkers 0: the site's workers, however many, each take at most one worker's share
      return MemoryEstimate.of(p, source, true, Math.max(1, cfg.nworkers()), cfg.cubeChunksize());
    }
  }

  /**
   * Refuses, before anything is written, an MS run whose estimate exceeds memory_limit: per worker when the
   * workers are a site's, in all when they are threads of this process (no scheduler address).
   */
  static void requireWithinLimit(PcleanConfig cfg, TcleanParams p) {
    OptionalLong limit = cfg.memoryLimitBytes();
    if (p.vis() == null || limit.isEmpty() || !java.nio.file.Files.exists(p.vis().resolve("table.dat"))) {
      return;  // a dataset's size is not known before its replay; a missing MS is the run's own error
    }
    MemoryEstimate e = estimate(cfg, p);
    if (cfg.parallel() && cfg.nworkers() < 1) {
      return;  // only the site's workers image, with their own memory
    }
    boolean local = !cfg.parallel() || cfg.schedulerAddress() == null;
    long need = local ? e.totalBytes() : e.perWorkerBytes();
    if (need > limit.getAsLong()) {
      String largest = e.terms().entrySet().stream().max(java.util.Map.Entry.comparingByValue())
          .map(t -> t.getKey() + " " + MemoryEstimate.human(t.getValue())).orElse("");
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the run needs an estimated %s %s (largest term: %s) but memory_limit is %s; use a smaller imsize or"
              + " selection, more workers, or raise --memory-limit (pclean estimate-memory shows the terms)",
          MemoryEstimate.human(need), local ? "in this process" : "per worker", largest,
          MemoryEstimate.human(limit.getAsLong())));
    }
  }
}
