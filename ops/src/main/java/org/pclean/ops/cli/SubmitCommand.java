package org.pclean.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.config.ConfigException;
import org.pclean.ops.config.Layer;
import org.pclean.ops.config.PcleanConfig;
import org.pclean.ops.slurm.Sbatch;
import org.pclean.ops.slurm.SbatchScripts;
import org.pclean.ops.slurm.SubmitSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pclean submit CONFIG.yaml}: runs a YAML on SLURM. Everything is checked (the YAML's imaging parameters,
 * the SLURM directives) and the log directories made before sbatch is called; with {@code cluster.type slurm} the
 * workers are a job array and the coordinator job runs the services (see {@link SbatchScripts}).
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit a pclean YAML to SLURM: a coordinator job (cluster.submit) and, with cluster.type slurm,"
        + " a job array of cluster.nworkers workers (cluster.slurm). --dry-run prints the scripts and submits nothing.")
final class SubmitCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Parameters(index = "0", paramLabel = "CONFIG", description = "the run's pclean YAML") Path yaml;
  @Option(names = "--workdir", description = "where the jobs run (default cluster.submit.workdir)") Path workdir;
  @Option(names = "--log-dir", description = "the coordinator's logs (default cluster.submit.log_dir, else logs/"
      + " beside the YAML)") Path logDir;
  @Option(names = "--coordinator-mem") String coordinatorMem;
  @Option(names = "--coordinator-cpus") Integer coordinatorCpus;
  @Option(names = "--coordinator-walltime") String coordinatorWalltime;
  @Option(names = "--coordinator-job-name") String coordinatorJobName;
  @Option(names = "--psrecord", negatable = true, description = "record the run's CPU and memory with psrecord"
      + " where it is installed") Boolean psrecord;
  @Option(names = "--dry-run", description = "print the scripts; write and submit nothing") boolean dryRun;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(yaml)) {
      throw new IllegalArgumentException("config " + yaml + " does not exist or is not a file");
    }
    PcleanConfig cfg = PcleanConfig.builder().file(yaml).cli(flags()).resolve();
    SubmitSettings s = SubmitSettings.of(cfg, yaml, workdir, logDir);
    check(yaml, cfg);
    SbatchScripts scripts = new SbatchScripts(s, SbatchScripts.thisJvm());
    var out = spec.commandLine().getOut();
    if (dryRun) {
      if (s.slurmWorkers()) {
        out.println("# " + s.workdir().resolve("workers.sh"));
        out.println(scripts.workers());
      }
      out.println("# " + s.workdir().resolve("submit.sh"));
      out.println(scripts.coordinator(s.slurmWorkers() ? "$WORKERS_JOB" : null));
      out.flush();
      return 0;
    }
    for (Path d : new Path[] {s.workdir(), s.logDir(), s.workerLogDir()}) {
      Files.createDirectories(d);  // before sbatch opens its --output files there
    }
    // A previous submission's broker address must not send these workers to a broker that is gone.
    Files.deleteIfExists(s.workdir().resolve(SbatchScripts.BOOTSTRAP_FILE));
    String workersJob = null;
    if (s.slurmWorkers()) {
      workersJob = Sbatch.submit(write(s.workdir().resolve("workers.sh"), scripts.workers()));
      out.println("Submitted workers job array: " + workersJob + " (" + s.nworkers() + " tasks; logs in "
          + s.workerLogDir() + ")");
    }
    String coordinator;
    try {
      coordinator = Sbatch.submit(write(s.workdir().resolve("submit.sh"), scripts.coordinator(workersJob)));
    } catch (IOException e) {
      if (workersJob != null) {
        Sbatch.cancel(workersJob);  // no coordinator: the workers would only wait
      }
      throw e;
    }
    out.println("Submitted coordinator job: " + coordinator + " (logs in " + s.logDir() + ")");
    out.flush();
    return 0;
  }

  /** The submit flags the user typed, as the top layer over the YAML. */
  private Layer flags() {
    Map<String, Object> typed = new LinkedHashMap<>();
    put(typed, "cluster.submit.coordinator_mem", coordinatorMem);
    put(typed, "cluster.submit.coordinator_cpus", coordinatorCpus);
    put(typed, "cluster.submit.coordinator_walltime", coordinatorWalltime);
    put(typed, "cluster.submit.coordinator_job_name", coordinatorJobName);
    put(typed, "cluster.submit.psrecord", psrecord);
    return Layer.of("cli", typed);
  }

  private static void put(Map<String, Object> m, String key, Object v) {
    if (v != null) {
      m.put(key, v);
    }
  }

  /**
   * The run the coordinator job will make, checked now: its imaging parameters as the job sees them (SLURM
   * workers are reached at an address), and the MS it reads.
   */
  private static void check(Path yaml, PcleanConfig cfg) {
    PcleanConfig.Builder asRun = PcleanConfig.builder().file(yaml);
    if ("slurm".equals(cfg.value("cluster.type"))) {
      asRun.set("cluster.type", "local");  // the job runs the YAML at its own (or the site's) broker
    }
    TcleanParams p = asRun.resolve().params();
    if (p.vis() != null && !Files.exists(p.vis())) {
      throw new ConfigException("selection.vis " + p.vis() + " does not exist");
    }
  }

  private static Path write(Path script, String text) throws IOException {
    Files.writeString(script, text);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }
}
