package org.pclean.ops.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pclean.imaging.ImagingResult;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.PClean;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.parallel.ParallelRunner;
import org.pclean.ops.service.HttpOptions;
import org.pclean.ops.service.ServiceChecks;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code pclean} command. Exit codes as DESIGN.md: 0 success, 2 bad input (one line naming the problem),
 * 1 failure.
 */
@Command(name = "pclean", mixinStandardHelpOptions = true, version = "pclean-java 0.1.0",
    description = "Parallel radio-interferometric CLEAN imaging (CASA tclean semantics) on Apache Kafka."
        + " With --vis and --imagename it images (tclean flags; --preset and --pconfig YAML below them);"
        + " subcommands do the rest.",
    subcommands = {SimulateCommand.class, ListobsCommand.class, StreamCommand.class, ReplayCommand.class,
        BenchCommand.class, ConfigCommand.class, EstimateMemoryCommand.class, ServiceCommands.Broker.class,
        ServiceCommands.Worker.class, ServiceCommands.Gather.class, ServiceCommands.Sink.class, SnapshotCommand.class,
        SubmitCommand.class, StatusCommand.class, StorageCommands.Check.class, StorageCommands.Convert.class})
public final class PcleanCli implements Callable<Integer> {
  public static final int EXIT_BAD_INPUT = 2;
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ImagingOptions imaging;
  @Mixin ConfigOptions config;

  @Mixin LogSetup.Options log;

  @CommandLine.Option(names = "--dashboard", description = "with --parallel: serve the live web dashboard of the job"
      + " (URL printed at start) until it ends")
  boolean dashboard;

  @CommandLine.Option(names = "--http-port", description = "with --parallel: serve /health, /metrics (and the"
      + " dashboard) on this port; 0 or absent with --dashboard: any free port")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    if (!imaging.given() && !config.given()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "nothing to do: give --vis and --imagename to image, or a subcommand (try pclean --help)");
    }
    // Defaults < --preset < --pconfig < the flags typed here; all checked before anything is written.
    PcleanConfig cfg = config.resolve(spec.commandLine().getParseResult());
    if (config.dumped(cfg, spec.commandLine())) {
      return 0;
    }
    TcleanParams params = cfg.params();
    if ((dashboard || httpPort != null) && !cfg.parallel()) {
      throw new IllegalArgumentException((dashboard ? "--dashboard" : "--http-port") + " needs --parallel (it"
          + " watches the job on the bus)");
    }
    if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
      throw new IllegalArgumentException("--http-port must be 0 (any free port) or 1-65535, got " + httpPort);
    }
    EstimateMemoryCommand.Fit fit = EstimateMemoryCommand.fitWithinLimit(cfg, params);
    if (cfg.parallel()) {
      HttpOptions http = new HttpOptions(httpPort, dashboard);
      var settings = cfg.settings().withWorkers(fit.nworkers(), fit.cubeChunksize());
      var outcome = ParallelRunner.run(params, settings, cfg.cluster(), client -> http.given()
          ? http.start("client", client, ServiceChecks::cluster) : () -> { });
      boolean continuum = outcome.job().getMode() == org.pclean.bus.avro.JobMode.CONTINUUM;
      System.out.printf(Locale.ROOT, "%s: %s, %d %s, %d channel(s); wrote %s%n", outcome.jobId(),
          outcome.job().getState(), outcome.job().getNumPartitions(), continuum ? "row chunks" : "sub-cubes",
          outcome.job().getNumChannels(), outcome.products());
      return 0;
    }
    ImagingResult r = params.dataset() != null ? PClean.replay(params, cfg.cluster())
        : PClean.run(params);
    report(r);
    return 0;
  }

  /** Writes the merged configuration (full YAML) to path. */
  static void dump(PcleanConfig cfg, Path path) {
    try {
      Files.writeString(path, cfg.toYaml());
    } catch (IOException e) {
      throw new IllegalArgumentException("--dump-config: cannot write " + path + ": " + e.getMessage());
    }
  }

  /** The serial engine's summary: one line per plane, then the products and timing. */
  static void report(ImagingResult r) {
    for (ImagingResult.PlaneSummary p : r.planes()) {
      System.out.printf(Locale.ROOT, "plane %d (%.6f MHz): beam %s, sumwt %.6g, %d iterations, peak residual %.4g Jy/beam,"
              + " model flux %.4g Jy; stop %d: %s%n", p.plane(), p.frequency() / 1e6, p.beam(), p.sumwt(), p.iterations(),
          p.peakResidual(), p.modelFlux(), p.stop().code(), p.stop().message());
    }
    System.out.printf(Locale.ROOT, "wrote %d products (%s ...) in %.1f s; gridding %.1f s, %.2f M vis/s%n",
        r.products().size(), r.products().get(0), r.timing().totalSeconds(), r.timing().griddingSeconds(),
        r.timing().griddingMvisPerSecond());
  }

  public static CommandLine commandLine() {
    PcleanCli root = new PcleanCli();
    CommandLine cl = new CommandLine(root);
    cl.setExecutionExceptionHandler(PcleanCli::handle);
    // The log flags are parsed with the command (on any subcommand): configure the one log before it runs.
    cl.setExecutionStrategy(parsed -> {
      try {
        LogSetup.apply(root.log);
      } catch (IllegalArgumentException e) {
        cl.getErr().println("pclean: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      try {
        return new CommandLine.RunLast().execute(parsed);
      } catch (OutOfMemoryError e) {
        // An Error escapes picocli's handler; the run's arrays are unreachable by now, so this line can be printed.
        cl.getErr().println(outOfMemory(e, Runtime.getRuntime().maxMemory()));
        LoggerFactory.getLogger(LogSetup.FAILURES).error("out of memory", e);
        return EXIT_FAILURE;
      }
    });
    return cl;
  }

  /** The one line for a run that ran out of memory, naming the limit and what to do. */
  static String outOfMemory(OutOfMemoryError e, long maxHeapBytes) {
    return String.format(Locale.ROOT, "pclean: failed: out of memory (%s; this JVM may use %d MB of heap): "
        + "`pclean estimate-memory` with the same parameters estimates the need; give the JVM more with "
        + "PCLEAN_JAVA_OPTS=-Xmx<size>, or lower imsize, nworkers or cube_chunksize", e.getMessage(),
        maxHeapBytes >> 20);
  }

  /** Bad input (a bad parameter, a missing MS) is one line and exit 2; anything else is exit 1 with the cause. */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof IllegalArgumentException) {
      err.println("pclean: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    err.println("pclean: failed: " + e.getMessage());
    // The stack trace goes to --log-file; to the console only with --log-level debug.
    LoggerFactory.getLogger(LogSetup.FAILURES).error("failed: " + e.getMessage(), e);
    return EXIT_FAILURE;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
