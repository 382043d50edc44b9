package org.pclean.ops.slurm;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The batch scripts of a submission. With {@code cluster.type slurm}: a job array of workers, each a
 * {@code pclean worker} that joins the job's Kafka, and a coordinator job that runs a broker (when the site has no
 * Kafka), the coordinator and sink services, waits for the workers, runs the YAML on them and at the end cancels
 * the array and stops its services. Otherwise the coordinator job runs the YAML as it is (in-process workers, or
 * a site's cluster), as pclean's coordinator job does.
 *
 * <p>Where this differs from pclean's submit (PCLEAN-REFERENCE §2), on purpose: the log directories are created
 * by {@code pclean submit} before sbatch opens its output files (pclean creates them inside the job, too late);
 * workers are numbered by their array index; psrecord runs only where it is installed, with its real options;
 * pixi is activated only when {@code pixi_project_dir} is set.
 */
public final class SbatchScripts {
  /** The broker's address, written by the broker once it is up; the workers wait for it. */
  public static final String BOOTSTRAP_FILE = "bootstrap";
  /** How long a worker waits for the job's broker, and the coordinator for the workers (queue waits included). */
  static final int WAIT_SECONDS = 3600;
  /** The JVM heap's share of a job's memory: the rest is for native grids, FFTs and casacore. */
  static final double HEAP_FRACTION = 0.6;

  private final SubmitSettings s;
  private final List<String> command;

  /** java: the JVM and class path the jobs run, e.g. [/usr/lib/jvm/x/bin/java, -cp, /opt/pclean.jar]. */
  public SbatchScripts(SubmitSettings settings, List<String> java) {
    this.s = settings;
    this.command = List.copyOf(java);
  }

  /** The JVM that runs this code, with its class path (absolute), as the jobs' command. */
  public static List<String> thisJvm() {
    String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(p -> Path.of(p).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp);
  }

  /** The workers' array script (cluster.type slurm only). */
  public String workers() {
    SubmitSettings.JobShape w = s.workers();
    StringBuilder b = new StringBuilder("#!/bin/bash\n");
    directives(b, w);
    b.append("#SBATCH --array=1-").append(s.nworkers()).append('\n');
    String out = s.workerLogDir().resolve(w.name() + "-%A_%a").toString();
    b.append("#SBATCH --output=").append(out).append(".out\n");
    b.append("#SBATCH --error=").append(out).append(".err\n");
    b.append("# pclean worker $SLURM_ARRAY_TASK_ID of ").append(s.nworkers()).append(" for ").append(s.config())
        .append(" (written by pclean submit)\n");
    b.append("set -euo pipefail\n");
    environment(b);
    b.append("cd ").append(q(s.workdir().toString())).append('\n');
    pclean(b, w);
    bootstrap(b, "the job's broker");
    b.append("scratch=").append(s.workerScratch() == null ? "\"${TMPDIR:-/tmp}\""
        : q(s.workerScratch().toString())).append("/pclean-worker-$SLURM_ARRAY_TASK_ID\n");
    b.append("mkdir -p \"$scratch\"\n");
    // exec: scancel's SIGTERM reaches the worker, which finishes or hands back its task and exits 0.
    b.append("exec \"${PCLEAN[@]}\" worker --scheduler-address \"$BOOTSTRAP\" --local-directory \"$scratch\"\n");
    return b.toString();
  }

  /** The coordinator's script; workersJob: the workers' array job id (slurm) or null. */
  public String coordinator(String workersJob) {
    SubmitSettings.JobShape c = s.coordinator();
    StringBuilder b = new StringBuilder("#!/bin/bash\n");
    b.append("#SBATCH --ntasks=1\n");
    directives(b, c);
    String out = s.logDir().resolve(c.name() + "-%j").toString();
    b.append("#SBATCH --output=").append(out).append(".out\n");
    b.append("#SBATCH --error=").append(out).append(".err\n");
    b.append("# pclean coordinator for ").append(s.config()).append(" (written by pclean submit)\n");
    b.append("set -euo pipefail\n");
    environment(b);
    b.append("mkdir -p ").append(q(s.workdir().toString())).append(" && cd ").append(q(s.workdir().toString()))
        .append('\n');
    pclean(b, c);
    String log = q(s.logDir().resolve(stem(s.config())).toString());
    b.append("log=").append(log).append('\n');
    List<String> run = new ArrayList<>(List.of("--pconfig", q(s.config().toString())));
    if (s.slurmWorkers()) {
      b.append("services=()\n");
      b.append("finish() {\n");
      b.append("  scancel ").append(workersJob).append(" 2>/dev/null || true\n");
      // Services stop newest first (sink and coordinator before the broker they talk to).
      b.append("  for ((i=${#services[@]}-1; i>=0; i--)); do kill -TERM \"${services[i]}\" 2>/dev/null || true;"
          + " wait \"${services[i]}\" 2>/dev/null || true; done\n");
      b.append("}\n");
      b.append("trap finish EXIT\n");
      b.append("trap 'exit 143' TERM INT\n");  // scancel or the time limit: still stop the services and workers
      if (s.schedulerAddress() == null) {
        b.append("rm -f ").append(BOOTSTRAP_FILE).append('\n');
        b.append("\"${PCLEAN[@]}\" broker --host \"$(hostname)\" --local-directory \"kafka-$SLURM_JOB_ID\""
            + " --address-file ")
            .append(BOOTSTRAP_FILE).append(" > \"$log-broker.log\" 2>&1 &\n");
        b.append("services+=($!)\n");
      }
      bootstrap(b, "the broker");
      b.append("\"${PCLEAN[@]}\" gather --scheduler-address \"$BOOTSTRAP\" --state-dir gather-state"
          + " > \"$log-gather.log\" 2>&1 &\n");
      b.append("services+=($!)\n");
      b.append("\"${PCLEAN[@]}\" sink --scheduler-address \"$BOOTSTRAP\" > \"$log-sink.log\" 2>&1 &\n");
      b.append("services+=($!)\n");
      b.append("\"${PCLEAN[@]}\" status --scheduler-address \"$BOOTSTRAP\" --wait-workers ").append(s.nworkers())
          .append(" --timeout ").append(WAIT_SECONDS).append("s\n");
      run.addAll(List.of("--parallel", "--cluster-type", "address", "--scheduler-address", "\"$BOOTSTRAP\"",
          "--nworkers", "0"));
    }
    b.append("\"${PCLEAN[@]}\" ").append(String.join(" ", run)).append(" > \"$log.log\" 2>&1 &\n");
    b.append("run=$!\n");
    if (s.psrecord()) {
      b.append("if command -v psrecord > /dev/null 2>&1; then psrecord \"$run\" --include-children --interval 1"
          + " --log \"$log.rec\" > /dev/null 2>&1 & fi\n");
    }
    b.append("wait \"$run\"\n");
    return b.toString();
  }

  private void directives(StringBuilder b, SubmitSettings.JobShape j) {
    b.append("#SBATCH --job-name=").append(j.name()).append('\n');
    b.append("#SBATCH --cpus-per-task=").append(j.cpus()).append('\n');
    b.append("#SBATCH --mem=").append(j.memMiB()).append("M\n");
    b.append("#SBATCH --time=").append(j.walltime()).append('\n');
    if (j.partition() != null) {
      b.append("#SBATCH --partition=").append(j.partition()).append('\n');
    }
    if (j.account() != null) {
      b.append("#SBATCH --account=").append(j.account()).append('\n');
    }
    for (String d : j.extraDirectives()) {
      String t = d.trim();
      b.append(t.startsWith("#SBATCH") ? t : "#SBATCH " + t).append('\n');
    }
  }

  private void environment(StringBuilder b) {
    if (s.pixiProjectDir() != null) {
      b.append("eval \"$(pixi shell-hook -e ").append(s.pixiEnv()).append(" --manifest-path ")
          .append(q(s.pixiProjectDir().resolve("pyproject.toml").toString())).append(")\"\n");
    }
    for (String line : s.prologue()) {
      b.append(line).append('\n');
    }
  }

  /** PCLEAN: the command array, its heap a share of the job's memory. */
  private void pclean(StringBuilder b, SubmitSettings.JobShape j) {
    long heap = Math.max(256, (long) (j.memMiB() * HEAP_FRACTION));
    b.append("PCLEAN=(").append(q(command.get(0))).append(" -Xmx").append(heap).append('m');
    for (String a : command.subList(1, command.size())) {
      b.append(' ').append(q(a));
    }
    b.append(" org.pclean.ops.cli.PcleanCli)\n");
  }

  private void bootstrap(StringBuilder b, String what) {
    if (s.schedulerAddress() != null) {
      b.append("BOOTSTRAP=").append(q(s.schedulerAddress())).append('\n');
      return;
    }
    b.append("for ((t=0; t<").append(WAIT_SECONDS).append("; t++)); do [ -s ").append(BOOTSTRAP_FILE)
        .append(" ] && break; sleep 1; done\n");
    b.append("[ -s ").append(BOOTSTRAP_FILE).append(" ] || { echo \"pclean: ").append(what).append(" did not start"
        + " within ").append(WAIT_SECONDS).append(" s (no ").append(s.workdir().resolve(BOOTSTRAP_FILE))
        .append(")\" >&2; exit 1; }\n");
    b.append("BOOTSTRAP=$(cat ").append(BOOTSTRAP_FILE).append(")\n");
  }

  static String stem(Path yaml) {
    String n = yaml.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** Single-quoted for bash. */
  static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
