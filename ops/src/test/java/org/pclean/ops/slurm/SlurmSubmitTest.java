package org.pclean.ops.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.parallel.ParallelCubeTest;

/**
 * {@code pclean submit} on a real single-node SLURM: a YAML with {@code cluster.type slurm} runs as a coordinator
 * job (its own broker, coordinator and sink) and a two-task workers' array; the job ends COMPLETED with exit 0 and
 * its cube equals the serial engine's. Skipped, with the reason, where SLURM cannot be started.
 */
class SlurmSubmitTest {
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final int N = 64;
  static final int NCHAN = 4;

  @TempDir static Path tmp;
  static SingleNodeSlurm slurm;
  static String skipped;

  @BeforeAll
  static void startSlurm() {
    try {
      slurm = SingleNodeSlurm.start(Files.createDirectories(tmp.resolve("slurm")));
    } catch (Exception e) {
      skipped = e.getMessage();
      System.out.println("SlurmSubmitTest skipped: " + skipped);
    }
  }

  @AfterAll
  static void stopSlurm() throws Exception {
    if (slurm != null) {
      slurm.close();
    }
  }

  @Test
  void aSlurmJobWithAWorkersArrayMakesTheSerialCube() throws Exception {
    Assumptions.assumeTrue(slurm != null, () -> "no SLURM here: " + skipped);
    Path ms = tmp.resolve("slurm.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("S", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 20e6, "RR LL", -0.5,
            0.5, 60, 60000, 0.001, 11),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7)));
    TcleanParams serial = TcleanParams.builder().vis(ms).imagename(tmp.resolve("serial").toString())
        .specmode(TcleanParams.SpecMode.CUBE).imsize(N, N).cell(8 * ARCSEC, 8 * ARCSEC)
        .datacolumn(DataColumn.DATA).niter(100).threshold(1e-3).threads(1).build();
    SerialImager.run(serial);
    Path work = tmp.resolve("work");
    Path yaml = tmp.resolve("conf/slurm-cube.yaml");
    Files.createDirectories(yaml.getParent());
    Files.writeString(yaml, """
        selection:
          vis: %s
          datacolumn: data
        image:
          imagename: %s
          specmode: cube
          imsize: %d
          cell: 8arcsec
        iteration:
          niter: 100
          threshold: 1mJy
        cluster:
          type: slurm
          nworkers: 2
          parallel: true
          threads_per_worker: 1
          slurm:
            job_mem: 2GB
            walltime: 00:15:00
          submit:
            workdir: %s
            coordinator_mem: 4GB
            coordinator_cpus: 1
            coordinator_walltime: 00:15:00
            psrecord: false
        """.formatted(ms, tmp.resolve("slurm-cube"), N, work));
    long t0 = System.nanoTime();
    String out = submit(yaml);
    Matcher w = Pattern.compile("Submitted workers job array: (\\d+)").matcher(out);
    Matcher c = Pattern.compile("Submitted coordinator job: (\\d+)").matcher(out);
    assertTrue(w.find() && c.find(), out);
    String coordinator = c.group(1);
    String state = awaitEnd(coordinator, 600);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Path logs = yaml.getParent().resolve("logs");
    String story = "coordinator " + coordinator + " " + state + "\n--- run log:\n"
        + SingleNodeSlurm.tail(logs.resolve("slurm-cube.log")) + "\n--- job stderr:\n"
        + SingleNodeSlurm.tail(logs.resolve("pclean-coordinator-" + coordinator + ".err")) + "\n--- a worker:\n"
        + SingleNodeSlurm.tail(work.resolve("logs/pclean-worker-" + w.group(1) + "_1.err"));
    assertEquals("COMPLETED", state, story);
    assertEquals("0:0", slurm.exitCode(coordinator), story);
    System.out.printf(Locale.ROOT, "SLURM: pclean submit -> coordinator COMPLETED in %.1f s (2 worker array tasks)%n",
        seconds);
    // Both array tasks ran a worker: each is numbered by its index in the logs, and each joined the job's broker.
    for (int task = 1; task <= 2; task++) {
      Path log = work.resolve("logs/pclean-worker-" + w.group(1) + "_" + task + ".out");
      assertTrue(Files.exists(log), "worker " + task + " log " + log + "\n" + story);
      assertTrue(Files.readString(log).contains("worker(s) in group pclean-workers"), Files.readString(log));
    }
    assertTrue(awaitEnd(w.group(1) + "_1", 60).matches("CANCELLED|COMPLETED"), "the workers were stopped");
    ParallelCubeTest.assertSameCube(Path.of(serial.imagename()), tmp.resolve("slurm-cube"));
  }

  /** Runs `pclean submit` as a process (sbatch needs SLURM_CONF in its environment). */
  private static String submit(Path yaml) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp, "org.pclean.ops.cli.PcleanCli", "submit",
        yaml.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(slurm.environment());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pclean submit ended");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static String awaitEnd(String job, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String state = slurm.jobState(job);
    while (Stream.of("PENDING", "RUNNING", "CONFIGURING", "COMPLETING").anyMatch(state::startsWith)
        && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      state = slurm.jobState(job);
    }
    return state;
  }
}
