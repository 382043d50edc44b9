package org.pclean.ops.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.ops.cli.CliRun;
import org.pclean.ops.config.ConfigException;
import picocli.CommandLine;

/**
 * {@code pclean submit --dry-run}: the sbatch directives a YAML's cluster.slurm and cluster.submit sections make,
 * written out by hand here; bad settings refused with exit 2 and one line before anything is written.
 */
class SubmitScriptTest {
  @TempDir Path tmp;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** A YAML in pclean's layout; vis is an existing directory (the check is that it exists). */
  private Path yaml(String cluster) throws Exception {
    Path ms = Files.createDirectories(tmp.resolve("obs.ms"));
    Path y = tmp.resolve("cfg").resolve("run.yaml");
    Files.createDirectories(y.getParent());
    Files.writeString(y, """
        selection:
          vis: %s
        image:
          imagename: %s
          specmode: cube
          imsize: 64
          cell: 8arcsec
        cluster:
        %s
        """.formatted(ms, tmp.resolve("out/cube"), cluster.indent(2)));
    return y;
  }

  private static final String SLURM = """
      type: slurm
      nworkers: 3
      parallel: true
      slurm:
        queue: compute
        account: radio
        walltime: 12:00:00
        job_mem: 20GB
        cores_per_job: 4
        job_name: lwa-worker
        job_extra_directives: ['--exclusive', '#SBATCH --constraint=avx2']
        log_directory: wlogs
        job_script_prologue: ['module load casacore']
      submit:
        workdir: %s
        coordinator_mem: 8G
        coordinator_cpus: 2
        coordinator_walltime: 1-00:00:00
        extra_sbatch: ['--qos=high']
        psrecord: false
      """;

  @Test
  void dryRunPrintsTheDirectivesOfBothJobsAndWritesNothing() throws Exception {
    Path work = tmp.resolve("work");
    Path y = yaml(SLURM.formatted(work));
    CliRun r = run("submit", y.toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    String[] parts = r.out().split("(?m)^# /");
    String workers = parts[1];
    String coordinator = parts[2];
    // cluster.slurm: 20GB = 20480 MiB; the heap 60 % of it; cores_per_job 4; 3 array tasks numbered 1..3.
    for (String line : List.of("#SBATCH --job-name=lwa-worker", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=20480M",
        "#SBATCH --time=12:00:00", "#SBATCH --partition=compute", "#SBATCH --account=radio", "#SBATCH --exclusive",
        "#SBATCH --constraint=avx2", "#SBATCH --array=1-3",
        "#SBATCH --output=" + work.resolve("wlogs/lwa-worker-%A_%a") + ".out", "module load casacore")) {
      assertTrue(workers.lines().anyMatch(l -> l.equals(line)), "workers script has `" + line + "`:\n" + workers);
    }
    assertTrue(workers.contains(" -Xmx12288m "), workers);
    assertTrue(workers.contains("exec \"${PCLEAN[@]}\" worker --scheduler-address \"$BOOTSTRAP\""), workers);
    // cluster.submit: 8G = 8192 MiB, two cores, one day; the logs beside the YAML (pclean's default).
    for (String line : List.of("#SBATCH --ntasks=1", "#SBATCH --job-name=pclean-coordinator",
        "#SBATCH --cpus-per-task=2", "#SBATCH --mem=8192M", "#SBATCH --time=1-00:00:00", "#SBATCH --qos=high",
        "#SBATCH --error=" + y.getParent().resolve("logs/pclean-coordinator-%j") + ".err")) {
      assertTrue(coordinator.lines().anyMatch(l -> l.equals(line)), "coordinator has `" + line + "`:\n" + coordinator);
    }
    assertFalse(coordinator.contains("--partition"), "the coordinator job takes the site's default partition");
    assertTrue(coordinator.contains("broker --host"), "no scheduler_address: the job runs its own broker");
    assertTrue(coordinator.contains("status --scheduler-address \"$BOOTSTRAP\" --wait-workers 3"), coordinator);
    assertTrue(coordinator.contains("--pconfig '" + y.toAbsolutePath() + "' --parallel --cluster-type address"),
        coordinator);
    assertFalse(coordinator.contains("psrecord"), "psrecord: false");
    assertFalse(Files.exists(work), "a dry run writes nothing");
    assertFalse(Files.exists(y.getParent().resolve("logs")), "a dry run writes nothing");
    for (String script : List.of(workers, coordinator)) {
      assertEquals(0, bashSyntax(script.substring(script.indexOf("#!/bin/bash"))), "bash -n accepts:\n" + script);
    }
  }

  @Test
  void aSiteKafkaMeansNoBrokerStep() throws Exception {
    Path y = yaml(SLURM.formatted(tmp.resolve("work")) + "scheduler_address: kafka1:9092\n");
    CliRun r = run("submit", y.toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains(" broker "), r.out());
    assertTrue(r.out().contains("BOOTSTRAP='kafka1:9092'"), r.out());
  }

  @Test
  void aLocalClusterRunsTheYamlInTheCoordinatorJob() throws Exception {
    Path y = yaml("type: local\nnworkers: 2\nparallel: true\nsubmit:\n  workdir: " + tmp.resolve("w") + "\n");
    CliRun r = run("submit", y.toString(), "--dry-run", "--coordinator-mem", "16GB", "--coordinator-cpus", "8");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("workers.sh"), "no workers' job array for cluster.type local");
    assertTrue(r.out().contains("#SBATCH --mem=16384M"), r.out());
    assertTrue(r.out().contains("#SBATCH --cpus-per-task=8"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.equals("\"${PCLEAN[@]}\" --pconfig '" + y.toAbsolutePath()
        + "' > \"$log.log\" 2>&1 &")), r.out());
  }

