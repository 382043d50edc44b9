package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SnapshotCommandTest {
  private static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void intervalsAreDurationsOrDump() {
    assertEquals(0, SnapshotCommand.intervalSeconds("dump"));
    assertEquals(10, SnapshotCommand.intervalSeconds("10s"));
    assertEquals(120, SnapshotCommand.intervalSeconds("2min"));
    assertEquals(0.5, SnapshotCommand.intervalSeconds("500ms"));
    assertEquals(30, SnapshotCommand.intervalSeconds("30"));
    assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.intervalSeconds("10 parsecs"));
    assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.intervalSeconds("0s"));
  }

  @Test
  void badInvocationsExitTwoWithOneLine() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--interval", "10s"));
    assertTrue(err.toString().startsWith("pclean: --scheduler-address"), err.toString());
    err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--vis", "a.ms",
        "--scheduler-address", "localhost:1"));
    assertTrue(err.toString().contains("--vis and --parallel do not apply"), err.toString());
    err = new StringWriter();
    assertEquals(2, run(err, "snapshot", "--dataset", "d", "--imagename", "x", "--specmode", "cube",
        "--scheduler-address", "localhost:1"));
    assertTrue(err.toString().contains("single mfs planes"), err.toString());
    assertEquals(1, err.toString().strip().lines().count());
  }
}
