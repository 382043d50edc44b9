package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.ops.cli.PcleanCli;

/**
 * A parallel run over memory_limit with nworkers left at its default runs with fewer workers instead, and says
 * so; the same run with nworkers typed is refused (exit 2); a cube with cube_chunksize left at its default runs
 * smaller sub-cubes. The limit is set between the estimates for one and
 * two workers, each read from {@code pclean estimate-memory --json}.
 */
class MemoryFitTest {
  private static final Pattern TOTAL = Pattern.compile("\"total_bytes\":(\\d+)");
  private static final Duration UP = Duration.ofSeconds(120);

  @TempDir Path tmp;

  @Test
  void aRunOverTheLimitWithDefaultWorkersRunsWithFewer() throws Exception {
    Path ms = tmp.resolve("fit.ms");
    assertEquals(0, PcleanCli.commandLine().execute("simulate", "--out", ms.toString(), "--nchan", "2", "--hours",
        "1", "--integration", "300"));
    String[] imaging = {"--vis", ms.toString(), "--imsize", "512", "--cell", "2arcsec", "--niter", "20", "--threads",
        "1", "--parallel"};
    long one = total(imaging, "1");
    long two = total(imaging, "2");
    assertTrue(two > one + 4 * 1048576L, "two workers need more than one: " + one + " vs " + two);
    String limit = ((one + two) / 2 / 1048576) + "MB";

    Path out = tmp.resolve("fit");
    WorkerProcess run = WorkerProcess.pclean("R", concat(imaging, "--imagename", out.toString(), "--memory-limit",
        limit));
    String said = run.await(s -> s.contains("memory:"), UP).text();
    assertEquals(0, run.awaitExit(UP), run.output());
    System.out.println(said);
    assertTrue(said.contains("2 worker(s) need an estimated") && said.contains("running 1 worker(s) instead"), said);
    assertTrue(Files.isDirectory(new OutputNames(out.toString()).path(OutputNames.Product.IMAGE)), run.output());

    StringWriter err = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    int code = cl.execute(concat(imaging, "--imagename", tmp.resolve("typed").toString(), "--nworkers", "2",
        "--memory-limit", limit));
    assertEquals(PcleanCli.EXIT_BAD_INPUT, code, err.toString());
    assertTrue(err.toString().contains("but memory_limit is"), err.toString());
  }

  /**
   * A 16-channel cube on 2 typed workers with cube_chunksize left at its default (-1: one 8-channel sub-cube per
   * worker), a limit between the estimates of 4- and 8-channel sub-cubes: the sizes tried first (256 .. 16
   * channels, one sub-cube on one worker holding every channel, and 8) do not fit, 4 does, so the run makes
   * 16 / 4 = 4 sub-cubes of at most 4 channels and says so.
   */
  @Test
  void aCubeOverTheLimitWithDefaultChunksizeRunsSmallerSubcubes() throws Exception {
    Path ms = tmp.resolve("cube16.ms");
    assertEquals(0, PcleanCli.commandLine().execute("simulate", "--out", ms.toString(), "--nchan", "16", "--hours",
        "1", "--integration", "60"));
    String[] imaging = {"--vis", ms.toString(), "--specmode", "cube", "--imsize", "256", "--cell", "2arcsec",
        "--niter", "20", "--threads", "1", "--parallel", "--nworkers", "2"};
    long asGiven = total(concat(imaging, "--cube-chunksize", "-1"));
    long eight = total(concat(imaging, "--cube-chunksize", "8"));
    long four = total(concat(imaging, "--cube-chunksize", "4"));
    assertEquals(eight, asGiven, "-1 on 2 workers is 8-channel sub-cubes");
    assertTrue(eight > four + 2 * 1048576L, "8: " + eight + ", 4: " + four);
    long limitMib = (four + eight) / 2 / 1048576;
    String limit = limitMib + "MB";
    String limitSaid = Math.round(limitMib * 1048576 / 1e6) + " MB";  // the console's decimal MB

    Path out = tmp.resolve("fit-cube");
    WorkerProcess run = WorkerProcess.pclean("C", concat(imaging, "--imagename", out.toString(), "--memory-limit",
        limit));
    String said = run.await(s -> s.contains("memory:"), UP).text();
    assertEquals(0, run.awaitExit(UP), run.output());
    assertTrue(said.contains("2 worker(s) need an estimated") && said.contains("but memory_limit is " + limitSaid)
        && said.contains("running 2 worker(s) with sub-cubes of at most 4 channel(s) instead (left at their"
        + " defaults, so lowered to fit)"), said);
    assertTrue(run.output().contains("DONE, 4 sub-cubes, 16 channel(s)"), run.output());
  }

  private static long total(String[] imaging, String nworkers) throws Exception {
    return total(concat(imaging, "--nworkers", nworkers));
  }

  private static long total(String[] imaging) throws Exception {
    WorkerProcess p = WorkerProcess.pclean("E", concat(concat(new String[] {"estimate-memory", "--json"},
        imaging), "--imagename", "estimate-only"));
    String line = p.await(s -> s.contains("total_bytes"), UP).text();
    p.awaitExit(UP);
    Matcher m = TOTAL.matcher(line);
    assertTrue(m.find(), line);
    return Long.parseLong(m.group(1));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
