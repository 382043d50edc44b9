package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.TestData;

/**
 * A run that exhausts the JVM's heap ends with one line naming the limit and what to do (exit 1), not with an
 * OutOfMemoryError's stack trace, and leaves no product behind. A real process with a small heap: the shared VLA
 * MS imaged at 4096² needs several 64 MB planes.
 */
class OutOfMemoryTest {
  @TempDir Path tmp;

  @Test
  void runningOutOfHeapIsOneLineAndExit1() throws Exception {
    Path ms = TestData.unpack(TestData.VLA, tmp);
    Path name = tmp.resolve("big");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(List.of(java, "-Xmx96m", "-cp", cp, "org.pclean.ops.cli.PcleanCli", "--vis",
        ms.toString(), "--imagename", name.toString(), "--imsize", "4096", "--cell", "0.1arcsec", "--niter", "10",
        "--log-file", tmp.resolve("pclean.log").toString())).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pclean ended");
    assertEquals(1, p.exitValue(), err);
    List<String> lines = err.lines().filter(l -> l.startsWith("pclean:") || l.contains("Exception")
        || l.startsWith("\tat ")).toList();
    assertEquals(1, lines.size(), err);
    assertTrue(lines.get(0).startsWith("pclean: failed: out of memory (Java heap space; this JVM may use "), err);
    assertTrue(lines.get(0).contains("PCLEAN_JAVA_OPTS=-Xmx"), err);
    assertFalse(err.contains("OutOfMemoryError"), err);
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith("big")).toList(),
          "no product written");
    }
  }
}