  @Test
  void badSettingsExit2WithOneLineBeforeAnythingIsWritten() throws Exception {
    Path work = tmp.resolve("never");
    String[][] cases = {
        {SLURM.formatted(work).replace("nworkers: 3", "nworkers: null"), "cluster.nworkers"},
        {SLURM.formatted(work).replace("walltime: 12:00:00", "walltime: tomorrow"), "cluster.slurm.walltime"},
        {SLURM.formatted(work).replace("job_mem: 20GB", "job_mem: lots"), "cluster.slurm.job_mem"},
        {SLURM.formatted(work).replace("cores_per_job: 4", "cores_per_job: 0"), "cluster.slurm.cores_per_job"},
        {SLURM.formatted(work).replace("  workdir: " + work, "  workdir: null"), "--workdir"},
        {SLURM.formatted(work).replace("job_name: lwa-worker", "python: /usr/bin/python3"), "cluster.slurm.python"},
        {SLURM.formatted(work).replace("queue: compute", "qeue: compute"), "qeue"},
    };
    for (String[] c : cases) {
      Path y = yaml(c[0]);
      CliRun r = run("submit", y.toString());
      assertEquals(2, r.code(), c[1] + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(c[1]), "names " + c[1] + ": " + r.err());
      assertFalse(Files.exists(work), "nothing written for " + c[1]);
    }
    Path y = yaml(SLURM.formatted(work));
    Files.delete(tmp.resolve("obs.ms"));
    CliRun r = run("submit", y.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("selection.vis") && r.err().contains("does not exist"), r.err());
    CliRun missing = run("submit", tmp.resolve("nope.yaml").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope.yaml does not exist"), missing.err());
    assertFalse(Files.exists(work));
  }

  @Test
  void memorySizesInSlurmUnits() {
    assertEquals(20480, SubmitSettings.memoryMiB("20GB", "k"));
    assertEquals(8192, SubmitSettings.memoryMiB("8G", "k"));
    assertEquals(512, SubmitSettings.memoryMiB("512MiB", "k"));
    assertEquals(1536, SubmitSettings.memoryMiB("1.5GB", "k"));
    assertEquals(4096, SubmitSettings.memoryMiB("4096", "k"));
    assertEquals(2 * 1024 * 1024, SubmitSettings.memoryMiB("2T", "k"));
    assertEquals(1, SubmitSettings.memoryMiB("1024K", "k"));
    org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> SubmitSettings.memoryMiB("2 PB", "k"));
  }

  private static int bashSyntax(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
    p.getOutputStream().write(script.getBytes());
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    if (p.exitValue() != 0) {
      System.err.println(out);
    }
    return p.exitValue();
  }
}
