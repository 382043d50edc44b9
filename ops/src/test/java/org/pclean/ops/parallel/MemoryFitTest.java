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
 * so; the same run with nworkers typed is refused (exit 2). The limit is set between the estimates for one and
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

  private static long total(String[] imaging, String nworkers) throws Exception {
    WorkerProcess p = WorkerProcess.pclean("E" + nworkers, concat(concat(new String[] {"estimate-memory", "--json"},
        imaging), "--nworkers", nworkers, "--imagename", "estimate-only"));
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
