package org.pclean.ops.slurm;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pclean.ops.config.ConfigException;
import org.pclean.ops.config.PcleanConfig;

/**
 * What {@code pclean submit} takes from a run's configuration, validated once: the coordinator job
 * ({@code cluster.submit}) and, for {@code cluster.type slurm}, the workers' job array ({@code cluster.slurm}).
 *
 * @param config the run's YAML, absolute (the coordinator job runs it)
 * @param workdir where the jobs run and keep their run files (broker address, broker data, state)
 * @param logDir the coordinator's logs (SLURM's output files and the run's log)
 * @param slurmWorkers whether the workers are a SLURM job array (cluster.type slurm); else the coordinator job
 *     runs the YAML as it is (local workers, or a site's cluster)
 * @param nworkers the array's size (slurm only)
 * @param schedulerAddress the site's Kafka, or null: the coordinator job runs a broker
 */
public record SubmitSettings(Path config, Path workdir, Path logDir, boolean slurmWorkers, int nworkers,
    String schedulerAddress, JobShape coordinator, JobShape workers, Path workerLogDir, Path workerScratch,
    List<String> prologue, Path pixiProjectDir, String pixiEnv, boolean psrecord) {

  /** One sbatch job's resources and directives. */
  public record JobShape(String name, int cpus, long memMiB, String walltime, String partition, String account,
      List<String> extraDirectives) {}

  /** SLURM's --time forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
  private static final Pattern WALLTIME = Pattern.compile("\\d+(:\\d{1,2}){0,2}|\\d+-\\d{1,2}(:\\d{1,2}){0,2}");

  /**
   * Reads the settings of a resolved configuration. workdirFlag and logDirFlag (null: not given) beat
   * cluster.submit.workdir and log_dir, as pclean's submit flags do.
   *
   * @throws ConfigException one sentence naming the key
   */
  public static SubmitSettings of(PcleanConfig cfg, Path yaml, Path workdirFlag, Path logDirFlag) {
    Path config = yaml.toAbsolutePath().normalize();
    Path workdir = workdirFlag != null ? workdirFlag : path(cfg, "cluster.submit.workdir");
    if (workdir == null) {
      throw new ConfigException("pclean submit needs a work directory: give --workdir or cluster.submit.workdir");
    }
    workdir = workdir.toAbsolutePath().normalize();
    Path logDir = logDirFlag != null ? logDirFlag : path(cfg, "cluster.submit.log_dir");
    // pclean's default: logs beside the YAML (its pixi project directory defaults to the YAML's).
    logDir = logDir == null ? config.getParent().resolve("logs") : config.getParent().resolve(logDir).normalize();
    if (cfg.value("cluster.slurm.python") != null) {
      throw new ConfigException("cluster.slurm.python names pclean's Python for Dask workers; workers here run the"
          + " JVM that submits (" + System.getProperty("java.home") + "): set up the nodes' environment with"
          + " cluster.slurm.job_script_prologue");
    }
    boolean slurm = "slurm".equals(cfg.value("cluster.type"));
    Integer n = (Integer) cfg.value("cluster.nworkers");
    if (slurm && (n == null || n < 1)) {
      throw new ConfigException("cluster.type slurm needs cluster.nworkers >= 1 (the size of the workers' job"
          + " array), got " + n);
    }
    JobShape coordinator = new JobShape((String) cfg.value("cluster.submit.coordinator_job_name"),
        positive(cfg, "cluster.submit.coordinator_cpus"), memoryMiB(cfg, "cluster.submit.coordinator_mem"),
        walltime(cfg, "cluster.submit.coordinator_walltime"), null, null, strings(cfg, "cluster.submit.extra_sbatch"));
    String workerName = (String) cfg.value("cluster.slurm.job_name");
    JobShape workers = new JobShape(workerName == null ? "pclean-worker" : workerName,
        positive(cfg, "cluster.slurm.cores_per_job"), memoryMiB(cfg, "cluster.slurm.job_mem"),
        walltime(cfg, "cluster.slurm.walltime"), (String) cfg.value("cluster.slurm.queue"),
        (String) cfg.value("cluster.slurm.account"), strings(cfg, "cluster.slurm.job_extra_directives"));
    Path workerLogs = workdir.resolve((String) cfg.value("cluster.slurm.log_directory")).normalize();
    Path scratch = path(cfg, "cluster.slurm.local_directory");
    if (scratch == null) {
      scratch = path(cfg, "cluster.local_directory");
    }
    Path pixi = path(cfg, "cluster.submit.pixi_project_dir");
    return new SubmitSettings(config, workdir, logDir, slurm, slurm ? n : 0,
        (String) cfg.value("cluster.scheduler_address"), coordinator, workers, workerLogs, scratch,
        strings(cfg, "cluster.slurm.job_script_prologue"), pixi == null ? null : pixi.toAbsolutePath(),
        (String) cfg.value("cluster.submit.pixi_env"), (Boolean) cfg.value("cluster.submit.psrecord"));
  }

  /** "20GB", "8G", "512MiB", "1.5GB", "4096" (MB, sbatch's default unit) as MiB. */
  static long memoryMiB(String text, String key) {
    return org.pclean.ops.config.MemorySize.mib(text, key);
  }

  private static long memoryMiB(PcleanConfig cfg, String key) {
    return memoryMiB((String) cfg.value(key), key);
  }

  private static String walltime(PcleanConfig cfg, String key) {
    String t = String.valueOf(cfg.value(key)).trim();
    if (!WALLTIME.matcher(t).matches()) {
      throw new ConfigException(key + " = '" + t + "' is not a SLURM time (MM, HH:MM:SS, D-HH:MM:SS, ...)");
    }
    return t;
  }

  private static int positive(PcleanConfig cfg, String key) {
    int v = (Integer) cfg.value(key);
    if (v < 1) {
      throw new ConfigException(key + " must be >= 1, got " + v);
    }
    return v;
  }

  private static Path path(PcleanConfig cfg, String key) {
    Object v = cfg.value(key);
    return v == null || v.toString().isBlank() ? null : Path.of(v.toString());
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(PcleanConfig cfg, String key) {
    Object v = cfg.value(key);
    return v == null ? List.of() : List.copyOf((List<String>) v);
  }
}
