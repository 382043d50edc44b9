package org.pclean.ops.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library embedded in a plain JVM program ({@link LibraryEmbeddingExample}, started as its own process with
 * no CLI class involved): a stream, a snapshot subscription and a replay run, and what they report agrees with
 * the simulated sky — one snapshot per dump, each peaking at the one source's pixel, and a replay whose clean
 * model holds the source's 1 Jy.
 */
class LibraryEmbeddingTest {
  @TempDir Path tmp;

  @Test
  void aPlainProgramStreamsSubscribesToSnapshotsAndReplays() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LibraryEmbeddingExample.class.getName(), tmp.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), out);
    int dumps = number(out, "streamed (\\d+) dumps");
    assertTrue(dumps >= 10, out);
    // every dump imaged once (windows merge when the machine is loaded, none is dropped)
    assertEquals(dumps, number(out, "snapshots \\d+ of (\\d+) dumps"), out);
    assertTrue(number(out, "snapshots (\\d+) of") >= 1, out);
    Matcher m = Pattern.compile("last snapshot peak ([0-9.]+) at (\\d+),(\\d+)").matcher(out);
    assertTrue(m.find(), out);
    // The source sits 10 cells east (RA increases to the left: x = nx/2 - 10) and 6 north of the centre.
    assertEquals(48 - 10, Integer.parseInt(m.group(2)), out);
    assertEquals(48 + 6, Integer.parseInt(m.group(3)), out);
    assertEquals(1.0, Double.parseDouble(m.group(1)), 0.05, out);
    Matcher r = Pattern.compile("replayed (\\d+) products, model flux ([0-9.]+)").matcher(out);
    assertTrue(r.find(), out);
    assertEquals(1.0, Double.parseDouble(r.group(2)), 0.05, out);
    assertTrue(Files.isDirectory(tmp.resolve("replay.image")));
    assertTrue(out.lines().noneMatch(l -> l.contains("org.pclean.ops.cli")), out);
  }

  private static int number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    assertTrue(m.find(), out);
    return Integer.parseInt(m.group(1));
  }
}
