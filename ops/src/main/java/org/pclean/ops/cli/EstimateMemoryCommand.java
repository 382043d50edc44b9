package org.pclean.ops.cli;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.MemoryEstimate;
import org.pclean.ingest.plan.TimeEstimate;
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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EstimateMemoryCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;

  @Option(names = "--json", description = "one JSON object: per_worker_bytes, total_bytes, nworkers, terms")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    TcleanParams p = cfg.params();
    MemoryEstimate e;
    TimeEstimate t;
    try (MeasurementSetSource source = open(p)) {
      e = estimate(cfg, p, source);
      t = TimeEstimate.of(p, source, cfg.parallel() ? Math.max(1, cfg.nworkers()) : 0, cfg.cubeChunksize());
    }
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
    System.out.printf(Locale.ROOT, "time bound: %d s, longest minor cycle %d s (upper bounds that size a parallel"
        + " run's timeouts, not forecasts)%n", t.total().toSeconds(), t.longestMinorCycle().toSeconds());
    return 0;
  }

  /** The estimate of an MS run as cfg would make it (serial, or parallel with its workers and sub-cubes). */
  static MemoryEstimate estimate(PcleanConfig cfg, TcleanParams p) {
    try (MeasurementSetSource source = open(p)) {
      return estimate(cfg, p, source);
    }
  }

  /** The MS the estimates read the selection's size from. */
  private static MeasurementSetSource open(TcleanParams p) {
    if (p.vis() == null) {
      throw new IllegalArgumentException("estimate-memory reads the selection's size from the MS: give --vis");
    }
    ListobsCommand.requireMs(p.vis());
    return MeasurementSetSource.open(p.vis());
  }

  private static MemoryEstimate estimate(PcleanConfig cfg, TcleanParams p, MeasurementSetSource source) {
    // nworkers 0: the site's workers, however many, each take at most one worker's share
    return estimate(cfg, p, source, Math.max(1, cfg.nworkers()), cfg.cubeChunksize());
  }

  private static MemoryEstimate estimate(PcleanConfig cfg, TcleanParams p, MeasurementSetSource source, int nworkers,
      int chunksize) {
    return cfg.parallel() ? MemoryEstimate.of(p, source, true, nworkers, chunksize)
        : MemoryEstimate.of(p, source, false, 1, -1);
  }

  /** The workers and sub-cube size a parallel run goes with (as given, or lowered to fit memory_limit). */
  record Fit(int nworkers, int cubeChunksize) {}

  /** Sub-cube sizes tried, largest first, when cube_chunksize is left at its default (-1: one per worker). */
  private static final int[] CHUNKS = {-1, 256, 128, 64, 32, 16, 8, 4, 2, 1};

  /**
   * Refuses, before anything is written, an MS run whose estimate exceeds memory_limit: per worker when the
   * workers are a site's, in all when they are threads of this process (no scheduler address). Settings the
   * user left at their defaults are lowered first, and the console says so: fewer workers of this process
   * (each holds its own share and grids), smaller sub-cubes (cube_chunksize); the most workers and the largest
   * sub-cubes that fit win.
   */
  static Fit fitWithinLimit(PcleanConfig cfg, TcleanParams p) {
    Fit given = new Fit(cfg.nworkers(), cfg.cubeChunksize());
    OptionalLong limit = cfg.memoryLimitBytes();
    if (p.vis() == null || limit.isEmpty() || !java.nio.file.Files.exists(p.vis().resolve("table.dat"))) {
      return given;  // a dataset's size is not known before its replay; a missing MS is the run's own error
    }
    if (cfg.parallel() && cfg.nworkers() < 1) {
      return given;  // only the site's workers image, with their own memory
    }
    boolean local = !cfg.parallel() || cfg.schedulerAddress() == null;
    ListobsCommand.requireMs(p.vis());
    try (MeasurementSetSource source = MeasurementSetSource.open(p.vis())) {
      MemoryEstimate e = estimate(cfg, p, source, given.nworkers(), given.cubeChunksize());
      if (need(e, local) <= limit.getAsLong()) {
        return given;
      }
      if (cfg.parallel()) {
        boolean workersFree = local && cfg.origin("cluster.nworkers").equals("default");
        boolean chunksFree = p.specmode() == TcleanParams.SpecMode.CUBE
            && cfg.origin("cluster.cube_chunksize").equals("default");
        for (int n = given.nworkers(); n >= (workersFree ? 1 : given.nworkers()); n--) {
          for (int chunk : chunksFree ? CHUNKS : new int[] {given.cubeChunksize()}) {
            if (n == given.nworkers() && chunk == given.cubeChunksize()) {
              continue;  // e, above
            }
            if (need(estimate(cfg, p, source, n, chunk), local) <= limit.getAsLong()) {
              LOG.info(String.format(Locale.ROOT, "memory: %d worker(s) need an estimated %s but memory_limit is"
                      + " %s; running %d worker(s)%s instead (left at their defaults, so lowered to fit)",
                  given.nworkers(), MemoryEstimate.human(need(e, local)), MemoryEstimate.human(limit.getAsLong()), n,
                  chunk == given.cubeChunksize() ? "" : " with sub-cubes of at most " + chunk + " channel(s)"));
              return new Fit(n, chunk);
            }
          }
        }
      }
      String largest = e.terms().entrySet().stream().max(java.util.Map.Entry.comparingByValue())
          .map(t -> t.getKey() + " " + MemoryEstimate.human(t.getValue())).orElse("");
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the run needs an estimated %s %s (largest term: %s) but memory_limit is %s; use a smaller imsize or"
              + " selection, more workers, or raise --memory-limit (pclean estimate-memory shows the terms)",
          MemoryEstimate.human(need(e, local)), local ? "in this process" : "per worker", largest,
          MemoryEstimate.human(limit.getAsLong())));
    }
  }

  private static long need(MemoryEstimate e, boolean local) {
    return local ? e.totalBytes() : e.perWorkerBytes();
  }
}
